"""Synthetic 安责险 books, histories, experience and claims ledgers from a known truth.

* :func:`portfolio` — a book drawn from a named preset (:func:`presets`: ``national``,
  ``beijing``, ``shanxi-mining``; packaged TOML targets with sources), with 3-year histories
  drawn per accident;
* :func:`experience` — policy-year experience (the calibration input);
* :func:`claims` — the transaction ledger of the same accidents, valued at a date;
* :func:`check` — the book side by side with its preset's targets and public anchors;
* :func:`normaliser` — the loss model's mean relativity in a preset's population (the one
  generator: books, histories, experience and ledgers are drawn from a
  :class:`~ajx_actuarial.LossModel`; :class:`DevelopmentTruth` adds the ledger's reporting and
  settlement delays).

Everything is vectorised (``python benchmarks/run.py synth``).
"""

from .book import portfolio
from .check import check
from .claims import DevelopmentTruth, claims
from .experience import experience
from .presets import HeadcountLaw, Preset, load_preset, presets
from .population import management_thresholds, normaliser

__all__ = ["portfolio", "experience", "claims", "check", "presets", "load_preset", "Preset", "HeadcountLaw",
           "normaliser", "management_thresholds", "DevelopmentTruth"]

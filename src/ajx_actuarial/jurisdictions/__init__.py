"""Jurisdiction bundles: one market's rules as one packaged TOML (issue 16).

A bundle (``reference/data/jurisdictions/<name>.toml``) names its parts and carries every number
with its source and confidence flag (DOMAIN.md §0):

* ``[parts]``: the rate table and the synthetic preset that stands for its market;
* ``[prevention]``: the mandated services (a packaged rule set, a path, or one inline), the pooling
  and the first-service rule (Xinzhou: within 3 months, scheduled by :mod:`ajx_actuarial.prevention.timing`);
* ``[fee]``: ratio or yearly schedule, base, floor, cap, ledger regime, the IT line the fee pays and an
  earmarked fund (:mod:`.fees`);
* ``[limits]``: the per-person limit rule (a minimum, one fixed limit, or the Beijing formula);
* ``[sectors]``: mandatory and encouraged industries and sub-sectors (``reference.sub_sectors``), the
  participation target (:meth:`Jurisdiction.scope`, :mod:`.scope`);
* ``[underwriting]``: who may be refused or deferred, and whether the insurer must accept every unit
  its own appetite would decline (:mod:`.underwriting`);
* ``[insurer]``, ``[claims]``: insurer tests (solvency, rating, commission: :meth:`Jurisdiction.check_insurer`,
  :meth:`Jurisdiction.check_table`, ``ProjectionResult.by_insurer``) and claim rules (Beijing's 48-hour
  fast payment as a cash-flow and liquidity view, :func:`fast_payments`);
* ``[coinsurance]``: a co-insurance pool and whom the insurer test applies to;
* ``[exposure_synth]``: how a synthetic book gets its project cost or output, when the table needs it.

Packaged: ``beijing-2017``, ``beijing-2026``, ``zhejiang``, ``zhoushan-2018``, ``xinzhou-2024``,
``national-2025`` (``ajx jurisdictions list``; ``ajx demo --jurisdiction NAME``).

>>> import ajx_actuarial as ajx
>>> ajx.jurisdictions.list()
['beijing-2017', 'beijing-2026', 'national-2025', 'xinzhou-2024', 'zhejiang', 'zhoushan-2018']
>>> ajx.jurisdictions.load("xinzhou-2024").fee_schedule().floor
0.15
"""

from __future__ import annotations

import builtins
import os

from ._bundle import FLAGS, SECTOR_CLASSES, Jurisdiction, packaged_bundles
from .scope import Scope
from .claims import FastPayments, fast_payments
from .fees import LEDGERS, FeeSchedule
from .effect import underwriting_effect
from .underwriting import UnderwritingResult, underwrite

__all__ = ["list", "load", "Jurisdiction", "FeeSchedule", "UnderwritingResult", "underwrite", "underwriting_effect", "LEDGERS",
           "FLAGS", "SECTOR_CLASSES", "FastPayments", "fast_payments", "Scope"]


def list() -> builtins.list[str]:  # noqa: A001 - the public name asked for: ajx.jurisdictions.list()
    """Names of the packaged jurisdiction bundles.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> "zhejiang" in ajx.jurisdictions.list()
    True
    """
    return packaged_bundles()


def load(name_or_path: str | os.PathLike[str]) -> Jurisdiction:
    """A packaged bundle by name, or a bundle TOML by path.

    Raises
    ------
    ValidationError
        Unknown name, unreadable file, or a bundle that breaks the format (a number without a
        source, an unknown code, a fee ledger not in :data:`LEDGERS` ...).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> j = ajx.jurisdictions.load("beijing-2026")
    >>> j.rate_table().name, j.ledger
    ('beijing-2026', 'carry_forward')
    """
    return Jurisdiction.load(name_or_path)

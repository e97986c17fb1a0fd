"""From claim experience to a filed rate table: GLMs, refinement, rebalancing, diagnostics.

The public names live here; the work is split by responsibility:

``_glm.py``          :func:`calibrate`: Poisson / negative-binomial frequency, Gamma severity or
                     Tweedie pure premium, on aggregated rating cells or rows
``_dispersion.py``   Pearson χ²/df on rating cells; quasi-Poisson intervals when over-dispersed
``_directions.py``   known directions of ordered factors: the warning, the order ``monotone`` uses
``_calibration.py``  :class:`CalibrationResult`: predictions, actual vs expected, credibility cell
                     adjustments, refinement (cap, fix, monotone)
``_to_table.py``     ``CalibrationResult.to_rate_table``: base rates, size structure, schedules,
                     off-balance per industry, provenance
``_level_credibility.py``  factor levels blended toward the template by credibility
``diagnostics.py``   :func:`gini`, :func:`lift_table`, :func:`double_lift`
``_factors.py``      factor labels, base levels, the default factor list
"""

from __future__ import annotations

from ._calibration import CalibrationResult
from ._factors import DEFAULT_BANDS, DEFAULT_FACTORS, NATURAL_BASE
from ._glm import calibrate
from .diagnostics import double_lift, gini, lift_table

__all__ = ["calibrate", "CalibrationResult", "gini", "lift_table", "double_lift", "DEFAULT_FACTORS", "DEFAULT_BANDS", "NATURAL_BASE"]

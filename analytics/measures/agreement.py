"""Agreement as a measure: how shared the picture is, per indicator and period.

Two numbers sit beside every mean: the IQR (the width of the middle half of the marks, from
:func:`analytics.measures.dimensions.indicator_stats`) and r_wg, the within-group agreement index of James,
Demaree & Wolf (1984)::

    r_wg = 1 - s_x^2 / sigma_E^2

where s_x^2 is the observed variance of the marks (sample variance, divisor n - 1) and sigma_E^2 the variance
the marks would have if everybody marked at random ("no agreement"). The null used here is the uniform
(rectangular) distribution over the scale: for A answer options sigma_E^2 = (A^2 - 1) / 12 (2.0 on a 5-point
scale), and for a mark anywhere on a line -- the Dimensions form is a line, stored as a position 0..1 -- the
continuous uniform on 0..1, sigma_E^2 = 1/12. An observed variance above the null (typically two camps at both
poles) gives a negative value, truncated to 0 as James et al. recommend: "no more agreement than random".
1 means everybody marked the same spot. Limits: see docs/reading-the-charts.md.
"""

from __future__ import annotations

import numpy as np

#: Variance of a continuous uniform on the 0..1 line: the "marks at random" null for positions.
UNIFORM_LINE_VARIANCE = 1.0 / 12.0


def uniform_null_variance(options: int | None = None) -> float:
    """sigma_E^2 of the uniform null: (A^2 - 1) / 12 on the raw scale for A options, 1/12 on the 0..1 line."""
    if options is None:
        return UNIFORM_LINE_VARIANCE
    if options < 2:
        raise ValueError("a scale needs at least two options")
    return (options * options - 1) / 12.0


def rwg(observed_variance, null_variance: float = UNIFORM_LINE_VARIANCE, *, truncate: bool = True):
    """1 - observed / null variance (vectorised); with ``truncate`` values below 0 become 0. NaN stays NaN.

    >>> float(rwg(4 / 9, uniform_null_variance(5)))  # ten judges on a 5-point scale, variance 4/9
    0.7777777777777778
    """
    v = np.asarray(observed_variance, dtype=float)
    out = 1.0 - v / float(null_variance)
    return np.where(np.isnan(out), np.nan, np.maximum(out, 0.0)) if truncate else out


def sample_variance(values) -> float:
    """Variance with divisor n - 1 (NaN for fewer than two values), as r_wg is defined."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(np.var(x, ddof=1)) if len(x) >= 2 else float("nan")


def rwg_from_sd(sd_pop, n, null_variance: float = UNIFORM_LINE_VARIANCE):
    """r_wg from the population SD (divisor n) and n, as :func:`indicator_stats` has them: s^2 = sd^2 n/(n-1).
    Fewer than two respondents: NaN (one person always agrees with themself)."""
    sd = np.asarray(sd_pop, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n >= 2, sd * sd * n / (n - 1), np.nan)
    return rwg(var, null_variance)

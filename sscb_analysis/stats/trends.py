"""Trends in counts over time: a Poisson regression with a check for overdispersion, and a
segmented (interrupted time series) model when a service change happened at a known period.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import statsmodels.api as sm
from scipy import stats

from sscb_analysis.stats.intervals import check_count
from sscb_analysis.stats.results import TrendResult

__all__ = ["OVERDISPERSION_THRESHOLD", "count_trend"]

#: Pearson chi-square / df above which the Poisson model's standard errors are rescaled.
OVERDISPERSION_THRESHOLD = 1.5


def _fit(y: np.ndarray, x: np.ndarray, offset: np.ndarray, scale: str | None):
    model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(scale=scale) if scale else model.fit()


def _ratio(res, i: int, conf: float) -> tuple[float, float, float, float]:
    z = stats.norm.ppf(1 - (1 - conf) / 2)
    b, se = float(res.params[i]), float(res.bse[i])
    return (
        math.exp(b),
        math.exp(b - z * se),
        math.exp(b + z * se),
        float(res.pvalues[i]),
    )


def count_trend(
    counts: Sequence[int],
    exposure: Sequence[float] | None = None,
    breakpoint: int | None = None,
    confidence: float = 0.95,
) -> TrendResult:
    """Fit a log-linear trend to counts per period (e.g. plans starting each quarter).

    Poisson GLM with ``log(exposure)`` as offset; when the Pearson chi-square per degree of
    freedom exceeds 1.5 the standard errors are rescaled (quasi-Poisson) and the method says so.
    With ``breakpoint`` (index of the first period after a change) the model is segmented and
    gives the level change and slope change as rate ratios.
    """
    y = np.asarray([check_count(c, "counts") for c in counts], dtype=float)
    k = len(y)
    if k < 3:
        raise ValueError(f"a trend needs at least 3 periods, got {k}")
    if y.sum() == 0:
        raise ValueError("all counts are zero: there is no trend to estimate")
    if exposure is None:
        exp_arr = np.ones(k)
    else:
        exp_arr = np.asarray(exposure, dtype=float)
        if exp_arr.shape != (k,):
            raise ValueError(f"exposure must have one value per period ({k})")
        if not np.isfinite(exp_arr).all() or (exp_arr <= 0).any():
            raise ValueError("exposure must be positive and finite in every period")
    t = np.arange(k, dtype=float)
    caveats: list[str] = []
    if breakpoint is None:
        x = sm.add_constant(t[:, None], has_constant="add")
        if k < 8:
            caveats.append(
                f"Only {k} periods: a trend from so few points is fragile and easily moved by one "
                "unusual period."
            )
    else:
        if isinstance(breakpoint, bool) or not isinstance(breakpoint, (int, np.integer)):
            raise TypeError(
                "breakpoint must be the index (int) of the first period after the change"
            )
        before, after = int(breakpoint), k - int(breakpoint)
        if before < 3 or after < 3:
            raise ValueError(
                f"a segmented trend needs at least 3 periods on each side of the breakpoint "
                f"(got {before} before and {after} after)"
            )
        if before < 8 or after < 8:
            caveats.append(
                f"{before} periods before and {after} after the change: with fewer than 8 on a side "
                "the level and slope changes are imprecise and easily confused with chance."
            )
        post = (t >= breakpoint).astype(float)
        x = np.column_stack([np.ones(k), t, post, post * (t - breakpoint)])
    offset = np.log(exp_arr)
    res = _fit(y, x, offset, None)
    df = res.df_resid
    dispersion = float(res.pearson_chi2 / df) if df > 0 else math.nan
    method = "Poisson regression"
    if df > 0 and dispersion > OVERDISPERSION_THRESHOLD:
        res = _fit(y, x, offset, "X2")
        method = "quasi-Poisson regression"
        caveats.append(
            f"The counts vary more than chance alone would give (dispersion {dispersion:.1f}), so "
            "the intervals were widened (quasi-Poisson)."
        )
    elif df == 0:
        caveats.append(
            "The model has as many parameters as points, so overdispersion was not checked."
        )
    caveats.append(
        "A fitted trend is a summary of the past periods, not a forecast; a change in recording "
        "or thresholds can look like a change in need."
    )
    rr = _ratio(res, 1, confidence)
    level = slope = None
    if breakpoint is not None:
        level = _ratio(res, 2, confidence)
        slope = _ratio(res, 3, confidence)
        method = f"segmented {method} (interrupted time series)"
    return TrendResult(
        rate_ratio=rr[0],
        lower=rr[1],
        upper=rr[2],
        p_value=rr[3],
        method=method,
        n=k,
        dispersion=dispersion,
        confidence=confidence,
        level_change=level,
        slope_change=slope,
        fitted=tuple(float(v) for v in res.fittedvalues),
        caveats=tuple(caveats),
    )

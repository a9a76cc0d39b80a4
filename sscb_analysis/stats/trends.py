"""Trends in counts over time: a Poisson regression with a check for overdispersion, and a
segmented (interrupted time series) model when a service change happened at a known period.

Separated counts (every event in the first or the last period; no event on one side of a
breakpoint) have no maximum-likelihood estimate: the fitted trend runs off to zero or infinity,
statsmodels returns huge coefficients and standard errors, and exponentiating them overflowed.
:func:`count_trend` checks for this first, with the linear-programming condition of Haberman
(1974, *The Analysis of Frequency Data*, theorem 2.2; Santos Silva and Tenreyro 2010, *Economics
Letters* 107:310), and then says the trend cannot be estimated. For a plain trend it gives the
exact conditional answer instead (given the total, the counts are multinomial; the test of no
trend and the interval come from that distribution, as exact Poisson regression does).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import statsmodels.api as sm
from scipy import optimize, stats

from sscb_analysis.stats.intervals import check_count
from sscb_analysis.stats.results import TrendResult

__all__ = ["OVERDISPERSION_THRESHOLD", "count_trend", "mle_exists"]

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


def mle_exists(x: np.ndarray, y: np.ndarray) -> bool:
    """Whether the Poisson regression of ``y`` on the design ``x`` has a finite estimate.

    It has none exactly when some direction ``d`` leaves the linear predictor unchanged on every
    period with a count and lowers it on some period without one (Haberman 1974): the likelihood
    then keeps rising along ``d``. Found by a small linear programme, bounded so it stays finite.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    zero = x[y == 0]
    if not len(zero):
        return True
    positive = x[y > 0]
    result = optimize.linprog(
        c=zero.sum(axis=0),
        A_ub=np.vstack([zero, -zero]),
        b_ub=np.concatenate([np.zeros(len(zero)), np.ones(len(zero))]),
        A_eq=positive if len(positive) else None,
        b_eq=np.zeros(len(positive)) if len(positive) else None,
        bounds=[(None, None)] * x.shape[1],
        method="highs",
    )
    return not (result.status == 0 and result.fun < -1e-9)


def _separated_trend(
    y: np.ndarray, exposure: np.ndarray, confidence: float, caveats: list[str]
) -> TrendResult:
    """The exact conditional trend when every event fell in the first or the last period.

    Given the total ``N``, the counts are multinomial with period ``i`` drawn with probability
    proportional to ``exposure[i] * rr**i``, so all ``N`` fall in the end period ``j`` with
    probability ``pi_j(rr)**N``. The test of no trend is twice that at ``rr = 1`` (the other tail
    is 1); the interval's finite end solves ``pi_j(rr)**N = alpha / 2`` and the median-unbiased
    estimate ``pi_j(rr)**N = 1/2``; the other end is 0 or infinity.
    """
    k, total = len(y), int(y.sum())
    t = np.arange(k, dtype=float)
    base = exposure / exposure.sum()
    first = bool(y[0] == total)
    end = 0 if first else k - 1

    def log_tail(beta: float) -> float:  # log P(all N events in the end period | N, beta)
        eta = beta * t + np.log(base)
        return total * (eta[end] - np.logaddexp.reduce(eta))

    def solve(prob: float) -> float:
        # log_tail falls as beta rises when the events are first, rises when they are last
        lo, hi = (-1.0, 50.0) if first else (-50.0, 1.0)
        while (log_tail(lo) - math.log(prob)) * (log_tail(hi) - math.log(prob)) > 0:
            lo, hi = (lo - 10.0, hi) if first else (lo, hi + 10.0)
        return optimize.brentq(lambda b: log_tail(b) - math.log(prob), lo, hi, xtol=1e-12)

    alpha = 1 - confidence
    p_value = min(1.0, 2 * math.exp(log_tail(0.0)))
    estimate = math.exp(solve(0.5))
    bound = math.exp(solve(alpha / 2))
    lower, upper = (0.0, bound) if first else (bound, math.inf)
    where = "first" if first else "last"
    caveats.insert(
        0,
        f"Every event fell in the {where} period, so the regression's trend runs off to "
        f"{'zero' if first else 'infinity'}: no rate of change can be estimated from these "
        "counts. The figures given are exact conditional ones (a test of no trend, a "
        "median-unbiased rate ratio and a one-sided interval).",
    )
    return TrendResult(
        rate_ratio=estimate,
        lower=lower,
        upper=upper,
        p_value=p_value,
        method="exact conditional test of a log-linear trend",
        n=k,
        dispersion=math.nan,
        confidence=confidence,
        caveats=tuple(caveats),
        estimable=False,
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

    Separated counts (see the module's note) give a result with ``estimable=False`` instead of
    an error: for a plain trend the exact conditional test and interval, for a segmented model
    NaN, each with a caveat saying why.
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
    if not mle_exists(x, y):
        if breakpoint is None:
            return _separated_trend(y, exp_arr, confidence, caveats)
        caveats.insert(
            0,
            "No level or slope change can be estimated: the counts on one side of the change "
            "leave the model without a finite estimate (for example, no event at all before or "
            "after it, or every event before it in its first period).",
        )
        return TrendResult(
            rate_ratio=math.nan,
            lower=math.nan,
            upper=math.nan,
            p_value=math.nan,
            method="segmented Poisson regression (interrupted time series), not estimable",
            n=k,
            dispersion=math.nan,
            confidence=confidence,
            caveats=tuple(caveats),
            estimable=False,
        )
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

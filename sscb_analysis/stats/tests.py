"""Significance tests for the comparisons board reports make: two counts, two proportions, a
proportion against a benchmark, a trend across ordered groups, and multiplicity adjustment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

from sscb_analysis.stats.intervals import _wilson_bounds, check_count, wilson_ci
from sscb_analysis.stats.results import TestResult

__all__ = [
    "adjust_p",
    "compare_counts",
    "compare_proportions",
    "compare_to_value",
    "trend_in_proportions",
]

REGRESSION_TO_MEAN = (
    "If these two periods were picked after looking at the figures (for example a high quarter "
    "against a later low one), part of the change is expected by chance alone: unusually high "
    "or low counts tend to be followed by more ordinary ones (regression to the mean)."
)
TOO_FEW_POINTS = (
    "Two periods are too few to show a trend; a run of at least 12 periods on an SPC chart "
    "(or count_trend) shows whether the change is lasting."
)


def _check_exposure(e: float, name: str) -> float:
    if isinstance(e, bool) or not isinstance(e, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a positive number, not {e!r}")
    if not e > 0 or math.isinf(e):
        raise ValueError(f"{name} must be a positive, finite number, got {e!r}")
    return float(e)


def compare_counts(
    c1: int, c2: int, exposure1: float = 1.0, exposure2: float = 1.0, confidence: float = 0.95
) -> TestResult:
    """Compare two counts (e.g. this quarter against last) as a rate ratio ``rate1 / rate2``.

    Exact conditional test (the split of the total between the periods is binomial) and a score
    interval for the ratio; with a zero count the interval is the exact conditional one.
    """
    c1 = check_count(c1, "c1")
    c2 = check_count(c2, "c2")
    e1 = _check_exposure(exposure1, "exposure1")
    e2 = _check_exposure(exposure2, "exposure2")
    alpha = 1 - confidence
    caveats = [REGRESSION_TO_MEAN, TOO_FEW_POINTS]
    if c1 == 0 and c2 == 0:
        return TestResult(
            estimate=math.nan,
            lower=math.nan,
            upper=math.nan,
            p_value=1.0,
            method="no test: both counts are zero",
            measure="rate ratio",
            n=0,
            confidence=confidence,
            observed=(0, 0),
            caveats=("Both counts are zero, so there is nothing to compare.", *caveats),
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        res = test_poisson_2indep(c1, e1, c2, e2, method="exact-cond")
    p_value = float(min(1.0, res.pvalue))
    ratio = (c1 / e1) / (c2 / e2) if c2 > 0 else math.inf
    if c1 > 0 and c2 > 0:
        lower, upper = confint_poisson_2indep(c1, e1, c2, e2, method="score", alpha=alpha)
        ci_method = "score interval"
    else:
        # Clopper-Pearson interval for the share of events in period 1, mapped to a ratio.
        total = c1 + c2
        pl = 0.0 if c1 == 0 else stats.beta.ppf(alpha / 2, c1, total - c1 + 1)
        pu = 1.0 if c1 == total else stats.beta.ppf(1 - alpha / 2, c1 + 1, total - c1)
        lower = pl / (1 - pl) * e2 / e1
        upper = math.inf if pu >= 1 else pu / (1 - pu) * e2 / e1
        ci_method = "exact conditional interval"
    if min(c1, c2) < 10:
        caveats.append(
            "At least one count is below 10: small counts move a lot by chance, so the ratio is "
            "imprecise (see the interval)."
        )
    return TestResult(
        estimate=float(ratio),
        lower=float(lower),
        upper=float(upper),
        p_value=p_value,
        method=f"exact conditional test (Poisson), {ci_method}",
        measure="rate ratio",
        n=c1 + c2,
        confidence=confidence,
        observed=(c1 / e1, c2 / e2),
        caveats=tuple(caveats),
    )


def _check_proportion_pair(x: int, n: int, label: str) -> tuple[int, int]:
    x = check_count(x, f"x{label}")
    n = check_count(n, f"n{label}")
    if n == 0:
        raise ValueError(f"n{label} is 0: a proportion needs at least one case in the denominator")
    if x > n:
        raise ValueError(f"x{label} ({x}) cannot be larger than n{label} ({n})")
    return x, n


def compare_proportions(x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95) -> TestResult:
    """Difference between two proportions ``x1/n1 - x2/n2``.

    Newcombe's hybrid score interval (his method 10, built from the two Wilson intervals); the
    score (pooled chi-square) test, or Fisher's exact test when any expected count is below 5.
    """
    x1, n1 = _check_proportion_pair(x1, n1, "1")
    x2, n2 = _check_proportion_pair(x2, n2, "2")
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = _wilson_bounds(x1, n1, confidence)
    l2, u2 = _wilson_bounds(x2, n2, confidence)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    caveats = [REGRESSION_TO_MEAN]
    statistic = None
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        p_value = 1.0
        test = "no test: every case has the same outcome"
    elif (expected < 5).any():
        p_value = float(stats.fisher_exact(table).pvalue)
        test = "Fisher's exact test"
        caveats.append("Some expected counts are below 5, so Fisher's exact test was used.")
    else:
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        statistic = d / se
        p_value = float(2 * stats.norm.sf(abs(statistic)))
        test = "score test (pooled chi-square)"
    if min(n1, n2) < 30:
        caveats.append("At least one group has fewer than 30 cases: the difference is imprecise.")
    return TestResult(
        estimate=d,
        lower=max(-1.0, lower),
        upper=min(1.0, upper),
        p_value=p_value,
        method=f"{test}, Newcombe hybrid score interval",
        measure="difference in proportions",
        n=n1 + n2,
        confidence=confidence,
        observed=(p1, p2),
        statistic=statistic,
        caveats=tuple(caveats),
    )


def compare_to_value(x: int, n: int, p0: float, confidence: float = 0.95) -> TestResult:
    """An observed proportion ``x / n`` against a benchmark ``p0`` (e.g. a national rate of 31%).

    Two-sided exact binomial test; the interval is the Wilson interval of the observed proportion.
    """
    if not isinstance(p0, (int, float, np.integer, np.floating)) or not 0 <= p0 <= 1:
        raise ValueError(f"p0 must be a proportion between 0 and 1, got {p0!r}")
    ci = wilson_ci(x, n, confidence)
    test = stats.binomtest(int(ci.x), int(ci.n), float(p0))
    caveats = list(ci.caveats)
    caveats.append(
        "A benchmark is a yardstick, not a target: local differences in who is referred and how "
        "cases are recorded can explain a gap as much as practice can."
    )
    return TestResult(
        estimate=ci.estimate,
        lower=ci.lower,
        upper=ci.upper,
        p_value=float(test.pvalue),
        method="exact binomial test, Wilson score interval",
        measure="proportion",
        n=ci.n,
        confidence=ci.confidence,
        observed=(ci.estimate, float(p0)),
        caveats=tuple(caveats),
    )


def trend_in_proportions(
    x: Sequence[int],
    n: Sequence[int],
    scores: Sequence[float] | None = None,
    confidence: float = 0.95,
) -> TestResult:
    """Cochran-Armitage test for a linear trend in proportions across ordered groups.

    ``estimate`` is the least-squares slope of the proportion per unit of score (per period with
    the default scores 0, 1, 2, ...), with a Wald interval. The chi-square (z squared) equals R's
    ``prop.trend.test``.
    """
    xs = [check_count(v, "x") for v in x]
    ns = [check_count(v, "n") for v in n]
    if len(xs) != len(ns):
        raise ValueError(f"x and n must be the same length ({len(xs)} against {len(ns)})")
    if len(xs) < 3:
        raise ValueError("a trend test needs at least 3 ordered groups")
    if any(v == 0 for v in ns):
        raise ValueError("every group needs at least one case (an n of 0 was given)")
    if any(a > b for a, b in zip(xs, ns, strict=True)):
        raise ValueError("x cannot be larger than n in any group")
    s = np.arange(len(xs), dtype=float) if scores is None else np.asarray(scores, dtype=float)
    if len(s) != len(xs):
        raise ValueError("scores must have one value per group")
    xa, na = np.asarray(xs, dtype=float), np.asarray(ns, dtype=float)
    big_n = na.sum()
    pbar = xa.sum() / big_n
    sbar = (na * s).sum() / big_n
    sxx = (na * (s - sbar) ** 2).sum()
    if sxx == 0:
        raise ValueError("the scores must not all be equal")
    caveats = [
        "The test looks for a steady straight-line change across the groups; a rise then fall "
        "can go unnoticed."
    ]
    if pbar in (0.0, 1.0):
        return TestResult(
            estimate=0.0,
            lower=0.0,
            upper=0.0,
            p_value=1.0,
            method="no test: every case has the same outcome",
            measure="change in proportion per step",
            n=int(big_n),
            confidence=confidence,
            observed=tuple(xa / na),
            caveats=tuple(caveats),
        )
    t = (s * (xa - na * pbar)).sum()
    var = pbar * (1 - pbar) * sxx
    z = t / math.sqrt(var)
    slope = t / sxx
    se = math.sqrt(pbar * (1 - pbar) / sxx)
    zc = stats.norm.ppf(1 - (1 - confidence) / 2)
    if (na * pbar).min() < 5 or (na * (1 - pbar)).min() < 5:
        caveats.append("Some groups are small, so the approximate p-value is less reliable.")
    return TestResult(
        estimate=float(slope),
        lower=float(slope - zc * se),
        upper=float(slope + zc * se),
        p_value=float(2 * stats.norm.sf(abs(z))),
        method="Cochran-Armitage test for trend",
        measure="change in proportion per step",
        n=int(big_n),
        confidence=confidence,
        observed=tuple(float(v) for v in xa / na),
        statistic=float(z),
        caveats=tuple(caveats),
    )


_P_METHODS = {"holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "bonferroni": "bonferroni"}


def adjust_p(p_values: Sequence[float] | pd.Series, method: str = "holm") -> np.ndarray | pd.Series:
    """Adjust a family of p-values for multiple comparisons.

    Holm (the default) controls the chance of any false claim in a headline family;
    Benjamini-Hochberg (``"bh"`` or ``"fdr_bh"``) controls the share of false claims. Missing
    values stay missing; a Series keeps its index.
    """
    key = str(method).lower()
    if key not in _P_METHODS:
        raise ValueError(f"method must be one of {sorted(_P_METHODS)}, got {method!r}")
    arr = np.asarray(p_values, dtype=float)
    if arr.ndim != 1:
        raise ValueError("p_values must be a flat list of numbers")
    ok = ~np.isnan(arr)
    if ((arr[ok] < 0) | (arr[ok] > 1)).any():
        raise ValueError("p-values must lie between 0 and 1")
    out = np.full_like(arr, np.nan)
    if ok.any():
        out[ok] = multipletests(arr[ok], method=_P_METHODS[key])[1]
    if isinstance(p_values, pd.Series):
        return pd.Series(out, index=p_values.index, name=p_values.name)
    return out

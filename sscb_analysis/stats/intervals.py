"""Confidence intervals for a proportion (Wilson) and for a count or rate (exact / Byar).

The count interval follows Public Health England / OHID's PHEindicatormethods: the exact
(chi-square) interval below 10 events and Byar's approximation from 10.
"""

from __future__ import annotations

import math
import numbers

from scipy import stats

from sscb_analysis.stats.results import Interval

__all__ = ["check_confidence", "check_count", "count_ci", "wilson_ci"]


def check_confidence(confidence: float) -> float:
    """Return the confidence level as a fraction, accepting 0.95 or 95."""
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise TypeError(f"confidence must be a number such as 0.95 or 95, not {confidence!r}")
    c = float(confidence)
    if 1 < c < 100:
        c = c / 100
    if not 0 < c < 1:
        raise ValueError(f"confidence must be between 0 and 1 (or 0 and 100), got {confidence!r}")
    return c


def check_count(x: object, name: str = "count") -> int:
    """Return ``x`` as an int, refusing negative, missing and non-whole values with a clear error."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a whole number, not {x!r}")
    xf = float(x)
    if math.isnan(xf):
        raise ValueError(f"{name} is missing (NaN)")
    if not xf.is_integer():
        raise ValueError(f"{name} must be a whole number, got {x!r}")
    if xf < 0:
        raise ValueError(f"{name} must not be negative, got {x!r}")
    return int(xf)


def _wilson_bounds(x: int, n: int, confidence: float) -> tuple[float, float]:
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    p = x / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    lower = 0.0 if x == 0 else max(0.0, centre - half)
    upper = 1.0 if x == n else min(1.0, centre + half)
    return lower, upper


def wilson_ci(x: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for the proportion ``x / n``.

    Unlike the textbook "p plus or minus 1.96 standard errors" it stays within 0 to 1 and behaves
    well for small ``n`` and for 0% or 100%.
    """
    x = check_count(x, "x")
    n = check_count(n, "n")
    conf = check_confidence(confidence)
    if n == 0:
        raise ValueError("n is 0: a proportion needs at least one case in the denominator")
    if x > n:
        raise ValueError(f"x ({x}) cannot be larger than n ({n})")
    lower, upper = _wilson_bounds(x, n, conf)
    caveats = []
    if n < 30:
        caveats.append(
            f"Based on only {n} cases: the interval is wide, so treat the percentage as a rough guide."
        )
    if x == 0 or x == n:
        caveats.append(
            f"All or none of the {n} cases: the interval shows how far the true figure could be "
            "from 0% or 100%."
        )
    return Interval(
        estimate=x / n,
        lower=lower,
        upper=upper,
        method="Wilson score interval",
        n=n,
        confidence=conf,
        kind="proportion",
        x=x,
        caveats=tuple(caveats),
    )


def count_ci(x: int, confidence: float = 0.95, exposure: float = 1.0) -> Interval:
    """Interval for a count (or a rate when ``exposure`` is given, e.g. per 10,000 children).

    Exact (chi-square) limits below 10 events, Byar's approximation from 10, as
    PHEindicatormethods does; ``method`` says which was used.
    """
    x = check_count(x, "x")
    conf = check_confidence(confidence)
    if isinstance(exposure, bool) or not isinstance(exposure, numbers.Real):
        raise TypeError(f"exposure must be a positive number, not {exposure!r}")
    if not exposure > 0 or math.isinf(exposure):
        raise ValueError(f"exposure must be a positive, finite number, got {exposure!r}")
    alpha = 1 - conf
    if x < 10:
        lower = 0.0 if x == 0 else stats.chi2.ppf(alpha / 2, 2 * x) / 2
        upper = stats.chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2
        method = "exact Poisson interval (chi-square)"
    else:
        z = stats.norm.ppf(1 - alpha / 2)
        lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
        method = "Byar's method"
    caveats = []
    if x < 10:
        caveats.append(
            f"Only {x} events: small counts move a lot by chance from one period to the next."
        )
    return Interval(
        estimate=x / exposure,
        lower=float(lower) / exposure,
        upper=float(upper) / exposure,
        method=method,
        n=x,
        confidence=conf,
        kind="count" if exposure == 1.0 else "rate",
        x=x,
        caveats=tuple(caveats),
    )

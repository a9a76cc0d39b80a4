"""Statistical process control (SPC) charts in the style of NHS England's "Making Data Count".

The rules follow NHSRplotthedots 0.2.2 (CRAN, September 2025; :data:`RULES` names the version):
XmR limits at the mean plus or minus 2.66 times the mean moving range (after screening out moving
ranges above 3.267 times their mean), and four signals of special cause variation, in this order
of precedence: a point outside the limits, a trend of 7 points rising or falling, two of three
points near a limit (between 2 and 3 sigma) on the same side of the mean, and a shift of 7 points
on one side of the mean (a point on the mean breaks a run). The variation icon is the last
point's type; the assurance icon compares the target with the last point's process limits.

Making Data Count changed the two-of-three rule in November 2023 (NHSRplotthedots issue #194):
every point beyond 2 sigma counts, including one beyond the process limit. ``rules="mdc-2023"``
applies that version; the default stays with NHSRplotthedots, whose released code and tests still
count only points between 2 and 3 sigma. p, c and u charts take their limits from the binomial or
Poisson variance instead of the moving range (an extension: NHSRplotthedots draws XmR only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sscb_analysis.plural import agree, plural
from sscb_analysis.stats.results import SPCResult

__all__ = ["ASSURANCES", "MIN_POINTS_FOR_LIMITS", "RULES", "assurance", "spc"]

#: Fewer points than this give "trial" limits (Making Data Count).
MIN_POINTS_FOR_LIMITS = 12
_XMR_LIMIT = 2.66
_MR_SCREEN = 3.267
_KINDS = ("xmr", "p", "c", "u")
_DIRECTIONS = {"increase": 1, "decrease": -1, "neutral": 0}
_RULE_ORDER = ("outside limits", "trend", "two of three", "shift")
#: The rule sets ``spc(rules=...)`` knows, and the sentence a page prints to say which it follows.
RULES = {
    "ptd-0.2.2": (
        "Making Data Count rules as NHSRplotthedots 0.2.2 implements them: a point outside the "
        "process limits, 7 points rising or falling, 7 points on one side of the mean, or 2 of 3 "
        "points between 2 and 3 sigma on one side of the mean"
    ),
    "mdc-2023": (
        "Making Data Count rules as revised in November 2023: a point outside the process limits, "
        "7 points rising or falling, 7 points on one side of the mean, or 2 of 3 points beyond 2 "
        "sigma on one side of the mean"
    ),
}
#: Assurance against a target, as the process limits of the last point say (NHSRplotthedots'
#: consistent_pass, consistent_fail, inconsistent), and "no target" (none, or a neutral measure).
ASSURANCES = ("consistently passing", "consistently failing", "hit and miss", "no target")


def _as_float_array(values: Sequence[float] | pd.Series, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numbers ({exc})") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers")
    if np.isnan(arr).any() or np.isinf(arr).any():
        raise ValueError(f"{name} contains missing or infinite values; SPC needs every period")
    return arr


def _check_counts(arr: np.ndarray, name: str) -> None:
    if (arr < 0).any() or not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must be non-negative whole numbers for this chart")


def _limits(
    kind: str, y: np.ndarray, x: np.ndarray, n: np.ndarray | None, base: int, screen: bool
) -> tuple[float, np.ndarray, np.ndarray, int]:
    """Centre, sigma per point, and how many moving ranges were screened out."""
    k = len(y)
    screened = 0
    if kind == "xmr":
        yb = y[:base]
        centre = float(yb.mean())
        mr = np.abs(np.diff(yb))
        if len(mr) == 0:
            return centre, np.full(k, np.nan), np.full(k, np.nan), 0
        amr = mr.mean()
        if screen and amr > 0:
            keep = mr < _MR_SCREEN * amr
            screened = int((~keep).sum())
            amr = mr[keep].mean() if keep.any() else 0.0
        sigma = np.full(k, _XMR_LIMIT * amr / 3)
        return centre, sigma, sigma, screened
    if kind == "c":
        centre = float(x[:base].mean())
        sigma = np.full(k, math.sqrt(centre))
        return centre, sigma, sigma, 0
    assert n is not None
    centre = float(x[:base].sum() / n[:base].sum())
    sigma = np.sqrt(centre * (1 - centre) / n) if kind == "p" else np.sqrt(centre / n)
    return centre, sigma, sigma, 0


def _runs(flags: np.ndarray, run: int) -> np.ndarray:
    """Mark every point belonging to a window of ``run`` consecutive equal non-zero flags."""
    k = len(flags)
    out = np.zeros(k, dtype=bool)
    for i in range(run - 1, k):
        window = flags[i - run + 1 : i + 1]
        if window[0] != 0 and (window == window[0]).all():
            out[i - run + 1 : i + 1] = True
    return out


def _trends(y: np.ndarray, run: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in a run of ``run`` strictly rising or falling values, and each one's direction.

    As NHSRplotthedots (``ptd_special_cause_type``): a trend point's direction is the step to the
    next point when that point is in a trend too, else the step from the previous point.
    """
    k = len(y)
    member = np.zeros(k, dtype=bool)
    for i in range(run - 1, k):
        d = np.sign(np.diff(y[i - run + 1 : i + 1]))
        if (d > 0).all() or (d < 0).all():
            member[i - run + 1 : i + 1] = True
    step = np.sign(np.diff(y)).astype(int)
    direction = np.zeros(k, dtype=int)
    for i in np.flatnonzero(member):
        right = i + 1 < k and member[i + 1]
        d = step[i] if right else step[i - 1]
        direction[i] = 1 if d == 1 else -1  # a tie reads as "decreasing", as in R's ifelse
    return member, direction


def _two_of_three(close: np.ndarray, side: np.ndarray) -> np.ndarray:
    """Near-limit points where 2 of 3 consecutive points are near a limit, all on one side."""
    k = len(close)
    out = np.zeros(k, dtype=bool)
    for i in range(k - 2):
        window = slice(i, i + 3)
        if close[window].sum() >= 2 and abs(side[window].sum()) == 3:
            out[window] |= close[window]
    return out


def assurance(target: float | None, lower: float, upper: float, improvement: str) -> str:
    """Assurance against ``target`` from the latest process limits (NHSRplotthedots'
    ``ptd_calculate_assurance_type``): a target beyond the limits is always or never met, one
    inside them is met by chance ("hit and miss"); "no target" without one or for a neutral
    measure. Missing limits (a single point) cannot assure anything: "hit and miss"."""
    if improvement not in _DIRECTIONS:
        raise ValueError(f"improvement must be one of {tuple(_DIRECTIONS)}, got {improvement!r}")
    want = _DIRECTIONS[improvement]
    if target is None or want == 0:
        return "no target"
    if math.isnan(lower) or math.isnan(upper) or lower <= target <= upper:
        return "hit and miss"
    above = target > upper  # every likely value lies below the target
    return "consistently failing" if above == (want == 1) else "consistently passing"


def spc(
    values: Sequence[float] | pd.Series,
    kind: str = "xmr",
    denominators: Sequence[float] | pd.Series | None = None,
    improvement: str = "decrease",
    target: float | None = None,
    screen_outliers: bool = True,
    shift_run: int = 7,
    trend_run: int = 7,
    fix_after: int | None = None,
    rules: str = "ptd-0.2.2",
) -> SPCResult:
    """Build a Making Data Count SPC chart table with its variation and assurance icons.

    ``kind``: ``"xmr"`` (any measure), ``"p"`` (proportions: ``values`` are numerators,
    ``denominators`` the bases), ``"c"`` (counts) or ``"u"`` (rates: counts over exposure).
    ``improvement``: ``"increase"``, ``"decrease"`` or ``"neutral"``. ``fix_after`` fixes the
    limits on the first so many points. ``rules``: a key of :data:`RULES`.
    """
    kind = str(kind).lower()
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    if improvement not in _DIRECTIONS:
        raise ValueError(f"improvement must be one of {tuple(_DIRECTIONS)}, got {improvement!r}")
    if rules not in RULES:
        raise ValueError(f"rules must be one of {tuple(RULES)}, got {rules!r}")
    if target is not None and (
        isinstance(target, bool)
        or not isinstance(target, (int, float, np.integer, np.floating))
        or not math.isfinite(float(target))
    ):
        raise ValueError(f"target must be a finite number, got {target!r}")
    for name, run in (("shift_run", shift_run), ("trend_run", trend_run)):
        if isinstance(run, bool) or not isinstance(run, (int, np.integer)) or run < 2:
            raise ValueError(f"{name} must be a whole number of at least 2, got {run!r}")
    index = values.index if isinstance(values, pd.Series) else None
    x = _as_float_array(values, "values")
    k = len(x)
    if k == 0:
        raise ValueError("values is empty: an SPC chart needs at least one point")
    n: np.ndarray | None = None
    if kind in ("p", "u"):
        if denominators is None:
            raise ValueError(f"a {kind} chart needs denominators")
        n = _as_float_array(denominators, "denominators")
        if len(n) != k:
            raise ValueError(f"denominators must have one value per point ({k}), got {len(n)}")
        if (n <= 0).any():
            raise ValueError("denominators must all be positive")
        _check_counts(x, "values")
        if kind == "p":
            _check_counts(n, "denominators")
            if (x > n).any():
                raise ValueError("a p chart's numerators cannot exceed their denominators")
        y = x / n
    else:
        if denominators is not None:
            raise ValueError(f"a {kind} chart takes no denominators; use kind='p' or 'u'")
        if kind == "c":
            _check_counts(x, "values")
        y = x.copy()
    if fix_after is None:
        base = k
    else:
        if isinstance(fix_after, bool) or not isinstance(fix_after, (int, np.integer)):
            raise TypeError("fix_after must be a whole number of points")
        if fix_after < 2:
            raise ValueError("fix_after must be at least 2 points")
        base = min(int(fix_after), k)

    centre, sig_lo, sig_hi, screened = _limits(kind, y, x, n, base, screen_outliers)
    three, near = (3.0, 2.0)
    upper = centre + three * sig_hi
    lower = centre - three * sig_lo
    near_upper = centre + near * sig_hi
    near_lower = centre - near * sig_lo
    if kind in ("p", "c", "u"):
        lower, near_lower = np.maximum(lower, 0), np.maximum(near_lower, 0)
    if kind == "p":
        upper, near_upper = np.minimum(upper, 1), np.minimum(near_upper, 1)

    tol = 1e-12 * max(1.0, abs(centre))
    diff = y - centre
    side = np.where(np.abs(diff) <= tol, 0, np.sign(diff)).astype(int)
    with np.errstate(invalid="ignore"):
        outside = np.nan_to_num((y > upper + tol) | (y < lower - tol), nan=0).astype(bool)
        close = ~outside & np.nan_to_num(
            (y > near_upper + tol) | (y < near_lower - tol), nan=0
        ).astype(bool)
    has_limits = not np.isnan(upper).all()
    shift = _runs(side, shift_run) if has_limits else np.zeros(k, dtype=bool)
    trend, trend_dir = _trends(y, trend_run)
    if not has_limits:
        trend[:] = False
    two3 = _two_of_three(close | outside if rules == "mdc-2023" else close, side)
    flags = {"outside limits": outside, "trend": trend, "two of three": two3, "shift": shift}
    rule = np.array([""] * k, dtype=object)
    for name in reversed(_RULE_ORDER):  # later assignments win: highest precedence last
        rule[flags[name]] = name
    special = rule != ""

    want = _DIRECTIONS[improvement]
    point_type = []
    high = np.zeros(k, dtype=bool)  # the special cause is high (above the mean or rising)
    for i in range(k):
        direction = trend_dir[i] if rule[i] == "trend" else side[i]
        high[i] = direction > 0
        if not special[i]:
            point_type.append("common cause")
        elif want == 0:
            point_type.append("neutral")
        else:
            point_type.append("improvement" if direction == want else "concern")

    table = pd.DataFrame(
        {
            "value": y,
            "centre": np.full(k, centre),
            "lower": lower,
            "upper": upper,
            "near_lower": near_lower,
            "near_upper": near_upper,
            "special_cause": special,
            "rule": rule.astype(str),
            "point_type": point_type,
        },
        index=index,
    )
    if n is not None:
        table.insert(0, "numerator", x)
        table.insert(1, "denominator", n)
    if target is not None:
        table["target"] = float(target)

    last = point_type[-1]
    variation = "common cause" if last == "common cause" else f"special cause {last}"
    variation_icon = (
        "common_cause"
        if last == "common cause"
        else f"{last}_{'high' if high[-1] else 'low'}"  # as NHSRplotthedots' icon files
    )
    caveats: list[str] = []
    assured = assurance(target, float(lower[-1]), float(upper[-1]), improvement)
    trial = k < MIN_POINTS_FOR_LIMITS
    if k == 1:
        caveats.append(
            "Only one point: there is nothing to compare it with, so no limits or signals."
        )
    elif trial:
        caveats.append(
            f"Only {k} points: these are trial limits that will move as data arrive; Making Data "
            f"Count asks for at least {MIN_POINTS_FOR_LIMITS} (better 20) before relying on them."
        )
    if k > 1 and np.all(y == y[0]):
        caveats.append(
            "Every value is the same: the limits collapse onto the centre line, so the chart "
            "cannot tell signal from noise."
        )
    if screened:
        caveats.append(
            f"{plural(screened, 'unusually large jump')} between points (moving range above "
            f"3.267 times the average) {agree(screened, 'was', 'were')} left out when setting "
            "the limits."
        )
    if fix_after is not None and base < k:
        caveats.append(
            f"Limits were fixed on the first {base} points; later points are judged against them."
        )
    if kind in ("p", "u") and (n * centre < 5).any():
        caveats.append(
            "Some periods have very small denominators, so their limits are wide and rough."
        )
    if trend.any():
        caveats.append(
            f"A run of {trend_run} rising or falling points is a signal, but check that it is not "
            "a change in recording or definitions."
        )
    method = {
        "xmr": "XmR chart (mean moving range x 2.66)",
        "p": "p chart (binomial limits)",
        "c": "c chart (Poisson limits)",
        "u": "u chart (Poisson limits per unit of exposure)",
    }[kind]
    return SPCResult(
        table=table,
        variation=variation,
        assurance=assured,
        trial_limits=trial,
        caveats=tuple(caveats),
        kind=kind,
        improvement=improvement,
        target=None if target is None else float(target),
        method=method,
        n=k,
        variation_icon=variation_icon,
        rules=rules,
    )

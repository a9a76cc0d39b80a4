"""Frozen result objects for the statistics functions, each able to describe itself in one sentence.

Every result carries the numbers, the ``method`` used, ``n`` where it applies and plain-English
``caveats``, so a notebook can print it to a board member without re-deriving anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "Interval",
    "LikertSummary",
    "SPCResult",
    "TestResult",
    "TrendResult",
    "format_number",
    "format_p",
]


def format_p(p: float) -> str:
    """Format a p-value the way a report should: ``p = 0.0002``, ``p < 0.0001``, ``p = 0.43``."""
    if p is None or math.isnan(p):
        return "p not available"
    if p < 0.0001:
        return "p < 0.0001"
    if p < 0.001:
        return f"p = {p:.4f}"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def format_number(x: float, digits: int = 1) -> str:
    """Format a number for a sentence: integers without decimals, others to ``digits`` places."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "infinity" if x > 0 else "minus infinity"
    if float(x).is_integer() and abs(x) >= 10:
        return f"{int(x):,}"
    return f"{x:,.{digits}f}"


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def _conf(confidence: float) -> str:
    return f"{100 * confidence:g}%"


#: ``TestResult.measure`` of a trend in proportions (``stats.trend_in_proportions``): the
#: estimate is the change in the proportion per step of the score.
TREND_MEASURE = "change in proportion per step"


@dataclass(frozen=True)
class Interval:
    """A point estimate with a confidence interval.

    ``kind`` says how to read the numbers: ``"proportion"`` (0 to 1, shown as a percentage),
    ``"count"`` (events) or ``"rate"`` (events per unit of exposure).
    """

    estimate: float
    lower: float
    upper: float
    method: str
    n: int | None = None
    confidence: float = 0.95
    kind: str = "proportion"
    x: float | None = None
    caveats: tuple[str, ...] = field(default_factory=tuple)

    def describe(self, what: str | None = None, unit: str | None = None) -> str:
        """One sentence, e.g. "Very satisfied: 92.0% (95% CI 85.0% to 95.9%; 92 of 100)."."""
        conf = _conf(self.confidence)
        if self.kind == "proportion":
            est, lo, hi = _pct(self.estimate), _pct(self.lower), _pct(self.upper)
            base = f"; {format_number(self.x, 0)} of {self.n:,}" if self.n is not None else ""
        else:
            est, lo, hi = (format_number(v) for v in (self.estimate, self.lower, self.upper))
            base = ""
        label = f"{what}: " if what else ""
        per = f" {unit}" if unit else ""
        return f"{label}{est}{per} ({conf} CI {lo} to {hi}{base}; {self.method})."


@dataclass(frozen=True)
class TestResult:
    """The result of a comparison: an effect estimate with its interval and a p-value.

    ``measure`` names the estimate (e.g. "rate ratio", "difference in proportions");
    ``observed`` holds the raw figures compared (counts or proportions), in order.
    """

    estimate: float
    lower: float
    upper: float
    p_value: float
    method: str
    measure: str = "estimate"
    n: int | None = None
    confidence: float = 0.95
    observed: tuple[float, ...] = field(default_factory=tuple)
    statistic: float | None = None
    caveats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def significant(self) -> bool:
        """True when the p-value is below 1 - confidence (e.g. 0.05)."""
        return bool(self.p_value < 1 - self.confidence)

    def describe(self, what: str | None = None, unit: str | None = None) -> str:
        """One sentence naming the change, the effect with its interval, and the test."""
        conf = _conf(self.confidence)
        per = f" {unit}" if unit else ""
        effect = (
            f"{self.measure} {format_number(self.estimate)}, {conf} CI "
            f"{format_number(self.lower)} to {format_number(self.upper)}"
        )
        if self.measure.startswith("difference"):
            effect = (
                f"{self.measure} {100 * self.estimate:+.1f} percentage points, {conf} CI "
                f"{100 * self.lower:+.1f} to {100 * self.upper:+.1f}"
            )
        test = f"{_short_test(self.method)} {format_p(self.p_value)}"
        subject = what or "The figure"
        if self.measure == "rate ratio" and len(self.observed) == 2:
            a, b = self.observed
            verb = "fell" if b < a else "rose" if b > a else "stayed"
            change = (
                f"{subject} {verb} from {format_number(a, 0)} to {format_number(b, 0)}{per}"
                if verb != "stayed"
                else f"{subject} stayed at {format_number(a, 0)}{per}"
            )
            return f"{change} ({effect}; {test})."
        if self.measure.startswith("difference") and len(self.observed) == 2:
            a, b = self.observed
            return f"{subject} was {_pct(a)} against {_pct(b)}{per} ({effect}; {test})."
        if self.measure == "proportion" and len(self.observed) == 2:
            est, bench = self.observed
            return (
                f"{subject} was {_pct(est)}{per} against a benchmark of {_pct(bench)} "
                f"({conf} CI {_pct(self.lower)} to {_pct(self.upper)}; {test})."
            )
        if self.measure == TREND_MEASURE:
            return self._describe_trend(subject, unit or "per step", conf, test)
        return f"{subject}{per}: {effect} ({test})."

    def _describe_trend(self, subject: str, step: str, conf: str, test: str) -> str:
        """A trend in proportions in percentage points, e.g. "... rose by 8.2 percentage points a
        year (95% CI +3.1 to +13.3 points a year; trend test p = 0.0010)."."""
        if self.method.startswith("no test"):
            return f"{subject} showed no change ({self.method})."
        points = 100 * self.estimate
        word = "rose" if points > 0 else "fell" if points < 0 else "changed"
        change = f"{word} by {abs(points):.1f} percentage points {step}"
        return (
            f"{subject} {change} ({conf} CI {100 * self.lower:+.1f} to {100 * self.upper:+.1f} "
            f"points {step}; {test})."
        )


def _short_test(method: str) -> str:
    m = method.lower()
    if "exact" in m or "fisher" in m:
        return "exact test"
    if "cochran" in m:
        return "trend test"
    return "test"


@dataclass(frozen=True)
class TrendResult:
    """A Poisson-family regression of counts over time, optionally segmented at a breakpoint.

    Rate ratios are per period (e.g. 0.95 = 5% fewer each period). ``level_change`` and
    ``slope_change`` are ``(estimate, lower, upper, p)`` tuples, present only with a breakpoint.

    ``estimable`` is False when the counts are *separated* (every event in the first or last
    period, or none on one side of a breakpoint): the regression's estimate then runs off to
    zero or infinity and no rate ratio can be estimated (``stats.trends.count_trend``). For a
    plain trend the result then holds the exact conditional answer instead (a median-unbiased
    rate ratio, a one-sided interval with 0 or infinity as its open end, and the exact test of
    no trend); a segmented model holds NaN and no level or slope change. ``caveats`` say why.
    """

    rate_ratio: float
    lower: float
    upper: float
    p_value: float
    method: str
    n: int
    dispersion: float
    confidence: float = 0.95
    level_change: tuple[float, float, float, float] | None = None
    slope_change: tuple[float, float, float, float] | None = None
    fitted: tuple[float, ...] = field(default_factory=tuple)
    caveats: tuple[str, ...] = field(default_factory=tuple)
    estimable: bool = True

    def describe(self, what: str | None = None, unit: str | None = None) -> str:
        """One sentence on the per-period change (and level/slope change with a breakpoint)."""
        conf = _conf(self.confidence)
        subject = what or "The count"
        period = unit or "period"
        if not self.estimable:
            if math.isnan(self.p_value):
                return (
                    f"{subject}: no level or slope change can be estimated, because the counts "
                    "on one side of the change leave the model without a finite estimate "
                    f"({self.method})."
                )
            bound = (
                f"at most {self.upper:.2f}"
                if math.isinf(self.lower) or self.lower == 0
                else f"at least {self.lower:.2f}"
            )
            return (
                f"{subject}: no rate of change can be estimated, because every event fell in "
                f"the {'first' if self.rate_ratio < 1 else 'last'} {period}; an exact test of no "
                f"trend gives {format_p(self.p_value)} (median-unbiased rate ratio "
                f"{self.rate_ratio:.2f} a {period}, {conf} CI {bound}; {self.method})."
            )
        change = 100 * (self.rate_ratio - 1)
        direction = "fell" if change < 0 else "rose"
        label = "before the change" if self.level_change is not None else ""
        text = (
            f"{subject} {direction} by {abs(change):.1f}% a {period}{' ' + label if label else ''} "
            f"(rate ratio {self.rate_ratio:.2f}, {conf} CI {self.lower:.2f} to {self.upper:.2f}; "
            f"{format_p(self.p_value)}; {self.method})"
        )
        if self.level_change is not None and self.slope_change is not None:
            lv, llo, lhi, lp = self.level_change
            sv, slo, shi, sp = self.slope_change
            text += (
                f"; at the change the level moved by a factor of {lv:.2f} ({llo:.2f} to {lhi:.2f}; "
                f"{format_p(lp)}) and the trend by a factor of {sv:.2f} a {period} "
                f"({slo:.2f} to {shi:.2f}; {format_p(sp)})"
            )
        return text + "."


@dataclass(frozen=True, eq=False)
class SPCResult:
    """A statistical process control chart as NHS England's "Making Data Count" reads it.

    ``table`` has one row per point (``value, centre, lower, upper, special_cause, point_type``
    plus the near limits and the rule that flagged the point); ``variation`` and ``assurance``
    are the meanings of the two icons; ``variation_icon`` names the icon as NHSRplotthedots' icon
    files do (``common_cause``, ``improvement_high``, ``concern_low``, ``neutral_high`` ...);
    ``rules`` is the key of the rule set followed (``sscb_analysis.stats.spc.RULES``).
    """

    table: pd.DataFrame
    variation: str
    assurance: str
    trial_limits: bool
    caveats: tuple[str, ...] = field(default_factory=tuple)
    kind: str = "xmr"
    improvement: str = "decrease"
    target: float | None = None
    method: str = ""
    n: int = 0
    variation_icon: str = ""
    rules: str = ""

    def describe(self, what: str | None = None, unit: str | None = None) -> str:
        """One sentence on the variation and assurance the chart shows."""
        subject = what or "The measure"
        text = f"{subject} shows {self.variation} variation"
        if self.variation == "common cause":
            text = f"{subject} shows only common cause variation (no signal of change)"
        if self.assurance != "no target":
            text += (
                f" and is {self.assurance} the target"
                if self.assurance != "hit and miss"
                else (" and will hit and miss the target by chance")
            )
        trial = " (trial limits: fewer than 12 points)" if self.trial_limits else ""
        return f"{text} over {self.n} points{trial}."


@dataclass(frozen=True)
class LikertSummary:
    """The top-box share of a survey question, or the reason it is suppressed."""

    top_box: int
    base: int
    share: float
    lower: float
    upper: float
    suppressed: bool
    method: str
    top: tuple[str, ...]
    reason: str = ""
    confidence: float = 0.95
    counts: tuple[tuple[str, int], ...] = field(default_factory=tuple)
    caveats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n(self) -> int:
        """The base (number of answers)."""
        return self.base

    def describe(self, what: str | None = None, unit: str | None = None) -> str:
        """One sentence: the share with its interval, or why it is not shown."""
        answer = " or ".join(dict.fromkeys(t.split()[0] for t in self.top)) if self.top else ""
        answer = f"{answer} {self.top[0].split()[-1]}" if self.top else "in the top box"
        subject = what or "respondents"
        if self.suppressed:
            return f"The share of {subject} who were {answer} is not shown: {self.reason}."
        return (
            f"{_pct(self.share, 0)} of {self.base:,} {subject} were {answer} "
            f"({_conf(self.confidence)} CI {_pct(self.lower, 0)} to {_pct(self.upper, 0)})."
        )

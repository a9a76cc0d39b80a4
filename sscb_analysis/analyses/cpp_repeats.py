"""Second or subsequent child protection plans per quarter: the board report's headline analysis.

A *second or subsequent plan* is a plan that starts for a child who has had a child protection plan
before (DfE children in need census). This module builds the quarterly series from a cleaned CPP
extract, with intervals, the exact comparison of two chosen quarters, a Poisson trend, an
interrupted time series around a practice review and an SPC chart, and turns them into disclosed
tables and plain-English sentences.

Disclosure: counts from 1 to the suppression threshold are shown as ``c``; a share, an interval or
a ratio that would let a reader work such a count back is not shown either. The quarterly table
publishes no margins that a suppressed count could be recovered from (the number of first plans,
the complement of a suppressed count, is not shown), so primary suppression per cell is enough.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sscb_analysis import plots
from sscb_analysis.analyses.common import check_cpp, count_words, pct, pct_range
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.disclose import safe_count
from sscb_analysis.indicators import quarterly_plan_starts
from sscb_analysis.indicators.periods import quarter_label
from sscb_analysis.stats import (
    SPCResult,
    TestResult,
    TrendResult,
    compare_counts,
    compare_proportions,
    count_ci,
    count_trend,
    format_p,
    spc,
    wilson_ci,
)

REPORT = "01_cpp_repeat_plans"
MIN_QUARTERS_EACH_SIDE = 3

#: One-line explanations for board readers, used the first time each idea appears.
PLAIN_TERMS = {
    "second_or_subsequent": (
        "A second or subsequent plan is a child protection plan for a child who has had one "
        "before; many of them can mean earlier plans ended before the child was safe."
    ),
    "confidence_interval": (
        "A confidence interval (the likely range) shows how far the true figure could be from "
        "the one counted, given that small numbers move by chance."
    ),
    "p_value": (
        "A p-value is the chance of seeing a difference at least this large if nothing had "
        "really changed; below 0.05 we call the change statistically significant."
    ),
    "spc_chart": (
        "An SPC (statistical process control) chart plots each quarter against limits showing "
        "how much it would vary by chance; points outside the limits or long runs on one side "
        "are signals of real change (special cause variation)."
    ),
}

CHOSEN_PERIODS = (
    "These two quarters were picked out (the board's 2012/13 report compared them), not sampled "
    "at random: comparing a high quarter with a later low one overstates how sure we can be, so "
    "the trend and the SPC chart, which use every quarter, matter more."
)


def _check_cpp(cpp: pd.DataFrame) -> None:
    check_cpp(cpp, ("plan_start_date", "second_or_subsequent"))


def last_full_quarter(cpp: pd.DataFrame) -> pd.Period:
    """The last calendar quarter the extract covers completely.

    The extract's end is taken as its latest recorded date (plan start, end or conference): a
    quarter counts as complete when that date is on or after the quarter's last day.
    """
    _check_cpp(cpp)
    cols = [c for c in ("plan_start_date", "plan_end_date", "initial_conference_date") if c in cpp]
    latest = max(pd.to_datetime(cpp[c]).max() for c in cols)
    if pd.isna(latest):
        raise ValueError("The CPP extract has no dates, so it covers no quarter.")
    quarter = pd.Period(latest, freq="Q")
    if latest.normalize() < quarter.end_time.normalize():
        quarter -= 1
    return quarter


@dataclass(frozen=True)
class QuarterlySeries:
    """Second or subsequent plans per quarter.

    ``counts``: the raw numbers with intervals (for analysis only; never shown as they are).
    ``table``: the same, disclosed and formatted for the board.
    """

    counts: pd.DataFrame
    table: pd.DataFrame
    first: str
    last: str
    confidence: float
    threshold: int

    @property
    def n_quarters(self) -> int:
        """Number of quarters in the series."""
        return len(self.counts)


def quarterly_series(
    cpp: pd.DataFrame,
    series_start: str | pd.Timestamp = "2010-04-01",
    series_end: str | pd.Timestamp | None = None,
    confidence: float = 0.95,
    threshold: int = 5,
) -> QuarterlySeries:
    """Quarterly plans started and second or subsequent plans, with intervals, from the quarter
    holding ``series_start`` to the one holding ``series_end`` (default: the last full quarter,
    or the last quarter in which a plan started if that is earlier).

    Counts get an exact/Byar Poisson interval (``count_ci``), shares a Wilson interval.
    """
    _check_cpp(cpp)
    first = pd.Period(pd.Timestamp(series_start), freq="Q")
    if series_end in (None, ""):
        # The last full quarter, but not past the last quarter in which any plan started: a
        # trailing run of empty quarters means the extract stops there, not that no plan began.
        latest_start = pd.to_datetime(cpp["plan_start_date"]).max()
        last = last_full_quarter(cpp)
        if pd.notna(latest_start):
            last = min(last, pd.Period(latest_start, freq="Q"))
    else:
        last = pd.Period(pd.Timestamp(series_end), freq="Q")
    if last < first:
        raise ValueError(
            f"The series would end ({last}) before it starts ({first}): the extract has no full "
            "quarter after series_start."
        )
    counts = quarterly_plan_starts(cpp, first.start_time, last.start_time)
    lo, hi, slo, shi = [], [], [], []
    for x, n in zip(counts["second_or_subsequent"], counts["plans_started"], strict=True):
        ci = count_ci(int(x), confidence)
        lo.append(ci.lower)
        hi.append(ci.upper)
        if n > 0:
            w = wilson_ci(int(x), int(n), confidence)
            slo.append(w.lower)
            shi.append(w.upper)
        else:
            slo.append(math.nan)
            shi.append(math.nan)
    counts = counts.assign(count_lower=lo, count_upper=hi, share_lower=slo, share_upper=shi)
    table = _disclosed_table(counts, confidence, threshold)
    return QuarterlySeries(counts, table, str(first), str(last), confidence, threshold)


def _disclosed_table(counts: pd.DataFrame, confidence: float, threshold: int) -> pd.DataFrame:
    """The board's table: a count from 1 to ``threshold`` is ``c`` and so is everything from
    which it could be worked back (its share and both intervals)."""
    conf = f"{100 * confidence:g}%"
    rows = []
    for r in counts.itertuples(index=False):
        x, n = int(r.second_or_subsequent), int(r.plans_started)
        hidden = 1 <= x <= threshold
        hidden_n = 1 <= n <= threshold
        if hidden or hidden_n or n == 0:
            share = share_range = "c" if (hidden or hidden_n) else "-"
        else:
            share = pct(r.share)
            share_range = pct_range(r.share_lower, r.share_upper)
        count_range = "c" if hidden else f"{r.count_lower:.0f} to {r.count_upper:.0f}"
        rows.append(
            {
                "Quarter": r.label,
                "Plans started": safe_count(n, threshold),
                "Second or subsequent plans": safe_count(x, threshold),
                f"Likely range of the count ({conf})": count_range,
                "Share of plans started": share,
                f"Likely range of the share ({conf})": share_range,
            }
        )
    return pd.DataFrame(rows).set_index("Quarter")


def _quarter(value: str | pd.Period, name: str) -> pd.Period:
    try:
        return pd.Period(str(value).replace(" ", ""), freq="Q")
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a quarter written like 2012Q1, not {value!r}") from None


def _dedupe(items: list[str]) -> tuple[str, ...]:
    """Caveats once each, in order, with function names replaced by plain words."""
    return tuple(
        dict.fromkeys(i.replace(" (or count_trend)", " (or a fitted trend)") for i in items)
    )


@dataclass(frozen=True)
class QuarterComparison:
    """Two quarters compared: counts (exact Poisson), rates per plan started, and shares.

    ``first_count`` and ``last_count`` are disclosed strings; ``board_sentence`` never gives a
    figure from which a suppressed count could be worked back; ``analyst_sentence`` gives the
    test details (p-values) for the analyst report.
    """

    first: str
    last: str
    first_label: str
    last_label: str
    first_count: str
    last_count: str
    count_test: TestResult
    rate_test: TestResult | None
    share_test: TestResult | None
    suppressed: bool
    board_sentence: str
    analyst_sentence: str
    caveats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def p_value(self) -> float:
        """p-value of the exact test of the two counts."""
        return self.count_test.p_value

    @property
    def significant(self) -> bool:
        """Whether the counts differ at the chosen confidence level."""
        return self.count_test.significant

    def figures(self) -> dict[str, Any]:
        """The headline figures to record for dashboards, safe to leave the analyst's machine.

        With one count known, any exact p-value gives the other back, so p-values are left out
        (``None``) when a count is suppressed; whether the change is significant is kept.
        """

        def p(test: TestResult | None) -> float | None:
            return None if self.suppressed or test is None else test.p_value

        return {
            "repeat_first_quarter": self.first_count,
            "repeat_last_quarter": self.last_count,
            "repeat_compare_first": self.first,
            "repeat_compare_last": self.last,
            "repeat_comparison_p_value": p(self.count_test),
            "repeat_rate_comparison_p_value": p(self.rate_test),
            "repeat_share_comparison_p_value": p(self.share_test),
            "repeat_comparison_significant": self.significant,
            "repeat_comparison_suppressed": self.suppressed,
        }


def compare_quarters(
    series: QuarterlySeries, first: str = "2012Q1", last: str = "2012Q4"
) -> QuarterComparison:
    """Compare second or subsequent plans in quarter ``first`` with quarter ``last``.

    Counts by the exact conditional Poisson test; the same with plans started as exposure (a rate
    per plan, which allows for busier quarters); shares by a two-proportion test.
    """
    q1, q2 = _quarter(first, "compare_first"), _quarter(last, "compare_last")
    if q2 <= q1:
        raise ValueError(f"compare_last ({q2}) must be a later quarter than compare_first ({q1}).")
    counts = series.counts.set_index("quarter")
    absent = [str(q) for q in (q1, q2) if str(q) not in counts.index]
    if absent:
        raise ValueError(
            f"Quarter(s) {', '.join(absent)} are outside the series ({series.first} to "
            f"{series.last}); choose compare_first and compare_last within it."
        )
    a, b = counts.loc[str(q1)], counts.loc[str(q2)]
    x1, n1 = int(a["second_or_subsequent"]), int(a["plans_started"])
    x2, n2 = int(b["second_or_subsequent"]), int(b["plans_started"])
    conf = series.confidence
    t = series.threshold
    count_test = compare_counts(x1, x2, confidence=conf)
    rate_test = compare_counts(x1, x2, n1, n2, confidence=conf) if n1 and n2 else None
    share_test = compare_proportions(x1, n1, x2, n2, conf) if n1 and n2 else None
    d1, d2 = safe_count(x1, t), safe_count(x2, t)
    suppressed = "c" in (d1, d2)
    l1, l2 = quarter_label(q1), quarter_label(q2)
    verb = "fell" if x2 < x1 else "rose" if x2 > x1 else "stayed the same"
    if x1 == x2:
        change = f"Second or subsequent plans were {count_words(x1, t)} in both {l1} and {l2}."
    else:
        change = (
            f"Second or subsequent plans {verb} from {count_words(x1, t)} in {l1} to "
            f"{count_words(x2, t)} in {l2}."
        )
    level = f"{100 * conf:g}%"
    if count_test.significant:
        judged = (
            f" A change this large would be unlikely if nothing had really changed: it is "
            f"statistically significant at the {level} level."
        )
    else:
        judged = (
            f" A change this size could happen by chance alone: it is not statistically "
            f"significant at the {level} level."
        )
    if not suppressed:
        judged += f" ({count_test.describe('Second or subsequent plans')})"
        if share_test is not None:
            judged += (
                f" As a share of plans started: {pct(share_test.observed[0])} against "
                f"{pct(share_test.observed[1])}."
            )
    board = change + judged
    analyst = count_test.describe(f"Second or subsequent plans ({l1} to {l2})")
    analyst += " The rate ratio is the first quarter's figure divided by the last's."
    if rate_test is not None:
        analyst += (
            f" Per plan started: {rate_test.observed[0]:.3f} against {rate_test.observed[1]:.3f} "
            f"(rate ratio {rate_test.estimate:.2f}, {100 * conf:g}% CI {rate_test.lower:.2f} to "
            f"{rate_test.upper:.2f}; {format_p(rate_test.p_value)}, {rate_test.method})."
        )
    if share_test is not None:
        analyst += " " + share_test.describe(
            "The share of plans started that were second or subsequent"
        )
    caveats = [CHOSEN_PERIODS]
    if suppressed:
        caveats.insert(
            0,
            f"A count from 1 to {t} is not shown (to protect the children concerned), so the size "
            "of the change is not given as a ratio or a percentage either: with the other count "
            "it would reveal the hidden one.",
        )
    for test in (count_test, rate_test, share_test):
        if test is not None:
            caveats.extend(test.caveats)
    return QuarterComparison(
        first=str(q1),
        last=str(q2),
        first_label=l1,
        last_label=l2,
        first_count=d1,
        last_count=d2,
        count_test=count_test,
        rate_test=rate_test,
        share_test=share_test,
        suppressed=suppressed,
        board_sentence=board,
        analyst_sentence=analyst,
        caveats=_dedupe(caveats),
    )


@dataclass(frozen=True)
class TrendSummary:
    """A Poisson trend of second or subsequent plans with plans started as exposure."""

    result: TrendResult
    sentence: str

    def figures(self) -> dict[str, Any]:
        """The trend's figures to record for dashboards (see :func:`model_figures`)."""
        return {
            "repeat_trend_rate_ratio_per_quarter": self.result.rate_ratio,
            "repeat_trend": model_figures(self.result),
        }


def model_figures(result: TrendResult) -> dict[str, Any]:
    """A fitted trend as it may leave the analyst's machine: every field but ``fitted``.

    A Poisson model's fitted values add up to the observed counts (and, in the segmented model,
    nearly equal them quarter by quarter), so with the published quarters they would give a
    suppressed quarter back; the rate ratios, intervals and p-values are kept, as on the page.
    """
    out = {f.name: getattr(result, f.name) for f in fields(result) if f.name != "fitted"}
    out["type"] = type(result).__name__
    out["description"] = result.describe()
    return out


def _exposure(series: QuarterlySeries) -> tuple[list[int], list[int]]:
    c = series.counts
    if (c["plans_started"] <= 0).any():
        empty = ", ".join(c.loc[c["plans_started"] <= 0, "label"])
        raise ValueError(
            f"No plan started in {empty}: a rate per plan started cannot be modelled for a "
            "quarter without plans; choose a series_start and series_end around it."
        )
    return c["second_or_subsequent"].astype(int).tolist(), c["plans_started"].astype(int).tolist()


def repeat_trend(series: QuarterlySeries) -> TrendSummary:
    """Trend in second or subsequent plans per plan started, across every quarter of the series."""
    x, n = _exposure(series)
    result = count_trend(x, exposure=n, confidence=series.confidence)
    change = 100 * (result.rate_ratio - 1)
    direction = "fell" if change < 0 else "rose"
    conf = f"{100 * series.confidence:g}%"
    sig = (
        "a steady change unlikely to be chance"
        if result.p_value < 1 - series.confidence
        else "not clearly different from no change"
    )
    sentence = (
        f"Across the {result.n} quarters from {quarter_label(pd.Period(series.first, 'Q'))} to "
        f"{quarter_label(pd.Period(series.last, 'Q'))}, the chance that a new plan was a second "
        f"or subsequent plan {direction} by about {abs(change):.1f}% a quarter on average "
        f"({conf} likely range {100 * (result.lower - 1):+.1f}% to {100 * (result.upper - 1):+.1f}% "
        f"a quarter; {format_p(result.p_value)}): {sig}."
    )
    return TrendSummary(result, sentence)


@dataclass(frozen=True)
class InterruptedSeries:
    """A segmented trend around the practice review, or the plain reason it was not fitted."""

    available: bool
    note: str
    breakpoint_quarter: str
    quarters_before: int
    quarters_after: int
    result: TrendResult | None = None
    sentence: str = ""

    @property
    def level_change(self) -> float | None:
        """Rate ratio of the step at the review (below 1 = a fall), or None."""
        return None if self.result is None else self.result.level_change[0]

    def figures(self) -> dict[str, Any]:
        """The model's figures to record (the note when it was not fitted); no fitted values."""
        return {
            "repeat_its_available": self.available,
            "repeat_its": model_figures(self.result) if self.result is not None else self.note,
            "repeat_its_level_change": self.level_change,
        }


def interrupted_series(
    series: QuarterlySeries, intervention_date: str | pd.Timestamp
) -> InterruptedSeries:
    """Segmented Poisson regression with the break at the quarter holding ``intervention_date``.

    Needs at least three quarters on each side; otherwise returns ``available=False`` with a note
    saying why, so a short series is reported rather than crashing.
    """
    quarter = pd.Period(pd.Timestamp(intervention_date), freq="Q")
    quarters = list(series.counts["quarter"])
    label = quarter_label(quarter)
    before = sum(1 for q in quarters if pd.Period(q, "Q") < quarter)
    after = len(quarters) - before
    if before < MIN_QUARTERS_EACH_SIDE or after < MIN_QUARTERS_EACH_SIDE:
        note = (
            f"The before-and-after model around the review ({label}) was not fitted: it needs at "
            f"least {MIN_QUARTERS_EACH_SIDE} quarters on each side, and the series has {before} "
            f"before and {after} from that quarter on."
        )
        return InterruptedSeries(False, note, str(quarter), before, after)
    x, n = _exposure(series)
    result = count_trend(x, exposure=n, breakpoint=before, confidence=series.confidence)
    lv, llo, lhi, lp = result.level_change
    sv, slo, shi, sp = result.slope_change
    alpha = 1 - series.confidence
    step = "fell" if lv < 1 else "rose"
    step_sig = "statistically significant" if lp < alpha else "not statistically significant"
    slope_words = (
        "the trend after it differed from the trend before"
        if sp < alpha
        else "there is no clear evidence that the quarter-on-quarter trend changed"
    )
    sentence = (
        f"Comparing the {before} quarters before {label} with the {after} from it on: at the "
        f"review the rate of second or subsequent plans per plan started {step} to "
        f"{lv:.2f} times its expected level ({llo:.2f} to {lhi:.2f}; {format_p(lp)}, "
        f"{step_sig}), and {slope_words} (factor {sv:.2f} a quarter, {slo:.2f} to {shi:.2f}; "
        f"{format_p(sp)})."
    )
    note = (
        "An interrupted time series fits one trend before the review and another from the "
        "quarter it happened in, and measures the step between them."
    )
    return InterruptedSeries(True, note, str(quarter), before, after, result, sentence)


@dataclass(frozen=True)
class RepeatSPC:
    """A p chart of the quarterly share of plans that were second or subsequent."""

    result: SPCResult
    labels: tuple[str, ...]
    sentence: str
    signals: tuple[str, ...]
    hidden: tuple[bool, ...] = ()

    @property
    def variation(self) -> str:
        """The variation icon's meaning for the latest quarter."""
        return self.result.variation

    def chart(self, title: str | None = None) -> Figure:
        """The SPC chart in the house style."""
        return plots.spc_chart(
            self.result,
            title=title or "Share of plans started that were second or subsequent",
            x=list(self.labels),
            ylabel="Share of plans started",
            hidden=list(self.hidden) or None,
        )


def _span(picked: list[str], labels: tuple[str, ...]) -> str:
    """'Jan-Mar 2012 to Jan-Mar 2014 (9 of 16)' for a run of quarters, else a list."""
    first, last = labels.index(picked[0]), labels.index(picked[-1])
    if len(picked) > 2 and last - first + 1 == len(picked):
        return f"{picked[0]} to {picked[-1]} ({len(picked)} of {len(labels)} quarters)"
    return ", ".join(picked)


def repeat_spc(series: QuarterlySeries) -> RepeatSPC:
    """SPC p chart of the quarterly share (lower is better)."""
    x, n = _exposure(series)
    labels = tuple(series.counts["label"])
    result = spc(x, kind="p", denominators=n, improvement="decrease")
    table = result.table
    special = [labels[i] for i in range(len(labels)) if bool(table["special_cause"].iloc[i])]
    improving = [
        labels[i] for i in range(len(labels)) if table["point_type"].iloc[i] == "improvement"
    ]
    concern = [labels[i] for i in range(len(labels)) if table["point_type"].iloc[i] == "concern"]
    words = {
        "common cause": "only common cause variation: no signal that anything has changed",
        "special cause improvement": "special cause improvement: a real fall, not chance",
        "special cause concern": "special cause concern: a real rise, not chance",
        "special cause neutral": "special cause variation",
    }
    latest = words.get(result.variation, result.variation)
    parts = [f"In the latest quarter ({labels[-1]}) the chart shows {latest}."]
    if improving:
        parts.append(
            f"Quarters signalling improvement (lower than usual): {_span(improving, labels)}."
        )
    if concern:
        parts.append(f"Quarters signalling concern (higher than usual): {_span(concern, labels)}.")
    if improving and concern:
        parts.append(
            "The centre line is the average of every quarter, so when the level has moved, the "
            "quarters before the move show as one kind of signal and those after as the other."
        )
    if result.trial_limits:
        parts.append("The limits are provisional because there are fewer than 12 quarters.")
    repeats = series.counts["second_or_subsequent"]
    hidden = tuple(bool(1 <= c <= series.threshold) for c in repeats)
    return RepeatSPC(result, labels, " ".join(parts), tuple(special), hidden)


def conclusion(
    series: QuarterlySeries,
    comparison: QuarterComparison | None,
    trend: TrendSummary | None,
    its: InterruptedSeries | None,
    chart: RepeatSPC | None,
) -> str:
    """The closing plain-English paragraph, built from the results."""
    parts: list[str] = []
    if comparison is not None:
        parts.append(comparison.board_sentence.split(" (")[0].rstrip(".") + ".")
    signals = []
    if its is not None and its.available and its.result is not None:
        lv, _, _, lp = its.result.level_change
        if lp < 1 - series.confidence:
            signals.append(
                f"the before-and-after model finds a {'fall' if lv < 1 else 'rise'} at the "
                f"review in {quarter_label(pd.Period(its.breakpoint_quarter, 'Q'))}"
            )
    if chart is not None and chart.variation.startswith("special cause"):
        signals.append(f"the SPC chart shows {chart.variation}")
    if trend is not None and trend.result.p_value < 1 - series.confidence:
        direction = "downward" if trend.result.rate_ratio < 1 else "upward"
        signals.append(f"the trend over all quarters is {direction}")
    if signals:
        lead = (
            "This is more than a comparison of two chosen quarters: "
            if comparison is not None and comparison.significant
            else "Looking at every quarter rather than two: "
        )
        parts.append(lead + "; ".join(signals) + ".")
    elif trend is not None or chart is not None:
        parts.append(
            "Looking at every quarter, there is no clear signal that the share of repeat plans "
            "has changed, so any difference between two quarters may be chance."
        )
    if its is not None and not its.available:
        parts.append(its.note)
    parts.append(
        "Figures show an association in time with the review, not proof that the review caused "
        "the change; thresholds, recording and who is referred can move these figures too."
    )
    return " ".join(parts)


def headlines(
    cpp: pd.DataFrame,
    series_start: str = "2010-04-01",
    series_end: str | None = None,
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
    **_: object,
) -> list[Headline]:
    """The board summary's headline: second or subsequent plans in the latest full quarter, with
    the SPC chart's variation."""
    series = quarterly_series(
        cpp, series_start, series_end, confidence_level, suppression_threshold
    )
    latest = series.counts.iloc[-1]
    x, n = int(latest["second_or_subsequent"]), int(latest["plans_started"])
    t = suppression_threshold
    disclosed = safe_count(x, t)
    conf = f"{100 * confidence_level:g}%"
    caveats: list[str] = []
    if disclosed == "c" or 1 <= n <= t or n == 0:
        value = f"{count_words(x, t)} of {safe_count(n, t)} plans started"
        interval = "not shown (small number)"
        caveats.append(
            f"A count from 1 to {t} is not shown, nor its share or range, to protect the children "
            "concerned."
        )
    else:
        ci = wilson_ci(x, n, confidence_level)
        value = f"{pct(ci.estimate)} ({disclosed} of {safe_count(n, t)} plans started)"
        interval = pct_range(ci.lower, ci.upper)
        caveats.extend(ci.caveats)
    variation = None
    sentence = f"Second or subsequent plans in {latest['label']}: {value}."
    try:
        chart = repeat_spc(series)
        variation = chart.variation
        sentence += " " + chart.sentence.split(". ")[0].rstrip(".") + "."
        caveats.extend(chart.result.caveats)
    except ValueError as exc:
        caveats.append(f"No SPC chart: {exc}")
    return [
        Headline(
            key="cpp_repeat_plans_latest_quarter",
            label=f"Second or subsequent child protection plans, {latest['label']}",
            value=value,
            interval=interval,
            sentence=sentence,
            report=REPORT,
            variation=variation,
            assurance=None,
            caveats=_dedupe([*caveats, f"Likely range at {conf} confidence."]),
        )
    ]

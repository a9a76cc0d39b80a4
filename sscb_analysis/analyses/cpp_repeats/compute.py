"""Repeat plans page, step 1 of 3: compute. Numbers and statistics results only, no words.

A *second or subsequent plan* is a plan that starts for a child who has had a child protection
plan before (DfE children in need census). The quarterly series runs to the last quarter of the
period under review (never past it, whatever the extract holds) and starts three reporting years
earlier, or at the first quarter in which the extract holds a plan starting, whichever is later.

Every count is a :class:`~sscb_analysis.disclose.Count`; every share, interval, test or chart
point that would give a count back :class:`~sscb_analysis.disclose.Rests` on it. Accepted and
documented (docs/decisions.md): the trend models' rate ratios and the SPC chart's signals use
every quarter, including withheld ones; whether the two-quarter comparison is significant is
published even when a count is withheld (the p-value is not).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sscb_analysis.analyses.common import Period, check_cpp, national_figures, period_of
from sscb_analysis.benchmarks import NationalFigures
from sscb_analysis.disclose import Count, Relation, Rests
from sscb_analysis.indicators import quarterly_plan_starts
from sscb_analysis.indicators.periods import quarter_label
from sscb_analysis.stats import (
    Interval,
    SPCResult,
    TestResult,
    TrendResult,
    compare_counts,
    compare_proportions,
    count_ci,
    count_trend,
    spc,
    wilson_ci,
)

__all__ = [
    "MIN_QUARTERS_EACH_SIDE",
    "Comparison",
    "Model",
    "Quarter",
    "RepeatFacts",
    "Review",
    "SPCFacts",
    "Span",
    "compute",
]

MIN_QUARTERS_EACH_SIDE = 3
_WORDS = {2: "two", 3: "three", 4: "four"}
#: Reporting years of quarters before the period's end that the series covers at most.
SERIES_YEARS = 3


@dataclass(frozen=True)
class Quarter:
    """One quarter: plans started, second or subsequent plans, and their intervals."""

    quarter: str
    label: str
    started: Count
    repeats: Count
    count_range: Rests[Interval]
    share: Rests[Interval] | None


@dataclass(frozen=True)
class Span:
    """Plans started and second or subsequent plans over a span of quarters (a year)."""

    label: str
    started: Count
    repeats: Count
    share: Rests[Interval] | None


@dataclass(frozen=True)
class Comparison:
    """Two quarters compared (the board's claim's quarters, or the first and last of the
    period under review): counts by the exact Poisson test, rates per plan, shares."""

    first: Quarter
    last: Quarter
    count_test: Rests[TestResult]
    rate_test: Rests[TestResult] | None
    share_test: Rests[TestResult] | None
    significant: bool
    claim_text: str | None
    claim_source: str | None
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class Model:
    """A fitted trend, or why it was not fitted. A trend that cannot be estimated (separated
    counts) keeps its exact figures, resting on every count of the series, and ``reason``."""

    result: TrendResult | Rests[TrendResult] | None
    reason: str = ""


@dataclass(frozen=True)
class Review:
    """The local event the profile names (``events.cpp_practice_review``) and the segmented
    model around it."""

    label: str
    source: str | None
    date: pd.Timestamp
    quarter: str
    before: int
    after: int
    model: Model


@dataclass(frozen=True)
class SPCFacts:
    """The p chart of the quarterly share: its limits and signals (``result``, whose ``value``
    column is left empty), each point's value, which rests on its counts, and the last point's
    process limits as percentages (for the scorecard's assurance against a target), which rest
    on every count of the chart."""

    result: SPCResult | None
    points: tuple[Rests[float], ...]
    reason: str = ""
    limits: Rests[tuple[float, float]] | None = None


@dataclass(frozen=True)
class RepeatFacts:
    """Everything the repeat plans page shows, before disclosure."""

    period: Period
    quarters: tuple[Quarter, ...]
    in_period: Span
    year_before: Span | None
    national: NationalFigures | None
    comparison: Comparison | None
    comparison_note: str
    trend: Model
    review: Review | None
    spc: SPCFacts
    confidence: float
    relations: tuple[Relation, ...]


def _key(*parts: Hashable) -> tuple[Hashable, ...]:
    return ("cpp repeats", *parts)


def _series_quarters(
    cpp: pd.DataFrame, period: Period, series_start: object
) -> tuple[pd.Period, pd.Period]:
    last = period.last_quarter
    if series_start not in (None, ""):
        first = pd.Period(pd.Timestamp(str(series_start)), freq="Q")
    else:
        first = last - (4 * SERIES_YEARS - 1)
        starts = pd.to_datetime(cpp["plan_start_date"])
        earliest = starts.min()
        if pd.notna(earliest):
            first = max(first, pd.Period(earliest, freq="Q"))
    if last < first:
        raise ValueError(
            f"The series would end ({last}) before it starts ({first}): the extract has no plan "
            "starting before the end of the period under review."
        )
    return first, last


def _quarters(counts: pd.DataFrame, conf: float) -> tuple[Quarter, ...]:
    out = []
    for r in counts.itertuples(index=False):
        x, n = int(r.second_or_subsequent), int(r.plans_started)
        started, repeats = (
            Count(_key("started", r.quarter), n),
            Count(_key("repeats", r.quarter), x),
        )
        on = (repeats.key, started.key)
        out.append(
            Quarter(
                quarter=str(r.quarter),
                label=str(r.label),
                started=started,
                repeats=repeats,
                count_range=Rests(count_ci(x, conf), (repeats.key,)),
                share=Rests(wilson_ci(x, n, conf), on) if n else None,
            )
        )
    return tuple(out)


def _span(
    quarters: tuple[Quarter, ...],
    first: pd.Period,
    last: pd.Period,
    label: str,
    name: str,
    conf: float,
) -> tuple[Span, list[Relation]] | None:
    inside = [q for q in quarters if first <= pd.Period(q.quarter, "Q") <= last]
    if len(inside) != (last - first).n + 1:
        return None
    n = sum(q.started.value for q in inside)
    x = sum(q.repeats.value for q in inside)
    started, repeats = Count(_key("started", name), n), Count(_key("repeats", name), x)
    share = Rests(wilson_ci(x, n, conf), (repeats.key, started.key)) if n else None
    relations = [
        Relation.sum(started.key, [q.started.key for q in inside]),
        Relation.sum(repeats.key, [q.repeats.key for q in inside]),
        Relation.part_of(repeats.key, started.key),
    ]
    return Span(label, started, repeats, share), relations


def _comparison(
    quarters: tuple[Quarter, ...], claim: Any, period: Period, conf: float
) -> tuple[Comparison | None, str]:
    by_quarter = {q.quarter: q for q in quarters}
    if claim is not None:
        chosen = sorted(str(k).upper() for k in dict(claim.value))
        first, last = chosen[0], chosen[-1]
        why = "the quarters the board's report compared"
    else:
        first, last = str(period.first_quarter), str(period.last_quarter)
        why = "the first and last quarters of the period under review"
    absent = [q for q in (first, last) if q not in by_quarter]
    if absent or first == last:
        where = f"{quarters[0].label} to {quarters[-1].label}" if quarters else "no quarters"
        return None, (
            f"The two quarters compared ({why}: {', '.join(dict.fromkeys((first, last)))}) are "
            f"not both in the series ({where}), so they are not compared."
        )
    a, b = by_quarter[first], by_quarter[last]
    x1, n1, x2, n2 = a.repeats.value, a.started.value, b.repeats.value, b.started.value
    count_test = compare_counts(x1, x2, confidence=conf)
    rate = compare_counts(x1, x2, n1, n2, confidence=conf) if n1 and n2 else None
    share = compare_proportions(x1, n1, x2, n2, conf) if n1 and n2 else None
    counts_on = (a.repeats.key, b.repeats.key)
    all_on = (*counts_on, a.started.key, b.started.key)
    caveats = [
        "These two quarters were picked out, not sampled at random: comparing a high quarter "
        "with a later low one overstates how sure we can be, so the trend and the SPC chart, "
        "which use every quarter, matter more."
    ]
    for test in (count_test, rate, share):
        if test is not None:
            caveats.extend(test.caveats)
    return (
        Comparison(
            first=a,
            last=b,
            count_test=Rests(count_test, counts_on),
            rate_test=Rests(rate, all_on) if rate else None,
            share_test=Rests(share, all_on) if share else None,
            significant=count_test.significant,
            claim_text=getattr(claim, "text", None) if claim is not None else None,
            claim_source=getattr(claim, "source", None) if claim is not None else None,
            caveats=tuple(dict.fromkeys(c.replace(" (or count_trend)", "") for c in caveats)),
        ),
        why,
    )


def _without_plans(quarters: tuple[Quarter, ...]) -> list[str]:
    return [q.label for q in quarters if q.started.value == 0]


def _trend(quarters: tuple[Quarter, ...], conf: float, breakpoint: int | None = None) -> Model:
    empty = _without_plans(quarters)
    if empty:
        return Model(
            None,
            f"no plan started in {', '.join(empty)}, so a rate per plan started cannot be "
            "modelled over those quarters",
        )
    x = [q.repeats.value for q in quarters]
    n = [q.started.value for q in quarters]
    if len(quarters) < 3:
        return Model(None, "a trend needs at least three quarters")
    if not any(x):
        return Model(None, "the series holds no second or subsequent plan")
    result = count_trend(x, exposure=n, breakpoint=breakpoint, confidence=conf)
    if not result.estimable:
        # Separated counts: the exact figures are a closed form of the total (all of it in one
        # quarter), so they are shown only when every count of the series is.
        on = tuple(k for q in quarters for k in (q.repeats.key, q.started.key))
        if breakpoint is not None:
            reason = (
                "the quarters on one side of it leave the model without a finite estimate "
                "(for example, no second or subsequent plan at all before or after it)"
            )
        else:
            where = "first" if x[0] == sum(x) else "last"
            reason = (
                f"every second or subsequent plan in the series started in its {where} quarter, "
                "so no rate of change can be estimated"
            )
        return Model(Rests(result, on), reason)
    # Fitted values add up to the observed counts: they never leave the compute step.
    return Model(dataclasses.replace(result, fitted=()))


def _review(quarters: tuple[Quarter, ...], event: Any, conf: float) -> Review | None:
    if event is None:
        return None
    date = pd.Timestamp(event.date).normalize()
    quarter = pd.Period(date, freq="Q")
    before = sum(1 for q in quarters if pd.Period(q.quarter, "Q") < quarter)
    after = len(quarters) - before
    label = quarter_label(quarter)
    if before < MIN_QUARTERS_EACH_SIDE or after < MIN_QUARTERS_EACH_SIDE:
        model = Model(
            None,
            f"it needs at least {_WORDS[MIN_QUARTERS_EACH_SIDE]} quarters on each side of {label}, and "
            f"the series has {before} before and {after} from that quarter on",
        )
    else:
        model = _trend(quarters, conf, breakpoint=before)
    return Review(
        label=str(getattr(event, "label", "") or f"the review of {date:%B %Y}"),
        source=getattr(event, "source", None),
        date=date,
        quarter=str(quarter),
        before=before,
        after=after,
        model=model,
    )


def _spc(quarters: tuple[Quarter, ...]) -> SPCFacts:
    empty = _without_plans(quarters)
    if empty:
        return SPCFacts(None, (), f"no plan started in {', '.join(empty)}")
    x = [q.repeats.value for q in quarters]
    n = [q.started.value for q in quarters]
    if len(quarters) < 2:
        return SPCFacts(None, (), "a chart needs at least two quarters")
    try:
        result = spc(x, kind="p", denominators=n, improvement="decrease")
    except (ValueError, ArithmeticError):
        return SPCFacts(None, (), "the chart could not be drawn for these quarters")
    table = result.table.copy()
    points = tuple(
        Rests(float(v), (q.repeats.key, q.started.key))
        for v, q in zip(table["value"], quarters, strict=True)
    )
    table["value"] = np.nan  # each point's value travels in ``points``, resting on its counts
    last = table.iloc[-1]
    every = tuple(k for q in quarters for k in (q.repeats.key, q.started.key))
    limits = Rests((100 * float(last["lower"]), 100 * float(last["upper"])), every)
    return SPCFacts(dataclasses.replace(result, table=table), points, limits=limits)


def compute(
    cpp: pd.DataFrame,
    period_start: object,
    period_end: object,
    *,
    period_label: str | None = None,
    series_start: object = None,
    review_event: Any = None,
    quarters_claim: Any = None,
    confidence_level: float = 0.95,
    la_code: object = None,
    dfe_dir: object = None,
) -> RepeatFacts:
    """Everything the repeat plans page shows, from a cleaned CPP extract.

    ``review_event`` is the profile's ``events.cpp_practice_review`` (date, label, source): the
    before-and-after model is fitted around it, or left out without it. ``quarters_claim`` is
    ``claims.cpp_repeat_quarters`` (the quarters the board's report compared, with its text);
    without it the first and last quarters of the period under review are compared. With the
    profile's ``la_code``, England's and the statistical neighbours' published share for the
    period (when it is a reporting year) come from the DfE tables in ``dfe_dir``.
    """
    check_cpp(cpp, ("plan_start_date", "second_or_subsequent"))
    period = period_of(period_start, period_end, period_label)
    first, last = _series_quarters(cpp, period, series_start)
    counts = quarterly_plan_starts(cpp, first.start_time, last.start_time)
    conf = confidence_level
    quarters = _quarters(counts, conf)
    relations: list[Relation] = [Relation.part_of(q.repeats.key, q.started.key) for q in quarters]
    current = _span(
        quarters, period.first_quarter, period.last_quarter, period.label, "period", conf
    )
    if current is None:  # the period is not whole quarters of the series: count it directly
        dates = pd.to_datetime(cpp["plan_start_date"])
        inside = dates.between(period.start, period.end)
        n = int(inside.sum())
        x = int(cpp.loc[inside, "second_or_subsequent"].fillna(False).astype(bool).sum())
        started, repeats = Count(_key("started", "period"), n), Count(_key("repeats", "period"), x)
        share = Rests(wilson_ci(x, n, conf), (repeats.key, started.key)) if n else None
        current = (
            Span(period.label, started, repeats, share),
            [Relation.part_of(repeats.key, started.key)],
        )
    in_period, rels = current
    relations += rels
    before = _span(
        quarters,
        period.first_quarter - 4,
        period.last_quarter - 4,
        "the same quarters a year before",
        "year before",
        conf,
    )
    year_before = None
    if before is not None:
        year_before, rels = before
        relations += rels
    comparison, note = _comparison(quarters, quarters_claim, period, conf)
    return RepeatFacts(
        period=period,
        quarters=quarters,
        in_period=in_period,
        year_before=year_before,
        national=national_figures(
            la_code, "cpp_second_or_subsequent_pct", period.reporting_year, dfe_dir
        ),
        comparison=comparison,
        comparison_note=note,
        trend=_trend(quarters, conf),
        review=_review(quarters, review_event, conf),
        spc=_spc(quarters),
        confidence=conf,
        relations=tuple(relations),
    )

"""MARAC page, step 1 of 3: compute. Numbers and statistics results only, no words.

Every count is a :class:`~sscb_analysis.disclose.Count` under a key that names the same number
wherever it appears (the referrals of a year are one count in the volume table, the repeat
table, the risk table and the attendance table), every part of a whole says so
(:class:`~sscb_analysis.disclose.Relation`), and every share, interval or test says which counts
it rests on (:class:`~sscb_analysis.disclose.Rests`). The one disclosure pass
(:func:`sscb_analysis.disclose.disclose_page`) then withholds together whatever must be.

Definitions: repeats follow SafeLives (a further referral of the same victim within 12 months of
the previous one); high risk is 14 or more ticks on the DASH checklist, a share of the referrals
assessed with DASH only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sscb_analysis.analyses.common import Period, check_cleaned, period_of
from sscb_analysis.disclose import TOTAL, Count, CountTable, Relation, Rests
from sscb_analysis.indicators import agency_attendance, financial_year_label
from sscb_analysis.indicators.periods import year_ending_31_march
from sscb_analysis.stats import (
    Interval,
    SPCResult,
    TestResult,
    compare_proportions,
    compare_to_value,
    spc,
    wilson_ci,
)

__all__ = [
    "COLUMNS",
    "QUARTERS",
    "Attendance",
    "MaracFacts",
    "Reference",
    "RepeatChart",
    "RepeatQuarter",
    "Span",
    "ToolUse",
    "compute",
]

COLUMNS = (
    "referral_date",
    "repeat_within_12_months",
    "high_risk",
    "risk_tool",
    "agencies_present",
    "children_in_household",
)
QUARTERS = ("Q1 Apr-Jun", "Q2 Jul-Sep", "Q3 Oct-Dec", "Q4 Jan-Mar")
#: Reporting years of quarters before the period's end that the repeat-rate chart covers at most.
SERIES_YEARS = 3


@dataclass(frozen=True)
class Reference:
    """A reference rate from the area profile (``reference_rates.marac_repeat_rate``)."""

    value: float
    label: str
    source: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Span:
    """The counts of one span of time (a reporting year, or the period under review)."""

    label: str
    referrals: Count
    repeats: Count
    repeat_rate: Rests[Interval] | None
    repeat_test: Rests[TestResult] | None
    assessed: Count
    high_risk: Count
    high_risk_share: Rests[Interval] | None
    with_children: Count
    children: Count
    children_unknown: Count
    undercount: bool
    relations: tuple[Relation, ...]


@dataclass(frozen=True)
class ToolUse:
    """Risk tools used before and from the audit the profile names (``claims.marac_risk_tool``)."""

    tool: str
    date: pd.Timestamp
    claim_text: str
    claim_source: str | None
    before: str
    after: str
    table: CountTable
    shares: dict[tuple[str, str], Rests[float]]
    no_tool: Rests[TestResult] | None
    #: The share with no tool recorded since the audit, with its Wilson interval: the level the
    #: board summary shows (``no_tool`` is the change, for the direction of travel).
    no_tool_share: Rests[Interval] | None
    main_tool: Rests[TestResult] | None
    relations: tuple[Relation, ...]


@dataclass(frozen=True)
class Attendance:
    """Cases each agency attended per year (with the cases heard), and in the period."""

    table: CountTable
    period: dict[str, tuple[Count, Rests[Interval] | None]]
    relations: tuple[Relation, ...]


@dataclass(frozen=True)
class RepeatQuarter:
    """One quarter of the repeat-rate chart: referrals (the volume table's cell) and repeats."""

    label: str
    referrals: Count
    repeats: Count


@dataclass(frozen=True)
class RepeatChart:
    """The p chart of the quarterly repeat rate: its limits and signals (``result``, whose
    ``value`` column is left empty) and each point's rate, which rests on its two counts.
    Quarters within 12 months of the extract's first referral are left out (their repeats
    undercount); ``reason`` says why there is no chart."""

    quarters: tuple[RepeatQuarter, ...]
    result: SPCResult | None
    points: tuple[Rests[float], ...]
    reason: str = ""


@dataclass(frozen=True)
class MaracFacts:
    """Everything the MARAC page shows, before disclosure."""

    period: Period
    first_quarter: pd.Period | None
    last_quarter: pd.Period
    years: tuple[Span, ...]
    in_period: Span
    volumes: CountTable
    year_before: Count | None
    reference: Reference | None
    tools: ToolUse | None
    attendance: Attendance
    confidence: float
    relations: tuple[Relation, ...]
    repeat_chart: RepeatChart | None = None


def _key(*parts: Hashable) -> tuple[Hashable, ...]:
    return ("marac", *parts)


def _reference(rate: Any) -> Reference | None:
    if rate is None:
        return None
    value = getattr(rate, "value", rate)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(
            f"the MARAC reference repeat rate must be a share from 0 to 1 (e.g. 0.31), not {value!r}"
        )
    return Reference(
        float(value),
        str(getattr(rate, "label", None) or "the reference rate"),
        getattr(rate, "source", None),
        getattr(rate, "year", None),
    )


def _span(
    frame: pd.DataFrame,
    label: str,
    key: Hashable,
    reference: Reference | None,
    confidence: float,
    undercount: bool,
) -> Span:
    """The counts of one span; ``key`` names it in every count key."""
    n = len(frame)
    repeats = int(frame["repeat_within_12_months"].fillna(False).astype(bool).sum())
    assessed_flags = frame["high_risk"].dropna().astype(bool)
    kids = pd.to_numeric(frame["children_in_household"], errors="coerce")
    referrals = Count(_key("referrals", key), n)
    rep = Count(_key("repeats", key), repeats)
    assessed = Count(_key("dash assessed", key), len(assessed_flags))
    high = Count(_key("high risk", key), int(assessed_flags.sum()))
    with_children = Count(_key("households with children", key), int(kids.fillna(0).gt(0).sum()))
    children = Count(_key("children", key), int(kids.fillna(0).sum()))
    unknown = Count(_key("children not recorded", key), int(kids.isna().sum()))
    on_repeats = (rep.key, referrals.key)
    rate = test = share = None
    if n:
        rate = Rests(wilson_ci(repeats, n, confidence), on_repeats)
        if reference is not None:
            test = Rests(compare_to_value(repeats, n, reference.value, confidence), on_repeats)
    if assessed.value:
        share = Rests(wilson_ci(high.value, assessed.value, confidence), (high.key, assessed.key))
    relations = (
        Relation.part_of(rep.key, referrals.key),
        Relation.part_of(assessed.key, referrals.key),
        Relation.part_of(high.key, assessed.key),
        Relation.part_of(with_children.key, referrals.key),
        Relation.part_of(unknown.key, referrals.key),
    )
    return Span(
        label,
        referrals,
        rep,
        rate,
        test,
        assessed,
        high,
        share,
        with_children,
        children,
        unknown,
        undercount,
        relations,
    )


def _volumes(dates: pd.Series, period: Period) -> CountTable:
    """Referrals per reporting year (rows) and quarter (columns) up to the period's end."""
    if dates.empty:
        counts = pd.DataFrame(0, index=pd.Index([period.label]), columns=list(QUARTERS))
    else:
        quarter = dates.dt.to_period("Q-MAR")
        frame = pd.DataFrame(
            {
                "year": [financial_year_label(q.qyear) for q in quarter],
                "quarter": [QUARTERS[q.quarter - 1] for q in quarter],
            }
        )
        counts = pd.crosstab(frame["year"], frame["quarter"])
        counts = counts.reindex(columns=list(QUARTERS), fill_value=0).astype("int64")
    counts.index.name = "year"
    return CountTable(_key("volume"), counts)


def _tools(
    upto: pd.DataFrame, dates: pd.Series, claim: Any, period: Period, confidence: float
) -> ToolUse | None:
    if claim is None:
        return None
    tool = str(getattr(claim, "value", "")).strip().lower()
    date = getattr(claim, "date", None)
    if not tool or date is None:
        raise ValueError(
            "claims.marac_risk_tool needs a value (the risk tool, e.g. barnardos) and a date "
            "(the audit's date) in the area profile"
        )
    change = pd.Timestamp(date).normalize()
    if change > period.end:
        raise ValueError(
            f"claims.marac_risk_tool.date ({change:%Y-%m-%d}) is after the period under review "
            f"ends ({period.end:%Y-%m-%d}): there is nothing after it to compare."
        )
    before = f"before {change.day} {change:%b %Y}"
    after = f"{change.day} {change:%b %Y} to {period.end.day} {period.end:%b %Y}"
    side = dates.ge(change).map({False: before, True: after})
    raw = pd.crosstab(side, upto["risk_tool"].astype("string").fillna("none"))
    raw = raw.reindex(index=[before, after], fill_value=0)
    for t in ("none", tool):
        if t not in raw.columns:
            raw[t] = 0
    raw.columns = [str(c) for c in raw.columns]
    raw = raw.astype("int64")
    table = CountTable(_key("tools"), raw)
    shares: dict[tuple[str, str], Rests[float]] = {}
    relations: list[Relation] = []
    for side_label in (before, after):
        n = int(raw.loc[side_label].sum())
        for t in raw.columns:
            cell, total = table.cell(side_label, t), table.cell(side_label, TOTAL)
            if n:
                shares[(side_label, t)] = Rests(int(raw.loc[side_label, t]) / n, (cell, total))

    def compare(t: str) -> Rests[TestResult] | None:
        n_after, n_before = int(raw.loc[after].sum()), int(raw.loc[before].sum())
        if not n_after or not n_before:
            return None
        result = compare_proportions(
            int(raw.loc[after, t]), n_after, int(raw.loc[before, t]), n_before, confidence
        )
        on = (
            table.cell(after, t),
            table.cell(after, TOTAL),
            table.cell(before, t),
            table.cell(before, TOTAL),
        )
        return Rests(result, on)

    n_since = int(raw.loc[after].sum())
    no_tool_share = (
        Rests(
            wilson_ci(int(raw.loc[after, "none"]), n_since, confidence),
            (table.cell(after, "none"), table.cell(after, TOTAL)),
        )
        if n_since
        else None
    )
    return ToolUse(
        tool=tool,
        date=change,
        claim_text=str(getattr(claim, "text", "") or ""),
        claim_source=getattr(claim, "source", None),
        before=before,
        after=after,
        table=table,
        shares=shares,
        no_tool=compare("none"),
        no_tool_share=no_tool_share,
        main_tool=compare(tool) if tool != "none" else None,
        relations=tuple(relations),
    )


def _attendance(
    upto: pd.DataFrame, in_period: pd.DataFrame, spans: dict[str, Span], period: Span, conf: float
) -> Attendance:
    relations: list[Relation] = []
    if upto.empty:
        counts = pd.DataFrame({period.label: [0]}, index=pd.Index(["cases heard"]))
    else:
        counts = agency_attendance(upto, by_year=True).rename(
            index={"conferences held": "cases heard"}
        )
        counts = pd.concat([counts.drop(index="cases heard"), counts.loc[["cases heard"]]])
    counts.index.name = "agency"
    table = CountTable(_key("attendance"), counts.astype("int64"), totals=False)
    for year in counts.columns:
        heard = table.cell("cases heard", year)
        if year in spans:
            relations.append(Relation.same(heard, spans[year].referrals.key))
        for agency in counts.index:
            if agency != "cases heard":
                relations.append(Relation.part_of(table.cell(agency, year), heard))
    shares: dict[str, tuple[Count, Rests[Interval] | None]] = {}
    n = len(in_period)
    if n:
        per = agency_attendance(in_period, by_year=False)
        for agency, row in per.iterrows():
            x = Count(_key("attended", str(agency), "period"), int(row["attended"]))
            relations.append(Relation.part_of(x.key, period.referrals.key))
            shares[str(agency)] = (
                x,
                Rests(wilson_ci(x.value, n, conf), (x.key, period.referrals.key)),
            )
    return Attendance(table, shares, tuple(relations))


def compute(
    marac: pd.DataFrame,
    period_start: object,
    period_end: object,
    *,
    period_label: str | None = None,
    reference_rate: Any = None,
    risk_tool_claim: Any = None,
    confidence_level: float = 0.95,
) -> MaracFacts:
    """Everything the MARAC page shows, from a cleaned MARAC extract, for the period under
    review. ``reference_rate`` (the profile's ``reference_rates.marac_repeat_rate``) and
    ``risk_tool_claim`` (``claims.marac_risk_tool``) are optional: without them the comparison
    they feed is left out."""
    check_cleaned(marac, "marac", COLUMNS, "the MARAC page")
    period = period_of(period_start, period_end, period_label)
    reference = _reference(reference_rate)
    dates = pd.to_datetime(marac["referral_date"])
    keep = dates.le(period.end)
    upto, dates_upto = marac[keep], dates[keep]
    first = dates.min()
    years_of = year_ending_31_march(dates_upto)
    spans: dict[str, Span] = {}
    for year in sorted(years_of.dropna().unique()):
        label = financial_year_label(int(year))
        undercount = pd.Timestamp(int(year) - 1, 4, 1) < first + pd.DateOffset(years=1)
        spans[label] = _span(
            upto[years_of.eq(year).to_numpy()],
            label,
            label,
            reference,
            confidence_level,
            undercount,
        )
    in_window = dates_upto.between(period.start, period.end)
    undercount = bool(pd.notna(first) and period.start < first + pd.DateOffset(years=1))
    current = _span(
        upto[in_window.to_numpy()], period.label, "period", reference, confidence_level, undercount
    )
    volumes = _volumes(dates_upto, period)
    relations: list[Relation] = []
    for label, span in spans.items():
        relations.append(Relation.same(volumes.cell(label, TOTAL), span.referrals.key))
    if period.label in spans and _is_reporting_year(period):
        relations.append(Relation.same(current.referrals.key, spans[period.label].referrals.key))
    year = pd.DateOffset(years=1)
    year_before = None
    if pd.notna(first) and first <= period.start - year:
        n_before = int(dates_upto.between(period.start - year, period.end - year).sum())
        year_before = Count(_key("referrals", "year before"), n_before)
        before_label = financial_year_label(period.end.year - 1)
        if _is_reporting_year(period) and before_label in spans:
            relations.append(Relation.same(year_before.key, spans[before_label].referrals.key))
    tools = _tools(upto, dates_upto, risk_tool_claim, period, confidence_level)
    if tools is not None:
        relations.append(Relation.same(tools.table.cell(TOTAL, TOTAL), volumes.cell(TOTAL, TOTAL)))
        first_day = dates_upto.min() if not dates_upto.empty else tools.date
        for label, lo, hi in (
            (tools.before, min(first_day, tools.date), tools.date - pd.Timedelta(days=1)),
            (tools.after, tools.date, period.end),
        ):
            cells = _volume_cells(volumes, lo, hi)
            if cells is not None:
                relations.append(Relation.sum(tools.table.cell(label, TOTAL), cells))
    cells = _volume_cells(volumes, period.start, period.end)
    if cells is not None:
        relations.append(Relation.sum(current.referrals.key, cells))
    if year_before is not None:
        cells = _volume_cells(volumes, period.start - year, period.end - year)
        if cells is not None:
            relations.append(Relation.sum(year_before.key, cells))
    attendance = _attendance(upto, upto[in_window.to_numpy()], spans, current, confidence_level)
    chart, rels = _repeat_chart(upto, dates_upto, volumes, spans, period)
    relations += rels
    return MaracFacts(
        period=period,
        first_quarter=pd.Period(first, freq="Q") if pd.notna(first) else None,
        last_quarter=period.last_quarter,
        years=tuple(spans.values()),
        in_period=current,
        volumes=volumes,
        year_before=year_before,
        reference=reference,
        tools=tools,
        attendance=attendance,
        confidence=confidence_level,
        relations=tuple(relations),
        repeat_chart=chart,
    )


def _repeat_chart(
    upto: pd.DataFrame,
    dates: pd.Series,
    volumes: CountTable,
    spans: dict[str, Span],
    period: Period,
) -> tuple[RepeatChart, list[Relation]]:
    """Repeats over referrals per quarter, from the first quarter whose repeats are complete (12
    months after the extract's first referral) to the period's last, as a p chart. The repeat
    rate has no better direction (a low rate can mean repeats go unidentified)."""
    last = pd.Period(period.end, freq="Q-MAR")
    if dates.empty:
        return RepeatChart((), None, (), "the extract holds no referrals"), []
    first = pd.Period(dates.min() + pd.DateOffset(years=1) - pd.Timedelta(days=1), freq="Q-MAR")
    first = max(first + 1, last - (4 * SERIES_YEARS - 1))
    if first > last:
        return RepeatChart((), None, (), "the extract holds less than a year of referrals"), []
    quarter_of = dates.dt.to_period("Q-MAR")
    flags = upto["repeat_within_12_months"].fillna(False).astype(bool).to_numpy()
    quarters, relations = [], []
    for q in pd.period_range(first, last, freq="Q-MAR"):
        year, name = financial_year_label(q.qyear), QUARTERS[q.quarter - 1]
        inside = (quarter_of == q).to_numpy()
        label = f"{year} {name.split()[0]}"
        referrals = Count(_key("referrals", "quarter", str(q)), int(inside.sum()))
        repeats = Count(_key("repeats", "quarter", str(q)), int(flags[inside].sum()))
        quarters.append(RepeatQuarter(label, referrals, repeats))
        relations.append(Relation.part_of(repeats.key, referrals.key))
        if year in volumes.counts.index:
            relations.append(Relation.same(referrals.key, volumes.cell(year, name)))
    for label, span in spans.items():
        inside = [q for q in quarters if q.label.startswith(label)]
        if len(inside) == 4:
            relations.append(Relation.sum(span.repeats.key, [q.repeats.key for q in inside]))
    empty = [q.label for q in quarters if q.referrals.value == 0]
    if empty or len(quarters) < 2:
        why = f"no referral in {', '.join(empty)}" if empty else "a chart needs two quarters"
        return RepeatChart(tuple(quarters), None, (), why), relations
    result = spc(
        [q.repeats.value for q in quarters],
        kind="p",
        denominators=[q.referrals.value for q in quarters],
        improvement="neutral",
    )
    table = result.table.copy()
    points = tuple(
        Rests(float(v), (q.repeats.key, q.referrals.key))
        for v, q in zip(table["value"], quarters, strict=True)
    )
    table["value"] = np.nan  # each point's rate travels in ``points``, resting on its counts
    chart = RepeatChart(tuple(quarters), dataclasses.replace(result, table=table), points)
    return chart, relations


def _volume_cells(volumes: CountTable, lo: pd.Timestamp, hi: pd.Timestamp) -> list | None:
    """The volume table's cells that add up to the referrals from ``lo`` to ``hi``, when those
    days are whole quarters (else ``None``: no sum of shown cells gives that count)."""
    first, last = pd.Period(lo, freq="Q-MAR"), pd.Period(hi, freq="Q-MAR")
    if lo != first.start_time.normalize() or hi != last.end_time.normalize() or last < first:
        return None
    cells = []
    for q in pd.period_range(first, last, freq="Q-MAR"):
        year, quarter = financial_year_label(q.qyear), QUARTERS[q.quarter - 1]
        if year in volumes.counts.index:
            cells.append(volumes.cell(year, quarter))
    return cells


def _is_reporting_year(period: Period) -> bool:
    s, e = period.start, period.end
    return (s.month, s.day, e.month, e.day) == (4, 1, 3, 31) and e.year == s.year + 1

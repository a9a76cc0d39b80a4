"""Plan duration page, step 1 of 3: compute. Numbers and statistics results only, no words.

Following the DfE children in need census, plans lasting *two years or more* are counted two
ways: plans still open at 31 March that started at least two years earlier, and plans ending in
the year that had run for two years or more. The years run up to the reporting year of the
period under review (three years, or fewer when the extract starts later). Each share rests on
its two counts; the trend across the years rests on every year it uses; the comparison of the
full years either side of the profile's practice review (``events.cpp_practice_review``) rests
on its four counts. Categories of abuse (the category at the start of the plan) by year form
one table with totals.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sscb_analysis.analyses.common import Period, check_cpp, national_figures, period_of
from sscb_analysis.benchmarks import NationalFigures
from sscb_analysis.disclose import TOTAL, Count, CountTable, Relation, Rests
from sscb_analysis.indicators import (
    categories_by_year,
    financial_year_label,
    open_at_31_march,
    plans_ended_by_year,
)
from sscb_analysis.stats import (
    Interval,
    TestResult,
    compare_proportions,
    trend_in_proportions,
    wilson_ci,
)

__all__ = ["MEASURES", "DurationFacts", "Measure", "Review", "Year", "compute"]

#: key -> (total column, two-years column, title) of the two DfE measures.
MEASURES = {
    "open": ("open", "open_two_years_or_more", "Plans open at 31 March"),
    "ended": ("ended", "ended_two_years_or_more", "Plans ending in the year"),
}
SERIES_YEARS = 3


@dataclass(frozen=True)
class Year:
    """One reporting year of one measure: plans, those of two years or more, the share."""

    year: int
    label: str
    total: Count
    long: Count
    share: Rests[Interval] | None


@dataclass(frozen=True)
class Review:
    """The full years either side of the profile's practice review, compared."""

    label: str
    source: str | None
    before: str
    after: str
    test: Rests[TestResult] | None
    significant: bool | None
    reason: str = ""


@dataclass(frozen=True)
class Measure:
    """One way of counting plans of two years or more, by year, with its tests."""

    key: str
    title: str
    years: tuple[Year, ...]
    trend: Rests[TestResult] | None
    trend_reason: str
    review: Review | None
    relations: tuple[Relation, ...]


@dataclass(frozen=True)
class DurationFacts:
    """Everything the plan duration page shows, before disclosure."""

    period: Period
    period_year: int
    open: Measure
    ended: Measure
    categories: CountTable | None
    category_shares: dict[tuple[str, str], Rests[float]]
    confidence: float
    national: NationalFigures | None = None


def _key(*parts: Hashable) -> tuple[Hashable, ...]:
    return ("cpp duration", *parts)


def _years(cpp: pd.DataFrame, period: Period) -> list[int]:
    last = int(pd.Period(period.end, freq="Q-MAR").qyear)
    first = last - (SERIES_YEARS - 1)
    starts = pd.to_datetime(cpp["plan_start_date"])
    if starts.notna().any():
        earliest = starts.min()
        # the first reporting year starting on or after the extract's earliest plan
        first_full = (
            earliest.year + 1 if (earliest.month, earliest.day) <= (4, 1) else earliest.year + 2
        )
        first = max(first, first_full)
    return list(range(min(first, last), last + 1))


def _review(key: str, years: tuple[Year, ...], event: Any, conf: float) -> Review | None:
    if event is None:
        return None
    date = pd.Timestamp(event.date)
    review_year = int(date.year + (1 if date.month >= 4 else 0))
    before, after = review_year - 1, review_year + 1
    by_year = {y.year: y for y in years}
    label = str(getattr(event, "label", "") or f"the review of {date:%B %Y}")
    b, a = financial_year_label(before), financial_year_label(after)
    if before not in by_year or after not in by_year:
        return Review(
            label, getattr(event, "source", None), b, a, None, None,
            f"it needs {b} and {a}, the full years either side of the review",
        )  # fmt: skip
    yb, ya = by_year[before], by_year[after]
    if not yb.total.value or not ya.total.value:
        return Review(
            label,
            getattr(event, "source", None),
            b,
            a,
            None,
            None,
            "no plans in one of those years",
        )
    result = compare_proportions(yb.long.value, yb.total.value, ya.long.value, ya.total.value, conf)
    on = (yb.long.key, yb.total.key, ya.long.key, ya.total.key)
    return Review(
        label, getattr(event, "source", None), b, a, Rests(result, on), result.significant
    )


def _measure(key: str, frame: pd.DataFrame, event: Any, conf: float) -> Measure:
    total_col, long_col, title = MEASURES[key]
    years = []
    relations = []
    for r in frame.itertuples(index=False):
        year = int(r.year)
        total = Count(_key(key, "plans", year), int(getattr(r, total_col)))
        long = Count(_key(key, "two years or more", year), int(getattr(r, long_col)))
        share = (
            Rests(wilson_ci(long.value, total.value, conf), (long.key, total.key))
            if total.value
            else None
        )
        years.append(Year(year, financial_year_label(year), total, long, share))
        relations.append(Relation.part_of(long.key, total.key))
    usable = [y for y in years if y.total.value]
    trend = None
    reason = ""
    if len(usable) >= 3:
        result = trend_in_proportions(
            [y.long.value for y in usable], [y.total.value for y in usable], confidence=conf
        )
        trend = Rests(result, tuple(k for y in usable for k in (y.long.key, y.total.key)))
    else:
        reason = "it needs at least three years with plans"
    return Measure(
        key,
        title,
        tuple(years),
        trend,
        reason,
        _review(key, tuple(years), event, conf),
        tuple(relations),
    )


def compute(
    cpp: pd.DataFrame,
    period_start: object,
    period_end: object,
    *,
    period_label: str | None = None,
    review_event: Any = None,
    confidence_level: float = 0.95,
    la_code: object = None,
    dfe_dir: object = None,
) -> DurationFacts:
    """Everything the plan duration page shows, from a cleaned CPP extract.

    ``review_event`` is the profile's ``events.cpp_practice_review``: the full years either side
    of it are compared, or the comparison is left out without it. With the profile's
    ``la_code``, England's and the statistical neighbours' published share of plans open at
    31 March for two years or more, for the period's year, come from the DfE tables.
    """
    check_cpp(cpp, ("plan_start_date", "plan_end_date"))
    period = period_of(period_start, period_end, period_label)
    years = _years(cpp, period)
    conf = confidence_level
    open_ = _measure("open", open_at_31_march(cpp, years), review_event, conf)
    ended = _measure("ended", plans_ended_by_year(cpp, years), review_event, conf)
    table = None
    shares: dict[tuple[str, str], Rests[float]] = {}
    if "initial_category" in cpp.columns:
        counts = categories_by_year(cpp, years)
        counts.index = [str(c).capitalize() for c in counts.index]
        counts.index.name = "Category of abuse"
        table = CountTable(_key("categories"), counts.astype("int64"))
        full = table.full()
        for column in counts.columns:
            total = int(full.loc[TOTAL, column])
            for category in counts.index:
                if total:
                    shares[(str(category), str(column))] = Rests(
                        int(full.loc[category, column]) / total,
                        (table.cell(category, column), table.cell(TOTAL, column)),
                    )
    return DurationFacts(
        period=period,
        period_year=years[-1],
        open=open_,
        ended=ended,
        categories=table,
        category_shares=shares,
        confidence=conf,
        national=national_figures(la_code, "cpp_open_2_years_or_more_pct", years[-1], dfe_dir),
    )

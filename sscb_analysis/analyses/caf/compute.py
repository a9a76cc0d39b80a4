"""Early help (CAF) page, step 1 of 3: compute. Numbers and statistics results only, no words.

Assessments per reporting year by initiating agency, the family survey's shares per year and
for the period under review (each share's base is the people who answered that question; "don't
know" counts in the base but not as "yes"), the trend of each share across years, and the
board's own published figures from the area profile (``claims.caf_very_satisfied``,
``claims.caf_improved``) tested against the period's data.

Counts are :class:`~sscb_analysis.disclose.Count` under keys shared across tables; "very
satisfied" is a part of "very or fairly satisfied", which is a part of the responses, so none of
the three can be worked out from the other two.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sscb_analysis.analyses.common import Period, check_cleaned, period_of
from sscb_analysis.disclose import TOTAL, Count, CountTable, Relation, Rests
from sscb_analysis.indicators import caf_by_agency, caf_survey_by_year, financial_year_label
from sscb_analysis.indicators.periods import year_ending_31_march
from sscb_analysis.stats import (
    LikertSummary,
    TestResult,
    compare_to_value,
    likert_summary,
    trend_in_proportions,
)

__all__ = [
    "CLAIM_KEYS",
    "MEASURES",
    "Agencies",
    "CafFacts",
    "ClaimCheck",
    "Measure",
    "SurveySpan",
    "compute",
]

#: key -> (label, count column, base column, wording) of each survey measure.
MEASURES: dict[str, tuple[str, str, str, str]] = {
    "very_satisfied": ("Very satisfied", "very_satisfied", "responses", "were very satisfied"),
    "top_two": (
        "Very or fairly satisfied",
        "top_two",
        "responses",
        "were very or fairly satisfied",
    ),
    "improved": ("Things improved", "improved", "improved_base", "said things had improved"),
    "knowledge": (
        "Knowledge of services improved",
        "knowledge_improved",
        "knowledge_base",
        "said their knowledge of services had improved",
    ),
}
#: The profile's claim key for each measure a board report may have published.
CLAIM_KEYS = {"very_satisfied": "caf_very_satisfied", "improved": "caf_improved"}


@dataclass(frozen=True)
class Measure:
    """One survey share in one span: the counts, and the summary resting on them (``None``
    with no answers)."""

    key: str
    top: Count
    base: Count
    summary: Rests[LikertSummary] | None
    enough: bool


@dataclass(frozen=True)
class SurveySpan:
    """The survey in one reporting year (or the period under review)."""

    label: str
    responses: Count
    measures: dict[str, Measure]


@dataclass(frozen=True)
class Agencies:
    """Assessments per year (rows) by initiating agency (columns), the period's total, the
    same period a year before, the change between them and the busiest agency in the period."""

    table: CountTable
    in_period: Count
    year_before: Count | None
    change: Rests[float] | None
    top_agency: str | None
    top_count: Count | None
    top_share: Rests[float] | None


@dataclass(frozen=True)
class ClaimCheck:
    """A published share (from the profile) against the period's data."""

    key: str
    value: float
    text: str
    source: str | None
    test: Rests[TestResult] | None


@dataclass(frozen=True)
class CafFacts:
    """Everything the CAF page shows, before disclosure."""

    period: Period
    agencies: Agencies | None
    years: tuple[SurveySpan, ...]
    in_period: SurveySpan
    trends: dict[str, Rests[TestResult] | None]
    trend_years: dict[str, tuple[str, ...]]
    claims: dict[str, ClaimCheck | None]
    min_base: int
    confidence: float
    relations: tuple[Relation, ...]


def _key(*parts: Hashable) -> tuple[Hashable, ...]:
    return ("caf", *parts)


def _span(label: str, name: str, row: Any, min_base: int, conf: float) -> tuple[SurveySpan, list]:
    counts: dict[str, Count] = {}
    for column in (
        "responses",
        "improved_base",
        "knowledge_base",
        *(m[1] for m in MEASURES.values()),
    ):
        counts[column] = Count(_key(column, name), 0 if row is None else int(row[column]))
    measures = {}
    relations: list[Relation] = []
    for key, (_, top_col, base_col, _) in MEASURES.items():
        top, base = counts[top_col], counts[base_col]
        summary = None
        if base.value:
            s = likert_summary(
                {"top": top.value, "other": base.value - top.value},
                top=("top",),
                min_base=min_base,
                confidence=conf,
            )
            summary = Rests(s, (top.key, base.key))
        measures[key] = Measure(key, top, base, summary, base.value >= min_base)
        relations.append(Relation.part_of(top.key, base.key))
    relations.append(Relation.part_of(counts["very_satisfied"].key, counts["top_two"].key))
    return SurveySpan(label, counts["responses"], measures), relations


def _agencies(
    caf: pd.DataFrame, dates: pd.Series, period: Period, years: dict[str, str]
) -> tuple[Agencies | None, list[Relation]]:
    upto = caf[dates.le(period.end)]
    if upto.empty:
        return None, []
    counts = caf_by_agency(upto, freq="Y-MAR")
    counts.index = [financial_year_label(int(y)) for y in counts.index]
    counts.index.name = "year"
    counts = counts.loc[:, counts.sum(axis=0) > 0]
    table = CountTable(_key("agencies"), counts)
    relations: list[Relation] = []
    d = dates[dates.le(period.end)]
    now = upto[d.between(period.start, period.end).to_numpy()]
    in_period = Count(_key("assessments", "period"), len(now))
    if period.label in counts.index and years.get(period.label) == "period":
        relations.append(Relation.same(in_period.key, table.cell(period.label, TOTAL)))
    year = pd.DateOffset(years=1)
    before = None
    change = None
    if d.min() <= period.start - year:
        n_before = int(d.between(period.start - year, period.end - year).sum())
        before = Count(_key("assessments", "year before"), n_before)
        label = financial_year_label(period.end.year - 1)
        if years.get(period.label) == "period" and label in counts.index:
            relations.append(Relation.same(before.key, table.cell(label, TOTAL)))
        if n_before:
            change = Rests((len(now) - n_before) / n_before, (in_period.key, before.key))
    top_agency = top_count = top_share = None
    if len(now):
        by_agency = now["initiating_agency"].astype("string").value_counts()
        top_agency = str(by_agency.index[0])
        top_count = Count(_key("assessments", "period", top_agency), int(by_agency.iloc[0]))
        relations.append(Relation.part_of(top_count.key, in_period.key))
        if years.get(period.label) == "period" and top_agency in counts.columns:
            relations.append(Relation.same(top_count.key, table.cell(period.label, top_agency)))
        top_share = Rests(top_count.value / len(now), (top_count.key, in_period.key))
    return Agencies(table, in_period, before, change, top_agency, top_count, top_share), relations


def _claim(key: str, claim: Any, span: SurveySpan, conf: float) -> ClaimCheck | None:
    if claim is None:
        return None
    value = getattr(claim, "value", None)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(
            f"claims.{CLAIM_KEYS[key]}.value must be a share from 0 to 1 (e.g. 0.92), not {value!r}"
        )
    m = span.measures[key]
    test = None
    if m.base.value and m.enough:
        result = compare_to_value(m.top.value, m.base.value, float(value), confidence=conf)
        test = Rests(result, (m.top.key, m.base.key))
    return ClaimCheck(
        key,
        float(value),
        str(getattr(claim, "text", "") or ""),
        getattr(claim, "source", None),
        test,
    )


def compute(
    caf: pd.DataFrame,
    period_start: object,
    period_end: object,
    *,
    period_label: str | None = None,
    claims: dict[str, Any] | None = None,
    min_base: int = 10,
    confidence_level: float = 0.95,
) -> CafFacts:
    """Everything the CAF page shows, from a cleaned CAF extract.

    ``claims`` maps ``very_satisfied`` and ``improved`` to the profile's claims (``value``: the
    published share, ``text``, ``source``) or ``None``; a share with fewer than ``min_base``
    answers is not reported (too few to be reliable).
    """
    check_cleaned(
        caf,
        "caf",
        (
            "assessment_date",
            "initiating_agency",
            "survey_date",
            "satisfaction",
            "things_improved",
            "knowledge_improved",
        ),
        "the CAF page",
    )
    if isinstance(min_base, bool) or not isinstance(min_base, int) or min_base < 1:
        raise ValueError(f"min_base must be a whole number of at least 1, not {min_base!r}")
    period = period_of(period_start, period_end, period_label)
    conf = confidence_level
    relations: list[Relation] = []
    survey_dates = pd.to_datetime(caf["survey_date"])
    upto = caf[survey_dates.le(period.end)]
    by_year = caf_survey_by_year(upto).set_index("year")
    last_year = int(year_ending_31_march(pd.Series([period.end])).iloc[0])
    first_year = int(by_year.index.min()) if len(by_year) else last_year
    whole_year = (period.start, period.end) == (
        pd.Timestamp(last_year - 1, 4, 1),
        pd.Timestamp(last_year, 3, 31),
    )
    years = []
    for y in range(first_year, last_year + 1):
        label = financial_year_label(y)
        span, rels = _span(
            label, label, by_year.loc[y] if y in by_year.index else None, min_base, conf
        )
        years.append(span)
        relations += rels
    in_window = caf[survey_dates.between(period.start, period.end)]
    totals = caf_survey_by_year(in_window).drop(columns=["year", "label"]).sum()
    current, rels = _span(
        period.label, "period", totals if len(in_window) else None, min_base, conf
    )
    relations += rels
    if whole_year:
        same = years[-1]
        for column_key in ("responses", "improved_base", "knowledge_base"):
            relations.append(
                Relation.same(_key(column_key, "period"), _key(column_key, same.label))
            )
        for m in MEASURES.values():
            relations.append(Relation.same(_key(m[1], "period"), _key(m[1], same.label)))
    trends: dict[str, Rests[TestResult] | None] = {}
    trend_years: dict[str, tuple[str, ...]] = {}
    for key in MEASURES:
        usable = [y.measures[key] for y in years if y.measures[key].enough]
        trend_years[key] = tuple(y.label for y in years if y.measures[key].enough)
        if len(usable) >= 3:
            result = trend_in_proportions(
                [m.top.value for m in usable], [m.base.value for m in usable], confidence=conf
            )
            on = tuple(k for m in usable for k in (m.top.key, m.base.key))
            trends[key] = Rests(result, on)
        else:
            trends[key] = None
    dates = pd.to_datetime(caf["assessment_date"])
    agencies, rels = _agencies(caf, dates, period, {period.label: "period"} if whole_year else {})
    relations += rels
    given = claims or {}
    return CafFacts(
        period=period,
        agencies=agencies,
        years=tuple(years),
        in_period=current,
        trends=trends,
        trend_years=trend_years,
        claims={k: _claim(k, given.get(k), current, conf) for k in CLAIM_KEYS},
        min_base=min_base,
        confidence=conf,
        relations=tuple(relations),
    )

"""National benchmark page, step 1 of 3: compute. Numbers and statistics results only, no words.

Most of the page is published DfE statistics (public and aggregate: England, regions, every
authority), which need no disclosure control. The exception is the **reconciliation**: the local
CPP extract's counts for the same year are local counts like any other page's, so each is a
:class:`~sscb_analysis.disclose.Count`, each percentage, difference and "agrees" rests on them
(:class:`~sscb_analysis.disclose.Rests`: with the published figure beside it, a difference or an
"agrees: yes" gives the local count back), and they go through the one disclosure pass.

The page reports the **period under review**: its reporting year is the year compared, the
tables run up to it, and the SPC chart charts the published years up to it (never the years
after). The comparator line charts draw the whole published series as context and mark the
year under review (their words say so).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sscb_analysis import benchmarks as bm
from sscb_analysis.analyses.common import Period, period_of
from sscb_analysis.benchmarks import NationalFigures
from sscb_analysis.disclose import Count, Relation, Rests
from sscb_analysis.indicators.periods import financial_year_label
from sscb_analysis.stats import Interval, SPCResult, wilson_ci

__all__ = [
    "INDICATORS",
    "BenchmarkFacts",
    "Comparators",
    "Funnel",
    "Measure",
    "Reconciliation",
    "Spc",
    "compute",
    "resolve_la",
]

#: The indicators the page compares, in the order it shows them.
INDICATORS: tuple[str, ...] = (
    "cpp_second_or_subsequent_pct",
    "cpp_open_2_years_or_more_pct",
    "rereferrals_pct",
    "cin_at_31_march",
)
#: The indicator of the headline, the funnel and the SPC chart.
HEADLINE = "cpp_second_or_subsequent_pct"


def resolve_la(la_code: int | str, folder: object = None) -> bm.LocalAuthority:
    """The authority for ``la_code``; an unknown code raises
    :class:`sscb_analysis.benchmarks.UnknownLocalAuthorityError` listing close matches."""
    return bm.find_la(la_code, folder)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class Comparators:
    """One indicator for the authority beside region, England and the neighbours' median.

    ``long`` is :func:`sscb_analysis.benchmarks.comparators` (every published year, for the
    context chart); ``neighbours`` is the size of the neighbour group (0 without one).
    """

    indicator: str
    label: str
    unit: str
    long: pd.DataFrame
    neighbours: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def _row(self, comparator: str, year: int) -> pd.DataFrame:
        return self.long[(self.long["comparator"] == comparator) & (self.long["year"] == year)]

    def value(self, comparator: str, year: int) -> float:
        """The published number (NaN when not published)."""
        rows = self._row(comparator, year)
        return float(rows["value"].iloc[0]) if len(rows) else math.nan

    def status(self, comparator: str, year: int) -> str:
        """Why a value is or is not there (``published``, ``suppressed`` ...)."""
        rows = self._row(comparator, year)
        return str(rows["status"].iloc[0]) if len(rows) else "not_available"

    def neighbours_used(self, year: int) -> int:
        """How many neighbours the median rests on in ``year``."""
        rows = self._row("neighbours_median", year)
        return int(rows["n_areas"].iloc[0]) if len(rows) else 0


@dataclass(frozen=True, eq=False)
class Funnel:
    """Every authority's share of second or subsequent plans in the year against England's;
    ``position`` is the authority's place (``within``, ``above 95%`` ...) or None with
    ``excluded`` saying why it has no point."""

    data: bm.FunnelInput
    points: pd.DataFrame
    position: str | None
    la_x: int | None
    la_n: int | None
    excluded: str | None


@dataclass(frozen=True, eq=False)
class Spc:
    """The p chart of the authority's published yearly share up to the year under review, or
    None with ``reason`` (fewer than two published years up to it)."""

    result: SPCResult | None
    reason: str = ""


@dataclass(frozen=True)
class Measure:
    """One reconciliation row: the local figure (a count, or a percentage resting on two) beside
    the published one, the difference and whether they agree (both resting on the local counts;
    ``None`` when the published figure is not there to compare)."""

    measure: str
    label: str
    unit: str
    local: Count | Rests[float]
    published: float
    status: str
    difference: Rests[float] | None
    agrees: Rests[bool] | None


@dataclass(frozen=True)
class Reconciliation:
    """The local extract's D3/D5 figures for the year against the published ones."""

    measures: tuple[Measure, ...]
    tolerance: float
    synthetic: bool
    caveats: tuple[str, ...]
    relations: tuple[Relation, ...]


@dataclass(frozen=True, eq=False)
class BenchmarkFacts:
    """Everything the national benchmark page shows, before disclosure.

    ``unavailable`` says why the comparison is left out (the DfE files hold no figures for the
    year under review, e.g. a year not yet published: plain words, no outside text); the other
    fields are then empty.
    """

    la: bm.LocalAuthority
    period: Period
    year: int
    unavailable: str | None
    neighbours: pd.DataFrame
    neighbours_note: str
    comparators: dict[str, Comparators]
    funnel: Funnel | None
    spc: Spc
    reconciliation: Reconciliation | None
    national: NationalFigures | None
    la_share: Interval | None
    previous_share: float | None
    confidence: float


def _key(*parts: Hashable) -> tuple[Hashable, ...]:
    return ("benchmark", *parts)


def _neighbours(la: bm.LocalAuthority, folder: object) -> tuple[pd.DataFrame, str]:
    try:
        group = bm.statistical_neighbours(la, folder)  # type: ignore[arg-type]
    except bm.NoNeighbourGroupError as exc:
        empty = pd.DataFrame(columns=["Rank", "Authority", "LA code", "Region", "Closeness"])
        return empty.set_index("Rank"), str(exc)
    table = pd.DataFrame(
        {
            "Rank": group["rank"].astype("int64").to_numpy(),
            "Authority": group["la_name"].to_numpy(),
            "LA code": group["old_la_code"].to_numpy(),
            "Region": group["region_name"].to_numpy(),
            "Closeness": group["closeness"].to_numpy(),
        }
    ).set_index("Rank")
    note = (
        "DfE statistical neighbour groupings of April 2021 (closest first)."
        if group.attrs.get("current", True)
        else "The authority has since been reorganised: its group is the file's older one."
    )
    return table, note


def _comparators(la: bm.LocalAuthority, indicator: str, folder: object) -> Comparators:
    ind = bm.get_indicator(indicator)
    notes: list[str] = []
    try:
        long = bm.comparators(la, ind.name, folder=folder)  # type: ignore[arg-type]
        size = len(bm.statistical_neighbours(la, folder))  # type: ignore[arg-type]
    except bm.NoNeighbourGroupError as exc:
        long = bm.comparators(la, ind.name, neighbours=False, folder=folder)  # type: ignore[arg-type]
        size = 0
        notes.append(f"No statistical neighbour comparison: {exc}")
    return Comparators(ind.name, ind.label, ind.unit, long, size, tuple(notes))


def _funnel(la: bm.LocalAuthority, year: int, folder: object) -> Funnel:
    data = bm.funnel_input(year, la=la, folder=folder)  # type: ignore[arg-type]
    points = bm.funnel_classification(data)
    mine = points[points["highlight"]]
    if mine.empty:
        why = data.excluded.loc[data.excluded["old_la_code"] == la.old_la_code, "reason"]
        reason = why.iloc[0].replace("_", " ") if len(why) else "no published figure"
        return Funnel(data, points, None, None, None, reason)
    row = mine.iloc[0]
    return Funnel(data, points, str(row["position"]), int(row["x"]), int(row["n"]), None)


def _spc(la: bm.LocalAuthority, year: int, folder: object) -> Spc:
    try:
        # fewer repeat plans is the better direction, as on the repeat-plans page (01)
        result = bm.la_spc(
            la,
            HEADLINE,
            kind="p",
            improvement="decrease",
            folder=folder,  # type: ignore[arg-type]
            upto=year,
        )
    except LookupError:
        return Spc(None, "no year up to the year under review is published")
    if len(result.table) < 2:
        first = int(result.table.index[0])
        return Spc(
            None,
            f"the published series has only {financial_year_label(first)} up to the year under "
            "review, and a chart needs at least two years",
        )
    return Spc(result)


def _reconciliation(
    cpp: pd.DataFrame,
    la: bm.LocalAuthority,
    year: int,
    tolerance: float,
    synthetic: bool,
    folder: object,
) -> Reconciliation:
    result = bm.reconcile(cpp, la, year, tolerance=tolerance, folder=folder)  # type: ignore[arg-type]
    local = bm.annual_figures(cpp, year)
    counts = {
        m: Count(_key("local", m), int(local[m]))
        for m in (
            "plans_started",
            "second_or_subsequent",
            "open_at_31_march",
            "open_2_years_or_more",
        )
    }
    on = {
        "second_or_subsequent_pct": ("second_or_subsequent", "plans_started"),
        "open_2_years_or_more_pct": ("open_2_years_or_more", "open_at_31_march"),
    }
    measures = []
    for r in result.table.itertuples():
        percent = r.measure in on
        keys = tuple(counts[m].key for m in on[r.measure]) if percent else (counts[r.measure].key,)
        compared = not pd.isna(r.within_tolerance)
        measures.append(
            Measure(
                measure=r.measure,
                label=r.label,
                unit="percent" if percent else "count",
                local=Rests(float(r.local), keys) if percent else counts[r.measure],
                published=float(r.published),
                status=str(r.status),
                difference=Rests(float(r.difference), keys) if compared else None,
                agrees=Rests(bool(r.within_tolerance), keys) if compared else None,
            )
        )
    relations = (
        Relation.part_of(counts["second_or_subsequent"].key, counts["plans_started"].key),
        Relation.part_of(counts["open_2_years_or_more"].key, counts["open_at_31_march"].key),
    )
    return Reconciliation(tuple(measures), tolerance, synthetic, result.caveats, relations)


def compute(
    cpp: pd.DataFrame | None,
    la_code: int | str,
    period_start: object,
    period_end: object,
    *,
    period_label: str | None = None,
    synthetic: bool = False,
    tolerance: float = 0.0,
    confidence_level: float = 0.95,
    dfe_dir: object = None,
) -> BenchmarkFacts:
    """Everything the national benchmark page shows for the authority ``la_code`` (the area
    profile's) and the reporting year holding ``period_end``; ``cpp`` is the cleaned local
    extract to reconcile (None leaves the reconciliation out). ``synthetic`` says the extract
    is the generator's (so it is not expected to match)."""
    period = period_of(period_start, period_end, period_label)
    end = period.end
    year = int(end.year + 1 if end.month >= 4 else end.year)
    la = resolve_la(la_code, dfe_dir)
    neighbours, note = _neighbours(la, dfe_dir)
    empty: dict[str, Any] = {
        "comparators": {},
        "funnel": None,
        "spc": Spc(None, ""),
        "reconciliation": None,
        "national": None,
        "la_share": None,
        "previous_share": None,
    }
    if not la.first_year <= year <= la.last_year:
        why = (
            f"the DfE files hold the authority's figures for {financial_year_label(la.first_year)} "
            f"to {financial_year_label(la.last_year)}, not for {financial_year_label(year)}, the "
            "reporting year of the period under review"
        )
        if year > la.last_year:
            why += " (the DfE publishes a year's figures in the autumn after it ends)"
        return BenchmarkFacts(
            la, period, year, why, neighbours, note, confidence=confidence_level, **empty
        )
    comparators = {name: _comparators(la, name, dfe_dir) for name in INDICATORS}
    funnel = _funnel(la, year, dfe_dir)
    share = None
    if funnel.la_x is not None and funnel.la_n:
        share = wilson_ci(funnel.la_x, funnel.la_n, confidence_level)
    headline = comparators[HEADLINE]
    previous = headline.value("la", year - 1)
    return BenchmarkFacts(
        la=la,
        period=period,
        year=year,
        unavailable=None,
        neighbours=neighbours,
        neighbours_note=note,
        comparators=comparators,
        funnel=funnel,
        spc=_spc(la, year, dfe_dir),
        reconciliation=None
        if cpp is None
        else _reconciliation(cpp, la, year, tolerance, synthetic, dfe_dir),
        national=bm.national_figures(la, HEADLINE, year, folder=dfe_dir),  # type: ignore[arg-type]
        la_share=share,
        previous_share=None if math.isnan(previous) else previous,
        confidence=confidence_level,
    )

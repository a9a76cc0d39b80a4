"""National benchmark (notebook 06): the authority against England, its region and its neighbours.

Built on :mod:`sscb_analysis.benchmarks` (published DfE children in need tables, public and
aggregate). Each function returns a small frozen view holding a display table (every value the
DfE did not publish shown as, e.g., "suppressed at source", never as 0), the raw numbers and a
plain-English sentence. Figures from the local CPP extract (the reconciliation) go through
:mod:`sscb_analysis.disclose` like every other local count.
"""

from __future__ import annotations

import math
import os
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sscb_analysis import benchmarks as bm
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.benchmarks.comparators import COMPARATOR_ORDER
from sscb_analysis.disclose import safe_count
from sscb_analysis.indicators.periods import financial_year_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sscb_analysis.stats.results import SPCResult

__all__ = [
    "INDICATORS",
    "REPORT",
    "BenchmarkSummary",
    "ComparatorView",
    "FunnelView",
    "ReconciliationView",
    "SpcView",
    "benchmark_summary",
    "comparator_chart",
    "comparator_view",
    "funnel_view",
    "headlines",
    "neighbour_table",
    "reconciliation_view",
    "resolve_la",
    "spc_view",
    "status_notes",
    "what_this_means",
]

REPORT = "06_national_benchmark"

#: The indicators the notebook compares, in the order it shows them.
INDICATORS: tuple[str, ...] = (
    "cpp_second_or_subsequent_pct",
    "cpp_open_2_years_or_more_pct",
    "rereferrals_pct",
    "cin_at_31_march",
)

#: Each indicator in words a board member reads in a sentence.
PLAIN_NAMES: dict[str, str] = {
    "cpp_second_or_subsequent_pct": "the share of new plans that were second or subsequent plans",
    "cpp_open_2_years_or_more_pct": (
        "the share of plans open at 31 March that had lasted 2 years or more"
    ),
    "rereferrals_pct": "the share of referrals that were re-referrals within 12 months",
    "cin_at_31_march": "the number of children in need at 31 March",
}

#: How a value the DfE did not publish is shown in a table.
STATUS_TEXT: dict[str, str] = {
    "suppressed": "suppressed at source",
    "not_available": "not available at source",
    "not_applicable": "not applicable",
    "rounds_to_zero": "rounds to zero at source",
    "low_reliability": "withheld at source (low reliability)",
}

_POSITION_TEXT: dict[str, str] = {
    "within": (
        "inside the 95% limits: the difference from England is no more than chance alone "
        "would often give for an authority with this many plans"
    ),
    "above 95%": (
        "above the 95% limit (but inside the 99.8% limit): higher than England by more than "
        "chance usually gives, worth a closer look"
    ),
    "above 99.8%": (
        "above the 99.8% limit: very unlikely to be chance alone if it were like England"
    ),
    "below 95%": (
        "below the 95% limit (but inside the 99.8% limit): lower than England by more than "
        "chance usually gives, worth a closer look"
    ),
    "below 99.8%": (
        "below the 99.8% limit: very unlikely to be chance alone if it were like England"
    ),
}

Folder = str | os.PathLike[str] | None


def _format_value(value: float, unit: str) -> str:
    if unit == "percent":
        return f"{value:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _cell(value: float, status: str, unit: str) -> str:
    if status in ("published", "derived") and not (isinstance(value, float) and math.isnan(value)):
        return _format_value(float(value), unit)
    return STATUS_TEXT.get(status, status.replace("_", " "))


def resolve_la(la_code: int | str, year: int, folder: Folder = None) -> bm.LocalAuthority:
    """The authority for ``la_code``, checked to have published figures in ``year``.

    An unknown code raises :class:`sscb_analysis.benchmarks.UnknownLocalAuthorityError`
    listing close matches; a year outside the files raises ``LookupError`` saying which years
    the authority appears in.
    """
    la = bm.find_la(la_code, folder)
    if not la.first_year <= int(year) <= la.last_year:
        raise LookupError(
            f"{la.label} has published figures for {financial_year_label(la.first_year)} to "
            f"{financial_year_label(la.last_year)} (year = {la.first_year} to {la.last_year}), "
            f"not for year = {year}. Choose a year in that range."
        )
    return la


def neighbour_table(la: bm.LocalAuthority, folder: Folder = None) -> pd.DataFrame:
    """The ten statistical neighbours, closest first, as the notebook shows them.

    Empty (with ``attrs["note"]`` saying why) when the authority has no neighbour group.
    """
    try:
        group = bm.statistical_neighbours(la, folder)
    except bm.NoNeighbourGroupError as exc:
        empty = pd.DataFrame(columns=["Rank", "Authority", "LA code", "Region", "Closeness"])
        empty.attrs["note"] = str(exc)
        return empty
    table = pd.DataFrame(
        {
            "Rank": group["rank"].astype("int64").to_numpy(),
            "Authority": group["la_name"].to_numpy(),
            "LA code": group["old_la_code"].to_numpy(),
            "Region": group["region_name"].to_numpy(),
            "Closeness": group["closeness"].to_numpy(),
        }
    ).set_index("Rank")
    table.attrs["note"] = (
        "DfE statistical neighbour groupings of April 2021 (closest first)."
        if group.attrs.get("current", True)
        else "The authority has since been reorganised: its group is the file's older one."
    )
    return table


@dataclass(frozen=True, eq=False)
class ComparatorView:
    """One indicator for the authority over time beside its comparators.

    ``long`` is :func:`sscb_analysis.benchmarks.comparators`; ``table`` has one row per
    reporting year and one text column per comparator (values not published show their
    reason); ``sentence`` describes ``year``.
    """

    la: bm.LocalAuthority
    indicator: str
    label: str
    unit: str
    year: int
    long: pd.DataFrame
    table: pd.DataFrame
    sentence: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def value(self, comparator: str, year: int | None = None) -> float:
        """The number behind one cell (NaN when not published)."""
        rows = self.long[
            (self.long["comparator"] == comparator) & (self.long["year"] == (year or self.year))
        ]
        return float(rows["value"].iloc[0]) if len(rows) else float("nan")

    def status(self, comparator: str, year: int | None = None) -> str:
        """The status behind one cell (``published``, ``suppressed`` ...)."""
        rows = self.long[
            (self.long["comparator"] == comparator) & (self.long["year"] == (year or self.year))
        ]
        return str(rows["status"].iloc[0]) if len(rows) else "not_available"

    def neighbours_used(self, year: int | None = None) -> int:
        """How many neighbours the median rests on in ``year`` (0 without a group)."""
        rows = self.long[
            (self.long["comparator"] == "neighbours_median")
            & (self.long["year"] == (year or self.year))
        ]
        return int(rows["n_areas"].iloc[0]) if len(rows) else 0


def comparator_view(
    la: bm.LocalAuthority, indicator: str, year: int, folder: Folder = None
) -> ComparatorView:
    """The authority's ``indicator`` against region, England and the neighbours' median."""
    ind = bm.get_indicator(indicator)
    notes: list[str] = []
    try:
        long = bm.comparators(la, ind.name, folder=folder)
    except bm.NoNeighbourGroupError as exc:
        long = bm.comparators(la, ind.name, neighbours=False, folder=folder)
        notes.append(f"No statistical neighbour comparison: {exc}")
    names = dict(zip(long["comparator"], long["area_name"], strict=False))
    table = long.assign(
        cell=[_cell(v, s, ind.unit) for v, s in zip(long["value"], long["status"], strict=True)]
    ).pivot(index="period", columns="comparator", values="cell")
    table = table.fillna("not in the published tables")
    order = [c for c in COMPARATOR_ORDER if c in table.columns]
    table = table[order]
    if "neighbours_median" in table.columns:
        used = long[long["comparator"] == "neighbours_median"].set_index("period")["n_areas"]
        size = len(bm.statistical_neighbours(la, folder))
        table["neighbours_with_a_figure"] = [f"{int(used[p])} of {size}" for p in table.index]
    table = table.rename(columns={**names, "neighbours_with_a_figure": "Neighbours with a figure"})
    table.columns.name = None
    table.index.name = "Year"
    shown = sorted(set(long["status"]) - {"published", "derived"})
    notes += [f"'{STATUS_TEXT.get(s, s)}': {bm.STATUS_MEANINGS.get(s, s)}." for s in shown]
    view = ComparatorView(
        la=la,
        indicator=ind.name,
        label=ind.label,
        unit=ind.unit,
        year=int(year),
        long=long,
        table=table,
        sentence="",
        notes=tuple(notes),
    )
    return _with_sentence(view)


def _with_sentence(view: ComparatorView) -> ComparatorView:
    from dataclasses import replace

    period, unit = financial_year_label(view.year), view.unit
    mine, status = view.value("la"), view.status("la")
    if math.isnan(mine):
        head = f"In {period} {view.la.name}'s figure was {STATUS_TEXT.get(status, status)}"
    else:
        head = f"In {period} {view.la.name}'s figure was {_format_value(mine, unit)}"
    parts = []
    for comparator, name in (("england", "England"), ("region", None)):
        value = view.value(comparator)
        if not math.isnan(value):
            area = name or str(
                view.long.loc[view.long["comparator"] == comparator, "area_name"].iloc[0]
            )
            parts.append(f"{area} {_format_value(value, unit)}")
    used = view.neighbours_used()
    median = view.value("neighbours_median")
    if used and not math.isnan(median):
        parts.append(
            f"the median of its statistical neighbours {_format_value(median, unit)} "
            f"({used} with a published figure)"
        )
    text = f"{head} ({_plain(view)}); " + ", ".join(parts) + "."
    if unit == "count":
        text += (
            " Counts grow with the number of children living in an area, so compare the change "
            "over time (the chart shows each series as an index), not the size."
        )
    return replace(view, sentence=text)


def _plain(view: ComparatorView) -> str:
    return PLAIN_NAMES.get(view.indicator, view.label[:1].lower() + view.label[1:])


def comparator_chart(view: ComparatorView, title: str | None = None) -> Figure:
    """House-style line chart of the authority and its comparators (built without pyplot).

    Percentages are drawn as published; counts as an index (each series' first published
    year = 100) because areas differ in size. Years not published are gaps, named below.
    """
    from matplotlib.figure import Figure

    from sscb_analysis.plots import COLOURS

    long = view.long
    years = sorted(long["year"].unique())
    labels = [financial_year_label(int(y)) for y in years]
    fig = Figure(figsize=(9, 4.5), layout="constrained")
    ax = fig.add_subplot()
    styles = {
        "la": dict(color=COLOURS["highlight"], linewidth=2.4, marker="o", zorder=4),
        "region": dict(color=COLOURS["improvement"], linewidth=1.4, marker="s", markersize=4),
        "london": dict(color=COLOURS["concern"], linewidth=1.2, marker="^", markersize=4),
        "england": dict(color=COLOURS["line"], linewidth=1.6, marker="D", markersize=4),
        "neighbours_median": dict(
            color=COLOURS["neutral"], linewidth=1.4, linestyle="--", marker="v", markersize=4
        ),
    }
    pos = np.arange(len(years))
    mine = long[(long["comparator"] == "la") & long["value"].notna() & (long["value"] > 0)]
    base = int(mine["year"].min()) if len(mine) else None
    for comparator, style in styles.items():
        rows = long[long["comparator"] == comparator]
        if rows.empty:
            continue
        values = rows.set_index("year")["value"].reindex(years).to_numpy(dtype="float64")
        if view.unit == "count":
            start = values[years.index(base)] if base is not None else float("nan")
            values = 100 * values / start if start and not np.isnan(start) else values * np.nan
        ax.plot(pos, values, label=str(rows["area_name"].iloc[0]), **style)
    ax.set_xticks(pos)
    ax.set_xticklabels(labels, rotation=45, ha="right")
    ylabel = (
        "%"
        if view.unit == "percent"
        else f"Index ({financial_year_label(base) if base else 'first year'} = 100)"
    )
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"{view.la.name}: {view.label}", loc="left", fontsize=13)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9, frameon=False)
    if view.year in years:
        ax.axvline(years.index(view.year), color="#BBBBBB", linewidth=1, linestyle=":")
    gaps = long[(long["comparator"] == "la") & (long["status"] != "published")]
    gaps = gaps[gaps["year"] >= view.la.first_year]
    if len(gaps):
        note = f"Gaps in {view.la.name}'s line: " + "; ".join(_runs(gaps)) + "."
        fig.supxlabel(textwrap.fill(note, 120), fontsize=8, x=0.01, ha="left")
    return fig


def _runs(rows: pd.DataFrame) -> list[str]:
    """ "2022-23 to 2024-25: suppressed at source" for consecutive years with one status."""
    runs: list[list] = []
    for year, status in zip(rows["year"], rows["status"], strict=True):
        if runs and runs[-1][2] == status and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year, status])
    label = financial_year_label
    return [
        f"{label(a)}{'' if a == b else ' to ' + label(b)}: {STATUS_TEXT.get(st, st)}"
        for a, b, st in runs
    ]


def status_notes(views: list[ComparatorView]) -> list[str]:
    """Every distinct note under the comparator tables (what each status means)."""
    return list(dict.fromkeys(note for view in views for note in view.notes))


@dataclass(frozen=True, eq=False)
class FunnelView:
    """Every authority's share of second or subsequent plans in ``year`` against England's.

    ``position`` is the authority's place against the limits (``within``, ``above 95%`` ...)
    or ``None`` when it has no usable figure that year (``sentence`` says why).
    """

    data: bm.FunnelInput
    points: pd.DataFrame
    position: str | None
    la_x: int | None
    la_n: int | None
    counts: dict[str, int]
    sentence: str
    coverage: str = ""

    @property
    def la_share(self) -> float | None:
        """The authority's share (0 to 1), or None when not usable."""
        return None if not self.la_n else self.la_x / self.la_n

    def figure(self) -> Figure:
        """The funnel plot with 95% and 99.8% exact binomial limits, the authority marked."""
        return bm.funnel_figure(self.data)


def funnel_view(la: bm.LocalAuthority, year: int, folder: Folder = None) -> FunnelView:
    """The funnel of second or subsequent plans in ``year``, with a sentence on ``la``."""
    data = bm.funnel_input(int(year), la=la, folder=folder)
    points = bm.funnel_classification(data)
    counts = {k: int(v) for k, v in points["position"].value_counts().items()}
    mine = points[points["highlight"]]
    p0 = f"{100 * data.p0:.1f}%"
    left = len(data.excluded)
    coverage = (
        f"{len(points)} authorities had a usable figure in {data.period}"
        + (
            f"; {left} were left out because a count was suppressed, not available or zero."
            if left
            else "."
        )
        + f" England's share, {p0}, is {data.england_x:,.0f} of {data.england_n:,.0f} plans "
        "(national counts are rounded to the nearest 10)."
    )
    if mine.empty:
        why = data.excluded.loc[data.excluded["old_la_code"] == la.old_la_code, "reason"]
        reason = why.iloc[0].replace("_", " ") if len(why) else "no published figure"
        sentence = (
            f"{la.name} is not on the {data.period} funnel ({reason}); England's share of "
            f"second or subsequent plans was {p0}."
        )
        return FunnelView(data, points, None, None, None, counts, sentence, coverage)
    row = mine.iloc[0]
    x, n, position = int(row["x"]), int(row["n"]), str(row["position"])
    outside = len(points) - counts.get("within", 0)
    sentence = (
        f"In {data.period}, {x:,} of the {n:,} child protection plans {la.name} started "
        f"({100 * x / n:.1f}%) were second or subsequent plans, against {p0} for England. "
        f"{la.name} sits {_POSITION_TEXT[position]}. Of {len(points)} authorities with a "
        f"figure, {outside} lie outside the 95% limits."
    )
    return FunnelView(data, points, position, x, n, counts, sentence, coverage)


@dataclass(frozen=True, eq=False)
class SpcView:
    """An SPC chart of the authority's yearly published series and a sentence about it."""

    la: bm.LocalAuthority
    indicator: str
    result: SPCResult
    sentence: str

    @property
    def years(self) -> str:
        """The span charted, e.g. "2012-13 to 2024-25"."""
        index = [int(y) for y in self.result.table.index]
        return f"{financial_year_label(min(index))} to {financial_year_label(max(index))}"

    def figure(self) -> Figure:
        """The chart (Making Data Count colours; x axis labelled "2012-13" ...)."""
        return bm.la_spc_figure(self.la, self.indicator, kind="p")


def spc_view(
    la: bm.LocalAuthority,
    indicator: str = "cpp_second_or_subsequent_pct",
    folder: Folder = None,
) -> SpcView:
    """A p chart of ``la``'s published yearly percentage (from its numerator and denominator)."""
    result = bm.la_spc(la, indicator, kind="p", folder=folder)
    ind = bm.get_indicator(indicator)
    t = result.table
    years = [int(y) for y in t.index]
    flagged = [financial_year_label(y) for y, s in zip(years, t["special_cause"], strict=True) if s]
    text = result.describe(what=f"In {la.name}, {PLAIN_NAMES.get(ind.name, ind.label.lower())}")
    text = text.replace(f"over {result.n} points", f"over {result.n} years")
    if flagged:
        high = [
            financial_year_label(y)
            for y, s, v, c in zip(years, t["special_cause"], t["value"], t["centre"], strict=True)
            if s and v > c
        ]
        low = [p for p in flagged if p not in high]
        bits = []
        if high:
            bits.append(f"above its usual level in {', '.join(high)}")
        if low:
            bits.append(f"below it in {', '.join(low)}")
        text += " The share was " + " and ".join(bits) + "."
    return SpcView(la, ind.name, result, text)


@dataclass(frozen=True, eq=False)
class ReconciliationView:
    """The local CPP extract against the published figures, disclosed for display."""

    result: bm.Reconciliation
    table: pd.DataFrame
    sentence: str
    synthetic: bool
    caveats: tuple[str, ...]


def reconciliation_view(
    cpp: pd.DataFrame,
    la: bm.LocalAuthority,
    year: int,
    *,
    threshold: int = 5,
    synthetic: bool = False,
    tolerance: float = 0.0,
    folder: Folder = None,
) -> ReconciliationView:
    """Set the local extract's D3/D5 figures for ``year`` against ``la``'s published ones.

    Local counts from 1 to ``threshold`` are shown as "c"; so are the percentage built on such
    a count and the difference (which would give the count back from the published figure).
    """
    result = bm.reconcile(cpp, la, int(year), tolerance=tolerance, folder=folder)
    t = result.table
    local = t.set_index("measure")["local"]
    hidden: set[str] = set()
    for measure in (
        "plans_started",
        "second_or_subsequent",
        "open_at_31_march",
        "open_2_years_or_more",
    ):
        if safe_count(int(local[measure]), threshold) == "c":
            hidden.add(measure)
    if hidden & {"second_or_subsequent", "plans_started"}:
        hidden |= {"second_or_subsequent_pct", "second_or_subsequent", "plans_started"}
    if hidden & {"open_2_years_or_more", "open_at_31_march"}:
        hidden |= {"open_2_years_or_more_pct", "open_2_years_or_more", "open_at_31_march"}
    rows = []
    for r in t.itertuples():
        percent = r.measure.endswith("_pct")
        unit = "percent" if percent else "count"
        if r.measure in hidden:
            mine = diff = "c"
        elif math.isnan(r.local):
            mine = diff = "not applicable (no plans)"
        else:
            mine = _format_value(r.local, unit) if percent else f"{int(r.local):,}"
            diff = (
                ""
                if math.isnan(r.difference)
                else (f"{r.difference:+.1f} points" if percent else f"{int(r.difference):+,}")
            )
        published = _cell(r.published, r.status, unit)
        if r.status != "published":
            diff = "not compared"
        agrees = (
            "not compared"
            if pd.isna(r.within_tolerance)
            else ("yes" if r.within_tolerance else "no")
        )
        rows.append(
            {
                "Measure": r.label,
                "Local extract": mine,
                "Published": published,
                "Difference": diff,
                "Agrees": agrees,
            }
        )
    table = pd.DataFrame(rows).set_index("Measure")
    checked = t["within_tolerance"].dropna()
    off = int((~checked.astype(bool)).sum())
    if checked.empty:
        sentence = result.describe()
    elif off == 0:
        sentence = (
            f"The local extract reproduces all {len(checked)} published {result.period} figures "
            f"for {la.name}."
        )
    else:
        sentence = (
            f"The local extract does not reproduce the published {result.period} figures for "
            f"{la.name}: {off} of {len(checked)} figures differ."
        )
    caveats = list(result.caveats)
    if synthetic:
        caveats.insert(
            0,
            "The extract is the built-in SYNTHETIC one: invented plans, so it is not expected to "
            "match the published figures. Run this report on the real extract (on the analyst's "
            "own machine) to check the case system against the census return.",
        )
    if hidden:
        caveats.append(
            f"Local figures of 1 to {threshold} are shown as c, with the percentage and "
            "difference that would reveal them."
        )
    return ReconciliationView(result, table, sentence, synthetic, tuple(caveats))


@dataclass(frozen=True)
class BenchmarkSummary:
    """The headline figures of the benchmark (percentages 0 to 100, NaN when not published)."""

    la_name: str
    la_code: str
    year: int
    period: str
    la_share: float
    england_share: float
    region_name: str
    region_share: float
    neighbour_median: float
    neighbours_used: int
    funnel_position: str | None
    spc_variation: str
    spc_years: str
    la_x: int | None
    la_n: int | None


def benchmark_summary(repeat: ComparatorView, funnel: FunnelView, spc: SpcView) -> BenchmarkSummary:
    """Collect the headline figures from the views of second or subsequent plans."""
    region = repeat.long.loc[repeat.long["comparator"] == "region", "area_name"]
    return BenchmarkSummary(
        la_name=repeat.la.name,
        la_code=repeat.la.old_la_code,
        year=repeat.year,
        period=financial_year_label(repeat.year),
        la_share=repeat.value("la"),
        england_share=repeat.value("england"),
        region_name=str(region.iloc[0]) if len(region) else "",
        region_share=repeat.value("region"),
        neighbour_median=repeat.value("neighbours_median"),
        neighbours_used=repeat.neighbours_used(),
        funnel_position=funnel.position,
        spc_variation=spc.result.variation,
        spc_years=spc.years,
        la_x=funnel.la_x,
        la_n=funnel.la_n,
    )


def _compare(a: float, b: float, name: str) -> str:
    if math.isnan(a) or math.isnan(b):
        return f"cannot be compared with {name}"
    if abs(a - b) < 0.05:
        return f"the same as {name} ({b:.1f}%)"
    return f"{'higher' if a > b else 'lower'} than {name} ({b:.1f}%)"


def what_this_means(
    summary: BenchmarkSummary,
    views: list[ComparatorView],
    reconciliation: ReconciliationView | None = None,
) -> str:
    """The closing plain-English paragraph, built from the figures."""
    s = summary
    if math.isnan(s.la_share):
        first = (
            f"{s.la_name}'s share of second or subsequent plans in {s.period} was not "
            "published, so it cannot be set against England."
        )
    else:
        first = (
            f"In {s.period}, {s.la_share:.1f}% of {s.la_name}'s new child protection plans were "
            f"second or subsequent plans: {_compare(s.la_share, s.england_share, 'England')}, "
            f"{_compare(s.la_share, s.neighbour_median, 'the median of its statistical neighbours')}."
        )
    if s.funnel_position == "within":
        second = (
            "The funnel plot shows the difference from England is within what chance alone "
            "often gives for an authority of its size, so on this measure it is not unusual."
        )
    elif s.funnel_position:
        second = (
            f"On the funnel plot it lies {s.funnel_position.replace('%', '% limit')}: unusual "
            "compared with England, which is a reason to ask why, not a verdict; repeat plans "
            "can be high because children are rightly brought back, or low because plans end "
            "too early."
        )
    else:
        second = "It has no usable figure on the funnel plot for that year."
    third = f"Over {s.spc_years} the SPC chart shows {s.spc_variation} variation" + (
        " (no signal of change)."
        if s.spc_variation == "common cause"
        else ": the share has moved by more than year-to-year noise."
    )
    others = []
    for view in views:
        if view.indicator == "cpp_second_or_subsequent_pct" or view.unit != "percent":
            continue
        mine, eng = view.value("la"), view.value("england")
        if math.isnan(mine):
            others.append(
                f"{_plain(view)} was {STATUS_TEXT.get(view.status('la'), 'not published')}"
            )
        else:
            others.append(
                f"{_plain(view)} was {_format_value(mine, view.unit)}, "
                f"{_compare(mine, eng, 'England')}"
            )
    fourth = f"Also in {s.period}, " + "; ".join(others) + "." if others else ""
    text = " ".join(p for p in (first, second, third, fourth) if p)
    if reconciliation is not None and reconciliation.synthetic:
        text += (
            " The reconciliation used the synthetic extract, so its mismatch says nothing about "
            "the real case system."
        )
    return text


def headlines(
    cpp: pd.DataFrame | None = None,
    *,
    la_code: int | str,
    year: int,
    dfe_dir: Folder = None,
    confidence_level: float = 0.95,
    **_: object,
) -> list[Headline]:
    """The national benchmark's headline for the board: repeat plans against England.

    ``cpp`` is accepted (and ignored) so the board can call every module alike; the figures are
    published DfE statistics for ``la_code`` in ``year``.
    """
    from sscb_analysis.stats import wilson_ci

    la = resolve_la(la_code, year, dfe_dir)
    repeat = comparator_view(la, "cpp_second_or_subsequent_pct", year, dfe_dir)
    funnel = funnel_view(la, year, dfe_dir)
    spc = spc_view(la, folder=dfe_dir)
    s = benchmark_summary(repeat, funnel, spc)
    if s.la_x is None or not s.la_n:
        value, interval = _cell(s.la_share, repeat.status("la"), "percent"), "not available"
    else:
        ci = wilson_ci(s.la_x, s.la_n, confidence_level)
        value = f"{100 * s.la_x / s.la_n:.1f}% ({s.la_x:,} of {s.la_n:,} plans)"
        interval = f"{100 * ci.lower:.1f}% to {100 * ci.upper:.1f}%"
    place = {
        None: "it has no usable figure on the funnel plot",
        "within": "within the range chance alone gives around England's share",
    }.get(s.funnel_position, f"{s.funnel_position} funnel limit: unusual against England")
    sentence = (
        f"Published DfE figures for {s.period}: "
        f"{_compare(s.la_share, s.england_share, 'England')} and "
        f"{_compare(s.la_share, s.neighbour_median, 'the median of similar authorities')}; {place}."
    )
    sentence = sentence[:1].upper() + sentence[1:]
    return [
        Headline(
            key="benchmark_second_or_subsequent",
            label=f"Second or subsequent plans: {s.la_name} against England (published)",
            value=value,
            interval=interval,
            sentence=sentence,
            report=REPORT,
            variation=f"{s.spc_variation} ({s.spc_years})",
            assurance=spc.result.assurance,
            caveats=tuple(spc.result.caveats),
        )
    ]

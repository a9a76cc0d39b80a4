"""National benchmark page, step 3 of 3 (charts): from the disclosed page only.

Every chart here is of published DfE figures. The comparator line charts draw every published
year as context, with the year under review marked; the SPC chart stops at the year under review.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sscb_analysis import benchmarks as bm
from sscb_analysis.alt_text import set_alt
from sscb_analysis.analyses.benchmark.words import (
    STATUS_TEXT,
    facts_of,
    funnel_coverage,
    funnel_sentence,
)
from sscb_analysis.disclose import Page
from sscb_analysis.indicators.periods import financial_year_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["comparator_chart", "funnel_chart", "spc_chart"]

_STYLES = {
    "la": {"key": "highlight", "linewidth": 2.4, "marker": "o", "zorder": 4},
    "region": {"key": "improvement", "linewidth": 1.4, "marker": "s", "markersize": 4},
    "london": {"key": "concern", "linewidth": 1.2, "marker": "^", "markersize": 4},
    "england": {"key": "line", "linewidth": 1.6, "marker": "D", "markersize": 4},
    "neighbours_median": {
        "key": "neutral",
        "linewidth": 1.4,
        "linestyle": "--",
        "marker": "v",
        "markersize": 4,
    },
}


def comparator_chart(page: Page, indicator: str) -> Figure:
    """House-style line chart of the authority and its comparators over every published year
    (context), the year under review marked. Percentages as published; counts as an index (each
    series' first published year = 100) because areas differ in size. Gaps are named below."""
    from matplotlib.figure import Figure

    from sscb_analysis.plots import COLOURS

    f = facts_of(page)
    view = f.comparators[indicator]
    long = view.long
    years = sorted(int(y) for y in long["year"].unique())
    fig = Figure(figsize=(9, 4.5), layout="constrained")
    ax = fig.add_subplot()
    pos = np.arange(len(years))
    mine = long[(long["comparator"] == "la") & long["value"].notna() & (long["value"] > 0)]
    base = int(mine["year"].min()) if len(mine) else None
    for comparator, style in _STYLES.items():
        rows = long[long["comparator"] == comparator]
        if rows.empty:
            continue
        options = {k: v for k, v in style.items() if k != "key"}
        values = rows.set_index("year")["value"].reindex(years).to_numpy(dtype="float64")
        if view.unit == "count":
            start = values[years.index(base)] if base is not None else float("nan")
            values = 100 * values / start if start and not np.isnan(start) else values * np.nan
        label = str(rows["area_name"].iloc[0])
        ax.plot(pos, values, label=label, color=COLOURS[str(style["key"])], **options)
    ax.set_xticks(pos)
    ax.set_xticklabels([financial_year_label(y) for y in years], rotation=45, ha="right")
    first = financial_year_label(base) if base else "first year"
    ax.set_ylabel("%" if view.unit == "percent" else f"Index ({first} = 100)")
    ax.set_title(f"{f.la.name}: {view.label}", loc="left", fontsize=13)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9, frameon=False)
    notes = []
    if f.year in years:
        ax.axvline(years.index(f.year), color="#595959", linewidth=1, linestyle=":")
        notes.append(
            f"Dotted line: {financial_year_label(f.year)}, the year under review; the years "
            "after it are shown for context."
        )
    gaps = long[(long["comparator"] == "la") & (long["status"] != "published")]
    gaps = gaps[gaps["year"] >= f.la.first_year]
    if len(gaps):
        notes.append(f"Gaps in {f.la.name}'s line: " + "; ".join(_runs(gaps)) + ".")
    if notes:
        fig.supxlabel(textwrap.fill(" ".join(notes), 120), fontsize=8, x=0.01, ha="left")
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


def funnel_chart(page: Page) -> Figure:
    """The funnel plot of the year under review: every authority, England's share, 95% and
    99.8% exact binomial limits, the authority marked."""
    fun = facts_of(page).funnel
    assert fun is not None
    # The generic description reads the limit curves as series of points ("from 56. to 1637."):
    # a funnel is described by where the authority sits and what the funnel holds.
    alt = (
        f"Funnel plot of every authority's share of second or subsequent plans in "
        f"{fun.data.period} against its number of plans started, with England's share and its "
        f"95% and 99.8% limits. {funnel_sentence(page)} {funnel_coverage(page)}"
    )
    return set_alt(bm.funnel_figure(fun.data), alt)


def spc_chart(page: Page) -> Figure | None:
    """The p chart of the published years up to the year under review (None without one)."""
    from sscb_analysis.plots import spc_chart as draw

    f = facts_of(page)
    result = f.spc.result
    if result is None:
        return None
    years = [int(y) for y in result.table.index]
    ind = bm.get_indicator("cpp_second_or_subsequent_pct")
    return draw(
        result,
        title=f"{f.la.name}: {ind.label}, up to {financial_year_label(f.year)}",
        x=[financial_year_label(y) for y in years],
        ylabel="%",
    )

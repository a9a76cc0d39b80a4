"""Funnel plots from the published tables: every authority's share against England's.

:func:`funnel_input` builds the points (each authority's numerator and denominator in one
year) and the benchmark ``p0`` (England's published numerator over denominator);
:func:`funnel_classification` and :func:`funnel_figure` hand them to
:func:`sscb_analysis.stats.funnel.funnel_points` and :func:`sscb_analysis.plots.funnel_chart`,
whose 95% and 99.8% limits are exact binomial (Spiegelhalter 2005, appendix A.1.1); the
closed form PHEindicatormethods draws proportion funnels with is ``method="phe"``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sscb_analysis.benchmarks.areas import LocalAuthority, find_la
from sscb_analysis.benchmarks.codes import PUBLISHED
from sscb_analysis.benchmarks.indicators import get_indicator, indicator_values

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["FunnelInput", "funnel_classification", "funnel_figure", "funnel_input"]

LEVELS = (0.95, 0.998)


@dataclass(frozen=True, eq=False)
class FunnelInput:
    """Points and benchmark for a funnel plot of published shares in one year.

    ``table``: one row per authority with a usable figure (``old_la_code, new_la_code, label,
    region_name, x, n, proportion, highlight``); ``excluded``: authorities left out and why
    (a suppressed or missing count, or no plans at all). ``p0`` is England's share
    ``england_x / england_n`` (national counts are rounded to 10 by the DfE).
    """

    year: int
    period: str
    numerator: str
    denominator: str
    table: pd.DataFrame
    excluded: pd.DataFrame
    p0: float
    england_x: float
    england_n: float
    highlight: LocalAuthority | None = None

    @property
    def highlight_label(self) -> str | None:
        """The label of the highlighted authority in ``table`` (None when none is chosen)."""
        return self.highlight.name if self.highlight is not None else None

    def describe(self) -> str:
        """One sentence: what is plotted, against what, and how many were left out."""
        left = len(self.excluded)
        note = f"; {left} left out (suppressed, missing or zero)" if left else ""
        return (
            f"{len(self.table)} local authorities in {self.period}: {self.numerator} over "
            f"{self.denominator}, against England's {100 * self.p0:.1f}% "
            f"({self.england_x:,.0f} of {self.england_n:,.0f}){note}."
        )


def funnel_input(
    year: int,
    la: str | int | LocalAuthority | None = None,
    *,
    numerator: str = "cpp_second_or_subsequent",
    denominator: str = "cpp_started",
    folder: str | os.PathLike[str] | None = None,
) -> FunnelInput:
    """Every authority's ``numerator / denominator`` in ``year`` with England's share as ``p0``.

    The default is the share of child protection plans started in the year that were a
    second or subsequent plan (DfE table D3). ``la`` marks the authority to highlight.
    """
    num, den = get_indicator(numerator), get_indicator(denominator)
    for ind in (num, den):
        if ind.unit != "count":
            raise ValueError(f"{ind.name} is a {ind.unit}; a funnel needs two counts")
    target = find_la(la, folder) if la is not None else None
    x = indicator_values(num, year=year, folder=folder)
    n = indicator_values(den, year=year, folder=folder)
    keys = ["geographic_level", "area_code"]
    both = x.merge(n, on=keys, suffixes=("_x", "_n"), validate="one_to_one")
    england = both[both["geographic_level"] == "national"]
    if england.empty or (england[["status_x", "status_n"]] != PUBLISHED).any(axis=None):
        raise LookupError(f"England's {num.name} or {den.name} is not published for {year}.")
    ex, en = float(england["value_x"].iloc[0]), float(england["value_n"].iloc[0])
    if not 0 < ex < en:
        raise ValueError(f"England's share for {year} is {ex:g} of {en:g}: no funnel to draw.")
    la_rows = both[both["geographic_level"] == "local_authority"]
    reason = np.select(
        [
            la_rows["status_x"] != PUBLISHED,
            la_rows["status_n"] != PUBLISHED,
            la_rows["value_n"] <= 0,
            la_rows["value_x"] > la_rows["value_n"],
        ],
        [
            f"{num.name} " + la_rows["status_x"].astype("str").str.replace("_", " "),
            f"{den.name} " + la_rows["status_n"].astype("str").str.replace("_", " "),
            f"no {den.name}",
            f"{num.name} larger than {den.name}",
        ],
        default="",
    )
    keep = reason == ""
    kept = la_rows[keep]
    code = kept["old_la_code_x"]
    table = pd.DataFrame(
        {
            "old_la_code": code.to_numpy(),
            "new_la_code": kept["new_la_code_x"].to_numpy(),
            "label": kept["la_name_x"].to_numpy(),
            "region_name": kept["region_name_x"].to_numpy(),
            "x": kept["value_x"].to_numpy(dtype="int64"),
            "n": kept["value_n"].to_numpy(dtype="int64"),
        }
    )
    table["proportion"] = table["x"] / table["n"]
    table["highlight"] = table["old_la_code"] == target.old_la_code if target is not None else False
    dropped = la_rows[~keep]
    excluded = pd.DataFrame(
        {
            "old_la_code": dropped["old_la_code_x"].to_numpy(),
            "label": dropped["la_name_x"].to_numpy(),
            "reason": reason[~keep],
        }
    )
    return FunnelInput(
        year=int(year),
        period=f"{int(year) - 1}-{int(year) % 100:02d}",
        numerator=num.name,
        denominator=den.name,
        table=table.sort_values("n", kind="stable").reset_index(drop=True),
        excluded=excluded.reset_index(drop=True),
        p0=ex / en,
        england_x=ex,
        england_n=en,
        highlight=target,
    )


def funnel_classification(
    data: FunnelInput, levels: Sequence[float] = LEVELS, method: str = "exact"
) -> pd.DataFrame:
    """Each authority's position against the funnel (``within``, ``above 95%``, ...).

    The table of :func:`sscb_analysis.stats.funnel.funnel_points` with ``old_la_code`` and
    ``highlight`` added.
    """
    from sscb_analysis.stats.funnel import funnel_points

    t = data.table
    points = funnel_points(
        t["x"], t["n"], p0=data.p0, levels=levels, method=method, labels=t["label"].tolist()
    )
    points.insert(1, "old_la_code", t["old_la_code"].to_numpy())
    points["highlight"] = t["highlight"].to_numpy()
    return points


def funnel_figure(
    data: FunnelInput,
    levels: Sequence[float] = LEVELS,
    method: str = "exact",
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The funnel plot: every authority, England's share, 95% and 99.8% limits, ``la`` marked."""
    from sscb_analysis.plots import funnel_chart
    from sscb_analysis.stats.funnel import funnel_limits

    points = funnel_classification(data, levels=levels, method=method)
    low, top = max(1, int(0.8 * points["n"].min())), int(1.05 * points["n"].max()) + 1
    grid = np.unique(np.round(np.geomspace(low, top, 300)).astype(int))
    limits = funnel_limits(grid, data.p0, levels=levels, method=method)
    num, den = get_indicator(data.numerator), get_indicator(data.denominator)
    title = title or f"{num.label}, {data.period}"
    highlight = data.highlight_label
    if data.highlight is not None and not points["highlight"].any():
        why = data.excluded.loc[
            data.excluded["old_la_code"] == data.highlight.old_la_code, "reason"
        ]
        title += f" ({data.highlight.name} not shown: {why.iloc[0] if len(why) else 'no figure'})"
        highlight = None
    return funnel_chart(
        points,
        limits,
        highlight=highlight,
        title=title,
        xlabel=den.label,
        ylabel="Share",
        ax=ax,
    )

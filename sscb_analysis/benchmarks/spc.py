"""SPC charts of an authority's published yearly series (via :mod:`sscb_analysis.stats.spc`).

An SPC chart needs an unbroken run of periods, so the chart uses the latest run of consecutive
years with a published figure; years left out (suppressed, not available ...) are named in
the result's caveats rather than dropped silently.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any

import pandas as pd

from sscb_analysis.benchmarks.areas import LocalAuthority, find_la
from sscb_analysis.benchmarks.codes import PUBLISHED
from sscb_analysis.benchmarks.indicators import get_indicator, la_series

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sscb_analysis.stats.results import SPCResult

__all__ = ["la_spc", "la_spc_figure"]


def _latest_run(series: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The latest block of consecutive published years, and a note on the years left out."""
    ok = series[series["status"] == PUBLISHED]
    if ok.empty:
        raise LookupError("no year of this series is published, so there is nothing to chart")
    years = ok["year"].to_numpy()
    start = len(years) - 1
    while start > 0 and years[start - 1] == years[start] - 1:
        start -= 1
    run = ok.iloc[start:]
    first = int(run["year"].min())
    left = series[~series["year"].isin(run["year"])]
    reasons: list[list] = []  # [first period, last period, reason], consecutive years merged
    for row in left.itertuples():
        why = str(row.status).replace("_", " ") if row.status != PUBLISHED else "before a gap"
        if reasons and reasons[-1][2] == why:
            reasons[-1][1] = row.period
        else:
            reasons.append([row.period, row.period, why])
    reasons = [f"{a} ({why})" if a == b else f"{a} to {b} ({why})" for a, b, why in reasons]
    notes = (
        [
            f"Years left out: {', '.join(reasons)}. The chart uses the latest unbroken run of "
            f"published years, from {first - 1}-{first % 100:02d}."
        ]
        if reasons
        else []
    )
    return run, notes


def _upto(series: pd.DataFrame, upto: int | None) -> pd.DataFrame:
    """The years of ``series`` up to ``upto`` (all of them without it)."""
    if upto is None:
        return series
    kept = series[series["year"] <= int(upto)]
    if kept.empty:
        first = int(series["year"].min()) if len(series) else None
        raise LookupError(
            f"no published year up to the year ending 31 March {upto}"
            + (f"; the series starts in the year ending 31 March {first}" if first else "")
        )
    return kept


def la_spc(
    la: str | int | LocalAuthority,
    indicator: str,
    *,
    kind: str = "xmr",
    improvement: str = "neutral",
    folder: str | os.PathLike[str] | None = None,
    upto: int | None = None,
    **options: Any,
) -> SPCResult:
    """An SPC chart of ``la``'s yearly published ``indicator``, indexed by year.

    ``kind="xmr"`` (default) charts the values as published. ``kind="p"`` charts a percentage
    indicator from its published numerator and denominator (e.g. second or subsequent plans
    over plans started). ``upto`` (a year ending 31 March) leaves out later years, so a report
    charts its period under review, not the years after it. ``improvement`` and other
    ``options`` go to :func:`sscb_analysis.stats.spc.spc`.
    """
    from sscb_analysis.stats.spc import spc

    target = find_la(la, folder)
    ind = get_indicator(indicator)
    if kind == "p":
        if ind.unit != "percent" or not ind.numerator or not ind.denominator:
            raise ValueError(f"a p chart needs a percentage indicator; {ind.name} is a {ind.unit}")
        num = la_series(target, ind.numerator, folder).set_index("year")
        den = la_series(target, ind.denominator, folder).set_index("year")
        both = num.merge(den, left_index=True, right_index=True, suffixes=("", "_n"))
        both["status"] = (
            both["status"]
            .astype("str")
            .where(both["status_n"].astype("str") == PUBLISHED, both["status_n"].astype("str"))
        )
        run, notes = _latest_run(_upto(both.reset_index(), upto))
        result = spc(
            pd.Series(run["value"].to_numpy(), index=run["year"].to_numpy()),
            kind="p",
            denominators=run["value_n"].to_numpy(),
            improvement=improvement,
            **options,
        )
    else:
        run, notes = _latest_run(_upto(la_series(target, ind, folder), upto))
        result = spc(
            pd.Series(run["value"].to_numpy(), index=run["year"].to_numpy()),
            kind=kind,
            improvement=improvement,
            **options,
        )
    caveats = (
        *result.caveats,
        *notes,
        f"Published DfE figures for {target.label}, years ending 31 March.",
    )
    return dataclasses.replace(result, caveats=caveats)


def la_spc_figure(
    la: str | int | LocalAuthority,
    indicator: str,
    *,
    kind: str = "xmr",
    improvement: str = "neutral",
    title: str | None = None,
    ax: Axes | None = None,
    folder: str | os.PathLike[str] | None = None,
    **options: Any,
) -> Figure:
    """:func:`la_spc` drawn with :func:`sscb_analysis.plots.spc_chart` (x axis: "2012-13" ...)."""
    from sscb_analysis.plots import spc_chart

    target = find_la(la, folder)
    ind = get_indicator(indicator)
    result = la_spc(target, ind.name, kind=kind, improvement=improvement, folder=folder, **options)
    years = [int(y) for y in result.table.index]
    labels = [f"{y - 1}-{y % 100:02d}" for y in years]
    return spc_chart(
        result,
        title=title or f"{target.name}: {ind.label}",
        ax=ax,
        x=labels,
        ylabel=ind.label if ind.unit == "count" else "%",
        percent=False if kind != "p" else None,
    )

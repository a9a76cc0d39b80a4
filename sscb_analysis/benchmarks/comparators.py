"""Comparators for one authority: England, its region (and London), and its statistical neighbours.

The neighbour comparator is the median of the published values of the ten statistical
neighbours each year, over those with a published figure (``n_areas`` says how many): a
suppressed or missing neighbour is left out, never counted as zero.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sscb_analysis.benchmarks.areas import LONDON, LocalAuthority, find_la
from sscb_analysis.benchmarks.codes import PUBLISHED
from sscb_analysis.benchmarks.indicators import get_indicator, indicator_values
from sscb_analysis.benchmarks.neighbours import NoNeighbourGroupError, statistical_neighbours

__all__ = [
    "COMPARATOR_ORDER",
    "NationalFigures",
    "comparator_table",
    "comparators",
    "national_figures",
    "neighbour_values",
]

DERIVED = "derived"
NEIGHBOURS_LABEL = "Statistical neighbours (median)"
COMPARATOR_ORDER = ("la", "region", "london", "england", "neighbours_median")
_COLUMNS = ["year", "period", "comparator", "area_code", "area_name", "value", "status", "n_areas"]


def _pick(values: pd.DataFrame, mask: pd.Series, comparator: str) -> pd.DataFrame:
    rows = values[mask.to_numpy()]
    return pd.DataFrame(
        {
            "year": rows["year"].to_numpy(),
            "period": rows["period"].to_numpy(),
            "comparator": comparator,
            "area_code": rows["area_code"].to_numpy(),
            "area_name": rows["area_name"].to_numpy(),
            "value": rows["value"].to_numpy(),
            "status": rows["status"].astype("str").to_numpy(),
            "n_areas": 1,
        }
    )


def _neighbour_median(values: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    la_rows = values[(values["geographic_level"] == "local_authority").to_numpy()]
    years = sorted(values["year"].unique())
    ok = la_rows[la_rows["old_la_code"].isin(codes) & (la_rows["status"] == PUBLISHED)]
    grouped = ok.groupby("year")["value"].agg(["median", "count"]).reindex(years)
    count = grouped["count"].fillna(0).astype("int64")
    return pd.DataFrame(
        {
            "year": years,
            "period": [f"{y - 1}-{y % 100:02d}" for y in years],
            "comparator": "neighbours_median",
            "area_code": pd.NA,
            "area_name": NEIGHBOURS_LABEL,
            "value": grouped["median"].to_numpy(dtype="float64"),
            "status": np.where(count.to_numpy() > 0, DERIVED, "not_available"),
            "n_areas": count.to_numpy(),
        }
    )


def comparators(
    la: str | int | LocalAuthority,
    indicator: str,
    *,
    neighbours: bool = True,
    folder: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """The authority's series with its comparators, one row per year and comparator.

    Columns: ``year, period, comparator, area_code, area_name, value, status, n_areas``.
    ``comparator`` is ``la``, ``region`` (as published: Inner/Outer London for London
    boroughs), ``london`` (London boroughs only), ``england`` or ``neighbours_median``
    (status ``derived``; ``n_areas`` neighbours had a published value).
    """
    target = find_la(la, folder)
    ind = get_indicator(indicator)
    values = indicator_values(ind, folder=folder)
    level, code = values["geographic_level"], values["area_code"]
    parts = [
        _pick(values, values["old_la_code"] == target.old_la_code, "la"),
        _pick(values, (level == "regional") & (code == target.region_code), "region"),
    ]
    if target.london:
        parts.append(_pick(values, (level == "regional") & (code == LONDON[0]), "london"))
    parts.append(_pick(values, level == "national", "england"))
    if neighbours:
        parts.append(
            _neighbour_median(
                values, statistical_neighbours(target, folder)["old_la_code"].tolist()
            )
        )
    out = pd.concat(parts, ignore_index=True)[_COLUMNS]
    out["comparator"] = pd.Categorical(out["comparator"], categories=list(COMPARATOR_ORDER))
    out = out.sort_values(["year", "comparator"], kind="stable").reset_index(drop=True)
    out["comparator"] = out["comparator"].astype("str")
    out.attrs.update(la=target.label, indicator=ind.name, label=ind.label, unit=ind.unit)
    return out


def comparator_table(
    la: str | int | LocalAuthority,
    indicator: str,
    *,
    neighbours: bool = True,
    folder: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """:func:`comparators` as a wide table: one row per year, one column per comparator.

    Columns are area names (e.g. Southwark, Inner London, London, England, Statistical
    neighbours (median)); cells not published are NaN (see :func:`comparators` for why).
    """
    long = comparators(la, indicator, neighbours=neighbours, folder=folder)
    order = list(dict.fromkeys(long["area_name"]))
    wide = long.pivot(index="year", columns="area_name", values="value")[order]
    wide.columns.name = None
    wide.attrs.update(long.attrs)
    return wide


def neighbour_values(
    la: str | int | LocalAuthority,
    indicator: str,
    *,
    folder: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Each statistical neighbour's published values: one row per year, one column per neighbour.

    Columns are in rank order (closest first); NaN where not published (see ``status`` in
    :func:`sscb_analysis.benchmarks.indicator_values` for the reason).
    """
    group = statistical_neighbours(la, folder)
    values = indicator_values(indicator, level="local_authority", folder=folder)
    rows = values[values["old_la_code"].isin(group["old_la_code"])]
    wide = rows.pivot(index="year", columns="old_la_code", values="value")
    wide = wide.reindex(columns=group["old_la_code"])
    wide.columns = group["la_name"].tolist()
    return wide


@dataclass(frozen=True)
class NationalFigures:
    """England's published figure and the statistical neighbours' median for one indicator and
    reporting year (``None`` where not published), for a page to set a local figure beside."""

    indicator: str
    unit: str
    year: int
    england: float | None
    neighbours_median: float | None
    neighbours_used: int

    @property
    def period(self) -> str:
        """The reporting year as the DfE writes it, e.g. "2012-13"."""
        return f"{self.year - 1}-{self.year % 100:02d}"

    def describe(self) -> str:
        """ "England 14.9%; statistical neighbours (median) 12.4% (2012-13, published)"."""

        def show(value: float) -> str:
            return f"{value:.1f}%" if self.unit == "percent" else f"{value:,.0f}"

        parts = []
        if self.england is not None:
            parts.append(f"England {show(self.england)}")
        if self.neighbours_median is not None:
            parts.append(f"statistical neighbours (median) {show(self.neighbours_median)}")
        return f"{'; '.join(parts)} ({self.period}, published)"


def national_figures(
    la: str | int | LocalAuthority,
    indicator: str,
    year: int,
    *,
    folder: str | os.PathLike[str] | None = None,
) -> NationalFigures | None:
    """England and the neighbours' median for ``indicator`` in the year ending 31 March ``year``.

    None when the files hold neither for that year (a year outside the files, or both not
    published): a page then says no published figure exists, never shows a zero.
    """
    target = find_la(la, folder)
    ind = get_indicator(indicator)
    try:
        long = comparators(target, ind.name, folder=folder)
    except NoNeighbourGroupError:
        long = comparators(target, ind.name, neighbours=False, folder=folder)
    rows = long[long["year"] == int(year)].set_index("comparator")

    def value(comparator: str) -> float | None:
        if comparator not in rows.index:
            return None
        v = rows.loc[comparator, "value"]
        ok = rows.loc[comparator, "status"] in (PUBLISHED, DERIVED)
        return float(v) if ok and v is not None and not math.isnan(float(v)) else None

    england, median = value("england"), value("neighbours_median")
    if england is None and median is None:
        return None
    used = int(rows.loc["neighbours_median", "n_areas"]) if median is not None else 0
    return NationalFigures(ind.name, ind.unit, int(year), england, median, used)

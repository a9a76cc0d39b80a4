"""Published indicators by name: an authority's yearly series, one year for every area, a profile.

Indicator names are listed by :func:`sscb_analysis.benchmarks.list_indicators` (for example
``cpp_second_or_subsequent_pct``, ``cpp_open_2_years_or_more``, ``rereferrals_pct``,
``cin_at_31_march``). Every table keeps ``status`` next to ``value``: NaN is never a zero.
"""

from __future__ import annotations

import difflib
import os

import pandas as pd

from sscb_analysis.benchmarks.areas import LocalAuthority, find_la
from sscb_analysis.benchmarks.catalogue import INDICATORS, LEVELS, Indicator
from sscb_analysis.benchmarks.load import load_all

__all__ = [
    "UnknownIndicatorError",
    "get_indicator",
    "indicator_values",
    "la_profile",
    "la_series",
]

SERIES_COLUMNS = ["year", "period", "value", "status", "symbol"]


class UnknownIndicatorError(LookupError):
    """No indicator of that name; the message lists close matches."""


def get_indicator(name: str | Indicator) -> Indicator:
    """The catalogue entry for ``name``; raises :class:`UnknownIndicatorError` with suggestions."""
    if isinstance(name, Indicator):
        return name
    key = str(name).strip()
    if key in INDICATORS:
        return INDICATORS[key]
    close = difflib.get_close_matches(key.lower(), list(INDICATORS), n=5, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise UnknownIndicatorError(
        f"Unknown indicator {key!r}.{hint} See sscb_analysis.benchmarks.list_indicators()."
    )


def indicator_values(
    indicator: str | Indicator,
    *,
    year: int | None = None,
    level: str | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Every published value of one indicator, optionally for one year and one level.

    ``level`` is ``"national"``, ``"regional"`` or ``"local_authority"`` (the published
    "National", "Regional" and "Local authority" are accepted too).
    """
    ind = get_indicator(indicator)
    tidy = load_all(folder)
    mask = tidy["indicator"] == ind.name
    if year is not None:
        years = tidy.loc[mask, "year"]
        if int(year) not in set(years):
            raise LookupError(
                f"No {ind.name} figures for {year}; the files cover {years.min()} to {years.max()} "
                "(2013 = April 2012 to March 2013)."
            )
        mask &= tidy["year"] == int(year)
    if level is not None:
        wanted = LEVELS.get(level, level)
        if wanted not in LEVELS.values():
            raise ValueError(f"Unknown level {level!r}; use one of {list(LEVELS.values())}.")
        mask &= tidy["geographic_level"] == wanted
    return tidy[mask.to_numpy()].reset_index(drop=True)


def la_series(
    la: str | int | LocalAuthority,
    indicator: str | Indicator,
    folder: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """One authority's yearly series: ``year, period, value, status, symbol``, oldest first."""
    target = find_la(la, folder)
    values = indicator_values(indicator, level="local_authority", folder=folder)
    rows = values[values["old_la_code"] == target.old_la_code].sort_values("year")
    out = rows[SERIES_COLUMNS].reset_index(drop=True)
    out.attrs.update(la=target.label, indicator=get_indicator(indicator).name)
    return out


def la_profile(
    la: str | int | LocalAuthority,
    year: int,
    folder: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Every indicator for one authority in one year: ``indicator, label, unit, value, status``."""
    target = find_la(la, folder)
    tidy = load_all(folder)
    rows = tidy[(tidy["old_la_code"] == target.old_la_code) & (tidy["year"] == int(year))]
    if rows.empty:
        raise LookupError(
            f"No figures for {target.label} in {year}; it appears {target.first_year} to "
            f"{target.last_year}."
        )
    labels = {name: ind.label for name, ind in INDICATORS.items()}
    out = rows[["indicator", "unit", "value", "status", "symbol"]].reset_index(drop=True)
    out.insert(1, "label", out["indicator"].map(labels))
    return out

"""Child protection plan indicators, following the DfE children in need census definitions.

- A plan is *open on* a date when it started on or before it and had not ended by it (a plan
  ending on 31 March is not open at 31 March).
- A plan has lasted *two years or more* when its start is at least two calendar years before the
  reference date (31 March for open plans, the end date for plans that ended).
"""

from __future__ import annotations

import pandas as pd

from sscb_analysis.indicators.periods import (
    financial_year_label,
    quarter_label,
    quarter_range,
    year_ending_31_march,
)

TWO_YEARS = pd.DateOffset(years=2)


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} needs a cleaned CPP extract with columns {columns}; missing {missing}. "
            "Clean the extract first with sscb_analysis.clean('cpp', path)."
        )


def quarterly_plan_starts(
    cpp: pd.DataFrame,
    first: pd.Timestamp | str | None = None,
    last: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Plans started and second or subsequent plans started, per calendar quarter.

    Returns one row per quarter from ``first`` to ``last`` (default: the data's range), with
    ``quarter`` (e.g. ``2012Q1``), ``label`` ("Jan-Mar 2012"), ``plans_started``,
    ``second_or_subsequent`` and ``share`` (NaN when no plan started).
    """
    _require(cpp, ["plan_start_date", "second_or_subsequent"], "quarterly_plan_starts")
    starts = pd.to_datetime(cpp["plan_start_date"])
    if starts.isna().all() and (first is None or last is None):
        raise ValueError("No plan has a start date, so there are no quarters to count.")
    quarters = quarter_range(first or starts.min(), last or starts.max())
    period = starts.dt.to_period("Q")
    repeat = cpp["second_or_subsequent"].fillna(False).astype(bool)
    table = pd.DataFrame(
        {
            "plans_started": period.value_counts(),
            "second_or_subsequent": period[repeat.to_numpy()].value_counts(),
        }
    )
    table = table.reindex(quarters, fill_value=0).fillna(0).astype("int64")
    table.index.name = "quarter"
    table = table.reset_index()
    table["label"] = table["quarter"].map(quarter_label)
    table["share"] = table["second_or_subsequent"] / table["plans_started"].where(
        table["plans_started"] > 0
    )
    table["quarter"] = table["quarter"].astype(str)
    return table[["quarter", "label", "plans_started", "second_or_subsequent", "share"]]


def plans_open_on(cpp: pd.DataFrame, date: pd.Timestamp | str) -> pd.Series:
    """Boolean mask of plans open on ``date`` (started on or before, not yet ended)."""
    _require(cpp, ["plan_start_date", "plan_end_date"], "plans_open_on")
    day = pd.Timestamp(date)
    start = pd.to_datetime(cpp["plan_start_date"])
    end = pd.to_datetime(cpp["plan_end_date"])
    return (start <= day) & (end.isna() | (end > day))


def _years(cpp: pd.DataFrame, years: list[int] | None) -> list[int]:
    if years is not None:
        return sorted(int(y) for y in years)
    found = year_ending_31_march(cpp["plan_start_date"].dropna())
    if found.empty:
        raise ValueError("No plan has a start date, so there are no reporting years.")
    return list(range(int(found.min()), int(found.max()) + 1))


def open_at_31_march(cpp: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """Plans open at 31 March of each year, and how many of them had lasted two years or more.

    ``year`` is the year ending 31 March (2013 = 2012-13), as the DfE publishes it.
    """
    _require(cpp, ["plan_start_date", "plan_end_date"], "open_at_31_march")
    start = pd.to_datetime(cpp["plan_start_date"])
    rows = []
    for year in _years(cpp, years):
        day = pd.Timestamp(year=year, month=3, day=31)
        is_open = plans_open_on(cpp, day)
        long = is_open & (start <= day - TWO_YEARS)
        rows.append(
            {
                "year": year,
                "label": financial_year_label(year),
                "open": int(is_open.sum()),
                "open_two_years_or_more": int(long.sum()),
            }
        )
    table = pd.DataFrame(rows)
    table["share_two_years_or_more"] = table["open_two_years_or_more"] / table["open"].where(
        table["open"] > 0
    )
    return table


def plans_ended_by_year(cpp: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """Plans ending in each reporting year, and how many of them had lasted two years or more."""
    _require(cpp, ["plan_start_date", "plan_end_date"], "plans_ended_by_year")
    start = pd.to_datetime(cpp["plan_start_date"])
    end = pd.to_datetime(cpp["plan_end_date"])
    year = year_ending_31_march(end)
    long = end.notna() & (start <= end - TWO_YEARS)
    rows = []
    for y in _years(cpp, years):
        in_year = (year == y).fillna(False).astype(bool)
        rows.append(
            {
                "year": y,
                "label": financial_year_label(y),
                "ended": int(in_year.sum()),
                "ended_two_years_or_more": int((in_year & long).sum()),
            }
        )
    table = pd.DataFrame(rows)
    table["share_two_years_or_more"] = table["ended_two_years_or_more"] / table["ended"].where(
        table["ended"] > 0
    )
    return table


def categories_by_year(cpp: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """Plans started in each reporting year by their initial category of abuse (rows: category,
    cols: year), as the DfE's table of plans started counts them."""
    _require(cpp, ["plan_start_date", "initial_category"], "categories_by_year")
    year = year_ending_31_march(cpp["plan_start_date"])
    return _category_table(cpp["initial_category"], year, _years(cpp, years))


def open_categories_by_year(cpp: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """Plans open at 31 March of each year by their latest category of abuse (rows: category,
    cols: year), as the DfE's table of plans open at 31 March counts them."""
    _require(
        cpp, ["plan_start_date", "plan_end_date", "latest_category"], "open_categories_by_year"
    )
    wanted = _years(cpp, years)
    parts = []
    for y in wanted:
        is_open = plans_open_on(cpp, pd.Timestamp(year=y, month=3, day=31)).to_numpy()
        parts.append(pd.Series(y, index=cpp.index[is_open]))
    year = pd.concat(parts) if parts else pd.Series(dtype="int64")
    category = cpp["latest_category"].loc[year.index]
    return _category_table(category, year, wanted)


def _category_table(category: pd.Series, year: pd.Series, wanted: list[int]) -> pd.DataFrame:
    levels = (
        list(category.cat.categories)
        if isinstance(category.dtype, pd.CategoricalDtype)
        else sorted(category.dropna().unique())
    )
    table = pd.crosstab(category.to_numpy(), year.to_numpy()).reindex(
        index=levels, columns=wanted, fill_value=0
    )
    table.index.name = "category_of_abuse"
    table.columns = [financial_year_label(int(y)) for y in table.columns]
    return table.astype("int64")

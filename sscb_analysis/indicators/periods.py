"""Reporting periods: DfE years run 1 April to 31 March and are named by the year they end."""

from __future__ import annotations

import pandas as pd


def year_ending_31_march(dates: pd.Series) -> pd.Series:
    """The DfE reporting year of each date, named by its end: 15 May 2012 -> 2013 (2012-13)."""
    d = pd.to_datetime(dates)
    return (d.dt.year + (d.dt.month >= 4).astype("int64")).astype("Int64")


def financial_year_label(year_ending: int) -> str:
    """'2012-13' for the year ending 31 March 2013, as the DfE and board reports write it."""
    return f"{year_ending - 1}-{year_ending % 100:02d}"


def quarter_range(first: pd.Timestamp | str, last: pd.Timestamp | str) -> pd.PeriodIndex:
    """Every calendar quarter from the one holding ``first`` to the one holding ``last``."""
    start = pd.Period(pd.Timestamp(first), freq="Q")
    end = pd.Period(pd.Timestamp(last), freq="Q")
    if end < start:
        raise ValueError(f"The period ends ({last}) before it starts ({first}).")
    return pd.period_range(start, end, freq="Q")


def quarter_label(period: pd.Period) -> str:
    """'Jan-Mar 2012' for 2012Q1: plain words for board readers."""
    months = {1: "Jan-Mar", 2: "Apr-Jun", 3: "Jul-Sep", 4: "Oct-Dec"}
    return f"{months[period.quarter]} {period.year}"

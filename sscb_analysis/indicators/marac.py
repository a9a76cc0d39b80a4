"""MARAC (domestic abuse risk conference) indicators: volumes, repeats, risk, tools, attendance."""

from __future__ import annotations

import pandas as pd

from sscb_analysis.indicators.periods import financial_year_label, year_ending_31_march


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs a cleaned MARAC extract; missing columns {missing}.")


def marac_by_year(marac: pd.DataFrame) -> pd.DataFrame:
    """Referrals per reporting year, repeats within 12 months, and high-risk DASH assessments.

    ``high_risk_base`` counts referrals assessed with DASH (the share of high risk is only
    meaningful among them).
    """
    _require(
        marac,
        ["referral_date", "repeat_within_12_months", "high_risk"],
        "marac_by_year",
    )
    frame = pd.DataFrame(
        {
            "year": year_ending_31_march(marac["referral_date"]),
            "referrals": True,
            "repeats": marac["repeat_within_12_months"].fillna(False).astype(bool),
            "high_risk_base": marac["high_risk"].notna(),
            "high_risk": marac["high_risk"].fillna(False).astype(bool),
        }
    )
    table = frame.groupby("year").sum().astype("int64").reset_index()
    table["year"] = table["year"].astype("int64")
    table.insert(1, "label", table["year"].map(financial_year_label))
    return table


def risk_tool_use_by_period(
    marac: pd.DataFrame, split_date: pd.Timestamp | str, labels: tuple[str, str] | None = None
) -> pd.DataFrame:
    """Referrals by risk tool used, before and from ``split_date`` (rows: period, cols: tool)."""
    _require(marac, ["referral_date", "risk_tool"], "risk_tool_use_by_period")
    split = pd.Timestamp(split_date)
    before, after = labels or (
        f"before {split:%d %b %Y}",
        f"from {split:%d %b %Y}",
    )
    period = pd.Series(
        pd.to_datetime(marac["referral_date"]).ge(split).map({False: before, True: after}),
        index=marac.index,
        name="period",
    )
    tool = marac["risk_tool"]
    table = pd.crosstab(period, tool).reindex([before, after], fill_value=0)
    if isinstance(tool.dtype, pd.CategoricalDtype):
        table = table.reindex(columns=list(tool.cat.categories), fill_value=0)
    table.columns = [str(c) for c in table.columns]
    return table.astype("int64")


def agency_attendance(marac: pd.DataFrame, by_year: bool = True) -> pd.DataFrame:
    """Conferences each agency attended, out of all conferences held (per year if asked).

    ``agencies_present`` holds a semicolon-separated list; each agency is counted once per case.
    """
    _require(marac, ["referral_date", "agencies_present"], "agency_attendance")
    present = (
        marac["agencies_present"]
        .astype("string")
        .fillna("")
        .str.split(";")
        .map(lambda items: sorted({i.strip().lower() for i in items if i.strip()}))
    )
    year = year_ending_31_march(marac["referral_date"])
    long = pd.DataFrame({"year": year, "agency": present}).explode("agency").dropna()
    if by_year:
        attended = pd.crosstab(long["agency"], long["year"])
        held = year.value_counts().reindex(attended.columns, fill_value=0)
        attended.columns = [financial_year_label(int(y)) for y in attended.columns]
        held.index = attended.columns
        table = attended.astype("int64")
        table.loc["conferences held"] = held.astype("int64")
        return table
    counts = long["agency"].value_counts().rename("attended").to_frame()
    counts["conferences"] = len(marac)
    counts["share"] = counts["attended"] / counts["conferences"]
    counts.index.name = "agency"
    return counts

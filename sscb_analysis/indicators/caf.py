"""Common Assessment Framework (early help) indicators: volumes and the user survey."""

from __future__ import annotations

import pandas as pd

from sscb_analysis.indicators.periods import financial_year_label, year_ending_31_march

VERY = "very satisfied"
TOP_TWO = ("very satisfied", "fairly satisfied")


def caf_by_agency(caf: pd.DataFrame, freq: str = "Q") -> pd.DataFrame:
    """Assessments started per period (rows) by initiating agency (columns), zeros kept."""
    for col in ("assessment_date", "initiating_agency"):
        if col not in caf.columns:
            raise ValueError(f"caf_by_agency needs a cleaned CAF extract with column {col!r}.")
    dates = pd.to_datetime(caf["assessment_date"])
    period = dates.dt.to_period(freq)
    table = pd.crosstab(period, caf["initiating_agency"])
    if not table.empty:
        table = table.reindex(pd.period_range(period.min(), period.max(), freq=freq), fill_value=0)
    table.index = table.index.astype(str)
    table.index.name = "period"
    table.columns = [str(c) for c in table.columns]
    return table.astype("int64")


def caf_survey_by_year(caf: pd.DataFrame) -> pd.DataFrame:
    """Survey answers per reporting year of the survey.

    Bases differ by question: each share's denominator is the number who answered that question
    (``responses`` for satisfaction, ``improved_base`` and ``knowledge_base`` for the others);
    "don't know" counts in the base but not as "yes".
    """
    for col in ("survey_date", "satisfaction", "things_improved", "knowledge_improved"):
        if col not in caf.columns:
            raise ValueError(f"caf_survey_by_year needs a cleaned CAF extract with column {col!r}.")
    surveyed = caf[caf["survey_date"].notna()]
    year = year_ending_31_march(surveyed["survey_date"])
    satisfaction = surveyed["satisfaction"].astype("string").str.lower()
    improved = surveyed["things_improved"].astype("string").str.lower()
    knowledge = surveyed["knowledge_improved"].astype("string").str.lower()
    frame = pd.DataFrame(
        {
            "year": year,
            "responses": satisfaction.notna(),
            "very_satisfied": satisfaction.eq(VERY).fillna(False),
            "top_two": satisfaction.isin(TOP_TWO).fillna(False),
            "improved_base": improved.notna(),
            "improved": improved.eq("yes").fillna(False),
            "knowledge_base": knowledge.notna(),
            "knowledge_improved": knowledge.eq("yes").fillna(False),
        }
    )
    table = frame.groupby("year").sum().astype("int64").reset_index()
    table["year"] = table["year"].astype("int64")
    table.insert(1, "label", table["year"].map(financial_year_label))
    return table

"""What each published DfE file holds: its file name and a declarative map of columns to indicators.

The publication names columns differently in each table (``CPP_start``, ``referral_count``,
``At31_episodes`` ...). The loaders read only through this map, so a renamed column in a new
edition is a one-line change here, and a missing column is a clear error naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Columns every local-authority file carries before its measures.
ID_COLUMNS: tuple[str, ...] = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
TIME_IDENTIFIER = "Reporting year"
LEVELS: dict[str, str] = {
    "National": "national",
    "Regional": "regional",
    "Local authority": "local_authority",
}
NEIGHBOURS_FILE = "New_Statistical_Neighbour_Groupings_April_2021.csv"


@dataclass(frozen=True)
class Indicator:
    """One published measure: where it lives and how to read it.

    ``unit`` is ``"count"`` or ``"percent"`` (0 to 100, as published, one decimal place).
    Percentages name their ``numerator`` and ``denominator`` indicators.
    """

    name: str
    label: str
    unit: str
    file: str
    column: str
    numerator: str | None = None
    denominator: str | None = None


@dataclass(frozen=True)
class PublishedFile:
    """One DfE local-authority table: key (``"d3"``), file name, title and its indicators."""

    key: str
    filename: str
    title: str
    indicators: tuple[Indicator, ...]


def _count(name: str, label: str, file: str, column: str) -> Indicator:
    return Indicator(name, label, "count", file, column)


def _pct(
    name: str, label: str, file: str, column: str, numerator: str, denominator: str
) -> Indicator:
    return Indicator(name, label, "percent", file, column, numerator, denominator)


_D3 = "d3"
_D5 = "d5"
_C1 = "c1"
_B1 = "b1"

_DURATIONS = (
    ("3_months_or_less", "cpp_open_3_months_or_less", "3 months or less"),
    ("more_than_3_months_6_months", "cpp_open_3_to_6_months", "more than 3 months to 6 months"),
    (
        "more_than_6_months_less_than_1_year",
        "cpp_open_6_months_to_1_year",
        "more than 6 months, less than 1 year",
    ),
    ("1_year_less_than_2_years", "cpp_open_1_to_2_years", "1 year, less than 2 years"),
    ("2_years_or_more", "cpp_open_2_years_or_more", "2 years or more"),
)

FILES: dict[str, PublishedFile] = {
    _D3: PublishedFile(
        _D3,
        "d3_cpps_subsequent_plan_2013_to_2025.csv",
        "Child protection plans started in the year which were a second or subsequent plan",
        (
            _count("cpp_started", "Child protection plans started in the year", _D3, "CPP_start"),
            _count(
                "cpp_second_or_subsequent",
                "Plans started in the year that were a second or subsequent plan",
                _D3,
                "CPP_subsequent",
            ),
            _pct(
                "cpp_second_or_subsequent_pct",
                "Second or subsequent plans, % of plans started",
                _D3,
                "CPP_subsequent_percent",
                "cpp_second_or_subsequent",
                "cpp_started",
            ),
        ),
    ),
    _D5: PublishedFile(
        _D5,
        "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "Child protection plans open at 31 March by length of time",
        (
            _count("cpp_open_31_march", "Child protection plans open at 31 March", _D5, "CPP_At31"),
            *(
                ind
                for column, name, words in _DURATIONS
                for ind in (
                    _count(name, f"Plans open at 31 March for {words}", _D5, column),
                    _pct(
                        f"{name}_pct",
                        f"Plans open at 31 March for {words}, % of open plans",
                        _D5,
                        f"{column}_percent",
                        name,
                        "cpp_open_31_march",
                    ),
                )
            ),
        ),
    ),
    _C1: PublishedFile(
        _C1,
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "Referrals, re-referrals within 12 months, and referrals with no further action",
        (
            _count(
                "referrals",
                "Referrals to children's social care in the year",
                _C1,
                "referral_count",
            ),
            _count(
                "rereferrals",
                "Referrals within 12 months of a previous referral",
                _C1,
                "rereferral_count",
            ),
            _pct(
                "rereferrals_pct",
                "Re-referrals within 12 months, % of referrals",
                _C1,
                "rereferral_percent",
                "rereferrals",
                "referrals",
            ),
            _count(
                "referrals_nfa",
                "Referrals with no further action",
                _C1,
                "no_further_action_count",
            ),
            _pct(
                "referrals_nfa_pct",
                "Referrals with no further action, % of referrals",
                _C1,
                "no_further_action_percent",
                "referrals_nfa",
                "referrals",
            ),
            _count(
                "referrals_not_in_need",
                "Referrals assessed as not in need",
                _C1,
                "not_in_need_count",
            ),
            _pct(
                "referrals_not_in_need_pct",
                "Referrals assessed as not in need, % of referrals",
                _C1,
                "not_in_need_percent",
                "referrals_not_in_need",
                "referrals",
            ),
            _count(
                "referrals_children", "Children referred in the year", _C1, "referral_child_count"
            ),
            _count(
                "rereferrals_children",
                "Children re-referred within 12 months",
                _C1,
                "rereferral_child_count",
            ),
            _pct(
                "rereferrals_children_pct",
                "Children re-referred within 12 months, % of children referred",
                _C1,
                "rereferral_child_percent",
                "rereferrals_children",
                "referrals_children",
            ),
        ),
    ),
    _B1: PublishedFile(
        _B1,
        "b1_children_in_need_2013_to_2025.csv",
        "Children in need: episodes at any point, started, ended and at 31 March",
        (
            _count(
                "cin_episodes_any_point",
                "Children in need episodes at any point in the year",
                _B1,
                "Anypoint_episodes",
            ),
            _count(
                "cin_children_any_point",
                "Children in need at any point in the year",
                _B1,
                "Anypoint_child",
            ),
            _count(
                "cin_episodes_started",
                "Children in need episodes started in the year",
                _B1,
                "Started_episodes",
            ),
            _count(
                "cin_children_started",
                "Children starting an episode of need in the year",
                _B1,
                "Started_child",
            ),
            _count(
                "cin_episodes_ended",
                "Children in need episodes ended in the year",
                _B1,
                "Ended_episodes",
            ),
            _count(
                "cin_children_ended",
                "Children ending an episode of need in the year",
                _B1,
                "Ended_child",
            ),
            _count(
                "cin_at_31_march",
                "Children in need at 31 March (episodes open)",
                _B1,
                "At31_episodes",
            ),
            _count(
                "cin_awaiting_assessment",
                "Children awaiting assessment (published column awaiting_assessment)",
                _B1,
                "awaiting_assessment",
            ),
        ),
    ),
}

INDICATORS: dict[str, Indicator] = {
    ind.name: ind for published in FILES.values() for ind in published.indicators
}


def list_indicators() -> pd.DataFrame:
    """Every indicator the loaders provide: name, label, unit, file and published column."""
    return pd.DataFrame(
        [
            {
                "indicator": ind.name,
                "label": ind.label,
                "unit": ind.unit,
                "file": FILES[ind.file].filename,
                "column": ind.column,
                "numerator": ind.numerator,
                "denominator": ind.denominator,
            }
            for ind in INDICATORS.values()
        ]
    )

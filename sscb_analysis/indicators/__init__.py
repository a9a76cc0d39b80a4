"""Indicators: counts and shares by period, computed from cleaned extracts.

Each function takes a cleaned frame (columns as in ``docs/data_dictionary.md``) and returns a tidy
table with one row per period. Periods with no events are kept as zero rows, so a quiet quarter is
visible rather than missing. Nothing here suppresses or tests: that is ``disclose`` and ``stats``.
"""

from __future__ import annotations

from sscb_analysis.indicators.caf import caf_by_agency, caf_survey_by_year
from sscb_analysis.indicators.cpp import (
    categories_by_year,
    open_at_31_march,
    open_categories_by_year,
    plans_ended_by_year,
    plans_open_on,
    quarterly_plan_starts,
)
from sscb_analysis.indicators.marac import (
    agency_attendance,
    marac_by_year,
    risk_tool_use_by_period,
)
from sscb_analysis.indicators.periods import (
    financial_year_label,
    quarter_range,
    year_ending_31_march,
)

__all__ = [
    "agency_attendance",
    "caf_by_agency",
    "caf_survey_by_year",
    "categories_by_year",
    "financial_year_label",
    "marac_by_year",
    "open_at_31_march",
    "open_categories_by_year",
    "plans_ended_by_year",
    "plans_open_on",
    "quarter_range",
    "quarterly_plan_starts",
    "risk_tool_use_by_period",
    "year_ending_31_march",
]

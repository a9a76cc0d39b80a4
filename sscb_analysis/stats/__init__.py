"""Honest statistics for small numbers: intervals, exact tests, trends, SPC charts, funnels.

Pure functions on numbers and tables (nothing here knows about CPP, CAF or MARAC). Each result is
a small frozen dataclass with the numbers, ``method``, ``n`` and plain-English ``caveats``, and
``describe()`` gives a sentence a board member can read. See ``docs/methods.md``.
"""

from __future__ import annotations

from sscb_analysis.stats.funnel import funnel_limits, funnel_points
from sscb_analysis.stats.intervals import count_ci, wilson_ci
from sscb_analysis.stats.likert import likert_summary
from sscb_analysis.stats.results import (
    Interval,
    LikertSummary,
    SPCResult,
    TestResult,
    TrendResult,
    format_p,
)
from sscb_analysis.stats.spc import spc
from sscb_analysis.stats.tests import (
    adjust_p,
    compare_counts,
    compare_proportions,
    compare_to_value,
    trend_in_proportions,
)
from sscb_analysis.stats.trends import count_trend

__all__ = [
    "Interval",
    "LikertSummary",
    "SPCResult",
    "TestResult",
    "TrendResult",
    "adjust_p",
    "compare_counts",
    "compare_proportions",
    "compare_to_value",
    "count_ci",
    "count_trend",
    "format_p",
    "funnel_limits",
    "funnel_points",
    "likert_summary",
    "spc",
    "trend_in_proportions",
    "wilson_ci",
]

"""Helpers every analyses module shares: notebook parameters, input checks and disclosed wording.

The report notebooks pass their parameters (dates as ``YYYY-MM-DD`` strings, a suppression
threshold) straight to the analyses; these functions turn them into values with one clear message
for bad input, check that a frame is the cleaned extract a function needs, and write shares and
small counts the same way in every report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sscb_analysis.disclose import safe_count
from sscb_analysis.indicators.periods import financial_year_label

__all__ = [
    "check_cleaned",
    "check_cpp",
    "check_threshold",
    "count_words",
    "parse_day",
    "parse_window",
    "pct",
    "pct_range",
    "period_label",
    "share_hidden",
    "small",
]


# --------------------------------------------------------------------------------------------
# parameters


def parse_day(value: object, name: str) -> pd.Timestamp:
    """A parameter date as a Timestamp, with a clear message when it is not a date."""
    if isinstance(value, pd.Timestamp | dt.date | np.datetime64):
        out = pd.Timestamp(value)
    elif isinstance(value, str):
        try:
            out = pd.Timestamp(dt.date.fromisoformat(value.strip()))
        except ValueError:
            out = pd.NaT
    else:
        out = pd.NaT
    if pd.isna(out):
        raise ValueError(
            f"{name} must be a date written YYYY-MM-DD (e.g. 2012-04-01), not {value!r}"
        )
    return out.normalize()


def parse_window(period_start: object, period_end: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The reporting period's first and last day, refusing a start after the end."""
    start, end = parse_day(period_start, "period_start"), parse_day(period_end, "period_end")
    if start > end:
        raise ValueError(f"period_start ({start:%Y-%m-%d}) is after period_end ({end:%Y-%m-%d}).")
    return start, end


def period_label(period_start: object, period_end: object) -> str:
    """'2012-13' when the period is one April-to-March year, else '1 Jan 2013 to 31 Mar 2013'."""
    start, end = parse_window(period_start, period_end)
    if (start.month, start.day, end.month, end.day) == (4, 1, 3, 31) and end.year == start.year + 1:
        return financial_year_label(end.year)
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def check_threshold(threshold: object) -> int:
    """The ``suppression_threshold`` parameter as an int (a whole number of at least 0)."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 0:
        raise ValueError(f"suppression_threshold must be a whole number >= 0, not {threshold!r}")
    return int(threshold)


# --------------------------------------------------------------------------------------------
# inputs


def check_cleaned(data: object, kind: str, columns: Sequence[str], what: str) -> None:
    """Refuse anything but a cleaned ``kind`` extract (a DataFrame) holding ``columns``.

    ``what`` names the calling function in the message, e.g. "survey_results needs a cleaned CAF
    extract (sscb clean caf); missing columns ['survey_date']."
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"{what} takes the cleaned {kind.upper()} extract as a DataFrame, not {type(data)!r}"
        )
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"{what} needs a cleaned {kind.upper()} extract (sscb clean {kind}); "
            f"missing columns {missing}."
        )


def check_cpp(cpp: object, columns: Sequence[str]) -> None:
    """Refuse anything but a cleaned CPP extract (a DataFrame) holding ``columns``."""
    if not isinstance(cpp, pd.DataFrame):
        raise TypeError(f"cpp must be a cleaned CPP DataFrame, not {type(cpp).__name__}")
    missing = [c for c in columns if c not in cpp.columns]
    if missing:
        raise ValueError(
            f"cpp is missing {missing}: pass the data of sscb_analysis.clean('cpp', path) or "
            "sscb_analysis.data.load_extract('cpp', path)."
        )


# --------------------------------------------------------------------------------------------
# disclosed wording


def pct(x: float, digits: int = 1) -> str:
    """A proportion as a percentage: 0.3104 -> '31.0%'."""
    return f"{100 * x:.{digits}f}%"


def pct_range(lower: float, upper: float) -> str:
    """A likely range of a proportion: '27.0% to 35.3%'."""
    return f"{pct(lower)} to {pct(upper)}"


def small(x: int, threshold: int) -> bool:
    """Whether a count is from 1 to ``threshold`` (shown as ``c``)."""
    return 1 <= x <= threshold


def share_hidden(x: int, n: int, threshold: int) -> bool:
    """Whether the share ``x`` of ``n`` must be withheld: the count, its complement or the base
    is from 1 to ``threshold`` (a published share and base would give a small count back)."""
    return small(x, threshold) or small(n - x, threshold) or small(n, threshold)


def count_words(n: int, threshold: int) -> str:
    """A count for a sentence: 'between 1 and 5' when it is suppressed, else as ``safe_count``."""
    shown = safe_count(n, threshold)
    return f"between 1 and {threshold}" if shown == "c" else shown

"""Helpers every analyses module shares: notebook parameters, input checks and disclosed wording.

The report notebooks pass their parameters (dates as ``YYYY-MM-DD`` strings, a suppression
threshold) straight to the analyses; these functions turn them into values with one clear message
for bad input, check that a frame is the cleaned extract a function needs, and write shares and
small counts the same way in every report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sscb_analysis.disclose import Policy, disclosure_policy, safe_count
from sscb_analysis.escape import md_text
from sscb_analysis.indicators.periods import financial_year_label
from sscb_analysis.reporting.page_style import SYNTHETIC_BANNER_TEXT

#: A backslash-escaped ASCII punctuation character, as :func:`safe` writes it.
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

if TYPE_CHECKING:
    from sscb_analysis.benchmarks import NationalFigures
    from sscb_analysis.reporting.context import ReportContext

__all__ = [
    "Period",
    "check_cleaned",
    "check_cpp",
    "check_threshold",
    "count_words",
    "left_out",
    "national_figures",
    "page_heading",
    "parse_day",
    "parse_window",
    "pct",
    "pct_range",
    "period_label",
    "period_of",
    "plain",
    "policy_of",
    "quarter_words",
    "safe",
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


@dataclass(frozen=True)
class Period:
    """The period under review: first and last day, and how pages name it (e.g. 2012-13)."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str

    @property
    def first_quarter(self) -> pd.Period:
        """The calendar quarter holding the first day."""
        return pd.Period(self.start, freq="Q")

    @property
    def last_quarter(self) -> pd.Period:
        """The calendar quarter holding the last day."""
        return pd.Period(self.end, freq="Q")

    def dates(self) -> str:
        """'1 April 2012 to 31 March 2013'."""
        return f"{self.start.day} {self.start:%B %Y} to {self.end.day} {self.end:%B %Y}"

    @property
    def reporting_year(self) -> int | None:
        """The DfE year (ending 31 March) when the period is exactly one, else None."""
        s, e = self.start, self.end
        whole = (s.month, s.day, e.month, e.day) == (4, 1, 3, 31) and e.year == s.year + 1
        return int(e.year) if whole else None

    @property
    def previous_label(self) -> str:
        """How pages name the same period a year before: '2011-12', or 'the same period a year
        before' when the period is not a reporting year."""
        year = self.reporting_year
        return financial_year_label(year - 1) if year else "the same period a year before"


def period_of(period_start: object, period_end: object, label: str | None = None) -> Period:
    """The :class:`Period` from its first and last day (a report context's ``period_start``,
    ``period_end`` and ``period_label``, or notebook parameters)."""
    start, end = parse_window(period_start, period_end)
    return Period(start, end, label or period_label(start, end))


def quarter_words(first: pd.Period, last: pd.Period) -> str:
    """'April to June 2010 to January to March 2013': which quarters a series covers, in words
    a board member reads."""
    if last < first:
        return "no quarters"
    if last == first:
        return f"{_quarter_name(first)} only"
    return f"{_quarter_name(first)} to {_quarter_name(last)}"


def _quarter_name(q: pd.Period) -> str:
    months = {
        1: "January to March",
        2: "April to June",
        3: "July to September",
        4: "October to December",
    }
    return f"{months[q.quarter]} {q.year}"


def check_threshold(threshold: object) -> int:
    """The ``suppression_threshold`` parameter as an int (a whole number of at least 0)."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 0:
        raise ValueError(f"suppression_threshold must be a whole number >= 0, not {threshold!r}")
    return int(threshold)


def national_figures(
    la_code: object, indicator: str, year: int | None, folder: object = None
) -> NationalFigures | None:
    """England and the statistical neighbours' published ``indicator`` for the year ending
    31 March ``year`` (public figures: no disclosure needed), or None without an LA code, a
    reporting year or a published figure."""
    if la_code in (None, "") or year is None:
        return None
    from sscb_analysis.benchmarks import national_figures as published

    return published(str(la_code), indicator, int(year), folder=folder)  # type: ignore[arg-type]


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
# the report context: policy and the lines at the top of every page


def policy_of(ctx: ReportContext) -> Policy:
    """The disclosure policy of a report context (``area.disclosure`` and the threshold)."""
    return disclosure_policy(ctx.disclosure, ctx.suppression_threshold)


#: The line a page opens with, outside a run, when its data are the generator's (provenance).
SYNTHETIC_NOTE = (
    f"{SYNTHETIC_BANNER_TEXT}: invented extracts made by the project's generator; no figure "
    "here describes a real child or family."
)


def page_heading(ctx: ReportContext, policy: Policy, covers: str | None = None) -> str:
    """The lines every page opens with: the area, the period under review (and why that
    period), which quarters or years its series cover, the disclosure policy, and notes on
    inputs not updated in this run. Everything from outside is escaped."""
    period = period_of(ctx.period_start, ctx.period_end, ctx.period_label)
    why = f"; {safe(ctx.period_basis)}" if ctx.period_basis else ""
    lines = [
        f"**Area:** {safe(ctx.area.name)}. **Period under review:** {period.label} "
        f"({period.dates()}{why}).",
    ]
    if covers:
        lines.append(covers)
    lines.append(policy.statement())
    if ctx.synthetic and ctx.run_dir is None:
        # A run's pages carry the renderer's banner; a notebook run by hand (JupyterLab,
        # papermill, the stored outputs) has only this line to say so.
        lines.append(f"**{SYNTHETIC_NOTE}**")
    lines += [f"**Note:** {safe(n)}" for n in ctx.notes()]
    return "\n\n".join(lines)


# --------------------------------------------------------------------------------------------
# text from outside and sections left out


def safe(text: object) -> str:
    """Text from outside (an area name, a file name, a header, a category value) made safe for
    a Markdown sentence that becomes HTML (``sscb_analysis.escape.md_text``: ``<img onerror=...>``
    stays text and ``[x](javascript:...)`` is no link). Tables need none: pandas escapes cells."""
    return md_text(" ".join(str(text).split()))


def plain(text: str) -> str:
    """A sentence written for a Markdown page (outside text escaped with :func:`safe`) as plain
    text, for a headline: the scorecard and the JSON take plain text and escape it themselves
    (HTML), so Markdown's backslashes would otherwise show ("Barnardo\\'s")."""
    return _MD_ESCAPE.sub(r"\1", text)


def left_out(block: str, key: str, what: str) -> str:
    """The one line a page prints for a section whose input the area profile does not give."""
    return f"{what[:1].upper()}{what[1:]} is left out: the area profile gives no `{block}.{key}`."


# --------------------------------------------------------------------------------------------
# disclosed wording


def pct(x: float, digits: int = 1) -> str:
    """A proportion as a percentage: 0.3104 -> '31.0%'. A share short of the whole is never
    printed as 100% (0.9996 -> '99.9%', rounded down): a reader takes "100.0% of rows used" to
    mean that none were left out."""
    text = f"{100 * x:.{digits}f}%"
    if x < 1 and float(text[:-1]) >= 100:
        text = f"{100 - 10.0**-digits:.{digits}f}%"
    return text


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

"""``period: latest``: the latest complete reporting year (1 April to 31 March) in the data.

A reporting year is **complete** in the data when, in every extract the run uses,

1. each of its twelve months holds at least one recorded date (any date column of the cleaned
   extract: a plan starting or ending, a conference, an assessment, a survey, a referral), and
2. the extract's latest recorded date is on or after the year's last day, 31 March.

The first rule refuses a year the extract only half covers (an extract that starts in June, a
month lost in an export); the second refuses the year still under way (an extract taken on
15 March holds dates in March but not the rest of it). A month without a single recorded date in
a whole extract is rare for a local authority; where it happens, the profile gives the period
explicitly (``period: 2012-13``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from sscb_analysis.indicators.periods import financial_year_label


class PeriodError(RuntimeError):
    """No complete reporting year in the data: the run fails with this sentence."""


@dataclass(frozen=True)
class Coverage:
    """The months an extract records dates in, and its latest date."""

    kind: str
    months: frozenset[tuple[int, int]]
    last: dt.date | None

    def complete(self, year_ending: int) -> bool:
        """Whether the reporting year ending 31 March ``year_ending`` is complete here."""
        if self.last is None or self.last < dt.date(year_ending, 3, 31):
            return False
        return all(m in self.months for m in year_months(year_ending))

    def missing(self, year_ending: int) -> list[str]:
        """The year's months without a recorded date, as words (for the error message)."""
        return [
            dt.date(y, m, 1).strftime("%B %Y")
            for y, m in year_months(year_ending)
            if (y, m) not in self.months
        ]


def year_months(year_ending: int) -> list[tuple[int, int]]:
    """(year, month) of April ``year_ending - 1`` to March ``year_ending``."""
    return [(year_ending - 1, m) for m in range(4, 13)] + [(year_ending, m) for m in range(1, 4)]


def coverage(kind: str, data: pd.DataFrame) -> Coverage:
    """The coverage of a cleaned extract of ``kind`` (its date columns, from the extract spec)."""
    columns = date_columns(kind, data.columns)
    values = [pd.to_datetime(data[c], errors="coerce").dropna() for c in columns]
    dates = pd.concat(values) if values else pd.Series(dtype="datetime64[ns]")
    if dates.empty:
        return Coverage(kind, frozenset(), None)
    months = frozenset(zip(dates.dt.year.tolist(), dates.dt.month.tolist(), strict=True))
    return Coverage(kind, months, dates.max().date())


def date_columns(kind: str, present: pd.Index | list[str]) -> list[str]:
    """The date columns of ``kind``'s spec that the data hold."""
    from sscb_analysis.extracts import get_spec

    have = set(map(str, present))
    return [c.name for c in get_spec(kind).columns if c.type == "date" and c.name in have]


def latest_complete_year(coverages: Mapping[str, Coverage]) -> tuple[dt.date, dt.date]:
    """First and last day of the latest year complete in every extract (docstring above)."""
    if not coverages:
        raise PeriodError(
            "period: latest needs data to find the latest complete reporting year, and the run "
            "has no extract; give the period in the profile (e.g. `period: 2012-13`)"
        )
    lasts = [c.last for c in coverages.values()]
    if any(last is None for last in lasts):
        empty = [k for k, c in coverages.items() if c.last is None]
        raise PeriodError(
            f"period: latest cannot be found: the {', '.join(empty)} extract holds no dates"
        )
    newest = min(last for last in lasts if last is not None)
    oldest = min(min(c.months) for c in coverages.values())
    top = newest.year + (1 if newest.month >= 4 else 0)
    for year in range(top, oldest[0], -1):
        if all(c.complete(year) for c in coverages.values()):
            return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    raise PeriodError(_no_year_message(coverages, top))


def _no_year_message(coverages: Mapping[str, Coverage], year: int) -> str:
    label = financial_year_label(year)
    reasons = []
    for kind, c in coverages.items():
        if c.last is not None and c.last < dt.date(year, 3, 31):
            reasons.append(f"the {kind} extract ends on {c.last:%d %B %Y}")
        missing = c.missing(year)
        if missing:
            reasons.append(f"the {kind} extract has no date in {', '.join(missing[:4])}")
    return (
        "period: latest found no complete reporting year (1 April to 31 March with a recorded "
        f"date in every month, in every extract). The latest candidate, {label}, is not complete: "
        f"{'; '.join(reasons) or 'see the extracts'}. Give the period in the profile "
        "(e.g. `period: 2012-13`) or check the exports."
    )

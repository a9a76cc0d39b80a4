"""Reconcile annual figures from a local CPP extract with the published DfE figures.

From a cleaned CPP extract (columns per the shared extract spec) this derives, for one year
ending 31 March, what the DfE publishes in tables D3 and D5: plans started (1 April to 31
March), of which second or subsequent, plans open at 31 March, and of those open two years or
more. It sets them against the published figures for the same authority and year with the
differences, so an analyst can see whether their extract tells the same story as the census.
Definitions are those of :mod:`sscb_analysis.indicators.cpp` (a plan ending on 31 March is not
open at 31 March; two years or more is two calendar years).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from sscb_analysis.benchmarks.areas import LocalAuthority, find_la
from sscb_analysis.benchmarks.catalogue import INDICATORS
from sscb_analysis.benchmarks.codes import PUBLISHED
from sscb_analysis.benchmarks.load import load_all
from sscb_analysis.indicators.cpp import open_at_31_march
from sscb_analysis.indicators.periods import financial_year_label, year_ending_31_march
from sscb_analysis.plural import agree, plural

__all__ = ["MEASURES", "Reconciliation", "annual_figures", "reconcile"]

# local measure -> published indicator
MEASURES: dict[str, str] = {
    "plans_started": "cpp_started",
    "second_or_subsequent": "cpp_second_or_subsequent",
    "second_or_subsequent_pct": "cpp_second_or_subsequent_pct",
    "open_at_31_march": "cpp_open_31_march",
    "open_2_years_or_more": "cpp_open_2_years_or_more",
    "open_2_years_or_more_pct": "cpp_open_2_years_or_more_pct",
}
REQUIRED = ("plan_start_date", "plan_end_date", "second_or_subsequent")


def _check_extract(cpp: pd.DataFrame) -> None:
    if not isinstance(cpp, pd.DataFrame):
        raise TypeError(f"cpp must be a cleaned CPP DataFrame, not {type(cpp).__name__}")
    missing = [c for c in REQUIRED if c not in cpp.columns]
    if missing:
        raise ValueError(
            f"The CPP extract lacks column(s) {missing}; reconciliation needs {list(REQUIRED)}. "
            "Clean the extract first (sscb clean cpp ...)."
        )
    for column in ("plan_start_date", "plan_end_date"):
        if not pd.api.types.is_datetime64_any_dtype(cpp[column]):
            raise ValueError(
                f"{column} must hold dates (datetime64), found {cpp[column].dtype}; "
                "clean the extract first so day-first dates are parsed, not guessed."
            )
    flags = cpp["second_or_subsequent"]
    if flags.isna().any() or not set(pd.unique(flags)) <= {True, False}:
        raise ValueError("second_or_subsequent must be True or False on every row.")


def _pct(part: float, whole: float) -> float:
    return 100 * part / whole if whole else float("nan")


def annual_figures(cpp: pd.DataFrame, year: int) -> pd.Series:
    """The D3/D5 figures of a cleaned CPP extract for the year ending 31 March ``year``.

    Percentages are unrounded (0 to 100). Plans with no start date are not counted.
    """
    _check_extract(cpp)
    starts_in = (year_ending_31_march(cpp["plan_start_date"]) == int(year)).fillna(False)
    started = int(starts_in.sum())
    repeat = int((starts_in & cpp["second_or_subsequent"].astype(bool)).sum())
    snapshot = open_at_31_march(cpp, years=[int(year)]).iloc[0]
    open_now, long = int(snapshot["open"]), int(snapshot["open_two_years_or_more"])
    return pd.Series(
        {
            "plans_started": started,
            "second_or_subsequent": repeat,
            "second_or_subsequent_pct": _pct(repeat, started),
            "open_at_31_march": open_now,
            "open_2_years_or_more": long,
            "open_2_years_or_more_pct": _pct(long, open_now),
        },
        dtype="float64",
        name=financial_year_label(int(year)),
    )


def _round_half_up(x: float, places: int = 1) -> float:
    if np.isnan(x):
        return x
    step = Decimal(1).scaleb(-places)
    return float(Decimal(repr(round(x, 10))).quantize(step, rounding=ROUND_HALF_UP))


@dataclass(frozen=True, eq=False)
class Reconciliation:
    """Local against published figures for one authority and year.

    ``table`` has one row per measure: ``measure, label, local, published, status,
    difference`` (local minus published), ``relative_difference`` and ``within_tolerance``
    (NA where the published figure is not available; see ``status``).
    """

    la: LocalAuthority
    year: int
    tolerance: float
    table: pd.DataFrame
    caveats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def period(self) -> str:
        """The reporting year as the DfE writes it, e.g. "2012-13"."""
        return financial_year_label(self.year)

    @property
    def matches(self) -> bool:
        """True when every published figure is matched within the tolerance."""
        checked = self.table["within_tolerance"].dropna()
        return bool(len(checked)) and bool(checked.all())

    def describe(self) -> str:
        """One sentence for a report: do the local figures agree with the published ones?"""
        checked = self.table["within_tolerance"].dropna()
        off = self.table.loc[self.table["within_tolerance"].eq(False).fillna(False), "measure"]
        tol = f"within {100 * self.tolerance:g}%" if self.tolerance else "exactly"
        if checked.empty:
            return f"No published figure for {self.la.name} in {self.period} to reconcile against."
        if self.matches:
            return (
                f"The extract reproduces the published {self.period} figures for "
                f"{self.la.name} {tol} ({len(checked)} measures)."
            )
        return (
            f"The extract does not reproduce the published {self.period} figures for "
            f"{self.la.name}: {len(off)} of {len(checked)} measures differ by more than "
            f"the tolerance ({', '.join(off)})."
        )


def reconcile(
    cpp: pd.DataFrame,
    la: str | int | LocalAuthority,
    year: int,
    *,
    tolerance: float = 0.0,
    folder: str | os.PathLike[str] | None = None,
) -> Reconciliation:
    """Set a cleaned CPP extract's figures for ``year`` against the DfE's for ``la``.

    ``tolerance`` is the accepted difference as a fraction of the published figure (0.02 =
    2%; default 0, an exact match). Percentages are first rounded half-up to one decimal place,
    as published. National statistics come from the census return, which can differ from a
    later extract (late recording, amended records), so small differences are normal.
    """
    if not 0 <= tolerance < 1:
        raise ValueError(f"tolerance is a fraction between 0 and 1 (0.02 = 2%), got {tolerance!r}")
    target = find_la(la, folder)
    local = annual_figures(cpp, year)
    tidy = load_all(folder)
    rows = tidy[
        (tidy["old_la_code"] == target.old_la_code)
        & (tidy["year"] == int(year))
        & tidy["indicator"].isin(list(MEASURES.values()))
    ].set_index("indicator")
    if rows.empty:
        raise LookupError(
            f"No published child protection figures for {target.label} in "
            f"{financial_year_label(int(year))}; it appears {target.first_year} to {target.last_year}."
        )
    records = []
    for measure, indicator in MEASURES.items():
        ind = INDICATORS[indicator]
        mine = float(local[measure])
        if ind.unit == "percent":
            mine = _round_half_up(mine, 1)
        published = float(rows.loc[indicator, "value"]) if indicator in rows.index else np.nan
        status = str(rows.loc[indicator, "status"]) if indicator in rows.index else "not_available"
        diff = mine - published
        ok = pd.NA
        if status == PUBLISHED and not np.isnan(mine):
            ok = bool(abs(diff) <= tolerance * abs(published) + 1e-9)
        records.append(
            {
                "measure": measure,
                "label": ind.label,
                "local": mine,
                "published": published,
                "status": status,
                "difference": diff,
                "relative_difference": diff / published if published else np.nan,
                "within_tolerance": ok,
            }
        )
    table = pd.DataFrame(records)
    table["within_tolerance"] = table["within_tolerance"].astype("boolean")
    undated = int(cpp["plan_start_date"].isna().sum())
    caveats = [
        "Published figures are from the DfE children in need census for the year; an extract "
        "taken later can differ (late recording, amended or deleted records)."
    ]
    if undated:
        caveats.append(
            f"{plural(undated, 'plan')} without a start date {agree(undated, 'was', 'were')} "
            "not counted."
        )
    return Reconciliation(target, int(year), float(tolerance), table, tuple(caveats))

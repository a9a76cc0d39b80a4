"""The auditor: checks a disclosed page from the outside, independently of how it was disclosed.

Two checks, used by the tests on families of tiny, skewed and micro extracts:

- :func:`recoverable_counts`: with exact rational arithmetic (not the floating-point null space
  the ledger uses), which withheld counts from 1 to the threshold a reader could work out from
  the counts shown, through every relation on the page (sums, differences, complements), or from
  the bound that every ``c`` is at least 1.
- :func:`unexplained_numbers`: every number printed on a page (sentences, tables, chart labels)
  must be one the disclosure allowed: a shown count, a percentage of shown counts, or a figure
  that is not a count of children (a year, a date, a reference rate...). Anything else could be
  a count that escaped disclosure.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from sscb_analysis.disclose.ledger import Disclosure, Ledger

#: Numbers the house formats and the statistics' caveats print that are not counts: p-value
#: bounds ("p < 0.0001"), the significance level, and the rules of thumb in caveats ("fewer than
#: 30 cases", "a run of 7 points", "at least 12 periods", "fewer than 8 on a side", "below 10").
FORMAT_NUMBERS = (0.0001, 0.001, 0.01, 0.05, 7, 8, 10, 12, 30)

__all__ = [
    "FORMAT_NUMBERS",
    "Finding",
    "audit_page",
    "numbers_in",
    "page_numbers",
    "recoverable_counts",
    "unexplained_numbers",
]


@dataclass(frozen=True)
class Finding:
    """One problem the auditor found: where, and why it gives a small count back."""

    key: Hashable
    value: int
    reason: str


def recoverable_counts(ledger: Ledger, disclosure: Disclosure) -> list[Finding]:
    """Withheld counts from 1 to the threshold that the shown counts give back."""
    t = disclosure.policy.threshold
    values = ledger.values
    hidden = {k for k in values if k not in disclosure.shown}
    small = {k for k in hidden if 1 <= values[k] <= t}
    if not small:
        return []
    found: dict[Hashable, str] = {}
    pinned = _pinned(hidden, ledger.equations)
    for k in pinned & small:
        found[k] = "worked out exactly from the counts shown and how they add up"
    unknown = hidden - pinned
    printed = unknown - ledger.latent
    for eq in ledger.equations:
        terms = {k: c for k, c in eq.items() if k in unknown}
        if not terms or not set(terms) <= printed or set(terms.values()) not in ({1}, {-1}):
            continue
        rest = -sum(c * values[k] for k, c in eq.items() if k not in unknown)
        if rest * next(iter(terms.values())) == len(terms):
            for k in terms:
                if k in small:
                    found.setdefault(k, "every c is at least 1, and these add up to their number")
    return [Finding(k, values[k], why) for k, why in found.items()]


def _pinned(hidden: set[Hashable], equations: Iterable[Mapping[Hashable, int]]) -> set[Hashable]:
    """Hidden keys fixed by the equations (exact Gauss-Jordan elimination over fractions)."""
    rows = [
        {k: Fraction(c) for k, c in eq.items() if k in hidden and c}
        for eq in equations
        if hidden & eq.keys()
    ]
    rows = [r for r in rows if r]
    pivots: dict[Hashable, dict[Hashable, Fraction]] = {}
    for row in rows:
        row = dict(row)
        for p, prow in pivots.items():
            if p in row:
                f = row.pop(p)
                for k, c in prow.items():
                    if k != p:
                        row[k] = row.get(k, Fraction(0)) - f * c
                row = {k: c for k, c in row.items() if c}
        if not row:
            continue
        p = min(row, key=repr)
        f = row[p]
        row = {k: c / f for k, c in row.items()}
        for q, qrow in pivots.items():
            if p in qrow:
                g = qrow.pop(p)
                for k, c in row.items():
                    if k != p:
                        qrow[k] = qrow.get(k, Fraction(0)) - g * c
                pivots[q] = {k: c for k, c in qrow.items() if c}
        pivots[p] = row
    return {p for p, row in pivots.items() if set(row) == {p}}


# --------------------------------------------------------------------------------------------
# numbers printed on a page

_NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?(?P<pct>\s?%)?(?![\w,]|\.\d)"
)


def numbers_in(text: str) -> list[tuple[str, float, bool]]:
    """Every number in ``text``: (as written, value, is a percentage)."""
    out = []
    for m in _NUMBER.finditer(text):
        written = m.group(0)
        value = float(m.group("num").replace(",", "") + (m.group("dec") or ""))
        out.append((written.strip(), value, bool(m.group("pct"))))
    return out


def page_numbers(revealed: Any) -> list[float]:
    """Every number a disclosed page holds (shown counts, table cells, the fields of its
    statistics results): what its words and charts may print, and nothing withheld."""
    out: list[float] = []
    _collect(revealed, out, set())
    return out


def _collect(obj: Any, out: list[float], seen: set[int]) -> None:
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return
    if isinstance(obj, numbers.Real):
        value = float(obj)
        if math.isfinite(value):
            out.append(value)
        return
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, pd.DataFrame):
        for v in obj.to_numpy().ravel():
            _collect(v, out, seen)
    elif isinstance(obj, pd.Series | np.ndarray):
        for v in np.asarray(obj, dtype=object).ravel():
            _collect(v, out, seen)
    elif is_dataclass(obj) and not isinstance(obj, type):
        for f in fields(obj):
            _collect(getattr(obj, f.name), out, seen)
    elif isinstance(obj, Mapping):
        for v in obj.values():
            _collect(v, out, seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for v in obj:
            _collect(v, out, seen)


def unexplained_numbers(
    text: str, explained: Iterable[float], others: Iterable[float] = ()
) -> list[str]:
    """Numbers in ``text`` that no number of the disclosed page explains.

    A written number is explained when, to the precision it is written in (or rounded down by
    one step), it equals one of
    ``explained`` (a count; a share as a percentage or in percentage points, 100 times it; a
    rate ratio as a percentage change, 100 times its distance from 1), or one of ``others`` (numbers that are not counts of children: 12 months, 14 ticks,
    the threshold...). Years (1990 to 2100), written dates, quarter names, reporting years such
    as 2012-13 and the phrase "between 1 and N" (a withheld count) are skipped.
    """
    values = [float(v) for v in explained]
    # as written: the number, a share as a percentage, a ratio as a percentage change
    pool = sorted({abs(x) for v in values for x in (v, 100 * v, 100 * (v - 1))})
    pool += [abs(float(o)) for o in others]
    text = _BETWEEN.sub(" ", text)
    text = _DATES.sub(" ", text)
    text = _QUARTERS.sub(" ", text)
    found = []
    for written, value, _ in numbers_in(text):
        if value.is_integer() and 1990 <= value <= 2100:
            continue
        digits = written.rstrip("% ").split(".")
        half = 0.5 * 10.0 ** -(len(digits[1]) if len(digits) > 1 else 0) + 1e-9
        # to the precision written, or rounded down by one step (a share short of the whole
        # is printed 99.9%, never 100.0%)
        if not any(-2 * half < value - v <= half for v in pool):
            found.append(written)
    return found


_BETWEEN = re.compile(r"\bbetween 1 and \d+\b", re.IGNORECASE)
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATES = re.compile(
    rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b(?:\s+\d{{4}})?|\b(?:{_MONTHS})\s+\d{{4}}\b|"
    r"\b\d{4}-\d{2}(?:-\d{2})?\b|\b\d{4}/\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)
_QUARTERS = re.compile(r"\bQ[1-4]\b|\b\d{4}Q[1-4]\b")


def audit_page(facts: Any, page: Any, text: str, others: Iterable[float] = ()) -> list[str]:
    """Both checks on one page: ``facts`` (the compute results), ``page`` (their
    :class:`~sscb_analysis.disclose.Page`) and ``text`` (every sentence and table the page
    prints). Each finding is one line; an empty list means the page passed."""
    ledger = Ledger().collect(facts)
    found = [
        f"{f.key!r} ({f.value}) can be worked out: {f.reason}"
        for f in recoverable_counts(ledger, page.disclosure)
    ]
    explained = page_numbers(page.results)
    found += [
        f"the number {n!r} on the page is not a disclosed figure"
        for n in unexplained_numbers(text, explained, [*FORMAT_NUMBERS, *others])
    ]
    return found

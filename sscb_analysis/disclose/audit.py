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

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from sscb_analysis.disclose.ledger import Disclosure, Ledger

__all__ = ["Finding", "numbers_in", "recoverable_counts", "unexplained_numbers"]


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
    for k in _pinned(hidden, ledger.equations):
        if k in small:
            found[k] = "worked out exactly from the counts shown and how they add up"
    printed = hidden - ledger.latent
    for eq in ledger.equations:
        terms = {k: c for k, c in eq.items() if k in hidden}
        if not terms or not set(terms) <= printed or set(terms.values()) not in ({1}, {-1}):
            continue
        rest = -sum(c * values[k] for k, c in eq.items() if k not in hidden)
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


def unexplained_numbers(
    text: str,
    counts: Iterable[int],
    percents: Iterable[float] = (),
    others: Iterable[float] = (),
    tolerance: float = 0.051,
) -> list[str]:
    """Numbers in ``text`` that are neither a shown count, nor one of ``percents`` (to within
    ``tolerance`` percentage points, for rounding), nor one of ``others`` (years, days, the
    threshold, reference figures: numbers that are not counts of children).

    Years (1990 to 2100) and the day numbers of written dates are taken as ``others``.
    """
    allowed = {float(c) for c in counts} | {float(o) for o in others}
    pcts = [float(p) for p in percents]
    text = _DATES.sub(" ", text)
    text = _QUARTERS.sub(" ", text)
    found = []
    for written, value, is_pct in numbers_in(text):
        if is_pct:
            if any(abs(value - p) <= tolerance for p in pcts) or value in allowed:
                continue
        elif value in allowed or (value.is_integer() and 1990 <= value <= 2100):
            continue
        found.append(written)
    return found


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATES = re.compile(
    rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b(?:\s+\d{{4}})?|\b(?:{_MONTHS})\s+\d{{4}}\b|"
    r"\b\d{4}-\d{2}(?:-\d{2})?\b|\b\d{4}/\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)
_QUARTERS = re.compile(r"\bQ[1-4]\b|\b\d{4}Q[1-4]\b")

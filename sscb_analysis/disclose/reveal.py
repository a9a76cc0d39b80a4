"""What the words and charts of a page may use: the compute step's results after disclosure.

:func:`reveal` walks a page's results (dataclasses, mappings, lists, tuples) and replaces every
:class:`~sscb_analysis.disclose.ledger.Count` by a :class:`Shown` (its value, or nothing when
withheld), every :class:`~sscb_analysis.disclose.ledger.CountTable` by a :class:`ShownTable`, and
every :class:`~sscb_analysis.disclose.ledger.Rests` by its result, or ``None`` when it rests on a
withheld count. What comes out holds no withheld number, so words and charts built from it
cannot give one back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, is_dataclass
from typing import Any

import numpy as np
import pandas as pd

from sscb_analysis.disclose.ledger import Count, CountTable, Disclosure, Ledger, Rests

__all__ = ["Shown", "ShownTable", "check_revealed", "reveal"]

#: How a withheld count is printed in tables.
SYMBOL = "c"


@dataclass(frozen=True)
class Shown:
    """A count after disclosure: ``value`` is ``None`` when withheld (``small`` when withheld
    because it is from 1 to ``threshold``, else to protect one that is)."""

    key: Hashable
    value: int | None
    small: bool = False
    threshold: int = 0

    @property
    def withheld(self) -> bool:
        """Whether the count is withheld."""
        return self.value is None

    def __str__(self) -> str:
        return SYMBOL if self.value is None else f"{self.value:,}"

    def words(self) -> str:
        """The count for a sentence: the number, or why it is not given."""
        if self.value is not None:
            return f"{self.value:,}"
        if self.small:
            return f"between 1 and {self.threshold}"
        return "a withheld number"

    def of(self, noun: str) -> str:
        """The count before a noun: "474 referrals", "between 1 and 5 referrals", or "a
        withheld number of referrals" (withheld to protect a small count elsewhere)."""
        if self.value is None and not self.small:
            return f"a withheld number of {noun}"
        return f"{self.words()} {noun}"


@dataclass(frozen=True, eq=False)
class ShownTable:
    """A disclosed table: ``frame`` holds whole numbers or ``c`` (with totals when the table
    had them); ``numbers`` the same as floats with NaN where withheld (for charts)."""

    key: Hashable
    frame: pd.DataFrame

    @property
    def numbers(self) -> pd.DataFrame:
        """The shown counts as floats, withheld cells as NaN."""
        return self.frame.map(lambda v: np.nan if v == SYMBOL else float(v)).astype("float64")

    @property
    def withheld(self) -> pd.DataFrame:
        """True where a cell is withheld."""
        return self.frame.map(lambda v: v == SYMBOL).astype(bool)

    def body(self) -> pd.DataFrame:
        """The table without its Total row and column."""
        from sscb_analysis.disclose.tables import TOTAL

        return self.frame.drop(index=TOTAL, columns=TOTAL, errors="ignore")


def reveal(obj: Any, disclosure: Disclosure) -> Any:
    """``obj`` with every count, table and result replaced by what ``disclosure`` allows."""
    if isinstance(obj, Count):
        value = disclosure.shown.get(obj.key)
        return Shown(obj.key, value, obj.key in disclosure.small, disclosure.policy.threshold)
    if isinstance(obj, CountTable):
        full = obj.full().astype(object)
        for r in full.index:
            for c in full.columns:
                if obj.cell(r, c) not in disclosure.shown:
                    full.loc[r, c] = SYMBOL
                else:
                    full.loc[r, c] = int(full.loc[r, c])
        return ShownTable(obj.key, full)
    if isinstance(obj, Rests):
        return reveal(obj.result, disclosure) if disclosure.allows(obj.on) else None
    if is_dataclass(obj) and not isinstance(obj, type):
        changes = {
            f.name: reveal(getattr(obj, f.name), disclosure)
            for f in dataclasses.fields(obj)
            if f.init
        }
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, Mapping):
        return type(obj)({k: reveal(v, disclosure) for k, v in obj.items()})
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(reveal(v, disclosure) for v in obj)
    if isinstance(obj, list):
        return [reveal(v, disclosure) for v in obj]
    return obj


def check_revealed(obj: Any) -> None:
    """Refuse ``obj`` if it still holds a count, table or result from before disclosure."""
    found = _undisclosed(obj)
    if found is not None:
        raise TypeError(
            f"words and charts take disclosed results only; found a {type(found).__name__} "
            "(pass the results through sscb_analysis.analyses.page.disclose first)"
        )


def _undisclosed(obj: Any) -> Any:
    if isinstance(obj, Count | CountTable | Rests | Ledger):
        return obj
    if is_dataclass(obj) and not isinstance(obj, type):
        items = [getattr(obj, f.name) for f in dataclasses.fields(obj)]
    elif isinstance(obj, Mapping):
        items = list(obj.values())
    elif isinstance(obj, list | tuple):
        items = list(obj)
    else:
        return None
    for item in items:
        found = _undisclosed(item)
        if found is not None:
            return found
    return None

"""One disclosure pass over every count a page shows, and how those counts add up.

A compute step hands over its counts as :class:`Count` (a key and the true value), its tables as
:class:`CountTable`, the ways they add up as :class:`Relation` (a total and its parts, or a part
of a whole), and every statistic that would give counts back (a share, an interval, a test) as
:class:`Rests` on the keys of those counts. :class:`Ledger` collects them all for one page and
:meth:`Ledger.disclose` decides, once, which counts are withheld:

- **primary**: every count from 1 to the policy's threshold, wherever it appears;
- **secondary**: more counts, smallest first, until no primary count can be worked out from the
  counts shown, by sums, differences or complements across the whole page (linear algebra over
  every relation, and the bound that a withheld count is at least 1).

The same key always means the same number: a count shown in two tables is withheld in both, and
so are two keys declared the same (:meth:`Relation.same`). A
part of a whole brings its complement (the whole less the part) in as a count the page never
prints but a reader could work out, so "43 cases, 38 attended" withholds one of them when 5 did
not attend. A share or a test is shown only when every count it rests on is (see
:mod:`~sscb_analysis.disclose.reveal`).
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

from sscb_analysis.disclose.policy import Policy
from sscb_analysis.disclose.tables import TOTAL

__all__ = [
    "Count",
    "CountTable",
    "Disclosure",
    "Ledger",
    "LedgerError",
    "Relation",
    "Rests",
]

Key = Hashable
T = TypeVar("T")


class LedgerError(ValueError):
    """The counts handed to disclosure contradict each other (one key, two values...)."""


def _whole(value: object, what: str) -> int:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise LedgerError(f"{what} must be a whole number of at least 0, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Count:
    """A count found by a compute step, before disclosure: its key and true value."""

    key: Key
    value: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _whole(self.value, f"count {self.key!r}"))


@dataclass(frozen=True)
class Relation:
    """How counts add up: ``total`` is the sum of ``parts`` (with ``part_of``: one part of a
    whole, whose complement is a count the page never prints but a reader could work out)."""

    total: Key
    parts: tuple[Key, ...]
    complement: bool = False

    @classmethod
    def sum(cls, total: Key, parts: Iterable[Key]) -> Relation:
        """``total`` = the sum of ``parts``."""
        return cls(total, tuple(parts))

    @classmethod
    def part_of(cls, part: Key, whole: Key) -> Relation:
        """``part`` is one part of ``whole`` (the rest, ``whole - part``, is implied)."""
        return cls(whole, (part,), complement=True)

    @classmethod
    def same(cls, a: Key, b: Key) -> Relation:
        """``a`` and ``b`` are the same number under two names."""
        return cls(a, (b,))


@dataclass(frozen=True, eq=False)
class CountTable:
    """A table of counts (rows x columns of whole numbers) with its key.

    Cell keys are ``(key, row, column)``. With ``totals`` a Total row and column are added
    (keys ``(key, row, TOTAL)``...), which add up to the cells.
    """

    key: Key
    counts: pd.DataFrame
    totals: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.counts, pd.DataFrame):
            raise LedgerError(f"table {self.key!r} must be a DataFrame of counts")
        for column in self.counts.columns:
            for row, v in self.counts[column].items():
                _whole(v, f"cell {row!r}, {column!r} of table {self.key!r}")

    def cell(self, row: Hashable, column: Hashable) -> Key:
        """The key of one cell (``TOTAL`` for a margin)."""
        return (self.key, row, column)

    def full(self) -> pd.DataFrame:
        """The counts with their totals (when ``totals``), as int64."""
        body = self.counts.astype("int64")
        if not self.totals:
            return body
        out = body.copy()
        out[TOTAL] = out.sum(axis=1)
        out.loc[TOTAL] = out.sum(axis=0)
        return out.astype("int64")

    def counts_and_relations(self) -> tuple[list[Count], list[Relation]]:
        """Every cell as a :class:`Count`, and the sums of rows and columns (with totals)."""
        full = self.full()
        counts = [
            Count(self.cell(r, c), int(full.loc[r, c])) for r in full.index for c in full.columns
        ]
        relations: list[Relation] = []
        if self.totals:
            rows, cols = list(self.counts.index), list(self.counts.columns)
            for r in [*rows, TOTAL]:
                relations.append(Relation.sum(self.cell(r, TOTAL), [self.cell(r, c) for c in cols]))
            for c in cols:
                relations.append(Relation.sum(self.cell(TOTAL, c), [self.cell(r, c) for r in rows]))
        return counts, relations


@dataclass(frozen=True)
class Rests(Generic[T]):
    """A result (a share, an interval, a test, a chart point) that would give back the counts
    it rests on: shown only when every one of them is."""

    result: T
    on: tuple[Key, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "on", tuple(self.on))


@dataclass(frozen=True)
class Disclosure:
    """The outcome of one disclosure pass: which counts are shown (with their values) and which
    are withheld. It holds no withheld value."""

    policy: Policy
    shown: Mapping[Key, int]
    withheld: frozenset[Key]
    small: frozenset[Key] = field(default_factory=frozenset)

    def allows(self, keys: Iterable[Key]) -> bool:
        """Whether every count in ``keys`` is shown (so a result resting on them may be)."""
        return all(k in self.shown for k in keys)

    def value(self, key: Key) -> int | None:
        """The shown value of ``key``, or ``None`` when it is withheld."""
        if key not in self.shown and key not in self.withheld:
            raise KeyError(f"no count {key!r} on this page")
        return self.shown.get(key)


class Ledger:
    """Every count of one page, the relations between them, and the one disclosure pass."""

    def __init__(self) -> None:
        self._values: dict[Key, int] = {}
        self._latent: set[Key] = set()
        self._equations: list[dict[Key, int]] = []
        self._aliases: dict[Key, set[Key]] = {}

    # ---------------------------------------------------------------- collecting

    @property
    def values(self) -> Mapping[Key, int]:
        """Every count's true value (for checks: never put on a page)."""
        return dict(self._values)

    @property
    def latent(self) -> frozenset[Key]:
        """Counts the page never prints but a reader could work out (complements)."""
        return frozenset(self._latent)

    @property
    def equations(self) -> tuple[Mapping[Key, int], ...]:
        """Each relation as coefficients summing to zero (parts +1, total -1)."""
        return tuple(dict(e) for e in self._equations)

    def add(self, count: Count) -> None:
        """Add one count; the same key twice must carry the same value."""
        old = self._values.get(count.key)
        if old is not None and old != count.value:
            raise LedgerError(
                f"count {count.key!r} is given as both {old} and {count.value} on one page"
            )
        self._values[count.key] = count.value
        self._latent.discard(count.key)

    def relate(self, relation: Relation) -> None:
        """Add one relation between counts already added."""
        keys = [relation.total, *relation.parts]
        missing = [k for k in keys if k not in self._values]
        if missing:
            raise LedgerError(f"relation names counts not on the page: {missing}")
        equation: dict[Key, int] = {}
        for k in relation.parts:
            equation[k] = equation.get(k, 0) + 1
        equation[relation.total] = equation.get(relation.total, 0) - 1
        if relation.complement:
            (part,) = relation.parts
            rest = ("rest", part, relation.total)
            value = self._values[relation.total] - self._values[part]
            if value < 0:
                raise LedgerError(f"{part!r} ({self._values[part]}) is larger than its whole")
            if rest not in self._values:
                self._values[rest] = value
                self._latent.add(rest)
            equation[rest] = 1
        elif sum(c * self._values[k] for k, c in equation.items()) != 0:
            raise LedgerError(f"{relation.total!r} is not the sum of {list(relation.parts)}")
        equation = {k: c for k, c in equation.items() if c}
        if equation:
            self._equations.append(equation)
        if not relation.complement and len(relation.parts) == 1:
            self._alias(relation.total, relation.parts[0])

    def _alias(self, a: Key, b: Key) -> None:
        """``a`` and ``b`` are one number under two names: shown or withheld together."""
        group = self._aliases.get(a, {a}) | self._aliases.get(b, {b})
        for k in group:
            self._aliases[k] = group

    def _together(self, keys: set[Key]) -> set[Key]:
        """``keys`` with every other name of the same numbers."""
        out = set(keys)
        for k in keys:
            out |= self._aliases.get(k, set())
        return out

    def collect(self, obj: Any) -> Ledger:
        """Add every Count, CountTable and Relation found in ``obj`` (dataclasses, mappings,
        lists and tuples, searched recursively); relations are added after all counts."""
        relations: list[Relation] = []
        self._walk(obj, relations)
        for relation in relations:
            self.relate(relation)
        return self

    def _walk(self, obj: Any, relations: list[Relation]) -> None:
        if isinstance(obj, Count):
            self.add(obj)
        elif isinstance(obj, Relation):
            relations.append(obj)
        elif isinstance(obj, CountTable):
            counts, rels = obj.counts_and_relations()
            for c in counts:
                self.add(c)
            relations.extend(rels)
        elif isinstance(obj, Rests):
            return
        elif is_dataclass(obj) and not isinstance(obj, type):
            for f in fields(obj):
                self._walk(getattr(obj, f.name), relations)
        elif isinstance(obj, Mapping):
            for v in obj.values():
                self._walk(v, relations)
        elif isinstance(obj, list | tuple):
            for v in obj:
                self._walk(v, relations)

    # ---------------------------------------------------------------- disclosing

    def disclose(self, policy: Policy) -> Disclosure:
        """Withhold every count from 1 to the threshold, then more until none of those can be
        worked out from what is shown; return what is shown."""
        t = policy.threshold
        small = {k for k, v in self._values.items() if 1 <= v <= t}
        hidden = set(self._latent) | self._together(small)
        order = {k: i for i, k in enumerate(self._values)}
        while True:
            exposed = self._exposed(hidden, small, t)
            if not exposed:
                break
            hidden |= self._together({self._pick(exposed, hidden, order)})
        shown = {k: v for k, v in self._values.items() if k not in hidden}
        withheld = frozenset(hidden - self._latent)
        return Disclosure(policy, shown, withheld, frozenset(small - self._latent))

    def _exposed(self, hidden: set[Key], small: set[Key], threshold: int) -> set[Key]:
        """Small counts a reader could work out from the shown ones."""
        if not small:
            return set()
        return (determined(hidden, self._equations) | self._bounded(hidden, threshold)) & small

    def _bounded(self, hidden: set[Key], threshold: int) -> set[Key]:
        """Withheld counts pinned by bounds: every ``c`` is at least 1, so hidden cells adding
        up to their number are all 1; cautiously, when they add up to the threshold times
        their number, they are all at the threshold."""
        out: set[Key] = set()
        for eq in self._equations:
            rest = -sum(c * self._values[k] for k, c in eq.items() if k not in hidden)
            terms = [(k, c) for k, c in eq.items() if k in hidden]
            if not terms or any(k in self._latent for k, _ in terms):
                continue
            signs = {c for _, c in terms}
            if len(signs) != 1 or abs(next(iter(signs))) != 1:
                continue
            total = rest * next(iter(signs))
            if total in (len(terms), len(terms) * threshold):
                out.update(k for k, _ in terms)
        return out

    def _pick(self, exposed: set[Key], hidden: set[Key], order: Mapping[Key, int]) -> Key:
        """The shown count to withhold next: the smallest non-zero one sharing a relation with
        an exposed count (else in the same group of related counts), ties in page order."""
        near = {k for eq in self._equations if exposed & eq.keys() for k in eq}
        for pool in (near, self._component(exposed)):
            choices = [k for k in pool if k not in hidden and self._values[k] > 0]
            if choices:
                return min(choices, key=lambda k: (self._values[k], order[k]))
        raise LedgerError(
            f"counts {sorted(map(repr, exposed))} can be worked out and no other count could be "
            "withheld to protect them"
        )

    def _component(self, start: set[Key]) -> set[Key]:
        seen, todo = set(start), list(start)
        while todo:
            k = todo.pop()
            for eq in self._equations:
                if k in eq:
                    for other in eq:
                        if other not in seen:
                            seen.add(other)
                            todo.append(other)
        return seen


def determined(hidden: set[Key], equations: Iterable[Mapping[Key, int]]) -> set[Key]:
    """Hidden keys whose value follows exactly from the shown ones through ``equations``.

    A hidden key is determined when it is zero in every vector of the null space of the
    equations restricted to the hidden keys (every solution agrees on it).
    """
    eqs = [eq for eq in equations if hidden & eq.keys()]
    if not eqs:
        return set()
    cols = sorted({k for eq in eqs for k in eq if k in hidden}, key=repr)
    pos = {k: i for i, k in enumerate(cols)}
    a = np.zeros((len(eqs), len(cols)))
    for r, eq in enumerate(eqs):
        for k, c in eq.items():
            if k in pos:
                a[r, pos[k]] = c
    _, sv, vt = np.linalg.svd(a)
    rank = int((sv > 1e-9).sum())
    null = vt[rank:]
    if null.shape[0] == 0:
        return set(cols)
    return {k for k, i in pos.items() if np.abs(null[:, i]).max() < 1e-9}

"""What each extract kind looks like, declared as data: columns, header aliases, category maps,
rules and derived fields.

One module per kind (:mod:`.cpp`, :mod:`.caf`, :mod:`.marac`) builds an :class:`ExtractSpec`; the
loader, the rule engine and the privacy guard read nothing else about an extract, so a new
column or a new spelling is a one-line change in the extract's module.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

KINDS: tuple[str, ...] = ("cpp", "caf", "marac")

ColumnType = Literal["id", "text", "date", "category", "int", "list"]
Severity = Literal["error", "query", "info"]
#: What the protect stage does to a column under ``--pseudonymise``: replace each value with a
#: keyed pseudonym, drop the column, keep only the month (and the age at the event) of a date of
#: birth, or cut a postcode to its sector.
Protection = Literal["pseudonymise", "drop", "month", "sector"]

#: Protection of an identifier found outside the canonical columns, by the kind of identifier
#: the guard found (the kinds of :mod:`sscb_analysis.cleaning.protect`). A kind not listed is
#: dropped. Declared here, per extract, rather than decided in the pipeline (as Social Finance's
#: liia-tools-pipeline declares ``degrade`` and ``sensitive`` per column in its configuration).
DEFAULT_PROTECTION: Mapping[str, Protection] = {
    "date_of_birth": "month",
    "postcode": "sector",
    "nhs_number": "drop",
    "name": "drop",
    "address": "drop",
    "email": "drop",
    "phone": "drop",
    "free_text": "drop",
    "other_identifier": "drop",
}


def compact(text: str) -> str:
    """The matching key of a header or category value: lower case, letters, digits, ``+``, ``<``.

    ``"Child ID"``, ``"CHILD_ID"`` and ``"child id "`` all become ``"childid"``; ``"Don't know"``
    and ``"dont know"`` both become ``"dontknow"``.
    """
    return re.sub(r"[^a-z0-9+<]", "", str(text).lower())


@dataclass(frozen=True)
class Rule:
    """A coded check. ``error`` quarantines the row, ``query`` keeps and flags it, ``info`` only logs."""

    code: str
    severity: Severity
    description: str


@dataclass(frozen=True)
class Column:
    """One canonical column of an extract.

    ``values`` maps each canonical category to the other spellings accepted for it (matched by
    :func:`compact`). ``invalid_rule`` names the rule (by code) for a value outside the declared
    categories when it is not the kind's generic unknown-category rule. ``protect`` is what
    ``--pseudonymise`` does to the column (ids: ``"pseudonymise"``); None keeps it as it is.
    """

    name: str
    type: ColumnType
    required: bool = True
    nullable: bool = True
    aliases: tuple[str, ...] = ()
    values: Mapping[str, tuple[str, ...]] | None = None
    invalid_rule: str | None = None
    minimum: int | None = None
    protect: Protection | None = None
    #: False for a column no headline figure needs (ethnicity, gender, age band): an unknown
    #: value there is a query (row kept, value blank, flagged), not an error that sets the row aside.
    headline: bool = True
    #: Fragments of a compact header that suggest this column under a spelling not declared
    #: (all fragments of one tuple present): such a header is an error, never silently dropped,
    #: while the file has no column matched to this one.
    looks_like: tuple[tuple[str, ...], ...] = ()
    #: Another column whose values stand in for this one when the file has none (logged).
    stands_in: str | None = None
    #: For a list column: the declared category an item not recognised counts as. The row is
    #: kept, the item counted under it and the row flagged (a query), instead of the whole
    #: record set aside for one name (an agency at a MARAC, say).
    other: str | None = None

    def __post_init__(self) -> None:
        if self.type == "id" and self.protect is None:
            object.__setattr__(self, "protect", "pseudonymise")

    @property
    def categories(self) -> list[str]:
        """The canonical categories, in declared order."""
        return list(self.values or {})

    def category_lookup(self) -> dict[str, str]:
        """Compact spelling -> canonical category (canonical names map to themselves)."""
        lookup: dict[str, str] = {}
        for canonical, variants in (self.values or {}).items():
            for spelling in (canonical, *variants):
                key = compact(spelling)
                if lookup.get(key, canonical) != canonical:
                    raise ValueError(f"{self.name}: spelling {spelling!r} maps to two categories")
                lookup[key] = canonical
        return lookup


# Rules every extract has; the code is the kind's prefix and this number.
GENERIC_RULES: dict[str, tuple[str, Severity, str]] = {
    "malformed_row": (
        "000",
        "error",
        "row with more or fewer values than the header; set aside, its text not copied",
    ),
    "blank_row": ("001", "info", "blank row: every cell empty; skipped and counted as blank"),
    "exact_duplicate": ("002", "info", "exact duplicate of an earlier row; kept once"),
    "missing_id": ("003", "error", "record or person id missing"),
    "duplicate_id": ("004", "error", "the same record id on rows that differ"),
    "missing_value": ("005", "error", "a value that must be present is blank"),
    "bad_date": ("006", "error", "date unparsable or impossible (day-first dates only)"),
    "date_out_of_range": ("007", "error", "date in the future or before 1990"),
    "unknown_category": ("008", "error", "value not in the declared categories"),
    "bad_number": ("009", "error", "not a whole number, or below the allowed minimum"),
    "end_before_start": ("010", "error", "end date before start date"),
    # 011-019 are each extract's own rules.
    "unknown_code_query": (
        "020",
        "query",
        "value not in the declared categories of a column no headline needs; read as blank",
    ),
    "footer_row": ("021", "info", "totals or notes row below the records; not a record"),
    "unreadable_cell": (
        "022",
        "error",
        "a spreadsheet cell that cannot be read as stored (a formula without a saved value, an "
        "error value)",
    ),
    "same_in_two_returns": (
        "023",
        "info",
        "the same record in an earlier return; the later return's row is kept, counted once",
    ),
    "changed_between_returns": (
        "024",
        "info",
        "a record that changed between returns; the later return's value is kept",
    ),
    "unknown_item_query": (
        "025",
        "query",
        "an item of a list not in the declared categories; the record kept, the item counted as "
        "other or unknown",
    ),
}


@dataclass(frozen=True)
class ExtractSpec:
    """Everything the cleaner needs to know about one extract kind."""

    kind: str
    prefix: str
    columns: tuple[Column, ...]
    record_id: str
    person_id: str
    event_date: str
    #: (earlier column, later column, rule code): the later date may not precede the earlier.
    date_order: tuple[tuple[str, str, str], ...]
    specific_rules: tuple[Rule, ...]
    #: Extract-specific checks: (typed frame of rows without errors) -> hits. Both callables also
    #: take ``person_codes=`` (integer codes of ``person_id`` per row) so ids are hashed once, and
    #: ``order=`` (the rows sorted by those codes, then ``event_date``, then position, as
    #: ``measures.order_within`` gives) so the rows are sorted once; either may be None.
    checks: Callable[..., list[tuple[str, str, pd.Series, str]]]
    #: Derived fields added to the clean data (sorted and typed frame in, frame out).
    derive: Callable[..., pd.DataFrame]
    derived_dtypes: Mapping[str, str] = field(default_factory=dict)
    #: Headers that could mean more than one column: (spellings, candidate columns). Such a
    #: header is taken as the first candidate the file has no explicit header for, and logged
    #: ("Category of Abuse" beside "Initial Category" is the latest category).
    shared_aliases: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    #: Columns that together identify a record when the file has no ``record_id`` column
    #: (the CIN census has no plan id: a plan is its child and its start date).
    record_key: tuple[str, ...] = ()
    #: Figures about the derived fields for the summary (clean frame in, dict out; takes
    #: ``person_codes=`` and ``order=`` as ``derive`` does), or None.
    describe: Callable[..., dict] | None = None
    #: identifier kind -> protection, for identifier columns outside the canonical ones
    protection: Mapping[str, Protection] = field(default_factory=lambda: DEFAULT_PROTECTION)

    @property
    def rules(self) -> dict[str, Rule]:
        """Every rule of this extract by code, generic first."""
        out = {
            f"{self.prefix}{num}": Rule(f"{self.prefix}{num}", sev, desc)
            for name, (num, sev, desc) in GENERIC_RULES.items()
            if self._applies(name)
        }
        out.update({rule.code: rule for rule in self.specific_rules})
        return out

    def _applies(self, generic: str) -> bool:
        """Whether a generic rule can fire for this extract (an unknown code is a query only
        where some column no headline needs has categories; an unknown list item only where a
        list column counts it as another category)."""
        if generic == "unknown_code_query":
            return any(c.values and not c.headline for c in self.columns)
        if generic == "unknown_item_query":
            return any(c.type == "list" and c.other for c in self.columns)
        return True

    def rule(self, name: str) -> Rule:
        """A generic rule by name (``"missing_id"``) or any rule by code."""
        if name in GENERIC_RULES:
            return self.rules[f"{self.prefix}{GENERIC_RULES[name][0]}"]
        return self.rules[name]

    def column(self, name: str) -> Column:
        """The canonical column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Canonical column names in order."""
        return [col.name for col in self.columns]

    def id_columns(self) -> list[str]:
        """Columns holding ids (the ones ``--pseudonymise`` replaces with a keyed hash)."""
        return [col.name for col in self.columns if col.protect == "pseudonymise"]

    def protection_of(self, identifier_kind: str) -> Protection:
        """What ``--pseudonymise`` does to a column found to hold ``identifier_kind``."""
        return self.protection.get(identifier_kind, "drop")


def get_spec(kind: str) -> ExtractSpec:
    """The :class:`ExtractSpec` for ``cpp``, ``caf`` or ``marac``."""
    if kind not in KINDS:
        raise ValueError(f"Unknown extract kind {kind!r}: choose one of {', '.join(KINDS)}.")
    return importlib.import_module(f"sscb_analysis.extracts.{kind}").SPEC

"""The privacy guard (the cleaning stage after ``read``): find direct identifiers, pseudonymise ids
with a keyed hash, degrade dates of birth and postcodes.

:func:`protect` is the stage: it scans every header, matches the headers to canonical columns,
refuses or neutralises identifiers and returns the canonical text columns with its log entries.

Detection looks at headers by name (name, address, postcode, NHS number, date of birth, email,
phone, free text) and, through :mod:`~sscb_analysis.cleaning.identifiers`, at every distinct
value of every column and at every header's own text (NHS numbers, UPNs, emails, UK phone
numbers, full postcodes, dates of birth, also inside longer text; names in category columns).
One match is enough: a declared column holding one is refused (with ``--pseudonymise``, an id
column is hashed instead); an undeclared one is refused, or with ``--pseudonymise`` dropped or
degraded. A header holding one is refused always and never shown ("column 7"). Declared
event-date columns hold dates that are not dates of birth. Findings name the column and row,
never the value.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sscb_analysis.cleaning import identifiers, parse
from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.cleaning.headers import ExtractError, any_lookup, match_headers
from sscb_analysis.cleaning.identifiers import nhs_check_digit_valid
from sscb_analysis.cleaning.read import RawTable
from sscb_analysis.cleaning.validate import column_entry
from sscb_analysis.extracts import Column, ExtractSpec, compact

__all__ = ["nhs_check_digit_valid"]  # re-exported: it lives in identifiers now

KEY_VARIABLE = "SSCB_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
PSEUDONYM_LENGTH = 16  # hex characters of the HMAC-SHA256 digest kept (64 bits)


class IdentifierError(Exception):
    """Direct identifiers were found; nothing was written. ``findings`` says where and how to fix."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        lines = [f"- {f.where}: {f.reason}. {f.fix}" for f in findings]
        super().__init__("Direct identifiers found, so nothing was written:\n" + "\n".join(lines))


class PseudonymKeyError(ValueError):
    """``--pseudonymise`` was asked for without a usable key in ``SSCB_PSEUDONYM_KEY``."""


@dataclass(frozen=True)
class Finding:
    """One column that holds (or is named like) a direct identifier."""

    column: str
    kind: str
    reason: str
    canonical: str | None = None

    @property
    def where(self) -> str:
        """How the message names the column: its header, or its position when the header itself
        cannot be shown."""
        return self.column if self.kind == "header" else f"column {self.column!r}"

    @property
    def fix(self) -> str:
        """How to get past the guard."""
        if self.kind == "header":
            return (
                "Rename that column (or remove it) in the export: a header must not hold "
                "identifiers."
            )
        if self.canonical is not None and self.kind != "id_content":
            return (
                f"It is the {self.canonical} column, which must not hold identifiers: correct the "
                "export."
            )
        if self.kind == "id_content":
            return "Use --pseudonymise (with SSCB_PSEUDONYM_KEY set) to replace the ids with a keyed hash."
        if self.kind == "date_of_birth":
            how = "or --pseudonymise to keep only the month and the age at the event"
        elif self.kind == "postcode":
            how = "or --pseudonymise to keep only the postcode sector"
        else:
            how = "or --pseudonymise, which drops it and logs that it did"
        return f"Remove it from the export, or run with --drop {self.column!r}, {how}."


# Compact header fragments (see extracts.compact) and the identifier they suggest.
HEADER_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nhs_number", ("nhs", "chinumber")),
    ("date_of_birth", ("dob", "birth")),
    ("postcode", ("postcode", "postalcode", "zipcode")),
    ("address", ("address", "street", "houseno")),
    ("email", ("email",)),
    ("phone", ("phone", "mobile", "telno", "telephone")),
    ("free_text", ("note", "comment", "freetext", "narrative", "description")),
    ("name", ("name", "forename", "surname", "worker", "practitioner")),
    ("other_identifier", ("upn", "nino", "nationalinsurance", "passport")),
)


KIND_LABELS = {
    "nhs_number": "NHS numbers",
    "date_of_birth": "dates of birth",
    "postcode": "postcodes",
    "address": "addresses",
    "email": "email addresses",
    "phone": "phone numbers",
    "free_text": "free-text notes",
    "name": "names",
    "other_identifier": "personal identifiers",
}


def header_identifier(compact_header: str) -> str | None:
    """The kind of identifier a header names (``"name"``, ``"postcode"``, ...), or None."""
    for kind, fragments in HEADER_PATTERNS:
        if any(f in compact_header for f in fragments):
            return kind
    if compact_header in {"tel", "dateofbirth"}:
        return "phone" if compact_header == "tel" else "date_of_birth"
    return None


@dataclass
class ContentScan:
    """How many cells of a column look like each kind of identifier, and the first row of each;
    ``note`` explains a judgement worth logging (see
    :func:`~sscb_analysis.cleaning.identifiers.scan_column`)."""

    counts: dict[str, int]
    rows: dict[str, int]
    distinct: int
    note: str | None = None


def scan_content(
    arr: Encoded,
    source_rows: np.ndarray,
    sample: int | None = None,
    *,
    event_dates: bool = False,
    vocabulary: Iterable[str] | None = None,
    is_id: bool = False,
) -> ContentScan:
    """Scan every distinct value of a column for direct identifiers (see
    :mod:`~sscb_analysis.cleaning.identifiers`): ``event_dates`` for a declared event-date
    column, ``vocabulary`` (a category column's words) to look for names, ``is_id`` for an id
    column. ``sample`` is no longer used: every value is scanned, as one is enough to identify.
    """
    del sample
    scan = identifiers.scan_column(
        arr.dictionary,
        arr.codes,
        source_rows,
        event_dates=event_dates,
        vocabulary=vocabulary,
        is_id=is_id,
    )
    counts = {f.kind: f.cells for f in scan.findings}
    rows = {f.kind: f.first_row for f in scan.findings}
    return ContentScan(counts, rows, len(arr.dictionary), scan.note)


LABELS = {
    "email": "email addresses",
    "postcode": "full UK postcodes",
    "phone": "UK phone numbers",
    "nhs_number": "NHS numbers (valid mod-11 check digit)",
    "upn": "Unique Pupil Numbers (valid check letter)",
    "date_of_birth": "dates of birth",
    "name": "people's names",
}


def content_findings(
    header: str, scan: ContentScan, canonical: str | None, is_id: bool
) -> list[Finding]:
    """Findings from a content scan: one cell is enough, in any column. Each says where (the
    first row) and what it looks like; the value itself is withheld."""
    out = []
    for kind, n in scan.counts.items():
        cells = f"{n:,} cell{' looks' if n == 1 else 's look'}"
        reason = (
            f"{cells} like {LABELS[kind]}, the first at row {scan.rows[kind]:,} "
            f"({identifiers.withheld(kind)})"
        )
        out.append(Finding(header, "id_content" if is_id else kind, reason, canonical))
    return out


def vocabulary(col: Column) -> set[str]:
    """The lower-case words of a category column's categories and their spellings: a value made
    of these is a category, not a name."""
    words: set[str] = set()
    for canonical, variants in (col.values or {}).items():
        for spelling in (canonical, *variants):
            words.update(re.findall(r"[a-z]+", spelling.lower()))
    return words


#: A key must hold at least this many different characters.
MIN_KEY_DISTINCT = 6


def pseudonym_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The pseudonymisation key from ``SSCB_PSEUDONYM_KEY``, refused unless it is a usable secret.

    The rule: at least :data:`MIN_KEY_LENGTH` (16) characters, not only spaces, at least
    :data:`MIN_KEY_DISTINCT` (6) different characters, and not one shorter piece repeated
    ("abababab...", "abc123abc123..."): such keys are guessed first, and a guessed key turns every
    pseudonym back into its id. It must be valid text (UTF-8), as every extract hashes the same
    bytes. A random key (``python -c "import secrets; print(secrets.token_hex(16))"``) passes.
    """
    env = os.environ if environ is None else environ
    key = env.get(KEY_VARIABLE, "")
    if not key:
        raise PseudonymKeyError(
            f"--pseudonymise needs a secret key in the environment variable {KEY_VARIABLE}; set it "
            "(the same key for every extract, so ids still join) and run again."
        )
    try:
        raw = key.encode("utf-8")
    except UnicodeEncodeError:
        raise PseudonymKeyError(
            f"The key in {KEY_VARIABLE} is not valid text (UTF-8): set it again using letters, "
            "digits and punctuation only."
        ) from None
    make = (
        " Make a new random secret, for example with "
        '`python -c "import secrets; print(secrets.token_hex(16))"`.'
    )
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"The key in {KEY_VARIABLE} is shorter than {MIN_KEY_LENGTH} characters; use a longer, "
            "random secret." + make
        )
    if not key.strip():
        raise PseudonymKeyError(f"The key in {KEY_VARIABLE} is blank (only spaces)." + make)
    if len(set(key)) < MIN_KEY_DISTINCT or _repeats(key):
        raise PseudonymKeyError(
            f"The key in {KEY_VARIABLE} is too repetitive to be secret: it needs at least "
            f"{MIN_KEY_DISTINCT} different characters and must not be one piece repeated." + make
        )
    return raw


def _repeats(key: str) -> bool:
    """Whether ``key`` is a shorter piece repeated (the last copy may be cut short)."""
    n = len(key)
    return any(key == (key[:p] * (n // p + 1))[:n] for p in range(1, n // 2 + 1))


def pseudonymise_ids(arr: Encoded, key: bytes) -> Encoded:
    """Replace each id with the first 16 hex characters of HMAC-SHA256(key, id); blanks stay blank.

    The same key gives the same pseudonym in every extract, so records of one child still join.
    """
    inner, outer = _hmac_pads(key)
    hashed = [
        _hmac_hex(v.encode("utf-8"), inner.copy, outer.copy)[:PSEUDONYM_LENGTH]
        for v in arr.dictionary.to_pylist()
    ]
    return arr.map_distinct(pa.array(hashed, pa.string()))


def _hmac_pads(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    """SHA-256 states after the HMAC inner and outer key pads (RFC 2104), computed once per key.

    Copying these states per value gives exactly ``hmac.new(key, value, sha256)`` at about a
    third of the cost, which matters for a million distinct ids.
    """
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    return inner, outer


def _hmac_hex(
    value: bytes, inner_copy: Callable[[], hashlib._Hash], outer_copy: Callable[[], hashlib._Hash]
) -> str:
    """Hex HMAC-SHA256 of ``value`` from the pad states' ``copy`` methods (see :func:`_hmac_pads`)."""
    h = inner_copy()
    h.update(value)
    o = outer_copy()
    o.update(h.digest())
    return o.hexdigest()


_UNIT_POSTCODE = r"^(?P<outward>[A-Z]{1,2}[0-9][A-Z0-9]?)\s*(?P<sector>[0-9])[A-Z]{2}$"


def postcode_sector(arr: Encoded) -> pa.Array:
    """Cut full postcodes to their sector ("SE1 7AB" -> "SE1 7"); anything else becomes blank."""
    upper = pc.utf8_upper(arr.dictionary)
    parts = pc.extract_regex(upper, _UNIT_POSTCODE)
    outward = pc.struct_field(parts, "outward")
    digit = pc.struct_field(parts, "sector")
    return arr.map_distinct(pc.binary_join_element_wise(outward, digit, " ")).to_arrow()


def degrade_birth_date(birth: np.ndarray, event: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """(birth month "YYYY-MM", whole years of age at the event date) from dates of birth."""
    month = birth.astype("datetime64[M]")
    text = np.where(np.isnat(month), None, np.datetime_as_string(month)).astype(object)
    by, bm, bd = _ymd(birth)
    ey, em, ed = _ymd(event)
    age = ey - by - ((em < bm) | ((em == bm) & (ed < bd)))
    missing = np.isnat(birth) | np.isnat(event)
    return pa.array(text.tolist(), pa.string()), pa.array(np.where(missing, 0, age), mask=missing)


def _ymd(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    safe = np.where(np.isnat(d), np.datetime64("2000-01-01"), d).astype("datetime64[D]")
    y = safe.astype("datetime64[Y]").astype(np.int64) + 1970
    m = safe.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (safe - safe.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


# ---------------------------------------------------------------------------- the stage
#: Distinct values of an id column scanned for identifiers (a share is judged; see scan_content).
@dataclass
class Protected:
    """What the protect stage hands on: every canonical column as encoded text (absent ones
    blank), the degraded extras (``birth_month``, ``age_at_event``, ``postcode_sector``), its
    log entries, the headers it dropped and the placeholders it read as blank."""

    columns: dict[str, Encoded]
    extras: dict[str, pa.Array]
    log: list[pd.DataFrame]
    dropped: list[str]
    #: column -> placeholder spelling -> cells read as blank
    placeholders: dict[str, dict[str, int]] = field(default_factory=dict)
    #: canonical column -> position of its header in the file
    positions: dict[str, int] = field(default_factory=dict)
    #: columns absent from the file whose values another column's stand in for (see
    #: ``Column.stands_in``): column -> the column it copies
    stand_ins: dict[str, str] = field(default_factory=dict)


def find_dropped(headers: list[str], drop: Iterable[str], spec: ExtractSpec) -> set[int]:
    """Positions of the headers named by ``--drop`` (matched like headers, or by canonical name)."""
    keys = {compact(h): i for i, h in enumerate(headers)}
    lookup = any_lookup(spec)
    out: set[int] = set()
    for name in drop:
        key = compact(name)
        if key in keys:
            out.add(keys[key])
            continue
        canon = lookup.get(key)
        matches = [i for i, h in enumerate(headers) if canon and lookup.get(compact(h)) == canon]
        if not matches:
            raise ExtractError(
                f"--drop {name!r}: there is no such column; headers found: "
                f"{', '.join(repr(h) for h in headers)}."
            )
        out.update(matches)
    return out


def protect(
    table: RawTable,
    spec: ExtractSpec,
    pseudonymise: bool,
    drop: Iterable[str],
    environ: dict[str, str] | None,
    columns_map: Mapping[str, str] | None = None,
) -> Protected:
    """Match headers (``columns_map``: a layout's canonical name -> header), refuse or
    neutralise identifiers, and return the canonical text columns.

    Raises :class:`IdentifierError` (nothing may be written) when identifiers are found and not
    dropped or, with ``pseudonymise``, cannot be made safe.
    """
    source = table.source_file
    # Headers first: a header holding an identifier is never printed, logged or shown, so it
    # is refused before anything (--drop, header matching) could name it.
    in_headers = identifiers.scan_headers(table.headers)
    if in_headers:
        raise IdentifierError(
            [
                Finding(
                    identifiers.column_label(i),
                    "header",
                    f"its header is withheld: it looks like {identifiers.DESCRIPTIONS[kind]}",
                )
                for i, kind in sorted(in_headers.items())
            ]
        )
    dropped_pos = find_dropped(table.headers, drop, spec)
    match = match_headers(
        [h for i, h in enumerate(table.headers) if i not in dropped_pos], spec, source, columns_map
    )
    # match_headers saw the headers without dropped ones; map back to positions.
    kept = [i for i in range(len(table.headers)) if i not in dropped_pos]
    canonical = {kept[j]: name for j, name in match.canonical.items()}
    unknown = [kept[j] for j in match.unknown]
    log = [
        column_entry(source, table.headers[i], "LOAD003", "dropped on request", "dropped")
        for i in sorted(dropped_pos)
    ]
    for j, note in match.notes.items():
        log.append(column_entry(source, table.headers[kept[j]], "LOAD005", note, "matched"))
    for name in match.missing_optional:
        stand_in = spec.column(name).stands_in
        if stand_in is not None:
            log.append(
                column_entry(
                    source,
                    name,
                    "LOAD006",
                    f"not in the file: {stand_in} stands in for it",
                    f"copied from {stand_in}",
                )
            )
        else:
            log.append(column_entry(source, name, "LOAD002", "not in the file", "left blank"))

    findings, handling, notes = find_identifiers(table, spec, canonical, unknown)
    log += [column_entry(source, name, "PRIV005", note, "kept") for name, note in notes]

    blocking = [f for f in findings if f.canonical is not None and f.kind != "id_content"]
    if not pseudonymise:
        if findings:
            raise IdentifierError(findings)
    else:
        if blocking:
            raise IdentifierError(blocking)
        # Each degraded column becomes named extras: two of one kind would collide.
        for kind in {k for k in handling.values() if spec.protection_of(k) in DEGRADERS}:
            several = [table.headers[i] for i, k in handling.items() if k == kind]
            if len(several) > 1:
                raise IdentifierError(
                    [
                        Finding(h, kind, f"more than one {kind.replace('_', ' ')} column")
                        for h in several[1:]
                    ]
                )

    key = pseudonym_key(environ) if pseudonymise else None
    columns: dict[str, Encoded] = {}
    blanked: dict[str, dict[str, int]] = {}
    n = table.n_rows
    for i, name in canonical.items():
        # Placeholders go blank before anything else sees the values: "NULL" ids must not be
        # hashed into one pseudonym or counted as one child.
        arr, placeholders = parse.blank_placeholders(table.columns[i], spec.column(name))
        if placeholders:
            table.columns[i] = arr
            blanked[name] = placeholders
            cells = sum(placeholders.values())
            spellings = ", ".join(repr(t) for t in placeholders)
            log.append(
                column_entry(
                    source,
                    name,
                    "LOAD004",
                    f"{cells:,} cell{'s' if cells != 1 else ''} held {spellings}, a placeholder "
                    "for no value",
                    "read as blank",
                )
            )
        if key is not None and spec.column(name).protect == "pseudonymise":
            arr = pseudonymise_ids(arr, key)
            log.append(
                column_entry(
                    source, name, "PRIV002", "replaced by HMAC-SHA256 pseudonyms", "pseudonymised"
                )
            )
        columns[name] = arr
    stand_ins: dict[str, str] = {}
    for col in spec.columns:
        if col.name not in columns and col.stands_in is not None:
            columns[col.name] = columns[col.stands_in]
            stand_ins[col.name] = col.stands_in
        columns.setdefault(col.name, Encoded.nulls(n))
    if spec.record_id not in canonical.values() and spec.record_key:
        columns[spec.record_id] = record_key_column(columns, spec)
        log.append(
            column_entry(
                source,
                spec.record_id,
                "LOAD008",
                f"not in the file: a record is identified by {' and '.join(spec.record_key)} "
                f"({'child:YYYY-MM-DD' if spec.kind == 'cpp' else ':'.join(spec.record_key)})",
                "derived",
            )
        )

    extras: dict[str, pa.Array] = {}
    dropped = [table.headers[i] for i in sorted(dropped_pos)]
    for i in unknown:
        header = table.headers[i]
        kind = handling.get(i)
        if kind is None:
            log.append(
                column_entry(source, header, "LOAD001", "not a column of this extract", "dropped")
            )
        elif (action := spec.protection_of(kind)) in DEGRADERS:
            degraded, message = DEGRADERS[action](table.columns[i], columns, spec)
            extras.update(degraded)
            log.append(column_entry(source, header, LOG_RULES[action], message, "degraded"))
        else:
            log.append(
                column_entry(
                    source,
                    header,
                    "PRIV001",
                    f"{kind.replace('_', ' ')} cannot be made safe",
                    "dropped",
                )
            )
        if kind is None or spec.protection_of(kind) not in DEGRADERS:
            dropped.append(header)
    positions = {name: i for i, name in canonical.items()}
    return Protected(columns, extras, log, dropped, blanked, positions, stand_ins)


def _to_month(
    arr: Encoded, columns: dict[str, Encoded], spec: ExtractSpec
) -> tuple[dict[str, pa.Array], str]:
    """Protection ``month``: a date of birth kept as ``birth_month`` and ``age_at_event``."""
    birth, _ = parse.parse_dates(arr)
    event, _ = parse.parse_dates(columns[spec.event_date])
    month, age = degrade_birth_date(birth, event)
    message = f"kept as birth_month and age_at_event (age at {spec.event_date})"
    return {"birth_month": month, "age_at_event": age}, message


def _to_sector(
    arr: Encoded, columns: dict[str, Encoded], spec: ExtractSpec
) -> tuple[dict[str, pa.Array], str]:
    """Protection ``sector``: a postcode kept as ``postcode_sector``."""
    return {"postcode_sector": postcode_sector(arr)}, "kept as postcode_sector"


#: The protections that keep a degraded form of a column (the others drop it or pseudonymise it).
DEGRADERS = {"month": _to_month, "sector": _to_sector}
#: The log rule of each degrading protection.
LOG_RULES = {"month": "PRIV003", "sector": "PRIV004"}


def record_key_column(columns: dict[str, Encoded], spec: ExtractSpec) -> Encoded:
    """The record id of a file that has none, from ``spec.record_key`` (``child:2013-04-01``:
    a plan is its child and its start date); blank where any part is blank. Dates are written
    as ISO dates when they can be read, so the same plan matches across files."""
    parts = []
    for name in spec.record_key:
        arr = columns[name]
        if spec.column(name).type == "date":
            distinct = Encoded(np.arange(len(arr.dictionary)), arr.dictionary)
            values, _ = parse.parse_dates(distinct)
            iso = np.datetime_as_string(values.astype("datetime64[D]"))
            texts = np.where(
                np.isnat(values), np.asarray(arr.dictionary.to_pylist(), dtype=object), iso
            )
            arr = arr.map_distinct(pa.array([str(t) for t in texts], pa.string()))
            arr = Encoded.from_arrow(arr.to_arrow())  # equal dates, equal codes
        parts.append(arr)
    n = len(parts[0])
    missing = np.zeros(n, dtype=bool)
    for arr in parts:
        missing |= arr.is_null
    if missing.all():
        return Encoded.nulls(n)
    stacked = np.column_stack([arr.codes for arr in parts])
    pairs, inverse = np.unique(stacked[~missing], axis=0, return_inverse=True)
    texts = [
        ":".join(arr.dictionary[int(code)].as_py() for arr, code in zip(parts, pair, strict=True))
        for pair in pairs
    ]
    codes = np.full(n, -1, dtype=np.int64)
    codes[~missing] = inverse.ravel()
    return Encoded(codes, pa.array(texts, pa.string()))


def find_identifiers(
    table: RawTable, spec: ExtractSpec, canonical: dict[int, str], unknown: list[int]
) -> tuple[list[Finding], dict[int, str], list[tuple[str, str]]]:
    """Every identifier in the table: (findings, position -> identifier kind of each unknown
    column that holds one, (column, note) of each canonical column whose scan has a note for
    the log). Headers and contents of unknown columns are judged; canonical columns by every
    value (id columns as :func:`scan_content` judges ids)."""
    findings: list[Finding] = []
    handling: dict[int, str] = {}  # position -> identifier kind, for unknown columns
    notes: list[tuple[str, str]] = []
    for i in unknown:
        header = table.headers[i]
        kind = header_identifier(compact(header))
        reason = f"its header says it holds {KIND_LABELS[kind]}" if kind else None
        scan = scan_content(table.columns[i], table.source_rows)
        content = content_findings(header, scan, None, False)
        if content:
            extra = "; ".join(f.reason for f in content)
            kind, reason = kind or content[0].kind, f"{reason}; {extra}" if reason else extra
        if kind is None and mostly_dates(table.columns[i]):
            kind, reason = (
                "date_of_birth",
                "it holds full dates (day, month and year) that are not a declared event date, so they may be dates of birth",
            )
        if kind is not None:
            findings.append(Finding(header, kind, reason))
            handling[i] = kind
    for i, name in canonical.items():
        col = spec.column(name)
        scan = scan_content(
            table.columns[i],
            table.source_rows,
            event_dates=col.type == "date",
            vocabulary=vocabulary(col) if col.type == "category" else None,
            is_id=col.type == "id",
        )
        findings.extend(content_findings(table.headers[i], scan, name, col.type == "id"))
        if scan.note:
            notes.append((name, scan.note))
    return findings, handling, notes


def mostly_dates(arr: Encoded) -> bool:
    """At least half of the non-blank values are full day-first dates."""
    present = int((~arr.is_null).sum())
    if present == 0:
        return False
    values, _ = parse.parse_dates(arr)
    return int((~np.isnat(values)).sum()) >= 0.5 * present


def extra_series(arr: pa.Array, positions: np.ndarray) -> pd.Series:
    """A degraded extra (``birth_month`` ...) at ``positions``, as ``Int64`` or ``str``."""
    values = arr.take(pa.array(positions))
    if pa.types.is_integer(values.type):
        return pd.Series(pd.array(values.to_pylist(), dtype="Int64"))
    return pd.Series(pd.array(values.to_pylist(), dtype="str"))

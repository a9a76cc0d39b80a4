"""The privacy guard (the cleaning stage after ``read``): find direct identifiers, pseudonymise ids
with a keyed hash, degrade dates of birth and postcodes.

:func:`protect` is the stage: it matches the headers to canonical columns, refuses or neutralises
identifiers and returns the canonical text columns with its log entries.

Detection looks at headers (name, address, postcode, NHS number, date of birth, email, phone, free
text) and at content (NHS numbers with a valid mod-11 check digit, full UK unit postcodes, email
addresses, UK phone numbers, and undeclared columns of full dates, which may be dates of birth).
Declared event-date columns are never read as dates of birth; declared id columns only count as
identifiers when most of their values look like one, so pseudonymous ids do not trip the guard.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sscb_analysis.cleaning import parse
from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.cleaning.headers import ExtractError, any_lookup, match_headers
from sscb_analysis.cleaning.read import RawTable
from sscb_analysis.cleaning.validate import column_entry
from sscb_analysis.extracts import ExtractSpec, compact

KEY_VARIABLE = "SSCB_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
PSEUDONYM_LENGTH = 16  # hex characters of the HMAC-SHA256 digest kept (64 bits)


class IdentifierError(Exception):
    """Direct identifiers were found; nothing was written. ``findings`` says where and how to fix."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        lines = [f"- column {f.column!r}: {f.reason}. {f.fix}" for f in findings]
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
    def fix(self) -> str:
        """How to get past the guard."""
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
    ("name", ("name", "forename", "surname")),
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


EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
POSTCODE = (
    r"(?i)(?:^|[^A-Za-z0-9])(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})(?:$|[^A-Za-z0-9])"
)
PHONE = r"^(?:(?:\+|00)44|0)[1-9][0-9]{8,9}$"
SEPARATORS = r"[\s\-()./]"


def nhs_check_digit_valid(numbers: list[str] | np.ndarray) -> np.ndarray:
    """True for 10-digit strings whose last digit is the NHS mod-11 check digit.

    Weights 10..2 on the first nine digits; check = 11 - (sum mod 11), 11 -> 0, 10 -> invalid.
    """
    arr = np.asarray(numbers, dtype="U10")
    if not len(arr):
        return np.zeros(0, dtype=bool)
    digits = arr.view("U1").reshape(len(arr), 10).astype(np.int64)
    total = digits[:, :9] @ np.arange(10, 1, -1)
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    return (check != 10) & (check == digits[:, 9])


@dataclass
class ContentScan:
    """How many distinct values of a column look like each kind of identifier, and an example row."""

    counts: dict[str, int]
    rows: dict[str, int]
    distinct: int


def scan_content(arr: Encoded, source_rows: np.ndarray, sample: int | None = None) -> ContentScan:
    """Count distinct values that look like emails, NHS numbers, phone numbers or postcodes.

    NHS and phone numbers must fill the cell; emails and postcodes are found anywhere in the text.
    With ``sample``, at most that many distinct values (evenly spaced) are scanned: enough to
    judge a share of values, at a fraction of the cost on a million distinct ids.
    """
    values = arr.dictionary
    counts: dict[str, int] = {}
    rows: dict[str, int] = {}
    total = len(values)
    if not total:
        return ContentScan(counts, rows, 0)
    picked = None
    if sample is not None and total > sample:
        picked = np.linspace(0, total - 1, sample).astype(np.int64)
        values = values.take(pa.array(picked))
    maybe_number = pc.match_substring_regex(values, r"^[0-9 +()\-./]{10,20}$").to_numpy(
        zero_copy_only=False
    )
    found = {
        "email": pc.and_(
            pc.match_substring(values, "@"), pc.match_substring_regex(values, EMAIL)
        ).to_numpy(zero_copy_only=False),
        "postcode": pc.match_substring_regex(values, POSTCODE).to_numpy(zero_copy_only=False),
        "phone": np.zeros(len(values), dtype=bool),
        "nhs_number": np.zeros(len(values), dtype=bool),
    }
    if maybe_number.any():
        idx = np.flatnonzero(maybe_number)
        digits = pc.replace_substring_regex(values.take(pa.array(idx)), SEPARATORS, "")
        ten = pc.match_substring_regex(digits, r"^[0-9]{10}$").to_numpy(zero_copy_only=False)
        if ten.any():
            candidates = np.asarray(digits.filter(pa.array(ten)).to_pylist(), dtype="U10")
            found["nhs_number"][idx[np.flatnonzero(ten)]] = nhs_check_digit_valid(candidates)
        phone = pc.match_substring_regex(digits, PHONE).to_numpy(zero_copy_only=False)
        found["phone"][idx] = phone & ~found["nhs_number"][idx]
    for kind, mask in found.items():
        n = int(mask.sum())
        if not n:
            continue
        full = mask
        if picked is not None:
            full = np.zeros(total, dtype=bool)
            full[picked[mask]] = True
            n = round(n * total / len(values))
        counts[kind] = n
        present = arr.codes >= 0
        first = np.flatnonzero(present & full[np.where(present, arr.codes, 0)])
        rows[kind] = int(source_rows[first[0]]) if len(first) else -1
    return ContentScan(counts, rows, total)


LABELS = {
    "email": "email addresses",
    "postcode": "full UK postcodes",
    "phone": "UK phone numbers",
    "nhs_number": "NHS numbers (valid mod-11 check digit)",
}


def content_findings(
    header: str, scan: ContentScan, canonical: str | None, is_id: bool
) -> list[Finding]:
    """Findings from a content scan; declared id columns count only when most values match."""
    out = []
    for kind, n in scan.counts.items():
        if is_id and n < 0.5 * scan.distinct:
            continue
        reason = f"{n} distinct value{'s' if n > 1 else ''} look like {LABELS[kind]} (first at row {scan.rows[kind]})"
        out.append(Finding(header, "id_content" if is_id else kind, reason, canonical))
    return out


def pseudonym_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The pseudonymisation key from ``SSCB_PSEUDONYM_KEY`` (at least 16 characters)."""
    env = os.environ if environ is None else environ
    key = env.get(KEY_VARIABLE, "")
    if not key:
        raise PseudonymKeyError(
            f"--pseudonymise needs a secret key in the environment variable {KEY_VARIABLE}; set it "
            "(the same key for every extract, so ids still join) and run again."
        )
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"The key in {KEY_VARIABLE} is shorter than {MIN_KEY_LENGTH} characters; use a longer, "
            "random secret."
        )
    return key.encode("utf-8")


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


_UNIT_POSTCODE = r"^(?P<outward>[A-Z]{1,2}[0-9][A-Z0-9]?) ?(?P<sector>[0-9])[A-Z]{2}$"


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
ID_SAMPLE = 20_000


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
) -> Protected:
    """Match headers, refuse or neutralise identifiers, and return the canonical text columns.

    Raises :class:`IdentifierError` (nothing may be written) when identifiers are found and not
    dropped or, with ``pseudonymise``, cannot be made safe.
    """
    source = table.source_file
    dropped_pos = find_dropped(table.headers, drop, spec)
    match = match_headers(
        [h for i, h in enumerate(table.headers) if i not in dropped_pos], spec, source
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

    findings: list[Finding] = []
    handling: dict[int, str] = {}  # position -> identifier kind, for unknown columns
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
            table.columns[i], table.source_rows, ID_SAMPLE if col.type == "id" else None
        )
        findings.extend(content_findings(table.headers[i], scan, name, col.type == "id"))

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
    for col in spec.columns:
        if col.name not in columns and col.stands_in is not None:
            columns[col.name] = columns[col.stands_in]
        columns.setdefault(col.name, Encoded.nulls(n))

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
    return Protected(columns, extras, log, dropped, blanked)


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

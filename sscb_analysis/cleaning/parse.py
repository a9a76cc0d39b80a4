"""Parsing encoded text columns: day-first dates, whole numbers, categories, category lists, and
placeholders for "no value".

Parsers work on the *distinct* values of a column and broadcast the result, so a million-row
extract with a few thousand distinct dates costs a few thousand parses. Parsers never guess: a
value they cannot read is reported (``bad`` mask) with the raw value kept.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.extracts import Column, compact


def _encode(arr: Encoded) -> tuple[np.ndarray, pa.Array]:
    """(codes with -1 for blank, distinct values) of an encoded column."""
    return arr.codes, arr.dictionary


MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
DATE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("day-first", rf"^(?P<d>\d{{1,2}})[/.\-](?P<m>\d{{1,2}})[/.\-](?P<y>\d{{4}}|\d{{2}}){_TIME}$"),
    ("iso", rf"^(?P<y>\d{{4}})[\-/](?P<m>\d{{1,2}})[\-/](?P<d>\d{{1,2}}){_TIME}$"),
    (
        "month-name",
        r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*(?P<m>[A-Za-z]{3,9})\.?[\s\-/.,]*(?P<y>\d{4}|\d{2})$",
    ),
    ("excel-serial", r"^(?P<n>\d{5})(?:\.0+)?$"),
)
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def _two_digit_year(y: np.ndarray) -> np.ndarray:
    """20yy up to this year's two digits, else 19yy (only for years written with two digits)."""
    pivot = date.today().year % 100
    return np.where(y <= pivot, 2000 + y, 1900 + y)


def _make_dates(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dates from components, with a mask of the ones that exist (no 31 February)."""
    ok = (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1)
    ys, ms = np.where(ok, y, 1970), np.where(ok, m, 1)
    month = ((ys - 1970) * 12 + (ms - 1)).astype("datetime64[M]")
    first = month.astype("datetime64[D]")
    length = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    ok &= d <= length
    out = np.where(
        ok, first + (np.where(ok, d, 1) - 1).astype("timedelta64[D]"), np.datetime64("NaT")
    )
    return out.astype("datetime64[D]"), ok


def _parse_distinct_dates(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Parse distinct date strings; each format is tried only on what is still unparsed."""
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    done = np.zeros(n, dtype=bool)
    for name, pattern in DATE_PATTERNS:
        todo = np.flatnonzero(~done)
        if not len(todo):
            break
        sub = values.take(pa.array(todo))
        found = pc.extract_regex(sub, pattern)
        hit = found.is_valid().to_numpy(zero_copy_only=False)
        if not hit.any():
            continue
        idx = todo[hit]
        parts = found.filter(pa.array(hit))
        if name == "excel-serial":
            serial = pc.struct_field(parts, "n").to_numpy(zero_copy_only=False).astype(np.int64)
            out[idx] = EXCEL_EPOCH + serial.astype("timedelta64[D]")
            done[idx] = True
            continue
        d = pc.struct_field(parts, "d").to_numpy(zero_copy_only=False).astype(np.int64)
        y_text = pc.struct_field(parts, "y")
        y = y_text.to_numpy(zero_copy_only=False).astype(np.int64)
        y = np.where(
            pc.utf8_length(y_text).to_numpy(zero_copy_only=False) == 2, _two_digit_year(y), y
        )
        m_text = pc.struct_field(parts, "m")
        if name == "month-name":
            names = pc.utf8_lower(m_text).to_pylist()
            m = np.array([MONTHS.get(t, 0) for t in names], dtype=np.int64)
        else:
            m = m_text.to_numpy(zero_copy_only=False).astype(np.int64)
        dates, ok = _make_dates(y, m, d)
        out[idx[ok]] = dates[ok]
        done[idx[ok]] = True
    return out, done


def parse_dates(arr: Encoded) -> tuple[np.ndarray, np.ndarray]:
    """Day-first dates -> (datetime64[D] with NaT, mask of non-blank values that are not dates).

    Accepted: 31/01/2012, 31-01-2012, 31.01.2012, 2012-01-31, 31-Jan-12, 31 January 2012 (a time of
    day after a numeric date is ignored), and Excel serial day numbers (five digits). Two-digit years
    are 20yy up to the current year, else 19yy. Impossible dates (31/02/2012) are not dates.
    """
    codes, distinct = _encode(arr)
    parsed, ok = _parse_distinct_dates(distinct)
    # Values that are not dates are already NaT in ``parsed``. One entry appended for blanks, so
    # code -1 (a blank) picks it: one gather per output instead of masks over every row.
    out = np.append(parsed, np.datetime64("NaT")).astype("datetime64[D]")[codes]
    bad = np.append(~ok, False)[codes]
    return out, bad


#: Text that case systems and spreadsheets write for "no value" (compared ignoring case).
PLACEHOLDERS = ("NULL", "N/A", "#N/A", "NA", "<NA>", "NaN", "None")
_PLACEHOLDER_KEYS = frozenset(p.lower() for p in PLACEHOLDERS)


def blank_placeholders(arr: Encoded, column: Column) -> tuple[Encoded, dict[str, int]]:
    """Read "NULL", "N/A" and the other :data:`PLACEHOLDERS` as blank cells.

    Returns the column with them blank and the number of cells per spelling found (for the
    log). A spelling the column declares as a category ("n/a" is a risk tool of "none") keeps
    its meaning. Without this, a SQL export's "NULL" end date would quarantine an open plan, and
    "NULL" child ids would join unrelated children into one history.
    """
    if not len(arr.dictionary):
        return arr, {}
    declared = column.category_lookup()
    keys = {k for k in _PLACEHOLDER_KEYS if compact(k) not in declared}
    # Only short values can be placeholders: a million distinct ids are not lower-cased.
    lengths = pc.binary_length(arr.dictionary).to_numpy(zero_copy_only=False)  # bytes: cheap
    short = np.flatnonzero(lengths <= max(len(k) for k in _PLACEHOLDER_KEYS))
    if not len(short):
        return arr, {}
    texts = arr.dictionary.take(pa.array(short)).to_pylist()
    hit = {int(i): t for i, t in zip(short, texts, strict=True) if t and t.lower() in keys}
    if not hit:
        return arr, {}
    counts = np.bincount(arr.codes[arr.codes >= 0], minlength=len(arr.dictionary))
    found: dict[str, int] = {}
    for i, text in hit.items():
        if counts[i]:
            found[text] = found.get(text, 0) + int(counts[i])
    # The placeholders' codes become -1 (blank); their entries stay in the dictionary, unused.
    remap = np.arange(len(arr.dictionary) + 1, dtype=np.int64)
    remap[-1] = -1
    remap[list(hit)] = -1
    return Encoded(remap[arr.codes], arr.dictionary), found


_INT = re.compile(r"^[+-]?\d{1,15}(?:\.0*)?$")


def parse_ints(
    arr: Encoded, minimum: int | None = None
) -> tuple[pd.arrays.IntegerArray, np.ndarray]:
    """Whole numbers ("3", "3.0") -> (nullable Int64 array, mask of values that are not whole numbers
    or fall below ``minimum``)."""
    codes, distinct = _encode(arr)
    values = np.zeros(len(distinct), dtype=np.int64)
    ok = np.zeros(len(distinct), dtype=bool)
    for i, text in enumerate(distinct.to_pylist()):
        if _INT.match(text):
            v = int(float(text)) if "." in text else int(text)
            if minimum is None or v >= minimum:
                values[i], ok[i] = v, True
    present = codes >= 0
    safe = np.where(present, codes, 0)
    good = present & ok[safe] if len(distinct) else np.zeros(len(codes), dtype=bool)
    bad = present & ~good
    data = values[safe] if len(distinct) else np.zeros(len(codes), dtype=np.int64)
    return pd.arrays.IntegerArray(data, ~good), bad


def parse_categories(arr: Encoded, column: Column) -> tuple[pd.Categorical, np.ndarray]:
    """Map spellings ("Neglect", "N", "NEGLECT") to the declared categories; unknown -> bad mask."""
    lookup = column.category_lookup()
    codes, distinct = _encode(arr)
    cats = column.categories
    position = {c: i for i, c in enumerate(cats)}
    mapped = np.array(
        [position.get(category_of(t, lookup), -1) for t in distinct.to_pylist()], dtype=np.int64
    )
    # An entry appended for blanks, so code -1 picks it (see parse_dates).
    out = np.append(mapped, -1)[codes]
    bad = np.append(mapped < 0, False)[codes]
    return pd.Categorical.from_codes(out, categories=cats), bad


#: The letter Ofsted's Annex A puts before each code ("b) Female", "s) NOBT").
LETTERED = re.compile(r"^\s*[A-Za-z]\)\s*")


def category_of(text: str, lookup: dict[str, str]) -> str:
    """The canonical category of one spelling ("" if unknown), with or without an Annex A letter."""
    found = lookup.get(compact(text))
    if found is None and LETTERED.match(text):
        found = lookup.get(compact(LETTERED.sub("", text, count=1)))
    return found or ""


LIST_SPLIT = re.compile(r"\s*[;,|]\s*")


def parse_lists(arr: Encoded, column: Column) -> tuple[np.ndarray, np.ndarray]:
    """Semicolon-separated category lists -> canonical "a;b" text (object array, None if blank).

    The mask marks lists holding an item not declared: such a list is unknown (None), unless
    the column counts such items as ``column.other``; then the list keeps every item, the
    unrecognised ones under that category, and the mask only flags it."""
    lookup = column.category_lookup()
    codes, distinct = _encode(arr)
    mapped: list[str | None] = []
    flagged: list[bool] = []
    for text in distinct.to_pylist():
        items = [p for p in LIST_SPLIT.split(text) if p]
        canon = [lookup.get(compact(p)) for p in items]
        unknown = not items or any(c is None for c in canon)
        flagged.append(unknown)
        if unknown and not (items and column.other):
            mapped.append(None)
        else:
            mapped.append(";".join(dict.fromkeys(c or column.other for c in canon)))
    table = np.array([*mapped, None], dtype=object)
    unknown = np.array([*flagged, False], dtype=bool)
    index = np.where(codes >= 0, codes, len(mapped))
    return table[index], unknown[index]

"""The identifier scan: every distinct value of every column, and every header, checked for
direct identifiers.

Found anywhere in a cell, alone or inside longer text ("Team A (NHS no 943 476 5919)", "call mum
07700 900123", "DOB 03.03.2008"):

- NHS numbers: ten digits, with or without spaces or dashes, whose last digit is the modulus 11
  check digit (NHS Data Dictionary);
- Unique Pupil Numbers: a check letter, 11 digits and a digit or letter, whose first letter is the
  DfE modulus 23 check letter (DfE, "Unique pupil numbers (UPNs): guidance");
- email addresses; UK phone numbers (0..., +44..., 0044..., with spaces, dashes or brackets);
  full unit postcodes (any case, any spacing);
- dates of birth: a full date (day, month and year) written in any common way ("03.03.2008",
  "3/3/2008", "2008-03-03", "3 March 2008", "3rd of Mar 2008", "March 3, 2008"). In a column
  declared as an event date a date is an event, so only a date next to a word that says birth
  ("DOB", "born", "date of birth") counts; elsewhere any full date with a four-digit year counts,
  and a two-digit year counts next to such a word. Eight bare digits ("20080303") are not read as
  a date: ids look like that.
- and, in category columns only, a person's name ("Jane Smith" in gender): see
  :func:`looks_like_name`.

A number or code glued to letters ("CPP0040452", "C10529495") is part of an id, not an NHS number:
every pattern needs a boundary that is not a letter or digit on both sides.

Findings name the column and row and say what the value looks like; never the value itself
(:func:`withheld` is the one wording). Speed: the scan works on a column's distinct values, and
byte-level tests in numpy clear almost all of them first (a value with no digit beside a
separator, no "@", no postcode or pupil-number length cannot hold any of these); only the few
left go through the regular expressions, and numbers that fill the whole cell are checked in
numpy. The regular expressions are the definition; the shortcuts are tested to agree with them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sscb_analysis.cleaning.given_names import GIVEN_NAMES

#: What each kind of identifier is called in a message ("looks like an NHS number").
DESCRIPTIONS: dict[str, str] = {
    "nhs_number": "an NHS number",
    "upn": "a Unique Pupil Number",
    "email": "an email address",
    "phone": "a UK phone number",
    "postcode": "a full postcode",
    "date_of_birth": "a date of birth",
    "name": "a person's name",
}
#: Kinds in the order a cell is judged (the first that fits is reported).
KINDS: tuple[str, ...] = tuple(DESCRIPTIONS)
_CODE = {kind: i for i, kind in enumerate(KINDS)}


def withheld(kind: str) -> str:
    """The words that stand in for a value the scan flagged: "value withheld (looks like ...)"."""
    return f"value withheld (looks like {DESCRIPTIONS[kind]})"


# ---------------------------------------------------------------------------- check digits
def nhs_check_digit_valid(numbers: Sequence[str] | np.ndarray) -> np.ndarray:
    """True for 10-digit strings whose last digit is the NHS modulus 11 check digit.

    Weights 10..2 on the first nine digits; check = 11 - (sum mod 11), 11 -> 0, 10 -> invalid.
    """
    arr = np.asarray(numbers, dtype="U10")
    if not len(arr):
        return np.zeros(0, dtype=bool)
    digits = arr.view("U1").reshape(len(arr), 10).astype(np.int64)
    return _nhs_valid_digits(digits)


def _nhs_valid_digits(digits: np.ndarray) -> np.ndarray:
    """The modulus 11 check over an (n, 10) matrix of digit values."""
    total = digits[:, :9] @ np.arange(10, 1, -1)
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    return (check != 10) & (check == digits[:, 9])


#: The 23 letters a UPN check letter can be (no I, O or S); a temporary UPN's last letter
#: counts as its position here (A = 0 ... Z = 22).
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(body: str) -> str:
    """The DfE check letter for a UPN's last 12 characters (11 digits and a digit or letter).

    Character ``i`` (2 to 13) is weighted by ``i``; the sum modulo 23 indexes :data:`UPN_LETTERS`.
    """
    if len(body) != 12 or not body[:11].isdigit():
        raise ValueError("a UPN body is 11 digits and a digit or letter")
    values = [int(c) for c in body[:11]]
    last = body[11]
    values.append(int(last) if last.isdigit() else UPN_LETTERS.index(last))
    return UPN_LETTERS[sum(w * v for w, v in zip(range(2, 14), values, strict=True)) % 23]


def upn_valid(text: str) -> bool:
    """Whether ``text`` is a UPN (permanent or temporary) with the right check letter."""
    text = text.upper()
    if not re.fullmatch(rf"[{UPN_LETTERS}][0-9]{{11}}[0-9{UPN_LETTERS}]", text):
        return False
    return upn_check_letter(text[1:]) == text[0]


# ---------------------------------------------------------------------------- one value
_START = r"(?<![A-Za-z0-9])"
_END = r"(?![A-Za-z0-9])"
_NHS = re.compile(rf"{_START}(?<![0-9][ \-])([0-9](?:[ \-]?[0-9]){{9}})(?![ \-]?[0-9]){_END}")
# Written in three groups with dots or slashes ("943.476.5919", "943/476/5919"): only in the
# 3-3-4 grouping, the same mark twice, so that a decimal ("0.123456789") is not read as one.
_NHS_GROUPED = re.compile(
    rf"{_START}(?<![0-9][./])([0-9]{{3}}([./])[0-9]{{3}}\2[0-9]{{4}})(?![./]?[0-9]){_END}"
)
_UPN = re.compile(rf"(?i){_START}([A-Z][0-9]{{11}}[0-9A-Z]){_END}")
# An email is found from each "@" outwards (a local part before it, a domain after it), never by
# searching the text for a local part: on 30,000 letters before an "@" that is quadratic.
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._%+\-]$")
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<![A-Za-z0-9+])(?<![0-9][ \-])"
    r"(?:(?:\+|00)[ ]?44[ ]?(?:\(0\)[ ]?)?|\(?0)"
    r"[1-9](?:[ \-)]{0,2}[0-9]){8,9}"
    rf"(?![ \-]?[0-9]){_END}"
)
_POSTCODE = re.compile(
    rf"(?i){_START}(?:GIR\s*0AA|[A-Z]{{1,2}}[0-9][A-Z0-9]?\s*([0-9])([ABD-HJLNP-UW-Z]{{2}})){_END}"
)
_ORDINAL = re.compile(r"1st|2nd|3rd|[0-9]th")
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY = r"(0?[1-9]|[12][0-9]|3[01])"
_YEAR = r"((?:19|20)[0-9]{2}|[0-9]{2})"
_DATES = (
    # day month year with one separator used twice: 03.03.2008, 3/3/08, 03-03-2008, 3 3 2008
    ("dmy", re.compile(rf"(?<![0-9]){_DAY}([./\- ])(0?[1-9]|1[0-2])\2{_YEAR}(?![0-9])")),
    # year month day: 2008-03-03, 2008/3/3
    (
        "ymd",
        re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([./\-])(0?[1-9]|1[0-2])\2" + _DAY + "(?![0-9])"),
    ),
    # day, month name, year: 3 March 2008, 3rd of Mar 2008, 03-Mar-08
    (
        "dMy",
        re.compile(
            rf"(?i)(?<![0-9]){_DAY}(?:st|nd|rd|th)?[ \-./,]*(?:of[ ]+)?{_MONTH}(?![a-z])\.?"
            rf"[ \-./,]*{_YEAR}(?![0-9])"
        ),
    ),
    # month name, day, year: March 3, 2008; Mar 3rd 2008
    (
        "Mdy",
        re.compile(
            rf"(?i)(?<![a-z]){_MONTH}\.?[ \-./]+{_DAY}(?:st|nd|rd|th)?,?[ \-./]+{_YEAR}(?![0-9])"
        ),
    ),
)
_BIRTH = re.compile(r"(?i)(?<![a-z])(?:d\.?[ ]?o\.?[ ]?b|born|birth)")
#: Six or eight digits in a row ("DOB 03032008", "born 20080303", "DOB 030308"): a date only
#: next to a word that says birth (bare, ids look like that).
_COMPACT = re.compile(r"(?<![0-9])([0-9]{8}|[0-9]{6})(?![0-9])")


def _compact_date(text: str) -> bool:
    """Whether ``text`` holds six or eight digits that read as a valid day-month-year or
    year-month-day date (four-digit years 19xx or 20xx)."""
    for m in _COMPACT.finditer(text):
        d = m.group(1)
        if len(d) == 8:
            readings = [(d[4:], d[2:4], d[:2]), (d[:4], d[4:6], d[6:])]
            readings = [r for r in readings if r[0][:2] in ("19", "20")]
        else:
            readings = [("20" + d[4:], d[2:4], d[:2])]
        for year, month, day in readings:
            try:
                date(int(year), int(month), int(day))
            except ValueError:
                continue
            return True
    return False


def _full_date(text: str, *, birth_word: bool) -> bool:
    """Whether ``text`` holds a valid full date that counts (see the module docstring)."""
    for form, pattern in _DATES:
        for m in pattern.finditer(text):
            if form == "dmy":
                day, month, year = m.group(1), m.group(3), m.group(4)
            elif form == "ymd":
                year, month, day = m.group(1), m.group(3), m.group(4)
            elif form == "dMy":
                day, month, year = m.group(1), m.group(2), m.group(3)
            else:
                month, day, year = m.group(1), m.group(2), m.group(3)
            if not month.isdigit():
                month = str(_MONTHS.index(month[:3].lower()) + 1)
            if len(year) == 2 and not birth_word:
                continue
            full_year = int(year) if len(year) == 4 else 2000 + int(year)
            try:
                date(full_year, int(month), int(day))
            except ValueError:
                continue
            return True
    return False


_DASHES = re.compile("[\u2010-\u2015\u2212\ufe58\ufe63]")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


def normalise(text: str) -> str:
    """The text as the patterns read it: compatibility forms folded (NFKC: full-width digits,
    no-break spaces), every dash a hyphen, every space a plain space, invisible characters gone,
    so "943\u00a0476\u2011\u200b5919" is read as "943 476-5919"."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s", " ", _DASHES.sub("-", _INVISIBLE.sub("", text)))


def classify(text: str, *, event_dates: bool = False) -> str | None:
    """The kind of direct identifier ``text`` holds (a key of :data:`DESCRIPTIONS`), or None.

    ``event_dates``: the text comes from a column declared as an event date, where only a date
    next to a word that says birth counts as a date of birth. Names are judged separately
    (:func:`looks_like_name`), as only category columns are checked for them.
    """
    text = normalise(text)
    if any(
        nhs_check_digit_valid([re.sub(r"[ \-./]", "", m.group(1))])[0]
        for pattern in (_NHS, _NHS_GROUPED)
        for m in pattern.finditer(text)
    ):
        return "nhs_number"
    if any(upn_valid(m.group(1)) for m in _UPN.finditer(text)):
        return "upn"
    if "@" in text and _has_email(text):
        return "email"
    if _PHONE.search(text):
        return "phone"
    for m in _POSTCODE.finditer(text):
        inward = (m.group(1) or "") + (m.group(2) or "")
        if not (inward.islower() and _ORDINAL.fullmatch(inward)):  # "b2 4th" is not a postcode
            return "postcode"
    birth_word = bool(_BIRTH.search(text))
    if (birth_word or not event_dates) and _full_date(text, birth_word=birth_word):
        return "date_of_birth"
    if birth_word and _compact_date(text):
        return "date_of_birth"
    return None


def _has_email(text: str) -> bool:
    """Whether an "@" has a local part before it and a domain (with a dot and a top-level part
    of two or more letters) after it; each "@" is looked at within 255 characters."""
    for at in (m.start() for m in re.finditer("@", text)):
        if _EMAIL_LOCAL.search(text, max(0, at - 64), at) and _EMAIL_DOMAIN.match(
            text, at + 1, at + 256
        ):
            return True
    return False


_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "master"})


def looks_like_name(text: str, vocabulary: Iterable[str] = ()) -> bool:
    """Whether a category value reads as a person's name rather than a category.

    One to four words of letters (apostrophes and hyphens allowed; "Smith, Jane" too), which
    start with a title (Mr, Mrs, Ms, Miss, Mx, Dr, Master) or hold a common given name
    (:mod:`~sscb_analysis.cleaning.given_names`) that no category spells (``vocabulary``: the
    lower-case words of the column's categories and their spellings). A heuristic, narrow by
    design so that an unknown category ("Youth Offending") is still quarantined as unknown.
    """
    words = text.replace(",", " ").replace(".", " ").split()
    if not 1 <= len(words) <= 4 or not all(_WORD.fullmatch(w) for w in words):
        return False
    lower = [w.lower() for w in words]
    vocab = set(vocabulary)
    if lower[0] in _TITLES and len(words) > 1 and lower[1] not in vocab:
        return True
    return any(w in GIVEN_NAMES and w not in vocab for w in lower)


# ---------------------------------------------------------------------------- many values
_DIGIT, _LETTER, _AT, _OTHER, _WIDE = 1, 2, 4, 8, 16
_CLASS = np.full(256, _OTHER, dtype=np.uint8)
_CLASS[128:] = _OTHER | _WIDE
_CLASS[48:58] = _DIGIT
_CLASS[65:91] = _LETTER
_CLASS[97:123] = _LETTER
_CLASS[64] = _AT

# A superset of what :func:`classify` finds, for RE2 (pyarrow) to sift many values at once.
_LOOSE_COMMON = (
    r"@|[0-9](?:[ \-()]{0,3}[0-9]){9}|[0-9]{3}[./][0-9]{3}[./][0-9]{4}"
    r"|(?i:[a-z]{1,2}[0-9][a-z0-9]?\s*[0-9][a-z]{2}|gir\s*0aa)"
    r"|(?i:d\.?\s?o\.?\s?b|born|birth)"
)
_LOOSE_DATES = (
    r"|[0-9]{1,4}[./\- ][0-9]{1,2}[./\- ][0-9]{2,4}"
    r"|(?i:[0-9](?:st|nd|rd|th)?[ \-./,]*(?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))"
    r"|(?i:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?[ \-./]+[0-9])"
)
_LOOSE = _LOOSE_COMMON + _LOOSE_DATES


def scan_values(
    values: pa.Array | Sequence[str | None], *, event_dates: bool = False
) -> np.ndarray:
    """For each value, the index in :data:`KINDS` of the identifier it holds, or -1 (int8).

    The same answer as :func:`classify` on every value (names are not judged here), fast on a
    million distinct ids: bytes first, then RE2 over the few values left, then Python.
    """
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    if arr.null_count:
        arr = arr.fill_null("")
    out = np.full(len(arr), -1, dtype=np.int8)
    numbers, others = _candidates(arr)
    if numbers.any():
        out[numbers] = _whole_numbers(arr.filter(pa.array(numbers)))
    idx = np.flatnonzero(others)
    if not len(idx):
        return out
    texts = arr.take(pa.array(idx))
    wide = (_classes(texts) & _WIDE) != 0
    if wide.any():  # rare: fold full-width digits, odd spaces and dashes before the patterns
        folded = [normalise(t) if w else t for t, w in zip(texts.to_pylist(), wide, strict=True)]
        texts = pa.array(folded, pa.string())
    loose = pc.match_substring_regex(texts, _LOOSE_COMMON if event_dates else _LOOSE)
    for i, text in zip(
        idx[loose.to_numpy(zero_copy_only=False)], texts.filter(loose).to_pylist(), strict=True
    ):
        kind = classify(text, event_dates=event_dates)
        if kind is not None:
            out[i] = _CODE[kind]
    return out


def _buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(bytes of all values, each value's start offset into them and the end) of a string array."""
    _, offset_buffer, data_buffer = arr.buffers()
    offsets = np.frombuffer(
        offset_buffer, dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4
    )
    begin, end = int(offsets[0]), int(offsets[-1])
    if end == begin:
        return np.zeros(0, dtype=np.uint8), offsets - begin
    data = np.frombuffer(data_buffer, dtype=np.uint8, count=end - begin, offset=begin)
    return data, offsets - begin


def _classes(arr: pa.Array) -> np.ndarray:
    """For each value, the OR of its bytes' classes (digit, letter, "@", other, non-ASCII)."""
    data, offsets = _buffers(arr)
    classes = np.zeros(len(arr), dtype=np.uint8)
    filled = np.diff(offsets) > 0
    if filled.any():
        classes[filled] = np.bitwise_or.reduceat(_CLASS[data], offsets[:-1][filled])
    return classes


def _candidates(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(plain numbers of ten or more digits, other values that may hold an identifier), judged
    from the values' bytes alone.

    Anything else cannot hold one: a value of ASCII letters and digits only (most ids) can hold
    one only filling the cell (a postcode of 5 to 7 or a UPN of 13 characters, which start with
    a letter, or a number); inside other text, an identifier has a digit beside something other
    than a letter or digit, or an "@"; text with characters outside ASCII is folded and read.
    A column of letters and digits only is recognised from a few passes over its bytes, so its
    values need not be classified one by one.
    """
    data, offsets = _buffers(arr)
    lengths = np.diff(offsets)
    none = np.zeros(len(arr), dtype=bool)
    if not len(data):
        return none, none
    lo, hi = int(lengths.min()), int(lengths.max())
    if lo > 0:
        first = data[offsets[:-1]]
    else:
        first = np.full(len(arr), 255, dtype=np.uint8)
        filled = lengths > 0
        first[filled] = data[offsets[:-1][filled]]
    # Whole-cell shapes, tested only when some value has such a length (an id column of one
    # width usually has none): a postcode of 5 to 7 or a UPN of 13, led by a letter; a number.
    some_whole = (lo <= 7 and hi >= 5) or (lo <= 13 <= hi)
    if _letters_and_digits(data):
        numbers = none
        if hi >= 10:
            numbers = (lengths >= 10) & (_CLASS[first] == _DIGIT)
            if numbers.any():
                numbers &= pc.ascii_is_decimal(arr).to_numpy(zero_copy_only=False)
        if not some_whole:
            return numbers, none
        whole = ((lengths >= 5) & (lengths <= 7)) | (lengths == 13)
        return numbers, (_CLASS[first] == _LETTER) & whole
    filled = lengths > 0
    whole = ((lengths >= 5) & (lengths <= 7)) | (lengths == 13)
    classes = _classes(arr)
    alnum = filled & (classes & ~np.uint8(_DIGIT | _LETTER) == 0)
    numbers = (classes == _DIGIT) & (lengths >= 10)
    others = (alnum & (_CLASS[first] == _LETTER) & whole) | (
        ((classes & (_AT | _WIDE)) != 0) | (((classes & _DIGIT) != 0) & ((classes & _OTHER) != 0))
    )
    return numbers, others


def _letters_and_digits(data: np.ndarray) -> bool:
    """Whether every byte is an ASCII letter or digit (min and max first: they are cheap)."""
    return bool(
        len(data)
        and data.min() >= 48
        and data.max() <= 122
        and not ((data - np.uint8(58)) < 7).any()  # : ; < = > ? @
        and not ((data - np.uint8(91)) < 6).any()  # [ \\ ] ^ _ `
    )


def _whole_numbers(numbers: pa.Array) -> np.ndarray:
    """:func:`classify` of cells that are plain digits, in numpy: ten digits with the NHS check
    digit, or a UK phone number (0 or 0044, then a non-zero digit and 8 or 9 more)."""
    out = np.full(len(numbers), -1, dtype=np.int8)
    phone = pc.match_substring_regex(numbers, r"^(?:0|0044)[1-9][0-9]{8,9}$")
    out[phone.to_numpy(zero_copy_only=False)] = _CODE["phone"]
    ten = pc.equal(pc.binary_length(numbers), 10)
    if pc.any(ten).as_py():
        data, _ = _buffers(numbers.filter(ten))
        digits = (data - np.uint8(48)).reshape(-1, 10).astype(np.int64)
        where = np.flatnonzero(ten.to_numpy(zero_copy_only=False))
        out[where[_nhs_valid_digits(digits)]] = _CODE["nhs_number"]
    return out


# ---------------------------------------------------------------------------- columns
@dataclass(frozen=True)
class CellFinding:
    """Cells of one column that hold one kind of identifier: where, never what."""

    kind: str
    first_row: int
    cells: int

    @property
    def description(self) -> str:
        """E.g. "value withheld (looks like an NHS number)"."""
        return withheld(self.kind)


#: An id column whose own numbering has the shape of NHS numbers (ten digits) or UPNs (a letter,
#: 11 digits and a digit or letter) is told from a column of them by how many pass the check:
#: 1 in 11 of any ten-digit numbers pass the NHS check and 1 in 23 of any UPN-shaped codes the
#: UPN check by chance; every real one passes. At least this many distinct values of the shape
#: are needed to judge...
OWN_NUMBERING_MIN = 20
#: ...and the ids are the column's own numbering when no more than this share passes.
OWN_NUMBERING_MAX_SHARE = 0.2
#: Kind -> (the shape of the column's own ids, the chance of passing, the check's name).
_OWN_SHAPES = {
    "nhs_number": (r"^[0-9]{10}$", "1 in 11", "ten-digit numbers", "NHS numbers"),
    "upn": (r"^[A-Za-z][0-9]{11}[0-9A-Za-z]$", "1 in 23", "UPN-shaped codes", "UPNs"),
}


@dataclass(frozen=True)
class ColumnScan:
    """What the scan found in one column; ``note`` explains a judgement worth logging."""

    findings: list[CellFinding]
    note: str | None = None


def scan_column(
    dictionary: pa.Array,
    codes: np.ndarray,
    source_rows: np.ndarray,
    *,
    event_dates: bool = False,
    vocabulary: Iterable[str] | None = None,
    is_id: bool = False,
) -> ColumnScan:
    """Scan a column given as its distinct values and each row's code into them (-1 = blank).

    ``vocabulary`` (category columns only) turns on the name check; ``is_id`` allows an id
    column whose own ids are ten-digit numbers (see :data:`OWN_NUMBERING_MAX_SHARE`).
    """
    kinds = scan_values(dictionary, event_dates=event_dates)
    if vocabulary is not None:
        vocab = frozenset(vocabulary)
        for i, text in enumerate(dictionary.to_pylist()):
            if kinds[i] < 0 and text and looks_like_name(text, vocab):
                kinds[i] = _CODE["name"]
    note = None
    if is_id:
        for kind in _OWN_SHAPES:
            if (kinds == _CODE[kind]).any():
                kinds, said = _own_numbering(dictionary, kinds, kind)
                note = said or note
    if not (kinds >= 0).any():
        return ColumnScan([], note)
    present = codes >= 0
    per_row = np.where(present, kinds[np.where(present, codes, 0)], -1)
    findings = []
    for code in np.unique(kinds[kinds >= 0]):
        rows = np.flatnonzero(per_row == code)
        if len(rows):
            findings.append(CellFinding(KINDS[code], int(source_rows[rows[0]]), len(rows)))
    findings.sort(key=lambda f: f.first_row)
    return ColumnScan(findings, note)


def _own_numbering(
    dictionary: pa.Array, kinds: np.ndarray, kind: str
) -> tuple[np.ndarray, str | None]:
    """Clear the ``kind`` flags of an id column whose own ids have that identifier's shape and
    pass its check no more often than chance: such a column cannot be told to hold them."""
    pattern, chance, shape, plural = _OWN_SHAPES[kind]
    shaped = pc.match_substring_regex(dictionary, pattern).to_numpy(zero_copy_only=False)
    n = int(shaped.sum())
    present = int(pc.sum(pc.greater(pc.utf8_length(dictionary), 0)).as_py() or 0)
    if n < OWN_NUMBERING_MIN or n < 0.9 * present:
        return kinds, None
    flagged = shaped & (kinds == _CODE[kind])
    passing = int(flagged.sum())
    if passing > OWN_NUMBERING_MAX_SHARE * n:
        return kinds, None
    kinds = kinds.copy()
    kinds[flagged] = -1
    note = (
        f"{n:,} ids are {shape} and {passing / n:.0%} of them pass the check of {plural}, as "
        f"about {chance} of any such codes do by chance (every real one does): read as the "
        f"case system's own numbering, not {plural}"
    )
    return kinds, note


def scan_headers(headers: Sequence[str], vocabulary: Iterable[str] | None = None) -> dict[int, str]:
    """Position -> kind of identifier for each header that holds one ("Jane Smith 9434765919").

    With ``vocabulary`` (the lower-case words of the headers an extract knows), a header that
    reads as a person's name ("Jane Smith") counts too. Such a header is never printed:
    messages call it "column N" (1-based), see :func:`column_label`.
    """
    kinds = scan_values(list(headers))
    if vocabulary is not None:
        vocab = frozenset(vocabulary)
        for i, header in enumerate(headers):
            if kinds[i] < 0 and looks_like_name(header, vocab):
                kinds[i] = _CODE["name"]
    return {i: KINDS[k] for i, k in enumerate(kinds) if k >= 0}


def column_label(position: int) -> str:
    """How a message names a column whose header cannot be shown: "column 7" (1-based)."""
    return f"column {position + 1}"

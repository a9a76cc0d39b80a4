"""The DfE children in need (CIN) census XML return: its child protection plans as a table.

Every local authority in England sends the DfE this file each year (collection years 2017 to
2026 are covered here; the schemas differ by year, e.g. ``Sex`` replaced ``GenderCurrent`` in
the 2024 to 2025 collection and 2026 added pre-proceedings elements, which are not read). A
return is recognised by its root element ``Message`` whose ``Header/CollectionDetails/
Collection`` is ``CIN``, whatever the namespace or prefix.

One row per ``Child/CINdetails/ChildProtectionPlans`` element, with the child's identifiers and
characteristics repeated on each of its plans. Headers are the element names, as the file
spells them (the CPP extract declares them as aliases), plus ``age_band``, derived from
``PersonBirthDate`` at ``CPPstartDate``. ``UPN``, ``FormerUPN`` and ``PersonBirthDate`` are kept
as columns so that the identifier guard sees them: they are refused unless dropped or
pseudonymised. The source row of a plan is the line number of its ``<ChildProtectionPlans>``
start tag in the file.

The file is read as a stream (pyexpat, 1 MB at a time), holding only the plans: a region's
return of 200,000 children is read in seconds in bounded memory. A DTD (``<!DOCTYPE``) is
refused before anything is read, so no entity can be expanded (no billion laughs, no external
entities).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

import numpy as np
import pyarrow as pa

from sscb_analysis.cleaning import limits
from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.cleaning.formats.common import AGE_BAND, age_bands, dates_of, text_table
from sscb_analysis.cleaning.read import ExtractError, RawTable

#: Leaf elements read from ``Child/ChildIdentifiers`` and ``Child/ChildCharacteristics``, in the
#: order their columns appear. ``ExpectedPersonBirthDate`` is read only to tell an unborn child's
#: age band; it is not passed on.
CHILD_FIELDS = (
    "LAchildID",
    "UPN",
    "FormerUPN",
    "PersonBirthDate",
    "ExpectedPersonBirthDate",
    "GenderCurrent",
    "Sex",
)
CHARACTERISTIC_FIELDS = ("Ethnicity",)
#: Leaf elements read from each ``ChildProtectionPlans`` element.
PLAN_FIELDS = (
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "NumberOfPreviousCPP",
)
HEADER_FIELDS = ("Collection", "Year", "ReferenceDate")
#: Columns of the table, in order; a child-level column appears only if the file has the element.
COLUMNS = (
    "LAchildID",
    "UPN",
    "FormerUPN",
    "PersonBirthDate",
    "GenderCurrent",
    "Sex",
    "Ethnicity",
    *PLAN_FIELDS,
)
#: Columns always present (blank where the file lacks the element), so a missing required
#: element is reported by the rules on each plan, not as a missing column.
ALWAYS = ("LAchildID", "Ethnicity", *PLAN_FIELDS)

_WANTED: dict[tuple[str | None, str], tuple[str, str]] = {
    **{("ChildIdentifiers", f): ("child", f) for f in CHILD_FIELDS},
    **{("ChildCharacteristics", f): ("child", f) for f in CHARACTERISTIC_FIELDS},
    **{("ChildProtectionPlans", f): ("plan", f) for f in PLAN_FIELDS},
    **{("CollectionDetails", f): ("header", f) for f in HEADER_FIELDS},
}

#: Element names (without prefix) whose start or end matters; every other element costs one
#: set lookup each way.
_OPENING = frozenset({local for _, local in _WANTED} | {"ChildProtectionPlans", "Child"})
_CLOSING = frozenset({"ChildProtectionPlans", "Child"})

CHUNK = 1 << 20
#: The longest value read (the cleaner's limit for any value, Excel's for a cell): a longer one
#: is refused while it is read, before it can fill memory. Text outside the elements read is
#: never kept.
MAX_VALUE_CHARS = limits.MAX_CELL_CHARS
#: Bytes of a file's start that :func:`sniff_head` looks at.
HEAD_BYTES = 65_536


class _StopParseError(Exception):
    """Raised inside the parser to stop it (a DTD, or enough seen while sniffing)."""


@dataclass
class CensusHeader:
    """What a return says about itself: collection, year, reference date (text as written)."""

    root: str | None = None
    namespace: str | None = None
    collection: str | None = None
    year: str | None = None
    reference_date: str | None = None


@dataclass
class _Parsed:
    header: CensusHeader = field(default_factory=CensusHeader)
    children: int = 0
    columns: dict[str, list[str | None]] = field(
        default_factory=lambda: {c: [] for c in (*COLUMNS, "ExpectedPersonBirthDate")}
    )
    present: set[str] = field(default_factory=set)
    lines: list[int] = field(default_factory=list)
    malformed: dict[int, str] = field(default_factory=dict)
    misplaced: list[int] = field(default_factory=list)


def _local(name: str) -> str:
    """An element's name without its namespace prefix."""
    return name.rpartition(":")[2] if ":" in name else name


def _new_parser() -> expat.XMLParserType:
    """An expat parser that refuses any DTD (so no entity is ever declared or expanded)."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise _StopParseError(
            f"it declares a DTD (<!DOCTYPE ...>) at line {parser.CurrentLineNumber}; a CIN "
            "census return never needs one, and a DTD can make an XML reader expand entities "
            "without limit: export the return again without it"
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


# ---------------------------------------------------------------------------- sniffing
def sniff_head(head: bytes) -> CensusHeader | None:
    """The header of an XML file from its first bytes, or None if they are not XML.

    Stops as soon as the collection is known (or the first child begins). A DTD stops it too:
    the header then has only the root name, and :func:`read_cpp` refuses the file with a sentence.
    """
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not stripped.startswith((b"<", b"\xff\xfe", b"\xfe\xff")):  # UTF-16 has its own BOM
        return None
    header = CensusHeader()
    parser = _new_parser()
    stack: list[str] = []
    text: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if not stack:
            header.root = local
            header.namespace = attrs.get("xmlns") or next(
                (v for k, v in attrs.items() if k.startswith("xmlns:")), None
            )
        if local == "Child" or local == "Children":
            raise _StopParseError("enough")
        stack.append(local)
        text.clear()

    def end(name: str) -> None:
        local = stack.pop()
        parent = stack[-1] if stack else None
        if parent == "CollectionDetails" and local in HEADER_FIELDS:
            setattr(header, _attr(local), "".join(text).strip())
            if header.collection is not None and header.reference_date is not None:
                raise _StopParseError("enough")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    with contextlib.suppress(_StopParseError, expat.ExpatError):
        parser.Parse(head, False)
    if header.root is None and b"<!DOCTYPE" in head[:4096].upper():
        header.root = "(DTD)"
    return header if header.root is not None else None


def _attr(local: str) -> str:
    return {"Collection": "collection", "Year": "year", "ReferenceDate": "reference_date"}[local]


def is_cin(header: CensusHeader) -> bool:
    """Whether a header is that of a CIN census return."""
    return header.root == "Message" and (header.collection or "").strip().upper() == "CIN"


def census_header(path: str | Path) -> CensusHeader | None:
    """The header of a return (collection, year, reference date) from the file's first bytes."""
    with open(path, "rb") as fh:
        return sniff_head(fh.read(HEAD_BYTES))


# ---------------------------------------------------------------------------- reading
def _parse(fh: BinaryIO, parsed: _Parsed) -> None:
    """Stream the file through expat, collecting plans into ``parsed``.

    The handlers run once per element of a file of millions, so they do as little as they can:
    text is collected only inside the few leaf elements read (the character handler is switched
    on and off), and a child's plans are written out as columns when the child ends.
    """
    parser = _new_parser()
    stack: list[str] = []
    push, pop = stack.append, stack.pop
    buf: list[str] = []
    cols = list(parsed.columns.items())
    header = parsed.header
    wanted = _WANTED
    opening = _OPENING
    closing = _CLOSING
    local_of: dict[str, str] = {}  # element name as written -> without its prefix
    capture: tuple[str, str] | None = None
    plan: tuple[dict[str, str], list[str]] | None = None
    child: dict[str, str] = {}
    child_dups: list[str] = []
    plans: list[tuple[int, dict[str, str], list[str]]] = []

    def text(data: str) -> None:
        buf.append(data)
        if len(data) > MAX_VALUE_CHARS or (len(buf) > 1 and sum(map(len, buf)) > MAX_VALUE_CHARS):
            raise _StopParseError(
                f"its {capture[1] if capture else 'value'} at line {parser.CurrentLineNumber} is "
                f"longer than {MAX_VALUE_CHARS:,} characters, more than any value of a return "
                "holds"
            )

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal capture, plan
        local = local_of.get(name)
        if local is None:
            local = local_of[name] = name.rpartition(":")[2]
        if not stack:
            header.root = local
            header.namespace = attrs.get("xmlns") or next(
                (v for k, v in attrs.items() if k.startswith("xmlns:")), None
            )
        push(local)
        if local not in opening:
            return
        parent = stack[-2] if len(stack) > 1 else None
        target = wanted.get((parent, local))
        if target is not None:
            capture = target
            buf.clear()
            parser.CharacterDataHandler = text
        elif local == "ChildProtectionPlans":
            line = parser.CurrentLineNumber
            if parent == "CINdetails" and len(stack) >= 3 and stack[-3] == "Child":
                plan = ({}, [])
                plans.append((line, *plan))
            else:
                parsed.misplaced.append(line)
        elif local == "Child" and parent == "Children":
            child.clear()
            child_dups.clear()
            plans.clear()

    def end(name: str) -> None:
        nonlocal capture, plan
        local = pop()
        if capture is None:
            if local not in closing:
                return
            if local == "ChildProtectionPlans":
                plan = None
            elif stack and stack[-1] == "Children":  # the end of a Child
                parsed.children += 1
                if plans:
                    _emit(parsed, cols, child, child_dups, plans)
                    plans.clear()
            return
        scope, element = capture
        if element != local:
            return  # an element nested inside a leaf: its text is the leaf's
        capture = None
        parser.CharacterDataHandler = None
        value = "".join(buf)
        if scope == "plan":
            if plan is not None:
                if element in plan[0]:
                    plan[1].append(element)
                plan[0][element] = value
        elif scope == "child":
            if element in child:
                child_dups.append(element)
            child[element] = value
        else:
            setattr(header, _attr(element), value.strip())

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    while chunk := fh.read(CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _emit(
    parsed: _Parsed,
    cols: list[tuple[str, list[str | None]]],
    child: dict[str, str],
    child_dups: list[str],
    plans: list[tuple[int, dict[str, str], list[str]]],
) -> None:
    """Append one child's plans to the columns (the child's fields repeated on each plan)."""
    parsed.present.update(child)
    for line, values, dups in plans:
        position = len(parsed.lines)
        parsed.lines.append(line)
        for element, column in cols:
            column.append(values.get(element, child.get(element)))
        if dups or child_dups:
            parsed.malformed[position] = _duplicates_message([*dups, *child_dups])


def _duplicates_message(elements: list[str]) -> str:
    names = ", ".join(sorted(set(elements)))
    return (
        f"the plan or its child holds more than one {names} element (the schema allows one), so "
        "which is right cannot be told"
    )


def read_cpp(path: str | Path) -> RawTable:
    """The child protection plans of a CIN census return as a :class:`RawTable`.

    Raises :class:`ExtractError` with one sentence for a file that is not well-formed XML (with
    its line), declares a DTD, is not a CIN census return, or holds no child protection plans.
    """
    path = Path(path)
    parsed = _Parsed()
    try:
        with open(path, "rb") as fh:
            _parse(fh, parsed)
    except FileNotFoundError:
        raise ExtractError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise ExtractError(f"{path} is a folder, not an extract file.") from None
    except _StopParseError as exc:
        raise ExtractError(f"{path} is refused: {exc}.") from None
    except expat.ExpatError as exc:
        raise ExtractError(
            f"{path} is not well-formed XML: {expat.errors.messages[exc.code]} at line "
            f"{exc.lineno}, column {exc.offset + 1}. Export the return again, or open it in an "
            "XML editor and mend that line."
        ) from None
    except OSError as exc:
        raise ExtractError(f"{path} could not be read: {exc.strerror or exc}.") from None
    _check(path, parsed)
    return _table(path, parsed)


def _check(path: Path, parsed: _Parsed) -> None:
    header = parsed.header
    if header.root != "Message":
        raise ExtractError(
            f"{path} is XML but not a CIN census return: its root element is <{header.root}>, "
            "where a return has <Message>."
        )
    collection = (header.collection or "").strip()
    if collection and collection.upper() != "CIN":
        raise ExtractError(
            f"{path} is a {collection!r} return, not a CIN census return (its "
            "Header/CollectionDetails/Collection says so); only the CIN census holds child "
            "protection plans."
        )
    if parsed.misplaced:
        raise ExtractError(
            f"{path} has a ChildProtectionPlans element outside Child/CINdetails at line "
            f"{parsed.misplaced[0]} ({len(parsed.misplaced)} in all); a CIN census return holds "
            "plans only inside a child's CINdetails, so the file's structure is not the census "
            "schema's."
        )
    if not parsed.lines:
        what = f"{parsed.children:,} child{'ren' if parsed.children != 1 else ''}"
        raise ExtractError(
            f"{path} is a CIN census return with {what} but no ChildProtectionPlans module, so "
            "it holds no child protection plans to clean; export the return with its child "
            "protection plans."
        )


def _table(path: Path, parsed: _Parsed) -> RawTable:
    arrays = {name: pa.array(values, pa.string()) for name, values in parsed.columns.items()}
    headers = [c for c in COLUMNS if c in ALWAYS or c in parsed.present]
    columns = {h: Encoded.from_arrow(arrays[h]) for h in headers}
    missing = np.full(len(parsed.lines), np.datetime64("NaT"), dtype="datetime64[D]")
    start = dates_of(columns["CPPstartDate"])
    birth = dates_of(columns["PersonBirthDate"]) if "PersonBirthDate" in columns else missing
    expected = None
    if "ExpectedPersonBirthDate" in parsed.present:
        expected = dates_of(Encoded.from_arrow(arrays["ExpectedPersonBirthDate"]))
    table = text_table(
        [*headers, AGE_BAND],
        [*columns.values(), age_bands(birth, start, expected)],
        str(path),
        parsed.lines,
        parsed.malformed,
    )
    if parsed.malformed:  # as RawTable holds such rows: blank, set aside by the cleaner
        at = np.fromiter(parsed.malformed, dtype=np.int64)
        for column in table.columns:
            column.codes[at] = -1
    return table

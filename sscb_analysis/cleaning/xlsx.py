"""Reading an Excel workbook (XLSX) as the text of its cells, streaming, with every cell that
cannot be read as stored reported by its reference (``Sheet1!D14``), never read as blank.

openpyxl reads a formula whose result was never saved (a workbook written by a tool other than
Excel) as an empty cell, so an ended plan would silently become open; this reader parses the
sheet's XML itself (with openpyxl's own tables of date formats and serial dates) so that it can
tell the two apart. Excel error values (``#REF!``, ``#N/A``) are reported the same way.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree import ElementTree

from sscb_analysis.cleaning import limits
from sscb_analysis.cleaning.headers import ExtractError
from sscb_analysis.cleaning.identifiers import classify, withheld

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Sheet:
    """The cells of one worksheet as text, row by row from row 1 (empty rows kept, so that a
    row's index + 1 is its Excel row number), and the cells that could not be read."""

    name: str
    rows: list[list[str]]
    #: (row index, column index) -> what is wrong with the cell (its value is "" in ``rows``)
    problems: dict[tuple[int, int], str] = field(default_factory=dict)


def cell_reference(sheet: str, row: int, column: int) -> str:
    """``Sheet1!D14`` for 0-based ``row`` and ``column`` (sheet names quoted as Excel quotes them)."""
    letters = ""
    n = column + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    name = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{letters}{row + 1}"


def sheet_names(data: bytes, path: object = "the workbook") -> list[str]:
    """The names of the worksheets, in the workbook's order."""
    with _open(data, path) as book:
        return [name for name, _ in _sheets(book, path)]


def read_sheet(data: bytes, path: object, sheet: str | None = None) -> Sheet:
    """The cells of ``sheet`` (default: the first) as text an analyst would see: dates as ISO
    dates, whole numbers without ``.0``, booleans as TRUE/FALSE. Raises :class:`ExtractError`
    for a file that is not a readable workbook or has no such sheet."""
    with _open(data, path) as book:
        sheets = _sheets(book, path)
        if not sheets:
            raise ExtractError(f"{path} has no worksheet.")
        if sheet is None:
            name, part = sheets[0]
        else:
            found = [(n, p) for n, p in sheets if n == sheet]
            if not found:
                raise ExtractError(
                    f"{path} has no sheet called {sheet!r}; its sheets are "
                    f"{', '.join(repr(n) for n, _ in sheets)}."
                )
            name, part = found[0]
        strings = _shared_strings(book, path)
        dates, epoch = _date_styles(book, path), _epoch(book, path)
        rows: list[list[str]] = []
        problems: dict[tuple[int, int], str] = {}
        filled = 0  # cells held so far, bounded (limits.XLSX_MAX_CELLS)
        try:
            with book.open(part) as stream:
                for r, cells in _rows(stream):
                    if r >= limits.XLSX_MAX_ROWS:
                        limits.check_sheet_position(r + 1, 1, path)
                    while len(rows) < r:
                        rows.append([])
                    row: list[str] = []
                    for c, text, problem in _cells(cells, strings, dates, epoch):
                        if c >= limits.MAX_COLUMNS:  # before the row is padded out to it
                            limits.check_sheet_position(r + 1, c + 1, path)
                        row.extend([""] * (c - len(row)))
                        if problem is not None:
                            problems[(r, c)] = problem
                            text = ""
                        if c < len(row):
                            row[c] = text
                        else:
                            row.append(text)
                    filled += len(row)
                    limits.check_sheet_cells(filled, path)
                    rows.append(row)
        except ExtractError:  # a limit, already a sentence
            raise
        except KeyError:
            raise ExtractError(f"{path} is not a readable Excel workbook (no {part}).") from None
        except ElementTree.ParseError as exc:  # its message says where, never what
            raise ExtractError(f"{path} is not a readable Excel workbook ({exc}).") from None
        except (ValueError, IndexError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            # A damaged part: its message could quote a cell, so only its kind is said.
            raise ExtractError(
                f"{path} is not a readable Excel workbook: {part} is damaged "
                f"({type(exc).__name__}); open it in Excel and save it again, or export the "
                "extract as CSV."
            ) from None
    return Sheet(name, rows, problems)


def _open(data: bytes, path: object) -> zipfile.ZipFile:
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractError(f"{path} is not a readable Excel workbook ({exc}).") from None
    limits.check_xlsx_archive(book, path)  # sizes and ratios, before any part is unpacked
    return book


def _xml(book: zipfile.ZipFile, part: str, path: object) -> ElementTree.Element | None:
    """A small part of the package parsed whole (None when the package lacks it)."""
    try:
        raw = book.read(part)
    except KeyError:
        return None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ExtractError(
            f"{path} is not a readable Excel workbook: {part} is damaged "
            f"({type(exc).__name__}); open it in Excel and save it again."
        ) from None
    if b"<!DOCTYPE" in raw[:4096] or b"<!ENTITY" in raw[:4096]:
        raise ExtractError(f"{path} is not a plain Excel workbook: {part} declares a DTD.")
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise ExtractError(f"{path} is not a readable Excel workbook ({part}: {exc}).") from None


def _sheets(book: zipfile.ZipFile, path: object) -> list[tuple[str, str]]:
    """(sheet name, part name) of every worksheet, in order."""
    workbook = _xml(book, "xl/workbook.xml", path)
    if workbook is None:
        raise ExtractError(f"{path} is not an Excel workbook (it has no xl/workbook.xml).")
    rels = _xml(book, "xl/_rels/workbook.xml.rels", path)
    targets = {}
    for rel in [] if rels is None else rels.iter(f"{PACKAGE_REL}Relationship"):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(part)
    out = []
    for i, node in enumerate(workbook.iter(f"{MAIN}sheet")):
        part = targets.get(node.get(f"{REL}id"), f"xl/worksheets/sheet{i + 1}.xml")
        out.append((node.get("name", f"Sheet{i + 1}"), part))
    return out


def _shared_strings(book: zipfile.ZipFile, path: object) -> list[str]:
    root = _xml(book, "xl/sharedStrings.xml", path)
    if root is None:
        return []
    return [_text(si) for si in root.iter(f"{MAIN}si")]


def _text(node: ElementTree.Element) -> str:
    """The text of a string item: its ``t``, or the ``t`` of its runs (phonetic runs left out)."""
    direct = node.find(f"{MAIN}t")
    if direct is not None:
        return direct.text or ""
    return "".join(t.text or "" for r in node.iter(f"{MAIN}r") for t in r.iter(f"{MAIN}t"))


def _date_styles(book: zipfile.ZipFile, path: object) -> set[int]:
    """Indices of the cell styles whose number format is a date (as openpyxl decides)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    root = _xml(book, "xl/styles.xml", path)
    if root is None:
        return set()
    custom = {
        int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in root.iter(f"{MAIN}numFmt")
    }
    xfs = root.find(f"{MAIN}cellXfs")
    out = set()
    for i, xf in enumerate([] if xfs is None else xfs.findall(f"{MAIN}xf")):
        fmt = int(xf.get("numFmtId", "0"))
        code = custom.get(fmt, BUILTIN_FORMATS.get(fmt, ""))
        if code and is_date_format(code):
            out.add(i)
    return out


def _epoch(book: zipfile.ZipFile, path: object) -> datetime:
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

    workbook = _xml(book, "xl/workbook.xml", path)
    pr = None if workbook is None else workbook.find(f"{MAIN}workbookPr")
    flag = "" if pr is None else pr.get("date1904", "")
    return MAC_EPOCH if flag.lower() in ("1", "true") else WINDOWS_EPOCH


def _rows(stream) -> Iterator[tuple[int, list[ElementTree.Element]]]:
    """(0-based row index, cell elements) of each ``row`` element, streaming: each row is
    released once read, so a large sheet is never held as XML."""
    head = stream.peek(4096) if hasattr(stream, "peek") else b""
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise ValueError("the sheet declares a DTD")
    expected = 0
    parent: ElementTree.Element | None = None
    for event, node in ElementTree.iterparse(stream, events=("start", "end")):
        if event == "start":
            if node.tag == f"{MAIN}sheetData":
                parent = node
            continue
        if node.tag != f"{MAIN}row":
            continue
        number = node.get("r")
        r = int(number) - 1 if number else expected
        if r < expected:
            raise ValueError(f"row {r + 1} comes after row {expected}")
        expected = r + 1
        yield r, list(node.iter(f"{MAIN}c"))
        node.clear()
        if parent is not None:
            parent.remove(node)


def _column_index(ref: str) -> int:
    """0-based column of a cell reference ("D14" -> 3); ValueError for anything else."""
    letters = ref.rstrip("0123456789")
    if not letters or not letters.isascii() or not letters.isalpha() or letters == ref:
        raise ValueError("a cell reference that is not a column and a row")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch.upper()) - 64
    return n - 1


def _cells(
    cells: list[ElementTree.Element], strings: list[str], dates: set[int], epoch: datetime
) -> Iterator[tuple[int, str, str | None]]:
    """(0-based column, text, problem or None) of each cell of one row."""
    expected = 0
    for cell in cells:
        ref = cell.get("r")
        c = _column_index(ref) if ref else expected
        if c < expected:
            raise ValueError("a cell before or on a cell already read in its row")
        expected = c + 1
        kind = cell.get("t", "n")
        value = cell.find(f"{MAIN}v")
        raw = None if value is None else (value.text or "")
        # A formula's saved result is its <v>; an empty one is a saved result only for text.
        if cell.find(f"{MAIN}f") is not None and (raw is None or (not raw and kind != "str")):
            yield (
                c,
                "",
                "a formula with no saved value (the workbook was saved by a program that does "
                "not store results: open it in Excel and save it, or export the values)",
            )
            continue
        if kind == "e":
            yield c, "", f"the Excel error {_shown(raw) if raw else '(unknown)'}"
            continue
        if kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            yield c, "" if inline is None else _text(inline), None
        elif raw is None:
            yield c, "", None
        elif kind == "s":
            yield c, strings[int(raw)], None
        elif kind == "str":
            yield c, raw, None
        elif kind == "b":
            yield c, "TRUE" if raw.strip() in ("1", "true") else "FALSE", None
        elif kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            yield c, cell_text(from_ISO8601(raw)), None
        else:
            yield c, *_number(raw, int(cell.get("s", "0") or 0) in dates, epoch)


def _number(raw: str, is_date: bool, epoch: datetime) -> tuple[str, str | None]:
    from openpyxl.utils.datetime import from_excel

    text = raw.strip()
    if not text:
        return "", None
    try:
        number: float | int = float(text) if any(ch in text for ch in ".eE") else int(text)
    except ValueError:
        return "", f"a number cell holding {_shown(text)}, which is not a number"
    if is_date:
        try:
            return cell_text(from_excel(number, epoch)), None
        except (OverflowError, ValueError):
            return "", f"a date cell whose serial number {number} is not a date"
    return cell_text(number), None


def _shown(text: str) -> str:
    """A cell's text for a message (the first 20 characters), or "value withheld (...)" when
    the identifier scan finds one in it: a problem message reaches the log."""
    kind = classify(text)
    return repr(text[:20]) if kind is None else withheld(kind)


def cell_text(value: object) -> str:
    """Text of one Excel value as an analyst would see it (dates ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)

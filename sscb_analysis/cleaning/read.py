"""Reading extracts robustly: CSV (UTF-8, UTF-8 with BOM, Windows-1252) and XLSX, and header
matching.

Everything is read as text and held as codes into each column's distinct values
(:class:`~sscb_analysis.cleaning.encoded.Encoded`). An ordinary CSV is read by pyarrow straight from the
file, with the non-id columns already dictionary-encoded; anything unusual by a careful path that
gives the same table. Parsing the text (dates, numbers, categories) is in
:mod:`sscb_analysis.cleaning.parse`; both are re-exported here, where callers have always found them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sscb_analysis.cleaning import limits
from sscb_analysis.cleaning.encoded import FIXED_WIDTH_MIN_ROWS, Encoded, encode_columns
from sscb_analysis.cleaning.headers import (
    ExtractError,
    HeaderMatch,
    header_lookup,
    match_headers,
)
from sscb_analysis.cleaning.identifiers import scan_values
from sscb_analysis.cleaning.parse import (
    DATE_PATTERNS,
    MONTHS,
    PLACEHOLDERS,
    blank_placeholders,
    parse_categories,
    parse_dates,
    parse_ints,
    parse_lists,
)
from sscb_analysis.extracts import ExtractSpec, compact

__all__ = [
    "DATE_PATTERNS",
    "FIXED_WIDTH_MIN_ROWS",
    "MONTHS",
    "PLACEHOLDERS",
    "CellProblem",
    "Encoded",
    "ExtractError",
    "HeaderMatch",
    "RawTable",
    "blank_placeholders",
    "encode_columns",
    "header_lookup",
    "id_header",
    "match_headers",
    "parse_categories",
    "parse_dates",
    "parse_ints",
    "parse_lists",
    "read_extract",
    "table_from_frame",
]


@dataclass(frozen=True)
class CellProblem:
    """A spreadsheet cell that could not be read as stored (its value is blank in the table)."""

    row: int  # position in the table
    column: int  # index of its header
    reference: str  # "Sheet1!D14"
    message: str


@dataclass
class RawTable:
    """An extract as read: original headers and one encoded text column per header."""

    headers: list[str]
    columns: list[Encoded]
    source_file: str
    source_rows: np.ndarray
    #: Rows that could not be split into one value per header: position -> what was wrong. Their
    #: cells are blank here; the cleaner quarantines them without copying their text.
    malformed: dict[int, str] = field(default_factory=dict)
    #: The row (1-based, as the file numbers it) that holds the headers; rows above are titles.
    header_row: int = 1
    #: Totals or notes rows below the records: position -> the label that marks them.
    footers: dict[int, str] = field(default_factory=dict)
    #: Cells that could not be read as stored (spreadsheets only).
    problems: list[CellProblem] = field(default_factory=list)
    #: Several returns read as one table: the files in order and each row's index among them
    #: (None for one file, which is ``source_file``).
    files: list[str] | None = None
    file_index: np.ndarray | None = None

    def row_files(self) -> str | np.ndarray:
        """The source file of every row: one name, or an array of names, one per row."""
        if self.files is None or self.file_index is None:
            return self.source_file
        return np.array(self.files, dtype=object)[self.file_index]

    @property
    def n_rows(self) -> int:
        """Number of data rows (blank rows included)."""
        return len(self.source_rows)

    @property
    def malformed_mask(self) -> np.ndarray:
        """Mask of the rows in :attr:`malformed`."""
        return self._mask(self.malformed)

    @property
    def footer_mask(self) -> np.ndarray:
        """Mask of the rows in :attr:`footers`."""
        return self._mask(self.footers)

    def _mask(self, positions) -> np.ndarray:
        mask = np.zeros(self.n_rows, dtype=bool)
        mask[list(positions)] = True
        return mask


# ---------------------------------------------------------------------------- reading files
UTF8_BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"


def read_extract(
    path: str | Path,
    sheet: str | None = None,
    *,
    wide: Callable[[str], bool] | None = None,
    known: Callable[[str], bool] | None = None,
    header_row: int | None = None,
    kind: str | None = None,
) -> RawTable:
    """Read a CSV or XLSX file (or, with ``kind``, a national format the
    :mod:`~sscb_analysis.cleaning.formats` readers recognise) into a :class:`RawTable` (all
    values as trimmed text).

    ``wide`` (optional) says which headers hold mostly distinct values (record and person ids):
    a plain CSV reads those as text and every other column already dictionary-encoded, which is
    faster; the result is the same either way. ``known`` (optional) says which headers the
    extract knows: the header row is then the row among the first :data:`HEADER_SEARCH` with
    the most known headers (title rows above it are skipped), unless ``header_row`` (1-based)
    names it. Totals or notes rows at the bottom are marked as footers. Raises
    :class:`ExtractError` with one sentence for a missing, empty, binary or header-only file.
    """
    path = Path(path)
    if kind is not None:
        national = _read_national(path, kind, sheet)
        if national is not None:
            limits.check_table(national.headers, [c.dictionary for c in national.columns], path)
            return national
    table = _read_file(path, sheet, wide, known, header_row)
    limits.check_table(table.headers, [c.dictionary for c in table.columns], path)
    mark_footers(table)
    return table


def _read_national(path: Path, kind: str, sheet: str | None = None) -> RawTable | None:
    """The file read by the national-format readers when they recognise it, else None.

    The readers live in :mod:`sscb_analysis.cleaning.formats` (``sniff(path) -> str | None``,
    ``read(path, kind, fmt, sheet=...) -> RawTable``); without that package every file is read
    as CSV or XLSX.
    """
    try:
        from sscb_analysis.cleaning import formats  # type: ignore[attr-defined]
    except ImportError:
        return None
    sniff = getattr(formats, "sniff", None)
    read = getattr(formats, "read", None)
    if sniff is None or read is None or not path.is_file():
        return None
    fmt = sniff(path)
    if fmt is None:
        return None
    return read(path, kind, fmt, sheet=sheet)


def _read_file(
    path: Path,
    sheet: str | None,
    wide: Callable[[str], bool] | None,
    known: Callable[[str], bool] | None,
    header_row: int | None,
) -> RawTable:
    if sheet is None and path.suffix.lower() not in {".xlsx", ".xlsm"}:
        table = _read_plain_csv(path, wide, known, header_row)
        if table is not None:
            return table
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExtractError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise ExtractError(f"{path} is a folder, not an extract file.") from None
    except OSError as exc:
        raise ExtractError(f"{path} could not be read: {exc.strerror or exc}.") from None
    if not data[:65536].strip() and not data.strip():
        raise ExtractError(f"{path} is empty: export the extract again with its header row.")
    if data.startswith(ZIP_MAGIC) or path.suffix.lower() in {".xlsx", ".xlsm"}:
        table = _read_xlsx(data, path, sheet, known, header_row)
    else:
        if sheet is not None:
            raise ExtractError(f"--sheet only applies to Excel files, and {path.name} is not one.")
        # Before any parsing: a NUL anywhere, a first line too long or too wide.
        limits.check_no_nul(data, path)
        limits.check_header_line(data[: limits.MAX_HEADER_BYTES + 1], path)
        table = _read_csv(data, path, known, header_row)
    if table.n_rows == 0:
        raise ExtractError(f"{path} has a header row but no data rows.")
    return table


#: Rows searched for the header row when it is found automatically.
HEADER_SEARCH = 20


def choose_header_row(
    rows: Sequence[Sequence[str]],
    known: Callable[[str], bool] | None,
    header_row: int | None,
    path: object,
) -> int:
    """The 0-based index among ``rows`` (the first rows of the file) of the header row.

    ``header_row`` (1-based) names it; otherwise, with ``known``, it is the first of the rows with
    the most known headers; without either, the first row.
    """
    if header_row is not None:
        if header_row < 1:
            raise ExtractError(f"header_row must be 1 or more, not {header_row}.")
        return header_row - 1
    if known is None or not rows:
        return 0
    scores = [sum(1 for cell in row if cell.strip() and known(cell)) for row in rows]
    best = max(scores)
    if best == 0:
        row = next((r for r in rows if any(c.strip() for c in r)), [])
        first = [c.strip() for c in row if c.strip()]
        # Shown only as far as the identifier scan clears it: this row may be anything.
        kinds = scan_values(first)
        cells = [repr(c) if k < 0 else "(withheld)" for c, k in zip(first, kinds, strict=True)]
        shown = ", ".join(cells)[:300] or "nothing"
        raise ExtractError(
            f"No header row found in {path}: none of its first {len(rows)} rows holds a column "
            f"name this extract knows (the first non-empty row reads {shown}). Map the columns "
            "in a layout file given with --map (`columns:`, and `header_row:` for the row "
            "number), or check the file is the right extract."
        )
    return scores.index(best)


#: Bytes looked at before the direct read: the header line must end within them.
HEAD_BYTES = 65_536
#: pyarrow's block size for the direct read (None: its default); tests make it small to cover
#: files read in several blocks on several threads.
BLOCK_SIZE: int | None = None


def _read_plain_csv(
    path: Path,
    wide: Callable[[str], bool] | None,
    known: Callable[[str], bool] | None = None,
    header_row: int | None = None,
) -> RawTable | None:
    """The fast path: pyarrow reads the file itself, on all cores, with no copy into Python.

    Only for the usual file: UTF-8 (a BOM is fine), a header line and one value per header on
    every row. Anything else returns None, and :func:`read_extract` takes the careful path (which
    transcodes, places broken rows and reports what is wrong). A line break inside a quoted value
    is read correctly within one of pyarrow's blocks; across two it makes a short row, so the
    careful path takes that file too. Both paths give the same table for every file the fast one
    accepts (tests, including a byte-level fuzz, hold them to it).
    """
    import pyarrow.csv as pacsv

    try:
        if not path.is_file():  # a pipe or device can be read only once: the careful path does
            return None
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return None
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    end = head.find(b"\n")
    if end < 0 or b"\x00" in head[:4096] or head.startswith(ZIP_MAGIC) or not head[:end].strip():
        return None
    try:
        headers = _header_names(head[:end].rstrip(b"\r"))
        if header_row not in (None, 1) or (known is not None and _title_rows(head, known)):
            return None  # title rows above the headers: the careful path skips them
    except (UnicodeDecodeError, StopIteration, csv.Error, ExtractError):
        return None
    limits.check_columns(len(headers), path)
    n = len(headers)
    names = [f"c{i}" for i in range(n)]
    coded = pa.dictionary(pa.int32(), pa.string())
    types = {
        name: pa.string() if wide is None or wide(header) else coded
        for name, header in zip(names, headers, strict=True)
    }
    invalid: list[object] = []

    def note_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    read_options = pacsv.ReadOptions(column_names=names, skip_rows=1)
    if BLOCK_SIZE is not None:
        read_options.block_size = BLOCK_SIZE
    try:
        table = pacsv.read_csv(
            path,
            read_options=read_options,
            parse_options=pacsv.ParseOptions(
                newlines_in_values=False, ignore_empty_lines=False, invalid_row_handler=note_invalid
            ),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
    except (pa.ArrowException, OSError):
        return None  # not UTF-8, or unreadable: the careful path says why
    if invalid or table.num_rows == 0:
        return None
    # A quote left open runs over a line break: read block by block, pyarrow can drop the rows
    # it swallows without a word. One row per line, or the careful path decides.
    try:
        if not _one_row_per_line(path, table.num_rows):
            return None
    except (OSError, ValueError):  # cannot be mapped: let the careful path read it
        return None
    # An empty line reads as a row of empty values (as the careful path makes it), so row numbers
    # stay line numbers; a test holds pyarrow to that.
    table = table.unify_dictionaries()
    plain = [i for i, name in enumerate(names) if types[name] == pa.string()]
    columns: list[Encoded | None] = [
        None if i in plain else Encoded.from_dictionary(table.column(i)) for i in range(n)
    ]
    for i, encoded in zip(plain, encode_columns([table.column(i) for i in plain]), strict=True):
        columns[i] = encoded
    rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
    return RawTable(headers, [c for c in columns if c is not None], str(path), rows)


def _first_records(text: str, limit: int = HEADER_SEARCH) -> list[tuple[list[str], int]]:
    """The first ``limit`` CSV records of ``text`` and the physical lines read up to each one's
    end (a quoted line break makes one record two lines)."""
    reader = csv.reader(io.StringIO(text))
    out = []
    for record in reader:
        out.append(([c.strip() for c in record], reader.line_num))
        if len(out) >= limit:
            break
    return out


def _title_rows(head: bytes, known: Callable[[str], bool]) -> bool:
    """Whether the header row found in the file's first bytes is below its first line."""
    text = head.decode("utf-8", errors="replace")
    records = _first_records(text[: text.rfind("\n") + 1] or text)
    return choose_header_row([r for r, _ in records], known, None, "the file") > 0


def _header_names(line: bytes) -> list[str]:
    """The headers in a CSV's first line (UTF-8), trimmed; both read paths split it this way."""
    return [h.strip() for h in next(csv.reader(io.StringIO(line.decode("utf-8"))))]


def _one_row_per_line(path: Path, rows: int) -> bool:
    """Whether a block-by-block read can be trusted: the file holds no quote at all, or its
    ``rows`` data rows and header are exactly its lines. The file is mapped once, not copied."""
    import mmap

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.find(b'"') < 0 or _line_count(mm) == rows + 1


def _line_count(buf: bytes | memoryview | object) -> int:
    """Lines in ``buf`` (bytes or a mapped file): its line feeds, plus one for a last line
    without one."""
    view = np.frombuffer(buf, dtype=np.uint8)
    step = 1 << 24  # count in slices, never a full-size temporary
    feeds = sum(int(np.count_nonzero(view[i : i + step] == 10)) for i in range(0, len(view), step))
    return feeds + (len(view) > 0 and int(view[-1]) != 10)


def _decode(data: bytes, path: Path) -> bytes:
    """UTF-8 bytes of the file (BOM removed; Windows-1252 transcoded)."""
    if b"\x00" in data[:4096]:
        raise ExtractError(f"{path} is not a text (CSV) file: it contains binary data.")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    if _is_utf8(data):
        return data
    try:
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        raise ExtractError(
            f"{path} is neither UTF-8 nor Windows-1252 text: save it from Excel as 'CSV UTF-8'."
        ) from None


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 (as strict as ``bytes.decode``), checked by pyarrow in
    place: decoding a national extract only to test it would copy 100 MB into a Python str."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


#: An empty line; a regular expression finds it about twice as fast as ``in`` on 100 MB.
_EMPTY_LINE = re.compile(rb"\n\n")


def _fill_empty_lines(data: bytes, n_columns: int) -> bytes:
    """Turn each empty line into a row of ``n_columns`` empty fields (pyarrow rejects a row with
    one field), leaving line breaks inside quoted values untouched."""
    if not _EMPTY_LINE.search(data):
        return data
    if b'"' not in data:
        filler = b"\n" + b"," * (n_columns - 1) + b"\n"
        while _EMPTY_LINE.search(data):
            data = data.replace(b"\n\n", filler)
        return data
    buf = np.frombuffer(data, dtype=np.uint8)
    pairs = np.flatnonzero((buf[:-1] == 10) & (buf[1:] == 10))
    quotes = np.flatnonzero(buf == 34)
    # A line break is inside a quoted value when an odd number of quotes precede it ("" escapes
    # count twice, so they keep the parity).
    outside = np.searchsorted(quotes, pairs) % 2 == 0
    cuts = (pairs[outside] + 1).tolist()
    if not cuts:
        return data
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    return (b"," * (n_columns - 1)).join(pieces)


def _read_csv(
    data: bytes,
    path: Path,
    known: Callable[[str], bool] | None = None,
    header_row: int | None = None,
) -> RawTable:
    data = _decode(data, path)
    if b"\r" in data:
        # Line ends as pyarrow reads them (and the direct path sees them): CRLF, and a lone CR too.
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    titles = 0
    if known is not None or header_row not in (None, 1):
        head = data[: 1 << 20].decode("utf-8", errors="replace")
        search = max(HEADER_SEARCH, header_row or 0)
        records = _first_records(head, search)
        titles = choose_header_row([r for r, _ in records], known, header_row, path)
        if titles:
            if titles >= len(records):
                raise ExtractError(f"{path} has no row {titles + 1} to read the headers from.")
            cut = 0
            for _ in range(records[titles - 1][1]):  # skip the title records' lines
                cut = data.index(b"\n", cut) + 1
            data = data[cut:]
    table = _read_csv_body(data, path)
    if titles:
        table.source_rows = table.source_rows + titles
        table.header_row = titles + 1
    return table


def _read_csv_body(data: bytes, path: Path) -> RawTable:
    """Read UTF-8 CSV bytes whose first line is the header."""
    import pyarrow.csv as pacsv

    end = data.find(b"\n")
    try:
        headers = _header_names(data if end < 0 else data[:end])
    except (StopIteration, csv.Error):
        raise ExtractError(f"{path} has no readable header row.") from None
    n = len(headers)
    if n > 1:
        # Keep empty lines as blank rows so row numbers stay line numbers.
        data = _fill_empty_lines(data, n)
    names = [f"c{i}" for i in range(n)]

    def read(newlines: bool, handler: Callable[[Any], str] | None = None) -> pa.Table:
        # With a handler, one thread, so that pyarrow reports the row number of each bad row.
        return pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, use_threads=handler is None
            ),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=newlines, ignore_empty_lines=False, invalid_row_handler=handler
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )

    # Quoted line breaks stop pyarrow parsing in parallel, so allow them only when needed.
    quoted = b'"' in data
    for newlines in (False, True):
        try:
            table = read(newlines)
        except (pa.ArrowInvalid, pa.ArrowException):
            continue
        if not newlines and quoted and table.num_rows + 1 != _line_count(data):
            continue  # a quote runs over a line break: read again, following the quotes
        columns = encode_columns([table.column(i) for i in range(n)])
        rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
        return RawTable(headers, columns, str(path), rows)
    return _read_ragged_csv(read, headers, path)


def _read_ragged_csv(read: Callable[..., pa.Table], headers: list[str], path: Path) -> RawTable:
    """Read a CSV in which some rows have more or fewer values than the header.

    Those rows are kept in place as blank rows listed in ``RawTable.malformed`` (the cleaner
    quarantines them), so every other row keeps its number. A file where more than half the rows
    are like that is refused: its delimiter or quoting is wrong, not a few rows.
    """
    bad: list[tuple[int | None, int, int]] = []

    def note(row: Any) -> str:
        bad.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    try:
        table = read(True, note)
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise _not_well_formed(path, str(exc).split("\n")[0]) from None
    total = table.num_rows + len(bad)
    numbers = [number for number, _, _ in bad]
    if any(k is None or not 2 <= k <= total + 1 for k in numbers) or len(set(numbers)) < len(bad):
        raise _not_well_formed(path, "rows with a wrong number of values could not be placed")
    if 2 * len(bad) > total:
        first = min(k for k in numbers if k is not None)
        raise _not_well_formed(
            path,
            f"{len(bad)} of {total} rows do not have {len(headers)} "
            f"value{'s' if len(headers) != 1 else ''} as the header does, the first at row "
            f"{first}; check the delimiter and the quotes",
        )
    valid = np.ones(total, dtype=bool)
    valid[np.array(numbers, dtype=np.int64) - 2] = False
    columns = []
    for arr in encode_columns([table.column(i) for i in range(len(headers))]):
        codes = np.full(total, -1, dtype=np.int64)
        codes[valid] = arr.codes
        columns.append(Encoded(codes, arr.dictionary))
    malformed = {
        int(k) - 2: f"the row has {actual} value{'s' if actual != 1 else ''} where the header has "
        f"{expected}"
        for k, actual, expected in bad
    }
    rows = np.arange(2, total + 2, dtype=np.int64)
    return RawTable(headers, columns, str(path), rows, malformed)


def _not_well_formed(path: Path, detail: str) -> ExtractError:
    return ExtractError(
        f"{path} is not a well-formed CSV file ({detail}); every row needs one value per header."
    )


def _read_xlsx(
    data: bytes,
    path: Path,
    sheet: str | None,
    known: Callable[[str], bool] | None = None,
    header_row: int | None = None,
) -> RawTable:
    from sscb_analysis.cleaning.xlsx import cell_reference, read_sheet

    book = read_sheet(data, path, sheet)
    rows = book.rows
    while rows and not any(c.strip() for c in rows[-1]) and not _has_problem(book, len(rows) - 1):
        rows.pop()  # trailing formatted-but-empty rows are not data
    if not rows:
        raise ExtractError(f"{path} is empty: the sheet has no header row.")
    search = max(HEADER_SEARCH, header_row or 0)
    at = choose_header_row(rows[:search], known, header_row, path)
    if at >= len(rows):
        raise ExtractError(f"{path} has no row {at + 1} to read the headers from.")
    headers = [h.strip() for h in rows[at]]
    body_rows = rows[at + 1 :]
    while (
        headers
        and headers[-1] == ""
        and not any(len(r) >= len(headers) and r[len(headers) - 1].strip() for r in body_rows)
        and not any(c == len(headers) - 1 for _, c in book.problems)
    ):
        headers.pop()
    n = len(headers)
    body = [(r + [""] * n)[:n] for r in body_rows]
    columns = [
        Encoded.from_arrow(pa.array([r[i] for r in body], type=pa.string())) for i in range(n)
    ]
    problems = [
        CellProblem(r - at - 1, c, cell_reference(book.name, r, c), message)
        for (r, c), message in sorted(book.problems.items())
        if r > at and c < n
    ]
    above = [
        f"{cell_reference(book.name, r, c)}: {message}"
        for (r, c), message in sorted(book.problems.items())
        if r <= at or c >= n
    ]
    if above:
        raise ExtractError(
            f"{path}: cells outside the records cannot be read as stored: {'; '.join(above[:5])}."
        )
    rows_out = np.arange(at + 2, len(body) + at + 2, dtype=np.int64)
    return RawTable(headers, columns, str(path), rows_out, header_row=at + 1, problems=problems)


def _has_problem(book, row: int) -> bool:
    return any(r == row for r, _ in book.problems)


#: The label that starts a totals or notes row below the records (its first non-empty cell).
FOOTER_LABEL = re.compile(
    r"^\s*(?:grand\s+)?(?:totals?|sum|count|number\s+of\s+(?:rows|records|plans|cases|children)|"
    r"notes?|source|generated|printed|report\s+(?:run|generated|produced|date)|run\s+(?:on|date|by)|"
    r"end\s+of\s+(?:report|data|list))\b|^\s*\*",
    re.IGNORECASE,
)
#: Rows at the bottom looked at for footers.
FOOTER_SEARCH = 10


def mark_footers(table: RawTable) -> None:
    """Find the footers of ``table`` and blank their cells: a note below the records is not a
    record, and its text (which may name someone) never reaches a scan, a log or an output."""
    table.footers = find_footers(table)
    if table.footers:
        mask = table.footer_mask
        for arr in table.columns:
            arr.codes = np.where(mask, -1, arr.codes)


def find_footers(table: RawTable) -> dict[int, str]:
    """Totals or notes rows below the records: position -> their label ("Total", "Notes").

    From the last row up, over blank rows, each row whose first non-empty cell starts with a
    label such as "Total", "Notes" or "Source" is a footer, until a row that is not. Only the
    label is kept: the rest of the row never reaches the log.
    """
    footers: dict[int, str] = {}
    seen = 0
    for position in range(table.n_rows - 1, -1, -1):
        if seen >= FOOTER_SEARCH or position in table.malformed:
            break
        first = None
        for arr in table.columns:
            code = arr.codes[position]
            if code >= 0:
                first = arr.dictionary[int(code)].as_py()
                break
        if first is None:
            continue  # a blank row between the records and a footer stays a blank row
        seen += 1
        label = FOOTER_LABEL.match(first)
        if label is None:
            break
        footers[position] = label.group(0).strip() or "*"
    return footers


def table_from_frame(frame: pd.DataFrame, source_file: str = "<DataFrame>") -> RawTable:
    """A :class:`RawTable` from a DataFrame (values turned to text as a CSV export would hold them).

    Row numbers are those the frame would have written as a CSV with a header: first row = 2.
    """
    columns = []
    for name in frame.columns:
        s = frame[name]
        if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s):
            text = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_integer_dtype(s):
            text = s.astype("string")
        elif pd.api.types.is_float_dtype(s):
            values = s.to_numpy(dtype="float64", na_value=np.nan)
            whole = np.isfinite(values) & (np.mod(values, 1) == 0)
            text = pd.Series(
                np.where(whole, np.char.mod("%d", np.where(whole, values, 0)), values.astype(str)),
                index=s.index,
            ).where(~np.isnan(values), None)
        else:
            text = s.map(
                lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            )
        arr = pa.array(text.astype(object).where(text.notna(), None).tolist(), type=pa.string())
        columns.append(Encoded.from_arrow(arr))
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    table = RawTable([str(c).strip() for c in frame.columns], columns, source_file, rows)
    mark_footers(table)
    return table


def id_header(spec: ExtractSpec) -> Callable[[str], bool]:
    """Whether a header names one of the extract's id columns (read as plain text: mostly distinct)."""
    lookup = header_lookup(spec)
    ids = {c.name for c in spec.columns if c.type == "id"}
    return lambda header: lookup.get(compact(header)) in ids


def read_log(table: RawTable) -> list[pd.DataFrame]:
    """Log lines about how the file was read (the header row below title rows)."""
    from sscb_analysis.cleaning.validate import column_entry

    if table.header_row <= 1:
        return []
    titles = table.header_row - 1
    return [
        column_entry(
            table.source_file,
            "",
            "LOAD007",
            f"headers read from row {table.header_row}; the {titles} row"
            f"{'s' if titles != 1 else ''} above {'are titles' if titles != 1 else 'is a title'}, "
            "not records",
            "skipped",
        )
    ]

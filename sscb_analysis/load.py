"""Reading extracts robustly: CSV (UTF-8, UTF-8 with BOM, Windows-1252) and XLSX, header matching,
and parsing of dates, numbers and categories.

Everything is read as text first (pyarrow) and held as codes into each column's distinct values
(:class:`Encoded`); an ordinary CSV is read by pyarrow straight from the file, with the non-id
columns already dictionary-encoded, and anything unusual by a careful path that gives the same
table. Parsers work on the *distinct* values and broadcast the result, so a million-row extract
with a few thousand distinct dates costs a few thousand parses. Parsers never guess: a value they
cannot read is reported (``bad`` mask) with the raw value kept.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sscb_analysis.extracts import KINDS, Column, ExtractSpec, compact, get_spec


class ExtractError(ValueError):
    """The input cannot be cleaned (unreadable, empty, wrong kind, a required column missing).

    The message is one plain sentence for the user; the CLI prints it and exits 1.
    """


@dataclass
class Encoded:
    """A text column as integer codes into its distinct values (trimmed; code -1 = blank).

    Every step (blank and duplicate rows, parsing, identifier scans) works on the codes or on the
    few distinct values, never on a million Python strings.
    """

    codes: np.ndarray
    dictionary: pa.Array

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def from_arrow(cls, arr: pa.Array | pa.ChunkedArray) -> Encoded:
        """Encode a string array, trimming whitespace; empty or whitespace-only cells are blank."""
        if isinstance(arr, pa.ChunkedArray) and arr.num_chunks == 0:
            arr = arr.combine_chunks()
        if not pa.types.is_string(arr.type):
            arr = arr.cast(pa.string())
        fixed = _encode_fixed_width(arr)
        if fixed is None:
            fixed = _encode_digits(arr)
        if fixed is not None:
            return cls(*fixed)
        # A chunked column (as pyarrow reads a CSV) is encoded chunk by chunk against one shared
        # dictionary, in first-appearance order, so it is never copied into one block first.
        return cls.from_dictionary(pc.dictionary_encode(arr))

    @classmethod
    def from_dictionary(cls, enc: pa.DictionaryArray | pa.ChunkedArray) -> Encoded:
        """Encode a dictionary-typed string column whose chunks share one dictionary (as
        ``dictionary_encode`` or ``Table.unify_dictionaries`` leave them), trimming as
        :meth:`from_arrow` does."""
        chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
        if not chunks:
            return cls.nulls(0)
        codes = np.concatenate(
            [
                (c.indices if c.indices.null_count == 0 else pc.fill_null(c.indices, -1)).to_numpy(
                    zero_copy_only=False
                )
                for c in chunks
            ],
            dtype=np.int64,
        )
        dictionary = chunks[0].dictionary
        trimmed = pc.utf8_trim_whitespace(dictionary)
        if trimmed.equals(dictionary):
            # Nothing to trim (the usual case): the distinct values stay distinct, so skip hashing
            # them again; a million distinct ids would cost as much as the first pass.
            again, remap = dictionary, np.arange(len(trimmed), dtype=np.int64)
        else:
            encoded = pc.dictionary_encode(trimmed)
            again = encoded.dictionary
            remap = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        remap[pc.equal(trimmed, "").to_numpy(zero_copy_only=False)] = -1
        remap = np.append(remap, -1)  # code -1 stays -1
        return cls(remap[codes], again)

    @classmethod
    def nulls(cls, n: int) -> Encoded:
        """A column of ``n`` blanks."""
        return cls(np.full(n, -1, dtype=np.int64), pa.array([], pa.string()))

    @property
    def is_null(self) -> np.ndarray:
        """Mask of blank cells."""
        return self.codes < 0

    def to_arrow(self) -> pa.Array:
        """The column as a pyarrow string array (blank = null)."""
        n = len(self.codes)
        if len(self.dictionary) == n and n and np.array_equal(self.codes, np.arange(n)):
            return self.dictionary  # every row its own value, in order (a record id column)
        index = pa.array(np.where(self.codes < 0, 0, self.codes), mask=self.codes < 0)
        if not len(self.dictionary):
            return pa.nulls(len(self.codes), pa.string())
        return self.dictionary.take(index)

    def values_at(self, rows: np.ndarray) -> list[str | None]:
        """The text of the cells at positions ``rows`` (None for blanks)."""
        codes = self.codes[rows]
        if not len(self.dictionary):
            return [None] * len(rows)
        index = pa.array(np.where(codes < 0, 0, codes), mask=codes < 0)
        return self.dictionary.take(index).to_pylist()

    def map_distinct(self, values: pa.Array) -> Encoded:
        """A new column whose distinct value ``i`` is ``values[i]`` (null -> blank)."""
        null = values.is_null().to_numpy(zero_copy_only=False)
        remap = np.append(np.where(null, -1, np.arange(len(values))), -1)
        return Encoded(remap[self.codes], values)


#: Columns shorter than this are always encoded by hashing their text (the general path).
FIXED_WIDTH_MIN_ROWS = 65_536
_ASCII_ALNUM = np.zeros(256, dtype=bool)
for _lo, _hi in ((48, 57), (65, 90), (97, 122)):
    _ASCII_ALNUM[_lo : _hi + 1] = True
_MIX = np.uint64(0x9E3779B97F4A7C15)
_UNMIX = np.uint64(pow(int(_MIX), -1, 2**64))


def _encode_fixed_width(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array] | None:
    """(codes, distinct values in first-appearance order) of a column whose values all have the
    same byte length (at least 8) and differ only within 8 neighbouring bytes, as ids such as
    "CPP0040452" and full dates do; None for any other column (it takes the general path).

    Two such values are equal exactly when those 8 bytes are, so the bytes read as one 64-bit
    integer per row are factorised instead of hashing a million strings. Values starting and ending
    with an ASCII letter or digit need no trimming and are never blank, as the general path
    requires of the result.
    """
    if len(arr) < max(FIXED_WIDTH_MIN_ROWS, 1) or arr.null_count:
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.string():
        return None
    n = len(arr)
    _, offset_buffer, data_buffer = arr.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    begin = int(offsets[0])
    width, rest = divmod(int(offsets[-1]) - begin, n)
    if width < 8 or rest:
        return None
    if not np.array_equal(offsets, begin + width * np.arange(n + 1, dtype=np.int32)):
        return None
    cells = np.frombuffer(data_buffer, dtype=np.uint8, count=width * n, offset=begin).reshape(
        n, width
    )
    if not (_ASCII_ALNUM[cells[:, 0]].all() and _ASCII_ALNUM[cells[:, -1]].all()):
        return None
    varying = [j for j in range(width) if not (cells[:, j] == cells[0, j]).all()]
    if varying and varying[-1] - varying[0] >= 8:
        return None
    # The 8 bytes from ``window`` on cover every varying byte; read them as one integer per row,
    # multiplied by an odd constant (a bijection) so the hash table's buckets fill evenly.
    window = min(varying[0], width - 8) if varying else 0
    key = np.ndarray((n,), dtype="<u8", buffer=cells, offset=window, strides=(width,))
    codes, uniques = pd.factorize(key * _MIX)
    uniques = np.asarray(uniques, dtype=np.uint64) * _UNMIX
    distinct = np.repeat(cells[:1], len(uniques), axis=0)
    distinct[:, window : window + 8] = uniques.astype("<u8").view(np.uint8).reshape(-1, 8)
    dictionary = pa.Array.from_buffers(
        pa.string(),
        len(uniques),
        [
            None,
            pa.py_buffer(width * np.arange(len(uniques) + 1, dtype=np.int32)),
            pa.py_buffer(distinct),
        ],
    )
    return codes.astype(np.int64, copy=False), dictionary


def _encode_digits(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array] | None:
    """(codes, distinct values in first-appearance order) of a column of plain whole numbers of
    any width ("7", "40452", no sign, space or leading zero), as many case systems number their
    records; None for any other column.

    Such text is equal exactly when its number is, so the numbers are factorised instead of
    hashing a million strings (about half the time), and the distinct texts are taken from the
    rows where each first appears: the same result as the general path.
    """
    if len(arr) < max(FIXED_WIDTH_MIN_ROWS, 1) or arr.null_count:
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.string():
        return None
    n = len(arr)
    _, offset_buffer, data_buffer = arr.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    lengths = np.diff(offsets)
    if lengths.min() < 1 or lengths.max() > 18:  # 18 digits always fit in an int64
        return None
    begin = int(offsets[0])
    data = np.frombuffer(data_buffer, dtype=np.uint8, count=int(offsets[-1]) - begin, offset=begin)
    if not (data - np.uint8(48) < 10).all():
        return None
    if ((data[offsets[:-1] - begin] == 48) & (lengths > 1)).any():
        return None  # "007" and "7" are different ids
    numbers = pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)
    codes, _ = pd.factorize(numbers)
    # Codes are numbered in order of first appearance, so a new one is a new running maximum.
    first = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)
    return codes.astype(np.int64, copy=False), arr.take(pa.array(first))


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

    @property
    def n_rows(self) -> int:
        """Number of data rows (blank rows included)."""
        return len(self.source_rows)


# ---------------------------------------------------------------------------- reading files
UTF8_BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"


def read_extract(
    path: str | Path, sheet: str | None = None, *, wide: Callable[[str], bool] | None = None
) -> RawTable:
    """Read a CSV or XLSX file into a :class:`RawTable` (all values as trimmed text).

    ``wide`` (optional) says which headers hold mostly distinct values (record and person ids):
    a plain CSV reads those as text and every other column already dictionary-encoded, which is
    faster; the result is the same either way. Raises :class:`ExtractError` with one sentence for
    a missing, empty, binary or header-only file.
    """
    path = Path(path)
    if sheet is None and path.suffix.lower() not in {".xlsx", ".xlsm"}:
        table = _read_plain_csv(path, wide)
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
        table = _read_xlsx(data, path, sheet)
    else:
        if sheet is not None:
            raise ExtractError(f"--sheet only applies to Excel files, and {path.name} is not one.")
        table = _read_csv(data, path)
    if table.n_rows == 0:
        raise ExtractError(f"{path} has a header row but no data rows.")
    return table


#: Bytes looked at before the direct read: the header line must end within them.
HEAD_BYTES = 65_536
#: pyarrow's block size for the direct read (None: its default); tests make it small to cover
#: files read in several blocks on several threads.
BLOCK_SIZE: int | None = None


def _read_plain_csv(path: Path, wide: Callable[[str], bool] | None) -> RawTable | None:
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
        first_line = head[:end].rstrip(b"\r").decode("utf-8")
        headers = [h.strip() for h in next(csv.reader(io.StringIO(first_line)))]
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None
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
    if _has_quote(path) and table.num_rows + 1 != _count_lines(path):
        # A quote left open runs over a line break: read block by block, pyarrow can drop the
        # rows it swallows without a word. One row per line, or the careful path decides.
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


def _has_quote(path: Path) -> bool:
    """Whether the file holds a double quote anywhere (searched in place, without a copy)."""
    import mmap

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.find(b'"') >= 0


def _count_lines(path: str | Path | None = None, data: bytes | None = None) -> int:
    """Lines in a file or in ``data``: its line feeds, plus one for a last line without one."""
    if data is None:
        import mmap

        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            buf = np.frombuffer(mm, dtype=np.uint8)
            step = 1 << 24  # count in slices, never a full-size temporary
            feeds = sum(
                int(np.count_nonzero(buf[i : i + step] == 10)) for i in range(0, len(buf), step)
            )
            last = int(buf[-1]) if len(buf) else 10
            del buf  # the mmap cannot close while a view of it is alive
        return feeds + (last != 10)
    return data.count(b"\n") + (not data.endswith(b"\n"))


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


def _read_csv(data: bytes, path: Path) -> RawTable:
    import pyarrow.csv as pacsv

    data = _decode(data, path)
    if b"\r" in data:
        # Line ends as pyarrow reads them (and the direct path sees them): CRLF, and a lone CR too.
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    end = data.find(b"\n")
    first_line = (data if end < 0 else data[:end]).decode("utf-8")
    try:
        headers = next(csv.reader(io.StringIO(first_line)))
    except (StopIteration, csv.Error):
        raise ExtractError(f"{path} has no readable header row.") from None
    headers = [h.strip() for h in headers]
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
        if not newlines and quoted and table.num_rows + 1 != _count_lines(data=data):
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


def encode_columns(arrays: Sequence[pa.Array | pa.ChunkedArray]) -> list[Encoded]:
    """Encode text columns on all cores: pyarrow releases the GIL while hashing, and the id
    columns (a million distinct values each) are most of the cost of reading."""
    if len(arrays) < 2 or (os.cpu_count() or 1) < 2 or sum(len(a) for a in arrays) < 100_000:
        return [Encoded.from_arrow(a) for a in arrays]
    with ThreadPoolExecutor(max_workers=min(len(arrays), os.cpu_count() or 1)) as pool:
        return list(pool.map(Encoded.from_arrow, arrays))


def _cell_text(value: object) -> str:
    """Text of one Excel cell as an analyst would see it (dates ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "hour") and hasattr(value, "date"):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, path: Path, sheet: str | None) -> RawTable:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ExtractError(f"{path} is not a readable Excel workbook ({exc}).") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise ExtractError(
                f"{path} has no sheet called {sheet!r}; its sheets are {', '.join(book.sheetnames)}."
            )
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()  # trailing formatted-but-empty rows are not data
    if not rows:
        raise ExtractError(f"{path} is empty: the sheet has no header row.")
    headers = [h.strip() for h in rows[0]]
    while (
        headers
        and headers[-1] == ""
        and not any(len(r) >= len(headers) and r[len(headers) - 1].strip() for r in rows[1:])
    ):
        headers.pop()
    n = len(headers)
    body = [(r + [""] * n)[:n] for r in rows[1:]]
    columns = [
        Encoded.from_arrow(pa.array([r[i] for r in body], type=pa.string())) for i in range(n)
    ]
    return RawTable(headers, columns, str(path), np.arange(2, len(body) + 2, dtype=np.int64))


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
    return RawTable([str(c).strip() for c in frame.columns], columns, source_file, rows)


# ---------------------------------------------------------------------------- headers
@dataclass
class HeaderMatch:
    """Which raw header became which canonical column, and what was left over."""

    canonical: dict[int, str]
    unknown: list[int]
    missing_optional: list[str]


def header_lookup(spec: ExtractSpec) -> dict[str, str]:
    """Compact header spelling -> canonical column name (canonical names and declared aliases)."""
    lookup: dict[str, str] = {}
    for col in spec.columns:
        for spelling in (col.name, *col.aliases):
            lookup.setdefault(compact(spelling), col.name)
    return lookup


def match_headers(
    headers: Sequence[str], spec: ExtractSpec, source: str = "the file"
) -> HeaderMatch:
    """Match headers to canonical names, insensitive to case, spaces and punctuation.

    Raises :class:`ExtractError` when a required column is missing (naming it and listing the
    headers found, and naming the right kind when the file is another kind of extract) or when two
    headers match the same column.
    """
    lookup = header_lookup(spec)
    canonical: dict[int, str] = {}
    seen: dict[str, int] = {}
    unknown: list[int] = []
    for i, header in enumerate(headers):
        name = lookup.get(compact(header))
        if name is None:
            unknown.append(i)
        elif name in seen:
            raise ExtractError(
                f"Two columns in {source} both mean {name}: {headers[seen[name]]!r} and {header!r}; "
                "remove one of them."
            )
        else:
            seen[name] = i
            canonical[i] = name
    missing = [c.name for c in spec.columns if c.required and c.name not in seen]
    if missing:
        found = ", ".join(repr(h) for h in headers) or "none"
        hint = _other_kind(headers, spec.kind)
        if hint:
            raise ExtractError(
                f"{source} looks like a {hint.upper()} extract, not {spec.kind.upper()} (its headers are "
                f"{found}): run `sscb clean {hint} ...` instead."
            )
        raise ExtractError(
            f"{source} has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''} "
            f"for a {spec.kind.upper()} extract; headers found: {found}."
        )
    missing_optional = [c.name for c in spec.columns if c.name not in seen]
    return HeaderMatch(canonical, unknown, missing_optional)


def _other_kind(headers: Sequence[str], kind: str) -> str | None:
    """The other extract kind whose required columns are all present, if any."""
    keys = {compact(h) for h in headers}
    for other in KINDS:
        if other == kind:
            continue
        spec = get_spec(other)
        lookup = header_lookup(spec)
        found = {lookup[k] for k in keys if k in lookup}
        if all(c.name in found for c in spec.columns if c.required):
            return other
    return None


# ---------------------------------------------------------------------------- parsing
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
    hit = {int(i): t for i, t in zip(short, texts, strict=True) if t.lower() in keys}
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
        [position.get(lookup.get(compact(t), ""), -1) for t in distinct.to_pylist()], dtype=np.int64
    )
    # An entry appended for blanks, so code -1 picks it (see parse_dates).
    out = np.append(mapped, -1)[codes]
    bad = np.append(mapped < 0, False)[codes]
    return pd.Categorical.from_codes(out, categories=cats), bad


_LIST_SPLIT = re.compile(r"\s*[;,|]\s*")


def parse_lists(arr: Encoded, column: Column) -> tuple[np.ndarray, np.ndarray]:
    """Semicolon-separated category lists -> canonical "a;b" text (object array, None if blank)."""
    lookup = column.category_lookup()
    codes, distinct = _encode(arr)
    mapped: list[str | None] = []
    for text in distinct.to_pylist():
        items = [p for p in _LIST_SPLIT.split(text) if p]
        canon = [lookup.get(compact(p)) for p in items]
        if not items or any(c is None for c in canon):
            mapped.append(None)
        else:
            mapped.append(";".join(dict.fromkeys(c for c in canon if c)))
    table = np.array([*mapped, None], dtype=object)
    unknown = np.array([m is None for m in mapped] + [False], dtype=bool)
    index = np.where(codes >= 0, codes, len(mapped))
    return table[index], unknown[index]

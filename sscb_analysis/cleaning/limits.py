"""Bounded inputs: the sizes an extract may have, checked before the work they would cost.

A case-system export is a few dozen columns of short values. A file far outside that is a wrong
file, a damaged one or a hostile one, and reading it anyway can exhaust memory or run for
minutes (an 8 KB workbook declaring ``A1:XFD1048576``, a 2 MB workbook that unpacks to 546 MB,
a CSV header of 100,000 columns). Each limit below is refused with one sentence that says what
was found and what to do (:class:`~sscb_analysis.cleaning.read.ExtractError`, exit 1), in time
and memory bounded by the limit, not by the file:

- :data:`MAX_COLUMNS` columns (a header row wider than that is not an extract's);
- :data:`MAX_HEADER_BYTES` for the header line (looked for before the file is parsed);
- :data:`MAX_CELL_CHARS` characters in a value (Excel's own limit for a cell, so no export
  holds more);
- no NUL byte anywhere in a text file (a CSV export never holds one; UTF-16 and binary files do);
- for workbooks, before any part is parsed: :data:`XLSX_MAX_UNPACKED_BYTES` unpacked in all,
  no part over 1 MB unpacking to more than :data:`XLSX_MAX_RATIO` times its packed size (a zip
  bomb; real sheets pack 15 to 25 times), at most :data:`XLSX_MAX_PARTS` parts; while reading,
  no row past Excel's last (:data:`XLSX_MAX_ROWS`), no column past :data:`MAX_COLUMNS`, and at
  most :data:`XLSX_MAX_CELLS` cells in all. Declared dimensions (``<dimension ref=...>``) are
  never trusted: readers follow the cells that are there.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MAX_COLUMNS = 1_000
MAX_HEADER_BYTES = 1 << 20  # 1 MiB
MAX_CELL_CHARS = 32_767
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELLS = 40_000_000
XLSX_MAX_UNPACKED_BYTES = 2 << 30  # 2 GiB: a million rows of inline strings is about 1 GiB
XLSX_MAX_RATIO = 100
XLSX_MAX_PARTS = 10_000
_RATIO_FROM_BYTES = 1 << 20


def _refuse(message: str) -> Exception:
    """The reader's own error (imported late: the reader imports this module)."""
    from sscb_analysis.cleaning.read import ExtractError

    return ExtractError(message)


def _name(path: object) -> str:
    from sscb_analysis.escape import terminal_text

    return terminal_text(Path(str(path)).name)


# ---------------------------------------------------------------------------- text files
def check_columns(count: int, path: object) -> None:
    """Refuse a header row of more than :data:`MAX_COLUMNS` columns."""
    if count > MAX_COLUMNS:
        raise _refuse(
            f"{_name(path)} has {count:,} columns in its header row; an extract has a few dozen "
            f"and more than {MAX_COLUMNS:,} are refused: check that this is the right file and "
            "that it uses commas between values."
        )


def check_header_line(head: bytes, path: object) -> None:
    """Check the start of a CSV (at least :data:`MAX_HEADER_BYTES` + 1 bytes of it, or all of a
    shorter file) before it is parsed: its first line must end within the limit and hold at most
    :data:`MAX_COLUMNS` values."""
    end = head.find(b"\n", 0, MAX_HEADER_BYTES + 1)
    if end < 0 and len(head) > MAX_HEADER_BYTES:
        raise _refuse(
            f"{_name(path)} has a first line longer than {MAX_HEADER_BYTES // (1 << 20)} MiB, "
            "so it has no header row an extract could have: check that this is the right file "
            "and that its lines end with line breaks."
        )
    line = head if end < 0 else head[:end]
    count = _count_fields(line)
    check_columns(count, path)


def _count_fields(line: bytes) -> int:
    """Values in one CSV line (quoted commas count once), decoded leniently: only counted."""
    text = line.decode("utf-8", errors="replace")
    if text.count(",") < MAX_COLUMNS:
        return text.count(",") + 1  # no more than this, whatever the quotes
    return len(next(csv.reader(io.StringIO(text)), []))


def check_no_nul(data: bytes | memoryview, path: object) -> None:
    """Refuse a text file holding a NUL byte anywhere, saying where (byte and line)."""
    at = bytes(data).find(b"\x00") if isinstance(data, memoryview) else data.find(b"\x00")
    if at >= 0:
        line = data[:at].count(b"\n") + 1
        raise _refuse(_nul_message(path, f"at byte {at:,} (line {line:,})"))


def _nul_message(path: object, where: str) -> str:
    return (
        f"{_name(path)} holds a NUL byte {where}, which a CSV export never does: it is binary "
        "data, UTF-16 text or a damaged file. Save it from Excel as 'CSV UTF-8' and try again."
    )


def check_table(headers: Sequence[str], columns: Sequence[pa.Array], path: object) -> None:
    """Check what was read: at most :data:`MAX_COLUMNS` columns, no NUL byte in a header or a
    value, no value longer than :data:`MAX_CELL_CHARS` characters. ``columns`` are each
    column's distinct values (a few passes over their bytes; no value is copied)."""
    check_columns(len(headers), path)
    for i, header in enumerate(headers):
        if "\x00" in header:
            raise _refuse(_nul_message(path, f"in the header of column {i + 1}"))
        if len(header) > MAX_CELL_CHARS:
            raise _refuse(_long_message(path, f"the header of column {i + 1}"))
    for i, values in enumerate(columns):
        data, lengths = _bytes(values)
        if len(data) and data.min() == 0:
            raise _refuse(_nul_message(path, f"in column {i + 1}"))
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            chars = pc.max(pc.utf8_length(values)).as_py() or 0
            if chars > MAX_CELL_CHARS:
                raise _refuse(_long_message(path, f"a value in column {i + 1}"))


def _long_message(path: object, what: str) -> str:
    return (
        f"{_name(path)}: {what} is longer than {MAX_CELL_CHARS:,} characters, more than an Excel "
        "cell can hold, so it cannot come from a case-system export: check the file (a quote "
        "left open joins many lines into one value)."
    )


def _bytes(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(every value's bytes, each value's byte length) of a string array, without copying."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    if not len(values):
        return np.zeros(0, np.uint8), np.zeros(0, np.int64)
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(
        offsets_buffer, dtype=np.int32, count=len(values) + 1, offset=values.offset * 4
    )
    begin, end = int(offsets[0]), int(offsets[-1])
    if end == begin or data_buffer is None:
        return np.zeros(0, np.uint8), np.diff(offsets)
    return np.frombuffer(data_buffer, np.uint8, end - begin, begin), np.diff(offsets)


# ---------------------------------------------------------------------------- workbooks
def check_xlsx_archive(book: zipfile.ZipFile, path: object) -> None:
    """Check a workbook's zip package from its directory alone, before any part is unpacked.

    The sizes checked are the ones the package declares; Python's zip reader never unpacks more
    than a part declares (it stops there and the part's checksum fails), so they bound the work.
    """
    parts = book.infolist()
    if len(parts) > XLSX_MAX_PARTS:
        raise _refuse(
            f"{_name(path)} holds {len(parts):,} parts; a workbook has a few dozen: it is not a "
            "workbook an extract comes in."
        )
    total = sum(p.file_size for p in parts)
    if total > XLSX_MAX_UNPACKED_BYTES:
        raise _refuse(
            f"{_name(path)} unpacks to {total / (1 << 30):.1f} GiB, more than the "
            f"{XLSX_MAX_UNPACKED_BYTES >> 30} GiB allowed: export the extract as CSV instead."
        )
    for p in parts:
        if p.file_size > _RATIO_FROM_BYTES and p.file_size > XLSX_MAX_RATIO * max(
            p.compress_size, 1
        ):
            raise _refuse(
                f"{_name(path)} is refused: one of its parts unpacks to {p.file_size / 1e6:,.0f} MB "
                f"from {p.compress_size / 1e6:,.1f} MB, more than {XLSX_MAX_RATIO} times its "
                "packed size, as a zip bomb does and no real sheet does; export the extract as "
                "CSV instead."
            )


def check_sheet_position(row: int, column: int, path: object) -> None:
    """Refuse a cell past Excel's last row or past :data:`MAX_COLUMNS` columns (1-based)."""
    if row > XLSX_MAX_ROWS:
        raise _refuse(
            f"{_name(path)} has a row numbered {row:,}, past Excel's last ({XLSX_MAX_ROWS:,}): "
            "the workbook is damaged; open it in Excel and save it again, or export as CSV."
        )
    if column > MAX_COLUMNS:
        raise _refuse(
            f"{_name(path)} has a value in column {column:,}; an extract has a few dozen columns "
            f"and more than {MAX_COLUMNS:,} are refused: delete the stray cells far to the right "
            "and save it again."
        )


def check_sheet_cells(cells: int, path: object) -> None:
    """Refuse a sheet of more than :data:`XLSX_MAX_CELLS` cells (rows x header width)."""
    if cells > XLSX_MAX_CELLS:
        raise _refuse(
            f"{_name(path)} has more than {XLSX_MAX_CELLS:,} cells, more than the Excel reader "
            "takes: export the extract as CSV instead."
        )

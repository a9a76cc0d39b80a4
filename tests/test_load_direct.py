"""The direct CSV read (pyarrow reads the file itself) gives exactly the careful path's table.

``read_extract`` first tries :func:`sscb_analysis.cleaning.read._read_plain_csv`, which hands the file to
pyarrow on all cores; any file it is unsure of goes to the careful path, which reads the bytes,
transcodes, fills empty lines and explains what is wrong. These tests hold the two to the same
result, with pyarrow's blocks made small so that files of a few kilobytes are read in many
blocks on several threads, as a national extract is.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from sscb_analysis.cleaning import read as load
from sscb_analysis.cleaning.read import ExtractError, RawTable, read_extract
from sscb_analysis.cleaning.read import id_header as _id_header
from sscb_analysis.extracts import get_spec

HEADER = "plan_id,child_id,plan_start_date,category_of_abuse,notes\n"


def body(rows: int = 400) -> str:
    """Data lines with repeats, blanks, padding and commas inside quotes."""
    cats = ["Neglect", " neglect ", "PHYSICAL", "", '"sexual, and emotional"']
    lines = []
    for i in range(rows):
        start = f"{1 + i % 28:02d}/{1 + i % 12:02d}/20{10 + i % 5}"
        lines.append(f"P{i:05d},C{i % 97:04d},{start},{cats[i % len(cats)]},n{i % 7}\n")
    return "".join(lines)


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(load, "BLOCK_SIZE", 1 << 10)


def careful(path: Path) -> RawTable:
    return load._read_csv(path.read_bytes(), path)


def assert_same(a: RawTable, b: RawTable) -> None:
    assert a.headers == b.headers
    assert np.array_equal(a.source_rows, b.source_rows)
    assert len(a.columns) == len(b.columns)
    for i, (x, y) in enumerate(zip(a.columns, b.columns, strict=True)):
        assert np.array_equal(x.codes, y.codes), a.headers[i]
        assert x.dictionary.equals(y.dictionary), a.headers[i]


WIDE = _id_header(get_spec("cpp"))

PLAIN = {
    "lf": (HEADER + body()).encode(),
    "crlf": (HEADER + body()).replace("\n", "\r\n").encode(),
    "bom": b"\xef\xbb\xbf" + (HEADER + body()).encode(),
    "no final newline": (HEADER + body()).rstrip("\n").encode(),
    "empty lines": (HEADER + body(100) + "\n\n" + body(100) + "\n").encode(),
    "crlf empty lines": (HEADER + body(100) + "\n" + body(50)).replace("\n", "\r\n").encode(),
    "non-ascii": (HEADER + body().replace("n3", "Zoë — ß")).encode(),
}
CAREFUL = {
    "cp1252": (HEADER + body().replace("n3", "Zoë")).encode("cp1252"),
    "whitespace line": (HEADER + body(100) + "   \n" + body(10)).encode(),
    "short row": (HEADER + body(100) + "P9,C9\n").encode(),
    "header only": HEADER.encode(),
}


@pytest.mark.parametrize("name", PLAIN)
@pytest.mark.parametrize("wide", [WIDE, None], ids=["ids plain", "all plain"])
def test_direct_read_matches_careful_read(tmp_path, name, wide):
    path = tmp_path / "x.csv"
    path.write_bytes(PLAIN[name])
    direct = load._read_plain_csv(path, wide)
    assert direct is not None, "the direct path should take this file"
    assert_same(direct, careful(path))
    assert_same(read_extract(path, wide=wide), careful(path))


def test_empty_line_is_a_blank_row_keeping_line_numbers(tmp_path):
    # pyarrow reads an empty line as a row of empty values; the direct path relies on it.
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b,c\n1,2,3\n\n4,5,6\n")
    table = load._read_plain_csv(path, None)
    assert table is not None
    assert table.source_rows.tolist() == [2, 3, 4]
    assert [c.values_at(np.arange(3)) for c in table.columns] == [
        ["1", None, "4"],
        ["2", None, "5"],
        ["3", None, "6"],
    ]


@pytest.mark.parametrize("name", CAREFUL)
def test_unusual_files_take_the_careful_path(tmp_path, name):
    path = tmp_path / "x.csv"
    path.write_bytes(CAREFUL[name])
    assert load._read_plain_csv(path, WIDE) is None
    try:
        expected = careful(path)
    except ExtractError as exc:
        with pytest.raises(ExtractError, match=r"not a well-formed CSV|no data rows"):
            read_extract(path, wide=WIDE)
        assert "x.csv" in str(exc)
        return
    if expected.n_rows == 0:
        with pytest.raises(ExtractError, match="no data rows"):
            read_extract(path, wide=WIDE)
        return
    assert_same(read_extract(path, wide=WIDE), expected)


@pytest.mark.parametrize("at", range(0, 120, 9))
def test_quoted_newline_anywhere_gives_the_careful_table(tmp_path, monkeypatch, at):
    # With small blocks, some positions put a block boundary inside the quoted value: whichever
    # path reads the file, the value keeps its line break and every row is there.
    monkeypatch.setattr(load, "BLOCK_SIZE", 256)
    path = tmp_path / "x.csv"
    path.write_bytes((HEADER + body(at) + 'P9,C9,01/01/2012,N,"two\nlines"\n' + body(50)).encode())
    table = read_extract(path, wide=WIDE)
    assert_same(table, careful(path))
    assert "two\nlines" in table.columns[4].dictionary.to_pylist()
    assert table.n_rows == at + 51


def test_excel_named_file_is_not_read_as_csv(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes((HEADER + body(5)).encode())
    with pytest.raises(ExtractError, match="not a readable Excel workbook"):
        read_extract(path, wide=WIDE)


@pytest.mark.parametrize("at", range(0, 120, 11))
def test_a_quote_left_open_never_drops_rows_silently(tmp_path, monkeypatch, at):
    # Found by the byte-level fuzz: read block by block, pyarrow dropped the rows an open quote
    # swallowed, without reporting them. The direct read now checks one row per line.
    monkeypatch.setattr(load, "BLOCK_SIZE", 512)
    lines = (HEADER + body(120)).splitlines(keepends=True)
    lines[1 + at] = '"' + lines[1 + at]
    path = tmp_path / "x.csv"
    path.write_text("".join(lines))
    assert load._read_plain_csv(path, WIDE) is None
    table = read_extract(path, wide=WIDE)
    assert_same(table, careful(path))
    # the open quote runs to the next quote: as many records as Python's csv module reads
    assert table.n_rows == sum(1 for _ in csv.reader(io.StringIO("".join(lines)))) - 1


@pytest.mark.parametrize("ending", ["\r", "\r\r\n", "\n\r"], ids=["lone CR", "CR CR LF", "LF CR"])
@pytest.mark.parametrize("quotes", [True, False], ids=["with quotes", "no quotes"])
def test_stray_carriage_returns_end_lines_on_both_paths(tmp_path, ending, quotes):
    # Found by the fuzz: a CR on its own ends a line for pyarrow; the careful path now agrees.
    text = HEADER + body(60)
    if not quotes:
        text = text.replace('"', "")
    lines = text.splitlines(keepends=True)
    lines[20] = lines[20].rstrip("\n") + ending
    path = tmp_path / "x.csv"
    path.write_text("".join(lines), newline="")
    table = read_extract(path, wide=WIDE)
    assert_same(table, careful(path))
    extra = {"\r": 0, "\r\r\n": 1, "\n\r": 1}[ending]
    assert table.n_rows == 60 + extra  # a stray CR adds an empty line, as in a text editor


def test_a_pipe_is_read_once_by_the_careful_path(tmp_path):
    import os
    import threading
    import time

    text = (HEADER + body(50)).encode()
    plain = tmp_path / "x.csv"
    plain.write_bytes(text)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as fh:
            fh.write(text)

    result: list[RawTable] = []
    # Both ends in daemon threads with a deadline: a pipe read twice would wait forever.
    for target in (feed, lambda: result.append(read_extract(fifo, wide=WIDE))):
        threading.Thread(target=target, daemon=True).start()
    deadline = time.monotonic() + 20
    while not result and time.monotonic() < deadline:
        time.sleep(0.05)
    assert result, "reading the pipe did not finish: was it read twice?"
    table = result[0]
    assert_same(RawTable(table.headers, table.columns, "", table.source_rows), careful(plain))

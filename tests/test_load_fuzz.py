"""Fuzzing the CSV reader with raw bytes: stray quotes, commas, line breaks, short and long rows.

Two properties, on files that pyarrow reads in many small blocks:
- whenever the direct read (pyarrow reads the file itself) takes a file, its table is exactly the
  careful path's table;
- cleaning a file either refuses it with one of the documented errors or accounts for every
  record: ``rows_in`` = clean + quarantined + duplicates + blank, each row once.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXED_TODAY, cpp_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sscb_analysis.cleaning import clean
from sscb_analysis.cleaning import read as load
from sscb_analysis.cleaning.protect import IdentifierError
from sscb_analysis.cleaning.read import ExtractError
from sscb_analysis.cleaning.read import id_header as _id_header
from sscb_analysis.extracts import get_spec

HEADER = ",".join(cpp_rows(1).columns)
GOOD = [",".join(row) for row in cpp_rows(40).astype(str).itertuples(index=False)]

piece = st.sampled_from(['"', ",", "\n", "\r\n", " ", "", "x", "1", '""', "Neglect", "é", "NULL"])


@st.composite
def lines(draw) -> list[str]:
    """Valid rows with some broken: pieces spliced in, values cut off or added, empty lines."""
    out = []
    for i, line in enumerate(GOOD[: draw(st.integers(1, len(GOOD)))]):
        action = draw(st.sampled_from(["keep"] * 6 + ["splice", "cut", "extend", "empty"]))
        if action == "splice":
            at = draw(st.integers(0, len(line)))
            line = line[:at] + "".join(draw(st.lists(piece, min_size=1, max_size=3))) + line[at:]
        elif action == "cut":
            line = line.rsplit(",", draw(st.integers(1, 3)))[0]
        elif action == "extend":
            line += "," * draw(st.integers(1, 2)) + f"extra{i}"
        elif action == "empty":
            out.append("")
        out.append(line)
    return out


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(load, "BLOCK_SIZE", 512)


def records(text: str) -> int:
    """Data records as Python's csv module counts them (a cross-check, not the implementation),
    reading the text as the file holds it, with any line end (LF, CRLF or a lone CR)."""
    return sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1


def test_fuzzed_files_read_the_same_both_ways_and_lose_no_row(tmp_path: Path):
    wide = _id_header(get_spec("cpp"))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(lines(), st.sampled_from(["\n", "\r\n"]))
    def check(body: list[str], newline: str) -> None:
        text = HEADER + "\n" + "\n".join(body) + "\n"
        path = tmp_path / "fuzz.csv"
        text = text.replace("\n", newline)
        path.write_bytes(text.encode("utf-8"))
        direct = load._read_plain_csv(path, wide)
        if direct is not None:
            expected = load._read_csv(path.read_bytes(), path)
            assert direct.headers == expected.headers and direct.malformed == expected.malformed
            assert np.array_equal(direct.source_rows, expected.source_rows)
            for a, b in zip(direct.columns, expected.columns, strict=True):
                assert np.array_equal(a.codes, b.codes) and a.dictionary.equals(b.dictionary)
        try:
            result = clean("cpp", path, today=FIXED_TODAY)
        except (ExtractError, IdentifierError) as exc:  # documented refusals, one sentence each
            assert str(exc) and "Traceback" not in str(exc)
            return
        s = result.summary
        assert s["balanced"]
        assert s["rows_in"] == s["clean"] + s["quarantined"] + s["duplicates"] + s["blank"]
        rows = list(result.data["source_row"]) + list(result.quarantine["source_row"])
        assert len(rows) == len(set(rows))
        # Python's csv module, reading the same text, finds as many records (quotes included)
        assert s["rows_in"] == records(text)

    check()

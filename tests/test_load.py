"""Reading extracts: encodings, Excel, headers, dates, and one clear sentence for bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FIXED_TODAY, caf_rows, cpp_rows

from sscb_analysis.cleaning import clean
from sscb_analysis.cleaning.read import (
    Encoded,
    ExtractError,
    match_headers,
    parse_dates,
    parse_ints,
    read_extract,
)
from sscb_analysis.extracts import get_spec


def write(path: Path, frame: pd.DataFrame, encoding: str = "utf-8") -> Path:
    frame.to_csv(path, index=False, encoding=encoding)
    return path


def dates(*values: str | None) -> tuple[list[str], list[bool]]:
    parsed, bad = parse_dates(Encoded.from_arrow(__import__("pyarrow").array(values)))
    return [str(v) for v in parsed], bad.tolist()


@pytest.mark.parametrize(
    "text",
    [
        "31/01/2012",
        "31-01-2012",
        "2012-01-31",
        "31-Jan-12",
        "31 January 2012",
        "40939",
        "31.01.2012",
        "31/01/2012 00:00",
        "2012-01-31 00:00:00",
        " 31/01/2012 ",
        "31 JAN 2012",
    ],
)
def test_day_first_date_formats(text):
    assert dates(text) == (["2012-01-31"], [False])


def test_day_first_not_month_first():
    assert dates("02/03/2012")[0] == ["2012-03-02"]


@pytest.mark.parametrize(
    "text", ["31/02/2012", "29/02/2013", "13/13/2012", "2012", "Jan 2012", "yesterday"]
)
def test_impossible_or_unparsable_dates_are_bad_not_guessed(text):
    assert dates(text) == (["NaT"], [True])


def test_blank_is_missing_not_bad():
    assert dates(None, "", "  ") == (["NaT"] * 3, [False] * 3)


def test_leap_day_and_excel_serials():
    # Excel (1900 date system): 40939 is 31 Jan 2012, so 41000 is 61 days later, 1 April 2012.
    assert dates("29/02/2012", "41000")[0] == ["2012-02-29", "2012-04-01"]


def test_integers_accept_excel_floats_and_reject_text():
    values, bad = parse_ints(
        Encoded.from_arrow(__import__("pyarrow").array(["3", "3.0", "x", "", "-1"])), 0
    )
    assert bad.tolist() == [False, False, True, False, True]
    assert values[:2].tolist() == [3, 3]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(tmp_path, encoding):
    frame = cpp_rows(2)
    frame["team"] = ["Équipe Süd", "Team A"]
    result = clean("cpp", write(tmp_path / "cpp.csv", frame, encoding), today=FIXED_TODAY)
    assert result.data["team"].tolist() == ["Équipe Süd", "Team A"]
    assert result.data["source_row"].tolist() == [2, 3]


def test_crlf_and_empty_lines_keep_line_numbers(tmp_path):
    frame = cpp_rows(2)
    text = frame.to_csv(index=False, lineterminator="\r\n")
    lines = text.split("\r\n")
    path = tmp_path / "cpp.csv"
    path.write_bytes("\r\n".join([lines[0], lines[1], "", lines[2], ""]).encode())
    result = clean("cpp", path, today=FIXED_TODAY)
    assert result.data["source_row"].tolist() == [2, 4]
    assert result.summary["blank"] == 1


def test_xlsx_first_sheet_and_named_sheet(tmp_path):
    path = tmp_path / "cpp.xlsx"
    typed = cpp_rows(2)
    typed["plan_start_date"] = pd.to_datetime(["2012-04-01", "2012-04-02"])
    typed["previous_plans"] = [0, 1]
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(writer, sheet_name="About", index=False)
        typed.to_excel(writer, sheet_name="Plans", index=False)
    result = clean("cpp", path, sheet="Plans", today=FIXED_TODAY)
    assert result.data["plan_start_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2012-04-01",
        "2012-04-02",
    ]
    assert result.data["previous_plans"].tolist() == [0, 1]
    with pytest.raises(
        ExtractError, match="has no sheet called 'Nope'; its sheets are 'About', 'Plans'"
    ):
        read_extract(path, sheet="Nope")


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(ExtractError, match="is empty"):
        read_extract(tmp_path / "e.csv")


def test_headers_but_no_rows(tmp_path):
    (tmp_path / "h.csv").write_text("plan_id,child_id\n")
    with pytest.raises(ExtractError, match="has a header row but no data rows"):
        read_extract(tmp_path / "h.csv")


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(ExtractError, match="does not exist"):
        read_extract(tmp_path / "nope.csv")
    (tmp_path / "b.csv").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ExtractError, match="binary"):
        read_extract(tmp_path / "b.csv")
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ExtractError, match="not a readable Excel workbook"):
        read_extract(tmp_path / "bad.xlsx")


def test_mostly_ragged_csv_is_one_sentence(tmp_path):
    (tmp_path / "r.csv").write_text("a;b;c\n1,2,3\n1,2\n4\n")
    with pytest.raises(
        ExtractError,
        match=r"not a well-formed CSV.*2 of 3 rows do not have 1 value as the header does, the first at row 2",
    ):
        read_extract(tmp_path / "r.csv")


def test_a_few_ragged_rows_are_kept_in_place_as_malformed(tmp_path):
    text = 'a,b,c\n1,2,3\n"x\ny",5,6\n7,8\n9,10,11,12\n\n13,14,15\n'
    (tmp_path / "r.csv").write_text(text)
    table = read_extract(tmp_path / "r.csv")
    assert table.source_rows.tolist() == [2, 3, 4, 5, 6, 7]
    assert table.malformed == {
        2: "the row has 2 values where the header has 3",
        3: "the row has 4 values where the header has 3",
    }
    assert table.columns[0].values_at(np.arange(6)) == ["1", "x\ny", None, None, None, "13"]
    assert table.columns[2].values_at(np.arange(6)) == ["3", "6", None, None, None, "15"]


def test_wrong_kind_names_the_right_one(tmp_path):
    path = write(tmp_path / "caf.csv", caf_rows(2))
    with pytest.raises(ExtractError, match=r"looks like a CAF extract, not CPP.*sscb clean caf"):
        clean("cpp", path)


def test_missing_required_column_named_with_headers_found(tmp_path):
    frame = cpp_rows(2).drop(columns=["plan_start_date"])
    with pytest.raises(ExtractError, match=r"no plan_start_date column.*headers found: 'plan_id'"):
        clean("cpp", write(tmp_path / "cpp.csv", frame))


@pytest.mark.parametrize("header", ["Child ID", "CHILD_ID", "child id ", "LAchildID", "Child-Id"])
def test_header_variants_and_aliases(header):
    headers = ["plan_id", header, "CPPstartDate", "End Date", "Category"]
    match = match_headers(headers, get_spec("cpp"))
    assert match.canonical == {
        0: "plan_id",
        1: "child_id",
        2: "plan_start_date",
        3: "plan_end_date",
        4: "initial_category",
    }


def test_two_headers_for_one_column_is_an_error():
    with pytest.raises(ExtractError, match="both mean child_id"):
        match_headers(["plan_id", "Child ID", "CHILD_ID"], get_spec("cpp"))


def test_unknown_column_dropped_with_log_entry(cpp):
    cpp["Legal Status"] = "senior"
    result = clean("cpp", cpp, today=FIXED_TODAY)
    entry = result.log[result.log["rule"] == "LOAD001"]
    assert entry["column"].tolist() == ["Legal Status"]
    assert "Legal Status" not in result.data.columns


def test_clean_dtypes_are_stable(cpp):
    data = clean("cpp", cpp, today=FIXED_TODAY).data
    assert data["plan_start_date"].dtype == np.dtype("datetime64[ns]")
    assert isinstance(data["gender"].dtype, pd.CategoricalDtype)
    assert str(data["previous_plans"].dtype) == "Int64"
    assert str(data["source_row"].dtype) == "Int64"


def test_line_breaks_inside_quoted_values_are_kept_as_they_are(tmp_path):
    """An empty line inside a quoted value is part of the value, not a blank row."""
    from sscb_analysis.cleaning.read import read_extract

    path = tmp_path / "quoted.csv"
    path.write_bytes(
        b'plan_id,child_id,team\nP1,C1,"Team A\n\nsecond line"\n\nP2,C2,"He said ""hi"""\n\n\nP3,C3,B\n'
    )
    table = read_extract(path)
    team = table.columns[2].to_arrow().to_pylist()
    assert team == ["Team A\n\nsecond line", None, 'He said "hi"', None, None, "B"]
    ids = table.columns[0].to_arrow().to_pylist()
    assert ids == ["P1", None, "P2", None, None, "P3"]


def test_placeholders_read_as_blank_unless_the_column_declares_them():
    import pyarrow as pa

    from sscb_analysis.cleaning.read import blank_placeholders
    from sscb_analysis.extracts import get_spec

    arr = Encoded.from_arrow(pa.array(["NULL", "x", "n/a", "null", "", "#N/A", "Nonesuch"]))
    out, found = blank_placeholders(arr, get_spec("cpp").column("team"))
    assert found == {"NULL": 1, "n/a": 1, "null": 1, "#N/A": 1}
    assert out.values_at(np.arange(7)) == [None, "x", None, None, None, None, "Nonesuch"]
    tool = get_spec("marac").column("risk_tool")  # declares "n/a" as no tool
    out, found = blank_placeholders(arr, tool)
    assert "n/a" not in found and out.values_at(np.arange(3)) == [None, "x", "n/a"]

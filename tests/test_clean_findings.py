"""Regression tests for the seven findings that opened issue 10: an export shaped like a real
case system's was refused with no way forward, or changed the headline numbers without a word."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import FIXED_TODAY, cpp_rows

from sscb_analysis.cleaning import ExtractError, clean


def run(frame: pd.DataFrame, **options):
    return clean("cpp", frame, today=FIXED_TODAY, **options)


def case_system_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """The same plans under the headers a case system exports."""
    return frame.rename(
        columns={
            "plan_id": "CP Plan ID",
            "child_id": "Person ID",
            "plan_start_date": "CP Plan Start Date",
            "plan_end_date": "CP Plan End Date",
            "previous_plans": "No. of Previous CP Plans",
        }
    )


# ---- finding 2: real headers not recognised; previous plans silently dropped
def test_case_system_headers_are_recognised_and_previous_plans_count():
    frame = cpp_rows(3)
    frame["previous_plans"] = ["0", "2", "0"]
    result = run(case_system_headers(frame))
    assert len(result.data) == 3
    # The recorded history makes the second plan a repeat although the extract holds one plan.
    assert result.data["second_or_subsequent"].tolist() == [False, True, False]
    assert result.data["previous_plans"].tolist() == [0, 2, 0]
    assert "LOAD001" not in set(result.log["rule"])


@pytest.mark.parametrize(
    "header", ["Prev CP Plans (count)", "Previous plans on record", "PriorPlans"]
)
def test_a_previous_plans_column_under_an_unknown_spelling_is_an_error_not_dropped(header):
    frame = cpp_rows(2).rename(columns={"previous_plans": header})
    with pytest.raises(ExtractError) as info:
        run(frame)
    message = str(info.value)
    assert f"{header!r} looks like previous_plans" in message
    assert f"previous_plans: {header}" in message  # the exact layout line that maps it
    # Dropped on purpose, it is gone and logged, and nothing else changes.
    result = run(frame, drop=[header])
    assert len(result.data) == 2 and "LOAD003" in set(result.log["rule"])


@pytest.mark.parametrize("header", ["No. of Review Conferences", "Number of Review CPCs"])
def test_a_case_system_count_of_review_conferences_is_read(header):
    frame = cpp_rows(2).rename(columns={"review_conferences": header})
    frame[header] = ["3", "0"]
    result = run(frame)
    assert result.data["review_conferences"].tolist() == [3, 0]


@pytest.mark.parametrize("header", ["Review Conferences Held (total)", "Review conf. count"])
def test_a_review_count_under_an_unknown_spelling_is_an_error_not_dropped(header):
    # Once "No. of Review Conferences" was dropped as "not a column of this extract".
    frame = cpp_rows(2).rename(columns={"review_conferences": header})
    with pytest.raises(ExtractError, match=f"{re.escape(repr(header))} looks like review_conf"):
        run(frame)


def test_a_review_date_is_not_taken_for_the_count_of_reviews():
    frame = cpp_rows(2).drop(columns=["review_conferences"])
    frame["Date of latest review conference"] = ["not held", "not held"]  # dates: the DOB guard
    result = run(frame)
    assert len(result.data) == 2 and result.data["review_conferences"].isna().all()


# ---- finding 3: DfE codes refused; an unknown optional code set the plan aside
def test_dfe_codes_are_read():
    frame = cpp_rows(6)
    frame["category_of_abuse"] = ["NEG", "PHY", "EMO", "SAB", "MUL", "sab"]
    frame["ethnicity"] = ["WBRI", "OOTH", "REFU", "NOBT", "BCRB", "MWAS"]
    frame["gender"] = ["1", "2", "9", "0", "M", "F"]
    result = run(frame)
    assert result.quarantine.empty
    data = result.data
    assert data["initial_category"].tolist() == [
        "neglect",
        "physical",
        "emotional",
        "sexual",
        "multiple",
        "sexual",
    ]
    assert data["ethnicity"].tolist() == ["white", "other", "unknown", "unknown", "black", "mixed"]
    assert data["gender"].tolist() == ["male", "female", "unknown", "unknown", "male", "female"]


def test_an_unknown_demographic_code_keeps_the_plan():
    frame = cpp_rows(3)
    frame.loc[0, "ethnicity"] = "ZZZZ"
    frame.loc[1, "age_band"] = "teen"
    result = run(frame)
    assert len(result.data) == 3 and result.quarantine.empty
    assert result.summary["flagged"] == 2


# ---- finding 4: with Initial Category and Category of Abuse (latest), latest was taken as initial
def test_initial_and_latest_categories_are_both_kept():
    frame = cpp_rows(2)
    frame = frame.rename(columns={"category_of_abuse": "Category of Abuse"})
    frame.insert(4, "Initial Category", ["Neglect", "Physical"])
    frame["Category of Abuse"] = ["Emotional", "Physical"]
    result = run(frame)
    assert result.data["initial_category"].tolist() == ["neglect", "physical"]
    assert result.data["latest_category"].tolist() == ["emotional", "physical"]
    note = result.log[result.log["rule"] == "LOAD005"]
    assert note["column"].tolist() == ["Category of Abuse"]
    assert "read as latest_category" in note["message"].iloc[0]


def test_one_category_column_is_the_initial_and_stands_in_for_the_latest():
    result = run(cpp_rows(2))
    data = result.data
    assert data["initial_category"].tolist() == data["latest_category"].tolist()
    entry = result.log[result.log["rule"] == "LOAD006"]
    assert entry["column"].tolist() == ["latest_category"]
    assert "initial_category stands in" in entry["message"].iloc[0]


def test_annex_a_lettered_codes_are_read():
    frame = cpp_rows(3)
    frame["gender"] = ["a) Male", "b) Female", "c) Unknown"]
    frame["ethnicity"] = ["a) WBRI", "s) NOBT", "q) OOTH"]
    result = run(frame)
    assert result.data["gender"].tolist() == ["male", "female", "unknown"]
    assert result.data["ethnicity"].tolist() == ["white", "unknown", "other"]


def write_xlsx(path, rows: list[list[object]], title: str = "Sheet1") -> None:
    """A workbook as openpyxl saves it: formulas are stored without a saved result, as any tool
    other than Excel stores them."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)


def frame_rows(frame: pd.DataFrame) -> list[list[object]]:
    return [list(frame.columns), *frame.astype(object).values.tolist()]


# ---- finding 1: a title row above the headers was refused, the title shown as "headers found"
def test_title_rows_above_the_headers_are_skipped_and_the_row_named(tmp_path):
    path = tmp_path / "export.xlsx"
    write_xlsx(
        path,
        [["Child protection plans, 2012-13"], ["Run on 01/04/2013"], [], *frame_rows(cpp_rows(3))],
    )
    result = run(path)
    assert len(result.data) == 3 and result.summary["header_row"] == 4
    assert result.data["source_row"].tolist() == [5, 6, 7]  # Excel's own row numbers
    entry = result.log[result.log["rule"] == "LOAD007"]
    assert "headers read from row 4" in entry["message"].iloc[0]


def test_title_rows_in_a_csv_are_skipped(tmp_path):
    path = tmp_path / "export.csv"
    body = cpp_rows(2).to_csv(index=False)
    path.write_text("CP plans report,,\nProduced 01/04/2013\n" + body, encoding="utf-8")
    result = run(path)
    assert len(result.data) == 2 and result.summary["header_row"] == 3
    assert result.data["source_row"].tolist() == [4, 5]


def test_a_file_without_a_header_row_is_refused_without_calling_the_title_headers(tmp_path):
    path = tmp_path / "export.xlsx"
    write_xlsx(
        path, [["Child protection plans, 2012-13"], ["Ref", "Started", "Kind"], ["A1", "x", "y"]]
    )
    with pytest.raises(ExtractError) as info:
        run(path)
    message = str(info.value)
    assert "No header row found" in message and "headers found" not in message
    assert "--map" in message


# ---- finding 6: a totals row at the bottom was counted as a plan set aside
@pytest.mark.parametrize(
    "label", ["Total", "Total plans: 3", "Notes: excludes unborn children", "* provisional"]
)
def test_a_totals_or_notes_row_at_the_bottom_is_a_footer(tmp_path, label):
    path = tmp_path / "export.xlsx"
    rows = frame_rows(cpp_rows(3))
    write_xlsx(path, [*rows, [], [label, None, None, None, None, None, None, None, None, 3]])
    result = run(path)
    s = result.summary
    assert (s["rows_in"], s["clean"], s["quarantined"], s["blank"], s["footers"]) == (5, 3, 0, 1, 1)
    assert s["balanced"] and result.quarantine.empty
    footer = result.log[result.log["rule"] == "CPP021"]
    assert footer["source_row"].tolist() == [6] and footer["action"].iloc[0] == "skipped as footer"
    assert label not in " ".join(result.log["value"].dropna()) or footer["value"].iloc[0] in label


# ---- finding 7: a formula cell without a saved value was read as blank (an ended plan "open")
def test_a_formula_without_a_saved_value_is_an_error_with_its_cell(tmp_path):
    path = tmp_path / "export.xlsx"
    rows = frame_rows(cpp_rows(3))
    end = rows[0].index("plan_end_date")
    rows[2][end] = "=DATE(2012,10,1)"  # the second plan's end date, computed, never saved
    write_xlsx(path, rows, title="CP Plans")
    result = run(path)
    assert len(result.data) == 2
    assert result.quarantine["source_row"].tolist() == [3]
    entry = result.log[result.log["rule"] == "CPP022"].iloc[0]
    assert entry["value"] == "'CP Plans'!D3" and entry["column"] == "plan_end_date"
    assert "formula with no saved value" in entry["message"]
    # The whole sentence, with what to do (it was once cut after "saved by a program").
    assert entry["message"].rstrip().endswith("or export the values)")
    assert "open it in Excel and save it" in result.quarantine["reasons"].iloc[0]


def test_an_excel_error_value_is_an_error_with_its_cell(tmp_path):
    import zipfile

    path = tmp_path / "export.xlsx"
    rows = frame_rows(cpp_rows(2))
    rows[1][rows[0].index("previous_plans")] = "ERRORCELL"
    write_xlsx(path, rows)
    # Turn the placeholder into a stored Excel error, as Excel writes #REF!.
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index("ERRORCELL")
    cell = sheet.rfind("<c ", 0, start)
    ref = sheet[cell:].split('r="')[1].split('"')[0]
    end = sheet.index("</c>", start) + 4
    sheet = sheet[:cell] + f'<c r="{ref}" t="e"><v>#REF!</v></c>' + sheet[end:]
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    result = run(path)
    entry = result.log[result.log["rule"] == "CPP022"].iloc[0]
    assert entry["value"] == f"Sheet1!{ref}" and "#REF!" in entry["message"]
    assert result.quarantine["source_row"].tolist() == [2]


# ---- finding 5: a census-style file failed on "no plan_id column"
def test_without_a_plan_id_a_plan_is_its_child_and_start_date():
    frame = cpp_rows(3).drop(columns=["plan_id"])
    frame["child_id"] = ["C1", "C1", "C2"]
    frame["plan_start_date"] = ["01/04/2012", "01/04/2013", "01/04/2012"]
    frame["plan_end_date"] = ["01/10/2012", "", ""]
    result = run(frame)
    assert result.data["plan_id"].tolist() == ["C1:2012-04-01", "C1:2013-04-01", "C2:2012-04-01"]
    assert result.data["second_or_subsequent"].tolist() == [False, True, False]
    assert result.summary["record_key"] == ["child_id", "plan_start_date"]
    assert "LOAD008" in set(result.log["rule"])


def test_the_same_plan_in_two_census_style_returns_is_one_plan(tmp_path):
    """Open across 31 March, a plan is in both returns; its end date arrives in the later one."""
    first = cpp_rows(2).drop(columns=["plan_id"])
    first["plan_end_date"] = ["", "01/10/2012"]
    second = first.iloc[:1].copy()
    second["plan_start_date"] = ["2012-04-01"]  # written another way in the later return
    second["plan_end_date"] = ["2013-05-02"]
    paths = [tmp_path / "census_2013.csv", tmp_path / "census_2014.xlsx"]
    first.to_csv(paths[0], index=False)
    second.to_excel(paths[1], index=False)
    result = clean("cpp", paths, today=FIXED_TODAY)
    assert len(result.data) == 2 and result.summary["same_in_later_return"] == 1
    plan = result.data.set_index("child_id").loc["C00000"]
    assert plan["plan_end_date"] == pd.Timestamp("2013-05-02")
    change = result.log[result.log["rule"] == "CPP024"]
    assert change["value"].tolist() == ["(blank) -> 2013-05-02"]


def test_the_summary_records_what_freshness_needs(tmp_path):
    import hashlib

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    cpp_rows(2).to_csv(a, index=False)
    cpp_rows(3).to_csv(b, index=False)
    s = clean("cpp", [b, a], drop=["team"], today=FIXED_TODAY).summary
    assert s["inputs"] == [
        {"path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in (b, a)
    ]
    assert s["options"] == {
        "layout": None,
        "drop": ["team"],
        "pseudonymise": False,
        "layout_sha256": None,
    }
    from importlib import metadata

    assert s["package_version"] == metadata.version("sscb-analysis")


def test_a_pipe_is_read_once_by_the_reader_not_by_the_summary(tmp_path):
    import os
    import threading

    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    body = cpp_rows(3).to_csv(index=False).encode()

    def feed() -> None:
        with open(fifo, "wb") as fh:
            fh.write(body)

    writer = threading.Thread(target=feed)
    writer.start()
    result = clean("cpp", fifo, today=FIXED_TODAY)
    writer.join(timeout=10)
    assert len(result.data) == 3
    assert result.summary["inputs"] == [{"path": str(fifo), "sha256": None}]


@pytest.mark.parametrize("reference", ["5", "D", "4D", "Ä4", "A2"])
def test_a_cell_reference_that_is_not_one_is_a_damaged_workbook(tmp_path, reference):
    import zipfile

    path = tmp_path / "x.xlsx"
    write_xlsx(path, frame_rows(cpp_rows(2)))
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode().replace('r="C2"', f'r="{reference}"', 1)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(ExtractError, match="damaged"):
        run(path)

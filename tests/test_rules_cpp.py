"""One test per CPP rule: a valid extract with exactly one defect, cleaned in memory."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FIXED_TODAY, cpp_rows

from sscb_analysis.cleaning import clean


def run(frame: pd.DataFrame):
    return clean("cpp", frame, today=FIXED_TODAY)


def rules_at(result, source_row: int) -> set[str]:
    log = result.log
    return set(log.loc[log["source_row"] == source_row, "rule"])


def test_valid_rows_are_all_clean(cpp):
    result = run(cpp)
    assert len(result.data) == 3 and len(result.quarantine) == 0
    assert result.data["query_flags"].isna().all()


def test_cpp000_malformed_row_is_quarantined_without_its_text(cpp, tmp_path):
    path = tmp_path / "cpp.csv"
    cpp.to_csv(path, index=False)
    lines = path.read_text().splitlines()
    lines[2] += ",an extra value"
    path.write_text("\n".join(lines) + "\n")
    result = clean("cpp", path, today=FIXED_TODAY)
    assert rules_at(result, 3) == {"CPP000"}
    assert result.quarantine["source_row"].tolist() == [3]
    assert "an extra value" not in result.quarantine.to_string() + result.log.to_string()
    assert result.summary["balanced"]


def test_cpp001_blank_row_is_skipped_and_counted(cpp):
    cpp.loc[1, :] = ""
    result = run(cpp)
    assert rules_at(result, 3) == {"CPP001"}
    assert result.summary["blank"] == 1 and len(result.data) == 2
    assert result.log.loc[result.log["rule"] == "CPP001", "action"].iloc[0] == "skipped"


def test_cpp002_exact_duplicate_is_kept_once(cpp):
    frame = pd.concat([cpp, cpp.iloc[[0]]], ignore_index=True)
    frame.loc[3, "team"] = " Team A  "  # surrounding spaces do not make a row different
    result = run(frame)
    assert rules_at(result, 5) == {"CPP002"}
    assert result.log.loc[result.log["rule"] == "CPP002", "value"].iloc[0] == "row 2"
    assert len(result.data) == 3 and result.summary["duplicates"] == 1


@pytest.mark.parametrize("column", ["plan_id", "child_id"])
def test_cpp003_missing_id_is_quarantined(cpp, column):
    cpp.loc[0, column] = "  "
    result = run(cpp)
    assert rules_at(result, 2) == {"CPP003"}
    assert result.quarantine["source_row"].tolist() == [2]


def test_cpp004_duplicate_id_on_differing_rows_quarantines_both(cpp):
    cpp.loc[1, "plan_id"] = cpp.loc[0, "plan_id"]
    result = run(cpp)
    assert sorted(result.quarantine["source_row"]) == [2, 3]
    assert rules_at(result, 2) == rules_at(result, 3) == {"CPP004"}


def test_cpp005_missing_required_value(cpp):
    cpp.loc[2, "category_of_abuse"] = ""
    result = run(cpp)
    assert rules_at(result, 4) == {"CPP005"}


@pytest.mark.parametrize("value", ["31/02/2012", "2012-13-01", "next week", "1/1"])
def test_cpp006_unparsable_or_impossible_date_keeps_raw_value(cpp, value):
    cpp.loc[0, "plan_start_date"] = value
    result = run(cpp)
    entry = result.log[result.log["rule"] == "CPP006"]
    assert entry["value"].tolist() == [value]
    assert result.quarantine["plan_start_date"].tolist() == [value]


@pytest.mark.parametrize("value", ["01/01/1989", "01/01/2030"])
def test_cpp007_date_before_1990_or_in_future(cpp, value):
    cpp.loc[0, "initial_conference_date"] = value
    result = run(cpp)
    assert "CPP007" in rules_at(result, 2)


def test_cpp008_unknown_category_is_an_error_not_other(cpp):
    cpp.loc[0, "category_of_abuse"] = "financial"
    result = run(cpp)
    assert rules_at(result, 2) == {"CPP008"}
    assert result.quarantine["source_row"].tolist() == [2]


@pytest.mark.parametrize(("column", "value"), [("gender", "robot"), ("ethnicity", "XXXX")])
def test_cpp020_unknown_code_where_no_headline_needs_it_is_a_query(cpp, column, value):
    """Severity follows use: an unknown code in a demographic column keeps the plan (flagged,
    the value read as blank), so it still counts in every headline."""
    cpp.loc[1, column] = value
    result = run(cpp)
    assert rules_at(result, 3) == {"CPP020"}
    assert len(result.data) == 3 and result.quarantine.empty
    row = result.data.set_index("source_row").loc[3]
    assert pd.isna(row[column]) and row["query_flags"] == "CPP020"
    entry = result.log[result.log["rule"] == "CPP020"].iloc[0]
    assert entry["value"] == value and entry["severity"] == "query"


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_cpp009_bad_number(cpp, value):
    cpp.loc[0, "previous_plans"] = value
    result = run(cpp)
    assert rules_at(result, 2) == {"CPP009"}


def test_cpp010_end_before_start(cpp):
    cpp.loc[0, "plan_end_date"] = "31/03/2012"
    result = run(cpp)
    assert rules_at(result, 2) == {"CPP010"}


def test_cpp011_overlapping_plans_are_kept_and_flagged():
    frame = cpp_rows(3)
    frame["child_id"] = "C00001"
    frame["plan_start_date"] = ["01/04/2012", "01/09/2012", "01/01/2013"]
    frame["initial_conference_date"] = frame["plan_start_date"]
    frame["plan_end_date"] = ["01/10/2012", "01/12/2012", ""]
    frame["previous_plans"] = ["0", "1", "2"]
    result = run(frame)
    assert len(result.data) == 3
    flags = dict(zip(result.data["source_row"], result.data["query_flags"], strict=True))
    assert flags[3] == "CPP011"  # starts before the first plan ended
    assert pd.isna(flags[2]) and pd.isna(flags[4])


def test_cpp012_initial_conference_after_start_or_too_early(cpp):
    cpp.loc[0, "initial_conference_date"] = "02/04/2012"
    cpp.loc[1, "initial_conference_date"] = "01/03/2012"  # 22 working days before
    cpp.loc[2, "initial_conference_date"] = "20/03/2012"  # 9 working days before: fine
    result = run(cpp)
    assert rules_at(result, 2) == {"CPP012"} and rules_at(result, 3) == {"CPP012"}
    assert rules_at(result, 4) == set()
    assert len(result.data) == 3


def test_category_spellings_normalise():
    frame = cpp_rows(5)
    frame["category_of_abuse"] = ["Neglect", "N", "neglect ", "NEGLECT", "Physical Abuse"]
    result = run(frame)
    assert result.data["initial_category"].tolist() == ["neglect"] * 4 + ["physical"]
    assert list(result.data["initial_category"].cat.categories) == [
        "neglect",
        "physical",
        "emotional",
        "sexual",
        "multiple",
    ]


def test_every_declared_rule_has_a_test_here():
    import re
    from pathlib import Path

    from sscb_analysis.extracts import get_spec

    text = Path(__file__).read_text()
    tested = set(re.findall(r"test_(cpp\d{3})", text))
    assert {c.lower() for c in get_spec("cpp").rules} <= tested


def test_null_placeholders_are_blank_not_errors_and_never_one_child(cpp):
    cpp.loc[0, "plan_end_date"] = "NULL"  # an open plan, as a SQL export writes it
    cpp.loc[[1, 2], "child_id"] = "NULL"  # two unrelated children must not become one
    result = run(cpp)
    assert result.quarantine["source_row"].tolist() == [3, 4]
    assert set(result.quarantine["rules"]) == {"CPP003"}
    assert len(result.data) == 1 and result.data["plan_end_date"].isna().all()
    assert result.summary["placeholders_read_as_blank"] == {
        "child_id": {"NULL": 2},
        "plan_end_date": {"NULL": 1},
    }
    log = result.log[result.log["rule"] == "LOAD004"]
    assert log["column"].tolist() == ["child_id", "plan_end_date"]
    assert log["action"].eq("read as blank").all()


def test_null_ids_are_not_pseudonymised_into_one_child(cpp):
    cpp.loc[[0, 1], "child_id"] = " null "
    result = clean(
        "cpp",
        cpp,
        pseudonymise=True,
        environ={"SSCB_PSEUDONYM_KEY": "a key of sixteen or more"},
        today=FIXED_TODAY,
    )
    assert result.quarantine["rules"].tolist() == ["CPP003", "CPP003"]
    assert result.quarantine["child_id"].isna().all()


def test_cpp021_totals_row_at_the_bottom_is_a_footer(cpp):
    frame = pd.concat([cpp, pd.DataFrame({cpp.columns[0]: ["Total"]})], ignore_index=True)
    result = run(frame.fillna(""))
    assert rules_at(result, 5) == {"CPP021"} and result.quarantine.empty
    assert result.summary["footers"] == 1 and result.summary["balanced"]


def test_cpp022_formula_cell_without_a_saved_value(cpp, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(cpp.columns))
    for row in cpp.values.tolist():
        sheet.append(row)
    sheet.cell(row=3, column=3, value="=TODAY()")
    book.save(tmp_path / "x.xlsx")
    result = run(tmp_path / "x.xlsx")
    assert rules_at(result, 3) == {"CPP022"} and result.quarantine["source_row"].tolist() == [3]


def two_returns(frame, tmp_path):
    """The first two records in an earlier return, the last two in a later one, where the
    shared record has lost a date."""
    earlier, later = frame.iloc[:2].copy(), frame.iloc[1:].copy()
    changed = next(c for c in later.columns if "date" in c and c != later.columns[2])
    later.loc[1, changed] = ""
    paths = [tmp_path / "2013.csv", tmp_path / "2014.csv"]
    earlier.to_csv(paths[0], index=False)
    later.to_csv(paths[1], index=False)
    return clean("cpp", paths, today=FIXED_TODAY), paths, changed


def test_cpp023_the_same_record_in_two_returns_counts_once(cpp, tmp_path):
    result, paths, _ = two_returns(cpp, tmp_path)
    s = result.summary
    assert (s["rows_in"], s["clean"], s["same_in_later_return"]) == (4, 3, 1) and s["balanced"]
    same = result.log[result.log["rule"] == "CPP023"]
    assert same["source_file"].tolist() == [str(paths[0])] and same["source_row"].tolist() == [3]
    assert same["value"].iloc[0] == f"{paths[1]} row 2"
    assert result.data["source_file"].astype(str).tolist().count(str(paths[1])) == 2


def test_cpp024_a_change_between_returns_is_logged_and_the_later_value_kept(cpp, tmp_path):
    result, paths, changed = two_returns(cpp, tmp_path)
    change = result.log[result.log["rule"] == "CPP024"]
    assert change["column"].tolist() == [changed]
    assert change["value"].iloc[0].endswith("-> (blank)")
    later = result.data[result.data["source_file"].astype(str) == str(paths[1])]
    assert later.set_index("source_row").loc[2, changed] is pd.NaT or pd.isna(
        later.set_index("source_row").loc[2, changed]
    )


def test_cpp013_recorded_previous_plans_fewer_than_the_extract_holds():
    frame = cpp_rows(3)
    frame["child_id"] = ["C1", "C1", "C2"]
    frame["plan_start_date"] = ["01/04/2010", "01/04/2012", "01/04/2012"]
    frame["plan_end_date"] = ["01/10/2010", "01/10/2012", "01/10/2012"]
    frame["initial_conference_date"] = frame["plan_start_date"]
    frame["previous_plans"] = ["0", "0", "2"]  # C1's second plan says none before it
    result = run(frame)
    assert rules_at(result, 3) == {"CPP013"} and len(result.data) == 3
    assert result.data["second_or_subsequent"].tolist() == [False, True, True]
    basis = result.summary["derived"]
    assert basis == {
        "plans": 3,
        "second_or_subsequent": 2,
        "history_and_recorded": 0,
        "history_only": 1,
        "recorded_only": 1,
        "recorded_number_missing": 0,
        "disagree": 1,
    }

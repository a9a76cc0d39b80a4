"""One test per CAF rule (the generic ones are shared with CPP, so they are checked briefly)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FIXED_TODAY

from sscb_analysis.cleaning import clean


def run(frame: pd.DataFrame):
    return clean("caf", frame, today=FIXED_TODAY)


def rules_at(result, source_row: int) -> set[str]:
    return set(result.log.loc[result.log["source_row"] == source_row, "rule"])


def test_valid_rows_are_all_clean(caf):
    result = run(caf)
    assert len(result.data) == 3 and result.data["query_flags"].isna().all()


def test_caf000_malformed_row_is_quarantined_without_its_text(caf, tmp_path):
    path = tmp_path / "caf.csv"
    caf.to_csv(path, index=False)
    lines = path.read_text().splitlines()
    lines[2] += ",an extra value"
    path.write_text("\n".join(lines) + "\n")
    result = clean("caf", path, today=FIXED_TODAY)
    assert rules_at(result, 3) == {"CAF000"}
    assert result.quarantine["source_row"].tolist() == [3]
    assert "an extra value" not in result.quarantine.to_string() + result.log.to_string()
    assert result.summary["balanced"]


def test_caf001_blank_row(caf):
    caf.loc[0, :] = None
    assert rules_at(run(caf), 2) == {"CAF001"}


def test_caf002_exact_duplicate(caf):
    frame = pd.concat([caf, caf.iloc[[2]]], ignore_index=True)
    assert rules_at(run(frame), 5) == {"CAF002"}


def test_caf003_missing_id(caf):
    caf.loc[1, "child_id"] = ""
    assert rules_at(run(caf), 3) == {"CAF003"}


def test_caf004_duplicate_id(caf):
    caf.loc[2, "caf_id"] = caf.loc[1, "caf_id"]
    assert rules_at(run(caf), 4) == {"CAF004"}


def test_caf005_missing_assessment_date(caf):
    caf.loc[0, "assessment_date"] = ""
    assert rules_at(run(caf), 2) == {"CAF005"}


def test_caf006_bad_date(caf):
    caf.loc[0, "closure_date"] = "30/02/2013"
    assert rules_at(run(caf), 2) == {"CAF006"}


def test_caf007_future_date(caf):
    caf.loc[0, "assessment_date"] = "03/09/2099"
    assert "CAF007" in rules_at(run(caf), 2)


def test_caf008_unknown_agency(caf):
    caf.loc[0, "initiating_agency"] = "fire brigade"
    assert rules_at(run(caf), 2) == {"CAF008"}


def test_caf020_unknown_lead_agency_is_a_query_not_an_error(caf):
    caf.loc[0, "lead_professional_agency"] = "Parish council"
    result = run(caf)
    assert rules_at(result, 2) == {"CAF020"}
    assert len(result.data) == 3 and pd.isna(result.data["lead_professional_agency"].iloc[0])


def test_caf009_not_applicable_has_no_number_columns():
    from sscb_analysis.extracts import get_spec

    # CAF has no count columns, so the generic number rule can never fire; it is declared for
    # uniform codes only.
    assert not [c for c in get_spec("caf").columns if c.type == "int"]


def test_caf010_closure_before_assessment(caf):
    caf.loc[0, "closure_date"] = "01/09/2012"
    caf.loc[0, "survey_date"] = ""
    caf.loc[0, ["satisfaction", "things_improved", "knowledge_improved"]] = ""
    assert rules_at(run(caf), 2) == {"CAF010"}


@pytest.mark.parametrize(
    ("column", "value"),
    [("satisfaction", "6"), ("satisfaction", "ecstatic"), ("things_improved", "maybe")],
)
def test_caf011_survey_answer_outside_scale(caf, column, value):
    caf.loc[0, column] = value
    assert rules_at(run(caf), 2) == {"CAF011"}


def test_caf012_survey_before_assessment(caf):
    caf.loc[1, "survey_date"] = "01/09/2012"
    assert rules_at(run(caf), 3) == {"CAF012"}


def test_caf013_closure_date_and_reason_disagree(caf):
    caf.loc[0, "closure_reason"] = ""
    caf.loc[1, "closure_date"] = ""
    caf.loc[1, "survey_date"] = "04/09/2012"
    result = run(caf)
    assert rules_at(result, 2) == {"CAF013"} and rules_at(result, 3) == {"CAF013"}
    assert len(result.data) == 3


def test_caf014_survey_answers_without_date(caf):
    caf.loc[0, "survey_date"] = ""
    caf.loc[1, ["satisfaction", "things_improved", "knowledge_improved"]] = ""
    result = run(caf)
    assert rules_at(result, 2) == {"CAF014"} and rules_at(result, 3) == {"CAF014"}


def test_derived_fields(caf):
    caf["satisfaction"] = ["Very satisfied", "satisfied", ""]
    caf["things_improved"] = ["yes", "don't know", ""]
    caf.loc[2, ["survey_date", "knowledge_improved"]] = ""
    caf.loc[2, ["closure_date", "closure_reason"]] = ""
    data = run(caf).data
    assert data["satisfied_top_two"].tolist()[:2] == [True, True]
    assert data["very_satisfied"].tolist()[:2] == [True, False]
    assert data["improvement_seen"].tolist()[:2] == [True, False]
    assert data["satisfied_top_two"].isna().tolist() == [False, False, True]
    # 3 September 2012 to 1 March 2013: 179 days.
    assert data["days_to_closure"].tolist()[:2] == [179, 179]
    assert pd.isna(data["days_to_closure"].iloc[2])


def test_every_declared_rule_has_a_test_here():
    import re
    from pathlib import Path

    from sscb_analysis.extracts import get_spec

    tested = set(re.findall(r"test_(caf\d{3})", Path(__file__).read_text()))
    assert {c.lower() for c in get_spec("caf").rules} <= tested


def test_caf021_totals_row_at_the_bottom_is_a_footer(caf):
    frame = pd.concat([caf, pd.DataFrame({caf.columns[0]: ["Total"]})], ignore_index=True)
    result = run(frame.fillna(""))
    assert rules_at(result, 5) == {"CAF021"} and result.quarantine.empty
    assert result.summary["footers"] == 1 and result.summary["balanced"]


def test_caf022_formula_cell_without_a_saved_value(caf, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(caf.columns))
    for row in caf.values.tolist():
        sheet.append(row)
    sheet.cell(row=3, column=3, value="=TODAY()")
    book.save(tmp_path / "x.xlsx")
    result = run(tmp_path / "x.xlsx")
    assert rules_at(result, 3) == {"CAF022"} and result.quarantine["source_row"].tolist() == [3]


def two_returns(frame, tmp_path):
    """The first two records in an earlier return, the last two in a later one, where the
    shared record has lost a date."""
    earlier, later = frame.iloc[:2].copy(), frame.iloc[1:].copy()
    changed = next(c for c in later.columns if "date" in c and c != later.columns[2])
    later.loc[1, changed] = ""
    paths = [tmp_path / "2013.csv", tmp_path / "2014.csv"]
    earlier.to_csv(paths[0], index=False)
    later.to_csv(paths[1], index=False)
    return clean("caf", paths, today=FIXED_TODAY), paths, changed


def test_caf023_the_same_record_in_two_returns_counts_once(caf, tmp_path):
    result, paths, _ = two_returns(caf, tmp_path)
    s = result.summary
    assert (s["rows_in"], s["clean"], s["same_in_later_return"]) == (4, 3, 1) and s["balanced"]
    same = result.log[result.log["rule"] == "CAF023"]
    assert same["source_file"].tolist() == [str(paths[0])] and same["source_row"].tolist() == [3]
    assert same["value"].iloc[0] == f"{paths[1]} row 2"
    assert result.data["source_file"].astype(str).tolist().count(str(paths[1])) == 2


def test_caf024_a_change_between_returns_is_logged_and_the_later_value_kept(caf, tmp_path):
    result, paths, changed = two_returns(caf, tmp_path)
    change = result.log[result.log["rule"] == "CAF024"]
    assert change["column"].tolist() == [changed]
    assert change["value"].iloc[0].endswith("-> (blank)")
    later = result.data[result.data["source_file"].astype(str) == str(paths[1])]
    assert later.set_index("source_row").loc[2, changed] is pd.NaT or pd.isna(
        later.set_index("source_row").loc[2, changed]
    )

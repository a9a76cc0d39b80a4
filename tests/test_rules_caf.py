"""One test per CAF rule (the generic ones are shared with CPP, so they are checked briefly)."""

from __future__ import annotations

import pandas as pd
import pytest
import shared_rules
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
    shared_rules.footer_row("caf", caf)


def test_caf022_formula_cell_without_a_saved_value(caf, tmp_path):
    shared_rules.formula_without_value("caf", caf, tmp_path)


def test_caf023_the_same_record_in_two_returns_counts_once(caf, tmp_path):
    shared_rules.same_in_two_returns("caf", caf, tmp_path)


def test_caf024_a_change_between_returns_is_logged_and_the_later_value_kept(caf, tmp_path):
    shared_rules.changed_between_returns("caf", caf, tmp_path)

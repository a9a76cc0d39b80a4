"""Regression tests for the seven findings that opened issue 10: an export shaped like a real
case system's was refused with no way forward, or changed the headline numbers without a word."""

from __future__ import annotations

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

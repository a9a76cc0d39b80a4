"""Indicators on small hand-built extracts whose answers are counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from sscb_analysis import indicators as ind

D = pd.Timestamp


@pytest.fixture
def cpp() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "child_id": ["A", "A", "B", "C", "D"],
            "plan_start_date": [
                D("2010-05-01"),
                D("2012-02-10"),
                D("2012-03-31"),
                D("2011-01-15"),
                D("2012-11-30"),
            ],
            "plan_end_date": [D("2011-01-01"), pd.NaT, D("2013-03-31"), D("2013-02-01"), pd.NaT],
            "second_or_subsequent": [False, True, True, False, False],
            "initial_category": pd.Categorical(
                ["neglect", "neglect", "sexual", "physical", "neglect"],
                categories=["neglect", "physical", "emotional", "sexual", "multiple"],
            ),
        }
    )


def test_quarterly_starts_keeps_empty_quarters(cpp: pd.DataFrame) -> None:
    table = ind.quarterly_plan_starts(cpp, "2012-01-01", "2012-12-31")
    assert table["quarter"].tolist() == ["2012Q1", "2012Q2", "2012Q3", "2012Q4"]
    assert table["label"].tolist()[0] == "Jan-Mar 2012"
    assert table["plans_started"].tolist() == [2, 0, 0, 1]
    assert table["second_or_subsequent"].tolist() == [2, 0, 0, 0]
    assert table["share"].iloc[0] == 1.0
    assert pd.isna(table["share"].iloc[1])


def test_open_on_excludes_plans_ending_that_day(cpp: pd.DataFrame) -> None:
    # B ends on 31 March 2013, so it is not open then; A's second plan and D are open; C ended.
    mask = ind.plans_open_on(cpp, "2013-03-31")
    assert mask.tolist() == [False, True, False, False, True]


def test_open_at_31_march_two_years(cpp: pd.DataFrame) -> None:
    table = ind.open_at_31_march(cpp, years=[2011, 2012, 2013]).set_index("year")
    # 31 Mar 2011: C open (since Jan 2011), A ended Jan 2011.
    assert table.loc[2011, "open"] == 1
    # 31 Mar 2012: A2 (Feb 2012), C (Jan 2011); B starts on 31 March 2012 so is open too.
    assert table.loc[2012, "open"] == 3
    assert table.loc[2012, "open_two_years_or_more"] == 0
    assert table.loc[2013, "label"] == "2012-13"


def test_open_two_years_boundary() -> None:
    frame = pd.DataFrame(
        {
            "plan_start_date": [D("2011-03-31"), D("2011-04-01")],
            "plan_end_date": [pd.NaT, pd.NaT],
        }
    )
    table = ind.open_at_31_march(frame, years=[2013]).set_index("year")
    # Exactly two calendar years counts; one day short does not.
    assert table.loc[2013, "open_two_years_or_more"] == 1


def test_plans_ended_by_year(cpp: pd.DataFrame) -> None:
    table = ind.plans_ended_by_year(cpp, years=[2011, 2012, 2013]).set_index("year")
    assert table["ended"].tolist() == [1, 0, 2]
    # C: Jan 2011 to Feb 2013 is over two years; B: one year.
    assert table.loc[2013, "ended_two_years_or_more"] == 1


def test_categories_by_year(cpp: pd.DataFrame) -> None:
    table = ind.categories_by_year(cpp, years=[2012, 2013])
    assert table.loc["neglect", "2011-12"] == 1
    assert table.loc["neglect", "2012-13"] == 1
    assert table.loc["emotional"].sum() == 0


def test_missing_columns_get_a_clear_message() -> None:
    with pytest.raises(ValueError, match="Clean the extract first"):
        ind.quarterly_plan_starts(pd.DataFrame({"x": [1]}))


def test_caf_survey_by_year() -> None:
    caf = pd.DataFrame(
        {
            "survey_date": [
                D("2012-05-01"),
                D("2012-06-01"),
                D("2013-01-01"),
                pd.NaT,
                D("2013-04-02"),
            ],
            "satisfaction": [
                "very satisfied",
                "fairly satisfied",
                "very dissatisfied",
                None,
                "very satisfied",
            ],
            "things_improved": ["yes", "don't know", "no", None, None],
            "knowledge_improved": ["yes", "yes", "yes", None, "yes"],
        }
    )
    table = ind.caf_survey_by_year(caf).set_index("year")
    assert table.loc[2013, "responses"] == 3
    assert table.loc[2013, "very_satisfied"] == 1
    assert table.loc[2013, "top_two"] == 2
    assert table.loc[2013, "improved_base"] == 3
    assert table.loc[2013, "improved"] == 1
    assert table.loc[2014, "improved_base"] == 0


def test_caf_by_agency_fills_quiet_quarters() -> None:
    caf = pd.DataFrame(
        {
            "assessment_date": [D("2012-01-05"), D("2012-08-01"), D("2012-08-02")],
            "initiating_agency": ["school", "health", "school"],
        }
    )
    table = ind.caf_by_agency(caf)
    assert table.index.tolist() == ["2012Q1", "2012Q2", "2012Q3"]
    assert table.loc["2012Q2"].sum() == 0
    assert table.loc["2012Q3", "school"] == 1


@pytest.fixture
def marac() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "referral_date": [D("2011-06-01"), D("2011-12-01"), D("2012-02-01"), D("2012-05-01")],
            "repeat_within_12_months": [False, True, False, True],
            "high_risk": pd.array([True, pd.NA, False, True], dtype="boolean"),
            "risk_tool": ["dash", "none", "barnardos", "barnardos"],
            "agencies_present": ["police;idva", "police", "Police; Health ", ""],
        }
    )


def test_marac_by_year(marac: pd.DataFrame) -> None:
    table = ind.marac_by_year(marac).set_index("year")
    assert table.loc[2012, "referrals"] == 3
    assert table.loc[2012, "repeats"] == 1
    assert table.loc[2012, "high_risk_base"] == 2
    assert table.loc[2013, "high_risk"] == 1


def test_risk_tool_use_by_period(marac: pd.DataFrame) -> None:
    table = ind.risk_tool_use_by_period(marac, "2012-01-01", labels=("before", "after"))
    assert table.loc["before"].to_dict() == {"barnardos": 0, "dash": 1, "none": 1}
    assert table.loc["after", "barnardos"] == 2


def test_agency_attendance(marac: pd.DataFrame) -> None:
    table = ind.agency_attendance(marac, by_year=False)
    assert table.loc["police", "attended"] == 3
    assert table.loc["health", "share"] == 0.25
    yearly = ind.agency_attendance(marac)
    assert yearly.loc["conferences held", "2011-12"] == 3

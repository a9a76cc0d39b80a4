"""One test per MARAC rule, and the SafeLives repeat and DASH high-risk definitions."""

from __future__ import annotations

import pandas as pd
import pytest
import shared_rules
from conftest import FIXED_TODAY, marac_rows

from sscb_analysis.cleaning import clean


def run(frame: pd.DataFrame):
    return clean("marac", frame, today=FIXED_TODAY)


def rules_at(result, source_row: int) -> set[str]:
    return set(result.log.loc[result.log["source_row"] == source_row, "rule"])


def test_valid_rows_are_all_clean(marac):
    result = run(marac)
    assert len(result.data) == 3 and result.data["query_flags"].isna().all()


def test_marac000_malformed_row_is_quarantined_without_its_text(marac, tmp_path):
    path = tmp_path / "marac.csv"
    marac.to_csv(path, index=False)
    lines = path.read_text().splitlines()
    lines[2] += ",an extra value"
    path.write_text("\n".join(lines) + "\n")
    result = clean("marac", path, today=FIXED_TODAY)
    assert rules_at(result, 3) == {"MARAC000"}
    assert result.quarantine["source_row"].tolist() == [3]
    assert "an extra value" not in result.quarantine.to_string() + result.log.to_string()
    assert result.summary["balanced"]


def test_marac001_blank_row(marac):
    marac.loc[2, :] = " "
    assert rules_at(run(marac), 4) == {"MARAC001"}


def test_marac002_exact_duplicate(marac):
    frame = pd.concat([marac.iloc[[0]], marac], ignore_index=True)
    assert rules_at(run(frame), 3) == {"MARAC002"}


def test_marac003_missing_victim(marac):
    marac.loc[0, "victim_id"] = ""
    assert rules_at(run(marac), 2) == {"MARAC003"}


def test_marac004_duplicate_case_id(marac):
    marac.loc[0, "case_id"] = marac.loc[1, "case_id"]
    assert rules_at(run(marac), 2) == {"MARAC004"}


def test_marac005_missing_referral_date(marac):
    marac.loc[0, "referral_date"] = ""
    assert rules_at(run(marac), 2) == {"MARAC005"}


def test_marac006_bad_date(marac):
    marac.loc[0, "conference_date"] = "20/13/2012"
    assert rules_at(run(marac), 2) == {"MARAC006"}


def test_marac007_date_before_1990(marac):
    marac.loc[0, "referral_date"] = "02/05/1912"
    assert "MARAC007" in rules_at(run(marac), 2)


def test_marac008_unknown_risk_tool_sets_the_referral_aside(marac):
    marac.loc[0, "risk_tool"] = "gut feeling"
    result = run(marac)
    assert rules_at(result, 2) == {"MARAC008"}
    assert 2 in result.quarantine["source_row"].tolist()


def test_marac025_unknown_agency_keeps_the_referral(marac):
    # Review P10: one agency name the list does not know set the whole referral aside (out of
    # the referral count, the repeats and the risk figures); it is kept, the name counted as
    # "other or unknown", and flagged.
    marac.loc[0, "agencies_present"] = "police;fire brigade;IDVA"
    result = run(marac)
    assert rules_at(result, 2) == {"MARAC025"}
    assert result.quarantine.empty and len(result.data) == 3
    kept = result.data[result.data["source_row"] == 2]
    assert kept["agencies_present"].tolist() == ["police;other or unknown;idva"]
    assert kept["query_flags"].tolist() == ["MARAC025"]
    (entry,) = result.log[result.log["rule"] == "MARAC025"].itertuples()
    assert entry.severity == "query" and entry.column == "agencies_present"
    assert "counted as other or unknown" in entry.message
    # "other" itself is a declared spelling, not a query
    marac.loc[1, "agencies_present"] = "Police; Other"
    again = run(marac)
    assert rules_at(again, 3) == set()
    assert again.data.loc[again.data["source_row"] == 3, "agencies_present"].tolist() == [
        "police;other or unknown"
    ]


def test_marac020_unknown_referrer_is_a_query_not_an_error(marac):
    # Who referred is used by no figure: an unknown referrer is a query, the referral kept (it
    # once set the referral aside, lowering the referral count and the repeat rate).
    marac.loc[1, "referring_agency"] = "neighbour"
    result = run(marac)
    assert rules_at(result, 3) == {"MARAC020"}
    assert result.quarantine.empty
    kept = result.data[result.data["source_row"] == 3]
    assert len(kept) == 1 and kept["referring_agency"].isna().all()
    assert kept["query_flags"].tolist() == ["MARAC020"]


def test_marac009_bad_number(marac):
    marac.loc[0, "children_in_household"] = "-2"
    assert rules_at(run(marac), 2) == {"MARAC009"}


def test_marac010_not_used_conference_order_has_its_own_code():
    from sscb_analysis.extracts import get_spec

    # MARAC's date order check is "conference before referral" (MARAC011), not the generic 010.
    assert [code for *_, code in get_spec("marac").date_order] == ["MARAC011"]


def test_marac011_conference_before_referral(marac):
    marac.loc[0, "conference_date"] = "01/05/2012"
    assert rules_at(run(marac), 2) == {"MARAC011"}


@pytest.mark.parametrize("ticks", ["25", "-1", "99"])
def test_marac012_dash_ticks_outside_0_to_24(marac, ticks):
    marac.loc[0, "dash_ticks"] = ticks
    result = run(marac)
    assert rules_at(result, 2) == {"MARAC012"}
    assert result.quarantine["dash_ticks"].tolist() == [ticks]


def test_marac013_ticks_and_tool_disagree(marac):
    marac.loc[0, "risk_tool"] = "barnardos"
    marac.loc[1, "dash_ticks"] = ""
    result = run(marac)
    assert rules_at(result, 2) == {"MARAC013"} and rules_at(result, 3) == {"MARAC013"}


def test_repeat_within_12_months_and_high_risk():
    frame = marac_rows(4)
    frame["victim_id"] = ["V1", "V1", "V1", "V2"]
    frame["referral_date"] = ["01/01/2012", "01/01/2013", "02/01/2014", "01/06/2012"]
    frame["conference_date"] = ["10/01/2012", "10/01/2013", "10/01/2014", "10/06/2012"]
    frame["dash_ticks"] = ["14", "13", "24", ""]
    frame.loc[3, "risk_tool"] = "none"
    data = run(frame).data.sort_values("source_row")
    # 1 Jan 2013 is exactly 12 months after 1 Jan 2012 (a repeat); 2 Jan 2014 is 12 months and a
    # day after 1 Jan 2013 (not a repeat).
    assert data["repeat_within_12_months"].tolist() == [False, True, False, False]
    assert data["high_risk"].tolist()[:3] == [True, False, True]
    assert pd.isna(data["high_risk"].iloc[3])
    assert data["agencies_present"].iloc[0] == "police;idva;children's social care"


def test_every_declared_rule_has_a_test_here():
    import re
    from pathlib import Path

    from sscb_analysis.extracts import get_spec

    tested = set(re.findall(r"test_(marac\d{3})", Path(__file__).read_text()))
    assert {c.lower() for c in get_spec("marac").rules} <= tested


def test_marac021_totals_row_at_the_bottom_is_a_footer(marac):
    shared_rules.footer_row("marac", marac)


def test_marac022_formula_cell_without_a_saved_value(marac, tmp_path):
    shared_rules.formula_without_value("marac", marac, tmp_path)


def test_marac023_the_same_record_in_two_returns_counts_once(marac, tmp_path):
    shared_rules.same_in_two_returns("marac", marac, tmp_path)


def test_marac024_a_change_between_returns_is_logged_and_the_later_value_kept(marac, tmp_path):
    shared_rules.changed_between_returns("marac", marac, tmp_path)

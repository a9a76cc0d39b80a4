"""The area profile (docs/profile.md): the shipped demonstration and every mistake a sentence."""

from __future__ import annotations

import copy
import datetime as dt

import pandas as pd
import pytest
import yaml

from sscb_analysis.paths import CONFIG, DFE
from sscb_analysis.reporting.config import load_config
from sscb_analysis.reporting.errors import ConfigError, ProfileError
from sscb_analysis.reporting.profile import (
    KNOWN_CLAIMS,
    KNOWN_EVENTS,
    KNOWN_INDICATORS,
    KNOWN_REFERENCE_RATES,
    load_profile,
    parse_area,
    parse_period,
)

SHIPPED = CONFIG / "reports.yml"

GOOD = {
    "name": "Tower Hamlets",
    "la_code": 211,
    "period": "latest",
    "events": {"cpp_practice_review": {"date": "2014-09-01", "label": "a review"}},
    "claims": {"caf_improved": {"value": 0.5, "text": "half saw things improve"}},
    "reference_rates": {"marac_repeat_rate": {"value": 0.25, "label": "a rate", "year": 2015}},
    "targets": {
        "cpp_second_or_subsequent_share": {"value": 15, "direction": "lower", "source": "a plan"}
    },
}


def test_the_shipped_profile_is_southwark_2012_13_with_sources():
    area = load_profile(SHIPPED)
    assert area.name == "Southwark" and area.la_code == "210" and area.new_la_code == "E09000028"
    assert area.region == "Inner London"
    assert area.period.start == dt.date(2012, 4, 1) and area.period.end == dt.date(2013, 3, 31)
    assert area.disclosure == "published" and area.protective_marking == "OFFICIAL"
    assert area.event("cpp_practice_review").date == dt.date(2012, 6, 1)
    assert area.claim("caf_very_satisfied").value == 0.92
    assert area.claim("caf_improved").value == 0.66
    assert area.claim("marac_risk_tool").value == "barnardos"
    assert area.claim("cpp_repeat_quarters").value == {"2012Q1": 24, "2012Q4": 4}
    assert area.reference_rate("marac_repeat_rate").value == 0.31
    for block in (area.events, area.claims, area.reference_rates):
        for item in block.values():
            assert item.source, f"{item.key} has no source"
    # the neighbours written in the file are the DfE's (April 2021 groupings)
    from sscb_analysis.benchmarks.neighbours import neighbour_codes

    assert list(area.statistical_neighbours) == neighbour_codes(210)


def test_the_messy_demonstration_stays_in_the_shipped_profile_only():
    config = load_config(SHIPPED)
    assert "00_data_quality_messy" in [e.name for e in config.entries]
    assert config.profile is not None and config.profile.name == "Southwark"


def test_a_good_profile_reads_and_fills_region_and_neighbours():
    area = parse_area(GOOD)
    assert area.la_code == "211" and area.region == "Inner London"
    assert len(area.statistical_neighbours) == 10 and "211" not in area.statistical_neighbours
    assert area.period.latest
    assert area.target("cpp_second_or_subsequent_share").direction == "lower"
    assert area.claim("caf_very_satisfied") is None
    line = area.left_out("claims", "caf_very_satisfied", "the check of the survey claim")
    assert line.startswith("The check of the survey claim is left out")
    assert "claims.caf_very_satisfied" in line and "Tower Hamlets" in line


def test_new_la_code_and_area_without_code():
    assert parse_area({**GOOD, "la_code": "E09000030"}).la_code == "211"
    bare = parse_area({"name": "Anytown"})
    assert bare.la_code is None and bare.statistical_neighbours == ()


def _with(path: str, value):
    area = copy.deepcopy(GOOD)
    keys = path.split(".")
    target = area
    for key in keys[:-1]:
        target = target[key]
    if value is KeyError:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return area


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("not a mapping", r"'area' must be a mapping"),
        (_with("name", KeyError), r"area\.name is missing"),
        (_with("name", "  "), r"area\.name is missing"),
        (_with("name", "Bad\x07name"), r"area\.name holds a control character"),
        ({**GOOD, "nmae": "x"}, r"unknown key 'nmae'; did you mean 'name'"),
        (_with("name", "Anytown"), r"area\.name is 'Anytown' but area\.la_code 211 is Tower"),
        (_with("la_code", 999), r"area\.la_code: No local authority matches '999'.*Did you mean"),
        (_with("la_code", True), r"area\.la_code must be an LA code"),
        (_with("period", "last year"), r"area\.period must be `latest`"),
        (_with("period", {"start": "2013-04-01"}), r"area\.period\.end must be a date"),
        (
            _with("period", {"start": "2013-04-01", "end": "2012-03-31"}),
            r"start \(2013-04-01\) must be before end",
        ),
        (_with("disclosure", "public"), r"area\.disclosure must be one of published"),
        (
            {**GOOD, "disclosure": "board-restricted", "protective_marking": "OFFICIAL"},
            r"must start with OFFICIAL-SENSITIVE",
        ),
        (
            _with("events.cpp_practise_review", {"date": "2012-06-01", "label": "x"}),
            r"area\.events\.cpp_practise_review is not a key any report reads\. "
            r"Did you mean cpp_practice_review",
        ),
        (_with("events.cpp_practice_review.date", "June 2012"), r"\.date must be a date"),
        (_with("events.cpp_practice_review.label", KeyError), r"\.label is missing"),
        (_with("events.cpp_practice_review.when", "x"), r"unknown key 'when'"),
        (_with("claims.caf_improved.value", 66), r"share from 0 to 1 \(write 0\.66 for 66%\)"),
        (_with("claims.caf_improved.value", KeyError), r"caf_improved\.value is missing"),
        (
            _with("claims.marac_risk_tool", {"value": "dash", "text": "x"}),
            r"marac_risk_tool\.date is missing",
        ),
        (
            _with("claims.marac_risk_tool", {"value": "ouija", "text": "x", "date": "2012-01-01"}),
            r"must name a MARAC risk tool .*dash, barnardos",
        ),
        (
            _with("claims.cpp_repeat_quarters", {"value": {"2012Q1": 24}, "text": "x"}),
            r"two or more quarters",
        ),
        (
            _with(
                "claims.cpp_repeat_quarters", {"value": {"2012-1": 24, "2012Q4": 4}, "text": "x"}
            ),
            r"'2012-1' is not a quarter written like 2012Q1",
        ),
        (_with("reference_rates.marac_repeat_rate.year", "2013"), r"\.year must be a year"),
        (_with("targets.x", {"value": "high"}), r"targets\.x\.value must be a number"),
        (
            _with("targets.cpp_second_or_subsequent_share.direction", "down"),
            r"direction must be 'lower' or 'higher'",
        ),
        (_with("targets.Bad-Key", {"value": 1}), r"keys are lower-case words"),
        (
            {"name": "Anytown", "statistical_neighbours": [204]},
            r"statistical_neighbours needs area\.la_code",
        ),
        (_with("statistical_neighbours", [211]), r"lists Tower Hamlets itself"),
        (_with("region", "North East"), r"area\.region is 'North East' but the DfE files put"),
    ],
)
def test_every_mistake_is_a_sentence_naming_the_key(area, message):
    with pytest.raises(ProfileError, match=message):
        parse_area(area, "profile.yml")


def test_profile_errors_are_config_errors_so_sscb_run_exits_2():
    assert issubclass(ProfileError, ConfigError)


def test_period_forms():
    assert parse_period(None).latest and parse_period("latest").latest
    year = parse_period("2012-13")
    assert (year.start, year.end) == (dt.date(2012, 4, 1), dt.date(2013, 3, 31))
    assert parse_period("1999-00").end == dt.date(2000, 3, 31)
    explicit = parse_period({"start": dt.date(2013, 1, 1), "end": "2013-03-31"})
    assert explicit.describe() == "2013-01-01 to 2013-03-31"
    with pytest.raises(ProfileError):
        parse_period("2012-14")


def test_policies_and_board_restricted_default_marking():
    area = parse_area({"name": "Anytown", "disclosure": "board-restricted"})
    assert area.protective_marking.startswith("OFFICIAL-SENSITIVE")
    assert area.policy.minimum == 0 and area.policy.threshold == 0
    assert parse_area({"name": "Anytown"}).policy.minimum == 5  # one owner: disclose.policy


def test_profile_files(tmp_path):
    with pytest.raises(ProfileError, match=r"not found.*sscb init"):
        load_profile(tmp_path / "none.yml")
    path = tmp_path / "p.yml"
    path.write_text("clean: {}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="has no 'area:' block"):
        load_profile(path)
    path.write_text("area: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_profile(path)
    path.write_bytes(b"area: {name: \xff}\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_profile(path)


def test_known_keys_are_documented():
    """Every key an analysis may look up is in docs/profile.md's table (one owner, one list)."""
    text = (CONFIG.parent / "docs" / "profile.md").read_text(encoding="utf-8")
    for key in [*KNOWN_EVENTS, *KNOWN_CLAIMS, *KNOWN_REFERENCE_RATES]:
        assert f"`{key}`" in text, f"{key} is not in docs/profile.md"


def test_as_dict_is_plain_json():
    area = load_profile(SHIPPED)
    text = yaml.safe_dump(area.as_dict())  # no Python objects left
    assert "2012-06-01" in text and "python/" not in text


# --------------------------------------------------------------------------------- targets
def _targets(targets, tmp_path, dataset="data/raw/synthetic/indicators.csv"):
    from sscb_analysis.reporting.config import parse_config

    # a processed folder of its own: a dataset checked by an earlier run must not answer
    clean = {"processed_dir": str(tmp_path / "processed")}
    if dataset:
        clean["inputs"] = {"indicators": dataset}
    raw = {"area": {"name": "Anytown", "targets": targets}, "clean": clean}
    return parse_config(raw, tmp_path / "p.yml", check_la=False).profile


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (
            {"cpp_second_or_subsequent_shar": {"value": 15, "source": "x"}},
            r"not an indicator key: Did you mean cpp_second_or_subsequent_share\? Known keys: "
            r"the reports record .*; the board's dataset defines private_fostering",
        ),
        (
            {"training_attendence": {"value": 90, "source": "x"}},
            r"Did you mean training_attendance\?",
        ),
        (
            {"cpp_second_or_subsequent_share": {"value": 0.15, "source": "x"}},
            r"0\.15 is ambiguous: .* write 15 for 15%, or '0\.15%' if you mean 0\.15%",
        ),
        (
            {"cpp_second_or_subsequent_share": {"value": 150, "source": "x"}},
            r"150 is not a percentage",
        ),
        (
            {"private_fostering_notifications": {"value": "15%", "source": "x"}},
            r"written as a percentage, but the indicator is a count",
        ),
        (
            {"cpp_second_or_subsequent_share": {"value": 15, "source": "x", "direction": "higher"}},
            r"direction is higher, but lower is better",
        ),
        (
            {"section_20_entries_share": {"value": 25, "source": "x"}},
            r"no better direction \(neutral\), so no target can be judged",
        ),
        ({"cpp_second_or_subsequent_share": {"value": 15}}, r"\.source is missing"),
    ],
)
def test_targets_name_known_indicators_in_their_own_unit(targets, message, tmp_path):
    with pytest.raises(ProfileError, match=message):
        _targets(targets, tmp_path)


def test_good_targets_and_the_dataset_keys_they_need(tmp_path):
    area = _targets(
        {
            "cpp_second_or_subsequent_share": {"value": "0.5%", "source": "x"},
            "training_attendance": {"value": 90, "source": "the training plan"},
        },
        tmp_path,
    )
    assert area.target("cpp_second_or_subsequent_share").value == 0.5
    assert area.target("training_attendance").value == 90
    # without the dataset in the profile its keys are unknown; with its definitions missing,
    # the error says why they could not be checked
    with pytest.raises(ProfileError, match="not an indicator key"):
        _targets({"training_attendance": {"value": 90, "source": "x"}}, tmp_path, dataset=None)
    with pytest.raises(ProfileError, match="could not be read to check it"):
        _targets({"training_attendance": {"value": 90, "source": "x"}}, tmp_path, "none.csv")


def test_the_demonstration_target_is_the_seed_reports_own_yardstick():
    target = load_profile(SHIPPED).target("cpp_open_two_years_or_more")
    assert target.value == 3.2 and "section 5" in target.source and "table D5" in target.source
    # the England figure it cites, read straight from the published file
    table = pd.read_csv(DFE / "d5_cpps_at31march_by_duration_2013_to_2025.csv", dtype=str)
    england = table[(table["time_period"] == "2013") & (table["geographic_level"] == "National")]
    assert float(england["2_years_or_more_percent"].iloc[0]) == target.value


def test_every_headline_key_is_documented():
    text = (CONFIG.parent / "docs" / "profile.md").read_text(encoding="utf-8")
    for key in KNOWN_INDICATORS:
        assert f"`{key}`" in text, f"{key} is not in docs/profile.md"


def test_a_profile_given_relative_to_another_folder_is_read_by_its_absolute_path(
    tmp_path, monkeypatch
):
    """`sscb run --config p.yml` outside the project: the notebooks (started in notebooks/)
    must read the same file, so the config keeps its absolute path."""
    (tmp_path / "p.yml").write_text("area: {name: Anytown}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_config("p.yml").path == tmp_path / "p.yml"


IDENTIFIERS = {
    "nhs": "Team A (NHS no 943 476 5919)",
    "email": "ask jane.smith@example.org",
    "phone": "call 07700 900123",
    "postcode": "the family at SE1 7PB",
    "date_of_birth": "the child (DOB 03.03.2008)",
}
TEXT_FIELDS = {
    "name": ("name",),
    "region": ("region",),
    "protective_marking": ("protective_marking",),
    "events.label": ("events", "cpp_practice_review", "label"),
    "events.source": ("events", "cpp_practice_review", "source"),
    "claims.text": ("claims", "caf_improved", "text"),
    "claims.source": ("claims", "caf_improved", "source"),
    "reference_rates.label": ("reference_rates", "marac_repeat_rate", "label"),
    "reference_rates.source": ("reference_rates", "marac_repeat_rate", "source"),
    "targets.source": ("targets", "cpp_second_or_subsequent_share", "source"),
    "targets.label": ("targets", "cpp_second_or_subsequent_share", "label"),
}


@pytest.mark.parametrize("kind", list(IDENTIFIERS))
@pytest.mark.parametrize("field", list(TEXT_FIELDS))
def test_an_identifier_in_any_profile_text_is_refused_naming_the_field(field, kind):
    """The profile's words reach every board page: the cleaning stage's identifier scan runs
    on each, and the message names the field and never echoes the value."""
    raw = copy.deepcopy(GOOD)
    *parents, last = TEXT_FIELDS[field]
    target = raw
    for part in parents:
        target = target[part]
    value = IDENTIFIERS[kind]
    target[last] = value
    with pytest.raises(ProfileError) as err:
        parse_area(raw, check_la=False)
    message = str(err.value)
    assert f"area.{'.'.join(TEXT_FIELDS[field])}" in message and "value withheld" in message
    for piece in value.split():
        if any(ch.isdigit() for ch in piece) or "@" in piece:
            assert piece not in message


def test_dates_in_profile_text_are_events_not_dates_of_birth():
    raw = copy.deepcopy(GOOD)
    raw["events"]["cpp_practice_review"]["label"] = "the review of 3 March 2013"
    raw["claims"]["caf_improved"]["source"] = "survey published 01/06/2013, section 2012/13"
    area = parse_area(raw, check_la=False)
    assert area.event("cpp_practice_review").label == "the review of 3 March 2013"
    raw["claims"]["caf_improved"]["source"] = "a child born 01/06/2013"
    with pytest.raises(ProfileError, match=r"caf_improved\.source looks like it holds a date of"):
        parse_area(raw, check_la=False)


def test_a_mistaken_value_holding_an_identifier_is_not_echoed():
    raw = copy.deepcopy(GOOD)
    raw["claims"]["marac_risk_tool"] = {"value": "943 476 5919", "text": "t", "date": "2013-01-01"}
    with pytest.raises(ProfileError) as err:
        parse_area(raw, check_la=False)
    assert "marac_risk_tool" in str(err.value) and "943 476 5919" not in str(err.value)
    assert "value withheld (looks like an NHS number)" in str(err.value)
    raw = copy.deepcopy(GOOD)
    raw["events"]["cpp_practice_review"]["jane.smith@example.org"] = "x"
    with pytest.raises(ProfileError) as err:
        parse_area(raw, check_la=False)
    assert "unknown key" in str(err.value) and "jane.smith" not in str(err.value)

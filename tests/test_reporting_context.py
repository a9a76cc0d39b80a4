"""The report context: one frozen object, parameters checked in one place, the period resolved
once, synthetic decided by provenance (docs/profile.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sscb_analysis.paths import CONFIG, ROOT, SYNTHETIC
from sscb_analysis.provenance import (
    PROVENANCE_NAME,
    inputs_provenance,
    is_synthetic,
    provenance_of,
    write_provenance,
)
from sscb_analysis.reporting.context import (
    ContextError,
    InputInfo,
    build_context,
    load_context,
    notebook_values,
    report_context,
    write_run_context,
)
from sscb_analysis.reporting.errors import ConfigError
from sscb_analysis.reporting.period import (
    Coverage,
    PeriodError,
    coverage,
    latest_complete_year,
)


def write_profile(folder: Path, area: dict, **extra) -> Path:
    """A profile in ``folder`` reading the synthetic extracts (paths from the project root)."""
    raw = {
        "root": str(ROOT),
        "area": area,
        "clean": {
            "processed_dir": str(folder / "processed"),
            "inputs": {k: f"data/raw/synthetic/{k}.csv" for k in ("cpp", "caf", "marac")},
        },
        **extra,
    }
    path = folder / "profile.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


# ------------------------------------------------------------------------ the shipped profile
def test_default_context_is_the_demonstration_profile():
    ctx = load_context()
    assert ctx.area.name == "Southwark"
    assert (ctx.period_start, ctx.period_end) == (dt.date(2012, 4, 1), dt.date(2013, 3, 31))
    assert ctx.period_label == "2012-13" and ctx.period_basis == "given in the area profile"
    assert ctx.confidence_level == 0.95 and ctx.suppression_threshold == 5
    assert ctx.disclosure == "published" and ctx.protective_marking == "OFFICIAL"
    assert ctx.synthetic  # the synthetic extracts, by their provenance
    assert ctx.inputs["cpp"].generated_by == "sscb synth --seed 2013"
    assert ctx.profile_path == CONFIG / "reports.yml"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.confidence_level = 0.9  # type: ignore[misc]


def test_report_context_takes_notebook_parameters_as_they_are():
    ctx = report_context(
        "config/reports.yml", "", uses=("caf",), period_start="", period_end="", caf_path=""
    )
    assert ctx.period_label == "2012-13"
    assert set(ctx.inputs) == {"caf"} and ctx.synthetic
    other = report_context(
        "", None, period_start="2011-04-01", period_end="2012-03-31", confidence_level=0.9
    )
    assert other.period_label == "2011-12" and other.period_basis == "set for this report"
    assert other.confidence_level == 0.9


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"suppression_threshold": 0}, r"below the minimum of 5 for published pages"),
        ({"suppression_threshold": -1}, r"must be a whole number"),
        ({"suppression_threshold": 2.5}, r"must be a whole number"),
        ({"confidence_level": 95}, r"at least 0\.5 and below 1"),
        ({"confidence_level": "high"}, r"must be a number such as 0\.95"),
        ({"period_start": "2012-04-01"}, r"go together: give period_end too"),
        ({"period_start": "2013-04-01", "period_end": "2012-03-31"}, r"must be before"),
        ({"period_start": "1/4/2012", "period_end": "2013-03-31"}, r"period_start must be a date"),
        ({"area_name": "Anytown"}, r"unknown context parameter\(s\) area_name"),
        ({"cpp_path": "no/such.csv"}, r"cpp_path: file not found"),
    ],
)
def test_bad_parameters_are_refused_in_one_place(overrides, message):
    with pytest.raises(ContextError, match=message):
        load_context(**overrides)
    assert issubclass(ContextError, ConfigError)  # sscb run exits 2


def test_a_higher_threshold_is_allowed_and_board_restricted_may_show_counts(tmp_path):
    assert load_context(suppression_threshold=9).suppression_threshold == 9
    profile = write_profile(
        tmp_path, {"name": "Anytown", "disclosure": "board-restricted", "period": "2012-13"}
    )
    ctx = load_context(profile, suppression_threshold=0)
    assert ctx.suppression_threshold == 0
    assert ctx.protective_marking.startswith("OFFICIAL-SENSITIVE")
    assert load_context(profile).suppression_threshold == 0  # the policy's default


def test_profile_parameters_feed_the_context(tmp_path):
    profile = write_profile(
        tmp_path, {"name": "Anytown", "period": "2012-13"}, parameters={"confidence_level": 0.9}
    )
    assert load_context(profile).confidence_level == 0.9
    assert load_context(profile, confidence_level=0.99).confidence_level == 0.99


def test_a_config_without_area_is_refused(tmp_path):
    path = tmp_path / "old.yml"
    path.write_text(yaml.safe_dump({"parameters": {"period_start": "2012-04-01"}}))
    with pytest.raises(ContextError, match=r"has no 'area:' block.*sscb init"):
        load_context(path)


# ------------------------------------------------------------------------------- the period
def _cov(kind: str, first: str, last: str, skip: tuple[str, ...] = ()) -> Coverage:
    months = pd.period_range(first, last, freq="M")
    kept = frozenset((p.year, p.month) for p in months if str(p) not in skip)
    return Coverage(kind, kept, pd.Period(last, freq="D").to_timestamp().date())


def test_latest_complete_year_rules():
    # data from April 2010 to 31 March 2014: the latest complete year is 2013-14
    full = {"cpp": _cov("cpp", "2010-04-01", "2014-03-31")}
    assert latest_complete_year(full) == (dt.date(2013, 4, 1), dt.date(2014, 3, 31))
    # an extract taken on 15 March 2014 does not complete 2013-14
    early = {"cpp": _cov("cpp", "2010-04-01", "2014-03-15")}
    assert latest_complete_year(early) == (dt.date(2012, 4, 1), dt.date(2013, 3, 31))
    # a month without any date in one extract: that year is not complete in the run
    gap = {**full, "marac": _cov("marac", "2010-04-01", "2014-04-10", skip=("2013-08",))}
    assert latest_complete_year(gap)[1] == dt.date(2013, 3, 31)
    # data from June 2012 only: 2012-13 is not complete, 2013-14 is
    late = {"caf": _cov("caf", "2012-06-01", "2014-05-02")}
    assert latest_complete_year(late)[1] == dt.date(2014, 3, 31)


def test_no_complete_year_is_a_sentence_naming_the_months():
    short = {"cpp": _cov("cpp", "2013-06-01", "2014-02-20", skip=("2013-09",))}
    with pytest.raises(PeriodError) as info:
        latest_complete_year(short)
    text = str(info.value)
    assert "2013-14" in text and "ends on 20 February 2014" in text
    assert "April 2013" in text and "period: 2012-13" in text
    with pytest.raises(PeriodError, match="holds no dates"):
        latest_complete_year({"cpp": Coverage("cpp", frozenset(), None)})
    with pytest.raises(PeriodError, match="has no extract"):
        latest_complete_year({})


def test_coverage_reads_every_date_column_of_the_spec():
    frame = pd.DataFrame(
        {
            "plan_start_date": pd.to_datetime(["2012-04-03", "2012-05-01"]),
            "plan_end_date": pd.to_datetime(["2013-03-31", None]),
            "team": ["A", "B"],
        }
    )
    cov = coverage("cpp", frame)
    assert cov.last == dt.date(2013, 3, 31)
    assert cov.months == {(2012, 4), (2012, 5), (2013, 3)}


def test_period_latest_from_the_synthetic_data(tmp_path):
    profile = write_profile(tmp_path, {"name": "Tower Hamlets", "la_code": 211})
    ctx = load_context(profile)
    assert ctx.period_label == "2013-14"  # the synthetic extracts run to 31 March 2014
    assert ctx.period_basis == "the latest complete reporting year in the data"
    assert ctx.area.region == "Inner London"


def test_a_period_outside_the_data_is_refused_not_a_page_of_zeros():
    # an analyst's `papermill ... -p period_start 2030-04-01 -p period_end 2031-03-31` used to
    # give a page of zero counts for every quarter, with no word that the extract holds nothing
    with pytest.raises(
        ContextError, match=r"lies outside the cpp extract cpp\.(csv|parquet): .*March 2007"
    ):
        report_context(
            "config/reports.yml", "", uses=["cpp"], period_start="2030-04-01",
            period_end="2031-03-31",
        )  # fmt: skip


def test_a_period_the_data_only_partly_cover_is_flagged_on_the_page():
    ctx = report_context(
        "config/reports.yml", "", uses=["marac"], period_start="2013-04-01",
        period_end="2015-03-31",
    )  # fmt: skip
    (note,) = ctx.notes()
    assert note.startswith("The MARAC extract covers only part of the period under review")
    assert "April 2010 to 10 April 2014" in note
    # inside the data: nothing to say; the context without a page's `uses` is not checked
    assert report_context("config/reports.yml", "", uses=["cpp", "caf", "marac"]).notes() == []


# ------------------------------------------------------------------------- the run's context
def test_run_context_is_what_every_page_of_the_run_gets(tmp_path):
    profile = write_profile(tmp_path, {"name": "Tower Hamlets", "la_code": 211})
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    from sscb_analysis.reporting.config import load_config

    stale = InputInfo("marac", str(SYNTHETIC / "marac.csv"), True, None, True, dt.date(2013, 4, 2))
    inputs = {"cpp": InputInfo("cpp", str(SYNTHETIC / "cpp.csv"), True), "marac": stale}
    ctx = build_context(load_config(profile), inputs=inputs, run_dir=run_dir)
    write_run_context(run_dir, ctx)
    data = json.loads((run_dir / "context.json").read_text())
    assert data["period_label"] == ctx.period_label and data["synthetic"] is True

    page = report_context(str(profile), str(run_dir), uses=("marac",))
    assert (page.period_start, page.period_end) == (ctx.period_start, ctx.period_end)
    assert page.inputs["marac"].not_updated_since == dt.date(2013, 4, 2)
    (note,) = page.notes()
    assert "not updated since 2 April 2013" in note and "MARAC" in note
    assert report_context(str(profile), str(run_dir), uses=("cpp",)).notes() == []
    with pytest.raises(ContextError, match="needs the caf extract"):
        page.path("caf")

    # another profile than the run's, or the profile edited mid-run: refused
    with pytest.raises(ContextError, match="this run used the profile"):
        report_context("config/reports.yml", str(run_dir))
    profile.write_text(profile.read_text() + "\n# edited\n")
    with pytest.raises(ContextError, match="changed after this run started"):
        report_context(str(profile), str(run_dir))


def test_the_board_dataset_travels_in_the_run_context(tmp_path):
    from sscb_analysis.reporting.config import load_config

    profile = write_profile(tmp_path, {"name": "Anytown", "period": "2012-13"})
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    stale = InputInfo(
        "indicators", str(tmp_path / "indicators.json"), True, None, True, dt.date(2013, 5, 1)
    )
    ctx = build_context(load_config(profile), inputs={}, run_dir=run_dir, dataset=stale)
    write_run_context(run_dir, ctx)
    assert json.loads((run_dir / "context.json").read_text())["dataset"]["optional"] is True
    page = report_context(str(profile), str(run_dir), uses=("indicators",))
    assert page.dataset == stale and page.synthetic
    (note,) = page.notes()
    assert note.startswith("The board dataset (indicators.csv) figures were not updated")
    assert "not updated since 1 May 2013" in note
    # a page that does not read the dataset neither carries it nor its flag or note
    other = report_context(str(profile), str(run_dir), uses=("cpp",))
    assert other.dataset is None and other.notes() == [] and not other.synthetic
    with pytest.raises(ContextError, match=r"kinds are .*indicators"):
        report_context(str(profile), str(run_dir), uses=("indicator",))
    # optional and never checked: a sentence instead of a path
    absent = InputInfo("indicators", None, optional=True)
    assert "left out of this run" in absent.note


def test_notebook_values_bridge_the_old_parameters():
    values = notebook_values(load_context())
    assert values["area_name"] == "Southwark" and values["la_code"] == 210
    assert values["year"] == 2013 and values["intervention_date"] == "2012-06-01"
    assert values["main_tool"] == "barnardos" and values["tool_change_date"] == "2012-01-01"
    assert values["national_repeat_rate"] == 0.31
    assert (values["reported_very_satisfied"], values["reported_improved"]) == (0.92, 0.66)
    assert (values["compare_first"], values["compare_last"]) == ("2012Q1", "2012Q4")


def test_notebook_values_are_none_where_the_profile_holds_nothing(tmp_path):
    profile = write_profile(tmp_path, {"name": "Anytown", "period": "2014-15"})
    values = notebook_values(load_context(profile))
    assert values["area_name"] == "Anytown" and values["year"] == 2015
    for name in ("la_code", "intervention_date", "national_repeat_rate", "reported_improved"):
        assert values[name] is None, name


# -------------------------------------------------------------------------------- provenance
def test_provenance_follows_the_bytes_not_the_name(tmp_path):
    assert is_synthetic(SYNTHETIC / "cpp.csv")
    assert (
        provenance_of(SYNTHETIC / "messy" / "cpp.csv").command == "sscb synth --seed 2013 --messy"
    )
    # the same bytes elsewhere, without the generator's sidecar: not known to be synthetic
    copy = tmp_path / "synthetic" / "cpp.csv"
    copy.parent.mkdir()
    shutil.copy(SYNTHETIC / "cpp.csv", copy)
    assert not is_synthetic(copy)
    # a real export dropped over a generated file keeps nothing of the marker
    folder = tmp_path / "gen"
    folder.mkdir()
    made = folder / "cpp.csv"
    made.write_text("child_id\nC1\n")
    write_provenance(folder, [made], "sscb synth --seed 7")
    assert is_synthetic(made)
    # renamed in its folder (an analyst's "cpp_2013.csv"), the generator's bytes stay synthetic
    renamed = made.rename(folder / "cpp_2013.csv")
    assert is_synthetic(renamed)
    renamed.rename(made)
    made.write_text("child_id\nC2\n")
    assert not is_synthetic(made)
    # a sidecar not written by the generator counts for nothing
    (folder / PROVENANCE_NAME).write_text(json.dumps({"files": {"cpp.csv": "x"}}))
    assert not is_synthetic(made)


def test_processed_data_keep_the_provenance_of_their_inputs(tmp_path):
    parquet = tmp_path / "cpp.parquet"
    parquet.write_bytes(b"")
    summary = tmp_path / "cpp_summary.json"
    summary.write_text(json.dumps({"provenance": inputs_provenance([SYNTHETIC / "cpp.csv"])}))
    assert provenance_of(parquet).synthetic
    summary.write_text(json.dumps({"provenance": {"synthetic": False}}))
    assert not provenance_of(parquet).synthetic
    # an older summary: the inputs it names, checked against their sidecar
    summary.write_text(json.dumps({"source_file": str(SYNTHETIC / "caf.csv")}))
    assert provenance_of(parquet).synthetic
    summary.write_text("not json")
    assert not provenance_of(parquet).synthetic

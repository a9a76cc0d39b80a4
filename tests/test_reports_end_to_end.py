"""The real report set end to end, as a scheduled run makes it.

Two runs, each executed once and shared by the tests that inspect it: the demonstration profile
(``config/reports.yml``, one ``run_reports`` shared by this module) and another authority's
profile written by ``sscb init`` on synthetic extracts of another seed (``other_area_run``, a
session fixture in conftest.py). No test here executes a notebook on its own: another period,
another authority and an unknown code are covered by the other area's run and the profile's
checks, tiny extracts by test_reports_disclosure.py, the messy extracts by the demonstration's
own entry and test_analyses_quality.py. Every assertion is about what a board member or a
dashboard would see.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from sscb_analysis.reporting.checks import find_unsuppressed_small_counts
from sscb_analysis.reporting.config import STANDARD_NOTEBOOKS, load_config
from sscb_analysis.reporting.render import SYNTHETIC_BANNER_TEXT
from sscb_analysis.reporting.runner import run_reports

pytestmark = pytest.mark.slow

THRESHOLD = 5


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """Every configured notebook, with cleaned data and reports written under a temporary folder."""
    tmp = tmp_path_factory.mktemp("reports_e2e")
    config = load_config()
    processed = tmp / "processed"
    config = dataclasses.replace(config, processed_dir=processed, out=tmp / "reports")
    result = run_reports(config, progress=False)
    return config, result


def _figures(run_dir: Path, name: str) -> dict:
    payload = json.loads((run_dir / f"{name}.json").read_text(encoding="utf-8"))
    return {key: entry["value"] for key, entry in payload["figures"].items()}


def test_every_notebook_succeeds_and_latest_points_at_the_run(default_run):
    config, result = default_run
    assert result.exit_code == 0, [(o.name, o.status, o.error) for o in result.notebooks]
    assert {o.name for o in result.notebooks} == {e.name for e in config.entries}
    latest = config.out / "latest"
    assert latest.resolve() == result.run_dir.resolve()
    assert (config.out / "index.html").is_file()


@pytest.mark.parametrize(
    "name",
    [
        "00_data_quality",
        "00_data_quality_messy",
        "01_cpp_repeat_plans",
        "02_cpp_duration",
        "03_caf",
        "04_marac",
        "05_board_summary",
        "06_national_benchmark",
    ],
)
def test_board_page_is_safe_and_self_contained(default_run, name):
    _, result = default_run
    board = (result.run_dir / f"{name}.html").read_text(encoding="utf-8")
    assert 'class="jp-InputPrompt' not in board, "code reached the board page"
    assert "celltag_parameters" not in board and "injected-parameters" not in board
    assert SYNTHETIC_BANNER_TEXT in board
    small = find_unsuppressed_small_counts(board, THRESHOLD)
    assert small == [], f"unsuppressed small counts in {name}: {small[:5]}"
    images = re.findall(r"<img[^>]+src=\"([^\"]+)\"", board)
    assert all(src.startswith("data:image/") for src in images), "a figure is not embedded"
    assert not re.search(r"<script[^>]+src=\"https?://", board), "the page loads a remote script"


@pytest.mark.parametrize(
    "name",
    ["01_cpp_repeat_plans", "02_cpp_duration", "03_caf", "04_marac", "06_national_benchmark"],
)
def test_analysis_pages_carry_charts(default_run, name):
    _, result = default_run
    board = (result.run_dir / f"{name}.html").read_text(encoding="utf-8")
    assert re.search(r"<img[^>]+src=\"data:image/png;base64,", board), f"{name} has no chart"


def test_headline_figures_reach_the_json(default_run):
    _, result = default_run
    repeats = _figures(result.run_dir, "01_cpp_repeat_plans")
    assert repeats["repeat_first_quarter"] == "24"
    assert repeats["repeat_last_quarter"] == "c"  # 4 children: suppressed
    assert repeats["repeat_comparison_significant"] is True
    assert repeats["repeat_spc_variation"] == "special cause improvement"
    caf = _figures(result.run_dir, "03_caf")
    assert caf["caf_period"] == "2012-13"
    assert caf["caf_very_satisfied_lower"] < 0.92 < caf["caf_very_satisfied_upper"]
    marac = _figures(result.run_dir, "04_marac")
    assert marac["marac_no_tool_after"] < marac["marac_no_tool_before"]
    messy = _figures(result.run_dir, "00_data_quality_messy")
    for kind in ("cpp", "caf", "marac"):
        assert messy[f"{kind}_refused"] is False  # identifier columns dropped by the config
        assert messy[f"{kind}_balanced"] is True  # every row accounted for
        # the injected defects were found; CPP's clean rows are hidden (its set-aside rows are
        # c), so its share is recorded as the page says it, to a whole percent
        assert messy[f"{kind}_share_clean"] < 1.0
    assert messy["cpp_share_clean"] == 0.99 and messy["cpp_share_clean_words"] == "about 99%"
    board = _figures(result.run_dir, "05_board_summary")
    assert board["reports_missing"] == []
    assert board["data_are_synthetic"] is True
    national = _figures(result.run_dir, "06_national_benchmark")
    assert national["la_second_or_subsequent_pct"] == pytest.approx(16.8)


def test_every_recorded_headline_is_a_known_indicator(default_run):
    """Targets are checked against KNOWN_INDICATORS: it must hold what the reports record."""
    from sscb_analysis.reporting.profile import KNOWN_INDICATORS

    _, result = default_run
    seen = set()
    for outcome in result.notebooks:
        for h in _figures(result.run_dir, outcome.name).get("headlines") or []:
            unit, better, report = KNOWN_INDICATORS[h["key"]]
            assert h["report"] == report, h["key"]
            assert h.get("unit") in (None, unit) and h.get("better") in (None, better), h["key"]
            seen.add(h["key"])
    assert seen == set(KNOWN_INDICATORS)
    # the demonstration's one target (section 5's yardstick) reaches the scorecard, not judged
    summary = _figures(result.run_dir, "05_board_summary")
    row = summary["scorecard_cpp_open_two_years_or_more"]
    assert row["assurance"] == "Target 3.2%: not judged (its report records no process limits)"


def test_manifest_records_inputs_and_statuses(default_run):
    _, result = default_run
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {nb["status"] for nb in manifest["notebooks"]} == {"ok"}
    hashes = manifest["inputs"]
    assert any(path.endswith("cpp.csv") for path in hashes)
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in hashes.values())


def test_national_benchmark_for_another_authority(other_area_run):
    """Tower Hamlets (211) in the shared run of another area: 06 is not tied to Southwark."""
    _, result = other_area_run
    figures = _figures(result.run_dir, "06_national_benchmark")
    assert figures["la_code"] == "211"
    assert figures["la_name"] == "Tower Hamlets"
    assert figures["period"] == "2013-14"
    assert figures["funnel_position"] in {
        "within",
        "above 95%",
        "below 95%",
        "above 99.8%",
        "below 99.8%",
    }


def test_caf_page_for_another_year(other_area_run):
    """The caf page of the other area reports 2013-14 on the seed-7 survey answers."""
    _, result = other_area_run
    figures = _figures(result.run_dir, "03_caf")
    assert figures["caf_period"] == "2013-14"
    raw = json.loads((result.run_dir / "context.json").read_text(encoding="utf-8"))
    processed = Path(raw["inputs"]["caf"]["path"])
    caf = pd.read_parquet(processed)
    in_year = caf["survey_date"].between("2013-04-01", "2014-03-31") & caf["satisfaction"].notna()
    assert figures["caf_responses_base"] == int(in_year.sum())


# --- another authority: `sscb init`, synthetic extracts of another seed, one shared run -------

# What only the demonstration profile holds: none of it may reach another area's board pages.
DEMONSTRATION_ONLY = (
    "Southwark",
    "June 2012",
    "January 2012",
    "practice review",
    "very satisfied with their experience",
    "seen improvements in the issues",
    "24 children",
    "SafeLives national repeat",
)


def _board_pages(run_dir: Path) -> dict[str, str]:
    return {
        p.stem: p.read_text(encoding="utf-8")
        for p in sorted(run_dir.glob("*.html"))
        if not p.stem.endswith("-analyst")
    }


def test_other_area_profile_holds_no_demonstration_claim(other_area_run):
    profile, result = other_area_run
    context = json.loads((result.run_dir / "context.json").read_text(encoding="utf-8"))
    area = context["area"]
    assert area["name"] == "Tower Hamlets" and area["la_code"] == "211"
    assert area["events"] == {} and area["claims"] == {} and area["reference_rates"] == {}
    assert context["period_label"] == "2013-14"  # latest complete year of the seed-7 extracts
    assert context["period_basis"] == "the latest complete reporting year in the data"
    assert context["synthetic"] is True  # by provenance: the generator's sidecar, seed 7
    assert {i["generated_by"] for i in context["inputs"].values()} == {"sscb synth --seed 7"}
    assert "Southwark" not in profile.read_text(encoding="utf-8")


def test_other_area_run_succeeds(other_area_run):
    _, result = other_area_run
    assert result.exit_code == 0, [(o.name, o.status, o.error) for o in result.notebooks]
    assert {o.name for o in result.notebooks} == {e["name"] for e in STANDARD_NOTEBOOKS}


def test_no_board_page_mentions_the_demonstration_area(other_area_run):
    _, result = other_area_run
    pages = _board_pages(result.run_dir)
    assert len(pages) == len(result.notebooks), "every report has a board page"
    found = {
        name: [claim for claim in DEMONSTRATION_ONLY if claim.lower() in text.lower()]
        for name, text in pages.items()
    }
    assert {k: v for k, v in found.items() if v} == {}


def test_every_page_states_the_same_period(other_area_run):
    _, result = other_area_run
    context = json.loads((result.run_dir / "context.json").read_text(encoding="utf-8"))
    label = context["period_label"]
    pages = _board_pages(result.run_dir)
    assert pages and all(label in text for text in pages.values()), [
        name for name, text in pages.items() if label not in text
    ]
    for outcome in result.notebooks:
        figures = _figures(result.run_dir, outcome.name)
        # every figure named like a period that holds a reporting year (not a count of the
        # period's assessments, such as caf_assessments_period) is the run's
        periods = {
            k: v
            for k, v in figures.items()
            if k.endswith("period") and isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}", v)
        }
        assert all(v == label for v in periods.values()), (outcome.name, periods)
    assert _figures(result.run_dir, "07_board_indicators")["indicators_period"] == label


def test_summary_figures_equal_the_recorded_ones(other_area_run):
    _, result = other_area_run
    recorded = {}
    for outcome in result.notebooks:
        if outcome.name == "05_board_summary":
            continue
        for headline in _figures(result.run_dir, outcome.name).get("headlines") or []:
            recorded[headline["key"]] = headline
    summary = {
        key.removeprefix("scorecard_"): value
        for key, value in _figures(result.run_dir, "05_board_summary").items()
        if key.startswith("scorecard_") and isinstance(value, dict)
    }
    shared = recorded.keys() & summary.keys()
    assert shared, "the summary shows no headline the reports recorded"
    for key in shared:
        assert summary[key]["value"] == recorded[key]["value"], key
        assert summary[key]["interval"] == recorded[key]["interval"], key


def test_the_other_areas_board_dataset_is_its_own(other_area_run):
    """The dataset comes from the area's profile (seed 7's files), never the demonstration's."""
    _, result = other_area_run
    context = json.loads((result.run_dir / "context.json").read_text(encoding="utf-8"))
    dataset = context["dataset"]
    assert dataset["generated_by"] == "sscb synth --seed 7" and dataset["synthetic"] is True
    assert Path(dataset["path"]).name == "indicators.json"
    assert Path(dataset["path"]).parent == Path(context["inputs"]["cpp"]["path"]).parent
    page = _figures(result.run_dir, "07_board_indicators")
    assert page["indicators_period"] == "2013-14" and page["data_are_synthetic"] is True
    assert page["indicators_rows_read"] > 0
    board = (result.run_dir / "07_board_indicators.html").read_text(encoding="utf-8")
    assert "Its series covers" in board and "to Jan to Mar 2014" in board
    summary = _figures(result.run_dir, "05_board_summary")
    assert "scorecard_private_fostering_notifications" in summary

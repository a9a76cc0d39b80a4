"""The real report set end to end, as a scheduled run makes it and as the board reads it.

Each notebook executes once per test session besides nbval (issue 11, docs/decisions.md):

- **the demonstration** (Southwark 2012/13, ``config/reports.yml``) is checked on its committed
  notebooks, rendered as ``sscb run`` renders them but not executed again (the session's
  ``board_pages``): nbval, in the same session, replays every committed notebook and fails when a
  stored output is not what the library now gives, so these are the pages a run would write. Its
  messy-data entry (the 00 notebook on ``--messy`` extracts) is checked on the figures the
  notebook records, built by the same library calls in this process;
- **another authority** (``other_area_run`` in conftest.py: ``sscb init`` for Tower Hamlets,
  synthetic extracts of another seed) is the one real ``sscb run``: every notebook through
  papermill, the figures JSON, the manifest, ``latest``, the index and the PDF pack.

Tiny extracts are run by test_reports_disclosure.py. Every assertion is about what a board
member or a dashboard would see.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sscb_analysis.analyses import marac, quality
from sscb_analysis.analyses.common import policy_of
from sscb_analysis.data import load_extract
from sscb_analysis.disclose import disclose_page, disclosure_policy
from sscb_analysis.paths import NOTEBOOKS
from sscb_analysis.reporting.checks import (
    find_small_counts_in_figures,
    find_unsuppressed_small_counts,
)
from sscb_analysis.reporting.config import STANDARD_NOTEBOOKS, load_config
from sscb_analysis.reporting.context import report_context
from sscb_analysis.reporting.pdf import PACK_NAME
from sscb_analysis.reporting.render import SYNTHETIC_BANNER_TEXT

pytestmark = pytest.mark.slow

THRESHOLD = 5
COMMITTED = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
ANALYSIS_PAGES = ["01_cpp_repeat_plans", "02_cpp_duration", "03_caf", "04_marac"]


def _figures(run_dir: Path, name: str) -> dict:
    payload = json.loads((run_dir / f"{name}.json").read_text(encoding="utf-8"))
    return {key: entry["value"] for key, entry in payload["figures"].items()}


def _text(page: str) -> str:
    """What a reader of the page sees, as one line of words."""
    return " ".join(BeautifulSoup(page, "html.parser").get_text(" ").split())


def _board_pages(run_dir: Path) -> dict[str, str]:
    return {
        p.stem: p.read_text(encoding="utf-8")
        for p in sorted(run_dir.glob("*.html"))
        if not p.stem.endswith("-analyst")
    }


def assert_safe_and_self_contained(name: str, board: str) -> None:
    """No code, no parameters, the banner, no small count, figures embedded, no remote script."""
    assert 'class="jp-InputPrompt' not in board, f"code reached the board page {name}"
    assert "celltag_parameters" not in board and "injected-parameters" not in board
    assert SYNTHETIC_BANNER_TEXT in board
    small = find_unsuppressed_small_counts(board, THRESHOLD)
    assert small == [], f"unsuppressed small counts in {name}: {small[:5]}"
    images = re.findall(r"<img[^>]+src=\"([^\"]+)\"", board)
    assert all(src.startswith("data:image/") for src in images), "a figure is not embedded"
    assert not re.search(r"<script[^>]+src=\"https?://", board), "the page loads a remote script"


# --- the demonstration: committed notebooks (nbval-verified outputs) rendered as a run would ----


@pytest.fixture(scope="module")
def demonstration(board_pages: Path) -> dict[str, str]:
    return {name: (board_pages / f"{name}.html").read_text(encoding="utf-8") for name in COMMITTED}


@pytest.mark.parametrize("name", COMMITTED)
def test_board_page_is_safe_and_self_contained(demonstration, name):
    assert_safe_and_self_contained(name, demonstration[name])


@pytest.mark.parametrize("name", [*ANALYSIS_PAGES, "06_national_benchmark"])
def test_analysis_pages_carry_charts(demonstration, name):
    board = demonstration[name]
    assert re.search(r"<img[^>]+src=\"data:image/png;base64,", board), f"{name} has no chart"


def test_the_demonstration_headlines_as_the_board_reads_them(demonstration):
    """The figures of Southwark's 2012/13 report, on the synthetic data, as its pages say them."""
    repeats = _text(demonstration["01_cpp_repeat_plans"])
    # 24 children in the first quarter of 2012; 4 in the last, so suppressed
    assert "were 24 in Jan-Mar 2012 and between 1 and 5 in Oct-Dec 2012" in repeats
    assert "it is statistically significant at the 95% level" in repeats
    # Jan-Mar 2013's repeats are small, so its point is c and no signal is read from it
    assert "(Jan-Mar 2013) is drawn as c, so the chart's reading of it is not given" in repeats
    assert "Quarters signalling improvement (lower than usual): Jul-Sep 2011" in repeats
    caf = _text(demonstration["03_caf"])
    assert "very satisfied with their experience" in caf  # the claim, from the profile
    assert "The published 92% is inside that range" in caf
    marac = _text(demonstration["04_marac"])
    fell = re.search(r"no risk tool recorded fell from ([\d.]+)% to ([\d.]+)%", marac)
    assert fell and float(fell.group(2)) < float(fell.group(1))
    national = _text(demonstration["06_national_benchmark"])
    table = national.split("Second or subsequent child protection plans Southwark", 1)[1]
    assert re.search(r"Year 2012-13 16\.8% ", table)


def test_messy_entry_figures_as_the_notebook_records_them():
    """The messy-data entry of the demonstration profile: its parameters from the config, its
    figures built as 00_data_quality builds them (compute, one disclosure pass, words.figures)."""
    config = load_config()
    entry = config.entry("00_data_quality_messy")
    params = config.parameters_for(entry)
    paths = {kind: Path(params[f"{kind}_path"]) for kind in ("cpp", "caf", "marac")}
    policy = disclosure_policy()
    facts = quality.compute.compute(paths, params["drop_columns"], max(policy.threshold, 1))
    messy = quality.words.figures(disclose_page(facts, policy))
    for kind in ("cpp", "caf", "marac"):
        assert messy[f"{kind}_refused"] is False  # identifier columns dropped by the config
        assert messy[f"{kind}_balanced"] is True  # every row accounted for
        # the injected defects were found; CPP's clean rows are hidden (its set-aside rows are
        # c), so its share is recorded as the page says it, to a whole percent
        assert messy[f"{kind}_share_clean"] < 1.0
    assert messy["cpp_share_clean"] == 0.99 and messy["cpp_share_clean_words"] == "about 99%"
    assert find_small_counts_in_figures(messy, THRESHOLD) == []


# --- another authority: the one real `sscb run` ----------------------------------------------


def test_every_notebook_succeeds_and_latest_points_at_the_run(other_area_run):
    _, result = other_area_run
    assert result.exit_code == 0, [(o.name, o.status, o.error) for o in result.notebooks]
    assert {o.name for o in result.notebooks} == {e["name"] for e in STANDARD_NOTEBOOKS}
    out = result.run_dir.parent
    assert (out / "latest").resolve() == result.run_dir.resolve()
    assert (out / "index.html").is_file()
    assert (result.run_dir / PACK_NAME).read_bytes().startswith(b"%PDF-")


def test_other_area_board_pages_are_safe_and_self_contained(other_area_run):
    _, result = other_area_run
    pages = _board_pages(result.run_dir)
    assert set(pages) == {o.name for o in result.notebooks}
    for name, board in pages.items():
        assert_safe_and_self_contained(name, board)
    for name in ANALYSIS_PAGES:
        assert re.search(r"<img[^>]+src=\"data:image/png;base64,", pages[name]), name


def test_other_area_figures_reach_the_json_and_give_back_no_small_count(other_area_run):
    _, result = other_area_run
    for outcome in result.notebooks:
        payload = json.loads((result.run_dir / f"{outcome.name}.json").read_text("utf-8"))
        assert payload["status"] == "ok" and payload["figures"], outcome.name
        leaks = find_small_counts_in_figures(payload, THRESHOLD)
        assert leaks == [], f"{outcome.name}: {leaks[:5]}"
    board = _figures(result.run_dir, "05_board_summary")
    assert board["reports_missing"] == []
    assert board["data_are_synthetic"] is True


def _check_known(headline: dict, known) -> str:
    unit, better, report = known[headline["key"]]
    assert headline["report"] == report, headline["key"]
    assert headline.get("unit") in (None, unit), headline["key"]
    assert headline.get("better") in (None, better), headline["key"]
    # "Likely range" is the interval of the value in "Latest", never of another quantity (a
    # change belongs to the direction of travel).
    estimate, lower, upper = (headline.get(k) for k in ("estimate", "lower", "upper"))
    if None not in (estimate, lower, upper):
        assert lower <= estimate <= upper, headline["key"]
    assert "change" not in headline["interval"], headline["key"]
    # The scorecard prints the period under the name: the name does not repeat it.
    if headline.get("period"):
        assert headline["period"] not in headline["label"], headline["key"]
    return headline["key"]


def test_every_recorded_headline_is_a_known_indicator(other_area_run):
    """Targets are checked against KNOWN_INDICATORS: it must hold what the reports record.

    The other area's run records every headline but the MARAC audit's, which only a profile
    naming an audit gets: that one is checked on the demonstration's, built as 04 builds it.
    """
    from sscb_analysis.reporting.profile import KNOWN_INDICATORS

    _, result = other_area_run
    seen = {
        _check_known(h, KNOWN_INDICATORS)
        for outcome in result.notebooks
        for h in _figures(result.run_dir, outcome.name).get("headlines") or []
    }
    audit_only = {"marac_no_risk_tool"}
    assert seen == set(KNOWN_INDICATORS) - audit_only
    ctx = report_context("", "", uses=["marac"])  # the demonstration profile
    page = marac.page(
        load_extract("marac", ctx.path("marac")),
        ctx.period_start,
        ctx.period_end,
        policy=policy_of(ctx),
        period_label=ctx.period_label,
        reference_rate=ctx.area.reference_rate("marac_repeat_rate"),
        risk_tool_claim=ctx.area.claim("marac_risk_tool"),
        confidence_level=ctx.confidence_level,
    )
    demonstration = {
        _check_known(dataclasses.asdict(h), KNOWN_INDICATORS) for h in marac.words.headlines(page)
    }
    assert audit_only <= demonstration
    # the area's one target reaches the scorecard, not judged
    summary = _figures(result.run_dir, "05_board_summary")
    row = summary["scorecard_cpp_open_two_years_or_more"]
    assert row["assurance"] == "Target 3.2%: not judged (its report records no process limits)"
    # the demonstration's one target (section 5's yardstick) is a known indicator's, with a source
    from sscb_analysis.reporting.config import load_config

    (target,) = load_config().profile.targets.values()
    assert target.key == "cpp_open_two_years_or_more" and target.value == 3.2
    assert target.source


def test_manifest_records_inputs_and_statuses(other_area_run):
    _, result = other_area_run
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

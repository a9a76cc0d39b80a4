"""The real report set on the built-in synthetic data, end to end, as a scheduled run makes it.

One ``run_reports`` of every notebook in ``config/reports.yml`` is shared by the module (about
30 s); its outputs go to a temporary folder. Further tests run single notebooks through papermill
with other parameters (another period, a messy extract, a tiny extract) and read the figures they
record. Every assertion is about what a board member or a dashboard would see.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from sscb_analysis.paths import NOTEBOOKS, ROOT, SYNTHETIC
from sscb_analysis.reporting.checks import find_unsuppressed_small_counts
from sscb_analysis.reporting.config import load_config
from sscb_analysis.reporting.figures import RECORD_PATH_ENV
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


def test_manifest_records_inputs_and_statuses(default_run):
    _, result = default_run
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {nb["status"] for nb in manifest["notebooks"]} == {"ok"}
    hashes = manifest["inputs"]
    assert any(path.endswith("cpp.csv") for path in hashes)
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in hashes.values())


def _run_notebook(name: str, tmp_path: Path, monkeypatch, **parameters) -> dict:
    """Execute one notebook with papermill and return the figures it recorded."""
    record = tmp_path / f"{name}.json"
    monkeypatch.setenv(RECORD_PATH_ENV, str(record))
    pm.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(tmp_path / f"{name}.ipynb"),
        parameters=parameters,
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        execution_timeout=300,
    )
    return _figures(tmp_path, name)


def test_caf_notebook_for_another_year(tmp_path, monkeypatch):
    figures = _run_notebook(
        "03_caf", tmp_path, monkeypatch, period_start="2011-04-01", period_end="2012-03-31"
    )
    assert figures["caf_period"] == "2011-12"
    caf = pd.read_csv(SYNTHETIC / "caf.csv", dtype=str)
    surveyed = pd.to_datetime(caf["survey_date"], format="%d/%m/%Y")
    in_year = surveyed.between("2011-04-01", "2012-03-31") & caf["satisfaction"].notna()
    assert figures["caf_responses_base"] == int(in_year.sum())


def test_data_quality_notebook_reports_a_refused_messy_extract(tmp_path, monkeypatch):
    messy = SYNTHETIC / "messy"
    figures = _run_notebook(
        "00_data_quality",
        tmp_path,
        monkeypatch,
        cpp_path=str(messy / "cpp.csv"),
        caf_path=str(messy / "caf.csv"),
        marac_path=str(messy / "marac.csv"),
    )
    assert figures["cpp_refused"] is True
    assert figures["caf_refused"] is True


def test_tiny_extract_forces_suppression(tmp_path, monkeypatch):
    """A handful of plans: every small count is hidden, and the notebook still runs."""
    cpp = pd.read_csv(SYNTHETIC / "cpp.csv", dtype=str)
    start = pd.to_datetime(cpp["plan_start_date"], format="%d/%m/%Y")
    tiny = cpp[start.between("2011-01-01", "2013-03-31")].groupby(start.dt.to_period("Q")).head(6)
    path = tmp_path / "tiny_cpp.csv"
    tiny.to_csv(path, index=False)
    figures = _run_notebook(
        "01_cpp_repeat_plans", tmp_path, monkeypatch, cpp_path=str(path), series_start="2011-01-01"
    )
    assert figures["repeat_first_quarter"] in {"0", "c"}
    assert figures["repeat_last_quarter"] in {"0", "c"}


def _profile(tmp_path: Path, area: dict) -> str:
    """A copy of the demonstration profile with another ``area:`` block (the national page
    takes its authority from the profile's la_code and its year from the period)."""
    import yaml

    profile = yaml.safe_load((ROOT / "config" / "reports.yml").read_text(encoding="utf-8"))
    profile["area"] = area
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    return str(path)


def test_national_benchmark_runs_for_another_authority(tmp_path, monkeypatch):
    """Camden (202), another year: the notebook is not tied to Southwark."""
    area = {
        "name": "Camden",
        "la_code": 202,
        "period": {"start": "2015-04-01", "end": "2016-03-31"},
    }
    figures = _run_notebook(
        "06_national_benchmark", tmp_path, monkeypatch, profile_path=_profile(tmp_path, area)
    )
    assert figures["la_code"] == "202"
    assert figures["la_name"] == "Camden"
    assert figures["period"] == "2015-16"
    assert figures["funnel_position"] in {
        "within",
        "above 95%",
        "below 95%",
        "above 99.8%",
        "below 99.8%",
    }


def test_national_benchmark_unknown_code_names_close_matches(tmp_path, monkeypatch):
    area = {"name": "Southwark", "la_code": 2100}
    with pytest.raises(pm.PapermillExecutionError, match=r"2100(.|\n)*Southwark"):
        _run_notebook(
            "06_national_benchmark", tmp_path, monkeypatch, profile_path=_profile(tmp_path, area)
        )

"""End-to-end tests of ``sscb run`` on tiny fixture notebooks (tests/fixtures/notebooks).

One successful run is shared by the module (each run starts kernels, a few seconds); the failure
test copies its reports folder and runs again on top of it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from filelock import FileLock

from sscb_analysis.commands.run import command
from sscb_analysis.reporting.checks import find_unsuppressed_small_counts
from sscb_analysis.reporting.render import SYNTHETIC_BANNER_TEXT

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def make_project(root: Path, entries: list[dict], out: str = "reports") -> Path:
    """A throwaway project: fixture notebooks in notebooks/, a config in config/reports.yml."""
    (root / "notebooks").mkdir(parents=True, exist_ok=True)
    for nb in FIXTURES.glob("*.ipynb"):
        shutil.copy(nb, root / "notebooks" / nb.name)
    config = {
        "root": "..",
        "area": {"name": "Anytown", "period": "2012-13"},
        "defaults": {"execution_timeout": 120, "start_timeout": 60, "jobs": 2, "out": out},
        "parameters": {"label": "common", "period_start": "2012-04-01"},
        "notebooks": entries,
    }
    path = root / "config" / "reports.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def invoke(config: Path, *args: str):
    return CliRunner().invoke(command, ["--config", str(config), "--no-progress", *args])


GOOD_ENTRIES = [
    {"name": "ok", "notebook": "notebooks/ok.ipynb", "title": "Fixture report"},
    {"name": "summary", "notebook": "notebooks/summary.ipynb", "depends_on": ["ok"]},
]


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    config = make_project(root, GOOD_ENTRIES)
    # An exported MPLBACKEND=Agg used to cost notebooks their figures (NOTES.md); the runner
    # must undo it, which the embedded-figure test below checks.
    saved = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    try:
        result = invoke(config, "-p", "n", "7")
    finally:
        if saved is None:
            del os.environ["MPLBACKEND"]
        else:
            os.environ["MPLBACKEND"] = saved
    runs = [p for p in (root / "reports").iterdir() if p.is_dir() and not p.is_symlink()]
    assert len(runs) == 1, result.output
    return root, runs[0], result


def test_success_exits_zero_and_writes_every_output(good_run):
    _, run_dir, result = good_run
    assert result.exit_code == 0, result.output + result.stderr
    for name in ("ok", "summary"):
        for suffix in (".ipynb", ".html", "-analyst.html", ".json"):
            assert (run_dir / f"{name}{suffix}").is_file(), f"{name}{suffix} missing"
    assert (run_dir / "manifest.json").is_file()
    log = (run_dir / "run.log").read_text()
    assert "ok ok" in log and "succeeded" in log


def test_figures_json_holds_recorded_values_and_override(good_run):
    _, run_dir, _ = good_run
    data = json.loads((run_dir / "ok.json").read_text())
    figures = data["figures"]
    assert data["status"] == "ok" and data["run_id"] == run_dir.name
    assert figures["n"]["value"] == 7  # from `-p n 7`, not the notebook's default 3
    assert figures["label"] == {"value": "common", "meta": {"unit": "text"}}
    assert figures["repeat_rate"]["value"]["description"] == "25% of 40 plans"
    assert figures["data_are_synthetic"]["value"] is True


def test_dependent_notebook_reads_earlier_json_through_run_dir(good_run):
    _, run_dir, _ = good_run
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["figures"]["ok_n"]["value"] == 7


def test_manifest_fields(good_run):
    _, run_dir, _ = good_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["run_id"] == run_dir.name
    assert manifest["status"] == "ok"
    assert manifest["started"] and manifest["finished"]
    assert set(manifest["git"]) == {"commit", "dirty"}
    assert manifest["packages"]["papermill"]
    assert manifest["overrides"] == {"n": 7}
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["inputs"]["notebooks/ok.ipynb"])
    assert "config/reports.yml" in manifest["inputs"]
    by_name = {nb["name"]: nb for nb in manifest["notebooks"]}
    assert by_name["ok"]["status"] == "ok" and by_name["ok"]["duration_s"] > 0
    assert by_name["ok"]["parameters"]["n"] == 7
    assert by_name["ok"]["parameters"]["run_dir"] == str(run_dir)
    assert by_name["summary"]["depends_on"] == ["ok"]


def test_index_lists_run_and_latest_points_at_it(good_run):
    root, run_dir, _ = good_run
    reports = root / "reports"
    latest = reports / "latest"
    assert latest.is_symlink() and latest.resolve() == run_dir.resolve()
    index = (reports / "index.html").read_text()
    assert run_dir.name in index
    assert f"{run_dir.name}/ok.html" in index and f"{run_dir.name}/summary-analyst.html" in index
    # the complete run's A4 pack, linked for the board
    assert (run_dir / "board_pack.pdf").is_file()
    assert f"href='{run_dir.name}/board_pack.pdf'" in index
    assert "href='latest/board_pack.pdf'" in index


def test_board_html_hides_code_and_parameters(good_run):
    _, run_dir, _ = good_run
    board = (run_dir / "ok.html").read_text()
    analyst = (run_dir / "ok-analyst.html").read_text()
    # Code cells' inputs: CodeMirror editors and input prompts exist only on the analyst page.
    assert 'class="jp-InputPrompt' not in board
    editor = 'class="jp-CodeMirrorEditor'  # the CSS mentions the class; look for elements
    assert editor not in board and editor in analyst
    assert 'class="highlight hl-ipython3"' not in board
    assert "celltag_parameters" not in board and "celltag_parameters" in analyst
    assert "CODE_MARKER" not in board and "CODE_MARKER" in analyst
    assert "injected-parameters" not in board and "injected-parameters" in analyst
    assert "label = " not in board  # neither the parameters cell nor the injected one


def test_board_html_banner_toc_footer_and_embedded_figures(good_run):
    _, run_dir, _ = good_run
    board = (run_dir / "ok.html").read_text()
    body = board[board.index("<body") :]
    assert SYNTHETIC_BANNER_TEXT in body[:2000]  # at the top of the page
    assert '<nav class="sscb-toc"' in board and 'href="#Headline-figures"' in board
    assert f"run {run_dir.name}" in board
    images = re.findall(r"<img[^>]*src=\"([^\"]*)\"", board)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r"<script[^>]*src=\"https?://", board)
    assert find_unsuppressed_small_counts(board) == []


def test_failure_is_reported_and_latest_stays(good_run, tmp_path):
    root, good_dir, _ = good_run
    reports = tmp_path / "reports"
    shutil.copytree(root / "reports", reports, symlinks=True)
    config = make_project(
        tmp_path,
        [
            {"name": "ok", "notebook": "notebooks/ok.ipynb"},
            {"name": "fails", "notebook": "notebooks/fails.ipynb"},
            {"name": "not_written_yet", "notebook": "notebooks/99_missing.ipynb"},
            {"name": "summary", "notebook": "notebooks/summary.ipynb", "depends_on": ["fails"]},
            # waits for the failed notebook but does not need it to succeed (the board summary)
            {"name": "after_all", "notebook": "notebooks/summary.ipynb", "after": ["fails", "ok"]},
        ],
    )
    result = invoke(config)
    assert result.exit_code == 1
    assert "fails: failed" in result.stderr and "deliberate failure" in result.stderr
    # the lines pointing at error pages name only files that exist
    shown = re.findall(r"the error is shown on (\S+)", result.stderr)
    assert shown and all(Path(p).is_file() for p in shown)
    assert any(p.endswith("fails-analyst.html") for p in shown)
    assert (reports / "latest").resolve() == (reports / good_dir.name).resolve()

    runs = [p for p in reports.iterdir() if p.is_dir() and not p.is_symlink()]
    (new_dir,) = [p for p in runs if p.name != good_dir.name]
    manifest = json.loads((new_dir / "manifest.json").read_text())
    status = {nb["name"]: nb["status"] for nb in manifest["notebooks"]}
    assert status == {
        "ok": "ok",
        "fails": "failed",
        "not_written_yet": "failed",
        "summary": "skipped",
        "after_all": "ok",
    }
    assert (new_dir / "after_all.html").is_file()
    errors = {nb["name"]: nb["error"] for nb in manifest["notebooks"]}
    assert "ValueError: deliberate failure" in errors["fails"]
    assert "notebook not found" in errors["not_written_yet"]
    # The failed notebook is kept and rendered, with the error visible on both pages.
    for page in ("fails.html", "fails-analyst.html"):
        text = (new_dir / page).read_text()
        assert "deliberate failure in a test fixture" in text
        assert "This report failed" in text
    figures = json.loads((new_dir / "fails.json").read_text())
    assert figures["status"] == "failed"
    assert "before_failure" in figures["figures"] and "after_failure" not in figures["figures"]
    index = (reports / "index.html").read_text()
    assert new_dir.name in index and good_dir.name in index
    assert "<span class='failed'>failed</span>" in index
    assert "ERROR" in (new_dir / "run.log").read_text()


def test_second_run_is_refused_while_lock_is_held(tmp_path):
    config = make_project(tmp_path, GOOD_ENTRIES)
    (tmp_path / "reports").mkdir()
    with FileLock(str(tmp_path / "reports" / ".lock")):
        result = invoke(config)
    assert result.exit_code == 4
    assert "another `sscb run`" in result.stderr
    assert [p.name for p in (tmp_path / "reports").iterdir()] == [".lock"]


def test_unknown_only_name_is_a_config_error(tmp_path):
    config = make_project(tmp_path, GOOD_ENTRIES)
    result = invoke(config, "--only", "nope")
    assert result.exit_code == 2
    assert "no notebook called 'nope'" in result.stderr


def test_a_partial_run_never_moves_latest(good_run, tmp_path):
    root, good_dir, _ = good_run
    reports = tmp_path / "reports"
    shutil.copytree(root / "reports", reports, symlinks=True)
    config = make_project(tmp_path, GOOD_ENTRIES)
    result = invoke(config, "--only", "ok")
    assert result.exit_code == 0, result.output
    assert "partial run" in result.output.lower()
    assert (reports / "latest").resolve() == (reports / good_dir.name).resolve()
    (new_dir,) = [
        p
        for p in reports.iterdir()
        if p.is_dir() and not p.is_symlink() and p != (reports / good_dir.name)
    ]
    manifest = json.loads((new_dir / "manifest.json").read_text())
    assert manifest["partial"] is True and manifest["status"] == "ok"
    assert [nb["name"] for nb in manifest["notebooks"]] == ["ok"]
    index = (reports / "index.html").read_text()
    assert "PARTIAL RUN" in index
    assert (reports / "latest" / "summary.html").is_file()  # latest still a complete run


def test_index_says_which_files_may_be_shared(good_run):
    root, run_dir, _ = good_run
    index = (root / "reports" / "index.html").read_text()
    assert "What may be shared" in index
    assert "Board pages (marked OFFICIAL) are written for the board" in index
    assert "stay with the analysts" in index and "Analyst only (do not share)" in index
    # the board page link sits in the board column, the others in the analyst column
    row = index[index.index(f"{run_dir.name}/ok.html") - 200 :]
    board_cell, analyst_cell = row.split("<td class='analyst'>", 1)
    assert f"{run_dir.name}/ok.html" in board_cell
    assert f"{run_dir.name}/ok-analyst.html" in analyst_cell.split("</td>")[0]
    assert "Anytown · period under review 2012-13" in index


def test_the_run_context_and_marking_reach_the_manifest(good_run):
    _, run_dir, _ = good_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    context = manifest["context"]
    assert context["area"]["name"] == "Anytown" and context["period_label"] == "2012-13"
    assert context["protective_marking"] == "OFFICIAL" and context["disclosure"] == "published"
    assert json.loads((run_dir / "context.json").read_text())["period_start"] == "2012-04-01"


def test_a_threshold_below_the_policy_is_refused_before_anything_runs(tmp_path):
    config = make_project(tmp_path, GOOD_ENTRIES)
    result = invoke(config, "-p", "suppression_threshold", "0")
    assert result.exit_code == 2
    assert "below the minimum of 5 for published pages" in result.stderr
    assert not (tmp_path / "reports").exists()


def test_every_analyst_page_says_it_stays_with_the_analysts(good_run):
    _, run_dir, _ = good_run
    for name in ("ok", "summary"):
        analyst = (run_dir / f"{name}-analyst.html").read_text()
        body = analyst[analyst.index("<body") :]
        assert "Analyst page: not for the board." in body[:3000]
        assert "stay with the analysts" in body and f"board page is {name}.html" in body
        board = (run_dir / f"{name}.html").read_text()
        assert "Analyst page: not for the board." not in board
        assert "OFFICIAL" in board  # the profile's marking, from the run's context.json

"""Unit tests of the reporting pieces that need no kernel: config, record, the clean step,
parameter checks, the small-count check, HTML rendering, the index and the latest link."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sscb_analysis import paths
from sscb_analysis.reporting import figures as record_module
from sscb_analysis.reporting.checks import find_unsuppressed_small_counts
from sscb_analysis.reporting.config import (
    STANDARD_NOTEBOOKS,
    ConfigError,
    load_config,
    parse_config,
)
from sscb_analysis.reporting.figures import (
    RECORD_PATH_ENV,
    clear_recorded,
    is_synthetic_source,
    record,
    recorded,
    to_jsonable,
)
from sscb_analysis.reporting.index import latest_run_id, point_latest_at, write_index
from sscb_analysis.reporting.notebook_setup import ParameterError, check_parameters

# --- config ---------------------------------------------------------------------------------


def test_project_config_lists_the_seven_notebooks_with_board_summary_last():
    config = load_config(paths.CONFIG / "reports.yml")
    names = [e.name for e in config.entries]
    seven = [
        "00_data_quality",
        "01_cpp_repeat_plans",
        "02_cpp_duration",
        "03_caf",
        "04_marac",
        "05_board_summary",
        "06_national_benchmark",
        "07_board_indicators",
    ]
    assert sorted({e.notebook.stem for e in config.entries}) == seven
    assert set(seven) <= set(names)
    # One notebook may run more than once: the data-quality report also runs on the messy extracts.
    messy = config.entry("00_data_quality_messy")
    assert messy.notebook.stem == "00_data_quality"
    assert "messy" in str(config.parameters_for(messy)["cpp_path"])
    summary = config.entry("05_board_summary")
    # The summary charts the board's dataset itself, so it does not wait for 07's page; it
    # waits for the other reports (`after`), and still runs when one fails.
    assert set(summary.after) == set(seven) - {"05_board_summary", "07_board_indicators"}
    assert summary.depends_on == ()
    standard = {e["name"]: e for e in STANDARD_NOTEBOOKS}["05_board_summary"]
    assert set(standard["after"]) == set(summary.after) and "depends_on" not in standard
    common = config.parameters_for(config.entry("01_cpp_repeat_plans"))
    assert common == {"confidence_level": 0.95, "suppression_threshold": 5}
    assert Path(config.parameters_for(messy)["cpp_path"]).is_absolute()
    assert config.profile is not None and config.profile.la_code == "210"
    assert set(config.clean_inputs) == {"cpp", "caf", "marac"}


def test_yaml_dates_become_iso_strings_and_paths_resolve(tmp_path):
    raw = {
        "root": ".",
        "parameters": {"intervention_date": dt.date(2012, 6, 1), "cpp_path": "d/cpp.parquet"},
        "notebooks": [{"name": "a", "notebook": "a.ipynb", "parameters": {"year": 2013}}],
    }
    config = parse_config(raw, tmp_path / "reports.yml")
    params = config.parameters_for(config.entries[0])
    assert params["intervention_date"] == "2012-06-01"
    assert params["cpp_path"] == str(tmp_path / "d" / "cpp.parquet")
    assert config.entries[0].notebook == tmp_path / "a.ipynb"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "expected a mapping"),
        ({"notebooks": []}, "non-empty list"),
        ({"notebook": []}, "unknown key(s) notebook"),
        ({"notebooks": [{"notebook": "a.ipynb"}]}, "needs a 'name'"),
        ({"notebooks": [{"name": "a", "notebook": "a.py"}]}, "ending in .ipynb"),
        ({"notebooks": [{"name": "a/b", "notebook": "a.ipynb"}]}, "plain file name"),
        (
            {
                "notebooks": [
                    {"name": "a", "notebook": "a.ipynb"},
                    {"name": "a", "notebook": "b.ipynb"},
                ]
            },
            "repeated: a",
        ),
        (
            {"notebooks": [{"name": "a", "notebook": "a.ipynb", "depends_on": ["z"]}]},
            "'z', which is not listed",
        ),
        (
            {
                "notebooks": [
                    {"name": "a", "notebook": "a.ipynb", "depends_on": ["b"]},
                    {"name": "b", "notebook": "b.ipynb", "depends_on": ["a"]},
                ]
            },
            "cycle",
        ),
        (
            {
                "notebooks": [
                    {"name": "a", "notebook": "a.ipynb", "after": ["b"]},
                    {"name": "b", "notebook": "b.ipynb", "depends_on": ["a"]},
                ]
            },
            "cycle",
        ),
        (
            {
                "notebooks": [
                    {"name": "a", "notebook": "a.ipynb"},
                    {"name": "b", "notebook": "b.ipynb", "depends_on": ["a"], "after": ["a"]},
                ]
            },
            "a is under both depends_on (must succeed) and after",
        ),
        (
            {"notebooks": [{"name": "a", "notebook": "a.ipynb", "after": "z"}]},
            "'z', which is not listed",
        ),
        (
            {"defaults": {"jobs": 0}, "notebooks": [{"name": "a", "notebook": "a.ipynb"}]},
            "defaults.jobs",
        ),
        (
            {
                "clean": {"inputs": {"cin": "x.csv"}},
                "notebooks": [{"name": "a", "notebook": "a.ipynb"}],
            },
            "unknown kind(s) cin",
        ),
    ],
)
def test_bad_config_gets_a_clear_message(raw, message):
    with pytest.raises(ConfigError) as info:
        parse_config(raw, Path("/x/reports.yml"))
    assert message in str(info.value)


def test_missing_and_invalid_config_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("notebooks: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


# --- record ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Result:
    estimate: float
    n: int

    def describe(self) -> str:
        return f"{self.estimate:.1f} from {self.n}"


def test_record_keeps_values_in_memory_when_interactive(monkeypatch, capsys):
    monkeypatch.delenv(RECORD_PATH_ENV, raising=False)
    clear_recorded()
    assert record("count", np.int64(12)) == 12
    record("rate", np.float64(0.5), unit="proportion")
    assert recorded() == {"count": 12, "rate": 0.5}
    assert capsys.readouterr().out == ""
    clear_recorded()


def test_record_writes_json_when_the_runner_sets_the_path(monkeypatch, tmp_path):
    target = tmp_path / "nb.json"
    monkeypatch.setenv(RECORD_PATH_ENV, str(target))
    clear_recorded()
    record("first", 1)
    record("result", _Result(2.25, 8), unit="days")
    data = json.loads(target.read_text())["figures"]
    assert data["first"] == {"value": 1}
    assert data["result"]["value"] == {
        "estimate": 2.25,
        "n": 8,
        "type": "_Result",
        "description": "2.2 from 8",
    }
    assert data["result"]["meta"] == {"unit": "days"}
    clear_recorded()


def test_to_jsonable_converts_dates_nan_and_arrays_and_refuses_objects():
    import pandas as pd

    assert to_jsonable(dt.date(2013, 3, 31)) == "2013-03-31"
    assert to_jsonable(pd.Timestamp("2012-06-01")) == "2012-06-01T00:00:00"
    assert to_jsonable(pd.NaT) is None
    assert to_jsonable(float("nan")) is None
    assert to_jsonable(pd.NA) is None
    assert to_jsonable(np.array([1, 2])) == [1, 2]
    assert to_jsonable({"a": (np.bool_(True),)}) == {"a": [True]}
    with pytest.raises(TypeError, match="cannot save a object"):
        to_jsonable(object())
    with pytest.raises(ValueError, match="non-empty string"):
        record("", 1)


def test_synthetic_sources_are_detected_by_provenance_not_by_name(tmp_path):
    from sscb_analysis.provenance import write_provenance

    named = tmp_path / "raw" / "synthetic" / "cpp.csv"
    named.parent.mkdir(parents=True)
    named.write_text("plan_id\n", encoding="utf-8")
    assert not is_synthetic_source(named)  # a folder's name proves nothing
    write_provenance(named.parent, [named], "sscb synth --seed 1")
    assert is_synthetic_source(named)
    assert is_synthetic_source(paths.SYNTHETIC / "cpp.csv")
    assert not is_synthetic_source(paths.DFE)  # a folder of published tables


def test_declare_data_source_records_flag_and_refuses_missing_files(monkeypatch, tmp_path):
    monkeypatch.delenv(RECORD_PATH_ENV, raising=False)
    clear_recorded()
    synthetic = paths.SYNTHETIC / "marac.csv"
    assert record_module.declare_data_source([synthetic]) is True
    assert recorded()["data_are_synthetic"] is True
    with pytest.raises(FileNotFoundError, match=r"nothere\.csv"):
        record_module.declare_data_source(tmp_path / "nothere.csv")
    clear_recorded()


# --- parameter checks -----------------------------------------------------------------------


def _touch(path: Path, mtime: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x", encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def test_check_parameters_normalises_good_values(tmp_path):
    data = _touch(tmp_path / "cpp.parquet", 1_000)
    checked = check_parameters(
        cpp_path=str(data),
        processed_dir=str(tmp_path),
        run_dir="",
        period_start="2012-04-01",
        period_end="2013-03-31",
        intervention_date="2012-06-01",
        confidence_level=0.95,
        suppression_threshold=5,
        la_code="210",
        year=2013,
        area_name=" Southwark (synthetic) ",
        other=[1, 2],
    )
    assert checked["cpp_path"] == data
    assert checked["intervention_date"] == dt.date(2012, 6, 1)
    assert checked["run_dir"] is None and checked["la_code"] == 210
    assert checked["area_name"] == "Southwark (synthetic)" and checked["other"] == [1, 2]


def test_check_parameters_lists_every_problem(tmp_path):
    with pytest.raises(ParameterError) as info:
        check_parameters(
            cpp_path=str(tmp_path / "missing.parquet"),
            processed_dir=str(tmp_path / "nodir"),
            period_start="2013-04-01",
            period_end="2013-03-31",
            intervention_date="01/06/2012",
            confidence_level=95,
            suppression_threshold=True,
            year=13,
            area_name="",
        )
    message = str(info.value)
    for expected in (
        "cpp_path: file not found",
        "processed_dir: folder not found",
        "intervention_date: must be a date written YYYY-MM-DD",
        "confidence_level: must be between 0 and 1",
        "suppression_threshold: must be a whole number",
        "year: must be at least 1990",
        "area_name: must be non-empty text",
        "period_start (2013-04-01) must be before period_end (2013-03-31)",
    ):
        assert expected in message


# --- small counts ---------------------------------------------------------------------------


def test_find_unsuppressed_small_counts_catches_a_three():
    page = """<table><thead><tr><th></th><th>plans</th><th>rate</th></tr></thead>
    <tbody><tr><th>Team A</th><td>120</td><td>3.5%</td></tr>
    <tr><th>Team B</th><td>3</td><td>2.0</td></tr>
    <tr><th>Team C</th><td>c</td><td>1,204</td></tr>
    <tr><th>Team D</th><td>0</td><td>6</td></tr></tbody></table>"""
    found = find_unsuppressed_small_counts(page, threshold=5)
    assert [(f.row, f.column, f.header, f.value) for f in found] == [(2, 1, "plans", 3)]
    assert find_unsuppressed_small_counts(page, ignore_columns={"plans"}) == []
    assert find_unsuppressed_small_counts(page.replace(">3<", ">c<")) == []
    with pytest.raises(ValueError, match="at least 1"):
        find_unsuppressed_small_counts(page, threshold=0)


# --- rendering ------------------------------------------------------------------------------


PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def _executed_notebook() -> nbformat.NotebookNode:
    params = new_code_cell("area = 'x'")
    params.metadata["tags"] = ["parameters"]
    injected = new_code_cell("area = 'INJECTED_VALUE'")
    injected.metadata["tags"] = ["injected-parameters"]
    chart = new_code_cell(
        "plot_code_here()",
        outputs=[new_output("display_data", data={"image/png": PNG_1PX, "text/plain": "<Figure>"})],
    )
    hidden = new_code_cell("secret_helper()")
    hidden.metadata["tags"] = ["remove_cell"]
    nb = new_notebook(
        cells=[
            params,
            injected,
            new_markdown_cell("# Repeat plans\n\n## By team"),
            chart,
            hidden,
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    return nb


def test_board_and_analyst_pages(tmp_path):
    from sscb_analysis.reporting.render import RenderContext, render_reports

    source = tmp_path / "nb.ipynb"
    nbformat.write(_executed_notebook(), source)
    context = RenderContext(
        "20130401-000000-abcd", "01_cpp", commit="0123456789abcdef", synthetic=True
    )
    render_reports(source, tmp_path / "b.html", tmp_path / "a.html", context)
    board = (tmp_path / "b.html").read_text()
    analyst = (tmp_path / "a.html").read_text()
    assert "plot_code_here" not in board and "plot_code_here" in analyst
    assert "INJECTED_VALUE" not in board and "area = " not in board
    assert "secret_helper" not in board and "secret_helper" not in analyst
    assert board.count("SYNTHETIC DATA — not real children") == 1
    assert 'href="#Repeat-plans">Repeat plans</a>' in board and 'href="#By-team"' in board
    assert f"data:image/png;base64,{PNG_1PX}" in board
    assert "run 20130401-000000-abcd" in board and "commit 0123456789ab" in board


# --- index and latest -----------------------------------------------------------------------


def test_index_and_latest_link(tmp_path):
    for run_id, status in (("20130101-000000-aaaa", "ok"), ("20130102-000000-bbbb", "failed")):
        (tmp_path / run_id).mkdir()
        manifest = {
            "run_id": run_id,
            "status": status,
            "started": "2013-01-01T00:00:00+00:00",
            "git": {"commit": "abc"},
            "notebooks": [
                {
                    "name": "01_cpp",
                    "status": status,
                    "duration_s": 1.5,
                    "error": "ValueError: boom" if status == "failed" else None,
                    "outputs": {"board_html": "01_cpp.html"},
                }
            ],
        }
        (tmp_path / run_id / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "20130103-000000-cccc").mkdir()  # a run without a manifest is ignored
    point_latest_at(tmp_path, "20130101-000000-aaaa")
    point_latest_at(tmp_path, "20130101-000000-aaaa")  # replacing is fine
    assert latest_run_id(tmp_path) == "20130101-000000-aaaa"
    assert os.readlink(tmp_path / "latest") == "20130101-000000-aaaa"  # relative: survives moves
    page = write_index(tmp_path).read_text()
    newest, older = page.index("<h2 id='20130102"), page.index("<h2 id='20130101")
    assert newest < older
    assert "ValueError: boom" in page and "20130101-000000-aaaa/01_cpp.html" in page
    assert "20130103-000000-cccc" not in page


def test_record_saves_a_result_holding_a_table() -> None:
    """SPC results carry a DataFrame: record() must save it, not crash on its truth value."""
    from sscb_analysis.reporting.figures import to_jsonable
    from sscb_analysis.stats import spc

    saved = to_jsonable(spc([5, 6, 5, 7, 6, 5, 6, 30, 5, 6, 5, 6]))
    assert saved["type"] == "SPCResult"
    assert len(saved["table"]) == 12
    assert saved["table"][7]["value"] == 30
    assert "description" in saved


def test_notebook_parameter_names_reads_the_parameters_cell():
    from sscb_analysis.reporting.parameters import notebook_parameter_names

    names = notebook_parameter_names(paths.NOTEBOOKS / "01_cpp_repeat_plans.ipynb")
    assert {"cpp_path", "confidence_level", "suppression_threshold", "run_dir"} <= names
    assert "p" not in names  # assigned in a later cell, not a parameter


def test_a_mistyped_override_is_refused_before_anything_runs(tmp_path):
    """`-p confidence 0.9` (the parameter is confidence_level) must fail loudly, not be ignored."""
    from sscb_analysis.reporting.config import ConfigError
    from sscb_analysis.reporting.runner import run_reports

    config = load_config(paths.CONFIG / "reports.yml")
    with pytest.raises(ConfigError, match=r"'confidence'.*confidence_level"):
        run_reports(
            config, only=["01_cpp_repeat_plans"], overrides={"confidence": 0.9}, out=tmp_path
        )
    assert not any(tmp_path.iterdir()), "nothing may be written for a refused run"


def test_index_shows_each_report_by_its_title(tmp_path):
    from sscb_analysis.reporting.index import write_index
    from sscb_analysis.reporting.manifest import write_json_atomic

    run = tmp_path / "20130401-063000-abcd"
    run.mkdir()
    write_json_atomic(
        run / "manifest.json",
        {
            "run_id": run.name,
            "status": "ok",
            "notebooks": [
                {"name": "01_cpp_repeat_plans", "title": "Repeat plans", "status": "ok"},
                {"name": "99_untitled", "status": "ok"},
            ],
        },
    )
    page = write_index(tmp_path).read_text(encoding="utf-8")
    assert "Repeat plans<br><small>01_cpp_repeat_plans</small>" in page
    assert "<td>99_untitled</td>" in page


def test_a_run_killed_midway_is_marked_interrupted(tmp_path):
    """A manifest left at "running" (the process was killed) is marked when the next run starts."""
    from sscb_analysis.reporting.index import mark_interrupted_runs, write_index
    from sscb_analysis.reporting.manifest import read_manifest, write_json_atomic

    for run_id, status in (("20130401-063000-aaaa", "running"), ("20130402-063000-bbbb", "ok")):
        (tmp_path / run_id).mkdir()
        write_json_atomic(
            tmp_path / run_id / "manifest.json",
            {
                "run_id": run_id,
                "status": status,
                "notebooks": [{"name": "01_cpp_repeat_plans", "status": "pending"}],
            },
        )
    assert mark_interrupted_runs(tmp_path) == ["20130401-063000-aaaa"]
    stale = read_manifest(tmp_path / "20130401-063000-aaaa")
    assert stale["status"] == "interrupted"
    assert stale["notebooks"][0]["status"] == "interrupted"
    assert read_manifest(tmp_path / "20130402-063000-bbbb")["status"] == "ok"
    assert "interrupted" in write_index(tmp_path).read_text(encoding="utf-8")
    assert mark_interrupted_runs(tmp_path) == []


def test_board_page_drops_warnings_but_keeps_errors(tmp_path):
    """stderr (a Python warning) is for analysts; an error of a failed cell stays on both pages."""
    from sscb_analysis.reporting.render import RenderContext, render_reports

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: LIBRARY_WARNING\n"),
        nbformat.v4.new_output("stream", name="stdout", text="VISIBLE_TEXT\n"),
        nbformat.v4.new_output(
            "error", ename="ValueError", evalue="CELL_FAILED", traceback=["ValueError: CELL_FAILED"]
        ),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Report"), cell]
    source = tmp_path / "nb.ipynb"
    nbformat.write(nb, source)
    context = RenderContext("20130401-000000-abcd", "x", commit="0123456789abcdef", synthetic=True)
    render_reports(source, tmp_path / "b.html", tmp_path / "a.html", context)
    board = (tmp_path / "b.html").read_text()
    analyst = (tmp_path / "a.html").read_text()
    assert "LIBRARY_WARNING" not in board and "LIBRARY_WARNING" in analyst
    assert "VISIBLE_TEXT" in board and "CELL_FAILED" in board


def test_index_and_log_escape_what_comes_from_outside(tmp_path):
    """An area's name, a notebook title and an error from a hostile export reach the index as
    text, and the log with control characters shown as escapes (issue 12, finding 5)."""
    import logging

    from sscb_analysis.reporting.manifest import write_json_atomic
    from sscb_analysis.reporting.runner import SafeFormatter

    payload = "<img src=x onerror=alert(1)>"
    run = tmp_path / "20130401-000000-abcd"
    run.mkdir()
    write_json_atomic(
        run / "manifest.json",
        {
            "run_id": run.name,
            "status": "failed",
            "error": f"the export {payload}.csv does not exist",
            "context": {"area": {"name": payload}, "period_label": "2012-13"},
            "notebooks": [{"name": "a", "title": payload, "status": "failed", "error": payload}],
        },
    )
    index = write_index(tmp_path).read_text()
    assert "<img" not in index and "&lt;img src=x onerror=alert(1)&gt;" in index
    record = logging.LogRecord(
        "x", logging.ERROR, "", 0, "header \x1b[31mred\r%s", ("\u202e",), None
    )
    line = SafeFormatter("%(message)s").format(record)
    assert "\x1b" not in line and "\r" not in line and "\u202e" not in line
    assert "\\x1b[31mred\\x0d\\u202e" in line


def test_index_links_the_board_pack_of_a_complete_run_only(tmp_path):
    """A complete run's board_pack.pdf is linked for the board (relative, escaped); a partial
    or failed run, a pack the manifest names but the folder lacks, or a name that leaves the
    run's folder gets no link: the index links only files that exist."""
    cases = {
        "20130101-000000-aaaa": {"status": "ok", "board_pack": "board_pack.pdf"},
        "20130102-000000-bbbb": {"status": "ok", "partial": True, "board_pack": "board_pack.pdf"},
        "20130103-000000-cccc": {"status": "failed", "board_pack": "board_pack.pdf"},
        "20130104-000000-dddd": {"status": "ok", "board_pack": "board_pack.pdf"},  # no file
        "20130105-000000-eeee": {"status": "ok", "board_pack": "../x.pdf"},
    }
    for run_id, fields in cases.items():
        (tmp_path / run_id).mkdir()
        manifest = {"run_id": run_id, "notebooks": [], **fields}
        (tmp_path / run_id / "manifest.json").write_text(json.dumps(manifest))
        if run_id != "20130104-000000-dddd":
            (tmp_path / run_id / "board_pack.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.7\n")
    point_latest_at(tmp_path, "20130101-000000-aaaa")
    page = write_index(tmp_path).read_text()
    links = re.findall(r"href='([^']*\.pdf)'", page)
    assert sorted(links) == ["20130101-000000-aaaa/board_pack.pdf", "latest/board_pack.pdf"]
    section = page[page.index("<h2 id='20130101") :]
    assert section.index("board pack (PDF, A4)") < section.index("<table>")

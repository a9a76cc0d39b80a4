"""``sscb run`` under faults (issue 12, findings 10 and 11; issue 11's stale and partial runs).

A runner killed with SIGKILL leaves no worker or kernel behind and no late page in the next run;
Ctrl-C and SIGTERM mark the run interrupted at once; an unusable ``--out`` is a sentence; a
missing export fails the run (exit 1, ``latest`` unchanged, the index says why) unless optional.
The runs here are real ``sscb run`` processes on tiny notebooks written by the tests.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
import yaml
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook

from sscb_analysis.commands.run import command
from sscb_analysis.paths import ROOT, SYNTHETIC

pytestmark = pytest.mark.slow

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebook(path: Path, parameters: str, *cells: str) -> Path:
    """Write a notebook: a parameters cell, then ``cells``."""
    first = new_code_cell(parameters, metadata={"tags": ["parameters"]})
    nb = new_notebook(cells=[first, *(new_code_cell(c) for c in cells)])
    nb.metadata["kernelspec"] = KERNELSPEC
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


SLOW = (
    'seconds = 120\nrun_dir = ""',
    "from sscb_analysis.reporting import record\n_ = record('started', True)",
    "import time\ntime.sleep(seconds)\n_ = record('finished', True)",
)
QUICK = ('run_dir = ""', "from sscb_analysis.reporting import record\n_ = record('n', 1)")
CONTEXT = (
    'profile_path = ""\nrun_dir = ""',
    "from sscb_analysis.reporting import record\n"
    "from sscb_analysis.reporting.context import report_context\n"
    "ctx = report_context(profile_path, run_dir, uses=('cpp',))\n"
    "_ = record('period', ctx.period_label)\n"
    "_ = record('notes', ctx.notes())\n"
    "_ = record('synthetic', ctx.synthetic)",
)

# A page as the report notebooks open: the runner gives it cpp_path (the run's processed file).
HEADING = (
    'profile_path = ""\nrun_dir = ""\ncpp_path = ""',
    "from IPython.display import Markdown, display\n"
    "from sscb_analysis.analyses.common import page_heading, policy_of\n"
    "from sscb_analysis.reporting.context import report_context\n"
    "ctx = report_context(profile_path, run_dir, uses=['cpp'], cpp_path=cpp_path)\n"
    "display(Markdown(page_heading(ctx, policy_of(ctx))))",
)


def project(root: Path, entries: list[dict], inputs: dict | None = None) -> Path:
    """A throwaway project whose notebooks are written here; returns its profile."""
    notebook(root / "notebooks" / "slow.ipynb", *SLOW)
    notebook(root / "notebooks" / "quick.ipynb", *QUICK)
    notebook(root / "notebooks" / "context.ipynb", *CONTEXT)
    notebook(root / "notebooks" / "heading.ipynb", *HEADING)
    raw = {
        "root": str(root),
        "area": {"name": "Anytown", "period": "2012-13"},
        "defaults": {"execution_timeout": 300, "jobs": 2, "out": "reports"},
        "clean": {"processed_dir": "processed", "inputs": inputs or {}},
        "notebooks": entries,
    }
    path = root / "profile.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def start_run(profile: Path, *args: str) -> subprocess.Popen:
    """``sscb run`` as its own process; its output goes to files beside the profile (a pipe
    would be held open by any process it left behind, and reading it would hang the test)."""
    out = open(profile.with_name("run.out"), "w")  # noqa: SIM115 - closed by the child's exit
    err = open(profile.with_name("run.err"), "w")  # noqa: SIM115
    with out, err:
        return subprocess.Popen(
            [sys.executable, "-m", "sscb_analysis.cli", "run", "--config", str(profile), *args],
            cwd=ROOT,
            stdout=out,
            stderr=err,
            text=True,
        )


def stderr_of(profile: Path) -> str:
    return profile.with_name("run.err").read_text()


def kill_all(processes: list[psutil.Process]) -> None:
    for p in alive(processes):
        p.kill()


def wait_for_kernel(runner: subprocess.Popen, timeout: float = 120) -> list[psutil.Process]:
    """Wait until the runner has a kernel running; return all its descendants."""
    deadline = time.monotonic() + timeout
    parent = psutil.Process(runner.pid)
    while time.monotonic() < deadline:
        assert runner.poll() is None, "the run ended before a kernel started"
        family = parent.children(recursive=True)
        if any("ipykernel" in " ".join(_cmdline(p)) for p in family):
            return family
        time.sleep(0.3)
    raise AssertionError("no kernel started")


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def wait_gone(processes: list[psutil.Process], timeout: float = 20) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while alive(processes) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(processes)


def run_dirs(reports: Path) -> list[Path]:
    return sorted(p for p in reports.iterdir() if p.is_dir() and not p.is_symlink())


def manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text())


def test_sigkill_leaves_no_worker_or_kernel_and_no_late_page(tmp_path):
    profile = project(tmp_path, [{"name": "slow", "notebook": "notebooks/slow.ipynb"}])
    runner = start_run(profile, "--no-progress")
    family = wait_for_kernel(runner)
    assert len(family) >= 2  # a worker and its kernel at least
    os.kill(runner.pid, signal.SIGKILL)
    runner.wait(timeout=30)
    left = wait_gone(family)
    kill_all(left)
    assert left == [], f"still running after the runner was killed: {[_cmdline(p) for p in left]}"
    (killed,) = run_dirs(tmp_path / "reports")
    assert manifest(killed)["status"] == "running"  # nobody could write more
    before = sorted(p.name for p in killed.iterdir())

    # The next run marks it interrupted; nothing of the killed run lands anywhere after that.
    profile = project(tmp_path, [{"name": "quick", "notebook": "notebooks/quick.ipynb"}])
    result = CliRunner().invoke(command, ["--config", str(profile), "--no-progress"])
    assert result.exit_code == 0, result.output
    old, new = run_dirs(tmp_path / "reports")
    assert old == killed
    assert manifest(old)["status"] == "interrupted"
    assert {nb["status"] for nb in manifest(old)["notebooks"]} == {"interrupted"}
    assert sorted(p.name for p in old.iterdir()) == before
    assert not any(p.name.startswith("slow") for p in new.iterdir())
    assert "interrupted" in (tmp_path / "reports" / "index.html").read_text()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_and_sigterm_mark_the_run_interrupted_at_once(tmp_path, signum):
    profile = project(
        tmp_path,
        [
            {"name": "quick", "notebook": "notebooks/quick.ipynb"},
            {"name": "slow", "notebook": "notebooks/slow.ipynb"},
        ],
    )
    runner = start_run(profile, "--no-progress", "--jobs", "1")
    family = wait_for_kernel(runner)
    stopped = time.monotonic()
    runner.send_signal(signum)
    try:
        runner.wait(timeout=60)
    finally:
        kill_all([psutil.Process(runner.pid), *family] if runner.poll() is None else family)
    took = time.monotonic() - stopped
    err = stderr_of(profile)
    assert runner.returncode == 1, err
    assert took < 15, f"the runner took {took:.0f} s to stop"
    assert "INTERRUPTED" in err and "Traceback" not in err
    left = wait_gone(family)
    kill_all(left)
    assert left == []
    (run,) = run_dirs(tmp_path / "reports")
    data = manifest(run)
    assert data["status"] == "interrupted" and "interrupted" in data["error"]
    assert data["finished"] is not None
    statuses = {nb["name"]: nb["status"] for nb in data["notebooks"]}
    assert statuses["slow"] == "interrupted"
    assert not (tmp_path / "reports" / "latest").exists()
    assert "interrupted" in (tmp_path / "reports" / "index.html").read_text()


def test_an_unusable_out_folder_is_a_sentence(tmp_path):
    profile = project(tmp_path, [{"name": "quick", "notebook": "notebooks/quick.ipynb"}])
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    for out, words in ((a_file, "is a file"), (a_file / "sub", "cannot be created")):
        result = CliRunner().invoke(
            command, ["--config", str(profile), "--out", str(out), "--no-progress"]
        )
        assert result.exit_code == 2, result.output
        assert words in result.stderr and "Traceback" not in result.output


def test_a_missing_export_fails_the_run_and_latest_stays(tmp_path):
    entries = [{"name": "quick", "notebook": "notebooks/quick.ipynb"}]
    export = tmp_path / "raw" / "cpp.csv"
    export.parent.mkdir()
    export.write_bytes((SYNTHETIC / "cpp.csv").read_bytes())
    profile = project(tmp_path, entries, inputs={"cpp": str(export)})
    first = CliRunner().invoke(command, ["--config", str(profile), "--no-progress"])
    assert first.exit_code == 0, first.output
    reports = tmp_path / "reports"
    good = (reports / "latest").resolve()

    export.unlink()
    result = CliRunner().invoke(command, ["--config", str(profile), "--no-progress"])
    assert result.exit_code == 1
    assert f"{export} does not exist" in result.stderr and "optional: true" in result.stderr
    assert (reports / "latest").resolve() == good
    failed = run_dirs(reports)[-1]
    data = manifest(failed)
    assert data["status"] == "failed" and "does not exist" in data["error"]
    assert {nb["status"] for nb in data["notebooks"]} == {"skipped"}
    index = (reports / "index.html").read_text()
    assert "does not exist" in index and failed.name in index


def test_an_optional_missing_export_is_used_and_said_stale(tmp_path):
    entries = [{"name": "page", "notebook": "notebooks/context.ipynb"}]
    export = tmp_path / "raw" / "cpp.csv"
    export.parent.mkdir()
    export.write_bytes((SYNTHETIC / "cpp.csv").read_bytes())
    inputs = {"cpp": {"path": str(export), "optional": True}}
    profile = project(tmp_path, entries, inputs=inputs)
    first = CliRunner().invoke(command, ["--config", str(profile), "--no-progress"])
    assert first.exit_code == 0, first.output
    export.unlink()
    result = CliRunner().invoke(command, ["--config", str(profile), "--no-progress"])
    assert result.exit_code == 0, result.output
    run = run_dirs(tmp_path / "reports")[-1]
    context = json.loads((run / "context.json").read_text())
    assert context["inputs"]["cpp"]["optional"] is True
    assert context["inputs"]["cpp"]["not_updated_since"] is not None
    assert context["synthetic"] is False  # a copy without the generator's sidecar
    page = json.loads((run / "page.json").read_text())["figures"]
    assert page["period"]["value"] == "2012-13"
    (note,) = page["notes"]["value"]
    assert note.startswith("The CPP figures were not updated in this run")
    assert manifest(run)["clean"][0]["action"] == "kept"


@pytest.mark.parametrize("where", ["project", "elsewhere"])
def test_relative_config_and_out_reach_the_kernels_as_absolute_paths(tmp_path, monkeypatch, where):
    """`sscb run --config profile.yml --out reports2` with relative paths, from the project's
    folder and from another one: kernels start in notebooks/, so every path the run hands them
    (profile, run folder, extract) must be absolute, or a page reads another context or records
    its figures into a stray folder under notebooks/."""
    proj = tmp_path / "proj"
    export = proj / "raw" / "cpp.csv"
    export.parent.mkdir(parents=True)
    export.write_bytes((SYNTHETIC / "cpp.csv").read_bytes())
    entries = [{"name": "page", "notebook": "notebooks/context.ipynb"}]
    profile = project(proj, entries, inputs={"cpp": "raw/cpp.csv"})
    raw = yaml.safe_load(profile.read_text(encoding="utf-8"))
    raw["root"] = "."  # relative to the profile, as a copied project would say it
    profile.write_text(yaml.safe_dump(raw), encoding="utf-8")
    cwd = proj if where == "project" else tmp_path / "elsewhere"
    cwd.mkdir(exist_ok=True)
    monkeypatch.chdir(cwd)
    config = os.path.relpath(profile, cwd)
    out = os.path.relpath(tmp_path / "out", cwd)
    result = CliRunner().invoke(command, ["--config", config, "--out", out, "--no-progress"])
    assert result.exit_code == 0, result.output
    run = (tmp_path / "out" / "latest").resolve()
    context = json.loads((run / "context.json").read_text())
    assert Path(context["profile_path"]) == profile
    assert Path(context["inputs"]["cpp"]["path"]).is_absolute()
    params = next(nb["parameters"] for nb in manifest(run)["notebooks"] if nb["name"] == "page")
    assert all(Path(params[k]).is_absolute() for k in ("profile_path", "run_dir"))
    figures = json.loads((run / "page.json").read_text())["figures"]
    assert figures["period"]["value"] == "2012-13"
    assert not [p for p in (proj / "notebooks").iterdir() if p.is_dir()]  # no stray run folder


def test_a_page_of_an_optional_missing_export_says_not_updated_since(tmp_path):
    """The runner hands the page its extract as cpp_path; the stale note must survive that
    (it once did not: the path override built a fresh input without its date)."""
    entries = [{"name": "page", "notebook": "notebooks/heading.ipynb"}]
    export = tmp_path / "raw" / "cpp.csv"
    export.parent.mkdir()
    export.write_bytes((SYNTHETIC / "cpp.csv").read_bytes())
    profile = project(tmp_path, entries, inputs={"cpp": {"path": str(export), "optional": True}})
    first = CliRunner().invoke(command, ["--config", str(profile), "--no-progress"])
    assert first.exit_code == 0, first.output
    fresh = (tmp_path / "reports" / "latest" / "page.html").read_text(encoding="utf-8")
    assert "not updated" not in fresh
    export.unlink()
    result = CliRunner().invoke(command, ["--config", str(profile), "--no-progress"])
    assert result.exit_code == 0, result.output
    run = run_dirs(tmp_path / "reports")[-1]
    assert manifest(run)["notebooks"][0]["parameters"]["cpp_path"]  # the page was given it
    page = (run / "page.html").read_text(encoding="utf-8")
    assert "The CPP figures were not updated in this run" in page
    assert re.search(r"not updated since \d{1,2} [A-Z][a-z]+ \d{4}", page)


def test_an_export_that_cannot_be_cleaned_is_one_plain_sentence(tmp_path):
    """Which input, what is wrong, how to fix it: no exception type, no double full stop, and
    every file the message points to exists (no notebook ran, so there is no error page)."""
    export = tmp_path / "raw" / "cpp.csv"
    export.parent.mkdir()
    export.write_text("a,b\n1,2\n", encoding="utf-8")
    entries = [{"name": "quick", "notebook": "notebooks/quick.ipynb"}]
    profile = project(tmp_path, entries, inputs={"cpp": str(export)})
    result = CliRunner().invoke(command, ["--config", str(profile), "--no-progress"])
    assert result.exit_code == 1
    err = result.stderr
    assert f"The CPP export ({export}, clean.inputs.cpp in the profile) cannot be cleaned" in err
    assert "No header row found" in err and "sscb clean cpp" in err
    assert not re.search(r"\b[A-Z][A-Za-z]*(Error|Exception)\b", err), err
    assert ".." not in err.replace("...", "")
    assert "error page" not in err
    pointers = re.findall(r"(?:the run's log|the error is shown on):? (\S+)", err)
    run = run_dirs(tmp_path / "reports")[-1]
    assert pointers == [str(run / "run.log")] and (run / "run.log").is_file()

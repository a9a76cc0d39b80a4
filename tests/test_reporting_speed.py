"""What keeps ``sscb run`` fast without changing what it writes: the order notebooks start in
(schedule.py), and nbformat imported without the IRI grammar no notebook uses (fast_imports.py).
Timings themselves are measured in benchmarks/, never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pytest

from sscb_analysis.paths import NOTEBOOKS
from sscb_analysis.reporting.fast_imports import skip_iri_grammar
from sscb_analysis.reporting.runner import Progress, _execute_all
from sscb_analysis.reporting.schedule import expected_durations, priorities
from sscb_analysis.reporting.worker import NotebookOutcome, NotebookTask


@dataclass(frozen=True)
class Entry:
    name: str
    depends_on: tuple[str, ...] = ()
    notebook: Path = NOTEBOOKS / "00_data_quality.ipynb"  # exists: the entry can start
    after: tuple[str, ...] = ()  # waits for these whatever their status (the summary's way)


# The demonstration's shape: a summary waiting for six reports, two reports nobody waits for.
SUMMARY_DEPS = ("00", "01", "02", "03", "04", "06")
ENTRIES = [Entry(n) for n in ("00", "00m", "01", "02", "03", "04", "06", "07")] + [
    Entry("05", SUMMARY_DEPS)
]
SECONDS = {"00": 6, "00m": 10, "01": 6, "02": 8, "03": 4, "04": 5, "06": 13, "07": 10, "05": 6}


def test_priority_is_the_longest_chain_of_work_an_entry_holds_up():
    level = priorities(ENTRIES, SECONDS)
    assert level["05"] == 6
    assert level["06"] == 13 + 6  # the summary waits for it
    assert level["00m"] == 10 and level["07"] == 10  # nobody waits for them
    chain = [Entry("a"), Entry("b", ("a",)), Entry("c", ("b",)), Entry("d", ("a",))]
    assert priorities(chain, {"a": 1, "b": 2, "c": 3, "d": 10}) == {
        "a": 11,  # a then d is longer than a, b, c
        "b": 5,
        "c": 3,
        "d": 10,
    }


def test_without_history_what_others_wait_for_comes_first():
    level = priorities(ENTRIES, {})
    assert all(level[d] == 2 for d in SUMMARY_DEPS)
    assert level["00m"] == level["07"] == level["05"] == 1
    # unknown entries count as the median of the known ones; foreign dependencies are ignored
    assert priorities([Entry("x"), Entry("y", ("elsewhere",))], {"x": 4}) == {"x": 4, "y": 4}


@pytest.mark.parametrize(
    "manifest",
    [
        None,
        "not json",
        json.dumps([1, 2]),
        json.dumps({"notebooks": "no"}),
        json.dumps({"notebooks": [{"name": "a", "duration_s": "5"}, {"name": "b"}, 7]}),
        json.dumps({"notebooks": [{"name": "a", "duration_s": True}, {"duration_s": 3}]}),
        json.dumps({"notebooks": [{"name": "a", "duration_s": -1}]}),
    ],
)
def test_expected_durations_ignore_what_is_not_a_duration(tmp_path, manifest):
    if manifest is not None:
        (tmp_path / "latest").mkdir()
        (tmp_path / "latest" / "manifest.json").write_text(manifest, encoding="utf-8")
    assert expected_durations(tmp_path) == {}


def test_expected_durations_come_from_the_latest_run(tmp_path):
    run = tmp_path / "20130401-000000-abcd"
    run.mkdir()
    notebooks = [{"name": "a", "duration_s": 5.5}, {"name": "b", "duration_s": 2}]
    (run / "manifest.json").write_text(json.dumps({"notebooks": notebooks}), encoding="utf-8")
    (tmp_path / "latest").symlink_to(run.name)
    assert expected_durations(tmp_path) == {"a": 5.5, "b": 2.0}


class _FakePool:
    """A stand-in for the worker pool: records what it was handed, in order, and how many tasks
    were unfinished at each hand-over; each task finishes ``delay`` seconds after it is handed
    over (only the runner's choices are under test; real runs are in test_reporting_run.py)."""

    def __init__(self, workers: int, delay: float = 0.0) -> None:
        self._max_workers = workers
        self.delay = delay
        self.started: list[str] = []
        self.in_flight: list[int] = []
        self._futures: list[Future] = []

    def submit(self, _fn, task: NotebookTask) -> Future:
        self.started.append(task.name)
        future: Future = Future()
        self._futures.append(future)
        self.in_flight.append(sum(not f.done() for f in self._futures))
        outcome = NotebookOutcome(task.name, "ok", 0.0)
        if self.delay:
            threading.Timer(self.delay, future.set_result, (outcome,)).start()
        else:
            future.set_result(outcome)
        return future


def _run(folder: Path, entries, seconds, workers=1, delay=0.0):
    pool = _FakePool(workers, delay)
    tasks = {
        e.name: NotebookTask(e.name, str(e.notebook), "run", "run", {}, 60, 60) for e in entries
    }
    progress = Progress({"notebooks": []}, folder / "manifest.json")
    order = priorities(entries, seconds)
    outcomes = _execute_all(entries, tasks, pool, False, progress, order)  # type: ignore[arg-type]
    assert {o.status for o in outcomes.values()} == {"ok"}
    return pool


def test_the_runner_starts_the_longest_chain_first(tmp_path):
    pool = _run(tmp_path, ENTRIES, SECONDS)
    # 06 first (13 s, and the summary waits for it); 00m (10 s) before 03 (4 s + the summary's
    # 6 s = 10 s) by the config's order; the summary once the six it needs are done
    assert pool.started == ["06", "02", "00", "01", "04", "00m", "03", "07", "05"]
    assert _run(tmp_path, [Entry("b"), Entry("a")], {}).started == [
        "b",
        "a",
    ]  # config order among equals


def test_no_more_tasks_are_handed_over_than_there_are_workers(tmp_path):
    pool = _run(tmp_path, ENTRIES, SECONDS, workers=2, delay=0.05)
    assert max(pool.in_flight) == 2 and len(pool.started) == len(ENTRIES)
    assert pool.started.index("05") > max(pool.started.index(d) for d in SUMMARY_DEPS)


def test_nbformat_without_the_iri_grammar_reads_and_validates_notebooks():
    script = (
        "import sys\n"
        "from sscb_analysis.reporting.fast_imports import skip_iri_grammar\n"
        "assert skip_iri_grammar()\n"
        "import nbformat, papermill\n"
        "from jsonschema import FormatChecker\n"
        "assert 'iri' not in FormatChecker.checkers and 'uri' in FormatChecker.checkers\n"
        f"nb = nbformat.read({str(NOTEBOOKS / '01_cpp_repeat_plans.ipynb')!r}, as_version=4)\n"
        "nbformat.validate(nb)\n"
        "broken = nbformat.from_dict({**nb, 'cells': [{'cell_type': 'nonsense'}]})\n"
        "try:\n"
        "    nbformat.validate(broken)\n"
        "except nbformat.ValidationError:\n"
        "    print('refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "refused"  # validation still works


def test_once_jsonschema_is_imported_the_guard_leaves_it_alone():
    import jsonschema  # noqa: F401  (this session's nbval plugin imports it anyway)

    assert skip_iri_grammar() is False

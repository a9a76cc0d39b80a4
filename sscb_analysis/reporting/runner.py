"""``sscb run``: clean if needed, run the report notebooks in parallel, publish ``reports/``.

One run writes ``reports/<run-id>/`` (executed notebooks, board and analyst HTML, figures JSON,
``manifest.json``, ``run.log``), rebuilds ``reports/index.html`` and, when every notebook
succeeded, points ``reports/latest`` at it. A lock on ``reports/.lock`` keeps two runs apart.
A failing notebook does not stop the others; it is kept, rendered and marked failed.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from sscb_analysis.provenance import is_synthetic
from sscb_analysis.reporting.config import (
    NotebookEntry,
    ReportsConfig,
    is_path_parameter,
    normalise_value,
    resolve_parameter,
)
from sscb_analysis.reporting.context import (
    OVERRIDES,
    InputInfo,
    ReportContext,
    build_context,
    check_run_parameters,
    notebook_values,
    write_run_context,
)
from sscb_analysis.reporting.errors import ConfigError
from sscb_analysis.reporting.index import mark_interrupted_runs, point_latest_at, write_index
from sscb_analysis.reporting.manifest import (
    MANIFEST_NAME,
    MANIFEST_VERSION,
    git_commit,
    hash_inputs,
    package_versions,
    write_json_atomic,
)
from sscb_analysis.reporting.parameters import notebook_parameter_names, unknown_overrides
from sscb_analysis.reporting.period import PeriodError
from sscb_analysis.reporting.prepare import (
    Cleaner,
    PreparedExtract,
    PrepareError,
    ensure_dataset,
    ensure_processed,
)
from sscb_analysis.reporting.schedule import expected_durations, priorities
from sscb_analysis.reporting.worker import (
    NotebookOutcome,
    NotebookTask,
    execute_task,
    init_worker,
    output_names,
    warm_up,
)

log = logging.getLogger("sscb_analysis.reporting")

LOCK_NAME = ".lock"
LOG_NAME = "run.log"


class SafeFormatter(logging.Formatter):
    """Log lines with control characters shown as escapes: paths, headers and messages from
    outside reach terminals and run.log (``escape.terminal_text``)."""

    def format(self, record: logging.LogRecord) -> str:
        from sscb_analysis.escape import terminal_text

        return terminal_text(super().format(record), multiline=True)


class RunLockedError(RuntimeError):
    """Another ``sscb run`` holds the lock on the reports folder."""


@dataclass
class RunResult:
    """The outcome of one ``sscb run``."""

    run_id: str
    run_dir: Path
    status: str
    notebooks: list[NotebookOutcome] = field(default_factory=list)
    error: str | None = None
    partial: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every notebook succeeded, 1 otherwise (failed or interrupted)."""
        return 0 if self.status == "ok" else 1


def new_run_id(now: dt.datetime | None = None) -> str:
    """A sortable, unique run id: UTC date and time plus 4 random hex digits."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def run_reports(
    config: ReportsConfig,
    *,
    only: Sequence[str] = (),
    overrides: Mapping[str, Any] | None = None,
    jobs: int | None = None,
    out: str | Path | None = None,
    progress: bool | None = None,
    cleaner: Cleaner | None = None,
) -> RunResult:
    """Run the configured notebooks (or just ``only``: a partial run) and publish them under
    ``out``.

    ``overrides`` replace parameters of every selected notebook. Raises :class:`RunLockedError`
    when another run holds the lock and ``ConfigError`` for an unknown ``only`` name, an override
    that no selected notebook declares, a shared parameter the context refuses, or an unusable
    ``out`` folder.
    """
    selected = (
        [config.entry(name) for name in dict.fromkeys(only)] if only else list(config.entries)
    )
    overrides = {k: normalise_value(v) for k, v in (overrides or {}).items()}
    unknown = unknown_overrides(set(overrides) - set(OVERRIDES), [e.notebook for e in selected])
    if unknown:
        files = [e.notebook for e in selected if e.notebook.is_file()]
        declared = sorted(set().union(*(notebook_parameter_names(nb) for nb in files)))
        raise ConfigError(
            f"no notebook in this run has a parameter called {', '.join(map(repr, unknown))}; "
            f"the parameters are: {', '.join(declared)}"
        )
    check_run_parameters(config, overrides)
    # Absolute: every path handed to a kernel (run_dir, the figures file) must survive the
    # kernel starting in the notebook's folder, not the folder `sscb run` was started in.
    out_dir = (Path(out).expanduser() if out is not None else config.out).absolute()
    _usable_out(out_dir)
    lock = FileLock(str(out_dir / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise RunLockedError(
            f"another `sscb run` is writing to {out_dir} (it holds {out_dir / LOCK_NAME}); "
            "wait for it to finish, then run again"
        ) from None
    try:
        return _run_locked(
            config, selected, overrides, jobs or config.jobs, out_dir, progress, cleaner
        )
    finally:
        lock.release()


def _usable_out(out_dir: Path) -> None:
    """Create the reports folder, or say in a sentence why it cannot be used."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError(f"--out {out_dir}: a file of that name exists; give a folder") from None
    except OSError as exc:
        raise ConfigError(
            f"--out {out_dir}: the folder cannot be created ({exc.strerror or exc}); "
            "give a folder you can write to"
        ) from None
    if not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir} is not a folder; give a folder")
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise ConfigError(f"--out {out_dir}: you cannot write to this folder; give another")


class RunInterruptedError(BaseException):
    """The run was stopped by Ctrl-C or SIGTERM. A ``BaseException``, as ``KeyboardInterrupt``
    is, so no ``except Exception`` on the way swallows it."""


@dataclass
class Progress:
    """Keeps ``manifest.json`` in step with the run, notebook by notebook."""

    manifest: dict[str, Any]
    path: Path
    stop: StopSignal | None = None

    def started(self, name: str) -> None:
        self._update(name, status="running")

    def done(self, outcome: NotebookOutcome) -> None:
        self._update(outcome.name, **_outcome_fields(outcome))

    def _update(self, name: str, **fields: Any) -> None:
        for item in self.manifest["notebooks"]:
            if item["name"] == name:
                item.update(fields)
        write_json_atomic(self.path, self.manifest)


def _run_locked(
    config: ReportsConfig,
    selected: list[NotebookEntry],
    overrides: dict[str, Any],
    jobs: int,
    out_dir: Path,
    progress: bool | None,
    cleaner: Cleaner | None,
) -> RunResult:
    for stale in mark_interrupted_runs(out_dir):
        log.warning("run %s had stopped before it finished; marked interrupted", stale)
    started = dt.datetime.now(dt.UTC)
    run_id = new_run_id(started)
    run_dir = out_dir / run_id
    run_dir.mkdir(parents=True)
    handler = logging.FileHandler(run_dir / LOG_NAME, encoding="utf-8")
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    previous_level = log.level
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    clock = time.perf_counter()
    partial = {e.name for e in selected} != {e.name for e in config.entries}
    pool: ProcessPoolExecutor | None = None
    manifest: dict[str, Any] = {}
    try:
        with _signals_interrupt() as stop:
            log.info(
                "run %s: %d notebook(s)%s, %d job(s), output %s",
                run_id,
                len(selected),
                " (a partial run: reports/latest will not move)" if partial else "",
                jobs,
                run_dir,
            )
            git = git_commit(config.root)
            manifest = _manifest_start(config, run_id, started, git, jobs, overrides, selected)
            manifest["partial"] = partial
            write_json_atomic(run_dir / MANIFEST_NAME, manifest)
            pool = _start_pool(min(jobs, sum(e.notebook.is_file() for e in selected)))
            error, outcomes = _prepare_and_execute(
                config,
                selected,
                overrides,
                Progress(manifest, run_dir / MANIFEST_NAME, stop),
                git,
                run_dir,
                started,
                pool,
                progress,
                cleaner,
            )
            # No notebook ran when the data could not be prepared: the workers are only
            # importing, so they are stopped rather than waited for (seconds on every failure).
            pool = _stop_pool(pool, wait_for_workers=error is None)
        results = [outcomes[e.name] for e in selected]
        status = "ok" if error is None and all(o.status == "ok" for o in results) else "failed"
        manifest.update(
            status=status,
            error=error,
            finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            duration_s=round(time.perf_counter() - clock, 3),
            data_are_synthetic=any(o.data_are_synthetic for o in results),
        )
        for item in manifest["notebooks"]:
            item.update(_outcome_fields(outcomes[item["name"]]))
        # --- the A4 board pack (sscb_analysis.reporting.pdf) for a complete run: a pack that
        # cannot be written fails the run, so `latest` never lacks one ---
        from sscb_analysis.reporting.pdf import PACK_NAME, board_pack_step

        pack_error = board_pack_step(run_dir, manifest)
        if pack_error:
            status, error = "failed", pack_error
            manifest.update(status=status, error=error)
        elif (run_dir / PACK_NAME).is_file():
            manifest["board_pack"] = PACK_NAME  # the index links it with the board pages
        # --- end of the board pack step ---
        write_json_atomic(run_dir / MANIFEST_NAME, manifest)
        if status == "ok" and not partial:
            point_latest_at(out_dir, run_id)
            log.info("run %s succeeded; %s/latest now points at it", run_id, out_dir)
        elif status == "ok":
            log.info("partial run %s succeeded; %s/latest left unchanged", run_id, out_dir)
        else:
            failed = [o.name for o in results if o.status != "ok"]
            log.error(
                "run %s FAILED (%s/latest left unchanged): %s",
                run_id,
                out_dir,
                error or ", ".join(failed),
            )
        write_index(out_dir)
        log.info(
            "finished in %.1f s; index at %s", time.perf_counter() - clock, out_dir / "index.html"
        )
        return RunResult(run_id, run_dir, status, results, error, partial)
    except (KeyboardInterrupt, RunInterruptedError) as exc:
        _kill_workers(pool)
        reason = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else str(exc)
        error = f"interrupted ({reason}) after {time.perf_counter() - clock:.0f} s"
        _mark_interrupted(manifest, run_dir, error)
        write_index(out_dir)
        log.error("run %s %s; %s/latest left unchanged", run_id, error, out_dir)
        return RunResult(run_id, run_dir, "interrupted", [], error, partial)
    finally:
        _stop_pool(pool, wait_for_workers=False)
        log.removeHandler(handler)
        handler.close()
        log.setLevel(previous_level)


def _mark_interrupted(manifest: dict[str, Any], run_dir: Path, error: str) -> None:
    """Write at once that the run was interrupted, keeping what finished before."""
    if not manifest:
        return
    manifest.update(
        status="interrupted",
        error=error,
        finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    for item in manifest.get("notebooks", []):
        if item.get("status") in (None, "pending", "running"):
            item["status"] = "interrupted"
    write_json_atomic(run_dir / MANIFEST_NAME, manifest)


class StopSignal:
    """Ctrl-C (SIGINT) and SIGTERM while a run is on.

    Outside the notebook loop the handler raises :class:`RunInterruptedError` at once. Inside it
    (``deferred``) the handler only notes the signal and the loop raises within a fraction of a
    second, from a point where it holds none of the worker pool's locks: an exception raised
    inside the pool's own code could leave a lock held and the process unable to exit.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reason: str | None = None
        self.deferred = False

    def handle(self, signum: int, _frame: Any) -> None:
        self.reason = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        self.event.set()
        if not self.deferred:
            raise RunInterruptedError(self.reason)

    def check(self) -> None:
        if self.event.is_set():
            raise RunInterruptedError(self.reason or "stopped")


@contextmanager
def _signals_interrupt() -> Iterator[StopSignal]:
    """Catch SIGINT and SIGTERM while the run is on (only in the main thread, where signals
    arrive); elsewhere Ctrl-C stays a ``KeyboardInterrupt``."""
    stop = StopSignal()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.signal(sig, stop.handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _prepare_and_execute(
    config: ReportsConfig,
    selected: list[NotebookEntry],
    overrides: dict[str, Any],
    progress_log: Progress,
    git: dict[str, Any],
    run_dir: Path,
    started: dt.datetime,
    pool: ProcessPoolExecutor | None,
    progress: bool | None,
    cleaner: Cleaner | None,
) -> tuple[str | None, dict[str, NotebookOutcome]]:
    """Clean stale exports, build the run's context, then run the notebooks.

    Returns (error, outcomes); a data or period problem is the error, and no notebook runs.
    """
    manifest = progress_log.manifest
    steps: list[PreparedExtract] = []
    try:
        steps = ensure_processed(config.clean_inputs, _processed_dir(config), cleaner)
        dataset = ensure_dataset(config.dataset, _processed_dir(config))
        manifest["clean"] = [s.as_dict() for s in [*steps, *([dataset] if dataset else [])]]
        ctx = build_context(
            config,
            {k: v for k, v in overrides.items() if k in OVERRIDES},
            inputs={s.kind: _input_info(s) for s in steps},
            run_dir=run_dir,
            dataset=_input_info(dataset) if dataset else None,
        )
    except (PrepareError, PeriodError, ConfigError) as exc:
        log.error("%s", exc)
        skipped = {
            e.name: NotebookOutcome(
                e.name, "skipped", 0.0, error="not run: the data could not be prepared"
            )
            for e in selected
        }
        return str(exc), skipped
    finally:
        manifest["inputs"] = _relative_keys(
            hash_inputs(_input_files(config, selected)), config.root
        )
    write_run_context(run_dir, ctx)
    manifest["context"] = ctx.as_dict()
    log.info("period under review: %s (%s)", ctx.period_label, ctx.period_basis)
    params = {e.name: _parameters(config, e, ctx, overrides, run_dir) for e in selected}
    synthetic = _synthetic_entries(params)
    for item in manifest["notebooks"]:
        item["parameters"] = params[item["name"]]
    tasks = {
        e.name: NotebookTask(
            name=e.name,
            notebook=str(e.notebook),
            run_dir=str(run_dir),
            run_id=run_dir.name,
            parameters=params[e.name],
            execution_timeout=config.execution_timeout,
            start_timeout=config.start_timeout,
            kernel_name=e.kernel_name,
            title=e.title,
            commit=git.get("commit"),
            generated=started.strftime("%Y-%m-%d %H:%M UTC"),
            synthetic_hint=synthetic[e.name],
        )
        for e in selected
    }
    write_json_atomic(progress_log.path, manifest)
    order = priorities(selected, expected_durations(run_dir.parent))
    return None, _execute_all(
        selected, tasks, pool, _use_progress_bar(progress), progress_log, order
    )


def _processed_dir(config: ReportsConfig) -> Path:
    from sscb_analysis import paths

    return config.processed_dir or paths.PROCESSED


def _input_info(step: PreparedExtract) -> InputInfo:
    return InputInfo(
        kind=step.kind,
        path=None if step.action == "absent" else str(step.processed),
        synthetic=step.synthetic,
        generated_by=step.generated_by,
        optional=step.optional,
        not_updated_since=step.not_updated_since,
    )


def _parameters(
    config: ReportsConfig,
    entry: NotebookEntry,
    ctx: ReportContext,
    overrides: dict[str, Any],
    run_dir: Path,
) -> dict[str, Any]:
    """What one notebook gets: the context's values for the names it declares, then the
    profile's common parameters, the entry's own, the ``-p`` overrides, and ``run_dir``."""
    declared = notebook_parameter_names(entry.notebook) if entry.notebook.is_file() else set()
    from_context = {k: v for k, v in notebook_values(ctx).items() if k in declared}
    return {
        **from_context,
        **config.parameters_for(entry),
        **{k: resolve_parameter(k, v, config.root) for k, v in overrides.items()},
        "run_dir": str(run_dir),
    }


def _start_pool(workers: int) -> ProcessPoolExecutor | None:
    """Start ``workers`` worker processes now, so their imports overlap the data preparation.

    Workers are forked from multiprocessing's fork server, which imports papermill, nbconvert
    and the renderer once (:mod:`worker_preload`), where it is available (Linux, macOS), and
    spawned otherwise. Each worker takes this process's environment and working directory as
    they are now (a fork server keeps those it started with). Each worker dies with this process
    (``PR_SET_PDEATHSIG``, through the fork server, which ends with it), and its kernels follow
    it (ipykernel polls its parent), so a killed run leaves nothing running behind it.
    """
    if workers < 1:
        return None
    pool = ProcessPoolExecutor(
        workers,
        mp_context=_worker_context(),
        initializer=init_worker,
        initargs=(os.getpid(), dict(os.environ), os.getcwd()),
    )
    for _ in range(workers):
        pool.submit(warm_up)
    return pool


def _worker_context() -> Any:
    """multiprocessing's fork server with the workers' imports preloaded, or else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sscb_analysis.reporting.worker_preload"])
    return context


def _stop_pool(pool: ProcessPoolExecutor | None, *, wait_for_workers: bool) -> None:
    """Shut the pool down; without waiting, kill its workers first (their kernels follow)."""
    if pool is None:
        return None
    if not wait_for_workers:
        _kill_workers(pool)
    pool.shutdown(wait=wait_for_workers, cancel_futures=True)
    return None


def _kill_workers(pool: ProcessPoolExecutor | None) -> None:
    """SIGKILL the pool's worker processes (no lock of the pool is taken)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.kill()


def _execute_all(
    entries: list[NotebookEntry],
    tasks: dict[str, NotebookTask],
    pool: ProcessPoolExecutor | None,
    progress_bar: bool,
    progress: Progress,
    priority: Mapping[str, float],
) -> dict[str, NotebookOutcome]:
    """Run tasks on the worker pool, each entry after the entries it depends on and, among the
    entries ready, the highest ``priority`` first (:mod:`sscb_analysis.reporting.schedule`); no
    more are handed to the pool than it has workers, so a summary that becomes ready overtakes
    reports nobody waits for. ``progress`` hears of each start and end (the manifest follows
    the run as it goes)."""
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    selected = {e.name for e in entries}
    pending = sorted(entries, key=lambda e: -priority.get(e.name, 0.0))
    workers = getattr(pool, "_max_workers", 1)  # (no pool: the error below says why)
    outcomes: dict[str, NotebookOutcome] = {}
    running: dict[Future[NotebookOutcome], str] = {}
    total = len(entries)
    bar = tqdm(total=total, desc="notebooks", unit="nb", disable=not progress_bar, file=sys.stderr)
    with logging_redirect_tqdm(loggers=[log]) if progress_bar else nullcontext():
        while pending or running:
            for entry in list(pending):
                deps = [d for d in entry.depends_on if d in selected]
                waits = [d for d in entry.after if d in selected]  # finished, any status
                if not all(d in outcomes for d in [*deps, *waits]):
                    continue
                bad = [d for d in deps if outcomes[d].status != "ok"]
                early = _check_before_start(entry, bad)
                if early is None and len(running) >= workers:
                    continue  # every worker is busy: wait for one
                pending.remove(entry)
                if early is not None:
                    _done(early, outcomes, bar, total)
                    progress.done(early)
                    continue
                if pool is None:  # unreachable: a pool exists whenever a notebook file does
                    raise RuntimeError("no worker pool for an existing notebook")
                log.info("starting %s (%s)", entry.name, entry.notebook)
                running[pool.submit(execute_task, tasks[entry.name])] = entry.name
                progress.started(entry.name)
            if not running:
                continue
            finished = _wait_or_stop(list(running), progress.stop)
            for future in finished:
                name = running.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker process died
                    outcome = NotebookOutcome(
                        name, "failed", 0.0, error=f"worker process failed: {exc!r}"
                    )
                _done(outcome, outcomes, bar, total)
                progress.done(outcome)
    bar.close()
    return outcomes


def _wait_or_stop(
    running: list[Future[NotebookOutcome]], stop: StopSignal | None
) -> set[Future[NotebookOutcome]]:
    """The futures that finished; a stop signal is raised here, outside the pool's locks."""
    if stop is None:
        return wait(running, return_when=FIRST_COMPLETED)[0]
    stop.deferred = True
    try:
        while True:
            stop.check()
            finished = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)[0]
            if finished:
                return finished
    finally:
        stop.deferred = False


def _check_before_start(entry: NotebookEntry, failed_deps: list[str]) -> NotebookOutcome | None:
    """An outcome for an entry that cannot start (missing notebook, failed dependency)."""
    if failed_deps:
        return NotebookOutcome(
            entry.name,
            "skipped",
            0.0,
            error=f"not run: it depends on {', '.join(failed_deps)}, which did not succeed",
        )
    if not entry.notebook.is_file():
        return NotebookOutcome(
            entry.name,
            "failed",
            0.0,
            error=f"notebook not found: {entry.notebook} (listed in the reports config as "
            f"{entry.name}; write it or remove the entry)",
        )
    return None


def _done(
    outcome: NotebookOutcome, outcomes: dict[str, NotebookOutcome], bar: Any, total: int
) -> None:
    outcomes[outcome.name] = outcome
    bar.update(1)
    position = f"[{len(outcomes)}/{total}]"
    if outcome.status == "ok":
        log.info("%s %s ok (%.1f s)", position, outcome.name, outcome.duration_s)
    else:
        log.error("%s %s %s: %s", position, outcome.name, outcome.status.upper(), outcome.error)


def _use_progress_bar(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty()


def _manifest_start(
    config: ReportsConfig,
    run_id: str,
    started: dt.datetime,
    git: dict[str, Any],
    jobs: int,
    overrides: dict[str, Any],
    selected: list[NotebookEntry],
) -> dict[str, Any]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "finished": None,
        "duration_s": None,
        "status": "running",
        "error": None,
        "partial": False,
        "config": str(config.path) if config.path else None,
        "git": git,
        "packages": package_versions(),
        "command": sys.argv,
        "jobs": jobs,
        "execution_timeout": config.execution_timeout,
        "start_timeout": config.start_timeout,
        "overrides": overrides,
        "data_are_synthetic": False,
        "context": None,
        "clean": [],
        "inputs": {},
        "notebooks": [
            {
                "name": e.name,
                "notebook": _relative(e.notebook, config.root),
                "title": e.title,
                "depends_on": list(e.depends_on),
                "after": list(e.after),
                "parameters": {},
                "status": "pending",
                "duration_s": None,
                "error": None,
                "outputs": output_names(e.name),
            }
            for e in selected
        ],
    }


def _outcome_fields(outcome: NotebookOutcome) -> dict[str, Any]:
    fields = asdict(outcome)
    fields.pop("name")
    return fields


def _input_files(config: ReportsConfig, selected: list[NotebookEntry]) -> list[Path]:
    """Every file the run read: notebooks, the profile, exports and processed sets, and the
    path parameters of the entries."""
    files: list[Path] = [e.notebook for e in selected]
    if config.path:
        files.append(config.path)
    processed = _processed_dir(config)
    for spec in config.clean_inputs.values():
        files.extend(spec.paths)
        if spec.layout:
            files.append(spec.layout)
        files.append(processed / f"{spec.kind}.parquet")
    if config.dataset is not None:
        from sscb_analysis.dataset.processed import processed_dataset_path

        files.extend([*config.dataset.paths, processed_dataset_path(processed)])
    for entry in selected:
        for key, value in config.parameters_for(entry).items():
            if is_path_parameter(key) and isinstance(value, str) and value:
                files.append(Path(value))
    return list(dict.fromkeys(files))


def _synthetic_entries(params: dict[str, dict[str, Any]]) -> dict[str, bool]:
    """Per entry: did any file it reads come from the generator (by provenance, not by name)?"""
    cache: dict[str, bool] = {}
    result = {}
    for name, values in params.items():
        flag = False
        for key, value in values.items():
            if key == "run_dir" or not is_path_parameter(key) or not isinstance(value, str):
                continue
            if value and value not in cache:
                cache[value] = Path(value).is_file() and is_synthetic(value)
            flag = flag or cache.get(value, False)
        result[name] = flag
    return result


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _relative_keys(hashes: dict[str, str], root: Path) -> dict[str, str]:
    return {_relative(Path(k), root): v for k, v in hashes.items()}

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
import secrets
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from sscb_analysis.reporting.config import (
    ConfigError,
    NotebookEntry,
    ReportsConfig,
    is_path_parameter,
    normalise_value,
    resolve_parameter,
)
from sscb_analysis.reporting.figures import is_synthetic_source
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
from sscb_analysis.reporting.prepare import Cleaner, PrepareError, ensure_processed
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

    @property
    def exit_code(self) -> int:
        """0 when every notebook succeeded, 1 otherwise."""
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
    """Run the configured notebooks (or just ``only``) and publish them under ``out``.

    ``overrides`` replace parameters of every selected notebook. Raises :class:`RunLockedError`
    when another run holds the lock and ``ConfigError`` for an unknown ``only`` name or an override
    that no selected notebook declares as a parameter.
    """
    selected = [config.entry(name) for name in only] if only else list(config.entries)
    unknown = unknown_overrides(set(overrides or {}), [e.notebook for e in selected])
    if unknown:
        files = [e.notebook for e in selected if e.notebook.is_file()]
        declared = sorted(set().union(*(notebook_parameter_names(nb) for nb in files)))
        raise ConfigError(
            f"no notebook in this run has a parameter called {', '.join(map(repr, unknown))}; "
            f"the parameters are: {', '.join(declared)}"
        )
    out_dir = Path(out) if out is not None else config.out
    out_dir.mkdir(parents=True, exist_ok=True)
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
            config, selected, dict(overrides or {}), jobs or config.jobs, out_dir, progress, cleaner
        )
    finally:
        lock.release()


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
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    previous_level = log.level
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    clock = time.perf_counter()
    try:
        log.info(
            "run %s: %d notebook(s), %d job(s), output %s", run_id, len(selected), jobs, run_dir
        )
        git = git_commit(config.root)
        overrides = {k: normalise_value(v) for k, v in overrides.items()}
        params = {
            e.name: {
                **config.parameters_for(e),
                **{k: resolve_parameter(k, v, config.root) for k, v in overrides.items()},
                "run_dir": str(run_dir),
            }
            for e in selected
        }
        manifest = _manifest_start(config, run_id, started, git, jobs, overrides, selected, params)
        write_json_atomic(run_dir / MANIFEST_NAME, manifest)

        pool = _start_pool(min(jobs, sum(e.notebook.is_file() for e in selected)))
        try:
            error, outcomes = _prepare_and_execute(
                config, selected, params, manifest, git, run_id, started, pool, progress, cleaner
            )
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

        results = [outcomes[e.name] for e in selected]
        status = "ok" if error is None and all(o.status == "ok" for o in results) else "failed"
        manifest.update(
            status=status,
            error=error,
            finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            duration_s=round(time.perf_counter() - clock, 3),
            data_are_synthetic=manifest["data_are_synthetic"]
            or any(o.data_are_synthetic for o in results),
        )
        for item in manifest["notebooks"]:
            item.update(_outcome_fields(outcomes[item["name"]]))
        # --- the A4 board pack (sscb_analysis.reporting.pdf) for a complete run: a pack that
        # cannot be written fails the run, so `latest` never lacks one ---
        from sscb_analysis.reporting.pdf import board_pack_step

        pack_error = board_pack_step(run_dir, manifest)
        if pack_error:
            status, error = "failed", pack_error
            manifest.update(status=status, error=error)
        # --- end of the board pack step ---
        write_json_atomic(run_dir / MANIFEST_NAME, manifest)
        if status == "ok":
            point_latest_at(out_dir, run_id)
            log.info("run %s succeeded; %s/latest now points at it", run_id, out_dir)
        else:
            failed = [o.name for o in results if o.status != "ok"]
            log.error(
                "run %s FAILED: %s; %s/latest left unchanged",
                run_id,
                ", ".join(failed) or error,
                out_dir,
            )
        write_index(out_dir)
        log.info(
            "finished in %.1f s; index at %s", time.perf_counter() - clock, out_dir / "index.html"
        )
        return RunResult(run_id, run_dir, status, results, error)
    finally:
        log.removeHandler(handler)
        handler.close()
        log.setLevel(previous_level)


def _prepare_and_execute(
    config: ReportsConfig,
    selected: list[NotebookEntry],
    params: dict[str, dict[str, Any]],
    manifest: dict[str, Any],
    git: dict[str, Any],
    run_id: str,
    started: dt.datetime,
    pool: ProcessPoolExecutor | None,
    progress: bool | None,
    cleaner: Cleaner | None,
) -> tuple[str | None, dict[str, NotebookOutcome]]:
    """Clean stale extracts, hash the inputs, then run the notebooks; return (error, outcomes)."""
    run_dir = Path(params[selected[0].name]["run_dir"])
    try:
        steps = ensure_processed(config.clean_inputs, config.processed_dir, cleaner)
        manifest["clean"] = [s.as_dict() for s in steps]
    except PrepareError as exc:
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
            hash_inputs(_input_files(config, selected, params)), config.root
        )
    synthetic = _synthetic_inputs(config, params)
    manifest["data_are_synthetic"] = any(synthetic.values())
    tasks = {
        e.name: NotebookTask(
            name=e.name,
            notebook=str(e.notebook),
            run_dir=str(run_dir),
            run_id=run_id,
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
    return None, _execute_all(selected, tasks, pool, _use_progress_bar(progress))


def _start_pool(workers: int) -> ProcessPoolExecutor | None:
    """Start ``workers`` worker processes now, so their imports overlap the data preparation."""
    if workers < 1:
        return None
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=init_worker
    )
    for _ in range(workers):
        pool.submit(warm_up)
    return pool


def _execute_all(
    entries: list[NotebookEntry],
    tasks: dict[str, NotebookTask],
    pool: ProcessPoolExecutor | None,
    progress_bar: bool,
) -> dict[str, NotebookOutcome]:
    """Run tasks on the worker pool, each entry after the entries it depends on."""
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    selected = {e.name for e in entries}
    pending = list(entries)
    outcomes: dict[str, NotebookOutcome] = {}
    running: dict[Future[NotebookOutcome], str] = {}
    total = len(entries)
    bar = tqdm(total=total, desc="notebooks", unit="nb", disable=not progress_bar, file=sys.stderr)
    with logging_redirect_tqdm(loggers=[log]) if progress_bar else nullcontext():
        while pending or running:
            for entry in list(pending):
                deps = [d for d in entry.depends_on if d in selected]
                if not all(d in outcomes for d in deps):
                    continue
                pending.remove(entry)
                bad = [d for d in deps if outcomes[d].status != "ok"]
                early = _check_before_start(entry, bad)
                if early is not None:
                    _done(early, outcomes, bar, total)
                    continue
                if pool is None:  # unreachable: a pool exists whenever a notebook file does
                    raise RuntimeError("no worker pool for an existing notebook")
                log.info("starting %s (%s)", entry.name, entry.notebook)
                running[pool.submit(execute_task, tasks[entry.name])] = entry.name
            if not running:
                continue
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker process died
                    outcome = NotebookOutcome(
                        name, "failed", 0.0, error=f"worker process failed: {exc!r}"
                    )
                _done(outcome, outcomes, bar, total)
    bar.close()
    return outcomes


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
    params: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "finished": None,
        "duration_s": None,
        "status": "running",
        "error": None,
        "partial": len(selected) < len(config.entries),
        "config": str(config.path) if config.path else None,
        "git": git,
        "packages": package_versions(),
        "command": sys.argv,
        "jobs": jobs,
        "execution_timeout": config.execution_timeout,
        "start_timeout": config.start_timeout,
        "overrides": overrides,
        "data_are_synthetic": False,
        "clean": [],
        "inputs": {},
        "notebooks": [
            {
                "name": e.name,
                "notebook": _relative(e.notebook, config.root),
                "title": e.title,
                "depends_on": list(e.depends_on),
                "parameters": params[e.name],
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


def _input_files(
    config: ReportsConfig, selected: list[NotebookEntry], params: dict[str, dict[str, Any]]
) -> list[Path]:
    files: list[Path] = [e.notebook for e in selected]
    if config.path:
        files.append(config.path)
    files.extend(config.clean_inputs.values())
    if config.processed_dir:
        files.extend(config.processed_dir / f"{kind}.parquet" for kind in config.clean_inputs)
    for values in params.values():
        for key, value in values.items():
            if key != "run_dir" and is_path_parameter(key) and isinstance(value, str) and value:
                files.append(Path(value))
    return list(dict.fromkeys(files))


def _synthetic_inputs(config: ReportsConfig, params: dict[str, dict[str, Any]]) -> dict[str, bool]:
    """Per entry: does any of its path parameters (or the run's raw extracts) look synthetic?"""
    raw_synthetic = any(is_synthetic_source(p) for p in config.clean_inputs.values())
    cache: dict[str, bool] = {}
    result = {}
    for name, values in params.items():
        flag = raw_synthetic
        for key, value in values.items():
            if key == "run_dir" or not is_path_parameter(key) or not isinstance(value, str):
                continue
            if value and value not in cache:
                cache[value] = Path(value).exists() and is_synthetic_source(value)
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

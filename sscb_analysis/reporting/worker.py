"""Executing one notebook and rendering its pages, inside a long-lived worker process.

``sscb run`` starts ``--jobs`` worker processes. Each imports papermill and nbconvert once
(:func:`init_worker`) and then runs many notebooks, so the ~3 s of imports is paid per worker, not
per notebook. A worker runs one notebook at a time, so it can set ``SSCB_RECORD_PATH`` in its own
environment for the kernel to inherit without racing another notebook.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sscb_analysis.reporting.figures import RECORD_PATH_ENV, RUN_DIR_ENV, SYNTHETIC_FLAG

_exporters: Any = None
_parent_pid: int | None = None
WORKER_LOG_NAME = "worker.log"
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class NotebookTask:
    """Everything a worker needs to run one config entry (picklable)."""

    name: str
    notebook: str
    run_dir: str
    run_id: str
    parameters: dict[str, Any]
    execution_timeout: int
    start_timeout: int
    kernel_name: str | None = None
    title: str | None = None
    commit: str | None = None
    generated: str | None = None
    synthetic_hint: bool = False


@dataclass
class NotebookOutcome:
    """How one notebook went: ``ok`` or ``failed``, with timings and the files written."""

    name: str
    status: str
    duration_s: float
    error: str | None = None
    kernel_name: str | None = None
    data_are_synthetic: bool = False
    outputs: dict[str, str] = field(default_factory=dict)
    figures: int = 0


def output_names(name: str) -> dict[str, str]:
    """File names a run writes for the entry ``name`` (relative to the run folder)."""
    return {
        "notebook": f"{name}.ipynb",
        "board_html": f"{name}.html",
        "analyst_html": f"{name}-analyst.html",
        "figures": f"{name}.json",
    }


def init_worker(parent_pid: int | None = None) -> None:
    """Die with the runner, then import the heavy modules and build the HTML exporters once."""
    global _exporters
    if parent_pid is not None:
        die_with_parent(parent_pid)
    import papermill  # noqa: F401

    # "Passed unknown parameter" is expected: common parameters go to every notebook.
    logging.getLogger("papermill").setLevel(logging.ERROR)
    from sscb_analysis.reporting.render import make_exporters

    _exporters = make_exporters()


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (``PR_SET_PDEATHSIG``).

    Without it a killed ``sscb run`` left its workers running, and they wrote pages into a run
    the next run had already marked interrupted (issue 12, finding 11). Kernels started by the
    worker watch it (ipykernel's parent poller) and stop within a second of its death. Elsewhere
    than Linux, a worker still checks its parent before each notebook.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the runner died before prctl took effect
        os._exit(1)
    global _parent_pid
    _parent_pid = parent_pid


def warm_up() -> int:
    """A no-op task: submitting one per worker starts every worker (and its imports) at once."""
    return os.getpid()


def execute_task(task: NotebookTask) -> NotebookOutcome:
    """Run ``task``'s notebook with papermill, then render both HTML pages (even on failure).

    The kernel's and the converters' stderr chatter goes to ``worker.log`` in the run folder.
    """
    with _stderr_to(Path(task.run_dir) / WORKER_LOG_NAME):
        return _execute(task)


def _execute(task: NotebookTask) -> NotebookOutcome:
    if _parent_pid is not None and os.getppid() != _parent_pid:
        os._exit(1)  # the runner is gone: write nothing more into its run folder
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    run_dir = Path(task.run_dir)
    names = output_names(task.name)
    out_nb = run_dir / names["notebook"]
    figures_path = run_dir / names["figures"]
    status, error = "ok", None

    kernel_name = task.kernel_name
    try:
        source = nbformat.read(task.notebook, as_version=4)
        kernel_name = kernel_name or source.metadata.get("kernelspec", {}).get("name")
        if not kernel_name:
            raise ValueError(
                f"{task.notebook} has no kernelspec in its metadata; open it in JupyterLab and "
                "choose the 'Python 3' kernel, or set kernel_name for it in the reports config"
            )
    except Exception as exc:
        return _finish(task, start, "failed", f"cannot read notebook: {exc}", kernel_name, names)

    _prepare_environment(figures_path, run_dir)
    try:
        papermill.execute_notebook(
            task.notebook,
            str(out_nb),
            parameters=task.parameters,
            kernel_name=kernel_name,
            progress_bar=False,
            log_output=False,
            start_timeout=task.start_timeout,
            execution_timeout=task.execution_timeout,
            cwd=str(Path(task.notebook).parent),
        )
    except PapermillExecutionError as exc:
        status = "failed"
        error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel that will not start, cell timeout, dead kernel
        status = "failed"
        error = f"{type(exc).__name__}: {exc}".strip()
        if not str(exc):
            error += "\n" + traceback.format_exc(limit=3)

    figures = _finalise_figures(figures_path, task, status)
    synthetic = task.synthetic_hint or bool(figures.get(SYNTHETIC_FLAG, {}).get("value"))
    if out_nb.is_file():
        try:
            _render(task, out_nb, run_dir, names, status, synthetic)
        except Exception as exc:
            status = "failed"
            error = (error + "; " if error else "") + f"rendering HTML failed: {exc}"
    else:
        error = (error or "") + " (no executed notebook was written)"
    outcome = _finish(task, start, status, error, kernel_name, names)
    outcome.data_are_synthetic = synthetic
    outcome.figures = len(figures)
    return outcome


def _prepare_environment(figures_path: Path, run_dir: Path) -> None:
    figures_path.unlink(missing_ok=True)
    os.environ[RECORD_PATH_ENV] = str(figures_path)
    os.environ[RUN_DIR_ENV] = str(run_dir)
    # An exported MPLBACKEND=Agg makes notebooks silently lose their figures (NOTES.md).
    if os.environ.get("MPLBACKEND", "").lower() == "agg":
        del os.environ["MPLBACKEND"]
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


@contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Send this process's stderr (and so the kernel's, which inherits it) to ``path``."""
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(target, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


def _finalise_figures(path: Path, task: NotebookTask, status: str) -> dict[str, Any]:
    """Add run metadata to the figures JSON (creating an empty one if nothing was recorded)."""
    from sscb_analysis.reporting.manifest import write_json_atomic

    figures: dict[str, Any] = {}
    if path.is_file():
        try:
            figures = json.loads(path.read_text(encoding="utf-8")).get("figures", {})
        except (OSError, ValueError, AttributeError):
            figures = {}
    write_json_atomic(
        path,
        {"notebook": task.name, "run_id": task.run_id, "status": status, "figures": figures},
    )
    return figures


def _render(
    task: NotebookTask,
    out_nb: Path,
    run_dir: Path,
    names: dict[str, str],
    status: str,
    synthetic: bool,
) -> None:
    from sscb_analysis.reporting.render import RenderContext, render_reports

    # The marking and disclosure policy come from the run's context.json (the renderer reads it).
    context = RenderContext(
        run_id=task.run_id,
        notebook_name=task.name,
        title=task.title,
        commit=task.commit,
        generated=task.generated,
        synthetic=synthetic,
        status=status,
    )
    render_reports(
        out_nb,
        run_dir / names["board_html"],
        run_dir / names["analyst_html"],
        context,
        exporters=_exporters,
    )


def _finish(
    task: NotebookTask,
    start: float,
    status: str,
    error: str | None,
    kernel_name: str | None,
    names: dict[str, str],
) -> NotebookOutcome:
    run_dir = Path(task.run_dir)
    written = {key: value for key, value in names.items() if (run_dir / value).is_file()}
    return NotebookOutcome(
        name=task.name,
        status=status,
        duration_s=round(time.perf_counter() - start, 3),
        error=error,
        kernel_name=kernel_name,
        outputs=written,
    )

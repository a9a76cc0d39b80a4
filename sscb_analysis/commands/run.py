"""``sscb run``: run the report notebooks listed in ``config/reports.yml`` and write ``reports/``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import yaml

if TYPE_CHECKING:
    from sscb_analysis.reporting.runner import RunResult

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_LOCKED = 4


@click.command("run")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Reports config (default: config/reports.yml in the project).",
)
@click.option("--only", multiple=True, metavar="NAME", help="Run only this entry (repeatable).")
@click.option(
    "-p",
    "--parameter",
    "parameters",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="Override a parameter of every notebook run; VALUE is read as YAML (7, 0.9, true, text).",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Notebooks run at once.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Reports folder (default: from the config, normally reports/).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar (default: only on a terminal; plain log lines otherwise).",
)
def command(
    config_path: Path | None,
    only: tuple[str, ...],
    parameters: tuple[tuple[str, str], ...],
    jobs: int | None,
    out: Path | None,
    progress: bool | None,
) -> None:
    """Clean the exports if needed, run the report notebooks and publish reports/.

    Exit codes: 0 every notebook succeeded; 1 a notebook or an export failed, or the run was
    interrupted (reports/latest is left on the previous complete run); 2 bad profile, option or
    --out folder; 4 another run holds the lock on the reports folder. A run with --only is
    partial: it exits 0 when its notebooks succeed but never moves reports/latest.
    """
    from sscb_analysis.reporting.config import ConfigError, load_config
    from sscb_analysis.reporting.runner import RunLockedError, run_reports

    _setup_logging()
    try:
        config = load_config(config_path)
        overrides = {name: _parse_value(value) for name, value in parameters}
        result = run_reports(
            config, only=only, overrides=overrides, jobs=jobs, out=out, progress=progress
        )
    except ConfigError as exc:
        _say(f"error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)
    except RunLockedError as exc:
        _say(f"error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    ok = sum(o.status == "ok" for o in result.notebooks)
    summary = f"run {result.run_id}: {ok}/{len(result.notebooks)} notebooks ok -> {result.run_dir}"
    if result.status == "interrupted":
        _say(f"INTERRUPTED run {result.run_id}: {result.error}", err=True)
        sys.exit(EXIT_FAILED)
    if result.exit_code:
        _say(f"FAILED {summary}", err=True)
        if result.error:
            _say(f"  {result.error}", err=True)
        for outcome in result.notebooks:
            if outcome.status != "ok":
                _say(f"  {outcome.name}: {outcome.status}: {outcome.error}", err=True)
        for line in _where_to_look(result):
            _say(f"  {line}", err=True)
        sys.exit(EXIT_FAILED)
    _say(summary)
    if result.partial:
        _say("A partial run (--only): reports/latest still points at the last complete run.")
    _say(f"Reports: {(result.run_dir.parent / 'index.html').resolve()}")


def _where_to_look(result: RunResult) -> list[str]:
    """Lines pointing at the pages that show what failed: each failed notebook's analyst page
    (its error is shown there), and the run's log; only files that exist."""
    lines = []
    for outcome in result.notebooks:
        page = outcome.outputs.get("analyst_html") if outcome.status == "failed" else None
        if page and (result.run_dir / page).is_file():
            lines.append(f"{outcome.name}: the error is shown on {result.run_dir / page}")
    log = result.run_dir / "run.log"
    if log.is_file():
        lines.append(f"the run's log: {log}")
    return lines


def _say(text: str, err: bool = False) -> None:
    """Print a line whose parts may come from outside (paths, names): escaped for a terminal."""
    from sscb_analysis.escape import terminal_text

    click.echo(terminal_text(text, multiline=True), err=err)


def _parse_value(text: str) -> object:
    """Read a ``-p`` value as YAML so numbers and booleans keep their types (the project's
    strict reader, :mod:`sscb_analysis.yaml_safe`); what is not YAML stays text."""
    from sscb_analysis import yaml_safe

    try:
        return yaml_safe.load(text)
    except yaml.YAMLError:
        return text


def _setup_logging() -> None:
    """Log lines to the current stderr (replacing a handler left by an earlier invocation)."""
    logger = logging.getLogger("sscb_analysis.reporting")
    for handler in [h for h in logger.handlers if getattr(h, "_sscb_stderr", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    from sscb_analysis.reporting.runner import SafeFormatter

    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    handler._sscb_stderr = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

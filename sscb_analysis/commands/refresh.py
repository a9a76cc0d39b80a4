"""``sscb refresh-notebooks``: re-run the committed notebooks so nbval's stored outputs are current."""

from __future__ import annotations

import sys

import click

from sscb_analysis.plural import plural


@click.command(name="refresh-notebooks")
@click.argument("names", nargs=-1)
@click.option("--timeout", default=600, show_default=True, help="Seconds allowed per cell.")
def command(names: tuple[str, ...], timeout: int) -> None:
    """Execute NAMES (default: every numbered notebook) in place with their default parameters."""
    from sscb_analysis.reporting.refresh import notebook_paths, refresh

    try:
        paths = notebook_paths(names)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    failed = []
    for path in paths:
        click.echo(f"refreshing {path.name}")
        try:
            refresh(path, timeout=timeout)
        except Exception as exc:  # report every failure, then exit non-zero
            failed.append(path.name)
            click.echo(f"  FAILED: {type(exc).__name__}: {exc}", err=True)
    if failed:
        click.echo(f"{plural(len(failed), 'notebook')} failed: {', '.join(failed)}", err=True)
        sys.exit(1)
    click.echo(
        f"{plural(len(paths), 'notebook')} refreshed; commit them with the change that needed it."
    )

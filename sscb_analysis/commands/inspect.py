"""``sscb inspect``: how an export would be read, before anything is cleaned or written.

Exit codes: 0 when ``sscb clean`` would read it as it stands; 1 when something must be mapped
or the file cannot be read (the lines that fix it are printed); 3 when it holds identifiers
that must be dropped or pseudonymised first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sscb_analysis.commands.clean import map_option, sheet_option
from sscb_analysis.extracts import KINDS

EXIT_FIX = 1
EXIT_IDENTIFIERS = 3


@click.command("inspect")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@map_option
@sheet_option
def command(kind: str, input_path: Path, layout: Path | None, sheet: str | None) -> None:
    """Show how INPUT would be read as a KIND extract: which header matched which column and
    why, what did not match, the values of each category column, and the layout-file lines
    that fix what does not match. Reads only; writes nothing."""
    from sscb_analysis.cleaning.headers import ExtractError
    from sscb_analysis.cleaning.inspection import inspect_extract, inspection_text
    from sscb_analysis.escape import terminal_text

    try:
        found = inspect_extract(kind, input_path, layout=layout, sheet=sheet)
    except ExtractError as exc:  # the layout file itself
        click.echo(terminal_text(f"Error: {exc}", multiline=True), err=True)
        sys.exit(EXIT_FIX)
    click.echo(terminal_text(inspection_text(found), multiline=True))
    if found.fatal or (found.report and found.report.problems):
        sys.exit(EXIT_FIX)
    if found.identifiers or found.blocking or found.header_identifiers or found.name_identifier:
        sys.exit(EXIT_IDENTIFIERS)

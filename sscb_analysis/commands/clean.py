"""``sscb clean``: clean a CPP, CAF or MARAC extract (one export, or several returns) into
data/processed.

Exit codes: 0 success; 1 unreadable or invalid input (or --pseudonymise without a key, or a bad
layout file); 3 direct identifiers found (nothing written).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sscb_analysis.extracts import KINDS
from sscb_analysis.paths import PROCESSED

EXIT_INVALID = 1
EXIT_IDENTIFIERS = 3

#: ``--map LAYOUT.yml`` and ``--sheet NAME``, as ``sscb clean`` and ``sscb inspect`` take them.
map_option = click.option(
    "--map",
    "layout",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="LAYOUT.yml",
    help="A layout file describing the export (headers, codes, columns to drop); see "
    "`sscb inspect` and layouts/README.md.",
)
sheet_option = click.option(
    "--sheet",
    default=None,
    metavar="NAME",
    help="Excel sheet to read (default: the layout's, else the first).",
)


@click.command("clean")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument(
    "inputs", metavar="INPUT...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@map_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=PROCESSED,
    show_default="data/processed",
    help="Folder for <kind>.parquet, _quarantine.csv, _cleaning_log.csv and _summary.json.",
)
@click.option(
    "--pseudonymise/--no-pseudonymise",
    default=None,
    help="Hash ids with the key in SSCB_PSEUDONYM_KEY, degrade dates of birth and postcodes, "
    "drop other identifier columns (default: as the layout says, else no).",
)
@click.option("--drop", "drop", multiple=True, metavar="COL", help="Drop this column (repeatable).")
@sheet_option
def command(
    kind: str,
    inputs: tuple[Path, ...],
    layout: Path | None,
    out_dir: Path,
    pseudonymise: bool | None,
    drop: tuple[str, ...],
    sheet: str | None,
) -> None:
    """Clean INPUT (CSV, XLSX, CIN census XML or Annex A; several returns allowed) as a KIND
    extract and write the outputs to --out. Options given here win over the layout file's."""
    from sscb_analysis import cleaning
    from sscb_analysis.cleaning.protect import IdentifierError, PseudonymKeyError
    from sscb_analysis.cleaning.read import ExtractError
    from sscb_analysis.escape import terminal_text

    def say(text: str, err: bool = False) -> None:
        # Headers, values and file names come from outside: no control sequence reaches the
        # terminal.
        click.echo(terminal_text(text, multiline=True), err=err)

    try:
        result = cleaning.clean(
            kind,
            list(inputs) if len(inputs) > 1 else inputs[0],
            layout=layout,
            pseudonymise=pseudonymise,
            drop=drop,
            sheet=sheet,
        )
    except IdentifierError as exc:
        say(f"Refused: {exc}", err=True)
        sys.exit(EXIT_IDENTIFIERS)
    except (ExtractError, PseudonymKeyError) as exc:
        say(f"Error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    from sscb_analysis.reporting.prepare import record_cleaning

    record_cleaning(result.summary)  # as `sscb run` records it: the key's fingerprint too
    try:
        paths = cleaning.write_outputs(result, out_dir, validated=True)
    except OSError as exc:
        say(f"Error: could not write to {out_dir}: {exc.strerror or exc}.", err=True)
        sys.exit(EXIT_INVALID)
    say(cleaning.summary_text(result.summary))
    for path in paths.values():
        say(f"wrote {path}")

"""``sscb init --la-code CODE --out FILE``: a working area profile for any LA in the DfE files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_USAGE = 2


@click.command("init")
@click.option(
    "--la-code",
    required=True,
    metavar="CODE",
    help="Old (210) or new (E09000028) DfE code of the local authority, or its name.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Profile to write, e.g. config/areas/southwark.yml.",
)
@click.option(
    "--raw-dir",
    default=None,
    metavar="DIR",
    help="Folder of the area's exports (default data/raw/<area>).",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def command(la_code: str, out: Path, raw_dir: str | None, force: bool) -> None:
    """Write an area profile and report config for the authority CODE.

    Name, region and statistical neighbours come from the published DfE files; the exports are
    expected in data/raw/<area>/. Every optional field is written as a comment. Exit 2 for an
    unknown code (with the closest matches) or a file that exists.
    """
    from sscb_analysis.benchmarks.areas import UnknownLocalAuthorityError, find_la
    from sscb_analysis.benchmarks.neighbours import NoNeighbourGroupError, statistical_neighbours
    from sscb_analysis.reporting.config import load_config
    from sscb_analysis.reporting.errors import ConfigError
    from sscb_analysis.reporting.template import area_slug, profile_text

    try:
        la = find_la(la_code.strip())
    except UnknownLocalAuthorityError as exc:
        _fail(str(exc))
    try:
        table = statistical_neighbours(la)
        neighbours = list(zip(table["old_la_code"], table["la_name"], strict=True))
    except NoNeighbourGroupError:
        neighbours = []
    if out.exists() and not force:
        _fail(f"{out} exists; choose another file, or add --force to replace it")
    text = profile_text(la, neighbours, raw_dir or f"data/raw/{area_slug(la.name)}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        _fail(
            f"cannot write {out}: {exc.strerror or exc}; give a file in a folder you can write to"
        )
    try:
        load_config(out)  # the profile must work as written
    except ConfigError as exc:  # pragma: no cover - a bug in the template
        _fail(f"the profile written to {out} does not read back: {exc}")
    _say(f"wrote {out}: the profile of {la.label}, region {la.region_name}")
    _say(f"put the exports in {raw_dir or f'data/raw/{area_slug(la.name)}'}/, then run:")
    _say(f"  sscb run --config {out}")


def _say(text: str, err: bool = False) -> None:
    from sscb_analysis.escape import terminal_text

    click.echo(terminal_text(text, multiline=True), err=err)


def _fail(message: str) -> None:
    _say(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)

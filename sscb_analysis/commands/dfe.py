"""``sscb dfe``: look up published DfE children in need figures from the command line.

sscb dfe show 210 --indicator cpp_second_or_subsequent_pct
sscb dfe neighbours Southwark
sscb dfe indicators
"""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_INDICATOR = "cpp_second_or_subsequent_pct"
_folder = click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding the DfE files (default: data/raw/dfe).",
)


def _fail(err: Exception) -> click.ClickException:
    return click.ClickException(str(err))


@click.group(name="dfe")
def command() -> None:
    """Published DfE children in need figures: comparators, neighbours, indicators."""


@command.command("show")
@click.argument("la")
@click.option(
    "--indicator",
    "-i",
    default=DEFAULT_INDICATOR,
    show_default=True,
    help="Indicator name (see `sscb dfe indicators`).",
)
@click.option(
    "--year", type=int, default=None, help="Only this year ending 31 March (2013 = 2012-13)."
)
@click.option("--no-neighbours", is_flag=True, help="Leave out the statistical neighbour median.")
@_folder
def show(
    la: str, indicator: str, year: int | None, no_neighbours: bool, folder: Path | None
) -> None:
    """Show an LA's figures by year beside its region, England and neighbours."""
    from sscb_analysis.benchmarks import DfeDataError, comparators, find_la, get_indicator

    try:
        target = find_la(la, folder)
        ind = get_indicator(indicator)
        long = comparators(target, ind.name, neighbours=not no_neighbours, folder=folder)
    except (LookupError, DfeDataError, ValueError) as err:
        raise _fail(err) from err
    if year is not None:
        if year not in set(long["year"]):
            raise click.ClickException(f"No {ind.name} figures for {year}.")
        long = long[long["year"] == year]
    digits = 1 if ind.unit == "percent" else 0
    symbols = {
        "suppressed": "c",
        "not_applicable": "z",
        "not_available": "x",
        "rounds_to_zero": "k",
        "low_reliability": "u",
    }
    long = long.assign(
        shown=[
            f"{v:,.{digits}f}" if v == v else symbols.get(s, s)
            for v, s in zip(long["value"], long["status"], strict=True)
        ]
    )
    order = list(dict.fromkeys(long["area_name"]))
    table = long.pivot(index="period", columns="area_name", values="shown")[order].fillna("")
    table.columns.name = table.index.name = None
    click.echo(f"{ind.label}: {target.label}")
    click.echo(table.to_string())
    click.echo(
        "c suppressed, x not available, z not applicable, u low reliability: `sscb dfe status`."
    )


@command.command("neighbours")
@click.argument("la")
@_folder
def neighbours(la: str, folder: Path | None) -> None:
    """List LA's ten statistical neighbours (April 2021 groupings), closest first."""
    from sscb_analysis.benchmarks import DfeDataError, find_la, statistical_neighbours

    try:
        target = find_la(la, folder)
        table = statistical_neighbours(target, folder)
    except (LookupError, DfeDataError) as err:
        raise _fail(err) from err
    click.echo(f"Statistical neighbours of {target.label}:")
    click.echo(table.to_string(index=False))


@command.command("indicators")
def indicators() -> None:
    """List the indicator names `show` accepts."""
    from sscb_analysis.benchmarks import list_indicators

    table = list_indicators()[["indicator", "unit", "label"]]
    click.echo(table.to_string(index=False))


@command.command("status")
def status() -> None:
    """Explain the symbols the DfE prints instead of a number."""
    from sscb_analysis.benchmarks import STATUS_CODES, STATUS_MEANINGS

    for symbol, name in STATUS_CODES.items():
        click.echo(f"{symbol:>4}  {name:<16} {STATUS_MEANINGS[name]}")

"""``sscb synth``: write the seeded SYNTHETIC CPP, CAF and MARAC extracts."""

from __future__ import annotations

import time
from pathlib import Path

import click

from sscb_analysis.paths import RAW, ROOT, SYNTHETIC

#: Where ``--format`` writes: under data/raw, ignored by git (the files hold made-up UPNs, dates
#: of birth and names, as the real formats do, and are rebuilt in a second).
NATIONAL = RAW / "synthetic-national"
IDENTIFIERS = {"cin": "UPNs", "annex-a": "workers' names"}


@click.command("synth")
@click.option(
    "--seed", type=click.IntRange(min=0), default=None, help="Random seed (default 2013)."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default data/raw/synthetic, or data/raw/synthetic/messy with --messy).",
)
@click.option("--messy", is_flag=True, help="Inject the defects real exports have, with sidecars.")
@click.option("--no-xlsx", is_flag=True, help="Write the CSV files only, without .xlsx copies.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "cin", "annex-a"]),
    default="csv",
    show_default=True,
    help="cin: the CPP extract as CIN census XML returns, one per collection year; annex-a: as "
    "an Ofsted Annex A workbook (List 7 as at the last day). Default folder "
    f"{NATIONAL.relative_to(ROOT)} (ignored by git).",
)
def command(seed: int | None, out_dir: Path | None, messy: bool, no_xlsx: bool, fmt: str) -> None:
    """Write SYNTHETIC cpp.csv, caf.csv and marac.csv (and .xlsx copies), or with --format the
    CPP extract as CIN census returns or an Ofsted Annex A workbook.

    The same seed always gives the same bytes. The data describe no real person.
    """
    from sscb_analysis import synth

    chosen = synth.DEFAULT_SEED if seed is None else seed
    if fmt != "csv":
        if messy:
            raise click.UsageError("--messy applies to the CSV extracts only, not to --format.")
        _national(fmt, chosen, out_dir if out_dir is not None else NATIONAL)
        return
    target = out_dir if out_dir is not None else (SYNTHETIC / "messy" if messy else SYNTHETIC)
    began = time.perf_counter()
    try:
        paths = synth.write_extracts(target, seed=chosen, messy=messy, xlsx=not no_xlsx)
    except OSError as exc:
        raise click.ClickException(f"could not write to {target}: {exc}") from exc
    took = time.perf_counter() - began
    for path in paths:
        click.echo(str(path))
    kind = "messy " if messy else ""
    click.echo(
        f"wrote {len(paths)} SYNTHETIC {kind}files (seed {chosen}) in {took:.1f} s", err=True
    )


def _national(fmt: str, seed: int, target: Path) -> None:
    """Write the synthetic CPP extract in a national format into ``target``."""
    import datetime as dt

    from sscb_analysis import synth, synth_formats
    from sscb_analysis.provenance import write_provenance
    from sscb_analysis.synth_params import DEFAULT_PARAMS

    began = time.perf_counter()
    cpp = synth.generate_cpp(seed=seed)
    last = dt.date.fromisoformat(DEFAULT_PARAMS.period.end)
    first = dt.date.fromisoformat(DEFAULT_PARAMS.period.start)
    try:
        target.mkdir(parents=True, exist_ok=True)
        if fmt == "cin":
            kids = synth_formats.children(cpp, seed=seed)
            years = range(first.year + (first.month > 3), last.year + (last.month > 3) + 1)
            paths = [
                synth_formats.write_cin_census(
                    cpp, year, target / f"cin_census_{year}.xml", seed=seed, kids=kids
                )
                for year in years
            ]
        else:
            path = target / f"annex_a_{last.isoformat()}.xlsx"
            paths = [synth_formats.write_annex_a(cpp, last, path, seed=seed)]
        # The generator's marker, so reports built on these files say SYNTHETIC (provenance.py).
        command = f"sscb synth --format {fmt} --seed {seed}"
        paths.append(write_provenance(target, paths, command))
    except OSError as exc:
        raise click.ClickException(f"could not write to {target}: {exc}") from exc
    for path in paths:
        click.echo(str(path))
    click.echo(
        f"wrote {len(paths) - 1} SYNTHETIC {fmt} file{'s' if len(paths) != 2 else ''} (seed {seed}) "
        f"in {time.perf_counter() - began:.1f} s; they hold made-up "
        f"{IDENTIFIERS[fmt]} and dates of birth, as the real files "
        "do: clean them with --drop or --pseudonymise",
        err=True,
    )

"""``sscb synth``: write the seeded SYNTHETIC CPP, CAF and MARAC extracts."""

from __future__ import annotations

import time
from pathlib import Path

import click

from sscb_analysis.paths import SYNTHETIC


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
def command(seed: int | None, out_dir: Path | None, messy: bool, no_xlsx: bool) -> None:
    """Write SYNTHETIC cpp.csv, caf.csv and marac.csv (and .xlsx copies).

    The same seed always gives the same bytes. The data describe no real person.
    """
    from sscb_analysis import synth

    chosen = synth.DEFAULT_SEED if seed is None else seed
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

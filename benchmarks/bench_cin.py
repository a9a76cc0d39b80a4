"""Benchmark: clean a region's CIN census XML return (200,000 SYNTHETIC children, ~450 MB).

The return is written by ``sscb_analysis.synth_formats`` from
``synth.generate_cpp(n_years=4, plans_per_year=20_000)``: the plans open in collection year 2014
(about 35,000 children with a plan, each in a full CIN episode with its referral, assessment,
section 47 enquiry and reviews), then children in need without a plan (one to three episodes
each, with assessments and their factors) up to 200,000 children, as a real return holds them.
It is written once and cached under ``benchmarks/_data/`` (gitignored); ``--fresh`` writes it
again.

Prints the file's size, children and plans; the reader alone (sniff and stream the XML into a
table) in this process; ``clean()`` in this process; ``sscb clean cpp`` wall time in a child
process (dropping the UPN and date of birth columns, as an analyst would) and its peak memory
(ru_maxrss), with PASS/MISS against the targets: under 30 s, under 2 GB. Each figure is the
best of ``--repeats`` runs (other work on a shared machine only adds time). Not a test.

    .venv/bin/python benchmarks/bench_cin.py [--children 200000] [--plans-per-year 20000]
        [--fresh] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
YEAR = 2014
DROP = ("UPN", "FormerUPN", "PersonBirthDate")

TARGET_SECONDS = 30.0
TARGET_MB = 2048.0


def make_return(path: Path, children: int, plans_per_year: float, seed: int) -> tuple[int, int]:
    """Write the SYNTHETIC return; returns (children with a plan, plans)."""
    from sscb_analysis import synth, synth_formats

    cpp = synth.generate_cpp(n_years=4, plans_per_year=plans_per_year, seed=seed)
    plans = synth_formats.census_plans(cpp, YEAR)
    with_plan = int(plans["child_id"].nunique())
    if with_plan > children:
        raise SystemExit(f"{with_plan:,} children have a plan: ask for more --children")
    partial = path.with_suffix(".partial")
    synth_formats.write_cin_census(
        cpp, YEAR, partial, seed=seed, other_children=children - with_plan
    )
    os.replace(partial, path)  # an interrupted run leaves no half-written cache
    return with_plan, len(plans)


def best_of(repeats: int, run) -> tuple[float, object]:
    """(best seconds, last result) of ``repeats`` calls of ``run``."""
    best, result = float("inf"), None
    for _ in range(repeats):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--plans-per-year", type=float, default=20_000)
    parser.add_argument("--seed", type=int, default=None, help="default: the synth default")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each timing (best kept)")
    parser.add_argument("--fresh", action="store_true", help="write the cached return again")
    args = parser.parse_args()

    from bench_clean import cli_run, verdict  # the sibling script: same child-process measure

    from sscb_analysis.cleaning import clean
    from sscb_analysis.cleaning.formats import read, sniff
    from sscb_analysis.synth import DEFAULT_SEED

    seed = DEFAULT_SEED if args.seed is None else args.seed
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"cin_{YEAR}_{args.children}c_{args.plans_per_year:g}py_seed{seed}.xml"
    if args.fresh or not path.exists():
        began = time.perf_counter()
        make_return(path, args.children, args.plans_per_year, seed)
        print(f"wrote {path.name} in {time.perf_counter() - began:.1f} s")
    size_mb = path.stat().st_size / 1e6

    read_s, table = best_of(args.repeats, lambda: read(path, "cpp", sniff(path)))
    clean_s, result = best_of(args.repeats, lambda: clean("cpp", path, drop=DROP))
    options = [part for column in DROP for part in ("--drop", column)]
    cli = [cli_run(path, options) for _ in range(args.repeats)]
    wall = min(w for w, _ in cli)
    peak = max(p for _, p in cli)
    s = result.summary
    print(f"return: {size_mb:,.0f} MB, {args.children:,} children, {table.n_rows:,} plans")
    print(f"clean outcome: {s['clean']:,} clean, {s['quarantined']:,} quarantined")
    print(f"read (sniff + stream the XML) in process: {read_s:.2f} s ({size_mb / read_s:.0f} MB/s)")
    print(f"clean() in process: {clean_s:.2f} s")
    print(
        f"sscb clean cpp (new process): {wall:.2f} s, target under {TARGET_SECONDS:.0f} s: "
        f"{verdict(wall < TARGET_SECONDS)}"
    )
    print(
        f"peak memory of sscb clean: {peak:,.0f} MB, target under {TARGET_MB:,.0f} MB: "
        f"{verdict(peak < TARGET_MB)}"
    )


if __name__ == "__main__":
    main()

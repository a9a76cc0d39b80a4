"""Benchmark: clean a national-scale (1,000,000-row, ten-year) SYNTHETIC CPP extract.

Prints the time pyarrow takes just to read the CSV (all columns as strings), the wall time of
``sscb clean cpp`` in a child process, rows per second and the child's peak memory (ru_maxrss),
against the targets: within 3x the bare read, under 15 s, under 2 GB. Not a test: figures only.

    .venv/bin/python benchmarks/bench_clean.py [--rows 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"

CATEGORIES = np.array(["neglect", "physical", "emotional", "sexual", "multiple"])
AGE_BANDS = np.array(["under 1", "1-4", "5-9", "10-15", "16+"])
GENDERS = np.array(["male", "female", "unknown"])
ETHNICITIES = np.array(["white", "mixed", "asian", "black", "other", "unknown"])
TEAMS = np.array([f"Team {c}" for c in "ABCDEFGHIJKL"])


def make_extract(path: Path, rows: int, seed: int = 1) -> None:
    """Write a SYNTHETIC CPP extract: ten years of plans, about 1.3 plans per child."""
    rng = np.random.default_rng(seed)
    first = np.datetime64("2014-04-01")
    start = first + rng.integers(0, 3650, rows).astype("timedelta64[D]")
    length = rng.gamma(2.0, 180.0, rows).astype(np.int64) + 1
    end = start + length.astype("timedelta64[D]")
    still_open = end > np.datetime64("2024-03-31")
    children = rng.integers(0, int(rows / 1.3), rows)
    fmt = "%d/%m/%Y"
    start_text = pc.strftime(pa.array(start.astype("datetime64[s]")), format=fmt)
    end_text = pc.strftime(pa.array(end.astype("datetime64[s]")), format=fmt)
    end_text = pc.if_else(pa.array(still_open), "", end_text)
    table = pa.table(
        {
            "plan_id": pa.array(np.char.add("CPP", np.char.zfill(np.arange(rows).astype(str), 7))),
            "child_id": pa.array(np.char.add("C", np.char.zfill(children.astype(str), 7))),
            "plan_start_date": start_text,
            "plan_end_date": end_text,
            "category_of_abuse": pa.array(CATEGORIES[rng.integers(0, 5, rows)]),
            "age_band": pa.array(AGE_BANDS[rng.integers(0, 5, rows)]),
            "gender": pa.array(GENDERS[rng.integers(0, 3, rows)]),
            "ethnicity": pa.array(ETHNICITIES[rng.integers(0, 6, rows)]),
            "team": pa.array(TEAMS[rng.integers(0, len(TEAMS), rows)]),
            "previous_plans": pa.array(rng.poisson(0.2, rows).astype(str)),
            "initial_conference_date": start_text,
            "review_conferences": pa.array(rng.integers(0, 8, rows).astype(str)),
        }
    )
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))


def bare_read_seconds(path: Path, repeats: int = 3) -> float:
    """Best of ``repeats`` pyarrow reads of the CSV with every column as a string."""
    with open(path, encoding="utf-8") as fh:
        names = fh.readline().strip().split(",")
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        pacsv.read_csv(path, convert_options=options)
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated CSV")
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"cpp_{args.rows}.csv"
    if not path.exists():
        began = time.perf_counter()
        make_extract(path, args.rows)
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - began:.1f} s"
        )
    read = bare_read_seconds(path)
    out = Path(tempfile.mkdtemp(prefix="bench-clean-"))
    sscb = Path(sys.executable).with_name("sscb")
    cmd = [str(sscb), "clean", "cpp", str(path), "--out", str(out)]
    began = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, sep="\n")
        raise SystemExit(f"sscb clean failed with exit code {proc.returncode}")
    # In-process timing without interpreter start-up and imports, for comparison.
    import sscb_analysis.clean as cleaning

    began = time.perf_counter()
    result = cleaning.clean("cpp", path)
    in_process = time.perf_counter() - began
    shutil.rmtree(out, ignore_errors=True)
    if not args.keep:
        path.unlink()

    rows = result.summary["rows_in"]
    print(f"rows                         {rows:,}")
    print(f"pyarrow read (strings)       {read:.2f} s")
    print(
        f"sscb clean cpp (CLI, child)  {wall:.2f} s  ({wall / read:.1f}x the read; target 3x, 15 s)"
    )
    print(f"clean() in process           {in_process:.2f} s  ({in_process / read:.1f}x the read)")
    print(f"rows per second (CLI)        {rows / wall:,.0f}")
    print(f"peak memory (CLI child)      {peak_kb / 1024:.0f} MB  (target 2048 MB)")
    print(
        f"clean / quarantined          {result.summary['clean']:,} / {result.summary['quarantined']:,}"
    )
    print(f"cpus                         {os.cpu_count()}")


if __name__ == "__main__":
    main()

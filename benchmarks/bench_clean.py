"""Benchmark: clean a national-scale (about a million rows, ten years) SYNTHETIC CPP extract.

The extract comes from ``sscb_analysis.synth.generate_cpp(n_years=10, plans_per_year=100_000)``:
consistent child histories (repeat plans follow earlier ones, few overlaps), as a real extract
would be, unlike independent random rows. It is written once as CSV and cached under
``benchmarks/_data/`` (gitignored); ``--fresh`` writes it again.

Prints rows, the time pyarrow takes just to read the CSV (all columns as strings, and as the
cleaner reads it, non-id columns dictionary-encoded), ``clean()`` in
this process (imports already done), ``sscb clean cpp`` wall time in a child process, rows per
second, ratios to the read and the child's peak memory (ru_maxrss), with PASS/MISS against the
targets: cleaning within 3x the bare read, under 15 s, under 2 GB. Each figure is the best of
``--repeats`` runs, because other work on a shared machine only ever adds time. Not a test.

    .venv/bin/python benchmarks/bench_clean.py [--years 10] [--plans-per-year 100000] [--fresh]
        [--variable-ids] [--stages] [--repeats 3]
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
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"

TARGET_RATIO = 3.0
TARGET_SECONDS = 15.0
TARGET_MB = 2048.0


def make_extract(
    path: Path, years: float, plans_per_year: float, seed: int, variable_ids: bool = False
) -> int:
    """Write the SYNTHETIC CPP extract as the case system would export it; returns its rows.

    With ``variable_ids`` the ids are plain numbers of varying width ("40452", "7") as many case
    systems write them, instead of the generator's fixed-width "CPP0040452" and "C10529495";
    those take the general (hashing) path when encoded rather than the fixed-width one.
    """
    import pandas as pd

    from sscb_analysis import synth

    frame = synth.generate_cpp(n_years=years, plans_per_year=plans_per_year, seed=seed)
    text = synth.format_for_csv(frame)
    if variable_ids:
        text["plan_id"] = text["plan_id"].str.lstrip("CP").astype("int64").astype("str")
        text["child_id"] = (pd.factorize(text["child_id"])[0] + 1).astype("str")
    partial = path.with_suffix(".partial")
    text.to_csv(partial, index=False, lineterminator="\n", encoding="utf-8")
    os.replace(partial, path)  # an interrupted run leaves no half-written cache
    return len(frame)


def bare_read_seconds(path: Path, repeats: int, encoded: bool = False) -> float:
    """Best of ``repeats`` pyarrow reads of the CSV with every column as a string, or with
    ``encoded`` as the cleaner reads it: the id columns as strings, every other column
    dictionary-encoded (and the chunks' dictionaries unified)."""
    with open(path, encoding="utf-8") as fh:
        names = fh.readline().strip().split(",")
    coded = pa.dictionary(pa.int32(), pa.string())
    types = {n: pa.string() if not encoded or n.endswith("_id") else coded for n in names}
    options = pacsv.ConvertOptions(column_types=types)
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        table = pacsv.read_csv(path, convert_options=options)
        if encoded:
            table.unify_dictionaries()
        best = min(best, time.perf_counter() - began)
    return best


def cli_run(path: Path, options: Sequence[str] = ()) -> tuple[float, float]:
    """(wall seconds, peak MB so far) of ``sscb clean cpp`` (with ``options``) in a child process.

    The peak is ``ru_maxrss`` over the children waited for (only these runs), in MB.
    """
    out = Path(tempfile.mkdtemp(prefix="bench-clean-"))
    sscb = Path(sys.executable).with_name("sscb")
    cmd = [str(sscb), "clean", "cpp", str(path), "--out", str(out), *options]
    try:
        began = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - began
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, sep="\n")
        raise SystemExit(f"sscb clean failed with exit code {proc.returncode}")
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def stage_times(path: Path, repeats: int) -> tuple[float, dict[str, float]]:
    """(best in-process time, seconds per stage in that run): each stage function is wrapped
    with a timer for this measurement only, so the stages can be compared with the bare read."""
    import functools

    import sscb_analysis.cleaning as cleaning
    import sscb_analysis.cleaning.pipeline as pipeline
    import sscb_analysis.cleaning.protect as protect
    import sscb_analysis.cleaning.read as load
    import sscb_analysis.cleaning.validate as rules
    from sscb_analysis.extracts import get_spec

    stages: dict[str, float] = {}
    wrapped = [
        (load, "read_extract", "read and encode the CSV"),
        (load, "encode_columns", "  of which: encode the id columns"),
        (protect, "protect", "identifier checks"),
        (rules, "blank_and_duplicates", "blank and duplicate rows"),
        (rules, "typed_columns", "parse dates, categories, numbers"),
        (rules, "generic_hits", "shared rules"),
        (rules, "order_within", "sort by child and start"),
        (rules, "specific_hits", "CPP checks"),
        (pipeline, "validate", "pandera schema"),
    ]
    saved = []
    for module, name, label in wrapped:
        original = getattr(module, name)
        saved.append((module, name, original))

        def timed(*args, _f=original, _label=label, **kwargs):
            began = time.perf_counter()
            try:
                return _f(*args, **kwargs)
            finally:
                stages[_label] = stages.get(_label, 0.0) + time.perf_counter() - began

        setattr(module, name, functools.wraps(original)(timed))
    spec = get_spec("cpp")
    derive = spec.derive

    def timed_derive(*args, **kwargs):
        began = time.perf_counter()
        try:
            return derive(*args, **kwargs)
        finally:
            stages["derived fields"] = stages.get("derived fields", 0.0) + (
                time.perf_counter() - began
            )

    object.__setattr__(spec, "derive", timed_derive)
    best, best_stages = float("inf"), {}
    try:
        for _ in range(repeats):
            stages.clear()
            began = time.perf_counter()
            cleaning.clean("cpp", path)
            took = time.perf_counter() - began
            if took < best:
                order = [label for _, _, label in wrapped] + ["derived fields"]
                best, best_stages = took, {k: stages[k] for k in order if k in stages}
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
        object.__setattr__(spec, "derive", derive)
    return best, best_stages


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=float, default=10)
    parser.add_argument("--plans-per-year", type=float, default=100_000)
    parser.add_argument("--seed", type=int, default=None, help="default: the synth default")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each timing (best kept)")
    parser.add_argument("--fresh", action="store_true", help="write the cached CSV again")
    parser.add_argument(
        "--variable-ids",
        action="store_true",
        help="ids as plain numbers of varying width, as many case systems write them",
    )
    parser.add_argument(
        "--stages", action="store_true", help="also print where the in-process time goes"
    )
    args = parser.parse_args()

    from sscb_analysis.synth import DEFAULT_SEED

    seed = DEFAULT_SEED if args.seed is None else args.seed
    DATA.mkdir(parents=True, exist_ok=True)
    ids = "_varids" if args.variable_ids else ""
    path = DATA / f"cpp_{args.years:g}y_{args.plans_per_year:g}py_seed{seed}{ids}.csv"
    if args.fresh or not path.exists():
        began = time.perf_counter()
        rows = make_extract(path, args.years, args.plans_per_year, seed, args.variable_ids)
        print(
            f"generated {path.name}: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB, "
            f"in {time.perf_counter() - began:.1f} s"
        )

    read = bare_read_seconds(path, args.repeats)
    read_encoded = bare_read_seconds(path, args.repeats, encoded=True)
    runs = [cli_run(path) for _ in range(args.repeats)]
    wall = min(w for w, _ in runs)
    peak_mb = max(m for _, m in runs)

    import sscb_analysis.cleaning as cleaning
    from sscb_analysis import synth

    # A small extract first, so one-off imports (pandera) are not counted in the timing.
    cleaning.clean("cpp", synth.format_for_csv(synth.generate_cpp(seed=seed)))
    in_process = float("inf")
    for _ in range(args.repeats):
        began = time.perf_counter()
        result = cleaning.clean("cpp", path)
        in_process = min(in_process, time.perf_counter() - began)

    s = result.summary
    print(f"rows                         {s['rows_in']:,}")
    print(f"pyarrow read (strings)       {read:.2f} s")
    print(
        f"pyarrow read as cleaned      {read_encoded:.2f} s  ({read_encoded / read:.1f}x the read; "
        "non-id columns dictionary-encoded, the cleaner's first step)"
    )
    print(
        f"clean() in process           {in_process:.2f} s  ({in_process / read:.1f}x the read)  "
        f"{verdict(in_process <= TARGET_RATIO * read)} (<= {TARGET_RATIO:g}x)"
    )
    print(
        f"sscb clean cpp (child)       {wall:.2f} s  ({wall / read:.1f}x the read)  "
        f"{verdict(wall <= TARGET_RATIO * read)} (<= {TARGET_RATIO:g}x)  "
        f"{verdict(wall < TARGET_SECONDS)} (< {TARGET_SECONDS:g} s)"
    )
    print(
        f"rows per second              {s['rows_in'] / in_process:,.0f} in process, "
        f"{s['rows_in'] / wall:,.0f} CLI"
    )
    print(
        f"peak memory (CLI child)      {peak_mb:.0f} MB  {verdict(peak_mb < TARGET_MB)} "
        f"(< {TARGET_MB:g} MB)"
    )
    flagged = {c: r["rows"] for c, r in s["rules"].items() if r["rows"]}
    print(
        f"clean / quarantined / flagged {s['clean']:,} / {s['quarantined']:,} / {s['flagged']:,}"
        f"  rules fired: {flagged or 'none'}"
    )
    print(f"cpus, load average           {os.cpu_count()}, {os.getloadavg()[0]:.1f}")
    if args.stages:
        total, stages = stage_times(path, args.repeats)
        print(f"\nstages of the fastest timed clean() ({total:.2f} s; x = multiples of the read)")
        for label, seconds in stages.items():
            print(f"  {label:<36} {seconds:.3f} s  {seconds / read:4.1f}x")
        rest = total - sum(v for k, v in stages.items() if not k.startswith("  "))
        print(f"  {'frames, flags, quarantine, log':<36} {rest:.3f} s  {rest / read:4.1f}x")


if __name__ == "__main__":
    main()

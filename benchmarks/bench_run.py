"""Time a full ``sscb run`` and print the seconds (target: the default report set under 45 s
wall on 2 cores with a warm venv, issue 11).

Usage:
    .venv/bin/python benchmarks/bench_run.py                 # the real config/reports.yml
    .venv/bin/python benchmarks/bench_run.py --fixtures      # the runner alone, on fixture notebooks

Reports go to a temporary folder. The real run re-cleans nothing when data/processed is current,
as a scheduled run would find it. With ``--fixtures`` it builds a throwaway project of seven entries (the fixture notebook run with
seven parameter sets, as the real config will run seven notebooks), so the figure measures the
runner's own cost: worker start-up, kernel starts, both HTML renders, manifest and index.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "notebooks" / "ok.ipynb"


def fixture_config(workdir: Path, notebooks: int) -> Path:
    (workdir / "notebooks").mkdir(parents=True)
    shutil.copy(FIXTURE, workdir / "notebooks" / "ok.ipynb")
    config = {
        "root": ".",
        "area": {"name": "Benchtown", "period": "2012-13"},
        "defaults": {"execution_timeout": 300, "start_timeout": 60, "out": "reports"},
        "notebooks": [
            {"name": f"{i:02d}_fixture", "notebook": "notebooks/ok.ipynb", "parameters": {"n": i}}
            for i in range(notebooks)
        ],
    }
    path = workdir / "reports.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def time_run(config: Path, jobs: int, out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("sscb")),
            "run",
            "--config",
            str(config),
            "--jobs",
            str(jobs),
            "--out",
            str(out),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        print(proc.stderr[-2000:], file=sys.stderr)
    return time.perf_counter() - start, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "reports.yml")
    parser.add_argument("--fixtures", action="store_true", help="time the runner on fixtures")
    parser.add_argument("--notebooks", type=int, default=7, help="entries with --fixtures")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_run_") as tmp:
        workdir = Path(tmp)
        config = fixture_config(workdir, args.notebooks) if args.fixtures else args.config
        times = []
        for i in range(args.repeat):
            seconds, code = time_run(config, args.jobs, workdir / f"reports{i}")
            times.append(seconds)
            print(f"run {i + 1}: {seconds:.1f} s (exit {code})")
        label = f"fixture x{args.notebooks}" if args.fixtures else str(args.config)
        print(
            f"sscb run [{label}, --jobs {args.jobs}]: median {statistics.median(times):.1f} s, "
            f"min {min(times):.1f} s over {len(times)} run(s)"
        )


if __name__ == "__main__":
    main()

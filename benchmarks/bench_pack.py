"""Time the A4 board pack (``board_pack.pdf``) of a run and print its figures.

Usage:
    .venv/bin/python benchmarks/bench_pack.py [RUN_DIR] [--repeats N]

Without RUN_DIR it lays out the committed notebooks' board pages (their stored outputs, rendered
as ``sscb run`` renders them) in a temporary folder. Prints seconds per pack (median and best),
pages, and the PDF's size: the time ``sscb run`` adds to a complete run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def demo_run(folder: Path) -> Path:
    """The committed notebooks rendered as one run's board pages, with manifest and context."""
    from sscb_analysis.paths import NOTEBOOKS
    from sscb_analysis.reporting.render import RenderContext, make_exporters, render_reports

    exporters = make_exporters()
    names = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for name in names:
        render_reports(
            NOTEBOOKS / f"{name}.ipynb",
            folder / f"{name}.html",
            folder / f"{name}-analyst.html",
            RenderContext(run_id="bench", notebook_name=name, synthetic=True),
            exporters,
        )
    manifest = {
        "run_id": "bench",
        "status": "ok",
        "data_are_synthetic": True,
        "notebooks": [{"name": n, "title": n, "status": "ok"} for n in names],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", nargs="?", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from weasyprint import HTML

    from sscb_analysis.reporting.pdf import pack_html, write_board_pack

    with tempfile.TemporaryDirectory() as tmp:
        run = args.run_dir or demo_run(Path(tmp))
        times = []
        for i in range(args.repeats):
            began = time.perf_counter()
            out = write_board_pack(run, Path(tmp) / f"pack{i}.pdf")
            times.append(time.perf_counter() - began)
        document, parts = pack_html(run)
        pages = len(HTML(string=document, base_url=str(run)).render().pages)
        print(
            f"board pack of {len(parts)} board pages: {pages} A4 pages, {out.stat().st_size:,} bytes"
        )
        print(f"seconds per pack: median {statistics.median(times):.2f}, best {min(times):.2f}")


if __name__ == "__main__":
    main()

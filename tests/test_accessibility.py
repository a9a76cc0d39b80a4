"""Board pages against WCAG 2.2 AA: every page loaded in headless Chromium (Debian's package) with
axe-core (npm, pinned in tests/browser/package-lock.json; ``./run.sh browser`` installs both), and
no serious or critical violation allowed. Also checked here without a browser: every chart has
alt text written from its data, tables have captions and header scopes, no "¶" anchors, headings
do not skip a level, and the marking line is on the page.

The pages are the committed notebooks (their stored outputs, as nbval keeps them) rendered by
``sscb_analysis.reporting.render`` exactly as ``sscb run`` renders them.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sscb_analysis.paths import NOTEBOOKS, ROOT

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BOARD_NOTEBOOKS = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
PLACEHOLDER_ALT = "No description has been provided for this image"


@pytest.fixture(scope="module")
def pages(board_pages: Path) -> dict[str, str]:
    """Each committed notebook rendered as a board page (the session's ``board_pages``)."""
    return {n: (board_pages / f"{n}.html").read_text(encoding="utf-8") for n in BOARD_NOTEBOOKS}


@pytest.mark.parametrize("name", BOARD_NOTEBOOKS)
def test_board_page_structure(pages, name):
    page = pages[name]
    assert "¶" not in page and 'class="anchor-link"' not in page
    assert PLACEHOLDER_ALT not in page, "a chart without alt text written from its data"
    for alt in re.findall(r'<img[^>]*\balt="([^"]*)"', page):
        assert len(alt) > 40, f"alt text too thin to describe a chart: {alt!r}"
    tables = re.findall(r"<table\b.*?</table>", page, flags=re.S)
    for table in tables:
        assert "<caption" in table, f"table without a caption: {table[:200]}"
        for th in re.findall(r"<th\b[^>]*>", table):
            assert "scope=" in th, f"header cell without scope: {th}"
    levels = [int(h) for h in re.findall(r"<h([1-6])\b", page)]
    assert levels and levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    assert "OFFICIAL" in page and "Disclosure: published statistics" in page


def test_chart_alt_text_names_the_latest_value_and_the_signal(pages):
    alts = re.findall(r'<img[^>]*\balt="([^"]*)"', pages["01_cpp_repeat_plans"])
    spc = [a for a in alts if a.startswith("SPC chart")]
    assert spc, alts
    assert "Latest shown" in spc[0] or "not shown (small numbers)" in spc[0]
    # the signal, or why it is not given (the last point is c on the demonstration data)
    assert (
        "Variation: special cause" in spc[0] or "Variation: not shown (last quarter is c)" in spc[0]
    )


def _axe(page: Path, tmp: Path) -> list[dict]:
    runner = f"""
<script>{AXE.read_text(encoding="utf-8")}</script>
<script>
axe.run(document, {{runOnly: {{type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}}}})
  .then(function (r) {{
    var out = document.createElement("pre"); out.id = "axe-results";
    out.textContent = JSON.stringify(r.violations.map(function (v) {{
      return {{id: v.id, impact: v.impact, help: v.help,
               targets: v.nodes.slice(0, 3).map(function (n) {{ return n.target; }})}};
    }}));
    document.body.appendChild(out);
  }});
</script>"""
    probe = tmp / f"axe-{page.name}"
    probe.write_text(
        page.read_text(encoding="utf-8").replace("</body>", runner + "</body>", 1),
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=60000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    found = re.search(r'<pre id="axe-results">(.*?)</pre>', done.stdout, flags=re.S)
    assert found, f"axe did not finish on {page.name}: {done.stderr[-500:]}"
    text = found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    return json.loads(text.replace("&amp;", "&"))


def test_no_serious_or_critical_violation_in_chromium(pages, tmp_path):
    if CHROMIUM is None or not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("./run.sh browser must install chromium and axe-core before the tests")
        pytest.skip("needs Debian's chromium and npm's axe-core: run ./run.sh browser")
    problems = {}
    for name, page in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(page, encoding="utf-8")
        violations = _axe(path, tmp_path)
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        if bad:
            problems[name] = bad
    assert not problems, json.dumps(problems, indent=1)[:4000]


def test_scorecard_cells_are_left_aligned_in_chromium(pages, tmp_path):
    """The scorecard's cells as a browser lays them out: text left and top, numbers in figures of
    one width, as the PDF pack has them (tests/test_pdf.py). JupyterLab's CSS right-aligns output
    table cells with a stronger selector than a plain ``table.sscb-scorecard td``."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("./run.sh browser must install chromium before the tests")
        pytest.skip("needs Debian's chromium: run ./run.sh browser")
    probe = """
<script>
var out = document.createElement("pre"); out.id = "cell-styles";
out.textContent = JSON.stringify(Array.from(
  document.querySelectorAll("table.sscb-scorecard th, table.sscb-scorecard td")
).map(function (c) {
  var s = getComputedStyle(c);
  return [c.className, s.textAlign, s.verticalAlign, s.fontVariantNumeric];
}));
document.body.appendChild(out);
</script>"""
    path = tmp_path / "05_board_summary.html"
    path.write_text(pages["05_board_summary"].replace("</body>", probe + "</body>", 1), "utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    found = re.search(r'<pre id="cell-styles">(.*?)</pre>', done.stdout, flags=re.S)
    assert found, done.stderr[-500:]
    cells = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert len(cells) > 7  # the header and at least one row
    assert {(align, top) for _, align, top, _ in cells} == {("left", "top")}
    numbers = {figures for kind, _, _, figures in cells if kind == "sscb-num"}
    assert numbers == {"tabular-nums"}

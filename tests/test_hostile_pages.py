"""Finding 5: script in board pages, tried in a real browser.

Every payload below would change ``document.title`` or mark ``<body>`` when it runs. Debian's
Chromium (``apt-get install chromium``; ``./run.sh`` installs it for the tests) loads each board
page headless and dumps the DOM after its scripts and timers had their time; the test reads the
dump. A control page (the same payloads without the sanitiser) shows the check can fail.
Skipped with a reason only when Chromium is missing outside CI; in CI a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sscb_analysis.reporting.render import RenderContext, make_exporters, render_html

MARK = "PWNED"
JS = f"document.title='{MARK}';document.body.setAttribute('data-pwned','1')"
PAYLOADS = [
    f'<img src=x onerror="{JS}">',
    f"<script>{JS}</script>",
    f"</script><script>{JS}</script>",
    f'<svg onload="{JS}"></svg>',
    f'<iframe srcdoc="<script>parent.{JS}</script>"></iframe>',
    f'<details open ontoggle="{JS}"><summary>x</summary></details>',
    f'<body onload="{JS}">',
    f'<input autofocus onfocus="{JS}">',
    f'<video><source onerror="{JS}"></video>',
    f'<object data="javascript:{JS}"></object>',
    f'<embed src="javascript:{JS}">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{JS}">',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{JS}">',
    f'<noscript><p title="</noscript><img src=x onerror={JS}>"></p></noscript>',
    f'<a href="javascript:{JS}">click</a>',
    f"[x](javascript:{JS})",
    f"![x](javascript:{JS})",
    f"[x](data:text/html,<script>{JS}</script>)",
    '<base href="javascript:/">',
]


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _browser()
if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("CI must run the browser tests: install Chromium (./run.sh browser)")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


def dump_dom(page: Path, tmp: Path) -> str:
    """The DOM of ``page`` after Chromium loaded it and ran what it would run."""
    proc = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp / 'chromium-profile'}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self._in_title = tag == "title"
        self.attributes += [(tag, k, v or "") for k, v in attrs]

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)


def _parse(dom: str) -> _Dom:
    parsed = _Dom()
    parsed.feed(dom)
    return parsed


def a_payload_ran(dom: str) -> bool:
    """Whether any payload ran: the title was changed to the mark or ``<body>`` was marked."""
    parsed = _parse(dom)
    return "".join(parsed.title).strip() == MARK or any(
        a[1] == "data-pwned" for a in parsed.attributes
    )


def assert_no_script_ran(dom: str, title: str) -> None:
    parsed = _parse(dom)
    assert not a_payload_ran(dom), "a payload ran"
    assert "".join(parsed.title).strip() == title
    live = [a for a in parsed.attributes if a[1].startswith("on")]
    assert not live, f"event handlers left in the page: {live[:3]}"
    links = [a for a in parsed.attributes if a[1] in ("href", "src", "data", "action")]
    bad = [a for a in links if a[2].strip().lower().startswith(("javascript:", "data:text"))]
    assert not bad, f"script links left in the page: {bad[:3]}"
    assert not [a for a in parsed.attributes if a[0] in ("script", "iframe", "object", "embed")]


def _hostile_notebook() -> nbformat.NotebookNode:
    """A notebook whose outputs carry every payload the ways a report shows text: Markdown and
    HTML outputs, a markdown cell, printed text."""
    cells = [new_markdown_cell("# Report\n\n" + "\n\n".join(PAYLOADS))]
    for payload in PAYLOADS:
        cell = new_code_cell("show()")
        cell.outputs = [
            new_output("display_data", data={"text/markdown": f"Area: {payload}"}),
            new_output("display_data", data={"text/html": f"<p>Header: {payload}</p>"}),
            new_output("stream", name="stdout", text=payload),
        ]
        cells.append(cell)
    return new_notebook(cells=cells)


def test_the_check_can_fail(tmp_path):
    """Control: the same page without the sanitiser runs the payloads in Chromium."""
    board, _ = make_exporters()
    raw, _ = board.from_notebook_node(_hostile_notebook())
    page = tmp_path / "raw.html"
    page.write_text(raw, encoding="utf-8")
    assert a_payload_ran(dump_dom(page, tmp_path))


def test_no_payload_runs_on_a_board_page(tmp_path):
    board, _ = make_exporters()
    hostile_title = PAYLOADS[0]
    context = RenderContext(
        run_id=PAYLOADS[1], notebook_name=PAYLOADS[2], title=hostile_title, synthetic=True
    )
    page = tmp_path / "board.html"
    page.write_text(render_html(_hostile_notebook(), board, context, board=True), encoding="utf-8")
    assert_no_script_ran(dump_dom(page, tmp_path), hostile_title)


@pytest.mark.slow
def test_hostile_extract_and_area_name_through_the_data_quality_page(tmp_path):
    """The real path: a file name, a header and values carrying payloads, and an area name from
    the config, through the data-quality notebook (papermill) and the board renderer."""
    import papermill as pm

    from sscb_analysis.paths import NOTEBOOKS, SYNTHETIC
    from sscb_analysis.reporting.render import render_reports

    hostile = Path(__file__).resolve().parent / "fixtures" / "hostile" / "header_markup.csv"
    cpp = tmp_path / f'<img src=x onerror="{JS}">.csv'
    cpp.write_bytes(hostile.read_bytes())
    executed = tmp_path / "00.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / "00_data_quality.ipynb"),
        str(executed),
        parameters={
            "cpp_path": str(cpp),
            "caf_path": str(SYNTHETIC / "caf.csv"),
            "marac_path": str(SYNTHETIC / "marac.csv"),
            "area_name": f"[Area](javascript:{JS}) <script>{JS}</script>",
        },
        cwd=str(tmp_path),
        progress_bar=False,
    )
    text = executed.read_text(encoding="utf-8")
    assert "onerror" in text  # the payloads did reach the notebook's outputs
    context = RenderContext(run_id="r", notebook_name="00_data_quality", synthetic=True)
    render_reports(executed, tmp_path / "board.html", tmp_path / "analyst.html", context)
    assert_no_script_ran(dump_dom(tmp_path / "board.html", tmp_path), "00_data_quality")

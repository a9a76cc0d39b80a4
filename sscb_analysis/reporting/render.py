"""Rendering an executed notebook to HTML: one page for the board, one for analysts.

The board page hides all code, the parameters and papermill's injected-parameters cells, adds a
table of contents from the markdown headings, a "SYNTHETIC DATA" banner when the data are not real
and a footer naming the run, commit and date. Figures are embedded as base64, so each page is one
self-contained file that can be e-mailed. The analyst page keeps the code.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from sscb_analysis.escape import board_page

BOARD_REMOVE_CELL_TAGS = frozenset({"remove_cell", "injected-parameters", "parameters"})
REMOVE_INPUT_TAGS = frozenset({"remove_input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove_output"})
SYNTHETIC_BANNER_TEXT = "SYNTHETIC DATA — not real children"
# require.js and MathJax load from a CDN; the board page must work offline as a single file.
_EXTERNAL_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.IGNORECASE
)

_STYLE = """
<style>
.sscb-banner{background:#b00020;color:#fff;font:bold 1.3em/1.4 sans-serif;padding:.6em 1em;
  text-align:center;letter-spacing:.05em}
.sscb-failed{background:#7a4d00;color:#fff;font:bold 1.1em sans-serif;padding:.5em 1em}
.sscb-toc{margin:1em 2em;padding:.5em 1em;border:1px solid #ccc;background:#fafafa;
  font-family:sans-serif;max-width:60em}
.sscb-toc ol{margin:.2em 0 .2em 1.2em;padding:0}
.sscb-toc .lvl2{margin-left:1.2em}.sscb-toc .lvl3{margin-left:2.4em}
.sscb-footer{margin:2em;padding-top:.5em;border-top:1px solid #ccc;color:#555;
  font:.85em sans-serif}
.jp-RenderedHTMLCommon table.board-summary td,.jp-RenderedHTMLCommon table.board-summary th{
  text-align:left;vertical-align:top}
</style>
"""


@dataclass(frozen=True)
class RenderContext:
    """What the page header and footer say about the run."""

    run_id: str
    notebook_name: str
    title: str | None = None
    commit: str | None = None
    generated: str | None = None
    synthetic: bool = False
    status: str = "ok"


class RemoveStderrPreprocessor(Preprocessor):
    """Drop stderr text (Python warnings, library log lines) from the board page.

    It is written for analysts, who see it on their page; a board member would read it as an
    unexplained error. Errors of a failed cell are not stderr and stay visible.
    """

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
        return cell, resources


def make_exporters() -> tuple[HTMLExporter, HTMLExporter]:
    """Build (board, analyst) exporters; building them once per worker process saves time."""
    board = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    board.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags=set(BOARD_REMOVE_CELL_TAGS),
            remove_input_tags=set(REMOVE_INPUT_TAGS),
            remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
            enabled=True,
        ),
        enabled=True,
    )
    board.register_preprocessor(RemoveStderrPreprocessor(enabled=True), enabled=True)
    analyst = HTMLExporter(embed_images=True)
    analyst.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={"remove_cell"}, enabled=True), enabled=True
    )
    return board, analyst


def render_reports(
    notebook_path: str | Path,
    board_path: str | Path,
    analyst_path: str | Path,
    context: RenderContext,
    exporters: tuple[HTMLExporter, HTMLExporter] | None = None,
) -> None:
    """Write the board and analyst HTML pages for an executed notebook."""
    board, analyst = exporters or make_exporters()
    nb = nbformat.read(str(notebook_path), as_version=4)
    Path(board_path).write_text(render_html(nb, board, context, board=True), encoding="utf-8")
    Path(analyst_path).write_text(render_html(nb, analyst, context, board=False), encoding="utf-8")


def render_html(
    nb: nbformat.NotebookNode, exporter: HTMLExporter, context: RenderContext, *, board: bool
) -> str:
    """Export ``nb`` with ``exporter`` and add the banner, table of contents and footer."""
    title = context.title or context.notebook_name
    resources: dict[str, Any] = {"metadata": {"name": title}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    if board:
        body = _EXTERNAL_SCRIPT.sub("", body)
    top = [_STYLE]
    if context.synthetic:
        top.append(
            f'<div class="sscb-banner" role="alert">{html.escape(SYNTHETIC_BANNER_TEXT)}</div>'
        )
    if context.status != "ok":
        top.append(
            f'<div class="sscb-failed" role="alert">This report {html.escape(context.status)}: '
            "its figures are incomplete. See the error below.</div>"
        )
    if board:
        top.append(table_of_contents(body))
    page = _insert_after_body_open(body, "".join(top)).replace(
        "</body>", _footer(context, board) + "</body>", 1
    )
    # The board page leaves through the sanitiser: no script, handler or javascript: link,
    # whatever a header, file name or area name brought in.
    return board_page(page, title) if board else page


def table_of_contents(page: str, max_level: int = 3) -> str:
    """An ordered list linking to the page's h1..h``max_level`` headings (empty when none)."""
    parser = _HeadingCollector(max_level)
    parser.feed(page)
    if not parser.headings:
        return ""
    items = "".join(
        f'<li class="lvl{level}"><a href="#{html.escape(anchor, quote=True)}">'
        f"{html.escape(text)}</a></li>"
        for level, anchor, text in parser.headings
    )
    return f'<nav class="sscb-toc" aria-label="Contents"><strong>Contents</strong><ol>{items}</ol></nav>'


def _footer(context: RenderContext, board: bool) -> str:
    commit = (context.commit or "unknown")[:12]
    kind = "board report" if board else "analyst report (with code)"
    parts = [
        f"{html.escape(context.notebook_name)} — {kind}",
        f"run {html.escape(context.run_id)}",
        f"commit {html.escape(commit)}",
    ]
    if context.generated:
        parts.append(f"generated {html.escape(context.generated)}")
    return f'<footer class="sscb-footer">{" · ".join(parts)}</footer>'


def _insert_after_body_open(page: str, fragment: str) -> str:
    start = page.find("<body")
    if start < 0:
        return fragment + page
    end = page.find(">", start)
    return page[: end + 1] + fragment + page[end + 1 :]


class _HeadingCollector(HTMLParser):
    """Collects (level, id, text) of headings that carry an ``id`` attribute."""

    def __init__(self, max_level: int) -> None:
        super().__init__(convert_charrefs=True)
        self.max_level = max_level
        self.headings: list[tuple[int, str, str]] = []
        self._current: tuple[int, str] | None = None
        self._text: list[str] = []
        self._in_anchor_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            level = int(tag[1])
            anchor = dict(attrs).get("id")
            if level <= self.max_level and anchor:
                self._current = (level, anchor)
                self._text = []
        elif tag == "a" and self._current and "anchor-link" in (dict(attrs).get("class") or ""):
            self._in_anchor_link = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_anchor_link = False
        elif self._current and tag == f"h{self._current[0]}":
            text = " ".join("".join(self._text).split())
            if text:
                self.headings.append((self._current[0], self._current[1], text))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current and not self._in_anchor_link:
            self._text.append(data)

"""Rendering an executed notebook to HTML: one page for the board, one for analysts.

The board page hides all code, the parameters and papermill's injected-parameters cells, adds a
table of contents from the markdown headings, a "SYNTHETIC DATA" banner when the data are not real,
the protective marking and disclosure policy of the run, and a footer naming the run, commit and
date. Figures are embedded as base64, so each page is one self-contained file that can be e-mailed.
The analyst page keeps the code.

Accessibility (WCAG 2.2 AA): every chart's ``<img alt>`` is the text written from its data
(:mod:`sscb_analysis.alt_text`); tables get header scopes and a caption; the "¶" heading anchors
are left off board pages. Print CSS lays the page out on A4 with the banner and the marking on
every page, no table row or figure split across pages, headings kept with what follows, and the
contents box hidden (the PDF pack, :mod:`sscb_analysis.reporting.pdf`, uses the same rules).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from sscb_analysis.escape import board_page, html_text
from sscb_analysis.reporting.page_style import (
    PRINT_CSS,
    SCORECARD_CSS,
    SYNTHETIC_BANNER_TEXT,
    RenderContext,
    page_top_css,
)

BOARD_REMOVE_CELL_TAGS = frozenset({"remove_cell", "injected-parameters", "parameters"})
REMOVE_INPUT_TAGS = frozenset({"remove_input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove_output"})
# require.js and MathJax load from a CDN; the board page must work offline as a single file.
_EXTERNAL_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.IGNORECASE
)

_STYLE = """
<style>
.sscb-banner{background:#b00020;color:#fff;font:bold 1.3em/1.4 sans-serif;padding:.6em 1em;
  text-align:center;letter-spacing:.05em}
.sscb-analyst-only{background:#fff4e5;border-left:6px solid #7a4d00;font:1em sans-serif;
  padding:.5em 1em;margin:0}
.sscb-failed{background:#7a4d00;color:#fff;font:bold 1.1em sans-serif;padding:.5em 1em}
.sscb-toc{margin:1em 2em;padding:.5em 1em;border:1px solid #ccc;background:#fafafa;
  font-family:sans-serif;max-width:60em}
.sscb-toc ol{margin:.2em 0 .2em 1.2em;padding:0}
.sscb-toc li{line-height:1.3;padding:.25em 0}
.sscb-toc a{display:inline-block;min-height:24px;padding:2px 0}
.sscb-links li{padding:.3em 0}.sscb-links a{display:inline-block;min-height:24px}
.sscb-toc .lvl2{margin-left:1.2em}.sscb-toc .lvl3{margin-left:2.4em}
.sscb-footer{margin:2em;padding-top:.5em;border-top:1px solid #ccc;color:#555;
  font:.85em sans-serif}
.jp-RenderedHTMLCommon table.board-summary td,.jp-RenderedHTMLCommon table.board-summary th{
  text-align:left;vertical-align:top}
.sscb-marking{font:bold .95em/1.4 sans-serif;color:#1a1a1a;border-bottom:2px solid #1a1a1a;
  padding:.3em 1em;margin:0 0 .5em}
.sscb-marking.restricted{color:#fff;background:#4a1070;border:none}
</style>
"""


class AltTextPreprocessor(Preprocessor):
    """Write each chart's alt text (the PNG output's ``alt`` metadata, set by
    :mod:`sscb_analysis.alt_text`) into the page's ``<img>``, which nbconvert does not do."""

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            alt = ((out.get("metadata") or {}).get("image/png") or {}).get("alt")
            if "image/png" in data and isinstance(alt, str) and alt.strip():
                png = "".join(str(data["image/png"]).split())
                out["data"] = {
                    "text/html": (
                        f'<img class="sscb-chart" src="data:image/png;base64,{png}" '
                        f'alt="{html_text(alt)}">'
                    )
                }
                out["metadata"] = {}
        return cell, resources


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
    board.register_preprocessor(AltTextPreprocessor(enabled=True), enabled=True)
    analyst = HTMLExporter(embed_images=True)
    analyst.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={"remove_cell"}, enabled=True), enabled=True
    )
    analyst.register_preprocessor(AltTextPreprocessor(enabled=True), enabled=True)
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
    context = with_run_marking(context, Path(notebook_path).parent)
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
        body = accessible_page(_EXTERNAL_SCRIPT.sub("", body))
    styles = _STYLE + f"<style>{SCORECARD_CSS}{PRINT_CSS}{page_top_css(context)}</style>"
    top: list[str] = []
    if board and (context.protective_marking or context.disclosure):
        top.append(marking_html(context.protective_marking, context.disclosure))
    if context.synthetic:
        top.append(
            f'<div class="sscb-banner" role="alert">{html_text(SYNTHETIC_BANNER_TEXT)}</div>'
        )
    if context.status != "ok":
        top.append(
            f'<div class="sscb-failed" role="alert">This report {html_text(context.status)}: '
            "its figures are incomplete. See the error below.</div>"
        )
    if board:
        top.append(table_of_contents(body))
    else:
        top.insert(0, analyst_notice(context))
    # Style sheets go in the head, so the banner is the first thing in the body.
    if "</head>" in body:
        body = body.replace("</head>", styles + "</head>", 1)
    else:
        top.insert(0, styles)
    page = _insert_after_body_open(body, "".join(top)).replace(
        "</body>", _footer(context, board) + "</body>", 1
    )
    # The board page leaves through the sanitiser: no script, handler or javascript: link,
    # whatever a header, file name or area name brought in.
    return board_page(page, title) if board else page


def analyst_notice(context: RenderContext) -> str:
    """The first line of every analyst page: what stays with the analysts, what may go to the
    board (issue 12, finding 13; the sentences are the index's, from reporting/sharing.py)."""
    from sscb_analysis.reporting.sharing import ANALYST_ONLY, board_sentence

    board = board_sentence(context.disclosure, context.protective_marking)
    return (
        '<div class="sscb-analyst-only" role="note"><strong>Analyst page: not for the board.'
        f"</strong> {html_text(ANALYST_ONLY)} {html_text(board)} This report's board page "
        f"is {html_text(context.notebook_name)}.html.</div>"
    )


def with_run_marking(context: RenderContext, run_dir: Path) -> RenderContext:
    """Fill the marking and disclosure policy from ``run_dir/context.json`` when not given."""
    if context.protective_marking is not None and context.disclosure is not None:
        return context
    path = run_dir / "context.json"
    try:
        run = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        run = {}
    marking, policy = run.get("protective_marking"), run.get("disclosure")
    return replace(
        context,
        protective_marking=context.protective_marking
        or (str(marking) if isinstance(marking, str) else None),
        disclosure=context.disclosure or (str(policy) if isinstance(policy, str) else None),
    )


#: What each disclosure policy means, as the page says it.
POLICY_TEXT = {
    "published": "published statistics: counts from 1 to 5 are not shown",
    "board-restricted": "for the board only: small counts are shown, so do not publish",
}


def marking_html(marking: str | None, disclosure: str | None) -> str:
    """The protective marking line (every board page, and every printed page)."""
    parts = [html_text(marking)] if marking else []
    if disclosure:
        parts.append("Disclosure: " + html_text(POLICY_TEXT.get(disclosure, disclosure)))
    restricted = " restricted" if disclosure == "board-restricted" else ""
    return f'<div class="sscb-marking{restricted}">{" · ".join(parts)}</div>'


def accessible_page(page: str) -> str:
    """A board page fit for screen readers: no "¶" heading anchors (read out as "pilcrow"),
    header scopes on every table header cell, a caption on every table (from the nearest heading
    above it when it has none), and no image without alternative text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, features="html.parser")
    for a in soup.select("a.anchor-link"):
        a.decompose()
    for cell in soup.select("div.jp-MarkdownCell"):
        # A cell holding only a heading stays with the next cell on paper: both go in one block
        # that is not split, unless the next is a long table (whose header repeats instead).
        blocks = [c for c in cell.select(".jp-RenderedMarkdown > *") if c.get_text(strip=True)]
        if not blocks or not all(b.name in ("h1", "h2", "h3", "h4") for b in blocks):
            continue
        cell["class"] = [*cell.get("class", []), "sscb-keep-next"]
        after = cell.find_next_sibling("div")
        if after is None or len(after.get_text()) > 1500 or len(after.find_all("tr")) > 12:
            continue
        group = soup.new_tag("div", attrs={"class": "sscb-keep-together"})
        cell.insert_before(group)
        group.append(cell.extract())
        group.append(after.extract())
    heading = ""
    seen: dict[str, int] = {}
    for el in soup.find_all(["h1", "h2", "h3", "h4", "table"]):
        if el.name != "table":
            heading = " ".join(el.get_text(" ").split())
            continue
        for th in el.select("thead th"):
            th.attrs.setdefault("scope", "col")
        for th in el.select("tbody th"):
            th.attrs.setdefault("scope", "row")
        if el.find("caption") is None and heading:
            seen[heading] = seen.get(heading, 0) + 1
            caption = soup.new_tag("caption")
            caption.string = heading if seen[heading] == 1 else f"{heading} ({seen[heading]})"
            el.insert(0, caption)
    return str(soup)


def table_of_contents(page: str, max_level: int = 3) -> str:
    """An ordered list linking to the page's h1..h``max_level`` headings (empty when none)."""
    parser = _HeadingCollector(max_level)
    parser.feed(page)
    if not parser.headings:
        return ""
    items = "".join(
        f'<li class="lvl{level}"><a href="#{html_text(anchor)}">{html_text(text)}</a></li>'
        for level, anchor, text in parser.headings
    )
    return f'<nav class="sscb-toc" aria-label="Contents"><strong>Contents</strong><ol>{items}</ol></nav>'


def _footer(context: RenderContext, board: bool) -> str:
    commit = (context.commit or "unknown")[:12]
    kind = "board report" if board else "analyst report (with code)"
    parts = [
        f"{html_text(context.notebook_name)} — {kind}",
        f"run {html_text(context.run_id)}",
        f"commit {html_text(commit)}",
    ]
    if context.generated:
        parts.append(f"generated {html_text(context.generated)}")
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

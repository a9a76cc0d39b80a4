"""The A4 board pack: one PDF of a complete run's board pages, for papers that circulate as PDFs.

``board_pack.pdf`` opens with a cover (area, period under review, run, data status), then the
board summary (needs attention, the scorecard, what it means), then each detailed board page in
the run's order. Every page carries the SYNTHETIC banner (when the data are synthetic) and the
protective marking at the top and "Page n of N" at the bottom; headings become PDF bookmarks; no
table row or figure is split across pages and headings stay with what follows (the print rules of
:mod:`sscb_analysis.reporting.render`). WeasyPrint lays it out from HTML and CSS, without a browser.

The pages are the rendered board pages themselves (``<name>.html``), so the PDF says exactly what
the HTML says: their bodies are joined under one compact print style (the JupyterLab screen CSS is
left out: it is most of each file and nothing in print needs it).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sscb_analysis.escape import html_text
from sscb_analysis.reporting.context import InputInfo
from sscb_analysis.reporting.page_style import (
    PRINT_CSS,
    SCORECARD_CSS,
    SYNTHETIC_BANNER_TEXT,
    RenderContext,
    css_string,
    page_top_css,
)

__all__ = ["PACK_NAME", "SUMMARY", "PackPage", "board_pack_step", "pack_html", "write_board_pack"]

log = logging.getLogger(__name__)

PACK_NAME = "board_pack.pdf"
#: The page that opens the pack after the cover.
SUMMARY = "05_board_summary"

_PACK_CSS = """
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1a1a1a; }
body { margin: 0; font-size: 9.5pt; line-height: 1.35; }
h1 { font-size: 16pt; margin: 0 0 .3em; bookmark-level: 1; }
h2 { font-size: 12.5pt; margin: .8em 0 .3em; bookmark-level: 2; }
h3 { font-size: 10.5pt; margin: .6em 0 .2em; bookmark-level: 3; }
h4, h5, h6 { bookmark-level: none; }
p, ul, ol { margin: .3em 0; }
section.pack-part { break-before: page; }
section.cover { text-align: left; padding-top: 40mm; }
section.cover h1 { font-size: 24pt; }
section.cover dl { display: grid; grid-template-columns: 45mm auto; gap: 2mm 4mm; margin-top: 10mm; }
section.cover dt { font-weight: bold; }
table { border-collapse: collapse; margin: .4em 0; font-size: 8.5pt; }
th, td { border: 1px solid #999; padding: 1.5pt 4pt; text-align: left; vertical-align: top; }
thead th { background: #e8edee; }
caption { text-align: left; font-weight: bold; padding: 2pt 0; }
img { max-width: 100%; max-height: 225mm; height: auto; }
.jp-RenderedImage, img.sscb-chart { break-inside: avoid; }
/* The scorecard as page_style.SCORECARD_CSS draws it, only denser. */
table.sscb-scorecard { font-size: 7.2pt; width: 100%; line-height: 1.2; }
table.sscb-scorecard th[scope], table.sscb-scorecard td.sscb-text,
table.sscb-scorecard td.sscb-num { padding: 1pt 2.5pt; }
table.sscb-scorecard th[scope=row] { width: 24%; }
table.sscb-scorecard tr.sscb-attention th[scope=row] { border-left: 4pt solid #b35900; }
.sscb-meanings { font-size: 7pt; line-height: 1.2; }
.sscb-meanings li, .sscb-attention-list li { margin: 1pt 0; }
.sscb-marking { font-weight: bold; border-bottom: 1.5pt solid #1a1a1a; margin-bottom: 3mm; }
.sscb-marking.restricted { color: #fff; background: #4a1070; border: none; padding: 1mm 2mm; }
.sscb-footer { color: #4c4c4c; font-size: 7.5pt; border-top: 1px solid #ccc; margin-top: 4mm; }
.sscb-print-hidden, nav.sscb-toc, .sscb-banner { display: none; }
"""
# The summary (scorecard, what to take from it, how to read it, what each indicator measures)
# a little tighter than the detailed pages, so that it stays on two A4 pages with the
# demonstration's fifteen indicators.
_PACK_CSS += (
    f"#part-{SUMMARY} {{ font-size: 8.5pt; line-height: 1.25; }}\n"
    f"#part-{SUMMARY} h2 {{ font-size: 11pt; margin: .5em 0 .2em; }}\n"
)


@dataclass(frozen=True)
class PackPage:
    """One board page of the run: its name, title and status in the manifest."""

    name: str
    title: str
    status: str


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _pages(manifest: dict[str, Any]) -> list[PackPage]:
    pages = [
        PackPage(str(n.get("name")), str(n.get("title") or n.get("name")), str(n.get("status")))
        for n in manifest.get("notebooks", [])
        if isinstance(n, dict) and n.get("name")
    ]
    first = [p for p in pages if p.name == SUMMARY]
    return first + [p for p in pages if p.name != SUMMARY]


def _body(page: str, name: str, names: set[str]) -> str:
    """The content of a rendered board page: its body without styles, scripts, the contents box
    and the banner (the pack prints the banner on every page instead). Its ids are prefixed with
    the page's name (pages share heading names), and links to another page of the run point at
    that page's part of the pack."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, features="html.parser")
    body = soup.body or soup
    for el in body.find_all(["style", "script", "link"]):
        el.decompose()
    for el in body.select("nav.sscb-toc, .sscb-banner, .sscb-marking"):
        el.decompose()
    for el in body.find_all(id=True):
        el["id"] = f"{name}--{el['id']}"
    for a in body.find_all("a", href=True):
        href = str(a["href"])
        if href.startswith("#"):
            a["href"] = f"#{name}--{href[1:]}"
        elif href.endswith(".html") and href[: -len(".html")] in names:
            a["href"] = f"#part-{href[: -len('.html')]}"
    return "".join(str(c) for c in body.contents)


def _data_status(run: dict[str, Any]) -> str:
    """The cover's word on freshness: each input not updated in this run (an optional export
    that was missing), as its pages say it; empty when the run's context lists no inputs."""
    given = run.get("inputs") if isinstance(run.get("inputs"), dict) else {}
    raw = [*given.values(), run.get("dataset")]
    infos = []
    for item in raw:
        try:
            infos.append(InputInfo.from_dict(item))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    if not infos:
        return ""
    notes = [i.note for i in infos if i.available and i.not_updated_since is not None]
    return (
        " ".join(n for n in notes if n)
        or "every export configured was present and used in this run"
    )


def _cover(manifest: dict[str, Any], run: dict[str, Any], pages: Sequence[PackPage]) -> str:
    area = run.get("area") if isinstance(run.get("area"), dict) else {}
    # Without the run's context.json (an older runner), the notebooks' parameters say it.
    given = next(
        (n.get("parameters") for n in manifest.get("notebooks", []) if isinstance(n, dict)),
        None,
    )
    given = given if isinstance(given, dict) else {}
    name = str(area.get("name") or run.get("area_name") or given.get("area_name") or "")
    period = str(run.get("period_label") or "")
    start = run.get("period_start") or given.get("period_start")
    end = run.get("period_end") or given.get("period_end")
    if not period and start and end:
        period = f"{start} to {end}"
    synthetic = bool(manifest.get("data_are_synthetic"))
    rows = [
        ("Area", name or "not stated in the run"),
        ("Period under review", period or "not stated in the run"),
        ("Run", str(manifest.get("run_id", ""))),
        ("Generated", str(manifest.get("finished") or manifest.get("started") or "")),
        (
            "Data",
            "SYNTHETIC: invented to test the reports, not real children"
            if synthetic
            else "real extracts (see the data quality page)",
        ),
        ("Data status", _data_status(run)),
        ("Disclosure", str(run.get("disclosure") or "published")),
        ("Marking", str(run.get("protective_marking") or "")),
        ("Reports", "; ".join(f"{p.title}: {p.status}" for p in pages)),
    ]
    items = "".join(f"<dt>{html_text(k)}</dt><dd>{html_text(v)}</dd>" for k, v in rows if v)
    title = f"{name} safeguarding board pack" if name else "Safeguarding board pack"
    return (
        '<section class="cover" id="cover">'
        f"<h1>{html_text(title)}</h1>"
        f"<p>{html_text(period)}</p><dl>{items}</dl></section>"
    )


def pack_html(
    run_dir: str | Path, manifest: dict[str, Any] | None = None
) -> tuple[str, list[PackPage]]:
    """The pack as one HTML document, and the pages it holds (in order). ``manifest`` is the
    run's (the runner passes its final one before writing it); default: ``manifest.json``."""
    run_dir = Path(run_dir)
    if manifest is None:
        manifest = _read_json(run_dir / "manifest.json")
    run = _read_json(run_dir / "context.json")
    pages = [p for p in _pages(manifest) if (run_dir / f"{p.name}.html").is_file()]
    synthetic = bool(manifest.get("data_are_synthetic"))
    marking = run.get("protective_marking")
    context = RenderContext(
        run_id=str(manifest.get("run_id", "")),
        notebook_name="board_pack",
        synthetic=synthetic,
        protective_marking=str(marking) if isinstance(marking, str) else None,
    )
    parts = [_cover(manifest, run, pages)]
    names = {p.name for p in pages}
    for p in pages:
        body = _body((run_dir / f"{p.name}.html").read_text(encoding="utf-8"), p.name, names)
        parts.append(f'<section class="pack-part" id="part-{html_text(p.name)}">{body}</section>')
    top = page_top_css(context) or (
        f"@page {{ @top-center {{ content: {css_string(SYNTHETIC_BANNER_TEXT)} }} }}"
        if synthetic
        else ""
    )
    style = f"{PRINT_CSS}{SCORECARD_CSS}{_PACK_CSS}{top}"
    document = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Board pack {html_text(context.run_id)}</title><style>{style}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )
    return document, pages


def write_board_pack(
    run_dir: str | Path,
    out: str | Path | None = None,
    manifest: dict[str, Any] | None = None,
) -> Path:
    """Write ``board_pack.pdf`` (A4) for the run in ``run_dir``; return its path."""
    from weasyprint import HTML

    run_dir = Path(run_dir)
    target = Path(out) if out is not None else run_dir / PACK_NAME
    document, pages = pack_html(run_dir, manifest)
    if not pages:
        raise FileNotFoundError(f"{run_dir} holds no board page to put in a pack")
    began = dt.datetime.now()
    tmp = target.with_name(f".{target.name}.tmp")
    HTML(string=document, base_url=str(run_dir)).write_pdf(tmp)
    tmp.replace(target)
    log.info(
        "board pack %s: %d pages of reports in %.1f s",
        target,
        len(pages),
        (dt.datetime.now() - began).total_seconds(),
    )
    return target


def board_pack_step(run_dir: str | Path, manifest: dict[str, Any]) -> str | None:
    """The runner's step for a complete run: write the pack; return an error sentence or None.

    A partial run (``manifest["partial"]``) or a failed one gets no pack.
    """
    if manifest.get("partial") or manifest.get("status") != "ok":
        return None
    try:
        write_board_pack(run_dir, manifest=manifest)
    except Exception as exc:  # the run must say why the board has no pack
        log.error("board pack not written: %s", exc)
        return f"board pack not written: {exc}"
    return None

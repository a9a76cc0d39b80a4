"""The A4 board pack (sscb_analysis.reporting.pdf): page size A4, a cover then the summary on at
most two pages then every detailed page, the banner and the marking on every page, page numbers,
bookmarks, and no figure or table row split across pages.

Laid out from the committed notebooks' board pages (the session's ``board_pages``); the layout is
read back from WeasyPrint's own page boxes, the file's bytes from the PDF written.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import pytest

from sscb_analysis.reporting.pdf import (
    PACK_NAME,
    SUMMARY,
    board_pack_step,
    pack_html,
    write_board_pack,
)

A4_PX = (210 / 25.4 * 96, 297 / 25.4 * 96)  # CSS pixels


@pytest.fixture(scope="module")
def laid_out(board_pages: Path):
    from weasyprint import HTML

    document, pages = pack_html(board_pages)
    return HTML(string=document, base_url=str(board_pages)).render(), pages


def _inflate(stream: bytes) -> bytes:
    try:
        return zlib.decompress(stream)
    except zlib.error:
        return b""


def _boxes(page, kind):
    return [b for b in page._page_box.descendants() if isinstance(b, kind)]


def _margin_text(page, where: str) -> str:
    for box in page._page_box.children:
        if getattr(box, "at_keyword", None) == where:
            return " ".join(getattr(b, "text", "") for b in box.descendants() if hasattr(b, "text"))
    return ""


def test_pages_are_a4_with_banner_marking_and_numbers(laid_out):
    doc, _ = laid_out
    total = len(doc.pages)
    for i, page in enumerate(doc.pages, start=1):
        assert (page.width, page.height) == pytest.approx(A4_PX, abs=0.5)
        top = _margin_text(page, "@top-center")
        assert "SYNTHETIC DATA" in top and "OFFICIAL" in top, (i, top)
        assert _margin_text(page, "@bottom-right") == f"Page {i} of {total}"


def test_cover_then_summary_on_two_pages_then_every_report(laid_out):
    doc, pages = laid_out
    first = {}
    for i, page in enumerate(doc.pages):
        for anchor in page.anchors:
            first.setdefault(anchor, i)
    assert pages[0].name == SUMMARY
    order = [first[f"part-{p.name}"] for p in pages]
    assert order == sorted(order) and first["cover"] == 0 and order[0] == 1
    # The scorecard and the summary fit on two A4 pages for the demonstration profile.
    assert order[1] - order[0] <= 2
    labels = []

    def walk(tree):
        for label, _target, children, _state in tree:
            labels.append(label)
            walk(children)

    walk(doc.make_bookmark_tree())
    assert "Summary for the board" in labels and "Scorecard" in labels
    assert len(labels) > len(pages)


def test_no_figure_or_table_row_split(laid_out):
    from weasyprint.formatting_structure import boxes

    doc, _ = laid_out
    seen_rows: dict[object, int] = {}
    images = 0
    for i, page in enumerate(doc.pages):
        box = page._page_box
        bottom = box.content_box_y() + box.height
        for img in _boxes(page, boxes.ReplacedBox):
            images += 1
            assert img.position_y >= box.content_box_y() - 0.5
            assert img.position_y + img.margin_height() <= bottom + 0.5, f"figure cut on page {i}"
        for group in _boxes(page, boxes.TableRowGroupBox):
            if group.is_header:
                continue  # a table header repeated on the next page is not a split row
            for row in group.children:
                assert seen_rows.setdefault(row.element, i) == i, f"table row split at page {i}"
    assert images >= 5  # the detailed pages' charts are in the pack


def test_write_and_the_runner_step(board_pages: Path, tmp_path: Path):
    out = write_board_pack(board_pages, tmp_path / PACK_NAME)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    # Page objects may sit in compressed object streams: read those too.
    text = data + b"".join(
        _inflate(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S)
    )
    media = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", text)
    assert media and all(
        abs(float(w) - 595.28) < 1 and abs(float(h) - 841.89) < 1 for w, h in media
    )
    assert b"/Outlines" in text  # bookmarks
    manifest = json.loads((board_pages / "manifest.json").read_text(encoding="utf-8"))
    assert board_pack_step(board_pages, {**manifest, "partial": True}) is None
    assert board_pack_step(board_pages, {**manifest, "status": "failed"}) is None
    assert not (board_pages / PACK_NAME).exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    error = board_pack_step(empty, {"status": "ok", "partial": False})
    assert error is not None and "no board page" in error


def test_cover_escapes_outside_text(tmp_path: Path):
    (tmp_path / "manifest.json").write_text(
        json.dumps({"run_id": "r", "notebooks": [{"name": "x", "title": "<b>t</b>"}]}),
        encoding="utf-8",
    )
    (tmp_path / "context.json").write_text(
        json.dumps(
            {"area": {"name": "<script>alert(1)</script>"}, "protective_marking": 'O"</style>'}
        ),
        encoding="utf-8",
    )
    (tmp_path / "x.html").write_text("<html><body><h1>X</h1></body></html>", encoding="utf-8")
    document, _ = pack_html(tmp_path)
    assert "<script>alert" not in document and "&lt;script&gt;" in document
    assert '"</style>' not in document


def test_no_heading_ends_a_page(laid_out):
    doc, _ = laid_out
    orphans = []
    for i, page in enumerate(doc.pages, start=1):
        box = page._page_box.children[0]  # the page's content (margin boxes follow)
        path = []
        while getattr(box, "children", None):
            box = box.children[-1]
            element = getattr(box, "element", None)
            path.append(getattr(element, "tag", None))
        if any(tag in ("h1", "h2", "h3", "h4") for tag in path):
            orphans.append(i)
    assert not orphans, f"a heading ends page(s) {orphans}"


def _as_long_as_the_demonstration(page: str, rows: int = 15) -> str:
    """The stored summary (run alone, it has only the board dataset's rows) with its scorecard
    and its list of meanings grown to the demonstration run's 15 indicators, by repeating its
    own rows and items: the length a real ``./run.sh report`` summary has."""
    body_start = page.index("<tbody>", page.index("sscb-scorecard")) + len("<tbody>")
    body_end = page.index("</tbody>", body_start)
    table_rows = re.findall(r"<tr\b.*?</tr>", page[body_start:body_end], flags=re.S)
    grown = "".join(table_rows[i % len(table_rows)] for i in range(rows))
    page = page[:body_start] + grown + page[body_end:]
    list_start = page.index(">", page.index('<ul class="sscb-meanings"')) + 1
    list_end = page.index("</ul>", list_start)
    items = re.findall(r"<li>.*?</li>", page[list_start:list_end], flags=re.S)
    grown = "".join(items[i % len(items)] for i in range(rows))
    return page[:list_start] + grown + page[list_end:]


def test_a_demonstration_length_summary_still_fits_two_pages(board_pages: Path, tmp_path: Path):
    # Review: the demonstration run's summary (15 scorecard rows, 15 meanings) printed on three
    # A4 pages; the test above reads the stored summary, which has fewer rows.
    import shutil

    from weasyprint import HTML

    pages_dir = tmp_path / "run"
    shutil.copytree(board_pages, pages_dir)
    summary = pages_dir / f"{SUMMARY}.html"
    summary.write_text(
        _as_long_as_the_demonstration(summary.read_text(encoding="utf-8")), encoding="utf-8"
    )
    document, pages = pack_html(pages_dir)
    doc = HTML(string=document, base_url=str(pages_dir)).render()
    first: dict[str, int] = {}
    for i, page in enumerate(doc.pages):
        for anchor in page.anchors:
            first.setdefault(anchor, i)
    assert pages[0].name == SUMMARY
    assert first[f"part-{pages[1].name}"] - first[f"part-{SUMMARY}"] <= 2


def test_the_cover_says_which_figures_were_not_updated(board_pages: Path, tmp_path: Path):
    # Review: with an optional export missing, every page using it said "not updated since",
    # but the pack's cover, its data status, said nothing.
    import shutil

    pages_dir = tmp_path / "run"
    shutil.copytree(board_pages, pages_dir)
    run = json.loads((pages_dir / "context.json").read_text(encoding="utf-8"))
    fresh = {"kind": "cpp", "path": "cpp.parquet", "not_updated_since": None}
    stale = {"kind": "marac", "path": "marac.parquet", "optional": True}
    run["inputs"] = {"cpp": fresh, "marac": {**stale, "not_updated_since": "2013-02-01"}}
    (pages_dir / "context.json").write_text(json.dumps(run), encoding="utf-8")
    document, _ = pack_html(pages_dir)
    cover = document[document.index('id="cover"') :].split("</section>", 1)[0]
    assert "MARAC figures were not updated in this run" in cover
    assert "not updated since 1 February 2013" in cover and "CPP" not in cover
    run["inputs"]["marac"] = {**stale, "not_updated_since": None}
    (pages_dir / "context.json").write_text(json.dumps(run), encoding="utf-8")
    document, _ = pack_html(pages_dir)
    cover = document[document.index('id="cover"') :].split("</section>", 1)[0]
    assert "every export configured was present and used in this run" in cover


def test_scorecard_cells_are_aligned_as_on_the_html_page(laid_out):
    """The pack's scorecard: every cell's text left and top, as the HTML page has it (one rule
    set, page_style.SCORECARD_CSS); tests/test_accessibility.py checks the page in Chromium."""
    from weasyprint.formatting_structure import boxes

    doc, _ = laid_out
    tables = [
        t
        for page in doc.pages
        for t in _boxes(page, boxes.TableBox)
        if "sscb-scorecard" in (t.element.get("class") or "")
    ]
    cells = [c for t in tables for c in t.descendants() if isinstance(c, boxes.TableCellBox)]
    assert len(cells) > 7  # the header and at least one row
    assert {c.style["text_align_all"] for c in cells} == {"left"}
    assert {c.style["vertical_align"] for c in cells} == {"top"}
    numbers = [c for c in cells if "sscb-num" in (c.element.get("class") or "")]
    assert numbers and {c.style["font_variant_numeric"] for c in numbers} == {("tabular-nums",)}

"""Escaping at every boundary (sscb_analysis.escape): HTML, Markdown as nbconvert renders it,
the board-page sanitiser, spreadsheet-safe CSV cells (OWASP), terminal text."""

from __future__ import annotations

import csv
import html
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from nbconvert.filters.markdown import markdown2html

from sscb_analysis.escape import (
    board_page,
    csv_cell,
    html_text,
    md_text,
    spreadsheet_frame,
    terminal_text,
    write_spreadsheet_csv,
)

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "</script><script>document.title='pwned'</script>",
    "![i](http://attacker.example/x.png)",
    '"><svg onload=alert(1)>',
    "<a href='javascript:alert(1)'>click</a>",
    "$\\alpha$ *b* _i_ # h | c",
    "line one\n# a heading\n<script>alert(1)</script>",
    "&lt;script&gt;",
    "\\<b>bold</b>",
]


class _Elements(HTMLParser):
    """Every start tag and attribute of a fragment, to check what markup it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, k, v) for k, v in attrs]

    def handle_data(self, data):
        self.text.append(data)


def _parse(fragment: str) -> _Elements:
    p = _Elements()
    p.feed(fragment)
    return p


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_text_is_never_markup(payload):
    parsed = _parse(f"<p title='{html_text(payload)}'>{html_text(payload)}</p>")
    assert parsed.tags == ["p"]
    assert parsed.attributes == [("p", "title", payload)]
    assert "".join(parsed.text) == payload


def test_html_text_drops_control_characters():
    """An ANSI escape from a name reached the scorecard and the PDF's text as raw ESC bytes:
    HTML text carries no control character but tab and line ends, as Markdown text."""
    assert html_text("\x1b[31mTeam\x07 A\x00") == "[31mTeam A"
    assert html_text("a\tb\nc") == "a\tb\nc"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_text_renders_as_the_literal_text(payload):
    # nbconvert's own Markdown renderer, the one that makes the HTML pages.
    rendered = markdown2html(f"Area: {md_text(payload)}")
    parsed = _parse(rendered)
    assert parsed.tags == ["p"], rendered
    shown = " ".join("".join(parsed.text).split())
    assert shown == "Area: " + " ".join(payload.split())


def test_md_text_in_a_table_cell_and_a_heading():
    table = markdown2html(f"| a | b |\n|---|---|\n| {md_text('x|y <b>')} | 2 |")
    assert "<td>x|y &lt;b&gt;</td>" in table
    heading = markdown2html(f"# Report for {md_text('[Area](javascript:alert(1))')}")
    hrefs = [v for _, k, v in _parse(heading).attributes if k == "href"]
    assert all(h.startswith("#") for h in hrefs)  # only nbconvert's own anchor link
    assert "[Area](javascript:alert(1))" in html.unescape(heading)


def test_md_text_drops_control_characters():
    assert md_text("a\x1b[31mb\x00") == "a\\[31mb"


# ---------------------------------------------------------------------------- board pages
def _page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><title>x</title>{head}"
        "<script src='https://cdn.example/require.js'></script></head>"
        f"<body class='jp-Notebook'>{body}</body></html>"
    )


PNG = "data:image/png;base64,iVBORw0KGgo="


def test_board_page_removes_every_way_to_run_script():
    hostile = (
        "<h2 id='top' onclick='alert(1)'>Heading</h2>"
        "<img src=x onerror=alert(1)>"
        "<a href='javascript:alert(1)'>js</a><a href=' JaVaScRiPt:alert(1)'>js2</a>"
        "<a href='data:text/html,<script>alert(1)</script>'>data</a>"
        "<script>document.title='pwned'</script>"
        "<iframe src='https://evil.example'></iframe><object data='x'></object>"
        "<svg onload=alert(1)><script>alert(1)</script><a href='javascript:alert(1)'>s</a>"
        "<animate onbegin='alert(1)' attributeName='x' dur='1s'/><use href='#x'/>"
        "<foreignObject><img src=x onerror=alert(1)></foreignObject></svg>"
        '<svg class="sscb-icon" aria-hidden="true" width="18" height="18" viewBox="0 0 18 18">'
        '<circle cx="9" cy="9" r="8" fill="#1a7f37"/><text x="9" y="13">S</text></svg>'
        "<form action='https://evil.example'><input name=p><button>Go</button></form>"
        "<div style='color:red' data-x='1' aria-label='l' onmouseover='alert(1)'>ok</div>"
        "<!-- a comment -->"
        f"<img src='{PNG}' alt='chart'><img src='https://tracker.example/p.gif'>"
        "<a href='#top' class='anchor-link'>¶</a><a href='https://gov.uk/x'>gov</a>"
        "<style>.a > .b { color: red }</style>"
    )
    safe = board_page(
        _page(hostile, head="<style>.head-css { margin: 0 }</style>"), "Board <b>page</b>"
    )
    assert safe.index(".head-css") < safe.index("</head>") < safe.index("Heading")
    parsed = _parse(safe)
    dangerous = {"script", "iframe", "object", "form", "input", "button", "animate", "use"}
    assert not dangerous & set(parsed.tags) and "foreignobject" not in parsed.tags
    assert ("circle", "fill", "#1a7f37") in parsed.attributes  # a decorative icon is kept
    assert ("svg", "viewbox", "0 0 18 18") in parsed.attributes
    assert not [a for a in parsed.attributes if a[1].startswith("on")]
    hrefs = [v for t, k, v in parsed.attributes if k == "href"]
    assert hrefs == ["#top", "https://gov.uk/x"]
    srcs = [v for t, k, v in parsed.attributes if k == "src"]
    assert srcs == [PNG]
    assert ("div", "style", "color:red") in parsed.attributes
    assert ("div", "data-x", "1") in parsed.attributes
    assert ("h2", "id", "top") in parsed.attributes
    assert ".a > .b { color: red }" in safe
    assert "a comment" not in safe and "pwned" not in safe
    assert "<title>Board &lt;b&gt;page&lt;/b&gt;</title>" in safe
    assert safe.count("<title>") == 1 and safe.startswith("<!DOCTYPE html>")


def test_board_page_keeps_a_rendered_notebook_page():
    """A real page: the renderer's output for a stored notebook keeps its figures, headings,
    tables and CSS, and loses only its scripts."""
    import nbformat

    from sscb_analysis.paths import ROOT
    from sscb_analysis.reporting.render import RenderContext, make_exporters, render_html

    board, _ = make_exporters()
    nb = nbformat.read(str(ROOT / "notebooks" / "05_board_summary.ipynb"), as_version=4)
    exported, _ = board.from_notebook_node(nb)
    page = render_html(nb, board, RenderContext(run_id="r", notebook_name="n"), board=True)
    before, after = _parse(exported), _parse(page)
    assert "script" in before.tags and "script" not in after.tags
    for tag in ("h1", "h2", "table", "td", "img"):
        assert after.tags.count(tag) == before.tags.count(tag), tag
    assert after.tags.count("style") >= before.tags.count("style")


# ---------------------------------------------------------------------------- CSV
@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "-2+3",
        "-",
        "\t=1+1",
        "\r=1+1",
        "\n=1",
        "  =1+1",
        "＝1+1",
    ],
)
def test_csv_cell_neutralises_formulas(cell):
    assert csv_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("\x00=1", "'\\x00=1"),  # a formula behind a NUL: neutralised, and the NUL made visible
        ("\x1b[2J\x1b[31mok", "\\x1b[2J\\x1b[31mok"),  # ANSI: clear screen, red
        ("bell\x07", "bell\\x07"),
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("line one\nline two\tx", "line one\nline two\tx"),  # line ends and tabs stay
    ],
)
def test_csv_cell_makes_control_characters_visible(cell, written):
    """Printing a quarantine or log CSV (``cat``) must replay nothing: raw ESC, BEL, NUL and
    bidirectional overrides are written as escapes; the parquet keeps the true value."""
    assert csv_cell(cell) == written
    frame = pd.DataFrame({"value": pd.array([cell, "plain"], dtype="str")})
    assert spreadsheet_frame(frame)["value"].tolist() == [written, "plain"]


@pytest.mark.parametrize("cell", ["-5", "+1.5", "-0.25", "12", "Team A", "a=b", "", "don't"])
def test_csv_cell_leaves_plain_text_and_numbers(cell):
    assert csv_cell(cell) == cell


def test_csv_cell_leaves_non_text():
    for value in (-3, -2.5, None, np.nan, pd.Timestamp("2024-01-01")):
        assert csv_cell(value) is value


def test_spreadsheet_frame_on_every_kind_of_column(tmp_path):
    frame = pd.DataFrame(
        {
            "text": pd.array(["=1+1", "ok", None, "-7"], dtype="str"),
            "object": ["@x", 5, None, "+y"],
            "category": pd.Categorical(["-a", "b", "-a", "b"]),
            "number": [-1.0, 2.0, np.nan, -4.5],
            "int": pd.array([-1, 2, None, 3], dtype="Int64"),
            "=header": ["a", "b", "c", "d"],
        }
    )
    out = spreadsheet_frame(frame)
    assert out["text"].tolist()[:2] == ["'=1+1", "ok"] and pd.isna(out["text"][2])
    assert out["text"][3] == "-7"
    assert out["object"].tolist()[:2] == ["'@x", 5] and out["object"][3] == "'+y"
    assert out["category"].tolist() == ["'-a", "b", "'-a", "b"]
    pd.testing.assert_series_equal(out["number"], frame["number"])
    pd.testing.assert_series_equal(out["int"], frame["int"])
    assert list(out.columns)[-1] == "'=header"
    assert frame["text"][0] == "=1+1"  # the caller's frame keeps its true values

    path = tmp_path / "q.csv"
    write_spreadsheet_csv(frame, path)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == "'=1+1" and rows[1][3] == "-1.0"
    assert all(cell[:1] not in "=+-@" or cell.lstrip("-").replace(".", "").isdigit()
               for row in rows for cell in row if cell)  # fmt: skip


def test_spreadsheet_frame_is_fast_on_a_big_log():
    n = 200_000
    frame = pd.DataFrame({"value": pd.array([f"v{i}" for i in range(n)], dtype="str")})
    frame.loc[n - 1, "value"] = "=evil()"
    out = spreadsheet_frame(frame)
    assert out["value"].iloc[-1] == "'=evil()" and out["value"].iloc[0] == "v0"


# ---------------------------------------------------------------------------- terminals
def test_terminal_text_shows_control_characters_as_escapes():
    assert terminal_text("a\x1b[2J\rb\x08") == "a\\x1b[2J\\x0db\\x08"
    assert terminal_text("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    assert terminal_text("two\nlines") == "two\\x0alines"
    assert terminal_text("two\nlines", multiline=True) == "two\nlines"
    assert terminal_text("café — ok") == "café — ok"

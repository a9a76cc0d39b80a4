"""Escaping at every boundary: the one owner of how a string from outside (a header, a cell, a
file name, an area's name from the config) is written where something could read it as code.

Every such string is hostile until escaped for where it goes:

- :func:`html_text`: into HTML (an element's text or a quoted attribute value);
- :func:`md_text`: into Markdown (a notebook's Markdown output, a table cell), so it shows as
  the literal text and can make no link, image, heading, raw HTML or maths;
- :func:`board_page`: the last step of every board page, an allow-list sanitiser (nh3, the
  Python binding of the Rust ``ammonia`` sanitiser) that leaves no script, no event handler, no
  ``javascript:`` or ``data:`` link and no external image, whatever got through above;
- :func:`csv_cell`, :func:`spreadsheet_frame`, :func:`write_spreadsheet_csv`: into CSV files
  meant for spreadsheets, with cells that a spreadsheet would run as a formula neutralised as
  OWASP recommends (see :func:`csv_cell`);
- :func:`terminal_text`: into a terminal or a log line, with control characters (ANSI escape
  sequences, carriage returns that overwrite a line, bidirectional overrides) shown as escapes.

Use these rather than ``html.escape``, a regex or f-string of your own, so that one change in
the rules reaches every page and file. ``docs/decisions.md`` ("Escaping") says how to use them.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "board_page",
    "csv_cell",
    "html_text",
    "md_text",
    "spreadsheet_frame",
    "terminal_text",
    "write_spreadsheet_csv",
]


# ---------------------------------------------------------------------------- HTML
#: Control characters other than tab and line ends (an ANSI escape's ESC, BEL, NUL, C1).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def html_text(value: object) -> str:
    """``value`` as text for HTML: ``& < > " '`` become entities, so it is never markup, and is
    safe in an element's text or in a quoted attribute value; control characters other than
    tab and line ends are dropped (as :func:`md_text` drops them), so none reaches a page or the
    PDF made from it."""
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


# ---------------------------------------------------------------------------- Markdown
# Line breaks of any kind (a Markdown line break could start a heading, list, table or code
# block) and other control characters.
_MD_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_MD_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def md_text(value: object) -> str:
    """``value`` as literal inline text for Markdown (CommonMark and GitHub tables).

    Every ASCII punctuation character is backslash-escaped (CommonMark lets any of them be, and
    shows the character itself), so ``<img onerror=...>`` stays text, ``[x](javascript:...)``
    makes no link, ``*``, ``_``, ``|``, ``#`` and ``$`` make no emphasis, table cell, heading or
    maths; line breaks become spaces so the value cannot start a new block; other control
    characters are dropped.
    """
    text = _CONTROL.sub("", _MD_BREAKS.sub(" ", str(value)))
    return _MD_PUNCTUATION.sub(r"\\\1", text)


# ---------------------------------------------------------------------------- board pages
#: Drawing-only SVG, for small decorative icons: shapes and text; no links, ``use``, images or
#: animation (nothing in it can load or run anything).
_SVG_TAGS = (
    "svg", "g", "circle", "ellipse", "rect", "line", "polyline", "polygon", "path", "text", "tspan"
)  # fmt: skip
#: Tags a board page may hold: nh3's default allow-list (text, lists, tables, images, links),
#: the page structure nbconvert and the renderer write, ``style`` (the page's own CSS) and the
#: drawing-only SVG.
BOARD_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
        "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "main",
        "mark", "nav", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span",
        "strong", "style", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "time", "tr", "u", "ul", "var", "wbr", *_SVG_TAGS,
    }
)  # fmt: skip
#: Presentation attributes of the drawing-only SVG.
_SVG_ATTRIBUTES = {
    "viewBox", "width", "height", "cx", "cy", "r", "rx", "ry", "x", "y", "x1", "y1", "x2", "y2",
    "dx", "dy", "points", "d", "fill", "fill-opacity", "stroke", "stroke-width", "opacity",
    "transform", "text-anchor", "dominant-baseline", "font-size", "font-family", "font-weight",
    "focusable",
}  # fmt: skip
#: Tags removed with everything inside them (not just the tag): code, frames, embedded
#: documents, forms and the head's title (the page gets a fresh, escaped one).
BOARD_DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
        "applet", "math", "form", "textarea", "select", "button", "title", "foreignObject",
        "use", "image", "animate", "animateMotion", "animateTransform", "set", "mpath",
    }
)  # fmt: skip
#: Attributes on any tag (``data-`` and ``aria-`` ones too); event handlers are never allowed.
BOARD_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "role", "title", "lang", "dir", "style", "tabindex", "hidden"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "summary"},
    "td": {"colspan", "rowspan", "headers", "align"},
    "th": {"colspan", "rowspan", "headers", "scope", "align"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type"},
    "style": {"type", "media"},
    "time": {"datetime"},
    **{tag: set(_SVG_ATTRIBUTES) for tag in _SVG_TAGS},
}
_IMAGE_DATA = re.compile(r"data:image/(?:png|jpeg|gif|webp);", re.IGNORECASE)


def _board_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images only from ``data:image/...`` (a board page works offline and calls nowhere);
    links never to ``data:`` (nh3 has already removed every scheme but http(s), mailto, data)."""
    if tag == "img" and attribute == "src":
        return value if _IMAGE_DATA.match(value.strip()) else None
    if attribute == "href" and value.strip().lower().startswith("data:"):
        return None
    return value


# nbconvert's lab template puts these on <body>; the page's CSS selects on them.
_BODY = (
    '<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">'
)


def board_page(page: str, title: str) -> str:
    """A whole board page made safe: the final step before it is written.

    ``page`` is the HTML the renderer made; what comes back is a fresh document (its own
    doctype, head and an escaped ``title``) holding ``page``'s style sheets in its head and its
    body sanitised by nh3 against an allow-list: no ``script`` (nor anything that can hold or
    load code: frames, objects, forms, SVG beyond shapes and text), no event handler, links to http(s),
    mailto and anchors, images only embedded as PNG/JPEG/GIF/WebP data. Style sheets are kept
    (CSS cannot run script in current browsers), comments dropped. The head is split off at the
    template's ``<body`` (nbconvert escapes the title, so no ``<body`` comes before it).
    """
    import nh3

    at = page.lower().find("<body")
    head, body = (page[:at], page[at:]) if at >= 0 else ("", page)
    styles = nh3.clean(
        head,
        tags={"style"},
        clean_content_tags=set(BOARD_DROPPED_WITH_CONTENT),
        attributes={"style": {"type", "media"}},
        strip_comments=True,
    )
    attributes = {tag: set(names) for tag, names in BOARD_ATTRIBUTES.items()}
    content = nh3.clean(
        body,
        tags=set(BOARD_TAGS),
        clean_content_tags=set(BOARD_DROPPED_WITH_CONTENT),
        attributes=attributes,
        attribute_filter=_board_attribute,
        generic_attribute_prefixes={"data-", "aria-"},
        url_schemes={"http", "https", "mailto", "data"},
        link_rel=None,  # no target attribute is allowed, so no link opens a window to guard
        strip_comments=True,
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head><meta charset="utf-8"/>\n'
        '<meta content="width=device-width, initial-scale=1.0" name="viewport"/>\n'
        f"<title>{html_text(title)}</title>\n{styles.strip()}\n</head>\n"
        f"{_BODY}\n{content.strip()}\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------- CSV
#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection":
#: =, +, -, @, tab, carriage return; OWASP ASVS 1.2.10 adds NUL), with line feed, and the
#: full-width forms some spreadsheets fold into them.
_BIDI_CHARS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
FORMULA_STARTS = "=+-@\t\r\n\x00＝＋－＠"
_FORMULA = re.compile(rf"^[ ]*[{re.escape(FORMULA_STARTS)}]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
# The same two tests for pyarrow (RE2) over whole columns.
_FORMULA_RE2 = "^[ ]*[=+\\-@\\t\\r\\n\\x00\\x{FF1D}\\x{FF0B}\\x{FF0D}\\x{FF20}]"
_PLAIN_NUMBER_RE2 = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"


# Characters a CSV cell must not carry raw: control characters other than tab and line ends
# (an ESC starts an ANSI sequence when the file is printed to a terminal) and bidirectional
# overrides (they reorder what a reader sees). Written as escapes such as ``\x1b``.
_HIDDEN_RE2 = (
    "[\\x{0}-\\x{8}\\x{B}\\x{C}\\x{E}-\\x{1F}\\x{7F}-\\x{9F}\\x{2028}\\x{2029}\\x{61C}"
    "\\x{200E}\\x{200F}\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}]"
)
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029" + _BIDI_CHARS + "]")


def _visible(text: str) -> str:
    """``text`` with the characters :data:`_HIDDEN` matches written as escapes."""
    return _HIDDEN.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


def csv_cell(value: Any) -> Any:
    """A cell for a CSV meant for spreadsheets: text that a spreadsheet would run as a formula
    gets a leading ``'`` (OWASP's advice for CSV injection), anything else is unchanged apart
    from control characters (other than tab and line ends) and bidirectional overrides, which
    are written as escapes (``\\x1b``) so that printing the file replays nothing.

    Neutralised: text starting (after any spaces) with ``=``, ``+``, ``-``, ``@``, tab, carriage
    return, line feed, NUL or their full-width forms (``=HYPERLINK(...)``, ``+cmd|...``,
    ``@SUM(...)``, ``-2+3``). Not changed: numbers, and text that is a plain signed number
    (``-5``, ``+1.5``), which a spreadsheet reads as that number and can run nothing. The
    quote shows in the cell; the parquet keeps the true value.
    """
    if not isinstance(value, str):
        return value
    if _FORMULA.match(value) and not _PLAIN_NUMBER.match(value):
        value = "'" + value
    return _visible(value)


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`csv_cell` (vectorised;
    numeric, date and boolean columns are not text and stay as they are). Headers too."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        if not (pd.api.types.is_string_dtype(column.dtype) or column.dtype == object):
            continue
        out[name] = _neutralise(column)
    out.columns = [csv_cell(str(c)) for c in out.columns]
    return out


def _neutralise(column: pd.Series) -> pd.Series:
    """:func:`csv_cell` over a text column, in pyarrow (a million-row log in milliseconds)."""
    try:
        arr = pa.array(column, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: cell by cell
        return column.map(csv_cell)
    risky = pc.and_(
        pc.match_substring_regex(arr, _FORMULA_RE2),
        pc.invert(pc.match_substring_regex(arr, _PLAIN_NUMBER_RE2)),
    )
    hidden = pc.match_substring_regex(arr, _HIDDEN_RE2)
    mask = pc.or_(risky, hidden).fill_null(False).to_numpy(zero_copy_only=False)
    if not mask.any():
        return column
    out = column.copy()
    out[mask] = column[mask].map(csv_cell)
    return out


def write_spreadsheet_csv(frame: pd.DataFrame, path: str | os.PathLike[str], **kwargs: Any) -> None:
    """Write ``frame`` as a CSV meant for spreadsheets (no index; cells through :func:`csv_cell`)."""
    spreadsheet_frame(frame).to_csv(Path(path), index=False, **kwargs)


# ---------------------------------------------------------------------------- terminals


def terminal_text(value: object, *, multiline: bool = False) -> str:
    """``value`` safe to print to a terminal or write as one log line.

    Control characters (ESC of an ANSI sequence, a carriage return that would overwrite the
    line, backspace, NUL, C1 controls) and bidirectional overrides (which reorder what a reader
    sees) are shown as escapes such as ``\\x1b`` or ``\\u202e``; line feeds too, unless
    ``multiline``.
    """
    out = []
    for ch in str(value):
        if (ch == "\n" and multiline) or not (
            ch in _BIDI_CHARS or unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        ):
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)

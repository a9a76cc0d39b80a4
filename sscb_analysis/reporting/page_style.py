"""What every report page says about its run, and the print rules shared by the pages and the pack.

Kept apart from :mod:`sscb_analysis.reporting.render` (nbconvert, nbformat) so the runner's own
process can lay out the PDF pack (:mod:`sscb_analysis.reporting.pdf`) without importing them:
importing nbformat costs about a second (its schema checker loads an IRI grammar), paid at the
very end of every run, after the last notebook.
"""

from __future__ import annotations

from dataclasses import dataclass

SYNTHETIC_BANNER_TEXT = "SYNTHETIC DATA — not real children"


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
    #: The marking line printed on every board page, e.g. "OFFICIAL" or "OFFICIAL-SENSITIVE: for
    #: the board, not for publication"; None reads it from the run's context.json, if any.
    protective_marking: str | None = None
    #: ``published`` or ``board-restricted`` (None: from the run's context.json, if any).
    disclosure: str | None = None


#: The printed page: A4, margins wide enough for the marking above and the page number below.
PRINT_CSS = """
@page { size: A4; margin: 16mm 13mm 15mm 13mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif;
    color: #333; } }
@media print {
  .sscb-toc, .sscb-print-hidden, .jp-InputPrompt, .jp-OutputPrompt {
    display: none !important; }
  body { font-size: 10pt; }
  h1, h2, h3, h4, .sscb-keep-next { break-after: avoid; page-break-after: avoid; }
  tr, img, svg, figure, .jp-RenderedImage, .sscb-banner, .sscb-marking, li, p,
  .sscb-keep-together {
    break-inside: avoid; page-break-inside: avoid; }
  table { break-inside: auto; }
  thead { display: table-header-group; }
  img { max-width: 100% !important; height: auto !important; }
}
"""


#: The scorecard's look, one rule set for the HTML page and the PDF pack (which only make it
#: denser): every cell's text starts at the left and the top, the numbers in the "Latest" and
#: "Likely range" columns (``sscb-num``) in figures of one width so they line up. The cell
#: selectors carry a class or an attribute: JupyterLab's CSS right-aligns output table cells
#: with ``:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`` (specificity 0,2,1), which a
#: plain ``table.sscb-scorecard td`` (0,1,2) loses to on the HTML page only.
SCORECARD_CSS = """
table.sscb-scorecard{border-collapse:collapse;font:.85em/1.35 sans-serif;margin:.5em 0;width:100%}
table.sscb-scorecard caption{text-align:left;font-weight:bold;padding:.3em 0}
table.sscb-scorecard th[scope],table.sscb-scorecard td.sscb-text,
table.sscb-scorecard td.sscb-num{border:1px solid #767676;padding:.25em .4em;
  text-align:left;vertical-align:top}
table.sscb-scorecard td.sscb-num{font-variant-numeric:tabular-nums}
table.sscb-scorecard thead th[scope]{background:#e8edee;color:#1a1a1a}
table.sscb-scorecard tr.sscb-attention th[scope=row]{border-left:6px solid #b35900}
.sscb-icon{display:inline-block;min-width:1.45em;height:1.45em;line-height:1.45em;
  border-radius:50%;color:#fff;font:bold .8em/1.45em sans-serif;text-align:center;
  vertical-align:.1em}
.sscb-icon-blue{background:#005EB8}.sscb-icon-orange{background:#B35900}
.sscb-icon-purple{background:#5C2D91}.sscb-icon-grey{background:#595959}
.sscb-period{font-weight:normal;color:#4c4c4c;font-size:.9em}
.sscb-attention-list li,.sscb-meanings li{margin:.2em 0}
.sscb-meanings{font-size:.9em}
"""


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or the ``<style>`` element."""
    out = []
    for ch in " ".join(str(text).split()):
        plain = ch.isascii() and (ch.isalnum() or ch in " .,:;-_()/'")
        out.append(ch if plain else f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def page_top_css(context: RenderContext) -> str:
    """The line printed at the top of every page: the SYNTHETIC banner and the marking."""
    parts = [SYNTHETIC_BANNER_TEXT] if context.synthetic else []
    if context.protective_marking:
        parts.append(context.protective_marking)
    if not parts:
        return ""
    return (
        f"@page {{ @top-center {{ content: {css_string(' · '.join(parts))}; "
        "font: bold 9pt sans-serif; color: #1a1a1a; } }"
    )

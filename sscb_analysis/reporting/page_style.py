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

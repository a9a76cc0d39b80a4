"""Board summary (notebook 05): the scorecard, what needs attention, and what it all means.

The summary reads the headline figures the other notebooks recorded in this run
(``reports/<run>/<notebook>.json``, see :mod:`sscb_analysis.analyses.headline`) and never
recomputes them; a report that did not run, or stopped before recording them, gets a row saying
so. Beside them stand the board's wider dataset (``indicators.csv``), charted here. Outside
``sscb run`` (JupyterLab, no run folder) the page says how to get the reports' figures instead of
working them out again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sscb_analysis.analyses.scorecard import (
    IndicatorResult,
    ReportSource,
    dataset_results,
    report_results,
)
from sscb_analysis.analyses.scorecard_page import ScorecardRow, disclose_results
from sscb_analysis.dataset import IndicatorData
from sscb_analysis.escape import html_text, md_text
from sscb_analysis.plural import agree, plural
from sscb_analysis.reporting.checks import find_unsuppressed_small_counts

__all__ = [
    "DATASET_PAGE",
    "SOURCES",
    "BoardScorecard",
    "DisclosureError",
    "board_dataset",
    "board_message",
    "board_scorecard",
    "check_disclosure",
    "detailed_pages",
    "period_statement",
    "reading_guide",
    "report_links",
    "report_links_html",
    "synthetic_note",
]

#: The detailed reports whose recorded headlines join the scorecard, in the order the board
#: reads them.
SOURCES: tuple[ReportSource, ...] = (
    ReportSource("00_data_quality", "Data quality of the extracts"),
    ReportSource("01_cpp_repeat_plans", "Repeat child protection plans"),
    ReportSource("02_cpp_duration", "Duration of child protection plans"),
    ReportSource("03_caf", "Early help (CAF) assessments"),
    ReportSource("04_marac", "MARAC referrals"),
    ReportSource("06_national_benchmark", "The authority against England and its neighbours"),
)


#: The page of the board's wider dataset, linked beside the reports.
DATASET_PAGE = ReportSource("07_board_indicators", "The board's other indicators")


def detailed_pages(with_dataset: bool) -> tuple[ReportSource, ...]:
    """The pages the summary links to: the reports, and the dataset's page when there is one."""
    return (*SOURCES, DATASET_PAGE) if with_dataset else SOURCES


class DisclosureError(ValueError):
    """A table about to be shown holds a count from 1 to the suppression threshold."""


@dataclass(frozen=True)
class BoardScorecard:
    """Everything the summary shows: results (numbers), rows (disclosed text) and notes."""

    results: tuple[IndicatorResult, ...]
    rows: tuple[ScorecardRow, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def attention(self) -> tuple[ScorecardRow, ...]:
        """The rows that need the board's attention."""
        return tuple(r for r in self.rows if r.needs_attention)


def board_scorecard(
    *,
    run_dir: str | Path | None,
    indicators: IndicatorData | None,
    period_end: object,
    confidence: float = 0.95,
    threshold: int = 5,
    targets: Mapping[str, object] | None = None,
    la_code: int | str | None = None,
    dfe_dir: str | Path | None = None,
    sources: Sequence[ReportSource] = SOURCES,
    left_out: str | None = None,
) -> BoardScorecard:
    """The scorecard: the reports' recorded headlines, then the dataset's indicators.

    ``indicators`` is the checked dataset (:func:`board_dataset`) or None when the area has
    none; ``left_out`` is then the line saying why. ``threshold`` 0 shows every count (a
    board-restricted pack).
    """
    notes: list[str] = []
    results: list[IndicatorResult] = []
    if run_dir:
        results.extend(report_results(run_dir, sources, targets))
        notes.extend(r.target_note for r in results if r.target_note and r.origin == "report")
    else:
        notes.append(
            "The detailed reports' indicators are read from the figures each report records "
            "when the reports are run together: run `sscb run` (or `./run.sh report`) and open "
            "this page in the run's folder. They are not worked out again here."
        )
    if indicators is not None:
        results.extend(
            dataset_results(
                indicators,
                period_end,
                confidence=confidence,
                targets=targets,
                la_code=la_code,
                dfe_dir=dfe_dir,
            )
        )
        notes.extend(r.target_note for r in results if r.target_note and r.origin == "dataset")
    else:
        notes.append(
            (left_out or "This area has no board dataset.")
            + " Only the reports' indicators appear."
        )
    rows = disclose_results(results, threshold)
    return BoardScorecard(tuple(results), tuple(rows), tuple(notes))


def board_dataset(ctx: Any) -> tuple[IndicatorData | None, str | None]:
    """The board's wider dataset as the run checked it (``ctx.dataset``, from the profile's
    ``clean.inputs.indicators``), or ``None`` and the one line (Markdown) the page prints instead.

    ``ctx`` is a :class:`~sscb_analysis.reporting.context.ReportContext` made with
    ``uses=("indicators", ...)``. Nothing is looked for beside other files: another area's board
    never sees the demonstration's dataset.
    """
    from sscb_analysis.analyses.common import left_out
    from sscb_analysis.dataset.processed import load_dataset

    info = ctx.dataset
    if info is None:  # the line is Markdown with no outside text in it, as on every page
        return None, left_out("clean.inputs", "indicators", "the board's wider dataset")
    if info.path is None:
        return None, info.note
    return load_dataset(info.path, info.definitions), None


def period_statement(ctx: Any) -> str:
    """The line (Markdown) that opens a board page: the area and the period under review, as
    the run resolved it, with how it was chosen."""
    from sscb_analysis.escape import md_text

    start, end = ctx.period_start, ctx.period_end
    dates = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    label = ctx.period_label
    within = f"{dates}; " if label[:1].isdigit() and "-" in label and " " not in label else ""
    return (
        f"**Area:** {md_text(ctx.area.name)}. **Period under review:** {md_text(label)} "
        f"({within}{md_text(ctx.period_basis)})."
    )


def check_disclosure(page: str, threshold: int = 5) -> str:
    """Return ``page`` (HTML) unchanged, or raise :class:`DisclosureError` naming a small count.

    A table cell whose whole text is a whole number from 1 to ``threshold`` would show a small
    count. ``threshold`` 0 (a board-restricted pack) checks nothing.
    """
    if threshold < 1:
        return page
    found = find_unsuppressed_small_counts(page, threshold=threshold)
    if found:
        where = "; ".join(f"row {f.row + 1}, column {f.header!r}: {f.text}" for f in found)
        raise DisclosureError(
            f"The board table would show {agree(len(found), 'a count', 'counts')} from 1 to "
            f"{threshold}: {where}. "
            "Suppress them before they reach the page."
        )
    return page


def board_message(rows: Sequence[ScorecardRow], synthetic: bool = False) -> str:
    """The short "what the board should take from this" paragraph (Markdown), built from the
    rows. Indicator and report names come from outside (indicators.yml, the profile's titles):
    each is escaped for Markdown (``sscb_analysis.escape.md_text``), so a name such as
    ``<img onerror=...>`` or ``[x](javascript:...)`` stays text."""
    shown = [r for r in rows if r.status == "ok"]
    if not shown:
        return "No indicator was available for this summary."
    groups: dict[str, list[str]] = {}
    for r in shown:
        groups.setdefault(r.variation_kind or "uncharted", []).append(_quoted(r.name))
    failing = [_quoted(r.name) for r in shown if r.assurance_key == "consistently failing"]
    parts = []
    if groups.get("concern"):
        parts.append(
            "The board should ask for an explanation of "
            + "; ".join(groups["concern"])
            + ": the chart over time shows a change in the wrong direction that is unlikely to "
            "be chance."
        )
    else:
        parts.append("No indicator shows a worrying change that is more than chance.")
    if failing:
        parts.append(
            "At their current level these will keep missing their targets: "
            + "; ".join(failing)
            + "."
        )
    if groups.get("improvement"):
        parts.append(
            "There is evidence of real improvement in "
            + "; ".join(groups["improvement"])
            + " (more than chance variation)."
        )
    if groups.get("neutral"):
        parts.append(
            "A real shift, neither good nor bad in itself, shows in "
            + "; ".join(groups["neutral"])
            + ": worth understanding."
        )
    if groups.get("common_cause"):
        steady = groups["common_cause"]
        parts.append(f"Stable, with only ordinary variation: {plural(len(steady), 'indicator')}.")
    uncharted = len(groups.get("uncharted", []))
    if uncharted:
        parts.append(
            f"{plural(uncharted, 'further indicator')} {agree(uncharted, 'is', 'are')} a single "
            "figure, not a series: read "
            + agree(uncharted, "it", "each")
            + " against its likely range and its sentence."
        )
    missing = [md_text(r.name) for r in rows if r.status in ("not run", "not finished")]
    if missing:
        parts.append(
            "Not in this summary, because the report did not finish in this run: "
            + "; ".join(missing)
            + "."
        )
    text = " ".join(parts)
    if synthetic:
        text += (
            " These figures come from SYNTHETIC data, invented to test the reports: they say "
            "nothing about real children or services."
        )
    return text


def _quoted(name: str) -> str:
    """A name from outside, escaped for Markdown, in curly quotes."""
    return f"“{md_text(' '.join(str(name).split()))}”"


def reading_guide(confidence: float = 0.95, threshold: int = 5) -> str:
    """How to read the words the detailed reports use (p values, small numbers)."""
    hidden = (
        f"A count from 1 to {threshold} is never shown, nor a share or range that would give it "
        "back, to protect the children and families concerned."
        if threshold >= 1
        else "This pack is for the board only: small counts are shown, so it must not be published."
    )
    return (
        "In the detailed reports, a **p** value is the chance of a difference at least that "
        "large if nothing had really changed; below "
        f"{1 - confidence:.2g} we call it more than chance. Two likely ranges that overlap a lot "
        f"may not really differ. {hidden}"
    )


def report_links(sources: Sequence[ReportSource]) -> str:
    """Markdown list of relative links to the detailed reports (``<name>.html``, same folder)."""
    return "\n".join(f"- [{md_text(s.title)}]({quote(s.report)}.html)" for s in sources)


def report_links_html(sources: Sequence[ReportSource]) -> str:
    """The "Detailed reports" section as HTML: on screen only (the PDF pack holds the reports
    themselves, so the printed pack leaves the links out)."""
    items = "".join(
        f'<li><a href="{html_text(s.report)}.html">{html_text(s.title)}</a></li>' for s in sources
    )
    return (
        '<div class="sscb-print-hidden"><h2 id="Detailed-reports">Detailed reports</h2>'
        "<p>The reports' indicators come from these reports, which show the figures behind "
        f'them, the charts and the caveats.</p><ul class="sscb-links">{items}</ul></div>'
    )


def synthetic_note(synthetic: bool, page: str = "summary") -> str | None:
    """The SYNTHETIC-data warning for the top of a page, or None for real data. ``page``:
    ``summary`` (whose national comparison uses real published figures) or ``indicators``
    (the board's wider dataset, page 07)."""
    if not synthetic:
        return None
    if page == "indicators":
        return (
            "**SYNTHETIC DATA.** The figures on this page were invented to test the reports. "
            "None of them describes real children, families or services."
        )
    return (
        "**SYNTHETIC DATA.** This summary was produced from invented extracts to test the "
        "reports. None of its local figures describes real children, families or services. "
        "The national comparison uses real published DfE statistics."
    )

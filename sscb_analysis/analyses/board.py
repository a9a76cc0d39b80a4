"""Board summary (notebook 05): every report's headlines on one page.

Calls each analyses module's ``headlines(...)`` directly on the loaded extracts (it never reads
other notebooks' outputs, so it runs alone), lays the headlines out as one table, and writes the
paragraphs around it: what the board should take from this, how to read the ranges and the SPC
icons, and links to the detailed reports. Before the table is shown it is checked for any count
from 1 to the suppression threshold (the safety net of :mod:`sscb_analysis.reporting.checks`).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sscb_analysis.analyses.headline import Headline
from sscb_analysis.reporting.checks import find_unsuppressed_small_counts

__all__ = [
    "SOURCES",
    "BoardHeadlines",
    "DisclosureError",
    "HeadlineSource",
    "board_message",
    "check_disclosure",
    "collect_headlines",
    "headline_table",
    "reading_guide",
    "report_links",
    "synthetic_note",
]


@dataclass(frozen=True)
class HeadlineSource:
    """One detailed report: its analyses module (under ``sscb_analysis.analyses``) and title."""

    module: str
    report: str
    title: str


#: The detailed reports in the order the board reads them.
SOURCES: tuple[HeadlineSource, ...] = (
    HeadlineSource("quality", "00_data_quality", "Data quality of the extracts"),
    HeadlineSource("cpp_repeats", "01_cpp_repeat_plans", "Repeat child protection plans"),
    HeadlineSource("cpp_duration", "02_cpp_duration", "Duration of child protection plans"),
    HeadlineSource("caf", "03_caf", "Early help (CAF) assessments"),
    HeadlineSource("marac", "04_marac", "MARAC referrals"),
    HeadlineSource(
        "benchmark", "06_national_benchmark", "The authority against England and its neighbours"
    ),
)


class DisclosureError(ValueError):
    """A table about to be shown holds a count from 1 to the suppression threshold."""


@dataclass(frozen=True)
class BoardHeadlines:
    """The headlines collected, and which reports' modules were not available."""

    headlines: tuple[Headline, ...]
    included: tuple[HeadlineSource, ...]
    missing: tuple[HeadlineSource, ...] = field(default_factory=tuple)


def _call(function: Any, inputs: Mapping[str, Any], where: str) -> list[Headline]:
    """Call ``function`` with the inputs its signature names; a missing required one is an error."""
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(function).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if name in inputs:
            kwargs[name] = inputs[name]
        elif param.default is param.empty:
            raise TypeError(
                f"{where}.headlines() needs {name!r}, which the board summary does not provide; "
                f"it provides {sorted(inputs)}."
            )
    result = list(function(**kwargs))
    wrong = [type(h).__name__ for h in result if not isinstance(h, Headline)]
    if wrong:
        raise TypeError(f"{where}.headlines() returned {wrong}, not Headline objects.")
    return result


def collect_headlines(
    inputs: Mapping[str, Any], sources: Sequence[HeadlineSource] = SOURCES
) -> BoardHeadlines:
    """Every available report's headlines, in ``sources`` order.

    ``inputs`` holds what the modules may ask for by parameter name (the extracts ``cpp``,
    ``caf``, ``marac``, their paths, the period, ``confidence_level``, ``la_code`` ...); each
    ``headlines`` gets the ones its signature names. A module not yet written is listed in
    ``missing``; an error inside an existing module is raised, naming the module.
    """
    headlines: list[Headline] = []
    included: list[HeadlineSource] = []
    missing: list[HeadlineSource] = []
    for source in sources:
        name = f"sscb_analysis.analyses.{source.module}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            missing.append(source)
            continue
        function = getattr(module, "headlines", None)
        if not callable(function):
            missing.append(source)
            continue
        try:
            found = _call(function, inputs, name)
        except Exception as exc:
            raise RuntimeError(
                f"The {source.title!r} headlines ({name}.headlines) failed: {exc}"
            ) from exc
        headlines.extend(found)
        included.append(source)
    return BoardHeadlines(tuple(headlines), tuple(included), tuple(missing))


def headline_table(headlines: Sequence[Headline], confidence: float = 0.95) -> pd.DataFrame:
    """One row per headline (``Headline.as_row``): indicator, value, range, pattern, meaning."""
    rows = [h.as_row(confidence) for h in headlines]
    if not rows:
        return pd.DataFrame(columns=list(Headline("", "", "", "", "", "").as_row(confidence)))
    return pd.DataFrame(rows)


def check_disclosure(table: pd.DataFrame, threshold: int = 5) -> pd.DataFrame:
    """Return ``table`` unchanged, or raise :class:`DisclosureError` naming any small count.

    A cell whose whole text is a whole number from 1 to ``threshold`` would show a small count.
    """
    if threshold < 1:
        return table
    found = find_unsuppressed_small_counts(table.to_html(index=False), threshold=threshold)
    if found:
        where = "; ".join(f"row {f.row + 1}, column {f.header!r}: {f.text}" for f in found)
        raise DisclosureError(
            f"The board table would show count(s) from 1 to {threshold}: {where}. "
            "Suppress them in the module's headlines()."
        )
    return table


def _kind(variation: str | None) -> str:
    text = (variation or "").lower()
    if "concern" in text:
        return "concern"
    if "improvement" in text:
        return "improvement"
    if "special cause" in text:
        return "change"
    return "steady" if text.startswith("common cause") else "uncharted"


def board_message(headlines: Sequence[Headline], synthetic: bool = False) -> str:
    """The short "what the board should take from this" paragraph, built from the headlines."""
    if not headlines:
        return "No headline indicators were available for this summary."
    groups: dict[str, list[str]] = {}
    for h in headlines:
        groups.setdefault(_kind(h.variation), []).append(f"“{h.label}”")
    parts = []
    if groups.get("concern"):
        parts.append(
            "The board should ask for an explanation of "
            + "; ".join(groups["concern"])
            + ": the chart over time shows a change in the wrong direction that is unlikely to "
            "be chance."
        )
    if groups.get("improvement"):
        parts.append(
            "There is evidence of real improvement in "
            + "; ".join(groups["improvement"])
            + " (more than chance variation)."
        )
    if groups.get("change"):
        parts.append(
            "A real shift, neither good nor bad in itself, shows in "
            + "; ".join(groups["change"])
            + ": worth understanding."
        )
    if groups.get("steady"):
        parts.append("Stable, with only ordinary variation: " + "; ".join(groups["steady"]) + ".")
    uncharted = len(groups.get("uncharted", []))
    if uncharted:
        parts.append(
            f"{uncharted} further indicator{'s are' if uncharted != 1 else ' is'} a single "
            "figure for the year, not a series: read "
            + ("each" if uncharted != 1 else "it")
            + " against its likely range and its sentence."
        )
    if not groups.get("concern"):
        parts.insert(0, "No indicator shows a worrying change that is more than chance.")
    text = " ".join(parts)
    if synthetic:
        text += (
            " These figures come from SYNTHETIC data, invented to test the reports: they say "
            "nothing about real children or services."
        )
    return text


def reading_guide(confidence: float = 0.95) -> str:
    """How to read the likely ranges and the SPC "pattern over time" column."""
    return (
        f"**Likely range** is a {confidence:.0%} confidence interval: the range the true figure "
        "very probably lies in, given that a year's figures move by chance. Two figures whose "
        "ranges overlap a lot may not really differ. **Pattern over time** comes from a "
        "statistical process control (SPC) chart in the detailed report: *common cause* means "
        "only the ups and downs expected by chance; *special cause improvement* or *concern* "
        "means a change too large or too sustained to be chance, in a good or a worrying "
        "direction; *special cause neutral* means a real change in a measure where neither "
        "direction is simply better; *not charted* means a single figure, not a series. "
        "A **p** value in a sentence is the chance of seeing a difference at least that large "
        "if nothing had really changed: the smaller it is, the less likely the difference is "
        f"chance; below {1 - confidence:.2g} we call it more than chance. "
        "A count from 1 to the suppression threshold is never shown, to protect the children "
        "and families concerned."
    )


def report_links(sources: Sequence[HeadlineSource]) -> str:
    """Markdown list of relative links to the detailed reports (``<name>.html``, same folder)."""
    return "\n".join(f"- [{s.title}]({s.report}.html)" for s in sources)


def synthetic_note(synthetic: bool) -> str | None:
    """The SYNTHETIC-data warning for the top of the page, or None for real data."""
    if not synthetic:
        return None
    return (
        "**SYNTHETIC DATA.** This summary was produced from invented extracts to test the "
        "reports. None of its local figures describes real children, families or services. "
        "The national comparison uses real published DfE statistics."
    )

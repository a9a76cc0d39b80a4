"""The scorecard page: disclosure, words and HTML from :mod:`sscb_analysis.analyses.scorecard`.

One pass turns each :class:`~sscb_analysis.analyses.scorecard.IndicatorResult` into a
:class:`ScorecardRow` of text that is safe to show (counts from 1 to the threshold withheld, with
the shares, ranges and changes that would give them back); every sentence and table cell is then
written from those rows only. Icons are small lettered badges (CSS) that screen readers skip,
always beside the words they stand for (never colour alone); every string from outside (names,
definitions, owners from ``indicators.yml``) is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sscb_analysis.analyses.common import count_words, share_hidden, small
from sscb_analysis.analyses.scorecard import IndicatorResult
from sscb_analysis.escape import html_text
from sscb_analysis.stats.spc import RULES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "ASSURANCE_TEXT",
    "VARIATION_TEXT",
    "ScorecardRow",
    "attention_html",
    "chart_mask",
    "coverage_sentence",
    "disclose_results",
    "how_to_read",
    "indicator_chart",
    "meanings_html",
    "scorecard_html",
    "variation_kind",
]

#: The variation icon's meaning in words (keys as :attr:`SPCResult.variation_icon`).
VARIATION_TEXT = {
    "common_cause": "Common cause: no sign of real change",
    "improvement_high": "Improvement: higher than chance would give",
    "improvement_low": "Improvement: lower than chance would give",
    "concern_high": "Concern: higher than chance would give",
    "concern_low": "Concern: lower than chance would give",
    "neutral_high": "Real change, upwards (neither good nor bad)",
    "neutral_low": "Real change, downwards (neither good nor bad)",
}
# The meaning when a report gave the variation without its high or low icon.
_KIND_TEXT = {
    "improvement": "Improvement: more than chance",
    "concern": "Concern: more than chance",
    "neutral": "Real change (neither good nor bad)",
}
#: The assurance icon's meaning in words.
ASSURANCE_TEXT = {
    "consistently passing": "Consistently meets the target",
    "consistently failing": "Consistently misses the target",
    "hit and miss": "Hit and miss: meets the target only by chance",
}
_STATUS_TEXT = {
    "not run": "The report did not run in this run, so its figures are not shown.",
    "not finished": "The report stopped before recording its figures (it failed): see its page.",
    "no figures": "No figures for the period under review.",
    "no headline": "The report ran but gave no figure for this summary: its page says why.",
}
# Making Data Count's colours, darkened where needed for 3:1 contrast on white (WCAG 1.4.11).
_BLUE, _ORANGE, _PURPLE, _GREY = "#005EB8", "#B35900", "#5C2D91", "#595959"
_COLOUR_NAMES = {_BLUE: "blue", _ORANGE: "orange", _PURPLE: "purple", _GREY: "grey"}
_ICON_STYLE = {
    "common_cause": (_GREY, "~"),
    "improvement_high": (_BLUE, "H"),
    "improvement_low": (_BLUE, "L"),
    "concern_high": (_ORANGE, "H"),
    "concern_low": (_ORANGE, "L"),
    "neutral_high": (_PURPLE, "H"),
    "neutral_low": (_PURPLE, "L"),
    "improvement": (_BLUE, "+"),
    "concern": (_ORANGE, "!"),
    "neutral": (_PURPLE, "~"),
    "consistently passing": (_BLUE, "P"),
    "consistently failing": (_ORANGE, "F"),
    "hit and miss": (_GREY, "?"),
}
_RULE_WORDS = {
    ("outside limits", True): "the latest figure is above the upper process limit",
    ("outside limits", False): "the latest figure is below the lower process limit",
    ("shift", True): "it is part of a run of 7 or more periods above the average",
    ("shift", False): "it is part of a run of 7 or more periods below the average",
    ("trend", True): "it is part of 7 or more periods rising in a row",
    ("trend", False): "it is part of 7 or more periods falling in a row",
    ("two of three", True): "two of the last three periods are close to the upper limit",
    ("two of three", False): "two of the last three periods are close to the lower limit",
}


def variation_kind(variation: str | None) -> str | None:
    """``common_cause``, ``improvement``, ``concern`` or ``neutral`` from an SPC variation's
    words ("special cause concern" ...), or None when there is no chart."""
    text = (variation or "").lower()
    if not text:
        return None
    if text.startswith("common cause"):
        return "common_cause"
    for kind in ("improvement", "concern", "neutral"):
        if kind in text:
            return kind
    return None


def coverage_sentence(result: IndicatorResult) -> str | None:
    """Which periods an indicator's series covers, in words ("12 quarters, from Apr to Jun
    2010 to Jan to Mar 2013"); None when it has no figures. (Period labels only: no count.)"""
    periods = result.series_periods
    if not periods:
        return None
    kind = result.series_kind or "period"
    unit = kind if kind in ("week", "month", "quarter", "year") else "period"
    n = len(periods)
    if n == 1:
        return f"Its series holds one {unit}: {periods[0]}."
    return f"Its series covers {n} {unit}s, from {periods[0]} to {periods[-1]}."


def _esc(text: object) -> str:
    """Escape outside text for HTML (through the project's one owner of escaping)."""
    return html_text(text)


@dataclass(frozen=True)
class ScorecardRow:
    """One scorecard row as shown: every field is disclosure-safe text (not yet HTML-escaped)."""

    key: str
    name: str
    status: str
    period: str
    value: str
    interval: str
    variation_icon: str | None
    variation_kind: str | None
    variation: str
    assurance_key: str | None
    assurance: str
    travel: str
    travel_arrow: str
    comparison: str
    sentence: str
    definition: str
    owner: str
    report: str | None
    needs_attention: bool
    target: str | None = None  # "3.2%, set by: <source>" (the target is no count)


# --------------------------------------------------------------------------------------------
# disclosure and words


def _format(value: float, unit: str | None, per: int | None = None) -> str:
    if unit == "count":
        return f"{round(value):,}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "rate":
        return f"{value:,.1f} per {per or 1:,}"
    return f"{value:,.2f}"


def _withheld(num: float | None, den: float | None, unit: str | None, t: int) -> bool:
    """Whether a figure built on these counts would give a count from 1 to ``t`` back."""
    if t < 1 or num is None:
        return False
    if unit == "percent" and den is not None:
        return share_hidden(int(num), int(den), t)
    return small(int(num), t)


def _travel(r: IndicatorResult, hidden: bool, t: int) -> tuple[str, str]:
    """(words, arrow) for the change since the period before."""
    if r.previous is None or r.estimate is None:
        return "no earlier figure", ""
    prev_hidden = _withheld(r.previous_numerator, r.previous_denominator, r.unit, t)
    if hidden or prev_hidden:
        return "not shown (small number)", ""
    digits = 1 if r.unit in ("percent", "rate") else 0 if r.unit == "count" else 2
    delta = round(r.estimate - r.previous, digits)
    since = f" on {r.previous_period}" if r.previous_period else ""
    if delta == 0:
        return f"no change{since}", "→"
    size = f"{abs(delta):.1f} points" if r.unit == "percent" else _format(abs(delta), r.unit, r.per)
    up = delta > 0
    judged = ""
    if r.better in ("higher", "lower"):
        judged = " (better)" if up == (r.better == "higher") else " (worse)"
    return f"{'up' if up else 'down'} {size}{since}{judged}", "↑" if up else "↓"


def _assurance_words(r: IndicatorResult) -> tuple[str | None, str]:
    if r.target is None:
        return None, "No target"
    goal = _format(r.target, r.unit, r.per) if r.unit else f"{r.target:g}"
    if r.better == "neutral":
        return None, f"Target {goal} (not judged: neither direction is better)"
    if r.assurance is None and r.origin == "report":
        return None, f"Target {goal}: not judged (its report records no process limits)"
    if r.assurance is None:
        return None, f"Target {goal}: not enough points to judge"
    return r.assurance, f"{ASSURANCE_TEXT[r.assurance]} ({goal})"


def _target_words(r: IndicatorResult) -> str | None:
    """The target and where it is set, for "What each indicator measures"."""
    if r.target is None:
        return None
    goal = _format(r.target, r.unit, r.per) if r.unit else f"{r.target:g}"
    return f"{goal}, set by: {r.target_source}" if r.target_source else goal


def _comparison_words(r: IndicatorResult) -> str:
    if r.headline is not None and r.headline.comparison:
        return r.headline.comparison
    if not r.comparison:
        return "none published"
    names = {"england": "England", "neighbours_median": "statistical neighbours (median)"}
    parts = [f"{names[k]} {_format(v, r.unit, r.per)}" for k, v in r.comparison.items()]
    return f"{'; '.join(parts)} ({r.comparison_year}, published)"


def _reason(r: IndicatorResult) -> str:
    """Why the variation icon is special cause, from the rule that flagged the latest point."""
    if r.spc is None:
        return ""
    last = r.spc.table.iloc[-1]
    high = (r.variation_icon or "").endswith("_high")
    return _RULE_WORDS.get((str(last["rule"]), high), "")


def _sentence(r: IndicatorResult, row_value: str, interval: str, hidden: bool) -> str:
    if r.status != "ok":
        return _STATUS_TEXT.get(r.status, r.note or "")
    if r.headline is not None:
        return r.headline.sentence
    text = f"{row_value} in {r.period}"
    if not hidden and interval not in ("", "not available"):
        text += f" (likely range {interval})"
    text += "."
    if r.variation and r.variation != "common cause":
        why = _reason(r)
        kind = r.variation.replace("special cause ", "")
        words = {"concern": "a change for the worse", "improvement": "a real improvement"}
        text += f" The chart shows {words.get(kind, 'a real change')}" + (
            f": {why}." if why else "."
        )
    elif r.variation == "common cause":
        text += " The chart shows only the ups and downs expected by chance."
    if r.assurance == "consistently failing":
        text += " At this level of performance the target will be missed, period after period."
    elif r.assurance == "hit and miss":
        text += " At this level the target will be met in some periods and missed in others."
    elif r.assurance == "consistently passing":
        text += " At this level the target will be met reliably."
    return text


def disclose_results(results: Sequence[IndicatorResult], threshold: int) -> list[ScorecardRow]:
    """The one disclosure pass: each result as shown under a suppression ``threshold``
    (0 for a board-restricted pack, where counts are shown)."""
    rows = []
    for r in results:
        hidden = r.origin == "dataset" and _withheld(r.numerator, r.denominator, r.unit, threshold)
        if r.status != "ok":
            value = interval = "—"
        elif r.headline is not None:
            value, interval = r.headline.value, r.headline.interval
        elif hidden:
            value = (
                count_words(int(r.numerator), threshold)
                if r.unit == "count"
                else "not shown (small number)"
            )
            interval = "not shown (small number)"
        else:
            value = _format(r.estimate, r.unit, r.per)
            interval = (
                "not available"
                if r.lower is None or r.upper is None or math.isnan(r.lower)
                else f"{_format(r.lower, r.unit, r.per)} to {_format(r.upper, r.unit, r.per)}"
            )
        travel, arrow = _travel(r, hidden, threshold) if r.status == "ok" else ("—", "")
        assurance_key, assurance = _assurance_words(r) if r.status == "ok" else (None, "—")
        kind = variation_kind(r.variation)
        icon = r.variation_icon if r.variation_icon in VARIATION_TEXT else kind
        variation = (
            VARIATION_TEXT.get(icon or "", _KIND_TEXT.get(kind or "", r.variation or ""))
            if r.variation
            else ("Not charted" if r.status == "ok" else "—")
        )
        rows.append(
            ScorecardRow(
                key=r.key,
                name=r.name,
                status=r.status,
                period=r.period or "",
                value=value,
                interval=interval,
                variation_icon=icon if r.variation else None,
                variation_kind=kind,
                variation=variation,
                assurance_key=assurance_key,
                assurance=assurance,
                travel=travel,
                travel_arrow=arrow,
                comparison=_comparison_words(r) if r.status == "ok" else "—",
                sentence=_sentence(r, value, interval, hidden),
                definition=r.definition or (r.headline.sentence if r.headline else ""),
                owner=r.owner or (f"report {r.report}" if r.report else ""),
                target=_target_words(r),
                report=r.report,
                needs_attention=r.needs_attention,
            )
        )
    return rows


# --------------------------------------------------------------------------------------------
# charts


def chart_mask(r: IndicatorResult, threshold: int) -> list[bool]:
    """Which points of the indicator's SPC chart to withhold: those resting on a count from 1 to
    ``threshold`` (the count itself, or a share that gives it back). Values given without their
    counts cannot be checked and are shown as given."""
    if r.spc is None:
        return []
    t = r.spc.table
    if threshold < 1:
        return [False] * len(t)
    if "numerator" in t and "denominator" in t:
        pairs = zip(t["numerator"], t["denominator"], strict=True)
        if r.spc.kind == "p":
            return [share_hidden(int(x), int(n), threshold) for x, n in pairs]
        return [small(int(x), threshold) for x, _ in pairs]
    if r.unit == "count" or r.spc.kind == "c":
        return [small(int(v), threshold) for v in t["value"]]
    return [False] * len(t)


def indicator_chart(r: IndicatorResult, threshold: int) -> tuple[Figure | None, str]:
    """The indicator's SPC chart, or None and the sentence saying why not.

    A published page draws no chart of a series with a point resting on a small count: its mean
    and limits, with the other points, would give the withheld count back (one hidden quarter of
    twelve is the mean times twelve less the rest). The icons on the scorecard still stand.
    """
    from sscb_analysis.plots import spc_chart

    if r.spc is None:
        return None, "Not charted: fewer than two periods."
    hidden = chart_mask(r, threshold)
    if any(hidden):
        return None, (
            f"Chart not shown: {sum(hidden)} of its {len(hidden)} periods "
            f"{'rests' if sum(hidden) == 1 else 'rest'} on a count from 1 to {threshold}, which "
            "the chart's average and limits would give back. The "
            "variation and assurance on the scorecard use every period."
        )
    ylabel = {"percent": "%", "count": "number", "rate": f"per {r.per or 1:,}"}.get(r.unit or "")
    figure = spc_chart(
        r.spc,
        title=r.name,
        x=list(r.spc.table.index),
        ylabel=ylabel,
        percent=r.spc.kind == "p",
    )
    return figure, ""


# --------------------------------------------------------------------------------------------
# HTML


def _icon(key: str | None) -> str:
    """A small decorative badge for an icon key: a coloured disc with a letter, hidden from
    screen readers (the words beside it carry the meaning; no colour is the only clue)."""
    if key not in _ICON_STYLE:
        return ""
    colour, letter = _ICON_STYLE[key]
    return (
        f'<span class="sscb-icon sscb-icon-{_COLOUR_NAMES[colour]}" aria-hidden="true">'
        f"{_esc(letter)}</span>"
    )


def scorecard_html(rows: Sequence[ScorecardRow], caption: str, confidence: float = 0.95) -> str:
    """The scorecard as an accessible HTML table (caption, header scopes, text with every icon)."""
    head = (
        "Indicator",
        "Latest",
        f"Likely range ({confidence:.0%})",
        "Variation (SPC)",
        "Assurance against target",
        "Direction of travel",
        "England and neighbours",
    )
    lines = [
        '<table class="sscb-scorecard">',
        f"<caption>{_esc(caption)}</caption>",
        "<thead><tr>" + "".join(f'<th scope="col">{_esc(h)}</th>' for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    for r in rows:
        flag = ' class="sscb-attention"' if r.needs_attention else ""
        period = f'<br><span class="sscb-period">{_esc(r.period)}</span>' if r.period else ""
        arrow = f'<span aria-hidden="true">{_esc(r.travel_arrow)} </span>' if r.travel_arrow else ""
        lines.append(
            f"<tr{flag}>"
            f'<th scope="row">{_esc(r.name)}{period}</th>'
            f'<td class="sscb-num">{_esc(r.value)}</td>'
            f'<td class="sscb-num">{_esc(r.interval)}</td>'
            f'<td class="sscb-text">{_icon(r.variation_icon)} {_esc(r.variation)}</td>'
            f'<td class="sscb-text">{_icon(r.assurance_key)} {_esc(r.assurance)}</td>'
            f'<td class="sscb-text">{arrow}{_esc(r.travel)}</td>'
            f'<td class="sscb-text">{_esc(r.comparison)}</td>'
            "</tr>"
        )
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def attention_html(rows: Sequence[ScorecardRow]) -> str:
    """The "needs attention" list: only special cause concern or a consistently missed target."""
    flagged = [r for r in rows if r.needs_attention]
    if not flagged:
        return (
            "<p>No indicator shows special cause concern, and none consistently misses its "
            "target.</p>"
        )
    items = "".join(
        f"<li><strong>{_esc(r.name)}</strong>: {_esc(r.sentence)}"
        + (f" <em>Owner: {_esc(r.owner)}.</em>" if r.owner else "")
        + "</li>"
        for r in flagged
    )
    return f'<ul class="sscb-attention-list">{items}</ul>'


def meanings_html(rows: Sequence[ScorecardRow]) -> str:
    """One line per indicator: its definition (or the report's sentence), owner and target."""
    items = []
    for r in rows:
        text = r.sentence if r.status != "ok" or not r.definition else r.definition
        owner = f" Owner: {_esc(r.owner)}." if r.owner and r.status == "ok" else ""
        target = f" Target: {_esc(r.target)}." if r.target and r.status == "ok" else ""
        items.append(f"<li><strong>{_esc(r.name)}</strong>: {_esc(text)}{owner}{target}</li>")
    return f'<ul class="sscb-meanings">{"".join(items)}</ul>'


def how_to_read(confidence: float = 0.95, rules: str = "ptd-0.2.2") -> str:
    """How to read the scorecard (Markdown): SPC assurance replaces red, amber and green."""
    return (
        "**SPC assurance replaces red, amber and green (RAG)**, which turns a figure green or red "
        "by chance alone. Each indicator is charted over time with statistical process control "
        "(SPC), as NHS England's *Making Data Count* recommends. **Variation**: is the latest "
        "figure within the ups and downs expected by chance (*common cause*), or a real change "
        "(*improvement*, *concern*, or *real change* where neither direction is better)? "
        "**Assurance**: at the current level, will the target be met reliably, missed "
        "reliably, or met only by chance (*hit and miss*)? Each icon has its words beside it. "
        f"**Likely range**: a {confidence:.0%} confidence interval. **Direction of travel** "
        "compares the latest period with the one before; a change within the likely range may "
        f"be chance. Rules followed: {RULES[rules]}."
    )

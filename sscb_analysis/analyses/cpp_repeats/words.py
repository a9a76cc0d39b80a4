"""Repeat plans page, step 3 of 3 (words): tables and sentences from the disclosed page only.

Everything here takes a :class:`~sscb_analysis.disclose.Page` of
:class:`~sscb_analysis.analyses.cpp_repeats.compute.RepeatFacts`: counts are
:class:`~sscb_analysis.disclose.Shown`, and a share, interval, test or chart point is ``None``
when it rests on a withheld count. Text from the area profile is escaped.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sscb_analysis.analyses.common import left_out, pct, pct_range, quarter_words, safe
from sscb_analysis.analyses.cpp_repeats.compute import Quarter, RepeatFacts
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.disclose import Page
from sscb_analysis.plural import agree
from sscb_analysis.stats import SPCResult, TrendResult, format_p

__all__ = [
    "PLAIN_TERMS",
    "comparison_caveats",
    "comparison_detail",
    "comparison_sentence",
    "conclusion",
    "facts_of",
    "figures",
    "headlines",
    "quarter_table",
    "review_sentence",
    "series_sentence",
    "spc_chart_note",
    "spc_reading",
    "spc_sentence",
    "trend_sentence",
]

REPORT = "01_cpp_repeat_plans"

#: One-line explanations for board readers, used the first time each idea appears.
PLAIN_TERMS = {
    "second_or_subsequent": (
        "A second or subsequent plan is a child protection plan for a child who has had one "
        "before; many of them can mean earlier plans ended before the child was safe."
    ),
    "p_value": (
        "A p-value is the chance of seeing a difference at least this large if nothing had "
        "really changed; below 0.05 we call the change statistically significant."
    ),
}


def facts_of(page: Page) -> RepeatFacts:
    """The disclosed results of the page (refusing anything else)."""
    if not isinstance(page, Page) or not isinstance(page.results, RepeatFacts):
        raise TypeError(
            "repeat-plan words take the disclosed page (disclose_page(compute(...), policy))"
        )
    return page.results


def _conf(f: RepeatFacts) -> str:
    return f"{100 * f.confidence:g}%"


def series_sentence(page: Page) -> str:
    """Which quarters the table, the trend and the chart cover."""
    f = facts_of(page)
    first, last = pd.Period(f.quarters[0].quarter, "Q"), pd.Period(f.quarters[-1].quarter, "Q")
    return (
        f"The quarterly series covers {quarter_words(first, last)}: it ends with the last "
        "quarter of the period under review."
    )


def quarter_table(page: Page) -> pd.DataFrame:
    """One row per quarter: plans started, second or subsequent plans and their likely ranges
    (``c`` where withheld, ``-`` where there is no share because no plan started)."""
    f = facts_of(page)
    conf = _conf(f)
    rows = []
    for q in f.quarters:
        ci = q.count_range
        share = q.share
        no_share = q.started.value == 0
        rows.append(
            {
                "Quarter": q.label,
                "Plans started": str(q.started),
                "Second or subsequent plans": str(q.repeats),
                f"Likely range of the count ({conf})": (
                    "c" if ci is None else f"{ci.lower:.0f} to {ci.upper:.0f}"
                ),
                "Share of plans started": "-"
                if no_share
                else "c"
                if share is None
                else pct(share.estimate),
                f"Likely range of the share ({conf})": "-"
                if no_share
                else "c"
                if share is None
                else pct_range(share.lower, share.upper),
            }
        )
    return pd.DataFrame(rows).set_index("Quarter")


# --------------------------------------------------------------------------------------------
# two quarters


def _change(a: Quarter, b: Quarter) -> str:
    x1, x2 = a.repeats, b.repeats
    if x1.value is not None and x2.value is not None:
        verb = "fell" if x2.value < x1.value else "rose" if x2.value > x1.value else "stayed"
        if verb == "stayed":
            return f"Second or subsequent plans were {x1.words()} in both {a.label} and {b.label}."
        return f"Second or subsequent plans {verb} from {x1.words()} in {a.label} to {x2.words()} in {b.label}."
    return (
        f"Second or subsequent plans were {x1.words()} in {a.label} and {x2.words()} in {b.label}."
    )


def comparison_sentence(page: Page) -> str:
    """The two quarters compared, for the board (no figure that could give a withheld count
    back: the test details appear only when both counts are shown)."""
    f = facts_of(page)
    c = f.comparison
    if c is None:
        return f.comparison_note
    text = _change(c.first, c.last)
    claim = ""
    if c.claim_text:
        source = f" ({safe(c.claim_source)})" if c.claim_source else ""
        claim = f' The board\'s report said: "{safe(c.claim_text)}"{source}.'
    level = _conf(f)
    if c.significant:
        judged = (
            " A change this large would be unlikely if nothing had really changed: it is "
            f"statistically significant at the {level} level."
        )
    else:
        judged = (
            " A difference this size could happen by chance alone: it is not statistically "
            f"significant at the {level} level."
        )
    if c.count_test is not None:
        judged += f" ({c.count_test.describe('Second or subsequent plans')})"
    if c.share_test is not None:
        judged += (
            f" As a share of plans started: {pct(c.share_test.observed[0])} against "
            f"{pct(c.share_test.observed[1])}."
        )
    return text + claim + judged


def comparison_caveats(page: Page) -> list[str]:
    """What to keep in mind about the two-quarter comparison."""
    f = facts_of(page)
    c = f.comparison
    if c is None:
        return []
    out = list(c.caveats)
    if c.count_test is None:
        out.insert(
            0,
            "A withheld count is not given as a ratio, a percentage or a p-value either: with "
            "the other count it would reveal the withheld one.",
        )
    return out


def comparison_detail(page: Page) -> str:
    """The test details for analysts (only what the disclosure allows)."""
    f = facts_of(page)
    c = f.comparison
    if c is None:
        return f.comparison_note
    if c.count_test is None:
        return (
            "The exact test results are withheld on this page because a count they rest on is "
            "withheld; they are in the analyst's working files."
        )
    text = c.count_test.describe(f"Second or subsequent plans ({c.first.label} to {c.last.label})")
    text += " The rate ratio is the first quarter's figure divided by the last's."
    r = c.rate_test
    if r is not None:
        text += (
            f" Per plan started: {r.observed[0]:.3f} against {r.observed[1]:.3f} (rate ratio "
            f"{r.estimate:.2f}, {_conf(f)} CI {r.lower:.2f} to {r.upper:.2f}; "
            f"{format_p(r.p_value)}, {r.method})."
        )
    if c.share_test is not None:
        text += " " + c.share_test.describe(
            "The share of plans started that were second or subsequent"
        )
    return text


# --------------------------------------------------------------------------------------------
# models and the SPC chart


def _span_words(f: RepeatFacts) -> str:
    return f"{f.quarters[0].label} to {f.quarters[-1].label}"


def trend_sentence(page: Page) -> str:
    """The Poisson trend across every quarter, or why it was not fitted."""
    f = facts_of(page)
    result = f.trend.result
    if result is None:
        return f"No trend was fitted: {f.trend.reason}."
    if not result.estimable:
        sig = (
            "a change unlikely to be chance"
            if result.p_value < 1 - f.confidence
            else "not clearly different from no change"
        )
        return (
            f"Across the quarters from {_span_words(f)}, {f.trend.reason}. An exact test of no "
            f"trend gives {format_p(result.p_value)}: {sig}."
        )
    change = 100 * (result.rate_ratio - 1)
    direction = "fell" if change < 0 else "rose"
    sig = (
        "a steady change unlikely to be chance"
        if result.p_value < 1 - f.confidence
        else "not clearly different from no change"
    )
    return (
        f"Across the quarters from {_span_words(f)}, the chance that a new plan was a second or "
        f"subsequent plan {direction} by about {abs(change):.1f}% a quarter on average "
        f"({_conf(f)} likely range {100 * (result.lower - 1):+.1f}% to "
        f"{100 * (result.upper - 1):+.1f}% a quarter; {format_p(result.p_value)}): {sig}."
    )


def review_sentence(page: Page) -> str:
    """The before-and-after model around the profile's practice review, or why not."""
    f = facts_of(page)
    r = f.review
    if r is None:
        return left_out("events", "cpp_practice_review", "the before-and-after model")
    label = safe(r.label)
    result: TrendResult | None = r.model.result
    if result is None or not result.estimable:
        return f"The before-and-after model around {label} was not fitted: {r.model.reason}."
    lv, llo, lhi, lp = result.level_change
    sv, slo, shi, sp = result.slope_change
    alpha = 1 - f.confidence
    step = "fell" if lv < 1 else "rose"
    step_sig = "statistically significant" if lp < alpha else "not statistically significant"
    slope = (
        "the trend after it differed from the trend before"
        if sp < alpha
        else "there is no clear evidence that the quarter-on-quarter trend changed"
    )
    return (
        f"Comparing the {r.before} quarters before {label} with the {r.after} from its quarter "
        f"on: at the review the rate of second or subsequent plans per plan started {step} to "
        f"{lv:.2f} times its expected level ({llo:.2f} to {lhi:.2f}; {format_p(lp)}, "
        f"{step_sig}), and {slope} (factor {sv:.2f} a quarter, {slo:.2f} to {shi:.2f}; "
        f"{format_p(sp)})."
    )


_VARIATION_WORDS = {
    "common cause": "only common cause variation: no signal that anything has changed",
    "special cause improvement": "special cause improvement: a real fall, not chance",
    "special cause concern": "special cause concern: a real rise, not chance",
    "special cause neutral": "special cause variation",
}


def _runs(picked: list[str], labels: list[str]) -> str:
    first, last = labels.index(picked[0]), labels.index(picked[-1])
    if len(picked) > 2 and last - first + 1 == len(picked):
        return f"{picked[0]} to {picked[-1]}"
    return ", ".join(picked)


def spc_chart_note(page: Page) -> str | None:
    """Why the SPC chart is not drawn, or ``None`` when it is (the one owner of that choice:
    the chart, its sentence, the conclusion and the headline all follow it)."""
    f = facts_of(page)
    if f.spc.result is None:
        return f"No SPC chart is drawn: {f.spc.reason}."
    withheld = [q.label for q in f.quarters if q.started.withheld]
    if withheld:
        return (
            "The SPC chart is not drawn: its limits depend on the number of plans started, "
            f"which is withheld for {', '.join(withheld)}."
        )
    return None


def _hidden(f: RepeatFacts) -> list[str]:
    """The quarters drawn as ``c`` on the chart (their share rests on a withheld count)."""
    return [q.label for q, v in zip(f.quarters, f.spc.points, strict=True) if v is None]


def spc_reading(page: Page) -> SPCResult | None:
    """The chart's signal for the last quarter as the page may state it: ``None`` when the chart
    is not drawn or its last point is drawn as ``c`` (a signal would describe a hidden value)."""
    f = facts_of(page)
    if spc_chart_note(page) is not None or f.quarters[-1].label in _hidden(f):
        return None
    return f.spc.result


def spc_sentence(page: Page) -> str | None:
    """What the SPC chart shows for the last quarter of the period under review; ``None`` when
    there is no chart to read (``spc_chart_note`` says why, once). Signals are read only from the
    points the chart shows: a quarter drawn as ``c`` is named as such, never described."""
    f = facts_of(page)
    result = f.spc.result
    if result is None or spc_chart_note(page) is not None:
        return None
    labels = [q.label for q in f.quarters]
    hidden = _hidden(f)
    types = result.table["point_type"]
    improving = [x for i, x in enumerate(labels) if types.iloc[i] == "improvement"]
    concern = [x for i, x in enumerate(labels) if types.iloc[i] == "concern"]
    improving = [x for x in improving if x not in hidden]
    concern = [x for x in concern if x not in hidden]
    if spc_reading(page) is None:
        parts = [
            f"The last quarter of the period under review ({labels[-1]}) is drawn as c, so the "
            "chart's reading of it is not given."
        ]
    else:
        latest = _VARIATION_WORDS.get(result.variation, result.variation)
        parts = [
            f"In the last quarter of the period under review ({labels[-1]}) the chart shows "
            f"{latest}."
        ]
    if improving:
        parts.append(
            f"Quarters signalling improvement (lower than usual): {_runs(improving, labels)}."
        )
    if concern:
        parts.append(f"Quarters signalling concern (higher than usual): {_runs(concern, labels)}.")
    if improving and concern:
        parts.append(
            "The centre line is the average of every quarter, so when the level has moved, the "
            "quarters before the move show as one kind of signal and those after as the other."
        )
    if hidden:
        parts.append(
            f"{agree(len(hidden), 'The quarter', 'Quarters')} drawn as c "
            f"({', '.join(hidden)}) {agree(len(hidden), 'is', 'are')} not described: "
            "the share rests on a small count."
        )
    if result.trial_limits:
        parts.append("The limits are provisional because there are fewer than 12 quarters.")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# conclusion, headline, recorded figures


def conclusion(page: Page) -> str:
    """The closing plain-English paragraph, built from the disclosed results."""
    f = facts_of(page)
    parts: list[str] = []
    if f.comparison is not None:
        parts.append(_change(f.comparison.first, f.comparison.last))
    signals = []
    r = f.review
    if r is not None and r.model.result is not None and r.model.result.estimable:
        lv, _, _, lp = r.model.result.level_change
        if lp < 1 - f.confidence:
            signals.append(
                f"the before-and-after model finds a {'fall' if lv < 1 else 'rise'} at "
                f"{safe(r.label)}"
            )
    spc = spc_reading(page)
    if spc is not None and spc.variation.startswith("special cause"):
        signals.append(f"the SPC chart shows {spc.variation}")
    t = f.trend.result
    if t is not None and t.p_value < 1 - f.confidence:
        signals.append(
            f"the trend over all quarters is {'downward' if t.rate_ratio < 1 else 'upward'}"
        )
    if signals:
        lead = (
            "This is more than a comparison of two chosen quarters: "
            if f.comparison is not None and f.comparison.significant
            else "Looking at every quarter rather than two: "
        )
        parts.append(lead + "; ".join(signals) + ".")
    elif t is not None or spc is not None:
        parts.append(
            "Looking at every quarter, there is no clear signal that the share of repeat plans "
            "has changed, so any difference between two quarters may be chance."
        )
    parts.append(
        "Figures show an association in time, not proof of a cause; thresholds, recording and "
        "who is referred can move these figures too."
    )
    return " ".join(parts)


def headlines(page: Page) -> list[Headline]:
    """The board's headline: the share of plans started in the period under review that were
    second or subsequent, with its likely range and the SPC chart's signal."""
    f = facts_of(page)
    s = f.in_period
    ci = s.share
    previous = f.year_before.share if f.year_before is not None else None
    if ci is not None:
        value = f"{pct(ci.estimate)} ({s.repeats.words()} of {s.started.words()} plans started)"
        interval = pct_range(ci.lower, ci.upper)
        sentence = (
            f"In {f.period.label}, {pct(ci.estimate)} of the {s.started.words()} child "
            "protection plans started were second or subsequent plans"
        )
    else:
        base = "the" if s.started.withheld else s.started.words()
        value = f"{s.repeats.words()} of {base} plans started"
        interval = "not shown (small number)"
        sentence = f"In {f.period.label}, {s.repeats.of('plans started')} were second or subsequent"
    spc = spc_reading(page)
    read = spc_sentence(page) if spc is not None else None
    sentence += ". " + (read.split(". ")[0].rstrip(".") + "." if read else "")
    return [
        Headline(
            key="cpp_second_or_subsequent_share",
            label="Second or subsequent child protection plans",  # the period is its own field
            value=value,
            interval=interval,
            sentence=sentence.strip(),
            report=REPORT,
            variation=spc.variation if spc else None,
            caveats=tuple(dict.fromkeys(spc.caveats if spc else ())),
            unit="percent",
            better="lower",
            period=f.period.label,
            estimate=float(100 * ci.estimate) if ci else None,
            lower=float(100 * ci.lower) if ci else None,
            upper=float(100 * ci.upper) if ci else None,
            previous=float(100 * previous.estimate) if previous else None,
            previous_period=f.period.previous_label if previous else None,
            variation_icon=spc.variation_icon if spc else None,
            process_lower=f.spc.limits[0] if f.spc.limits else None,
            process_upper=f.spc.limits[1] if f.spc.limits else None,
            comparison=f.national.describe() if f.national else None,
        )
    ]


def figures(page: Page) -> dict[str, Any]:
    """The figures recorded beside the report (as the page shows them)."""
    f = facts_of(page)
    c = f.comparison
    out: dict[str, Any] = {
        "repeat_period": f.period.label,
        "repeat_series_first_quarter": f.quarters[0].quarter,
        "repeat_series_last_quarter": f.quarters[-1].quarter,
        "repeat_series_quarters": len(f.quarters),
        "repeat_period_started": str(f.in_period.started),
        "repeat_period_second_or_subsequent": str(f.in_period.repeats),
        "repeat_period_share": f.in_period.share.estimate if f.in_period.share else None,
        "repeat_trend": f.trend.result,
        "repeat_its_available": bool(
            f.review and f.review.model.result and f.review.model.result.estimable
        ),
        "repeat_its": f.review.model.result if f.review else None,
        # as the page states it: no reading of a chart not drawn or of a last point drawn as c
        "repeat_spc_variation": reading.variation if (reading := spc_reading(page)) else None,
    }
    if c is not None:
        test = c.count_test
        out |= {
            "repeat_compare_first": c.first.quarter,
            "repeat_compare_last": c.last.quarter,
            "repeat_first_quarter": str(c.first.repeats),
            "repeat_last_quarter": str(c.last.repeats),
            "repeat_comparison_p_value": test.p_value if test else None,
            "repeat_comparison_significant": c.significant,
            "repeat_comparison_suppressed": test is None,
        }
    return out

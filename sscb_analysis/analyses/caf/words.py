"""Early help (CAF) page, step 3 of 3 (words): tables and sentences from the disclosed page.

Takes a :class:`~sscb_analysis.disclose.Page` of
:class:`~sscb_analysis.analyses.caf.compute.CafFacts`; counts are
:class:`~sscb_analysis.disclose.Shown`, and a share, test or trend is ``None`` when it rests on
a withheld count. A published figure is checked only when the area profile records it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sscb_analysis.analyses.caf.compute import CLAIM_KEYS, MEASURES, CafFacts, ClaimCheck, Measure
from sscb_analysis.analyses.common import left_out, pct, pct_range, safe
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.disclose import Page
from sscb_analysis.stats import format_p

__all__ = [
    "TOO_FEW",
    "agency_sentence",
    "agency_table",
    "claim_sentences",
    "conclusions",
    "facts_of",
    "figures",
    "headlines",
    "knowledge_sentence",
    "survey_table",
    "trend_sentences",
]

REPORT = "03_caf"
#: What a table shows for a share with fewer answers than the minimum.
TOO_FEW = "too few responses to report"


def facts_of(page: Page) -> CafFacts:
    """The disclosed results of the page (refusing anything else)."""
    if not isinstance(page, Page) or not isinstance(page.results, CafFacts):
        raise TypeError("CAF words take the disclosed page (disclose_page(compute(...), policy))")
    return page.results


# --------------------------------------------------------------------------------------------
# assessments by agency


def agency_table(page: Page) -> pd.DataFrame | None:
    """Assessments per year by initiating agency, with totals (withheld cells as c)."""
    a = facts_of(page).agencies
    return None if a is None else a.table.frame


def agency_sentence(page: Page) -> str:
    """How many assessments were started in the period, against a year before, and by whom."""
    f = facts_of(page)
    a = f.agencies
    if a is None:
        return f"No CAF assessments were started up to the end of {f.period.label}."
    text = f"In {f.period.label}, {a.in_period.of('CAF assessments')} were started"
    if a.change is not None and a.year_before is not None:
        word = "up" if a.change > 0 else "down" if a.change < 0 else "the same as"
        amount = f" {abs(a.change):.0%} on" if a.change else ""
        text += f", {word}{amount} the {a.year_before.words()} in the same period a year before"
    text += "."
    if a.top_share is not None and a.top_count is not None and a.top_agency is not None:
        text += (
            f" The agency that started the most was {safe(a.top_agency)} "
            f"({a.top_count.words()}, {a.top_share:.0%} of them)."
        )
    return text


# --------------------------------------------------------------------------------------------
# the survey


def _share_text(m: Measure) -> str:
    if m.base.value == 0:
        return "no survey responses"
    if not m.enough:
        return TOO_FEW
    s = m.summary
    if s is None:
        return "withheld: it rests on a small count"
    return f"{pct(s.share)} ({pct_range(s.lower, s.upper)})"


def survey_table(page: Page) -> pd.DataFrame:
    """Responses and each share with its likely range per year (or why it is not shown)."""
    rows = {}
    for y in facts_of(page).years:
        row = {"Responses": str(y.responses)}
        for key, (label, *_) in MEASURES.items():
            row[label] = _share_text(y.measures[key])
        rows[y.label] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "Year of survey"
    return table


def trend_sentences(page: Page) -> dict[str, str]:
    """One sentence per measure on its trend across the years with enough answers."""
    f = facts_of(page)
    out = {}
    for key, (label, *_) in MEASURES.items():
        label = label.lower()
        years = f.trend_years[key]
        result = f.trends[key]
        if len(years) < 3:
            out[key] = (
                f"Too few years with enough answers to test for a trend in the share {label} "
                "(a trend test needs at least three)."
            )
        elif result is None:
            out[key] = (
                f"The trend in the share {label} is withheld: it rests on a year whose count is "
                "withheld."
            )
        elif not result.significant:
            out[key] = (
                f"There is no clear trend in the share {label} from {years[0]} to {years[-1]} "
                f"({format_p(result.p_value)}): the year-to-year differences are within what "
                "chance alone would produce."
            )
        else:
            word = "rose" if result.estimate > 0 else "fell"
            out[key] = (
                f"The share {label} {word} steadily from {years[0]} to {years[-1]}, by about "
                f"{100 * abs(result.estimate):.1f} percentage points a year (likely range "
                f"{100 * result.lower:+.1f} to {100 * result.upper:+.1f} points a year; "
                f"{format_p(result.p_value)}): a change this steady is unlikely to be chance."
            )
    return out


# --------------------------------------------------------------------------------------------
# the published claims


def _claim_sentence(f: CafFacts, key: str, check: ClaimCheck | None) -> str:
    words = MEASURES[key][3]
    label = f.period.label
    if check is None:
        return left_out(
            "claims", CLAIM_KEYS[key], f"the check of a published figure (respondents who {words})"
        )
    source = f" ({safe(check.source)})" if check.source else ""
    if check.text:
        said = f'The board\'s report said "{safe(check.text)}"{source}.'
    else:
        said = f"The board's report said {check.value:.0%} of respondents {words}{source}."
    m = f.in_period.measures[key]
    if m.base.value == 0 or not m.enough:
        return f"{said} For {label} there were too few responses in the data to check it."
    s, test = m.summary, check.test
    if s is None or test is None:
        return f"{said} For {label} the data's share is withheld because it rests on a small count."
    inside = s.lower <= check.value <= s.upper
    data = (
        f"In the data, {pct(s.share)} of the {m.base.words()} people surveyed in {label} {words} "
        f"(likely range {pct_range(s.lower, s.upper)})."
    )
    if not test.significant:
        verdict = (
            f"The published {check.value:.0%} is {'inside' if inside else 'just outside'} that "
            f"range and the gap is small enough to be chance ({format_p(test.p_value)}): the data "
            "are consistent with the published figure."
        )
    else:
        direction = "higher" if s.share > check.value else "lower"
        verdict = (
            f"The published {check.value:.0%} is outside that range ({format_p(test.p_value)}): "
            f"the data show a {direction} share than was published, so the published figure is "
            "not supported by this extract."
        )
    return f"{said} {data} {verdict}"


def claim_sentences(page: Page) -> list[str]:
    """Each published share the profile records, checked against the data (or left out)."""
    f = facts_of(page)
    return [_claim_sentence(f, key, f.claims[key]) for key in CLAIM_KEYS]


def knowledge_sentence(page: Page) -> str:
    """The share saying their knowledge of services improved, in the period."""
    f = facts_of(page)
    m = f.in_period.measures["knowledge"]
    label = f.period.label
    if m.base.value == 0 or not m.enough:
        return f"For {label} there were too few answers on knowledge of services to report."
    s = m.summary
    if s is None:
        return f"For {label} the share saying their knowledge of services improved is withheld."
    if s.share == 1.0:
        return f"In {label} every one of the {m.base.words()} people who answered said their knowledge of services improved."
    return (
        f"In {label}, {pct(s.share)} of the {m.base.words()} who answered said their knowledge "
        f"of services improved (likely range {pct_range(s.lower, s.upper)})."
    )


def _consistent(check: ClaimCheck | None) -> bool | None:
    return None if check is None or check.test is None else not check.test.significant


def conclusions(page: Page) -> list[str]:
    """The closing plain-English conclusions."""
    f = facts_of(page)
    out = [agency_sentence(page)]
    very = f.in_period.measures["very_satisfied"].summary
    if very is not None and f.in_period.measures["very_satisfied"].enough:
        out.append(
            f"{pct(very.share, 0)} of families surveyed in {f.period.label} were very satisfied "
            "with the early help they received."
        )
    out.append(trend_sentences(page)["very_satisfied"])
    for key, check in f.claims.items():
        ok = _consistent(check)
        if check is None or ok is None:
            continue
        name = MEASURES[key][0].lower()
        if ok:
            out.append(f"The published {check.value:.0%} ({name}) is borne out by the data.")
        else:
            share = f.in_period.measures[key].summary
            out.append(
                f"The published {check.value:.0%} ({name}) is not borne out by the data for "
                f"{f.period.label} ({pct(share.share)}): it should be corrected or its source "
                "explained."
            )
    out.append(
        "Survey answers come only from families who returned the survey; those who did not may "
        "feel differently, so the shares describe those who answered, not every family."
    )
    return out


# --------------------------------------------------------------------------------------------
# headlines and recorded figures


def _headline(f: CafFacts, key: str, hkey: str, label: str, trend: str) -> Headline:
    m = f.in_period.measures[key]
    check = f.claims.get(key)
    words = MEASURES[key][3]
    s = m.summary if m.enough else None
    previous = f.years[-2].measures[key] if len(f.years) >= 2 else None
    prev = previous.summary if previous is not None and previous.enough else None
    if s is not None:
        value, interval = pct(s.share), pct_range(s.lower, s.upper)
        sentence = (
            f"{pct(s.share)} of families surveyed after a CAF (early help assessment) in "
            f"{f.period.label} {words}"
        )
        ok = _consistent(check)
        if check is not None and ok is not None:
            sentence += f"; the board's report said {check.value:.0%}, and the data are " + (
                "consistent with that." if ok else "not consistent with that (see the CAF report)."
            )
        else:
            sentence += "."
    else:
        value, interval = "not reported", "n/a"
        sentence = f"In {f.period.label}: {_share_text(m)} (families surveyed after a CAF)."
    return Headline(
        key=hkey,
        label=label,
        value=value,
        interval=interval,
        sentence=sentence,
        report=REPORT,
        caveats=(tuple(s.caveats) if s else ()) + ((trend,) if trend else ()),
        unit="percent",
        better="higher",
        period=f.period.label,
        estimate=float(100 * s.share) if s else None,
        lower=float(100 * s.lower) if s else None,
        upper=float(100 * s.upper) if s else None,
        previous=float(100 * prev.share) if prev else None,
        previous_period=f.years[-2].label if prev else None,
    )


def headlines(page: Page) -> list[Headline]:
    """The board's headlines: families very satisfied, and saying things improved."""
    f = facts_of(page)
    trends = trend_sentences(page)
    return [
        _headline(
            f,
            "very_satisfied",
            "caf_very_satisfied",
            "Early help (CAF): families very satisfied",
            trends["very_satisfied"],
        ),
        _headline(
            f,
            "improved",
            "caf_things_improved",
            "Early help (CAF): families saying things improved",
            trends["improved"],
        ),
    ]


def figures(page: Page) -> dict[str, Any]:
    """The figures recorded beside the report, as the page shows them."""
    f = facts_of(page)
    out: dict[str, Any] = {
        "caf_period": f.period.label,
        "caf_assessments_period": str(f.agencies.in_period) if f.agencies else "0",
    }
    for key in ("very_satisfied", "improved"):
        m = f.in_period.measures[key]
        s = m.summary if m.enough else None
        out[f"caf_{key}_share"] = s.share if s else None
        out[f"caf_{key}_lower"] = s.lower if s else None
        out[f"caf_{key}_upper"] = s.upper if s else None
        out[f"caf_{key}_consistent_with_report"] = _consistent(f.claims.get(key))
    very = f.in_period.measures["very_satisfied"]
    out["caf_responses_base"] = very.base.value
    trend = f.trends["very_satisfied"]
    out["caf_very_satisfied_trend_p"] = trend.p_value if trend else None
    return out

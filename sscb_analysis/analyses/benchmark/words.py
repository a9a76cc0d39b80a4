"""National benchmark page, step 3 of 3 (words): tables and sentences from the disclosed page.

Everything here takes a :class:`~sscb_analysis.disclose.Page` of
:class:`~sscb_analysis.analyses.benchmark.compute.BenchmarkFacts`. Published figures are shown
as published (a value the DfE did not publish says why, never 0); the reconciliation's local
counts arrive as :class:`~sscb_analysis.disclose.Shown` and its percentages, differences and
agreements as ``None`` when they rest on a withheld count. Names from the DfE files are escaped
before they reach a sentence.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sscb_analysis import benchmarks as bm
from sscb_analysis.analyses.benchmark.compute import HEADLINE, BenchmarkFacts, Comparators
from sscb_analysis.analyses.common import plain, safe
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.benchmarks.comparators import COMPARATOR_ORDER
from sscb_analysis.disclose import Page, Shown
from sscb_analysis.indicators.periods import financial_year_label

__all__ = [
    "PLAIN_NAMES",
    "REPORT",
    "STATUS_TEXT",
    "comparator_sentence",
    "comparator_table",
    "facts_of",
    "figures",
    "funnel_coverage",
    "funnel_sentence",
    "heading",
    "headlines",
    "left_out_headline",
    "neighbour_table",
    "reconciliation_caveats",
    "reconciliation_sentence",
    "reconciliation_table",
    "spc_caveats",
    "spc_sentence",
    "status_notes",
    "what_this_means",
]

REPORT = "06_national_benchmark"
#: The key of the page's headline (``docs/profile.md``, "indicator key").
HEADLINE_KEY = "benchmark_second_or_subsequent"
#: Why the comparison is left out when the area profile gives no LA code.
NO_LA_CODE = (
    "the area profile gives no LA code (area.la_code), so the authority cannot be found in the "
    "DfE tables"
)

#: Each indicator in words a board member reads in a sentence.
PLAIN_NAMES: dict[str, str] = {
    "cpp_second_or_subsequent_pct": "the share of new plans that were second or subsequent plans",
    "cpp_open_2_years_or_more_pct": (
        "the share of plans open at 31 March that had lasted 2 years or more"
    ),
    "rereferrals_pct": "the share of referrals that were re-referrals within 12 months",
    "cin_at_31_march": "the number of children in need at 31 March",
}

#: How a value the DfE did not publish is shown in a table.
STATUS_TEXT: dict[str, str] = {
    "suppressed": "suppressed at source",
    "not_available": "not available at source",
    "not_applicable": "not applicable",
    "rounds_to_zero": "rounds to zero at source",
    "low_reliability": "withheld at source (low reliability)",
}

_POSITION_TEXT: dict[str, str] = {
    "within": (
        "inside the 95% limits: the difference from England is no more than chance alone "
        "would often give for an authority with this many plans"
    ),
    "above 95%": (
        "above the 95% limit (but inside the 99.8% limit): higher than England by more than "
        "chance usually gives, worth a closer look"
    ),
    "above 99.8%": (
        "above the 99.8% limit: very unlikely to be chance alone if it were like England"
    ),
    "below 95%": (
        "below the 95% limit (but inside the 99.8% limit): lower than England by more than "
        "chance usually gives, worth a closer look"
    ),
    "below 99.8%": (
        "below the 99.8% limit: very unlikely to be chance alone if it were like England"
    ),
}


def facts_of(page: Page) -> BenchmarkFacts:
    """The disclosed results of the page (refusing anything else)."""
    if not isinstance(page, Page) or not isinstance(page.results, BenchmarkFacts):
        raise TypeError(
            "benchmark words take the disclosed page (disclose_page(compute(...), policy))"
        )
    return page.results


def _value(value: float, unit: str) -> str:
    if unit == "percent":
        return f"{value:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _cell(value: float, status: str, unit: str) -> str:
    if status in ("published", "derived") and not math.isnan(value):
        return _value(float(value), unit)
    return STATUS_TEXT.get(status, status.replace("_", " "))


def _plain(view: Comparators) -> str:
    return PLAIN_NAMES.get(view.indicator, view.label[:1].lower() + view.label[1:])


# --------------------------------------------------------------------------------------------
# the authority, its neighbours and the comparator tables


def heading(page: Page) -> str:
    """Which authority and which year the page compares (or why the comparison is left out)."""
    f = facts_of(page)
    if f.unavailable:
        return f"The comparison with England and similar authorities is left out: {f.unavailable}."
    return (
        f"**Authority in the DfE tables:** {safe(f.la.label)}, region {safe(f.la.region_name)}. "
        f"**Year compared:** {financial_year_label(f.year)} (1 April {f.year - 1} to 31 March "
        f"{f.year}), the reporting year of the period under review. The tables run up to it; "
        "the line charts draw every published year as context, with that year marked."
    )


def neighbour_table(page: Page) -> tuple[pd.DataFrame, str]:
    """The statistical neighbours (closest first) and the note under them."""
    f = facts_of(page)
    return f.neighbours, f.neighbours_note


def comparator_table(page: Page, indicator: str) -> pd.DataFrame:
    """One row per published year up to the year under review, one column per comparator
    (values not published show why); with the number of neighbours the median rests on."""
    f = facts_of(page)
    view = f.comparators[indicator]
    long = view.long[view.long["year"] <= f.year]
    names = dict(zip(long["comparator"], long["area_name"], strict=False))
    table = long.assign(
        cell=[_cell(v, s, view.unit) for v, s in zip(long["value"], long["status"], strict=True)]
    ).pivot(index="period", columns="comparator", values="cell")
    table = table.fillna("not in the published tables")
    table = table[[c for c in COMPARATOR_ORDER if c in table.columns]]
    if "neighbours_median" in table.columns:
        used = long[long["comparator"] == "neighbours_median"].set_index("period")["n_areas"]
        table["neighbours_with_a_figure"] = [
            f"{int(used[p])} of {view.neighbours}" for p in table.index
        ]
    table = table.rename(columns={**names, "neighbours_with_a_figure": "Neighbours with a figure"})
    table.columns.name = None
    table.index.name = "Year"
    return table


def comparator_sentence(page: Page, indicator: str) -> str:
    """The authority's figure in the year under review beside England, its region and its
    neighbours' median."""
    f = facts_of(page)
    view = f.comparators[indicator]
    period, unit, name = financial_year_label(f.year), view.unit, safe(f.la.name)
    mine, status = view.value("la", f.year), view.status("la", f.year)
    shown = STATUS_TEXT.get(status, status) if math.isnan(mine) else _value(mine, unit)
    parts = []
    for comparator in ("england", "region"):
        value = view.value(comparator, f.year)
        if not math.isnan(value):
            rows = view.long.loc[view.long["comparator"] == comparator, "area_name"]
            area = "England" if comparator == "england" else safe(rows.iloc[0])
            parts.append(f"{area} {_value(value, unit)}")
    used, median = view.neighbours_used(f.year), view.value("neighbours_median", f.year)
    if used and not math.isnan(median):
        parts.append(
            f"the median of its statistical neighbours {_value(median, unit)} "
            f"({used} with a published figure)"
        )
    text = f"In {period} {name}'s figure was {shown} ({_plain(view)}); " + ", ".join(parts) + "."
    if unit == "count":
        text += (
            " Counts grow with the number of children living in an area, so compare the change "
            "over time (the chart shows each series as an index), not the size."
        )
    return text


def status_notes(page: Page) -> list[str]:
    """What each "not published" cell of the tables means, once each."""
    f = facts_of(page)
    notes: list[str] = []
    for view in f.comparators.values():
        notes += list(view.notes)
        statuses = set(view.long.loc[view.long["year"] <= f.year, "status"])
        for s in sorted(statuses - {"published", "derived"}):
            notes.append(f"'{STATUS_TEXT.get(s, s)}': {bm.STATUS_MEANINGS.get(s, s)}.")
    return list(dict.fromkeys(notes))


# --------------------------------------------------------------------------------------------
# funnel and SPC chart


def funnel_sentence(page: Page) -> str:
    """Where the authority sits on the funnel of every authority's share in the year."""
    f = facts_of(page)
    fun = f.funnel
    assert fun is not None
    name, p0 = safe(f.la.name), f"{100 * fun.data.p0:.1f}%"
    if fun.position is None or fun.la_x is None or fun.la_n is None:
        return (
            f"{name} is not on the {fun.data.period} funnel ({safe(fun.excluded)}); England's "
            f"share of second or subsequent plans was {p0}."
        )
    x, n = fun.la_x, fun.la_n
    counts = fun.points["position"].value_counts()
    outside = len(fun.points) - int(counts.get("within", 0))
    return (
        f"In {fun.data.period}, {x:,} of the {n:,} child protection plans {name} started "
        f"({100 * x / n:.1f}%) were second or subsequent plans, against {p0} for England. "
        f"{name} sits {_POSITION_TEXT[fun.position]}. Of {len(fun.points)} authorities with a "
        f"figure, {outside} lie outside the 95% limits."
    )


def funnel_coverage(page: Page) -> str:
    """How many authorities the funnel holds, and England's share as published counts."""
    fun = facts_of(page).funnel
    assert fun is not None
    left = len(fun.data.excluded)
    return (
        f"{len(fun.points)} authorities had a usable figure in {fun.data.period}"
        + (
            f"; {left} were left out because a count was suppressed, not available or zero."
            if left
            else "."
        )
        + f" England's share, {100 * fun.data.p0:.1f}%, is {fun.data.england_x:,.0f} of "
        f"{fun.data.england_n:,.0f} plans (national counts are rounded to the nearest 10)."
    )


def spc_sentence(page: Page) -> str:
    """What the SPC chart of the published years up to the year under review shows."""
    f = facts_of(page)
    result = f.spc.result
    if result is None:
        return f"No SPC chart of the period under review: {f.spc.reason}."
    name = safe(f.la.name)
    years = [int(y) for y in result.table.index]
    span = f"{financial_year_label(min(years))} to {financial_year_label(max(years))}"
    text = result.describe(what=f"In {name}, {PLAIN_NAMES[HEADLINE]}")
    text = text.replace(f"over {result.n} points", f"over the {result.n} years from {span}")
    t = result.table
    high = [
        financial_year_label(y)
        for y, s, v, c in zip(years, t["special_cause"], t["value"], t["centre"], strict=True)
        if s and v > c
    ]
    low = [
        financial_year_label(y)
        for y, s, v, c in zip(years, t["special_cause"], t["value"], t["centre"], strict=True)
        if s and v <= c
    ]
    bits = []
    if high:
        bits.append(f"above its usual level in {', '.join(high)}")
    if low:
        bits.append(f"below it in {', '.join(low)}")
    if bits:
        text += " The share was " + " and ".join(bits) + "."
    return text + " The chart stops at the year under review; later years are not charted."


def spc_caveats(page: Page) -> list[str]:
    """The SPC chart's caveats (trial limits, years left out)."""
    result = facts_of(page).spc.result
    return [safe(c) for c in result.caveats] if result is not None else []


# --------------------------------------------------------------------------------------------
# the reconciliation (local counts: disclosed)


def _local(m: Any) -> tuple[str, bool]:
    """(the local figure as shown, whether it is withheld) of one reconciliation measure."""
    local = m.local
    if isinstance(local, Shown):
        return str(local), local.withheld
    if local is None:
        return "c", True
    return ("not applicable (no plans)" if math.isnan(local) else _value(local, "percent")), False


def reconciliation_table(page: Page) -> pd.DataFrame:
    """Local against published figures: local counts withheld as c, with the percentage,
    difference and agreement that would give them back."""
    rec = facts_of(page).reconciliation
    assert rec is not None
    rows = []
    for m in rec.measures:
        mine, withheld = _local(m)
        if m.status != "published":
            diff = agrees = "not compared"
        elif withheld:
            diff = agrees = "c"
        elif m.difference is None or m.agrees is None or math.isnan(m.difference):
            diff = agrees = "not compared"
        else:
            d = m.difference
            diff = f"{d:+.1f} points" if m.unit == "percent" else f"{int(d):+,}"
            agrees = "yes" if m.agrees else "no"
        rows.append(
            {
                "Measure": m.label,
                "Local extract": mine,
                "Published": _cell(m.published, m.status, m.unit),
                "Difference": diff,
                "Agrees": agrees,
            }
        )
    return pd.DataFrame(rows).set_index("Measure")


def _agreement(page: Page) -> tuple[int, int, int]:
    """(shown and agreeing, shown and compared, withheld) among the published measures."""
    rec = facts_of(page).reconciliation
    assert rec is not None
    agree = compared = withheld = 0
    for m in rec.measures:
        if m.status != "published":
            continue
        if _local(m)[1]:
            withheld += 1
        elif m.agrees is not None:
            compared += 1
            agree += bool(m.agrees)
    return agree, compared, withheld


def reconciliation_sentence(page: Page) -> str:
    """Does the local extract reproduce the published figures? (Only the comparisons shown.)"""
    f = facts_of(page)
    agree, compared, withheld = _agreement(page)
    name, period = safe(f.la.name), financial_year_label(f.year)
    aside = (
        f" {withheld} other local figure{'s are' if withheld != 1 else ' is'} withheld (small "
        "numbers), so not compared here."
        if withheld
        else ""
    )
    if not compared:
        why = (
            f": the local figure{'s are' if withheld != 1 else ' is'} withheld (small numbers)"
            if withheld
            else ""
        )
        return f"No published {period} figure for {name} can be compared here{why}."
    if agree == compared:
        return (
            f"The local extract reproduces the {compared} published {period} figures for "
            f"{name} that can be compared here.{aside}"
        )
    return (
        f"The local extract does not reproduce the published {period} figures for {name}: "
        f"{compared - agree} of the {compared} compared here differ.{aside}"
    )


def reconciliation_caveats(page: Page) -> list[str]:
    """What to keep in mind: synthetic data, census against a later extract, withheld counts."""
    f = facts_of(page)
    rec = f.reconciliation
    assert rec is not None
    out = [safe(c) for c in rec.caveats]
    if rec.synthetic:
        out.insert(
            0,
            "The extract is SYNTHETIC (made by the project's generator, as its provenance "
            "records): invented plans, so it is not expected to match the published figures. "
            "Run this report on the real extract (on the analyst's own machine) to check the "
            "case system against the census return.",
        )
    if any(r == "c" for r in reconciliation_table(page)["Local extract"]):
        out.append(
            f"Local figures of 1 to {page.policy.threshold} are shown as c, with the percentage, "
            "difference and agreement that would reveal them."
        )
    return out


# --------------------------------------------------------------------------------------------
# what it means, the headline and the recorded figures


def _compare(a: float, b: float, name: str) -> str:
    if math.isnan(a) or math.isnan(b):
        return f"cannot be compared with {name}"
    if abs(a - b) < 0.05:
        return f"the same as {name} ({b:.1f}%)"
    return f"{'higher' if a > b else 'lower'} than {name} ({b:.1f}%)"


def what_this_means(page: Page) -> str:
    """The closing plain-English paragraph, built from the figures of the year under review."""
    f = facts_of(page)
    if f.unavailable:
        return heading(page)
    view, name, period = f.comparators[HEADLINE], safe(f.la.name), financial_year_label(f.year)
    mine = view.value("la", f.year)
    if math.isnan(mine):
        first = (
            f"{name}'s share of second or subsequent plans in {period} was not published, so it "
            "cannot be set against England."
        )
    else:
        first = (
            f"In {period}, {mine:.1f}% of {name}'s new child protection plans were second or "
            f"subsequent plans: {_compare(mine, view.value('england', f.year), 'England')}, "
            f"{_compare(mine, view.value('neighbours_median', f.year), 'the median of its statistical neighbours')}."
        )
    position = f.funnel.position if f.funnel is not None else None
    if position == "within":
        second = (
            "The funnel plot shows the difference from England is within what chance alone "
            "often gives for an authority of its size, so on this measure it is not unusual."
        )
    elif position:
        second = (
            f"On the funnel plot it lies {position.replace('%', '% limit')}: unusual compared "
            "with England, which is a reason to ask why, not a verdict; repeat plans can be high "
            "because children are rightly brought back, or low because plans end too early."
        )
    else:
        second = "It has no usable figure on the funnel plot for that year."
    spc = f.spc.result
    if spc is None:
        third = f"There is no SPC chart of the years up to {period} ({f.spc.reason})."
    else:
        years = [int(y) for y in spc.table.index]
        span = f"{financial_year_label(min(years))} to {financial_year_label(max(years))}"
        third = f"Over {span} the SPC chart shows {spc.variation} variation" + (
            " (no signal of change)."
            if spc.variation == "common cause"
            else ": the share has moved by more than year-to-year noise."
        )
    others = []
    for other in f.comparators.values():
        if other.indicator == HEADLINE or other.unit != "percent":
            continue
        value = other.value("la", f.year)
        if math.isnan(value):
            status = STATUS_TEXT.get(other.status("la", f.year), "not published")
            others.append(f"{_plain(other)} was {status}")
        else:
            others.append(
                f"{_plain(other)} was {_value(value, other.unit)}, "
                f"{_compare(value, other.value('england', f.year), 'England')}"
            )
    fourth = f"Also in {period}, " + "; ".join(others) + "." if others else ""
    text = " ".join(p for p in (first, second, third, fourth) if p)
    if f.reconciliation is not None and f.reconciliation.synthetic:
        text += (
            " The reconciliation used the synthetic extract, so its mismatch says nothing about "
            "the real case system."
        )
    return text


def headlines(page: Page) -> list[Headline]:
    """The board's headline: the authority's published share of second or subsequent plans in
    the year under review against England and its neighbours, with the SPC chart of the years
    up to it (plain text: the scorecard escapes it)."""
    f = facts_of(page)
    if f.unavailable:
        return [left_out_headline(f.unavailable)]
    view = f.comparators[HEADLINE]
    mine, status = view.value("la", f.year), view.status("la", f.year)
    ci, fun = f.la_share, f.funnel
    spc = f.spc.result
    # One source for the value, its range and the year before: the published counts (as the
    # funnel plot and the SPC chart use them) when the DfE gives them, else the published rate.
    if ci is None or fun is None or fun.la_x is None:
        value, interval = _cell(mine, status, "percent"), "not available"
        own, previous = mine, f.previous_share
        basis = "The share is the rate as the DfE published it (no published counts, no range)."
    else:
        own = float(100 * ci.estimate)
        value = f"{own:.1f}% ({fun.la_x:,} of {fun.la_n:,} plans)"
        interval = f"{100 * ci.lower:.1f}% to {100 * ci.upper:.1f}%"
        years = spc.table["value"] if spc is not None else pd.Series(dtype=float)
        previous = float(100 * years[f.year - 1]) if f.year - 1 in years.index else None
        basis = (
            "The share, its likely range and the year before are worked out from the DfE's "
            "published counts of plans."
        )
    place = {
        None: "it has no usable figure on the funnel plot",
        "within": "within the range chance alone gives around England's share",
    }.get(
        fun.position if fun is not None else None,
        f"{fun.position if fun else ''} funnel limit: unusual against England",
    )
    period = financial_year_label(f.year)
    sentence = (
        f"Published DfE figures for {period}: "
        f"{_compare(own, view.value('england', f.year), 'England')} and "
        f"{_compare(own, view.value('neighbours_median', f.year), 'the median of similar authorities')}"
        f"; {place}. {basis}"
    )
    last = spc.table.iloc[-1] if spc is not None else None
    return [
        Headline(
            key=HEADLINE_KEY,
            label=f"Second or subsequent plans: {f.la.name} against England (published)",
            value=value,
            interval=interval,
            sentence=plain(sentence[:1].upper() + sentence[1:]),
            report=REPORT,
            variation=spc.variation if spc is not None else None,
            caveats=tuple(spc.caveats) if spc is not None else (f"No SPC chart: {f.spc.reason}.",),
            unit="percent",
            better="lower",
            period=period,
            estimate=None if math.isnan(own) else own,
            lower=float(100 * ci.lower) if ci is not None else None,
            upper=float(100 * ci.upper) if ci is not None else None,
            previous=previous,
            previous_period=financial_year_label(f.year - 1) if previous is not None else None,
            variation_icon=spc.variation_icon if spc is not None else None,
            process_lower=100 * float(last["lower"]) if last is not None else None,
            process_upper=100 * float(last["upper"]) if last is not None else None,
            comparison=f.national.describe() if f.national is not None else None,
        )
    ]


def left_out_headline(reason: str) -> Headline:
    """The headline of a page that leaves the comparison out (no LA code in the area profile,
    or a year the DfE has not published): no figure, and the board summary's row says why."""
    return Headline(
        key=HEADLINE_KEY,
        label="Second or subsequent plans against England (published)",
        value="not available",
        interval="not available",
        sentence=plain(
            f"The comparison with England and similar authorities is left out: {reason}."
        ),
        report=REPORT,
        unit="percent",
        better="lower",
    )


def figures(page: Page) -> dict[str, Any]:
    """The figures recorded beside the report (published figures, and the reconciliation as
    the page shows it: ``reconciliation_matches`` is None when a withheld count would decide
    it)."""
    f = facts_of(page)
    out: dict[str, Any] = {
        "la_code": f.la.old_la_code,
        "la_name": f.la.name,
        "year": f.year,
        "period": financial_year_label(f.year),
        "comparison_left_out": f.unavailable,
    }
    if f.unavailable:
        return out
    view = f.comparators[HEADLINE]
    region = view.long.loc[view.long["comparator"] == "region", "area_name"]
    out |= {
        "la_second_or_subsequent_pct": view.value("la", f.year),
        "england_second_or_subsequent_pct": view.value("england", f.year),
        "region_name": str(region.iloc[0]) if len(region) else "",
        "region_second_or_subsequent_pct": view.value("region", f.year),
        "neighbour_median_second_or_subsequent_pct": view.value("neighbours_median", f.year),
        "neighbours_used": view.neighbours_used(f.year),
        "funnel_position": f.funnel.position if f.funnel is not None else None,
        "funnel_sentence": plain(funnel_sentence(page)),
        "spc_variation": f.spc.result.variation if f.spc.result is not None else None,
        "spc_sentence": plain(spc_sentence(page)),
    }
    for name, other in f.comparators.items():
        out[f"{name}_la"] = other.value("la", f.year)
        out[f"{name}_england"] = other.value("england", f.year)
        out[f"{name}_neighbour_median"] = other.value("neighbours_median", f.year)
    if f.reconciliation is not None:
        agree, compared, withheld = _agreement(page)
        out["reconciliation_matches"] = (
            None if withheld or not compared else bool(agree == compared)
        )
        out["reconciliation_sentence"] = plain(reconciliation_sentence(page))
    return out

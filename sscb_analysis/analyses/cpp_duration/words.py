"""Plan duration page, step 3 of 3 (words): tables and sentences from the disclosed page only."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sscb_analysis.analyses.common import left_out, pct, pct_range, safe
from sscb_analysis.analyses.cpp_duration.compute import DurationFacts, Measure, Year
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.disclose import Page
from sscb_analysis.stats import TestResult

__all__ = [
    "category_sentence",
    "category_shares",
    "category_table",
    "conclusion",
    "detail",
    "facts_of",
    "figures",
    "headlines",
    "measure_sentence",
    "measure_table",
    "years_sentence",
]

REPORT = "02_cpp_duration"


def facts_of(page: Page) -> DurationFacts:
    """The disclosed results of the page (refusing anything else)."""
    if not isinstance(page, Page) or not isinstance(page.results, DurationFacts):
        raise TypeError(
            "plan duration words take the disclosed page (disclose_page(compute(...), policy))"
        )
    return page.results


def _measure(page: Page, key: str) -> Measure:
    return getattr(facts_of(page), key)


def _p(p: float) -> str:
    """A p-value to four decimals (so 0.0497 is not shown as 0.05), or ``p < 0.0001``."""
    return "p < 0.0001" if p < 0.0001 else f"p = {p:.4f}"


def years_sentence(page: Page) -> str:
    """Which reporting years the tables and chart cover."""
    f = facts_of(page)
    first, last = f.open.years[0].label, f.open.years[-1].label
    if first == last:
        return f"The tables cover the reporting year {last} (April to March)."
    return f"The tables and the chart cover the reporting years {first} to {last} (April to March)."


def measure_table(page: Page, key: str) -> pd.DataFrame:
    """One row per year: plans, those of two years or more, the share and its likely range."""
    f = facts_of(page)
    m = _measure(page, key)
    conf = f"{100 * f.confidence:g}%"
    rows = []
    for y in m.years:
        none = y.total.value == 0
        ci = y.share
        rows.append(
            {
                "Year": y.label,
                m.title: str(y.total),
                "Lasting two years or more": str(y.long),
                "Share": "-" if none else "c" if ci is None else pct(ci.estimate),
                f"Likely range ({conf})": "-"
                if none
                else "c"
                if ci is None
                else pct_range(ci.lower, ci.upper),
            }
        )
    return pd.DataFrame(rows).set_index("Year")


def _year_phrase(title: str, y: Year) -> str:
    if y.total.value == 0:
        return f"{title}, {y.label}: none."
    if y.share is None:
        return f"{title}, {y.label}: {y.long.words()} of {y.total.of('plans')} had lasted two years or more."
    return (
        f"{title}, {y.label}: {y.long.words()} of {y.total.words()} ({pct(y.share.estimate)}) "
        "had lasted two years or more."
    )


def _trend_words(m: Measure) -> str:
    t = m.trend
    if t is None:
        if m.trend_reason:
            return f"No trend test: {m.trend_reason}."
        return "The trend test is withheld: it rests on a year whose count is withheld."
    direction = "fell" if t.estimate < 0 else "rose"
    if t.significant:
        return (
            f"Across the years the share {direction} steadily, more than chance would explain "
            f"(trend test {_p(t.p_value)})."
        )
    return f"Across the years there is no clear steady change in the share (trend test {_p(t.p_value)})."


def _review_words(m: Measure) -> str:
    r = m.review
    if r is None:
        return left_out("events", "cpp_practice_review", "the comparison before and after a review")
    label = safe(r.label)
    if r.significant is None:
        return f"No comparison either side of {label}: {r.reason}."
    verdict = (
        "a statistically significant difference"
        if r.significant
        else "a difference that could be chance"
    )
    if r.test is None:  # a count behind it is withheld: no shares, no p-value
        return f"Between {r.before} (before {label}) and {r.after} (after it) there is {verdict}."
    pb, pa = r.test.observed
    return (
        f"The share was {pct(pb)} in {r.before} (before {label}) and {pct(pa)} in {r.after} "
        f"(after it): {verdict} ({_p(r.test.p_value)})."
    )


def measure_sentence(page: Page, key: str) -> str:
    """The latest year, the trend and the comparison around the review, in words."""
    m = _measure(page, key)
    return " ".join([_year_phrase(m.title, m.years[-1]), _trend_words(m), _review_words(m)])


def detail(page: Page, key: str) -> str:
    """The tests for analysts (what the disclosure allows)."""
    f = facts_of(page)
    m = _measure(page, key)
    conf = f"{100 * f.confidence:g}%"
    lines = [f"**{m.title}**"]
    t: TestResult | None = m.trend
    if t is not None:
        lines.append(
            f"Change in the share: {100 * t.estimate:+.2f} percentage points a year ({conf} CI "
            f"{100 * t.lower:+.2f} to {100 * t.upper:+.2f}; {_p(t.p_value)}, {t.method})."
        )
    if m.review is not None and m.review.test is not None:
        lines.append(m.review.test.describe("The share of two years or more, before against after"))
    return "\n\n".join(lines)


def category_table(page: Page) -> pd.DataFrame | None:
    """Plans started by category of abuse and year, with totals (withheld as c)."""
    t = facts_of(page).categories
    return None if t is None else t.frame


def category_shares(page: Page) -> pd.DataFrame | None:
    """Each category's share of the plans started that year (withheld as c)."""
    f = facts_of(page)
    if f.categories is None:
        return None
    body = f.categories.body()
    out = pd.DataFrame(index=body.index, columns=body.columns, dtype=object)
    for category in body.index:
        for column in body.columns:
            share = f.category_shares.get((str(category), str(column)))
            out.loc[category, column] = "c" if share is None else f"{100 * share:.1f}%"
    return out


def category_sentence(page: Page) -> str:
    """The most common category in the latest year (by shown counts only)."""
    f = facts_of(page)
    if f.categories is None:
        return "The extract records no category of abuse."
    body = f.categories.numbers.drop(index="Total", columns="Total", errors="ignore")
    last = body.columns[-1]
    column = body[last].dropna()
    if column.empty:
        return f"In {last} the counts by category are withheld."
    top = str(column.idxmax())
    share = f.category_shares.get((top, str(last)))
    text = f" ({100 * share:.1f}% of plans started)" if share is not None else ""
    withheld = int(body[last].isna().sum())
    note = " (among the categories whose count is shown)" if withheld else ""
    return f"In {last} the most common category{note} was {top.lower()}{text}."


def conclusion(page: Page) -> str:
    """The closing plain-English paragraph, built from the disclosed results."""
    f = facts_of(page)
    parts = [measure_sentence(page, "open")]
    t = f.ended.trend
    if t is not None:
        parts.append(
            "Among plans that ended, the share that had lasted two years or more "
            + (
                ("fell" if t.estimate < 0 else "rose") + " steadily across the years."
                if t.significant
                else "shows no clear steady change."
            )
        )
    parts.append(category_sentence(page))
    parts.append(
        "Long plans can be right for some children; the measure asks whether plans drift, and a "
        "change in it shows association in time, not proof of a cause."
    )
    return " ".join(parts)


def headlines(page: Page) -> list[Headline]:
    """Plans open at 31 March of the period's year that had lasted two years or more."""
    f = facts_of(page)
    y = f.open.years[-1]
    prev = f.open.years[-2].share if len(f.open.years) >= 2 else None
    ci = y.share
    if ci is not None:
        value = f"{pct(ci.estimate)} ({y.long.words()} of {y.total.words()} open plans)"
        interval = pct_range(ci.lower, ci.upper)
    else:
        value = f"{y.long.words()} of {y.total.of('open plans')}"
        interval = "not shown (small number)"
    return [
        Headline(
            key="cpp_open_two_years_or_more",
            label="Plans open at 31 March that had lasted two years or more",  # period: y.label
            value=value,
            interval=interval,
            sentence=(
                _year_phrase("Plans open at 31 March", y) + " " + _trend_words(f.open)
            ).strip(),
            report=REPORT,
            caveats=tuple(ci.caveats) if ci is not None else (),
            unit="percent",
            better="lower",
            period=y.label,
            estimate=float(100 * ci.estimate) if ci else None,
            lower=float(100 * ci.lower) if ci else None,
            upper=float(100 * ci.upper) if ci else None,
            previous=float(100 * prev.estimate) if prev else None,
            previous_period=f.open.years[-2].label if prev else None,
            comparison=f.national.describe() if f.national else None,
        )
    ]


def figures(page: Page) -> dict[str, Any]:
    """The figures recorded beside the report, as the page shows them."""
    f = facts_of(page)
    out: dict[str, Any] = {"duration_years": [y.year for y in f.open.years]}
    for m in (f.open, f.ended):
        y = m.years[-1]
        out[f"duration_{m.key}_share"] = y.share.estimate if y.share else None
        out[f"duration_{m.key}_trend_p_value"] = m.trend.p_value if m.trend else None
        out[f"duration_{m.key}_before_after_p_value"] = (
            m.review.test.p_value if m.review and m.review.test else None
        )
    h = headlines(page)[0]
    out["open_two_years_or_more_value"] = h.value
    out["open_two_years_or_more_interval"] = h.interval
    return out

"""How long child protection plans last, and categories of abuse, by reporting year.

Following the DfE children in need census, plans lasting *two years or more* are counted two
ways: plans still open at 31 March that started at least two years earlier, and plans ending in
the year that had run for two years or more. Each share gets a Wilson interval, a trend test
across the years (Cochran-Armitage) and a comparison of the full year before the practice review
with the first full year after it. Counts from 1 to the suppression threshold are shown as ``c``
and so is any share or interval from which such a count could be worked back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from sscb_analysis import plots
from sscb_analysis.analyses.common import check_cpp, count_words, pct, pct_range, share_hidden
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.disclose import safe_count, suppress, suppress_percentages
from sscb_analysis.indicators import (
    categories_by_year,
    financial_year_label,
    open_at_31_march,
    plans_ended_by_year,
)
from sscb_analysis.stats import (
    TestResult,
    compare_proportions,
    trend_in_proportions,
    wilson_ci,
)

REPORT = "02_cpp_duration"
MEASURES = {
    "open": ("open", "open_two_years_or_more", "Plans open at 31 March"),
    "ended": ("ended", "ended_two_years_or_more", "Plans ending in the year"),
}


def _check_cpp(cpp: pd.DataFrame) -> None:
    check_cpp(cpp, ("plan_start_date", "plan_end_date"))


def reporting_years(
    cpp: pd.DataFrame, series_start: str | pd.Timestamp = "2010-04-01"
) -> list[int]:
    """Complete reporting years (named by the year they end) the extract covers.

    The first is the year starting on or after ``series_start`` (earlier plans are in the
    extract only if still open then); the last is the latest year whose 31 March is on or before
    the extract's latest recorded date.
    """
    _check_cpp(cpp)
    start = pd.Timestamp(series_start)
    first = start.year + 1 if (start.month, start.day) <= (4, 1) else start.year + 2
    cols = [c for c in ("plan_start_date", "plan_end_date", "initial_conference_date") if c in cpp]
    latest = max(pd.to_datetime(cpp[c]).max() for c in cols)
    if pd.isna(latest):
        raise ValueError("The CPP extract has no dates, so it covers no reporting year.")
    last = (
        latest.year
        if latest >= pd.Timestamp(year=latest.year, month=3, day=31)
        else latest.year - 1
    )
    if last < first:
        raise ValueError(
            f"The extract covers no complete reporting year from {start.date()} (its latest date "
            f"is {latest.date()})."
        )
    return list(range(first, last + 1))


def _p(p: float) -> str:
    """A p-value to four decimals (so 0.0497 is not shown as 0.05), or ``p < 0.0001``."""
    return "p < 0.0001" if p < 0.0001 else f"p = {p:.4f}"


def _year_phrase(title: str, label: str, x: int, n: int, t: int) -> str:
    """'Plans open at 31 March, 2013-14: 10 of 348 (2.9%) had lasted two years or more.'"""
    if share_hidden(x, n, t):
        shown_x, shown_n = count_words(x, t), count_words(n, t)
        return f"{title}, {label}: {shown_x} of {shown_n} had lasted two years or more."
    if n == 0:
        return f"{title}, {label}: none."
    return f"{title}, {label}: {x:,} of {n:,} ({pct(x / n)}) had lasted two years or more."


def trend_words(trend: TestResult) -> str:
    """The trend test for analysts: slope in percentage points a year, interval and p."""
    conf = f"{100 * trend.confidence:g}%"
    return (
        f"Change in the share: {100 * trend.estimate:+.2f} percentage points a year ({conf} CI "
        f"{100 * trend.lower:+.2f} to {100 * trend.upper:+.2f}; {_p(trend.p_value)}, "
        f"{trend.method})."
    )


@dataclass(frozen=True)
class DurationMeasure:
    """One way of counting plans of two years or more, by year, with its tests.

    ``counts`` holds true numbers and intervals (analysis only); ``table`` is disclosed.
    ``trend`` is None (with ``note``) when fewer than three years have a share that may be shown
    (a year whose share is ``c`` is left out of the trend: with the published bases and the
    other years' shares, the trend's slope or p-value would give its count back).
    ``comparison_hidden`` is True when a count behind the before-and-after comparison is from 1
    to the threshold: its p-value is then kept off the board page and out of the JSON.
    """

    key: str
    title: str
    counts: pd.DataFrame
    table: pd.DataFrame
    trend: TestResult | None
    comparison: TestResult | None
    before: int | None
    after: int | None
    sentence: str
    note: str
    comparison_hidden: bool = False

    @property
    def comparison_p_value(self) -> float | None:
        """The before-and-after p-value to record, or None when a count behind it is suppressed
        (with one count and the bases known, an exact test's p-value gives the other back)."""
        if self.comparison is None or self.comparison_hidden:
            return None
        return self.comparison.p_value


def _measure(
    key: str,
    base: pd.DataFrame,
    confidence: float,
    threshold: int,
    intervention_date: pd.Timestamp,
) -> DurationMeasure:
    total_col, long_col, title = MEASURES[key]
    t = threshold
    conf = f"{100 * confidence:g}%"
    lows, highs = [], []
    rows = []
    for r in base.itertuples(index=False):
        n, x = int(getattr(r, total_col)), int(getattr(r, long_col))
        if n:
            ci = wilson_ci(x, n, confidence)
            lows.append(ci.lower)
            highs.append(ci.upper)
        else:
            lows.append(math.nan)
            highs.append(math.nan)
        hidden = share_hidden(x, n, t)
        shown = n and not hidden
        rows.append(
            {
                "Year": r.label,
                title: safe_count(n, t),
                "Lasting two years or more": safe_count(x, t),
                "Share": pct(x / n) if shown else ("c" if hidden else "-"),
                f"Likely range ({conf})": pct_range(lows[-1], highs[-1])
                if shown
                else ("c" if hidden else "-"),
            }
        )
    counts = base.assign(share_lower=lows, share_upper=highs)
    table = pd.DataFrame(rows).set_index("Year")
    shown_years = [
        n > 0 and not share_hidden(x, n, t)
        for x, n in zip(counts[long_col].astype(int), counts[total_col].astype(int), strict=True)
    ]
    usable = counts[shown_years]
    trend = None
    note = ""
    if len(usable) >= 3:
        trend = trend_in_proportions(
            usable[long_col].astype(int).tolist(),
            usable[total_col].astype(int).tolist(),
            confidence=confidence,
        )
    else:
        note = (
            "No trend test: it needs at least three years with plans whose share can be shown "
            f"(no count from 1 to {t}), and there are {len(usable)}."
        )
    review_year = int(intervention_date.year + (1 if intervention_date.month >= 4 else 0))
    before, after = review_year - 1, review_year + 1
    years = dict(zip(counts["year"].astype(int), counts.itertuples(index=False), strict=True))
    comparison = None
    hidden_comparison = False
    if before in years and after in years:
        b, a = years[before], years[after]
        nb, xb = int(getattr(b, total_col)), int(getattr(b, long_col))
        na, xa = int(getattr(a, total_col)), int(getattr(a, long_col))
        if nb and na:
            comparison = compare_proportions(xb, nb, xa, na, confidence)
            hidden_comparison = share_hidden(xb, nb, t) or share_hidden(xa, na, t)
    if comparison is None:
        note += (
            f" No before-and-after comparison: it needs {financial_year_label(before)} and "
            f"{financial_year_label(after)} (the full years either side of the review)."
        )
    sentence = _sentence(title, counts, total_col, long_col, trend, comparison, before, after, t)
    if trend is None and int((counts[total_col] > 0).sum()) >= 3:
        sentence = sentence.rstrip() + (
            " No trend across the years is given: fewer than three years have a share that can be "
            f"shown (no count from 1 to {t}), and a trend through the others would give them back."
        )
    return DurationMeasure(
        key,
        title,
        counts,
        table,
        trend,
        comparison,
        before if comparison else None,
        after if comparison else None,
        sentence,
        note.strip(),
        hidden_comparison,
    )


def _sentence(
    title: str,
    counts: pd.DataFrame,
    total_col: str,
    long_col: str,
    trend: TestResult | None,
    comparison: TestResult | None,
    before: int,
    after: int,
    t: int,
) -> str:
    parts = []
    last = counts[counts[total_col] > 0].tail(1)
    if not last.empty:
        r = last.iloc[0]
        parts.append(_year_phrase(title, r["label"], int(r[long_col]), int(r[total_col]), t))
    if trend is not None:
        direction = "fell" if trend.estimate < 0 else "rose"
        if trend.significant:
            parts.append(
                f"Across the years the share {direction} steadily, more than chance would explain "
                f"(trend test {_p(trend.p_value)})."
            )
        else:
            parts.append(
                f"Across the years there is no clear steady change in the share (trend test "
                f"{_p(trend.p_value)})."
            )
    if comparison is not None:
        pb, pa = comparison.observed
        hidden = any(
            1 <= int(v) <= t
            for v in (
                *counts.loc[counts["year"].isin([before, after]), long_col],
                *(
                    counts.loc[counts["year"].isin([before, after]), total_col]
                    - counts.loc[counts["year"].isin([before, after]), long_col]
                ),
            )
        )
        b, a = financial_year_label(before), financial_year_label(after)
        verdict = (
            "a statistically significant difference"
            if comparison.significant
            else "a difference that could be chance"
        )
        if hidden:  # no p-value: with one count and the bases known it gives the other back
            parts.append(f"Between {b} (before the review) and {a} (after it) there is {verdict}.")
        else:
            parts.append(
                f"The share was {pct(pb)} in {b} (before the review) and {pct(pa)} in {a} "
                f"(after it): {verdict} ({_p(comparison.p_value)})."
            )
    return " ".join(parts)


@dataclass(frozen=True)
class DurationResults:
    """Both duration measures for the same years."""

    years: tuple[int, ...]
    open: DurationMeasure
    ended: DurationMeasure


def duration_chart(
    results: DurationResults, confidence: float = 0.95, threshold: int = 5
) -> Figure:
    """Both shares of plans lasting two years or more, by year, with their likely ranges.

    A year whose share rests on a count from 1 to ``threshold`` (or on no plans) is left as a gap,
    so the chart cannot be read back to a suppressed count.
    """
    fig: Figure | None = None
    for measure, colour in (
        (results.open, plots.COLOURS["improvement"]),
        (results.ended, plots.COLOURS["neutral"]),
    ):
        total_col, long_col, title = MEASURES[measure.key]
        c = measure.counts
        x, n = c[long_col].astype(int), c[total_col].astype(int)
        shown = [bool(t) and not share_hidden(a, t, threshold) for a, t in zip(x, n, strict=True)]
        keep = pd.Series(shown, index=c.index)
        fig = plots.trend_chart(
            x=list(c["label"]),
            y=(x / n.where(n > 0)).where(keep),
            lower=c["share_lower"].where(keep),
            upper=c["share_upper"].where(keep),
            percent=True,
            ax=fig.axes[0] if fig is not None else None,
            label=title,
            colour=colour,
            band_label=f"{title}: likely range ({confidence:.0%})",
            title="Share of plans that had lasted two years or more",
            ylabel="Share of plans",
        )
    assert fig is not None
    return fig


def duration_by_year(
    cpp: pd.DataFrame,
    series_start: str | pd.Timestamp = "2010-04-01",
    intervention_date: str | pd.Timestamp = "2012-06-01",
    confidence: float = 0.95,
    threshold: int = 5,
    years: list[int] | None = None,
) -> DurationResults:
    """Plans of two years or more at 31 March and among plans ending, per reporting year."""
    _check_cpp(cpp)
    ys = list(years) if years else reporting_years(cpp, series_start)
    day = pd.Timestamp(intervention_date)
    open_ = _measure("open", open_at_31_march(cpp, ys), confidence, threshold, day)
    ended = _measure("ended", plans_ended_by_year(cpp, ys), confidence, threshold, day)
    return DurationResults(tuple(ys), open_, ended)


@dataclass(frozen=True)
class CategoryTables:
    """Plans started by category of abuse and year: disclosed counts and column percentages."""

    counts: pd.DataFrame
    table: pd.DataFrame
    percentages: pd.DataFrame
    sentence: str


def categories(
    cpp: pd.DataFrame, years: list[int] | tuple[int, ...], threshold: int = 5
) -> CategoryTables:
    """Categories of abuse by year, suppressed (with secondary suppression and totals)."""
    _check_cpp(cpp)
    counts = categories_by_year(cpp, list(years))
    counts.index = [str(c).capitalize() for c in counts.index]
    counts.index.name = "Category of abuse"
    table = suppress(counts, threshold)
    percentages = suppress_percentages(counts, percent_of="column", threshold=threshold)
    last = counts.columns[-1]
    top = counts[last].idxmax()
    top_pct = percentages.loc[top, last]
    share = f" ({top_pct}% of plans started)" if top_pct != "c" else ""
    sentence = f"In {last} the most common category was {top.lower()}{share}."
    return CategoryTables(counts, table, percentages, sentence)


def conclusion(results: DurationResults, cats: CategoryTables | None = None) -> str:
    """The closing plain-English paragraph, built from the results."""
    parts = [results.open.sentence]
    ended = results.ended
    if ended.trend is not None:
        parts.append(
            "Among plans that ended, the share that had lasted two years or more "
            + (
                ("fell" if ended.trend.estimate < 0 else "rose") + " steadily across the years."
                if ended.trend.significant
                else "shows no clear steady change."
            )
        )
    if cats is not None:
        parts.append(cats.sentence)
    parts.append(
        "Long plans can be right for some children; the measure asks whether plans drift, and "
        "a change in it shows association in time with the review, not proof it caused it."
    )
    return " ".join(parts)


def headlines(
    cpp: pd.DataFrame,
    series_start: str = "2010-04-01",
    intervention_date: str = "2012-06-01",
    period_end: str = "2013-03-31",
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
    **_: object,
) -> list[Headline]:
    """Plans open at 31 March (of ``period_end``'s reporting year) that had lasted two years or
    more."""
    res = duration_by_year(
        cpp, series_start, intervention_date, confidence_level, suppression_threshold
    )
    end = pd.Timestamp(period_end)
    year = end.year if end.month < 4 or (end.month, end.day) == (3, 31) else end.year + 1
    counts = res.open.counts.set_index("year")
    if year not in counts.index:
        raise ValueError(
            f"The extract has no 31 March {year} (years covered: "
            f"{', '.join(str(y) for y in res.years)}); choose a period_end within them."
        )
    r = counts.loc[year]
    n, x = int(r["open"]), int(r["open_two_years_or_more"])
    t = suppression_threshold
    label = financial_year_label(year)
    caveats: list[str] = []
    if share_hidden(x, n, t) or n == 0:
        value = f"{count_words(x, t)} of {safe_count(n, t)} open plans"
        interval = "not shown (small number)"
        caveats.append(f"A count from 1 to {t} is not shown, nor its share or range.")
    else:
        ci = wilson_ci(x, n, confidence_level)
        value = f"{pct(ci.estimate)} ({x:,} of {n:,} open plans)"
        interval = pct_range(ci.lower, ci.upper)
        caveats.extend(ci.caveats)
    if res.open.trend is not None:
        caveats.extend(res.open.trend.caveats)
    sentence = (
        " ".join(
            [
                _year_phrase("Plans open at 31 March", label, x, n, t),
                *res.open.sentence.split(". ")[1:2],
            ]
        ).rstrip(".")
        + "."
    )
    return [
        Headline(
            key="cpp_open_two_years_or_more",
            label=f"Plans open at 31 March {year} that had lasted two years or more ({label})",
            value=value,
            interval=interval,
            sentence=sentence,
            report=REPORT,
            variation=None,
            assurance=None,
            caveats=tuple(dict.fromkeys(caveats)),
        )
    ]

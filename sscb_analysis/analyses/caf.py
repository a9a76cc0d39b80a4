"""Early help (CAF) assessments: volumes by agency, the family survey, and the published claims.

Everything notebook ``03_caf`` shows is computed here from a cleaned CAF extract: assessments per
reporting year by initiating agency (disclosed), the survey's "very satisfied", "very or fairly
satisfied", "things improved" and "knowledge of services improved" shares per year with Wilson
intervals (withheld below ``min_base`` answers), their trend across years, and a plain-words check
of the 2012/13 board report's "92% very satisfied, 66% saw improvement" against the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sscb_analysis.analyses.common import (
    check_cleaned,
    check_threshold,
    parse_window,
    pct,
    pct_range,
    period_label,
    small,
)
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.disclose import TOTAL, safe_count, suppress
from sscb_analysis.indicators import caf_by_agency, caf_survey_by_year, financial_year_label
from sscb_analysis.indicators.periods import year_ending_31_march
from sscb_analysis.plots import COLOURS
from sscb_analysis.stats import (
    LikertSummary,
    TestResult,
    compare_to_value,
    format_p,
    likert_summary,
    trend_in_proportions,
)

__all__ = [
    "GLOSSARY",
    "MEASURES",
    "TOO_FEW",
    "AgencyVolumes",
    "PublishedCheck",
    "Share",
    "SurveyResults",
    "SurveyYear",
    "agency_chart",
    "assessments_by_agency",
    "check_published_claims",
    "headlines",
    "knowledge_sentence",
    "period_label",
    "satisfaction_chart",
    "summary_sentences",
    "survey_results",
]

REPORT = "03_caf"

#: One plain line for each term a board member may not know, used the first time it appears.
GLOSSARY = {
    "CAF": (
        "A CAF (Common Assessment Framework) is a shared early help assessment: any agency that "
        "works with a child, such as a school or health visitor, uses it with the family to agree "
        "extra support before problems need children's social care."
    ),
    "confidence interval": (
        "A confidence interval (the 'likely range') is where the true figure probably lies given "
        "how many people answered: the fewer the answers, the wider the range."
    ),
    "p-value": (
        "A p-value is the chance of seeing a difference at least this large if nothing had really "
        "changed; below 0.05 we call the difference statistically significant."
    ),
}

#: The survey measures: key -> (label, indicator count column, indicator base column, wording).
MEASURES: dict[str, tuple[str, str, str, str]] = {
    "very_satisfied": ("Very satisfied", "very_satisfied", "responses", "were very satisfied"),
    "top_two": (
        "Very or fairly satisfied",
        "top_two",
        "responses",
        "were very or fairly satisfied",
    ),
    "improved": ("Things improved", "improved", "improved_base", "said things had improved"),
    "knowledge": (
        "Knowledge of services improved",
        "knowledge_improved",
        "knowledge_base",
        "said their knowledge of services had improved",
    ),
}

#: What a table shows for a year whose base is below ``min_base``.
TOO_FEW = "too few responses to report"


# --------------------------------------------------------------------------------------------
# assessments by initiating agency


@dataclass(frozen=True)
class AgencyVolumes:
    """Assessments started per reporting year (rows) by initiating agency, already disclosed.

    ``table`` holds ints or ``"c"`` with a Total row and column; ``sentence`` describes the
    period year; ``period_total`` is the disclosed count for the period (a string).
    """

    table: pd.DataFrame
    period: str
    period_total: str
    sentence: str
    threshold: int


def assessments_by_agency(
    caf: pd.DataFrame,
    period_start: object = "2012-04-01",
    period_end: object = "2013-03-31",
    suppression_threshold: int = 5,
) -> AgencyVolumes:
    """CAF assessments per April-March year up to ``period_end``, by initiating agency.

    Built on :func:`sscb_analysis.indicators.caf_by_agency`; counts 1 to the threshold are shown
    as ``c`` with secondary suppression (``disclose.suppress``).
    """
    check_cleaned(caf, "caf", ("assessment_date", "initiating_agency"), "assessments_by_agency")
    start, end = parse_window(period_start, period_end)
    threshold = check_threshold(suppression_threshold)
    dates = pd.to_datetime(caf["assessment_date"])
    upto = caf[dates.le(end)]
    label = period_label(start, end)
    in_period = int(dates.between(start, end).sum())
    period_total = safe_count(in_period, threshold)
    if upto.empty:
        empty = pd.DataFrame({"assessments": [0]}, index=pd.Index([label], name="year"))
        return AgencyVolumes(
            table=empty,
            period=label,
            period_total="0",
            sentence=f"No CAF assessments were started up to the end of {label}.",
            threshold=threshold,
        )
    counts = caf_by_agency(upto, freq="Y-MAR")
    counts.index = [financial_year_label(int(y)) for y in counts.index]
    counts.index.name = "year"
    counts = counts.loc[:, counts.sum(axis=0) > 0]
    table = suppress(counts, threshold=threshold)
    sentence = _agency_sentence(upto, start, end, label, threshold)
    return AgencyVolumes(
        table=table,
        period=label,
        period_total=period_total,
        sentence=sentence,
        threshold=threshold,
    )


def _agency_sentence(
    upto: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, label: str, threshold: int
) -> str:
    dates = pd.to_datetime(upto["assessment_date"])
    now = upto[dates.between(start, end)]
    year = pd.DateOffset(years=1)
    before = upto[dates.between(start - year, end - year)]
    n_now, n_before = len(now), len(before)
    text = f"In {label}, {safe_count(n_now, threshold)} CAF assessments were started"
    if n_before > 0 and n_now > threshold and n_before > threshold:
        change = (n_now - n_before) / n_before
        word = "up" if change > 0 else "down" if change < 0 else "the same as"
        amount = f" {abs(change):.0%} on" if change else ""
        text += f", {word}{amount} the {safe_count(n_before, threshold)} in the same period a year before"
    text += "."
    if n_now > 0:
        by_agency = now["initiating_agency"].astype("string").value_counts()
        top, top_n = str(by_agency.index[0]), int(by_agency.iloc[0])
        if top_n > threshold:
            text += (
                f" The agency that started the most was {top} "
                f"({safe_count(top_n, threshold)}, {top_n / n_now:.0%} of them)."
            )
    return text


def agency_chart(volumes: AgencyVolumes, title: str | None = None) -> Figure:
    """Stacked bars of assessments per year by initiating agency, drawn from the disclosed table.

    Suppressed cells are drawn together as one grey "suppressed (c)" segment (the row total minus
    the visible cells), which shows no more than the disclosed table does.
    """
    table = volumes.table
    if TOTAL not in table.columns:
        raise ValueError("no assessments to chart")
    body = table.drop(index=TOTAL, columns=TOTAL)
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.add_subplot()
    pos = np.arange(len(body))
    bottom = np.zeros(len(body))
    palette = [
        "#0072B2",
        "#E69F00",
        "#009E73",
        "#CC79A7",
        "#56B4E9",
        "#D55E00",
        "#F0E442",
        "#999999",
    ]
    for k, agency in enumerate(body.columns):
        values = np.array([v if isinstance(v, int | np.integer) else 0 for v in body[agency]])
        ax.bar(pos, values, bottom=bottom, label=str(agency), color=palette[k % len(palette)])
        bottom += values
    hidden = []
    for row, b in zip(body.index, bottom, strict=True):
        total = table.loc[row, TOTAL]
        hidden.append(total - b if isinstance(total, int | np.integer) else 0)
    if any(hidden):
        ax.bar(pos, hidden, bottom=bottom, label="suppressed (c)", color="#DDDDDD", hatch="//")
    ax.set_xticks(pos)
    ax.set_xticklabels([str(i) for i in body.index])
    ax.set_ylabel("Assessments started")
    ax.set_title(title or "CAF assessments by initiating agency", loc="left", fontsize=13)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9, frameon=False)
    return fig


# --------------------------------------------------------------------------------------------
# the survey


@dataclass(frozen=True)
class Share:
    """One survey share as it may be published: the Likert summary, and why it is withheld if so.

    ``shown`` is False when the base is below ``min_base`` (``reason`` is ``TOO_FEW``) or when the
    count giving the answer, or the count not giving it, is from 1 to the suppression threshold
    (a percentage and its base would give that small count back).
    """

    key: str
    label: str
    summary: LikertSummary
    shown: bool
    reason: str = ""

    @property
    def share(self) -> float:
        """The share (NaN when the base is below the minimum)."""
        return self.summary.share

    def text(self) -> str:
        """'94.6% (91.7% to 96.5%)' or the reason it is not shown."""
        if not self.shown:
            return self.reason
        s = self.summary
        return f"{pct(s.share)} ({pct_range(s.lower, s.upper)})"

    def figure(self) -> LikertSummary | dict[str, Any]:
        """The share to record for dashboards: its Likert summary when shown; otherwise only
        why it is withheld (its counts, share, interval and sentence would give back a count
        from 1 to the threshold, with the base or on their own)."""
        if self.shown:
            return self.summary
        return {
            "shown": False,
            "suppressed": True,
            "reason": self.reason,
            "share": None,
            "lower": None,
            "upper": None,
        }


@dataclass(frozen=True)
class SurveyYear:
    """The survey shares for one reporting year (or the reporting period)."""

    label: str
    responses: int
    shares: dict[str, Share] = field(default_factory=dict)


def _share(
    key: str, top: int, base: int, min_base: int, threshold: int, confidence: float
) -> Share:
    label = MEASURES[key][0]
    summary = likert_summary(
        {"top": int(top), "other": int(base - top)},
        top=("top",),
        min_base=min_base,
        confidence=confidence,
    )
    if summary.suppressed:
        reason = TOO_FEW if base else "no survey responses"
        return Share(key, label, summary, shown=False, reason=reason)
    if small(top, threshold) or small(base - top, threshold):
        which = "this answer" if small(top, threshold) else "a different answer"
        reason = f"withheld: {threshold} or fewer gave {which}"
        return Share(key, label, summary, shown=False, reason=reason)
    return Share(key, label, summary, shown=True)


def _survey_year(
    label: str, row: pd.Series | None, min_base: int, threshold: int, confidence: float
) -> SurveyYear:
    shares = {}
    for key, (_, count_col, base_col, _) in MEASURES.items():
        top = 0 if row is None else int(row[count_col])
        base = 0 if row is None else int(row[base_col])
        shares[key] = _share(key, top, base, min_base, threshold, confidence)
    responses = 0 if row is None else int(row["responses"])
    return SurveyYear(label=label, responses=responses, shares=shares)


@dataclass(frozen=True)
class SurveyResults:
    """The survey by reporting year and for the period, with trends, ready to show.

    ``table`` is a display table (strings): responses (disclosed) and each share with its
    interval, or why it is not shown. ``trends`` holds a Cochran-Armitage trend test per measure
    across the years whose share is shown (``None`` with fewer than three), ``trend_sentences``
    the words.
    """

    years: tuple[SurveyYear, ...]
    period: SurveyYear
    table: pd.DataFrame
    trends: dict[str, TestResult | None]
    trend_sentences: dict[str, str]
    min_base: int
    threshold: int
    confidence: float


def survey_results(
    caf: pd.DataFrame,
    period_start: object = "2012-04-01",
    period_end: object = "2013-03-31",
    min_base: int = 10,
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
) -> SurveyResults:
    """Survey shares per reporting year of the survey (up to ``period_end``) and for the period.

    Each share uses :func:`sscb_analysis.stats.likert_summary` (Wilson interval, suppressed below
    ``min_base`` answers); the trend across years is :func:`trend_in_proportions`.
    """
    check_cleaned(
        caf,
        "caf",
        ("survey_date", "satisfaction", "things_improved", "knowledge_improved"),
        "survey_results",
    )
    start, end = parse_window(period_start, period_end)
    threshold = check_threshold(suppression_threshold)
    if isinstance(min_base, bool) or not isinstance(min_base, int | np.integer) or min_base < 1:
        raise ValueError(f"min_base must be a whole number of at least 1, not {min_base!r}")
    survey_dates = pd.to_datetime(caf["survey_date"])
    upto = caf[survey_dates.le(end)]
    by_year = caf_survey_by_year(upto).set_index("year")
    last_year = int(year_ending_31_march(pd.Series([end])).iloc[0])
    first_year = int(by_year.index.min()) if len(by_year) else last_year
    years = tuple(
        _survey_year(
            financial_year_label(y),
            by_year.loc[y] if y in by_year.index else None,
            min_base,
            threshold,
            confidence_level,
        )
        for y in range(first_year, last_year + 1)
    )
    in_period = caf[survey_dates.between(start, end)]
    period_counts = caf_survey_by_year(in_period).drop(columns=["year", "label"]).sum()
    period = _survey_year(
        period_label(start, end),
        period_counts if len(in_period) else None,
        min_base,
        threshold,
        confidence_level,
    )
    table = _survey_table(years, threshold)
    trends: dict[str, TestResult | None] = {}
    sentences: dict[str, str] = {}
    for key in MEASURES:
        # Only years whose share is shown: with the published responses and the other years'
        # shares, a trend's slope or p-value would give a withheld year's small count back.
        usable = [y for y in years if y.shares[key].shown]
        if len(usable) >= 3:
            result = trend_in_proportions(
                [y.shares[key].summary.top_box for y in usable],
                [y.shares[key].summary.base for y in usable],
                confidence=confidence_level,
            )
        else:
            result = None
        trends[key] = result
        sentences[key] = _trend_sentence(key, result, usable)
    return SurveyResults(
        years=years,
        period=period,
        table=table,
        trends=trends,
        trend_sentences=sentences,
        min_base=int(min_base),
        threshold=threshold,
        confidence=float(confidence_level),
    )


def _survey_table(years: tuple[SurveyYear, ...], threshold: int) -> pd.DataFrame:
    rows = {}
    for y in years:
        row = {"Responses": safe_count(y.responses, threshold)}
        for key, (label, *_) in MEASURES.items():
            row[label] = y.shares[key].text()
        rows[y.label] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "Year of survey"
    return table


def _trend_sentence(key: str, result: TestResult | None, usable: list[SurveyYear]) -> str:
    label = MEASURES[key][0].lower()
    if result is None:
        return (
            f"Too few years with a share that can be shown to test for a trend in the share {label} "
            "(a trend test needs at least three)."
        )
    span = f"from {usable[0].label} to {usable[-1].label}"
    if not result.significant:
        return (
            f"There is no clear trend in the share {label} {span} ({format_p(result.p_value)}): "
            "the year-to-year differences are within what chance alone would produce."
        )
    word = "rose" if result.estimate > 0 else "fell"
    return (
        f"The share {label} {word} steadily {span}, by about "
        f"{100 * abs(result.estimate):.1f} percentage points a year (likely range "
        f"{100 * result.lower:+.1f} to {100 * result.upper:+.1f} points a year; "
        f"{format_p(result.p_value)}): a change this steady is unlikely to be chance."
    )


def satisfaction_chart(
    results: SurveyResults,
    reported: dict[str, float] | None = None,
    title: str | None = None,
) -> Figure:
    """Very satisfied and things-improved shares per year with their likely ranges (shaded).

    Only years whose share is shown are drawn; ``reported`` (e.g. ``{"very_satisfied": 0.92}``)
    adds the published figures as diamonds at the period year.
    """
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.add_subplot()
    labels = [y.label for y in results.years]
    pos = {label: i for i, label in enumerate(labels)}
    colours = {"very_satisfied": COLOURS["improvement"], "improved": COLOURS["neutral"]}
    for key, colour in colours.items():
        shown = [y for y in results.years if y.shares[key].shown]
        if not shown:
            continue
        xs = [pos[y.label] for y in shown]
        s = [y.shares[key].summary for y in shown]
        ax.fill_between(
            xs, [v.lower for v in s], [v.upper for v in s], color=colour, alpha=0.18, linewidth=0
        )
        ax.plot(
            xs,
            [v.share for v in s],
            marker="o",
            color=colour,
            label=MEASURES[key][0],
            linewidth=1.5,
        )
        claim = (reported or {}).get(key)
        if claim is not None and results.period.label in pos:
            ax.scatter(
                [pos[results.period.label]],
                [claim],
                marker="D",
                s=50,
                color=colour,
                edgecolors="black",
                zorder=4,
                label=f"{MEASURES[key][0]}: published {claim:.0%}",
            )
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    ax.set_ylabel("Share of survey responses")
    ax.set_xlabel(
        f"Year of survey (April to March); shading = {results.confidence:.0%} likely range"
    )
    ax.set_title(title or "Family survey after a CAF", loc="left", fontsize=13)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.legend(loc="lower right", fontsize=9, frameon=False)
    return fig


# --------------------------------------------------------------------------------------------
# the published claims


@dataclass(frozen=True)
class PublishedCheck:
    """The data's share for the period against a published figure, in plain words."""

    key: str
    reported: float
    share: Share
    test: TestResult | None
    consistent: bool | None
    sentence: str


def check_published_claims(
    results: SurveyResults,
    reported_very_satisfied: float = 0.92,
    reported_improved: float = 0.66,
) -> dict[str, PublishedCheck]:
    """Compare the period's very-satisfied and things-improved shares with the published ones.

    Exact binomial test of the observed share against the published value
    (:func:`sscb_analysis.stats.compare_to_value`); ``consistent`` is None when the share is
    not shown (too few responses, or withheld).
    """
    out = {}
    for key, claim in (
        ("very_satisfied", reported_very_satisfied),
        ("improved", reported_improved),
    ):
        if isinstance(claim, bool) or not isinstance(claim, int | float) or not 0 <= claim <= 1:
            raise ValueError(
                f"the published share for {key} must be between 0 and 1, not {claim!r}"
            )
        out[key] = _check_one(key, float(claim), results)
    return out


def _check_one(key: str, claim: float, results: SurveyResults) -> PublishedCheck:
    share = results.period.shares[key]
    words = MEASURES[key][3]
    said = f"The board report said {claim:.0%} of respondents {words}."
    label = results.period.label
    if not share.shown:
        why = (
            "there were too few responses in the data to check it"
            if share.reason in (TOO_FEW, "no survey responses")
            else f"the share is {share.reason.replace('withheld:', 'withheld because')}"
        )
        return PublishedCheck(key, claim, share, None, None, f"{said} For {label} {why}.")
    s = share.summary
    test = compare_to_value(s.top_box, s.base, claim, confidence=results.confidence)
    inside = s.lower <= claim <= s.upper
    data = (
        f"In the data, {pct(s.share)} of the {safe_count(s.base, results.threshold)} people "
        f"surveyed in {label} {words} (likely range {pct_range(s.lower, s.upper)})."
    )
    if not test.significant:
        verdict = (
            f"The published {claim:.0%} is {'inside' if inside else 'just outside'} that range and "
            f"the gap is small enough to be chance ({format_p(test.p_value)}): the data are "
            "consistent with the published figure."
        )
    else:
        direction = "higher" if s.share > claim else "lower"
        verdict = (
            f"The published {claim:.0%} is outside that range ({format_p(test.p_value)}): the data "
            f"show a {direction} share than was published, so the published figure is not "
            "supported by this extract."
        )
    return PublishedCheck(key, claim, share, test, not test.significant, f"{said} {data} {verdict}")


def knowledge_sentence(results: SurveyResults) -> str:
    """The report's "all describing improved knowledge of services" against the data."""
    share = results.period.shares["knowledge"]
    said = "The board report said all respondents described improved knowledge of services."
    label = results.period.label
    if not share.shown:
        if share.reason in (TOO_FEW, "no survey responses"):
            return f"{said} For {label} there were too few responses in the data to check it."
        return (
            f"{said} For {label} the exact share is "
            f"{share.reason.replace('withheld:', 'withheld because')}."
        )
    s = share.summary
    if s.top_box == s.base:
        return f"{said} In {label} every one of the {s.base:,} people who answered said so."
    return (
        f"{said} In {label}, {pct(s.share)} of the {s.base:,} who answered said so (likely range "
        f"{pct_range(s.lower, s.upper)}): high, but not quite all."
    )


def summary_sentences(
    volumes: AgencyVolumes, results: SurveyResults, checks: dict[str, PublishedCheck]
) -> list[str]:
    """The closing plain-English conclusions, built from the results."""
    out = [volumes.sentence]
    very = results.period.shares["very_satisfied"]
    if very.shown:
        out.append(
            f"{pct(very.share, 0)} of families surveyed in {results.period.label} were very "
            "satisfied with the early help they received."
        )
    out.append(results.trend_sentences["very_satisfied"])
    for check in checks.values():
        if check.consistent is True:
            out.append(
                f"The published {check.reported:.0%} ({MEASURES[check.key][0].lower()}) is borne "
                "out by the data."
            )
        elif check.consistent is False:
            out.append(
                f"The published {check.reported:.0%} ({MEASURES[check.key][0].lower()}) is not borne "
                f"out by the data for "
                f"{results.period.label} ({pct(check.share.share)}): it should be corrected or "
                "its source explained."
            )
    out.append(
        "Survey answers come only from families who returned the survey; those who did not may "
        "feel differently, so the shares describe those who answered, not every family."
    )
    return out


# --------------------------------------------------------------------------------------------
# board summary


def _headline_from_share(
    key: str,
    measure: str,
    label: str,
    share: Share,
    check: PublishedCheck,
    period: str,
    trend: str,
) -> Headline:
    words = MEASURES[measure][3]
    if share.shown:
        s = share.summary
        value, interval = pct(s.share), pct_range(s.lower, s.upper)
        sentence = (
            f"{pct(s.share)} of families surveyed after a CAF (early help assessment) in "
            f"{period} {words}; the board report said {check.reported:.0%}, and the data are "
            + (
                "consistent with that."
                if check.consistent
                else "not consistent with that (see the CAF report)."
            )
        )
    else:
        value, interval = "not reported", "n/a"
        sentence = f"In {period}: {share.reason} (families surveyed after a CAF)."
    caveats = tuple(share.summary.caveats) + ((trend,) if trend else ())
    return Headline(
        key=key,
        label=label,
        value=value,
        interval=interval,
        sentence=sentence,
        report=REPORT,
        caveats=caveats,
    )


def headlines(
    caf: pd.DataFrame,
    period_start: object = "2012-04-01",
    period_end: object = "2013-03-31",
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
    min_base: int = 10,
    reported_very_satisfied: float = 0.92,
    reported_improved: float = 0.66,
) -> list[Headline]:
    """Headlines for the board summary: families very satisfied, and things improved."""
    results = survey_results(
        caf, period_start, period_end, min_base, confidence_level, suppression_threshold
    )
    checks = check_published_claims(results, reported_very_satisfied, reported_improved)
    period = results.period.label
    return [
        _headline_from_share(
            "caf_very_satisfied",
            "very_satisfied",
            "Early help (CAF): families very satisfied",
            results.period.shares["very_satisfied"],
            checks["very_satisfied"],
            period,
            results.trend_sentences["very_satisfied"],
        ),
        _headline_from_share(
            "caf_things_improved",
            "improved",
            "Early help (CAF): families saying things improved",
            results.period.shares["improved"],
            checks["improved"],
            period,
            results.trend_sentences["improved"],
        ),
    ]

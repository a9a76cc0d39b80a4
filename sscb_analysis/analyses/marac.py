"""MARAC referrals: volume, repeat referrals against the national figure, risk and risk tools,
agency attendance and the children in the households.

Everything notebook ``04_marac`` shows is computed here from a cleaned MARAC extract. Repeats
follow SafeLives (a further referral of the same victim within 12 months of the previous one);
high risk means 14 or more ticks on the DASH checklist and is a share of the referrals assessed
with DASH only. The risk-tool comparison before and after the January 2012 audit tests the
board report's "more consistent use of the Barnardo's risk assessment tool".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sscb_analysis.analyses.common import (
    check_cleaned,
    check_threshold,
    parse_day,
    parse_window,
    pct,
    pct_range,
    period_label,
    share_hidden,
    small,
)
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.disclose import TOTAL, safe_count, suppress
from sscb_analysis.indicators import (
    agency_attendance,
    financial_year_label,
    marac_by_year,
    risk_tool_use_by_period,
)
from sscb_analysis.indicators.periods import year_ending_31_march
from sscb_analysis.plots import COLOURS, trend_chart
from sscb_analysis.stats import (
    Interval,
    TestResult,
    compare_proportions,
    compare_to_value,
    format_p,
    wilson_ci,
)

__all__ = [
    "GLOSSARY",
    "TOOL_NAMES",
    "Attendance",
    "Children",
    "HighRisk",
    "RepeatRates",
    "RiskToolUse",
    "Volumes",
    "attendance",
    "attendance_chart",
    "children_affected",
    "headlines",
    "high_risk",
    "period_label",
    "referral_volumes",
    "repeat_rates",
    "risk_tool_consistency",
    "summary_sentences",
    "volume_chart",
]

REPORT = "04_marac"

#: One plain line for each term a board member may not know, used the first time it appears.
GLOSSARY = {
    "MARAC": (
        "A MARAC (multi-agency risk assessment conference) is a regular meeting where police, "
        "the independent domestic violence adviser (IDVA), children's social care, health, "
        "housing and others share information and agree a safety plan for each victim of "
        "domestic abuse at high risk of serious harm."
    ),
    "DASH": (
        "DASH is the national domestic abuse risk checklist of 24 questions; 14 or more 'yes' "
        "answers (ticks) means high risk."
    ),
    "repeat referral": (
        "A repeat referral (SafeLives definition) is a further referral of the same victim "
        "within 12 months of their previous referral."
    ),
    "confidence interval": (
        "A confidence interval (the 'likely range') is where the true figure probably lies given "
        "the number of cases: the fewer the cases, the wider the range."
    ),
    "p-value": (
        "A p-value is the chance of seeing a difference at least this large if nothing had really "
        "changed; below 0.05 we call the difference statistically significant."
    ),
}

#: How the risk tools are named in sentences.
TOOL_NAMES = {
    "dash": "the DASH checklist",
    "barnardos": "the Barnardo's risk assessment tool",
    "none": "no risk tool recorded",
}

#: Risk tools as table columns show them.
TOOL_COLUMNS = {"dash": "DASH", "barnardos": "Barnardo's", "none": "none recorded"}

#: Agency names as sentences and tables show them.
AGENCY_NAMES = {"idva": "IDVA"}

_QUARTERS = {1: "Q1 Apr-Jun", 2: "Q2 Jul-Sep", 3: "Q3 Oct-Dec", 4: "Q4 Jan-Mar"}


# --------------------------------------------------------------------------------------------
# small helpers


def _check_rate(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a proportion between 0 and 1 (e.g. 0.31), not {value!r}")
    return float(value)


def _dates(marac: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(marac["referral_date"])


def _share_text(x: int, n: int, threshold: int, confidence: float) -> tuple[str, Interval | None]:
    """'31.0% (27.0% to 35.3%)' or why it is not shown (no cases, or a count of 1 to threshold
    in the share or its complement, which the share and its base would give back)."""
    if n == 0:
        return "no cases", None
    if share_hidden(x, n, threshold):
        return "c", None
    ci = wilson_ci(x, n, confidence)
    return f"{pct(ci.estimate)} ({pct_range(ci.lower, ci.upper)})", ci


# --------------------------------------------------------------------------------------------
# volume


@dataclass(frozen=True)
class Volumes:
    """Referrals per reporting year (rows) and quarter (columns), disclosed, with Total."""

    table: pd.DataFrame
    period: str
    period_total: str
    sentence: str
    threshold: int


def referral_volumes(
    marac: pd.DataFrame,
    period_start: object = "2012-04-01",
    period_end: object = "2013-03-31",
    suppression_threshold: int = 5,
) -> Volumes:
    """MARAC referrals per April-March year and quarter up to ``period_end`` (disclosed)."""
    check_cleaned(marac, "marac", ("referral_date",), "referral_volumes")
    start, end = parse_window(period_start, period_end)
    threshold = check_threshold(suppression_threshold)
    dates = _dates(marac)
    dates = dates[dates.le(end)]
    label = period_label(start, end)
    n_now = int(dates.between(start, end).sum())
    if dates.empty:
        table = pd.DataFrame(
            0, index=pd.Index([label], name="year"), columns=list(_QUARTERS.values())
        )
        return Volumes(
            table, label, "0", f"No MARAC referrals up to the end of {label}.", threshold
        )
    quarter = dates.dt.to_period("Q-MAR")
    frame = pd.DataFrame(
        {
            "year": [financial_year_label(q.qyear) for q in quarter],
            "quarter": [_QUARTERS[q.quarter] for q in quarter],
        }
    )
    counts = pd.crosstab(frame["year"], frame["quarter"])
    counts = counts.reindex(columns=list(_QUARTERS.values()), fill_value=0).astype("int64")
    table = suppress(counts, threshold=threshold)
    year = pd.DateOffset(years=1)
    n_before = int(dates.between(start - year, end - year).sum())
    text = f"In {label} there were {safe_count(n_now, threshold)} MARAC referrals"
    if n_before and not small(n_before, threshold) and not small(n_now, threshold):
        text += f", against {safe_count(n_before, threshold)} in the same period a year before"
    text += "."
    return Volumes(table, label, safe_count(n_now, threshold), text, threshold)


def volume_chart(volumes: Volumes, title: str | None = None) -> Figure:
    """Referrals per quarter from the disclosed table (suppressed quarters are gaps)."""
    body = volumes.table.drop(index=TOTAL, columns=TOTAL, errors="ignore")
    labels, values = [], []
    for year, row in body.iterrows():
        for q, v in row.items():
            labels.append(f"{year} {str(q).split()[0]}")
            values.append(float(v) if isinstance(v, int | np.integer) else np.nan)
    return trend_chart(
        x=labels,
        y=values,
        title=title or "MARAC referrals per quarter",
        ylabel="Referrals",
        xlabel="Quarter (Q1 = April to June)",
    )


# --------------------------------------------------------------------------------------------
# repeat referrals


@dataclass(frozen=True)
class RepeatRates:
    """Repeat referrals within 12 months per year, each tested against the national rate."""

    table: pd.DataFrame
    by_year: dict[str, TestResult | None]
    period: TestResult | None
    national: float
    sentence: str
    caveats: tuple[str, ...]


def repeat_rates(
    marac: pd.DataFrame,
    period_start: object = "2012-04-01",
    period_end: object = "2013-03-31",
    national_repeat_rate: float = 0.31,
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
) -> RepeatRates:
    """Share of referrals that are repeats (SafeLives), per year and for the period, against
    ``national_repeat_rate`` with an exact binomial test (``stats.compare_to_value``)."""
    check_cleaned(
        marac, "marac", ("referral_date", "repeat_within_12_months", "high_risk"), "repeat_rates"
    )
    start, end = parse_window(period_start, period_end)
    threshold = check_threshold(suppression_threshold)
    national = _check_rate(national_repeat_rate, "national_repeat_rate")
    dates = _dates(marac)
    upto = marac[dates.le(end)]
    rows, by_year = {}, {}
    first = dates.min()
    caveats = []
    if not upto.empty:
        for _, r in marac_by_year(upto).iterrows():
            label, n, x = str(r["label"]), int(r["referrals"]), int(r["repeats"])
            text, ci = _share_text(x, n, threshold, confidence_level)
            test = compare_to_value(x, n, national, confidence=confidence_level) if ci else None
            by_year[label] = test
            year_start = pd.Timestamp(int(r["year"]) - 1, 4, 1)
            note = ""
            if year_start < first + pd.DateOffset(years=1):
                note = " *"
                caveats.append(
                    f"* Referrals in {label} fall within 12 months of the start of the extract, so "
                    "a previous referral before the extract began cannot be seen: the repeat "
                    "rate for that year may be an undercount."
                )
            rows[label] = {
                "Referrals": safe_count(n, threshold),
                "Repeat referrals": safe_count(x, threshold),
                "Repeat rate (likely range)": text + note,
                "Against national": _versus(test, national),
            }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "Year of referral"
    in_period = marac[dates.between(start, end)]
    n = len(in_period)
    x = int(in_period["repeat_within_12_months"].fillna(False).astype(bool).sum())
    label = period_label(start, end)
    text, ci = _share_text(x, n, threshold, confidence_level)
    period = compare_to_value(x, n, national, confidence=confidence_level) if ci else None
    if period is None:
        sentence = (
            f"In {label} there were no MARAC referrals to compare with the national repeat rate."
            if n == 0
            else f"In {label} the numbers are too small to publish a repeat rate."
        )
    else:
        sentence = (
            f"In {label}, {pct(period.estimate)} of MARAC referrals were repeat referrals "
            f"({safe_count(x, threshold)} of {safe_count(n, threshold)}; likely range "
            f"{pct_range(period.lower, period.upper)}), against a national figure of "
            f"{pct(national, 0)}. " + _verdict(period, national)
        )
    return RepeatRates(table, by_year, period, national, sentence, tuple(caveats))


def _versus(test: TestResult | None, national: float) -> str:
    if test is None:
        return "not tested"
    if not test.significant:
        return f"similar ({format_p(test.p_value)})"
    word = "higher" if test.estimate > national else "lower"
    return f"{word} ({format_p(test.p_value)})"


def _verdict(test: TestResult, national: float) -> str:
    if not test.significant:
        return (
            f"The gap is small enough to be chance ({format_p(test.p_value)}): the local repeat "
            "rate is in line with the national figure."
        )
    word = "higher" if test.estimate > national else "lower"
    extra = (
        " SafeLives reads a low repeat rate as a sign that repeat incidents may not be identified "
        "and re-referred, rather than as good news."
        if word == "lower"
        else ""
    )
    return (
        f"It is {word} than the national figure, more than chance would explain "
        f"({format_p(test.p_value)}).{extra}"
    )


# --------------------------------------------------------------------------------------------
# high risk (DASH)


@dataclass(frozen=True)
class HighRisk:
    """High-risk share (14+ DASH ticks) among referrals assessed with DASH, per year."""

    table: pd.DataFrame
    period: Interval | None
    sentence: str


def high_risk(
    marac: pd.DataFrame,
    period_start: object = "2012-04-01",
    period_end: object = "2013-03-31",
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
) -> HighRisk:
    """Share of DASH-assessed referrals with 14 or more ticks, per year and for the period."""
    check_cleaned(
        marac, "marac", ("referral_date", "repeat_within_12_months", "high_risk"), "high_risk"
    )
    start, end = parse_window(period_start, period_end)
    threshold = check_threshold(suppression_threshold)
    dates = _dates(marac)
    upto = marac[dates.le(end)]
    rows = {}
    if not upto.empty:
        for _, r in marac_by_year(upto).iterrows():
            n, x = int(r["high_risk_base"]), int(r["high_risk"])
            rows[str(r["label"])] = {
                "Referrals": safe_count(int(r["referrals"]), threshold),
                "Assessed with DASH": safe_count(n, threshold),
                "High risk (14+ ticks)": safe_count(x, threshold),
                "Share high risk (likely range)": _share_text(x, n, threshold, confidence_level)[0],
            }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "Year of referral"
    in_period = marac[dates.between(start, end)]
    assessed = in_period["high_risk"].dropna().astype(bool)
    n, x = len(assessed), int(assessed.sum())
    label = period_label(start, end)
    _, ci = _share_text(x, n, threshold, confidence_level)
    if ci is None:
        sentence = (
            f"In {label} no referrals were assessed with DASH."
            if n == 0
            else f"In {label} too few referrals were assessed with DASH to publish a share."
        )
    else:
        sentence = (
            f"Of the {safe_count(n, threshold)} referrals in {label} assessed with the DASH "
            f"checklist, {pct(ci.estimate)} scored 14 or more ticks (high risk; likely range "
            f"{pct_range(ci.lower, ci.upper)}). Referrals assessed with another tool or none "
            "are not counted, so this is not the share of all referrals."
        )
    return HighRisk(table, ci, sentence)


# --------------------------------------------------------------------------------------------
# risk tools before and after the audit


@dataclass(frozen=True)
class RiskToolUse:
    """Risk tools used before and from ``tool_change_date`` (disclosed counts and shares), with
    the change in the share with no tool and in the share using the main tool."""

    counts: pd.DataFrame
    shares: pd.DataFrame
    no_tool: TestResult | None
    main_tool: TestResult | None
    main_tool_name: str
    change_date: pd.Timestamp
    sentence: str
    audit_sentence: str
    more_consistent: bool | None


def risk_tool_consistency(
    marac: pd.DataFrame,
    tool_change_date: object = "2012-01-01",
    period_end: object = "2013-03-31",
    main_tool: str = "barnardos",
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
) -> RiskToolUse:
    """Compare risk-tool use before and from ``tool_change_date`` (referrals up to ``period_end``).

    Differences are "from" minus "before" (``stats.compare_proportions``: Newcombe interval,
    score or Fisher test). Use is "more consistent" when the share with no tool recorded fell
    significantly and the main tool's share rose significantly.
    """
    check_cleaned(marac, "marac", ("referral_date", "risk_tool"), "risk_tool_consistency")
    change = parse_day(tool_change_date, "tool_change_date")
    end = parse_day(period_end, "period_end")
    threshold = check_threshold(suppression_threshold)
    if change > end:
        raise ValueError(
            f"tool_change_date ({change:%Y-%m-%d}) is after period_end ({end:%Y-%m-%d}): "
            "there is no 'after' period to compare."
        )
    upto = marac[_dates(marac).le(end)]
    before_label = f"before {change.day} {change:%b %Y}"
    after_label = f"{change.day} {change:%b %Y} to {end.day} {end:%b %Y}"
    raw = risk_tool_use_by_period(upto, change, labels=(before_label, after_label))
    tools = [str(c) for c in raw.columns]
    if main_tool not in tools and main_tool not in TOOL_NAMES:
        raise ValueError(f"main_tool must be one of {sorted(TOOL_NAMES)}, not {main_tool!r}")
    for t in ("none", main_tool):
        if t not in raw.columns:
            raw[t] = 0
    raw = raw.astype("int64")
    counts = suppress(raw, threshold=threshold).rename(columns=TOOL_COLUMNS)
    n_before, n_after = int(raw.loc[before_label].sum()), int(raw.loc[after_label].sum())
    share_rows = {}
    for period, n in ((before_label, n_before), (after_label, n_after)):
        share_rows[period] = {
            TOOL_NAMES.get(t, t): _share_text(int(raw.loc[period, t]), n, threshold, 0.95)[0].split(
                " ("
            )[0]
            for t in raw.columns
        }
    shares = pd.DataFrame.from_dict(share_rows, orient="index")
    shares.index.name = "Referrals"

    def compare(tool: str) -> TestResult | None:
        if n_before == 0 or n_after == 0:
            return None
        xa, xb = int(raw.loc[after_label, tool]), int(raw.loc[before_label, tool])
        hidden = any(
            small(v, threshold) for v in (xa, xb, n_after - xa, n_before - xb, n_after, n_before)
        )
        if hidden:
            return None
        return compare_proportions(xa, n_after, xb, n_before, confidence=confidence_level)

    no_tool, main = compare("none"), compare(main_tool)
    main_name = TOOL_NAMES.get(main_tool, main_tool)
    parts = []
    for test, what in ((no_tool, "with no risk tool recorded"), (main, f"using {main_name}")):
        if test is None:
            continue
        after, before = test.observed
        word = "fell" if after < before else "rose" if after > before else "stayed the same"
        sig = (
            "more than chance would explain"
            if test.significant
            else "a change small enough to be chance"
        )
        parts.append(
            f"the share of referrals {what} {word} from {pct(before)} to {pct(after)} "
            f"({100 * test.estimate:+.1f} percentage points, likely range "
            f"{100 * test.lower:+.1f} to {100 * test.upper:+.1f}; {format_p(test.p_value)}: {sig})"
        )
    if parts:
        sentence = (
            f"Comparing {safe_count(n_before, threshold)} referrals {before_label} with "
            f"{safe_count(n_after, threshold)} from {change.day} {change:%b %Y}, "
            + "; and ".join(parts)
            + "."
        )
    else:
        sentence = (
            "There are too few referrals on one side of the change date to compare risk-tool use."
        )
    if no_tool is None or main is None:
        more = None
        audit = (
            "The data cannot test the January audit finding of more consistent use of "
            f"{main_name}: too few referrals on one side of {change:%B %Y}."
        )
    else:
        fell = no_tool.significant and no_tool.estimate < 0
        rose = main.significant and main.estimate > 0
        more = fell and rose
        if more:
            audit = (
                'The data support the January audit finding of "more consistent use of the '
                f"Barnardo's risk assessment tool\": since {change:%B %Y} far fewer referrals "
                f"have no risk tool recorded ({pct(no_tool.observed[0])}, against "
                f"{pct(no_tool.observed[1])} before) and {pct(main.observed[0])} used "
                f"{main_name}, up from {pct(main.observed[1])}."
            )
            if main_tool != "barnardos":
                audit = audit.replace("Barnardo's risk assessment tool", main_name)
        elif fell:
            audit = (
                f"Since {change:%B %Y} fewer referrals have no risk tool recorded, but the use of "
                f"{main_name} did not rise significantly, so the data only partly support the "
                "January audit finding of more consistent use of the Barnardo's tool."
            )
        else:
            audit = (
                f"The data do not show more consistent risk-tool use since {change:%B %Y}: the "
                "share of referrals with no risk tool recorded did not fall significantly, so "
                "they do not support the January audit finding."
            )
    return RiskToolUse(
        counts=counts,
        shares=shares,
        no_tool=no_tool,
        main_tool=main,
        main_tool_name=main_name,
        change_date=change,
        sentence=sentence,
        audit_sentence=audit,
        more_consistent=more,
    )


# --------------------------------------------------------------------------------------------
# agency attendance


@dataclass(frozen=True)
class Attendance:
    """Cases each agency attended per year (disclosed), and the period's attendance shares."""

    table: pd.DataFrame
    period_table: pd.DataFrame
    period_shares: pd.DataFrame
    period: str
    sentence: str
    threshold: int


def attendance(
    marac: pd.DataFrame,
    period_start: object = "2012-04-01",
    period_end: object = "2013-03-31",
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
) -> Attendance:
    """Agency attendance at MARAC conferences (``indicators.agency_attendance``), per year up to
    ``period_end`` and as shares of cases heard in the period."""
    check_cleaned(marac, "marac", ("referral_date", "agencies_present"), "attendance")
    start, end = parse_window(period_start, period_end)
    threshold = check_threshold(suppression_threshold)
    dates = _dates(marac)
    upto = marac[dates.le(end)]
    label = period_label(start, end)
    if upto.empty:
        empty = pd.DataFrame({"cases heard": [0]}, index=pd.Index([label]))
        return Attendance(
            empty,
            pd.DataFrame(),
            pd.DataFrame(),
            label,
            f"No MARAC cases up to the end of {label}.",
            threshold,
        )
    counts = agency_attendance(upto, by_year=True)
    counts.index = [
        "cases heard (all agencies)"
        if i == "conferences held"
        else AGENCY_NAMES.get(str(i), str(i))
        for i in counts.index
    ]
    counts.index.name = "agency"
    table = suppress(counts, threshold=threshold, totals=False)
    in_period = marac[dates.between(start, end)]
    rows = {}
    if not in_period.empty:
        per = agency_attendance(in_period, by_year=False)
        n = len(in_period)
        for agency, r in per.sort_values("attended", ascending=False).iterrows():
            x = int(r["attended"])
            text, ci = _share_text(x, n, threshold, confidence_level)
            rows[AGENCY_NAMES.get(str(agency), str(agency))] = {
                "Cases attended": safe_count(x, threshold),
                "Share of cases (likely range)": text,
                "share": ci.estimate if ci else np.nan,
                "lower": ci.lower if ci else np.nan,
                "upper": ci.upper if ci else np.nan,
            }
    shares = pd.DataFrame.from_dict(rows, orient="index")
    if not shares.empty:
        shares.index.name = "agency"
    if shares.empty:
        sentence = f"No MARAC cases were heard in {label}."
    else:
        always = [a for a, r in shares.iterrows() if r["share"] == 1.0]
        rest = shares.drop(index=always)
        rest = rest[rest["share"].notna()]
        sentence = f"In {label}, "
        if always:
            sentence += f"{' and '.join(always)} attended every case. "
        else:
            sentence = sentence[:-2] + ", no agency attended every case. "
        if not rest.empty:
            top, low = rest.index[0], rest.index[-1]
            sentence += (
                f"Of the other agencies, {top} attended most often "
                f"({pct(rest.loc[top, 'share'], 0)} of cases) and {low} least often "
                f"({pct(rest.loc[low, 'share'], 0)})."
            )
    display = shares.drop(columns=["share", "lower", "upper"], errors="ignore")
    numeric = shares.drop(columns=list(display.columns), errors="ignore")
    return Attendance(table, display, numeric, label, sentence, threshold)


def attendance_chart(att: Attendance, title: str | None = None) -> Figure:
    """Share of the period's cases each agency attended, with likely ranges (withheld shares are
    left out)."""
    shares = att.period_shares
    if shares.empty or "share" not in shares.columns:
        raise ValueError("no attendance to chart")
    data = shares[shares["share"].notna()].sort_values("share")
    fig = Figure(figsize=(7.5, 0.35 * len(data) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    pos = np.arange(len(data))
    ax.barh(pos, data["share"], color=COLOURS["improvement"], height=0.6)
    err = np.vstack([data["share"] - data["lower"], data["upper"] - data["share"]])
    ax.errorbar(data["share"], pos, xerr=err, fmt="none", ecolor=COLOURS["line"], capsize=3)
    ax.set_yticks(pos)
    ax.set_yticklabels([str(i) for i in data.index])
    ax.set_xlim(0, 1.05)
    ax.xaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
    ax.set_xlabel("Share of cases attended (lines: likely range)")
    ax.set_title(title or f"Agency attendance at MARAC, {att.period}", loc="left", fontsize=13)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


# --------------------------------------------------------------------------------------------
# children in the households


@dataclass(frozen=True)
class Children:
    """Children living in the households of MARAC referrals, per year (disclosed)."""

    table: pd.DataFrame
    period_total: str
    sentence: str


def children_affected(
    marac: pd.DataFrame,
    period_start: object = "2012-04-01",
    period_end: object = "2013-03-31",
    suppression_threshold: int = 5,
) -> Children:
    """Sum of ``children_in_household`` per year up to ``period_end`` and for the period.

    A child in a household referred twice is counted twice (the extract has no child identifier).
    """
    check_cleaned(marac, "marac", ("referral_date", "children_in_household"), "children_affected")
    start, end = parse_window(period_start, period_end)
    threshold = check_threshold(suppression_threshold)
    dates = _dates(marac)
    upto = marac[dates.le(end)]
    label = period_label(start, end)
    kids = pd.to_numeric(upto["children_in_household"], errors="coerce")
    frame = pd.DataFrame(
        {
            "year": [
                financial_year_label(int(y)) for y in year_ending_31_march(dates[dates.le(end)])
            ],
            "referrals": 1,
            "with children": kids.fillna(0).gt(0).astype("int64").to_numpy(),
            "children": kids.fillna(0).astype("int64").to_numpy(),
        }
    )
    if frame.empty:
        table = pd.DataFrame(
            {"referrals": [0], "with children": [0], "children": [0]},
            index=pd.Index([label], name="year"),
        )
    else:
        table = suppress(frame.groupby("year").sum(), threshold=threshold, totals=False)
    in_period = kids[dates[dates.le(end)].between(start, end).to_numpy()]
    total = int(in_period.fillna(0).sum())
    households = int(in_period.fillna(0).gt(0).sum())
    unknown = int(in_period.isna().sum())
    sentence = (
        f"In {label}, {safe_count(households, threshold)} of the referred households had "
        f"children living there: {safe_count(total, threshold)} children in all."
    )
    if unknown:
        sentence += (
            f" The number of children was not recorded for {safe_count(unknown, threshold)} "
            "referrals, so this is a minimum."
        )
    sentence += (
        " A household referred more than once in the year has its children counted each time."
    )
    return Children(table, safe_count(total, threshold), sentence)


# --------------------------------------------------------------------------------------------
# conclusions and the board summary


def summary_sentences(
    volumes: Volumes,
    repeats: RepeatRates,
    risk: HighRisk,
    tools: RiskToolUse,
    att: Attendance,
    children: Children,
) -> list[str]:
    """The closing plain-English conclusions, built from the results."""
    return [
        volumes.sentence,
        repeats.sentence,
        tools.audit_sentence,
        risk.sentence,
        att.sentence,
        children.sentence,
    ]


def headlines(
    marac: pd.DataFrame,
    period_start: object = "2012-04-01",
    period_end: object = "2013-03-31",
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
    national_repeat_rate: float = 0.31,
    tool_change_date: object = "2012-01-01",
    main_tool: str = "barnardos",
) -> list[Headline]:
    """Headlines for the board summary: repeat rate against national, risk-tool consistency."""
    rep = repeat_rates(
        marac,
        period_start,
        period_end,
        national_repeat_rate,
        confidence_level,
        suppression_threshold,
    )
    label = period_label(period_start, period_end)
    if rep.period is not None:
        t = rep.period
        value, interval = pct(t.estimate), pct_range(t.lower, t.upper)
        sentence = (
            f"{pct(t.estimate)} of MARAC (high-risk domestic abuse conference) referrals in "
            f"{label} were repeat referrals within 12 months, against "
            f"{pct(rep.national, 0)} nationally (SafeLives). " + _verdict(t, rep.national)
        )
    else:
        value, interval, sentence = "not reported", "n/a", rep.sentence
    repeat = Headline(
        key="marac_repeat_rate",
        label="MARAC: repeat referrals within 12 months",
        value=value,
        interval=interval,
        sentence=sentence,
        report=REPORT,
        caveats=rep.caveats,
    )
    tools = risk_tool_consistency(
        marac, tool_change_date, period_end, main_tool, confidence_level, suppression_threshold
    )
    if tools.no_tool is not None:
        t = tools.no_tool
        value = pct(t.observed[0])
        d_lo, d_hi = sorted((100 * t.lower, 100 * t.upper))
        interval = f"change {d_lo:+.1f} to {d_hi:+.1f} points"
        sentence = tools.audit_sentence
    else:
        value, interval, sentence = "not reported", "n/a", tools.audit_sentence
    consistency = Headline(
        key="marac_no_risk_tool",
        label=f"MARAC: referrals with no risk tool recorded (since {tools.change_date:%b %Y})",
        value=value,
        interval=interval,
        sentence=sentence,
        report=REPORT,
        caveats=tuple(tools.no_tool.caveats) if tools.no_tool else (),
    )
    return [repeat, consistency]

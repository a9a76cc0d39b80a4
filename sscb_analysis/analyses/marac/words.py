"""MARAC page, step 3 of 3 (words): tables and sentences from the disclosed results only.

Everything here takes a :class:`~sscb_analysis.disclose.Page` of
:class:`~sscb_analysis.analyses.marac.compute.MaracFacts`: counts arrive as
:class:`~sscb_analysis.disclose.Shown` (a value, or withheld), shares, intervals and tests as
their result or ``None`` when they rest on a withheld count. Nothing here can see a withheld
number. Names from the area profile (a reference rate's label, a claim's text) and category
values from the data are escaped before they reach a sentence.
"""

from __future__ import annotations

import pandas as pd

from sscb_analysis.analyses.common import left_out, pct, pct_range, plain, quarter_words, safe
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.analyses.marac.compute import MaracFacts, Span, ToolUse
from sscb_analysis.disclose import TOTAL, Page, Shown
from sscb_analysis.stats import Interval, TestResult, format_p

__all__ = [
    "GLOSSARY",
    "TOOL_NAMES",
    "attendance_sentence",
    "attendance_table",
    "children_sentence",
    "children_table",
    "conclusions",
    "facts_of",
    "headlines",
    "high_risk_sentence",
    "high_risk_table",
    "repeat_chart_note",
    "repeat_chart_sentence",
    "repeat_notes",
    "repeat_sentence",
    "repeat_table",
    "series_sentence",
    "tool_sentences",
    "tool_tables",
    "volume_sentence",
    "volume_table",
]

REPORT = "04_marac"

#: One plain line for each term a board member may not know.
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
}

#: How the risk tools (the cleaned extract's codes) are named in sentences and tables.
TOOL_NAMES = {
    "dash": "the DASH checklist",
    "barnardos": "the Barnardo's risk assessment tool",
    "none": "no risk tool recorded",
}
TOOL_COLUMNS = {"dash": "DASH", "barnardos": "Barnardo's", "none": "none recorded"}
AGENCY_NAMES = {"idva": "IDVA"}


def facts_of(page: Page) -> MaracFacts:
    if not isinstance(page, Page) or not isinstance(page.results, MaracFacts):
        raise TypeError("MARAC words take the disclosed page (disclose_page(compute(...), policy))")
    return page.results


def _tool(code: str) -> str:
    return TOOL_NAMES.get(code, safe(code))


def _agency(code: str) -> str:
    """An agency as tables name it (pandas escapes table cells; sentences add ``safe``)."""
    return AGENCY_NAMES.get(code, code)


def _share(ci: Interval | None, n: Shown) -> str:
    if n.value == 0:
        return "no cases"
    if ci is None:
        return "c"
    return f"{pct(ci.estimate)} ({pct_range(ci.lower, ci.upper)})"


# --------------------------------------------------------------------------------------------
# volumes


def series_sentence(page: Page) -> str:
    """Which quarters the tables and charts cover, and the period under review."""
    f = facts_of(page)
    if f.first_quarter is None:
        return f"The extract holds no MARAC referrals up to the end of {f.period.label}."
    return f"The tables and charts cover {quarter_words(f.first_quarter, f.last_quarter)}."


def volume_table(page: Page) -> pd.DataFrame:
    """Referrals per year and quarter, with totals (withheld cells as c)."""
    return facts_of(page).volumes.frame


def volume_sentence(page: Page) -> str:
    """'In 2012-13 there were 312 MARAC referrals, against 287 in the same period a year before.'"""
    f = facts_of(page)
    now = f.in_period.referrals
    text = f"In {f.period.label} there were {now.of('MARAC referrals')}"
    before = f.year_before
    if before is not None and before.value and now.value is not None:
        text += f", against {before.words()} in the same period a year before"
    return text + "."


# --------------------------------------------------------------------------------------------
# repeats


def _versus(test: TestResult | None, reference: float) -> str:
    if test is None:
        return "not tested"
    if not test.significant:
        return f"similar ({format_p(test.p_value)})"
    word = "higher" if test.estimate > reference else "lower"
    return f"{word} ({format_p(test.p_value)})"


def verdict(test: TestResult, reference: float, label: str) -> str:
    """Whether the local repeat rate differs from the reference by more than chance."""
    if not test.significant:
        return (
            f"The gap is small enough to be chance ({format_p(test.p_value)}): the local repeat "
            f"rate is in line with {label}."
        )
    word = "higher" if test.estimate > reference else "lower"
    extra = (
        " SafeLives reads a low repeat rate as a sign that repeat incidents may not be identified "
        "and re-referred, rather than as good news."
        if word == "lower"
        else ""
    )
    return (
        f"It is {word} than {label}, more than chance would explain "
        f"({format_p(test.p_value)}).{extra}"
    )


def _reference_words(f: MaracFacts) -> str:
    ref = f.reference
    assert ref is not None
    year = f", {ref.year}" if ref.year else ""
    return f"{safe(ref.label)} ({pct(ref.value, 0)}{year})"


def repeat_table(page: Page) -> pd.DataFrame:
    """Repeat referrals per year, with likely range and the comparison with the reference."""
    f = facts_of(page)
    rows = {}
    for s in f.years:
        rows[s.label] = {
            "Referrals": str(s.referrals),
            "Repeat referrals": str(s.repeats),
            "Repeat rate (likely range)": _share(s.repeat_rate, s.referrals)
            + (" *" if s.undercount else ""),
        }
        if f.reference is not None:
            rows[s.label]["Against the reference rate"] = _versus(s.repeat_test, f.reference.value)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "Year of referral"
    return table


def repeat_notes(page: Page) -> list[str]:
    """Notes under the repeat table (years that may undercount, a missing reference rate)."""
    f = facts_of(page)
    notes = [
        f"* Referrals in {s.label} fall within 12 months of the start of the extract, so a "
        "previous referral before the extract began cannot be seen: the repeat rate for that "
        "year may be an undercount."
        for s in f.years
        if s.undercount
    ]
    if f.reference is None:
        notes.append(
            left_out("reference_rates", "marac_repeat_rate", "the comparison with a reference rate")
        )
    return notes


def repeat_sentence(page: Page) -> str:
    """The repeat rate in the period, against the reference rate when the profile gives one."""
    f = facts_of(page)
    s = f.in_period
    ci = s.repeat_rate
    if s.referrals.value == 0:
        return f"In {f.period.label} there were no MARAC referrals."
    if ci is None:
        return f"In {f.period.label} the numbers are too small to publish a repeat rate."
    text = (
        f"In {f.period.label}, {pct(ci.estimate)} of MARAC referrals were repeat referrals "
        f"({s.repeats.words()} of {s.referrals.words()}; likely range "
        f"{pct_range(ci.lower, ci.upper)})"
    )
    if f.reference is None or s.repeat_test is None:
        return text + "."
    return (
        text
        + f", against {_reference_words(f)}. "
        + verdict(s.repeat_test, f.reference.value, safe(f.reference.label))
    )


def repeat_chart_sentence(page: Page) -> str:
    """What the SPC chart of the quarterly repeat rate shows at the period's last quarter."""
    f = facts_of(page)
    c = f.repeat_chart
    if c is None or c.result is None:
        reason = c.reason if c is not None else "not computed"
        return f"No chart of the repeat rate quarter by quarter: {reason}."
    first, last = c.quarters[0].label, c.quarters[-1].label
    latest = {
        "common cause": "only common cause variation: no sign that the repeat rate has changed",
        "special cause neutral": (
            "special cause variation: a real change, not chance (neither direction is simply "
            "better: a low rate can mean repeat victims are not being identified)"
        ),
    }.get(c.result.variation, c.result.variation)
    text = (
        f"Quarter by quarter from {first} to {last}, the chart of the repeat rate shows {latest} "
        f"in the last quarter of the period under review ({last}). Quarters within 12 months of "
        "the extract's first referral are left out: their repeats would undercount."
    )
    if c.result.trial_limits:
        text += " The limits are provisional because there are fewer than 12 quarters."
    return text


def repeat_chart_note(page: Page) -> str | None:
    """Why the repeat-rate chart is not drawn, or ``None`` when it is."""
    c = facts_of(page).repeat_chart
    if c is None or c.result is None:
        return repeat_chart_sentence(page)
    withheld = [q.label for q in c.quarters if q.referrals.withheld]
    if withheld:
        return (
            "The chart is not drawn: its limits depend on the number of referrals, which is "
            f"withheld for {', '.join(withheld)}."
        )
    return None


# --------------------------------------------------------------------------------------------
# high risk


def high_risk_table(page: Page) -> pd.DataFrame:
    """Referrals assessed with DASH and the share at high risk, per year."""
    rows = {
        s.label: {
            "Referrals": str(s.referrals),
            "Assessed with DASH": str(s.assessed),
            "High risk (14+ ticks)": str(s.high_risk),
            "Share high risk (likely range)": _share(s.high_risk_share, s.assessed),
        }
        for s in facts_of(page).years
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "Year of referral"
    return table


def high_risk_sentence(page: Page) -> str:
    """The high-risk share among referrals assessed with DASH in the period."""
    f = facts_of(page)
    s: Span = f.in_period
    ci = s.high_risk_share
    if s.assessed.value == 0:
        return f"In {f.period.label} no referrals were assessed with DASH."
    if ci is None:
        return f"In {f.period.label} too few referrals were assessed with DASH to publish a share."
    return (
        f"Of the {s.assessed.words()} referrals in {f.period.label} assessed with the DASH "
        f"checklist, {pct(ci.estimate)} scored 14 or more ticks (high risk; likely range "
        f"{pct_range(ci.lower, ci.upper)}). Referrals assessed with another tool or none are not "
        "counted, so this is not the share of all referrals."
    )


# --------------------------------------------------------------------------------------------
# risk tools


def tool_tables(page: Page) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(counts, shares) of referrals by risk tool before and from the audit, or ``None`` when
    the profile names no audit."""
    t = facts_of(page).tools
    if t is None:
        return None
    counts = t.table.frame.rename(columns=lambda c: TOOL_COLUMNS.get(c, c))
    counts.index.name = "Referrals"
    rows = {}
    for side in (t.before, t.after):
        rows[side] = {}
        for tool in t.table.frame.columns:
            if tool == TOTAL:
                continue
            share = t.shares.get((side, tool))
            shown = t.table.frame.loc[side, TOTAL]
            rows[side][TOOL_COLUMNS.get(tool, tool)] = (
                "no cases" if shown == 0 else "c" if share is None else pct(share)
            )
    shares = pd.DataFrame.from_dict(rows, orient="index")
    shares.index.name = "Referrals"
    return counts, shares


def _number(cell: object) -> str:
    return cell if isinstance(cell, str) else f"{int(cell):,}"


def _change(test: TestResult, what: str) -> str:
    after, before = test.observed
    word = "fell" if after < before else "rose" if after > before else "stayed the same"
    sig = (
        "more than chance would explain"
        if test.significant
        else "a change small enough to be chance"
    )
    return (
        f"the share of referrals {what} {word} from {pct(before)} to {pct(after)} "
        f"({100 * test.estimate:+.1f} percentage points, likely range "
        f"{100 * test.lower:+.1f} to {100 * test.upper:+.1f}; {format_p(test.p_value)}: {sig})"
    )


def _claim(t: ToolUse) -> str:
    source = f" ({safe(t.claim_source)})" if t.claim_source else ""
    text = safe(t.claim_text) if t.claim_text else f"more consistent use of {_tool(t.tool)}"
    return f'the finding of the audit of {t.date:%B %Y}, "{text}"{source}'


def tool_sentences(page: Page) -> tuple[str, str]:
    """(the comparison, what it says about the audit's finding); the line saying why the
    section is left out when the profile names no audit."""
    f = facts_of(page)
    t = f.tools
    if t is None:
        line = left_out("claims", "marac_risk_tool", "the check of risk-tool use against an audit")
        return line, line
    main = _tool(t.tool)
    parts = [
        _change(test, what)
        for test, what in (
            (t.no_tool, "with no risk tool recorded"),
            (t.main_tool, f"using {main}"),
        )
        if test is not None
    ]
    n_before = _number(t.table.frame.loc[t.before, TOTAL])
    n_after = _number(t.table.frame.loc[t.after, TOTAL])
    if parts:
        sentence = (
            f"Comparing {n_before} referrals {t.before} with {n_after} from "
            f"{t.date.day} {t.date:%b %Y}, " + "; and ".join(parts) + "."
        )
    else:
        sentence = "There are too few referrals on one side of the audit to compare risk-tool use."
    no_tool, used = t.no_tool, t.main_tool
    if no_tool is None or (used is None and t.tool != "none"):
        audit = f"The data cannot test {_claim(t)}: too few referrals on one side of it."
    else:
        fell = no_tool.significant and no_tool.estimate < 0
        rose = used is None or (used.significant and used.estimate > 0)
        if fell and rose:
            audit = (
                f"The data support {_claim(t)}: since {t.date:%B %Y} fewer referrals have no "
                f"risk tool recorded ({pct(no_tool.observed[0])}, against "
                f"{pct(no_tool.observed[1])} before)"
                + (
                    f" and {pct(used.observed[0])} used {main}, up from {pct(used.observed[1])}."
                    if used is not None
                    else "."
                )
            )
        elif fell:
            audit = (
                f"Since {t.date:%B %Y} fewer referrals have no risk tool recorded, but the use of "
                f"{main} did not rise significantly, so the data only partly support {_claim(t)}."
            )
        else:
            audit = (
                f"The data do not show more consistent risk-tool use since {t.date:%B %Y}: the "
                "share of referrals with no risk tool recorded did not fall significantly, so "
                f"they do not support {_claim(t)}."
            )
    return sentence, audit


# --------------------------------------------------------------------------------------------
# attendance and children


def attendance_table(page: Page) -> pd.DataFrame:
    """Cases each agency attended per year; the last row is the cases heard."""
    frame = facts_of(page).attendance.table.frame
    return frame.rename(
        index=lambda a: "cases heard (all agencies)" if a == "cases heard" else _agency(str(a))
    )


def attendance_shares(page: Page) -> pd.DataFrame:
    """Each agency's share of the period's cases with its likely range (withheld as c)."""
    f = facts_of(page)
    rows = {}
    for agency, (x, ci) in f.attendance.period.items():
        rows[_agency(agency)] = {
            "Cases attended": str(x),
            "Share of cases (likely range)": _share(ci, f.in_period.referrals),
            "share": ci.estimate if ci else float("nan"),
            "lower": ci.lower if ci else float("nan"),
            "upper": ci.upper if ci else float("nan"),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    if not table.empty:
        table.index.name = "agency"
        table = table.sort_values("share", ascending=False, na_position="last")
    return table


def attendance_sentence(page: Page) -> str:
    """Which agencies attended every case, and which most and least often."""
    f = facts_of(page)
    shares = attendance_shares(page)
    if shares.empty:
        return f"No MARAC cases were heard in {f.period.label}."
    withheld = [safe(a) for a in shares.index[shares["share"].isna()]]
    always = [safe(a) for a, r in shares.iterrows() if r["share"] == 1.0]
    rest = shares[shares["share"].notna() & shares["share"].lt(1.0)]
    text = f"In {f.period.label}, "
    if always:
        text += f"{' and '.join(always)} attended every case. "
    elif not withheld:
        text += "no agency attended every case. "
    if len(rest) >= 2:
        top, low = rest.index[0], rest.index[-1]
        text += (
            f"{'Of the other agencies, ' if always else ''}{safe(top)} attended most often "
            f"({pct(rest.loc[top, 'share'], 0)} of cases) and {safe(low)} least often "
            f"({pct(rest.loc[low, 'share'], 0)}). "
        )
    if withheld:
        text += (
            f"The share of cases attended by {_and(withheld)} is withheld because it rests on a "
            "small count."
        )
    text = text.strip()
    return text if text != f"In {f.period.label}," else ""


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def children_table(page: Page) -> pd.DataFrame:
    """Referrals, households with children and children per year."""
    rows = {
        s.label: {
            "Referrals": str(s.referrals),
            "Households with children": str(s.with_children),
            "Children": str(s.children),
        }
        for s in facts_of(page).years
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "Year of referral"
    return table


def children_sentence(page: Page) -> str:
    """Children living in the referred households in the period."""
    f = facts_of(page)
    s = f.in_period
    text = (
        f"In {f.period.label}, {s.with_children.words()} of the referred households had children "
        f"living there: {s.children.of('children')} in all."
    )
    if s.children_unknown.value != 0:
        text += (
            f" The number of children was not recorded for {s.children_unknown.of('referrals')}, "
            "so this is a minimum."
        )
    return text + (
        " A household referred more than once in the year has its children counted each time."
    )


# --------------------------------------------------------------------------------------------
# conclusions and headlines


def conclusions(page: Page) -> list[str]:
    """The closing plain-English conclusions."""
    return [
        volume_sentence(page),
        repeat_sentence(page),
        tool_sentences(page)[1],
        high_risk_sentence(page),
        attendance_sentence(page),
        children_sentence(page),
    ]


def _previous_rate(f: MaracFacts) -> tuple[Interval | None, str | None]:
    """The repeat rate of the reporting year before the period (when the period is one and that
    year's rate is shown and not an undercount), for the direction of travel."""
    if f.period.reporting_year is None:
        return None, None
    label = f.period.previous_label
    for s in f.years:
        if s.label == label and s.repeat_rate is not None and not s.undercount:
            return s.repeat_rate, label
    return None, None


def headlines(page: Page) -> list[Headline]:
    """The page's headlines for the board summary: the repeat rate (against the reference rate
    when the profile gives one) and, when the profile names an audit, referrals with no tool.

    Headlines carry plain text (the scorecard escapes it for its page). The repeat rate has no
    better direction: SafeLives reads a low rate as repeats going unidentified, not as success.
    """
    f = facts_of(page)
    s = f.in_period
    ci = s.repeat_rate
    if ci is not None:
        value, interval = pct(ci.estimate), pct_range(ci.lower, ci.upper)
        sentence = (
            f"{pct(ci.estimate)} of MARAC (high-risk domestic abuse conference) referrals in "
            f"{f.period.label} were repeat referrals within 12 months"
        )
        if f.reference is not None and s.repeat_test is not None:
            sentence += f", against {_reference_words(f)}. " + verdict(
                s.repeat_test, f.reference.value, safe(f.reference.label)
            )
        else:
            sentence += "."
    else:
        value, interval, sentence = "not reported", "n/a", repeat_sentence(page)
    previous, previous_period = _previous_rate(f)
    chart = f.repeat_chart.result if f.repeat_chart is not None else None
    reference = None
    if f.reference is not None:
        year = f" ({f.reference.year})" if f.reference.year else ""
        reference = f"{f.reference.label} {pct(f.reference.value, 0)}{year}"
    out = [
        Headline(
            key="marac_repeat_rate",
            label="MARAC: repeat referrals within 12 months",
            value=value,
            interval=interval,
            sentence=plain(sentence),
            report=REPORT,
            caveats=tuple(plain(c) for c in repeat_notes(page)),
            unit="percent",
            better="neutral",
            period=f.period.label,
            estimate=float(100 * ci.estimate) if ci is not None else None,
            lower=float(100 * ci.lower) if ci is not None else None,
            upper=float(100 * ci.upper) if ci is not None else None,
            previous=float(100 * previous.estimate) if previous is not None else None,
            previous_period=previous_period,
            comparison=reference,
            variation=chart.variation if chart is not None else None,
            variation_icon=chart.variation_icon if chart is not None else None,
        )
    ]
    t = f.tools
    if t is not None:
        _, audit = tool_sentences(page)
        # The value is the level since the audit, so its likely range is the level's (Wilson);
        # the change against the years before is the direction of travel and the sentence.
        test, level = t.no_tool, t.no_tool_share
        if level is not None:
            value, interval = pct(level.estimate), pct_range(level.lower, level.upper)
        else:
            value, interval = "not reported", "n/a"
        out.append(
            Headline(
                key="marac_no_risk_tool",
                label="MARAC: referrals with no risk tool recorded since the audit",  # period: t.after
                value=value,
                interval=interval,
                sentence=plain(audit),
                report=REPORT,
                caveats=tuple(test.caveats) if test is not None else (),
                unit="percent",
                better="lower",
                period=t.after,
                estimate=float(100 * level.estimate) if level is not None else None,
                lower=float(100 * level.lower) if level is not None else None,
                upper=float(100 * level.upper) if level is not None else None,
                previous=float(100 * test.observed[1]) if test is not None else None,
                previous_period=f"referrals {t.before}" if test is not None else None,
            )
        )
    return out

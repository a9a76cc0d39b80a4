"""The underlying rates of the synthetic extracts, in one place.

Everything the generator in :mod:`sscb_analysis.synth` draws from is a named, documented field
here. Nothing downstream may read these values: analyses must find the effects from the rows,
exactly as they would with a real extract. The defaults are calibrated to the Southwark
Safeguarding Children Board annual report 2012/13 (the figures it quotes are noted beside each
rate), over 1 April 2010 to 31 March 2014.

Rates that change over time are piecewise-linear curves given as ``(ISO date, value)`` knots;
before the first knot the first value holds, after the last knot the last value holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Knots = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class PeriodParams:
    """The window the extracts cover and the dates of the practice changes in it."""

    #: First day of the extract (start of reporting year 2010-11).
    start: str = "2010-04-01"
    #: Extract date: the last day covered; plans, CAFs open then have a blank end date.
    end: str = "2014-03-31"
    #: Quality-assurance practice review of repeat and long plans ("since June 2012").
    cpp_review: str = "2012-06-01"
    #: MARAC audit after which risk-tool use became more consistent ("in January").
    marac_audit: str = "2012-01-01"


@dataclass(frozen=True)
class CppParams:
    """Child protection plans: starts, durations, repeat plans and child characteristics."""

    #: Plan starts per year (report: about 400 to 450), on working days only.
    starts_per_year: float = 425.0
    #: Years simulated before the extract starts, so that plans open on the first day and
    #: children's earlier plans (``previous_plans``) exist.
    burn_in_years: float = 6.0
    #: Share of plan starts that are a second or subsequent plan for the child: a rising trend
    #: before the review (report: 24 children in January to March 2012) ...
    repeat_share_knots: Knots = (("2006-04-01", 0.16), ("2010-04-01", 0.17), ("2012-06-01", 0.235))
    #: ... then after the review it decays towards this floor (report: 4 in October to
    #: December 2012) ...
    repeat_share_floor: float = 0.035
    #: ... with this e-folding time in days.
    repeat_share_decay_days: float = 30.0
    #: A repeat plan starts at least this many days after the child's previous plan ended.
    repeat_min_gap_days: int = 28
    #: A repeat plan follows a plan that ended at most this many days before.
    repeat_max_gap_days: int = 6 * 365
    #: Higher values favour recently ended plans as the "previous plan" of a repeat.
    repeat_recency_power: float = 2.0
    #: Children are never on a plan from this age (days).
    max_age_days: int = 18 * 365
    #: Duration of ordinary plans: gamma shape and mean days, before and after the review.
    duration_shape: float = 1.6
    duration_mean_days_before_review: float = 248.0
    duration_mean_days_after_review: float = 265.0
    #: Share of plans that run two years or more, by start before or after the review
    #: (report: above-national numbers of plans lasting two years or more before the review).
    long_share_before_review: float = 0.065
    long_share_after_review: float = 0.03
    #: Long plans last uniformly between these many days.
    long_duration_days: tuple[int, int] = (730, 1150)
    #: At the review, plans open then that would otherwise run two years or more are closed
    #: with this probability ...
    review_closure_probability: float = 0.7
    #: ... at the review or, for younger plans, this many days after their start, ...
    review_closure_min_age_days: int = 365
    #: ... plus up to this many days.
    review_closure_window_days: int = 150
    #: Category of abuse of first plans (neglect most common).
    category_shares: dict[str, float] = field(
        default_factory=lambda: {
            "neglect": 0.45,
            "emotional": 0.27,
            "physical": 0.12,
            "sexual": 0.05,
            "multiple": 0.11,
        }
    )
    #: A repeat plan keeps the category of the child's previous plan with this probability.
    repeat_same_category: float = 0.55
    #: Age at first plan, as (band, share, lowest age in years, highest age in years).
    first_age_bands: tuple[tuple[str, float, float, float], ...] = (
        ("under 1", 0.14, 0.0, 1.0),
        ("1-4", 0.27, 1.0, 5.0),
        ("5-9", 0.26, 5.0, 10.0),
        ("10-15", 0.28, 10.0, 16.0),
        ("16+", 0.05, 16.0, 17.5),
    )
    #: Gender of children aged one or more at their first plan; babies are "unknown" (unborn
    #: at the conference) with ``unknown_gender_under_1``.
    gender_shares: dict[str, float] = field(default_factory=lambda: {"male": 0.51, "female": 0.49})
    unknown_gender_under_1: float = 0.25
    #: Ethnicity (Southwark's child population is ethnically diverse).
    ethnicity_shares: dict[str, float] = field(
        default_factory=lambda: {
            "white": 0.37,
            "black": 0.33,
            "mixed": 0.15,
            "asian": 0.05,
            "other": 0.07,
            "unknown": 0.03,
        }
    )
    #: Social work teams; a repeat plan stays with the previous team with this probability.
    teams: tuple[str, ...] = ("Team A", "Team B", "Team C", "Team D", "Team E", "Team F")
    repeat_same_team: float = 0.5
    #: Share of plans whose initial conference is before the start date, by 1 to 15 working days.
    conference_before_start: float = 0.07
    #: Review conferences: the first this many days after the start, then every ``review_every``;
    #: a review is missed (not held) with ``review_missed``.
    first_review_days: int = 90
    review_every_days: int = 182
    review_missed: float = 0.04


@dataclass(frozen=True)
class CafParams:
    """CAF / early help assessments and their user surveys."""

    #: Assessments per month: low before the 2011/12 roll-out, sharply up after it.
    monthly_knots: Knots = (
        ("2010-04-01", 26.0),
        ("2011-03-31", 30.0),
        ("2012-03-31", 92.0),
        ("2013-03-31", 96.0),
        ("2014-03-31", 100.0),
    )
    #: Share of children whose assessment follows an earlier, closed CAF of theirs.
    repeat_share: float = 0.07
    repeat_min_gap_days: int = 30
    repeat_max_gap_days: int = 3 * 365
    #: Time to closure: gamma shape and mean days.
    duration_shape: float = 2.0
    duration_mean_days: float = 210.0
    closure_reasons: dict[str, float] = field(
        default_factory=lambda: {
            "needs met": 0.60,
            "escalated to social care": 0.12,
            "family disengaged": 0.12,
            "moved away": 0.08,
            "other": 0.08,
        }
    )
    initiating_agencies: dict[str, float] = field(
        default_factory=lambda: {
            "school": 0.34,
            "health": 0.19,
            "children's centre": 0.15,
            "early years": 0.09,
            "voluntary sector": 0.08,
            "police": 0.04,
            "housing": 0.05,
            "other": 0.06,
        }
    )
    #: The lead professional is from the initiating agency with this probability.
    lead_same_as_initiating: float = 0.7
    #: Share of assessments with a user survey (30 to 40 per cent).
    survey_share: float = 0.36
    #: Surveys are taken 0 to this many days after closure, or for open CAFs between these days
    #: after the assessment.
    survey_after_closure_days: int = 21
    survey_open_days: tuple[int, int] = (90, 180)
    #: Share "very satisfied" by survey date (report: 92% in 2012/13, "increasing levels").
    very_satisfied_knots: Knots = (
        ("2010-04-01", 0.72),
        ("2012-04-01", 0.90),
        ("2013-04-01", 0.935),
        ("2014-03-31", 0.94),
    )
    #: How the remaining respondents answer.
    other_satisfaction: dict[str, float] = field(
        default_factory=lambda: {
            "fairly satisfied": 0.70,
            "neither satisfied nor dissatisfied": 0.15,
            "fairly dissatisfied": 0.10,
            "very dissatisfied": 0.05,
        }
    )
    #: Share saying things improved "yes" by survey date (report: 66% in 2012/13); the rest
    #: answer "no" or "don't know" in the ratio ``improved_no_share``.
    improved_knots: Knots = (("2010-04-01", 0.58), ("2012-04-01", 0.65), ("2013-04-01", 0.67))
    improved_no_share: float = 0.65
    #: Knowledge of services improved (report: "all describing improved knowledge").
    knowledge_shares: dict[str, float] = field(
        default_factory=lambda: {"yes": 0.985, "don't know": 0.01, "no": 0.005}
    )


@dataclass(frozen=True)
class MaracParams:
    """MARAC referrals, risk assessment and conferences."""

    #: Referrals per year.
    referrals_per_year: float = 470.0
    #: Share of referrals that are a repeat (same victim within 12 months; SafeLives expects 28
    #: to 40 per cent) and that are a return after more than 12 months.
    repeat_share: float = 0.32
    return_share: float = 0.04
    repeat_min_gap_days: int = 21
    #: Conferences sit every ``conference_every_days`` on a Thursday; a referral goes to the first
    #: one at least ``conference_min_days`` after it (so 1 to 4 weeks later).
    conference_every_days: int = 14
    conference_min_days: int = 7
    #: Risk tool shares before and after the January 2012 audit (report: "more consistent use of
    #: the Barnardo's risk assessment tool").
    tool_shares_before: dict[str, float] = field(
        default_factory=lambda: {"dash": 0.42, "barnardos": 0.28, "none": 0.30}
    )
    tool_shares_after: dict[str, float] = field(
        default_factory=lambda: {"dash": 0.24, "barnardos": 0.70, "none": 0.06}
    )
    #: DASH referrals meeting the high-risk threshold (14 or more ticks); the rest are referred
    #: on professional judgement or escalation.
    dash_high_risk_share: float = 0.82
    referring_agencies: dict[str, float] = field(
        default_factory=lambda: {
            "police": 0.55,
            "idva": 0.15,
            "children's social care": 0.10,
            "health": 0.07,
            "housing": 0.04,
            "probation": 0.03,
            "voluntary sector": 0.04,
            "other": 0.02,
        }
    )
    #: Children in the household: shares of 0, 1, 2, 3, 4, 5.
    children_shares: tuple[float, ...] = (0.36, 0.25, 0.20, 0.11, 0.05, 0.03)
    #: Chance each agency attends a conference, before and after the audit (police and IDVA
    #: always attend; "a marked improvement in multi-agency communication").
    attendance_before: dict[str, float] = field(
        default_factory=lambda: {
            "children's social care": 0.75,
            "health": 0.55,
            "housing": 0.50,
            "probation": 0.45,
            "education": 0.30,
            "mental health": 0.25,
            "substance misuse": 0.20,
            "voluntary sector": 0.35,
        }
    )
    attendance_after: dict[str, float] = field(
        default_factory=lambda: {
            "children's social care": 0.92,
            "health": 0.80,
            "housing": 0.70,
            "probation": 0.60,
            "education": 0.50,
            "mental health": 0.45,
            "substance misuse": 0.35,
            "voluntary sector": 0.50,
        }
    )


@dataclass(frozen=True)
class MessyParams:
    """How many of each defect ``--messy`` injects (a handful each; 1 to 3 per cent of rows)."""

    #: Each cell or row defect is injected between these many times (inclusive) per file.
    per_defect: tuple[int, int] = (3, 6)
    #: The missing-identifier defect is rarer.
    missing_id: tuple[int, int] = (1, 3)


@dataclass(frozen=True)
class SynthParams:
    """All parameters of the synthetic extracts."""

    period: PeriodParams = field(default_factory=PeriodParams)
    cpp: CppParams = field(default_factory=CppParams)
    caf: CafParams = field(default_factory=CafParams)
    marac: MaracParams = field(default_factory=MaracParams)
    messy: MessyParams = field(default_factory=MessyParams)


DEFAULT_PARAMS = SynthParams()

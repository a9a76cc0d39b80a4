"""The synthetic extracts: shape, calibration to the 2012/13 report, consistent histories.

Every figure here is recomputed from the rows, never read from ``synth_params``: the test plays
the analyst who must find the effects in the data. Calibration runs on the default seed and on
two others; the tolerances hold across seeds (checked on 30 seeds) but fail if a rate is off.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from sscb_analysis import synth

SEEDS = (synth.DEFAULT_SEED, 1, 2)

ALLOWED = {
    "cpp": {
        "category_of_abuse": {"neglect", "physical", "emotional", "sexual", "multiple"},
        "age_band": {"under 1", "1-4", "5-9", "10-15", "16+"},
        "gender": {"male", "female", "unknown"},
        "ethnicity": {"white", "mixed", "asian", "black", "other", "unknown"},
    },
    "caf": {
        "initiating_agency": {
            "school",
            "health",
            "children's centre",
            "voluntary sector",
            "early years",
            "police",
            "housing",
            "other",
        },
        "closure_reason": {
            "needs met",
            "escalated to social care",
            "family disengaged",
            "moved away",
            "other",
        },
        "satisfaction": {
            "very satisfied",
            "fairly satisfied",
            "neither satisfied nor dissatisfied",
            "fairly dissatisfied",
            "very dissatisfied",
        },
        "things_improved": {"yes", "no", "don't know"},
        "knowledge_improved": {"yes", "no", "don't know"},
    },
    "marac": {
        "referring_agency": {
            "police",
            "idva",
            "children's social care",
            "health",
            "housing",
            "probation",
            "voluntary sector",
            "other",
        },
        "risk_tool": {"dash", "barnardos", "none"},
    },
}
ALLOWED["caf"]["lead_professional_agency"] = ALLOWED["caf"]["initiating_agency"]
DATE_COLUMNS = {
    "cpp": ("plan_start_date", "plan_end_date", "initial_conference_date"),
    "caf": ("assessment_date", "closure_date", "survey_date"),
    "marac": ("referral_date", "conference_date"),
}


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def frames(request) -> dict[str, pd.DataFrame]:
    return synth.generate(request.param)


def reporting_year(dates: pd.Series) -> pd.Series:
    """April-to-March year by its first calendar year (2012 = 2012-13)."""
    return dates.dt.year.where(dates.dt.month >= 4, dates.dt.year - 1)


# ---------------------------------------------------------------- shape


def test_columns_types_and_values_follow_the_spec(frames):
    for kind, frame in frames.items():
        assert tuple(frame.columns) == synth.COLUMNS[kind]
        for column in DATE_COLUMNS[kind]:
            assert pd.api.types.is_datetime64_any_dtype(frame[column]), (kind, column)
            assert (frame[column].dropna().dt.normalize() == frame[column].dropna()).all()
        for column, allowed in ALLOWED[kind].items():
            assert set(frame[column].dropna()) <= allowed, (kind, column)
    cpp, caf, marac = frames["cpp"], frames["caf"], frames["marac"]
    assert cpp["plan_id"].is_unique and caf["caf_id"].is_unique and marac["case_id"].is_unique
    assert cpp["team"].str.fullmatch(r"Team [A-F]").all()
    assert cpp["child_id"].str.fullmatch(r"C\d{5}").all()
    assert marac["victim_id"].str.fullmatch(r"V\d{5}").all()
    assert (cpp["previous_plans"] >= 0).all() and (cpp["review_conferences"] >= 0).all()
    for column in ("plan_id", "child_id", "plan_start_date", "category_of_abuse", "age_band"):
        assert cpp[column].notna().all(), column
    # the window: plans open at some time in April 2010 to March 2014; CAF and MARAC dated in it
    start, end = pd.Timestamp("2010-04-01"), pd.Timestamp("2014-03-31")
    assert (cpp["plan_start_date"] <= end).all()
    assert (cpp["plan_end_date"].dropna() >= start).all()
    assert (cpp["plan_end_date"].dropna() <= end).all()
    assert caf["assessment_date"].between(start, end).all()
    assert marac["referral_date"].between(start, end).all()


def test_dates_are_in_order(frames):
    cpp, caf, marac = frames["cpp"], frames["caf"], frames["marac"]
    ended = cpp["plan_end_date"].notna()
    assert (cpp.loc[ended, "plan_end_date"] > cpp.loc[ended, "plan_start_date"]).all()
    lead = (cpp["plan_start_date"] - cpp["initial_conference_date"]).dt.days
    assert lead.between(0, 21).all()  # 15 working days = 21 calendar days
    assert 0.8 < (lead == 0).mean() < 1.0  # normally the plan starts at the conference
    assert (cpp["initial_conference_date"].dt.day_of_week < 5).all()
    closed = caf["closure_date"].notna()
    assert (caf.loc[closed, "closure_date"] > caf.loc[closed, "assessment_date"]).all()
    assert (caf["closure_reason"].notna() == closed).all()
    days_open = (caf["closure_date"] - caf["assessment_date"]).dt.days
    assert 120 <= days_open.median() <= 300 and days_open.std() > 60
    assert 0.05 <= 1 - closed.mean() <= 0.3  # some CAFs still open at the extract date
    assert cpp["plan_end_date"].isna().sum() >= 200  # plans open at the extract date
    surveyed = caf["survey_date"].notna()
    assert (caf.loc[surveyed, "survey_date"] > caf.loc[surveyed, "assessment_date"]).all()
    for column in ("satisfaction", "things_improved", "knowledge_improved"):
        assert (caf[column].notna() == surveyed).all()
    gap = (marac["conference_date"] - marac["referral_date"]).dt.days
    assert gap.between(7, 28).all()  # one to four weeks
    assert (marac["conference_date"].dt.day_of_week == 3).all()  # MARAC sits on Thursdays


# ---------------------------------------------------------------- CPP calibration


def test_cpp_starts_and_open_plans_match_the_borough(frames):
    cpp = frames["cpp"]
    year = reporting_year(cpp["plan_start_date"])
    starts = cpp.groupby(year).size().reindex(range(2010, 2014))
    assert starts.between(365, 485).all(), starts.to_dict()
    assert 400 <= starts.mean() <= 450, starts.to_dict()
    end = cpp["plan_end_date"].fillna(pd.Timestamp("2100-01-01"))
    open_counts = np.array(
        [
            int(((cpp["plan_start_date"] <= day) & (end > day)).sum())
            for day in pd.date_range("2011-01-01", "2013-12-01", freq="MS")
        ]
    )
    assert 300 <= open_counts.mean() <= 360, open_counts
    assert open_counts.min() >= 250 and open_counts.max() <= 400, open_counts


def test_cpp_second_plans_fall_after_the_june_2012_review(frames):
    cpp = frames["cpp"].sort_values(["child_id", "plan_start_date"])
    earlier_in_extract = cpp.groupby("child_id").cumcount() > 0
    second = (cpp["previous_plans"] > 0) | earlier_in_extract
    quarter = cpp["plan_start_date"].dt.to_period("Q").astype(str)
    counts = second.groupby(quarter).sum()
    assert 12 <= counts["2012Q1"] <= 38, counts.to_dict()
    assert counts["2012Q4"] <= 10, counts.to_dict()
    assert counts["2012Q1"] - counts["2012Q4"] >= 8
    assert all(counts[f"2013Q{q}"] <= 12 for q in range(1, 5)), counts.to_dict()
    before = counts[[f"{y}Q{q}" for y in (2010, 2011) for q in range(1, 5) if (y, q) != (2010, 1)]]
    assert before.mean() >= 14, before.to_dict()  # the problem the review responded to


def test_cpp_long_plans_are_fewer_after_the_review(frames):
    cpp = frames["cpp"]
    end = cpp["plan_end_date"].fillna(pd.Timestamp("2100-01-01"))

    def open_two_years(day: str) -> int:
        at = pd.Timestamp(day)
        open_ = (cpp["plan_start_date"] <= at) & (end > at)
        return int((open_ & ((at - cpp["plan_start_date"]).dt.days >= 730)).sum())

    assert open_two_years("2012-03-31") >= 10
    assert open_two_years("2014-03-31") < open_two_years("2012-03-31")
    duration = (cpp["plan_end_date"] - cpp["plan_start_date"]).dt.days
    ended_long = (duration >= 730).groupby(reporting_year(cpp["plan_end_date"])).sum()
    assert ended_long[2013] < ended_long[2011]


def test_cpp_neglect_is_the_most_common_category(frames):
    shares = frames["cpp"]["category_of_abuse"].value_counts(normalize=True)
    assert shares.index[0] == "neglect" and shares.iloc[0] > 0.35


# ---------------------------------------------------------------- CPP histories


def test_cpp_child_histories_are_consistent(frames):
    cpp = frames["cpp"].sort_values(["child_id", "plan_start_date"])
    by_child: dict[str, list[tuple]] = defaultdict(list)
    for row in cpp.itertuples(index=False):
        by_child[row.child_id].append(row)
    multi = first_with_history = 0
    bands = ["under 1", "1-4", "5-9", "10-15", "16+"]
    for plans in by_child.values():
        first_with_history += plans[0].previous_plans > 0
        multi += len(plans) > 1
        assert len({(p.gender, p.ethnicity) for p in plans}) == 1
        for before, after in itertools.pairwise(plans):
            assert pd.notna(before.plan_end_date), "a later plan follows a plan still open"
            assert before.plan_end_date < after.plan_start_date, "plans overlap"
            assert after.previous_plans == before.previous_plans + 1
            assert bands.index(after.age_band) >= bands.index(before.age_band)
    # histories both inside the extract and before April 2010
    assert multi >= 30 and first_with_history >= 30


# ---------------------------------------------------------------- CAF calibration


def test_caf_volume_rises_after_the_roll_out(frames):
    caf = frames["caf"]
    per_year = caf.groupby(reporting_year(caf["assessment_date"])).size()
    assert per_year[2012] >= 2.5 * per_year[2010], per_year.to_dict()
    assert per_year[2012] > per_year[2011] > per_year[2010]
    assert 0.30 <= caf["survey_date"].notna().mean() <= 0.40


def test_caf_survey_answers_match_the_report(frames):
    caf = frames["caf"].dropna(subset=["survey_date"])
    year = reporting_year(caf["survey_date"])
    very = (caf["satisfaction"] == "very satisfied").groupby(year).mean()
    assert abs(very[2012] - 0.92) <= 0.05, very.to_dict()
    assert very[2010] < very[2012]  # "increasing levels of satisfaction"
    improved = (caf["things_improved"] == "yes").groupby(year).mean()
    assert abs(improved[2012] - 0.66) <= 0.07, improved.to_dict()
    assert (caf["knowledge_improved"] == "yes").mean() >= 0.95


# ---------------------------------------------------------------- MARAC calibration


def test_marac_repeats_follow_safelives_definition(frames):
    """Repeat = a referral of a victim within 12 months of their previous one (SafeLives)."""
    marac = frames["marac"]
    last_seen: dict[str, dt.date] = {}
    repeats = 0
    rows = sorted(
        zip(marac["victim_id"], marac["referral_date"].dt.date, strict=True), key=lambda r: r[1]
    )
    for victim, day in rows:
        previous = last_seen.get(victim)
        if previous is not None and (day - previous).days <= 365:
            repeats += 1
        last_seen[victim] = day
    share = repeats / len(rows)
    assert 0.25 <= share <= 0.35, share


def test_marac_risk_tools_become_consistent_after_january_2012(frames):
    marac = frames["marac"]
    later = marac["referral_date"] >= "2012-01-01"
    before = marac.loc[~later, "risk_tool"].value_counts(normalize=True)
    after = marac.loc[later, "risk_tool"].value_counts(normalize=True)
    assert after.get("none", 0) < before.get("none", 0) / 2
    assert after.iloc[0] >= 0.6 > before.iloc[0]
    dash = marac["risk_tool"] == "dash"
    assert marac.loc[dash, "dash_ticks"].notna().all()
    assert marac.loc[~dash, "dash_ticks"].isna().all()
    ticks = marac.loc[dash, "dash_ticks"].astype(int)
    assert ticks.between(0, 24).all()
    assert (ticks >= 14).mean() > 0.6  # most MARAC referrals are high risk


def test_marac_agencies_present_lists_known_agencies(frames):
    lists = frames["marac"]["agencies_present"].str.split(";")
    for agencies in lists:
        assert set(agencies) <= set(synth.MARAC_AGENCIES)
        assert len(set(agencies)) == len(agencies)
        assert agencies[:2] == ["police", "idva"]


# ---------------------------------------------------------------- API


def test_different_seeds_differ_but_same_seed_repeats():
    a, b, c = synth.generate(7), synth.generate(7), synth.generate(8)
    for kind in synth.KINDS:
        pd.testing.assert_frame_equal(a[kind], b[kind])
        assert not a[kind].equals(c[kind])


def test_generate_cpp_defaults_equal_generate_and_it_scales():
    pd.testing.assert_frame_equal(synth.generate_cpp(seed=3), synth.generate(3)["cpp"])
    big = synth.generate_cpp(n_years=2, plans_per_year=20_000, seed=3)
    in_window = big["plan_start_date"] >= "2010-04-01"
    assert 36_000 <= in_window.sum() <= 44_000
    assert big["plan_id"].is_unique
    assert big["plan_end_date"].dropna().max() <= pd.Timestamp("2012-03-31")
    ordered = big.sort_values(["child_id", "plan_start_date"])
    previous_end = ordered.groupby("child_id")["plan_end_date"].shift()
    assert not (ordered["plan_start_date"] <= previous_end).any()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: synth.generate(-1), "seed must be a non-negative integer"),
        (lambda: synth.generate("1"), "seed must be a non-negative integer"),
        (lambda: synth.generate_cpp(plans_per_year=0), "plans_per_year must be positive"),
        (lambda: synth.generate_cpp(n_years=-2), "n_years must be positive"),
    ],
)
def test_bad_arguments_get_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()

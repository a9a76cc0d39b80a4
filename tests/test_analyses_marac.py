"""MARAC analyses (notebook 04_marac): real findings on the synthetic extract, checked against
counts taken straight from the raw CSV, and small hand-built extracts for suppression.

Reference values: the exact binomial test from ``scipy.stats.binomtest``; the two-proportion
score test from ``scipy.stats.chi2_contingency(..., correction=False)`` (the pooled chi-square);
Wilson intervals from ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from sscb_analysis import clean
from sscb_analysis.analyses import marac as marac_analysis
from sscb_analysis.paths import SYNTHETIC

RAW = SYNTHETIC / "marac.csv"
START, END = pd.Timestamp("2012-04-01"), pd.Timestamp("2013-03-31")


@pytest.fixture(scope="module")
def marac() -> pd.DataFrame:
    return clean("marac", RAW).data


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The raw CSV read independently of the cleaner, with repeats derived here (SafeLives)."""
    frame = pd.read_csv(RAW, dtype=str, keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["referral_date"], format="%d/%m/%Y")
    frame = frame.sort_values(["victim_id", "date"], kind="stable")
    previous = frame.groupby("victim_id")["date"].shift()
    frame["repeat"] = previous.notna() & (frame["date"] <= previous + pd.DateOffset(months=12))
    return frame.sort_index()


def test_repeat_rate_against_national(marac, raw) -> None:
    year = raw[raw["date"].between(START, END)]
    x, n = int(year["repeat"].sum()), len(year)
    res = marac_analysis.repeat_rates(marac, national_repeat_rate=0.31)
    t = res.period
    assert (round(t.estimate * n), t.n) == (x, n)
    lo, hi = proportion_confint(x, n, method="wilson")
    assert (t.lower, t.upper) == pytest.approx((lo, hi), abs=1e-12)
    p_ref = sps.binomtest(x, n, 0.31).pvalue
    assert t.p_value == pytest.approx(p_ref, rel=1e-9)
    # The test decides as the interval says: 31% inside the range <=> not significant here.
    inside = lo <= 0.31 <= hi
    assert inside  # the finding on the synthetic data
    assert not t.significant
    assert "in line with the national figure" in res.sentence
    assert res.table.loc["2012-13", "Against national"].startswith("similar")
    # The first year of the extract cannot see earlier referrals: flagged as a possible undercount.
    assert res.table.loc["2010-11", "Repeat rate (likely range)"].endswith(" *")
    assert len(res.caveats) == 1


def test_a_different_national_rate_is_detected(marac) -> None:
    res = marac_analysis.repeat_rates(marac, national_repeat_rate=0.20)
    assert res.period.significant
    assert "higher than the national figure" in res.sentence


def test_no_risk_tool_share_fell_significantly_after_january_2012(marac, raw) -> None:
    upto = raw[raw["date"] <= END]
    after = upto["date"] >= pd.Timestamp("2012-01-01")
    none_after = int((upto.loc[after, "risk_tool"] == "none").sum())
    none_before = int((upto.loc[~after, "risk_tool"] == "none").sum())
    n_after, n_before = int(after.sum()), int((~after).sum())
    res = marac_analysis.risk_tool_consistency(marac, "2012-01-01", "2013-03-31")
    t = res.no_tool
    assert t.observed == pytest.approx((none_after / n_after, none_before / n_before))
    table = np.array([[none_after, n_after - none_after], [none_before, n_before - none_before]])
    p_ref = sps.chi2_contingency(table, correction=False).pvalue
    assert t.p_value == pytest.approx(p_ref, rel=1e-6)
    assert t.estimate < 0 and t.significant
    bar_after = int((upto.loc[after, "risk_tool"] == "barnardos").sum())
    assert res.main_tool.observed[0] == pytest.approx(bar_after / n_after)
    assert res.main_tool.significant and res.main_tool.estimate > 0
    assert res.more_consistent is True
    assert "support the January audit finding" in res.audit_sentence
    assert res.counts.loc["before 1 Jan 2012", "none recorded"] == none_before


def test_high_risk_is_a_share_of_dash_assessed_referrals(marac, raw) -> None:
    year = raw[raw["date"].between(START, END) & (raw["risk_tool"] == "dash")]
    ticks = pd.to_numeric(year["dash_ticks"])
    x, n = int((ticks >= 14).sum()), len(year)
    res = marac_analysis.high_risk(marac)
    assert res.period.x == x and res.period.n == n
    assert res.table.loc["2012-13", "Assessed with DASH"] == f"{n:,}"
    assert "assessed with the DASH" in res.sentence and "not the share of all" in res.sentence


def test_children_and_attendance_match_counts(marac, raw) -> None:
    year = raw[raw["date"].between(START, END)]
    total = int(pd.to_numeric(year["children_in_household"]).sum())
    kids = marac_analysis.children_affected(marac)
    assert kids.period_total == f"{total:,}"
    assert kids.table.loc["2012-13", "children"] == total
    att = marac_analysis.attendance(marac)
    health = int(year["agencies_present"].str.split(";").map(lambda a: "health" in a).sum())
    assert att.table.loc["health", "2012-13"] == health
    assert att.period_table.loc["IDVA", "Share of cases (likely range)"].startswith("100.0%")
    assert "IDVA and police attended every case" in att.sentence


def test_volumes_by_year_and_quarter(marac, raw) -> None:
    vol = marac_analysis.referral_volumes(marac)
    year = raw[raw["date"].between(START, END)]
    assert vol.table.loc["2012-13", "Total"] == len(year)
    q1 = int(year["date"].between("2012-04-01", "2012-06-30").sum())
    assert vol.table.loc["2012-13", "Q1 Apr-Jun"] == q1
    assert vol.period_total == f"{len(year):,}"


def test_headlines(marac) -> None:
    heads = marac_analysis.headlines(marac)
    assert [h.key for h in heads] == ["marac_repeat_rate", "marac_no_risk_tool"]
    assert heads[0].value == f"{100 * marac_analysis.repeat_rates(marac).period.estimate:.1f}%"
    assert "SafeLives" in heads[0].sentence
    assert heads[1].sentence.startswith("The data support")


# ------------------------------------------------------------------ small hand-built extracts


def marac_rows(n: int, date: str = "02/05/2012") -> pd.DataFrame:
    """``n`` valid raw MARAC rows, one victim each."""
    return pd.DataFrame(
        {
            "case_id": [f"M{i:06d}" for i in range(n)],
            "victim_id": [f"V{i:05d}" for i in range(n)],
            "referral_date": [date] * n,
            "conference_date": ["20/05/2012"] * n,
            "referring_agency": ["police"] * n,
            "risk_tool": ["dash"] * n,
            "dash_ticks": ["15"] * n,
            "children_in_household": ["1"] * n,
            "agencies_present": ["police;idva;children's social care"] * n,
        }
    )


def _clean_rows(tmp_path: Path, rows: pd.DataFrame) -> pd.DataFrame:
    path = tmp_path / "marac.csv"
    rows.to_csv(path, index=False)
    return clean("marac", path).data


def test_tiny_extract_suppresses_counts_and_shares(tmp_path) -> None:
    rows = marac_rows(4)
    rows.loc[3, "victim_id"] = "V00000"  # a repeat of the first victim
    rows.loc[3, "referral_date"] = "01/06/2012"
    marac = _clean_rows(tmp_path, rows)
    res = marac_analysis.repeat_rates(marac)
    assert res.period is None
    assert res.table.loc["2012-13", "Referrals"] == "c"
    assert res.table.loc["2012-13", "Repeat rate (likely range)"].startswith("c")
    assert "too small" in res.sentence
    kids = marac_analysis.children_affected(marac)
    assert kids.period_total == "c"
    assert "c of the referred households" in kids.sentence
    vol = marac_analysis.referral_volumes(marac)
    assert vol.table.loc["2012-13", "Q1 Apr-Jun"] == "c"
    heads = marac_analysis.headlines(marac)
    assert heads[0].value == "not reported"
    # No referral before January 2012: risk-tool use cannot be compared.
    tools = marac_analysis.risk_tool_consistency(marac)
    assert tools.no_tool is None and tools.more_consistent is None
    assert "cannot test" in tools.audit_sentence
    assert heads[1].value == "not reported"


def test_bad_input_has_clear_messages(marac) -> None:
    with pytest.raises(ValueError, match="missing columns"):
        marac_analysis.repeat_rates(marac.drop(columns=["repeat_within_12_months"]))
    with pytest.raises(ValueError, match="national_repeat_rate"):
        marac_analysis.repeat_rates(marac, national_repeat_rate=31)
    with pytest.raises(ValueError, match="tool_change_date"):
        marac_analysis.risk_tool_consistency(marac, tool_change_date="2014-01-01")
    with pytest.raises(ValueError, match="main_tool"):
        marac_analysis.risk_tool_consistency(marac, main_tool="caada")

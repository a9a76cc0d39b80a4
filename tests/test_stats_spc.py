"""SPC charts (sscb_analysis.stats.spc).

Reference behaviour comes from NHSRplotthedots 0.2.2 (github.com/nhs-r-community/NHSRplotthedots,
commit 050b07d, MIT): the rules from its unit tests (tests/testthat/test-ptd_calculate_point_type.R,
test-ptd_calculate_assurance_type.R, test-ptd_spc_standard.R) and the limits from its snapshots
(tests/testthat/_snaps/ptd_spc_standard.md and ptd_spc.md), which chart R's ``set.seed(123);
rnorm(20)``. Other limits are recomputed by hand here; the hand-worked series (a shift, a trend, a
point outside the limits, a target inside and outside the limits) say in comments why each icon
is what it is.
"""

import numpy as np
import pandas as pd
import pytest

from sscb_analysis.stats import spc
from sscb_analysis.stats.spc import RULES, _runs, _trends, _two_of_three

# R 4.x: set.seed(123); rnorm(20), as printed to 8 decimals (the snapshots' input).
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def test_seven_point_shift_rule_as_nhsrplotthedots():
    # ptd_seven_point_one_side_mean(c(rep(1, 8), -1)) flags positions 7-8; membership of the
    # run (ptd_part_of_seven_trend) then covers points 1-8.
    assert _runs(np.array([1] * 8 + [-1]), 7).tolist() == [True] * 8 + [False]
    assert not _runs(np.array([1] * 6 + [-1]), 7).any()
    # A point on the centre line (0) breaks the run.
    assert not _runs(np.array([1, 1, 1, 0, 1, 1, 1, 1]), 7).any()


def test_seven_point_trend_rule_as_nhsrplotthedots():
    assert _trends(np.arange(1.0, 8.0), 7)[0].all()
    assert not _trends(np.array([1, 2, 3, 3, 4, 5, 6.0]), 7)[
        0
    ].any()  # c(1:3, 3:6): a tie breaks it
    member, direction = _trends(np.array([2, 7, 6, 5, 4, 3, 2, 1, 3.0]), 7)
    assert member.tolist() == [False] + [True] * 7 + [False]
    assert (direction[1:8] == -1).all()
    assert not _trends(np.arange(6.0), 7)[0].any()


def test_two_of_three_rule_as_nhsrplotthedots():
    side = np.ones(7, dtype=int)
    # ptd_two_in_three(c(0,0,1,0,1,0,0)) then part_of: only the near-limit points are flagged.
    close = np.array([0, 0, 1, 0, 1, 0, 0], dtype=bool)
    assert _two_of_three(close, side).tolist() == close.tolist()
    close = np.array([1, 0, 0, 1], dtype=bool)
    assert not _two_of_three(close, np.ones(4, dtype=int)).any()
    # All three points must be on the same side of the mean.
    close = np.array([1, 0, 1], dtype=bool)
    assert not _two_of_three(close, np.array([1, -1, 1])).any()


def test_xmr_limits_by_hand():
    values = [12, 15, 11, 14, 13, 16, 12, 14, 13, 15, 12, 14]
    mean = np.mean(values)
    amr = np.mean(np.abs(np.diff(values)))  # no moving range exceeds 3.267 x mean here
    r = spc(values)
    t = r.table
    assert t["centre"].iloc[0] == pytest.approx(mean)
    assert t["upper"].iloc[0] == pytest.approx(mean + 2.66 * amr)
    assert t["lower"].iloc[0] == pytest.approx(mean - 2.66 * amr)
    assert t["near_upper"].iloc[0] == pytest.approx(mean + 2 / 3 * 2.66 * amr)
    assert not t["special_cause"].any()
    assert r.variation == "common cause" and r.assurance == "no target"
    assert not r.trial_limits and list(t.columns[:6]) == [
        "value",
        "centre",
        "lower",
        "upper",
        "near_lower",
        "near_upper",
    ]


def test_moving_range_screening():
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 40, 11, 10]
    mr = np.abs(np.diff(values))
    kept = mr[mr < 3.267 * mr.mean()]
    r = spc(values)
    assert r.table["upper"].iloc[0] == pytest.approx(np.mean(values) + 2.66 * kept.mean())
    assert any("left out" in c for c in r.caveats)
    unscreened = spc(values, screen_outliers=False)
    assert unscreened.table["upper"].iloc[0] == pytest.approx(np.mean(values) + 2.66 * mr.mean())
    assert r.table.loc[11, "rule"] == "outside limits"


def test_improvement_and_concern_and_precedence():
    base = [10, 12, 11, 10, 12, 11, 10, 12, 11, 10, 12, 11]
    r = spc([*base, 30], improvement="increase")
    assert r.table["point_type"].iloc[-1] == "improvement"
    assert r.variation == "special cause improvement"
    r = spc([*base, 30], improvement="decrease")
    assert r.variation == "special cause concern"
    r = spc([*base, 30], improvement="neutral")
    assert r.variation == "special cause neutral"
    # A flat low run then a steady rise (mean 6.87, upper limit 8.20): points outside the limits
    # keep that rule (precedence), the rising points inside the limits are flagged as a trend,
    # and a trend point is judged by the trend's direction (6 is below the mean but rising).
    values = [5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 9, 10, 11, 12]
    r = spc(values, improvement="decrease", screen_outliers=False)
    t = r.table
    assert t["rule"].tolist() == ["outside limits"] * 8 + ["trend"] * 3 + ["outside limits"] * 4
    assert t["point_type"].tolist() == ["improvement"] * 8 + ["concern"] * 7


def test_assurance_with_target():
    values = [50, 52, 51, 49, 50, 53, 48, 51, 50, 52, 49, 51]
    r = spc(values, improvement="increase", target=40)
    assert r.assurance == "consistently passing"
    assert spc(values, improvement="increase", target=70).assurance == "consistently failing"
    assert spc(values, improvement="decrease", target=70).assurance == "consistently passing"
    assert spc(values, improvement="increase", target=51).assurance == "hit and miss"
    assert "target" in r.table.columns


def test_p_chart_limits_by_hand_and_clipping():
    x = [3, 5, 2, 8, 4, 6, 5, 3, 7, 4, 5, 6]
    n = [20, 25, 18, 30, 22, 26, 24, 19, 28, 21, 23, 27]
    pbar = sum(x) / sum(n)
    r = spc(x, kind="p", denominators=n, improvement="increase")
    t = r.table
    expected_upper = np.minimum(1, pbar + 3 * np.sqrt(pbar * (1 - pbar) / np.array(n)))
    expected_lower = np.maximum(0, pbar - 3 * np.sqrt(pbar * (1 - pbar) / np.array(n)))
    assert t["upper"].to_numpy() == pytest.approx(expected_upper)
    assert t["lower"].to_numpy() == pytest.approx(expected_lower)
    assert t["value"].to_numpy() == pytest.approx(np.array(x) / np.array(n))
    assert (t["lower"] >= 0).all()
    with pytest.raises(ValueError, match="exceed"):
        spc([5, 6], kind="p", denominators=[4, 10])
    with pytest.raises(ValueError, match="needs denominators"):
        spc([5, 6], kind="p")


def test_c_and_u_charts():
    counts = [4, 6, 5, 3, 7, 5, 4, 6, 5, 5, 4, 6]
    r = spc(counts, kind="c")
    cbar = np.mean(counts)
    assert r.table["upper"].iloc[0] == pytest.approx(cbar + 3 * np.sqrt(cbar))
    assert r.table["lower"].iloc[0] == pytest.approx(max(0, cbar - 3 * np.sqrt(cbar)))
    expo = [100, 120, 110, 90, 130, 100, 95, 105, 115, 100, 98, 112]
    u = spc(counts, kind="u", denominators=expo)
    ubar = sum(counts) / sum(expo)
    assert u.table["upper"].iloc[1] == pytest.approx(ubar + 3 * np.sqrt(ubar / 120))
    with pytest.raises(ValueError, match="whole numbers"):
        spc([1.5, 2, 3], kind="c")


def test_short_single_and_constant_series():
    one = spc([7])
    assert one.trial_limits and np.isnan(one.table["upper"].iloc[0])
    assert one.variation == "common cause" and "Only one point" in one.caveats[0]
    short = spc([3, 4, 5, 4, 3])
    assert short.trial_limits and any("trial limits" in c for c in short.caveats)
    flat = spc([5] * 15, improvement="increase", target=4)
    assert not flat.table["special_cause"].any()
    assert any("Every value is the same" in c for c in flat.caveats)
    assert flat.assurance == "consistently passing"


def test_fix_after_and_series_index():
    idx = pd.period_range("2012Q1", periods=14, freq="Q").astype(str)
    values = pd.Series([10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 20, 21, 22, 23], index=idx)
    r = spc(values, fix_after=10, improvement="increase")
    assert list(r.table.index) == list(idx)
    assert r.table["centre"].iloc[0] == pytest.approx(np.mean(values.iloc[:10]))
    assert r.table["special_cause"].iloc[-4:].all()
    assert any("fixed on the first 10" in c for c in r.caveats)


def test_spc_input_errors():
    with pytest.raises(ValueError, match="kind"):
        spc([1, 2, 3], kind="g")
    with pytest.raises(ValueError, match="empty"):
        spc([])
    with pytest.raises(ValueError, match="missing"):
        spc([1, np.nan, 3])
    with pytest.raises(ValueError, match="improvement"):
        spc([1, 2, 3], improvement="up")
    with pytest.raises(ValueError, match="no denominators"):
        spc([1, 2, 3], denominators=[1, 2, 3])


def test_limits_match_nhsrplotthedots_snapshots():
    # _snaps/ptd_spc_standard.md, r1: mean_col 0.1416238, lpl -3.01138, upl 3.294627.
    t = spc(RNORM_123, improvement="increase").table
    assert t["centre"].iloc[0] == pytest.approx(0.1416238, abs=5e-8)
    assert t["lower"].iloc[0] == pytest.approx(-3.01138, abs=5e-6)
    assert t["upper"].iloc[0] == pytest.approx(3.294627, abs=5e-7)
    # ptd_spc.md, summary: all 20 points common cause.
    assert (t["point_type"] == "common cause").all()
    # r2: y[15] <- 10, outliers screened: 0.6694159, -2.383666, 3.722497.
    y = list(RNORM_123)
    y[14] = 10
    t = spc(y).table
    assert t["centre"].iloc[0] == pytest.approx(0.6694159, abs=5e-8)
    assert t["lower"].iloc[0] == pytest.approx(-2.383666, abs=5e-7)
    assert t["upper"].iloc[0] == pytest.approx(3.722497, abs=5e-7)
    # r3: screen_outliers = FALSE: -4.596625, 5.935457.
    t = spc(y, screen_outliers=False).table
    assert t["lower"].iloc[0] == pytest.approx(-4.596625, abs=5e-7)
    assert t["upper"].iloc[0] == pytest.approx(5.935457, abs=5e-7)
    # ptd_spc.md, facets of 10 points each: (0.0746, -2.60, 2.75) and (0.209, -3.28, 3.70).
    for part, (mean, lpl, upl) in ((RNORM_123[:10], (0.0746, -2.60, 2.75)),
                                   (RNORM_123[10:], (0.209, -3.28, 3.70))):  # fmt: skip
        t = spc(part).table
        assert round(t["centre"].iloc[0], 4 if mean < 0.1 else 3) == mean
        assert round(t["lower"].iloc[0], 2) == lpl and round(t["upper"].iloc[0], 2) == upl


def test_target_inside_limits_is_hit_and_miss_as_nhsrplotthedots():
    # ptd_spc.md, "summary with a target": target 0.5 lies inside -3.01 .. 3.29.
    assert spc(RNORM_123, improvement="increase", target=0.5).assurance == "hit and miss"
    assert spc(RNORM_123, improvement="neutral", target=0.5).assurance == "no target"


@pytest.mark.parametrize(
    ("lower", "upper", "increase", "decrease"),
    # test-ptd_calculate_assurance_type.R: limits (1, 3), (5, 7), (1, 5) against target 4.
    [
        (1, 3, "consistently failing", "consistently passing"),
        (5, 7, "consistently passing", "consistently failing"),
        (1, 5, "hit and miss", "hit and miss"),
    ],
)
def test_assurance_cases_of_nhsrplotthedots(lower, upper, increase, decrease):
    # An XmR chart of two points a and b has mean (a+b)/2 and limits mean -/+ 2.66|b-a|.
    half = (upper - lower) / 2
    mid = (upper + lower) / 2
    step = half / 2.66
    values = [mid - step / 2, mid + step / 2]
    r = spc(values, improvement="increase", target=4)
    assert r.table["lower"].iloc[-1] == pytest.approx(lower)
    assert r.table["upper"].iloc[-1] == pytest.approx(upper)
    assert r.assurance == increase
    assert spc(values, improvement="decrease", target=4).assurance == decrease


def test_two_in_three_opposite_sides_is_common_cause_as_nhsrplotthedots():
    # test-ptd_spc_standard.R: symmetric data with the last two points near opposite limits.
    data = [1.0, -1.0] * 8
    data[14], data[15] = 5.5, -5.5
    t = spc(data, improvement="increase").table
    assert t["point_type"].iloc[-2:].tolist() == ["common cause", "common cause"]


def test_two_in_three_part_of_as_nhsrplotthedots():
    # test-ptd_calculate_point_type.R, ptd_part_of_two_in_three: c(1,0,0,1,1) -> c(0,0,0,1,1).
    assert _two_of_three(np.array([1, 0, 0, 1, 1], dtype=bool), np.ones(5, dtype=int)).tolist() == [
        False, False, False, True, True,
    ]  # fmt: skip


def test_hand_worked_shift():
    # 10 points alternating 10, 11, then 8 points at 11: the mean is (50 + 55 + 88) / 18 =
    # 10.72, so the last 9 points (the alternation's final 11 and the 8) lie above it: a shift.
    # Moving ranges: nine of 1, eight of 0, so the limits are 10.72 -/+ 2.66 x 9/17 (9.31 to
    # 12.13) and the near limits 10.72 -/+ 0.94: no point is near or beyond a limit.
    values = [10, 11] * 5 + [11] * 8
    r = spc(values, improvement="decrease")
    t = r.table
    assert t["centre"].iloc[0] == pytest.approx(193 / 18)
    assert t["upper"].iloc[0] == pytest.approx(193 / 18 + 2.66 * 9 / 17)
    assert t["rule"].iloc[-9:].tolist() == ["shift"] * 9
    assert not t["special_cause"].iloc[:9].any()
    # Above the mean where lower is better: concern, shown with the high icon.
    assert r.variation == "special cause concern" and r.variation_icon == "concern_high"
    up = spc(values, improvement="increase")
    assert up.variation == "special cause improvement" and up.variation_icon == "improvement_high"
    flat = spc(values, improvement="neutral")
    assert flat.variation == "special cause neutral" and flat.variation_icon == "neutral_high"


def test_hand_worked_trend():
    # 8 points alternating 20, 22, then 7 points falling by 0.5 from 21.5 to 18.5: every point
    # stays inside the limits (mean 20.5, moving range about 1.5), the falling run is a trend.
    values = [20, 22] * 4 + [21.5, 21, 20.5, 20, 19.5, 19, 18.5]
    r = spc(values, improvement="decrease")
    t = r.table
    assert not (t["rule"] == "outside limits").any()
    assert t["rule"].iloc[-7:].tolist() == ["trend"] * 7
    assert r.variation == "special cause improvement" and r.variation_icon == "improvement_low"
    assert spc(values, improvement="increase").variation_icon == "concern_low"


def test_hand_worked_point_outside_limits():
    # 12 points alternating 50, 52, then 60: the mean is 672 / 13 = 51.69; the moving ranges are
    # eleven of 2 and one of 8, mean 2.5 (8 is below 3.267 x 2.5, so nothing is screened out);
    # the limits are 51.69 -/+ 2.66 x 2.5 = 45.04 to 58.34, and 60 lies above them.
    values = [50, 52] * 6 + [60]
    r = spc(values, improvement="increase")
    assert r.table["centre"].iloc[-1] == pytest.approx(672 / 13)
    assert r.table["upper"].iloc[-1] == pytest.approx(672 / 13 + 2.66 * 2.5)
    assert r.table["rule"].iloc[-1] == "outside limits"
    assert not r.table["special_cause"].iloc[:-1].any()
    assert r.variation == "special cause improvement" and r.variation_icon == "improvement_high"
    # Target outside the limits: 44 is below the lower limit (always passed where higher is
    # better), 59 above the upper one (never reached).
    assert spc(values, improvement="increase", target=44).assurance == "consistently passing"
    assert spc(values, improvement="increase", target=59).assurance == "consistently failing"
    assert spc(values, improvement="decrease", target=59).assurance == "consistently passing"
    assert spc(values, improvement="decrease", target=44).assurance == "consistently failing"
    # Target inside the limits: hit and miss.
    assert spc(values, improvement="increase", target=51).assurance == "hit and miss"


def test_rules_versions_differ_only_on_two_sigma():
    # 20 points alternating 10, 11, then 12.8 (between 2 and 3 sigma) and 15 (beyond 3 sigma),
    # then 10. NHSRplotthedots 0.2.2 counts only points between 2 and 3 sigma for "2 of 3", so
    # 12.8 is common cause; Making Data Count's November 2023 rule counts 15 too, so 12.8 joins
    # it as a special cause (issue #194).
    values = [10, 11] * 10 + [12.8, 15, 10]
    old = spc(values, improvement="increase").table
    new = spc(values, improvement="increase", rules="mdc-2023").table
    assert old["near_upper"].iloc[0] < 12.8 < old["upper"].iloc[0] < 15
    assert old["rule"].iloc[-3:].tolist() == ["", "outside limits", ""]
    assert new["rule"].iloc[-3:].tolist() == ["two of three", "outside limits", ""]
    assert set(RULES) == {"ptd-0.2.2", "mdc-2023"}
    assert spc(values).rules == "ptd-0.2.2"
    with pytest.raises(ValueError, match="rules"):
        spc(values, rules="mdc-2019")


def test_trend_direction_reads_the_next_step_as_nhsrplotthedots():
    # A rise of 7 then a fall of 7 sharing the peak: the peak takes the step after it (falling).
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1.0]
    member, direction = _trends(np.array(values), 7)
    assert member.all()
    assert direction.tolist() == [1] * 6 + [-1] * 7


def test_target_must_be_a_number():
    with pytest.raises(ValueError, match="target"):
        spc([1, 2, 3], target=float("nan"))
    with pytest.raises(ValueError, match="target"):
        spc([1, 2, 3], target="5")

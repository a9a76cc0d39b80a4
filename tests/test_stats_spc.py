"""SPC charts (sscb_analysis.stats.spc). Rule behaviour follows NHSRplotthedots' own unit tests
(tests/testthat/test-ptd_calculate_point_type.R); limits are recomputed by hand here."""

import numpy as np
import pandas as pd
import pytest

from sscb_analysis.stats import spc
from sscb_analysis.stats.spc import _runs, _trends, _two_of_three


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
    assert spc(values, improvement="increase", target=51).assurance == "inconsistent"
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

"""likert_summary and funnel limits (sscb_analysis.stats.likert, sscb_analysis.stats.funnel)."""

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from scipy import stats

from sscb_analysis.stats import funnel_limits, funnel_points, likert_summary, wilson_ci


def test_likert_top_box_share():
    counts = {
        "Very satisfied": 60,
        "fairly satisfied ": 32,
        "Neither satisfied nor dissatisfied": 5,
        "fairly dissatisfied": 2,
        "very dissatisfied": 1,
    }
    s = likert_summary(counts)
    ci = wilson_ci(92, 100)
    assert (s.top_box, s.base, s.share) == (92, 100, 0.92)
    assert (s.lower, s.upper) == (ci.lower, ci.upper)
    assert not s.suppressed
    assert (
        s.describe() == "92% of 100 respondents were very or fairly satisfied (95% CI 85% to 96%)."
    )


def test_likert_suppressed_below_minimum_base():
    s = likert_summary({"very satisfied": 6, "fairly satisfied": 2})
    assert s.suppressed and np.isnan(s.share)
    assert "only 8 answers, below the minimum of 10" in s.reason
    assert "not shown" in s.describe()
    assert likert_summary({"very satisfied": 0}).reason == "no answers were recorded"


def test_likert_errors():
    with pytest.raises(ValueError, match="none of the top answers"):
        likert_summary({"yes": 4, "no": 8})
    with pytest.raises(ValueError, match="negative"):
        likert_summary({"very satisfied": -1})
    with pytest.raises(TypeError):
        likert_summary([1, 2, 3])


def _interpolated_limit_by_hand(q, n, p0):
    """Spiegelhalter (2005) appendix A.1.1 with exact fractions: smallest r with F(r) >= q,
    alpha = (F(r) - q) / (F(r) - F(r - 1)), limit = (r - alpha) / n."""
    p = Fraction(p0)
    cdf, prev = Fraction(0), Fraction(0)
    for r in range(n + 1):
        prev, cdf = cdf, cdf + comb(n, r) * p**r * (1 - p) ** (n - r)
        if cdf >= q:
            alpha = (cdf - Fraction(q)) / (cdf - prev)
            return float((r - alpha) / n)
    raise AssertionError


@pytest.mark.parametrize("n", [10, 57, 200])
def test_exact_funnel_limits_match_hand_calculation(n):
    lim = funnel_limits([n], 0.2)
    for level, key in ((0.95, "95"), (0.998, "99_8")):
        lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
        assert lim[f"lower_{key}"].iloc[0] == pytest.approx(
            max(0.0, _interpolated_limit_by_hand(lo_q, n, 0.2)), abs=1e-9
        )
        assert lim[f"upper_{key}"].iloc[0] == pytest.approx(
            _interpolated_limit_by_hand(hi_q, n, 0.2), abs=1e-9
        )


@pytest.mark.parametrize("method", ["exact", "phe"])
def test_funnel_limits_approach_normal_for_large_n(method):
    n, p0 = 20000, 0.3
    lim = funnel_limits([n], p0, method=method)
    z = stats.norm.ppf(0.975)
    half = z * np.sqrt(p0 * (1 - p0) / n)
    assert lim["lower_95"].iloc[0] == pytest.approx(p0 - half, abs=3e-4)
    assert lim["upper_95"].iloc[0] == pytest.approx(p0 + half, abs=3e-4)


def test_funnel_limits_widen_for_small_n_and_stay_in_range():
    lim = funnel_limits(np.arange(1, 500), 0.15)
    assert (lim["lower_99_8"] >= 0).all() and (lim["upper_99_8"] <= 1).all()
    assert (lim["lower_99_8"] <= lim["lower_95"] + 1e-12).all()
    assert lim["upper_95"].iloc[-1] < lim["upper_95"].iloc[10]
    with pytest.raises(ValueError, match="p0"):
        funnel_limits([10], 0)
    with pytest.raises(ValueError, match="positive whole"):
        funnel_limits([0, 10], 0.2)


def test_funnel_points_classification():
    pts = funnel_points([30, 10, 200, 40, 2], [100, 100, 1000, 100, 100], 0.2, labels=list("ABCDE"))
    assert pts["position"].tolist() == [
        "above 95%",
        "below 95%",
        "within",
        "above 99.8%",
        "below 99.8%",
    ]
    pooled = funnel_points([10, 20], [100, 100])
    assert pooled["p0"].iloc[0] == pytest.approx(0.15)
    with pytest.raises(ValueError, match="cannot be larger"):
        funnel_points([11], [10], 0.2)

"""Comparisons and tests (sscb_analysis.stats.tests), checked against independent calculations."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import Table

from sscb_analysis.stats import (
    adjust_p,
    compare_counts,
    compare_proportions,
    compare_to_value,
    trend_in_proportions,
)


def test_compare_counts_24_against_4():
    r = compare_counts(24, 4)
    # Reference (issue): exact conditional p = 0.00018; independently, conditional on the total of
    # 28 the first count is Binomial(28, 0.5) under no change.
    assert r.p_value == pytest.approx(0.00018, abs=5e-6)
    assert r.p_value == pytest.approx(stats.binomtest(24, 28, 0.5).pvalue, rel=1e-9)
    assert r.estimate == 6.0
    assert r.describe(what="Second or subsequent plans", unit="a quarter") == (
        "Second or subsequent plans fell from 24 to 4 a quarter "
        "(rate ratio 6.0, 95% CI 2.2 to 16.5; exact test p = 0.0002)."
    )
    text = " ".join(r.caveats)
    assert "regression to the mean" in text and "too few" in text


def test_compare_counts_score_interval_solves_score_equation():
    # The score interval's ends are where the score statistic (y1 - y2 R)/sqrt((y1 + y2) R)
    # equals -1.96 and +1.96 (Gu et al. 2008; equal exposures).
    r = compare_counts(24, 4)
    z = stats.norm.ppf(0.975)
    for bound, sign in ((r.lower, 1), (r.upper, -1)):
        stat = (24 - 4 * bound) / math.sqrt(28 * bound)
        assert stat == pytest.approx(sign * z, abs=1e-4)


def test_compare_counts_with_exposure_and_zero():
    r = compare_counts(10, 10, exposure1=2, exposure2=1)
    assert r.estimate == 0.5
    z = compare_counts(5, 0)
    assert z.p_value == pytest.approx(2 * 0.5**5)
    assert math.isinf(z.estimate) and math.isinf(z.upper) and z.lower > 0
    both = compare_counts(0, 0)
    assert math.isnan(both.estimate) and both.p_value == 1.0
    with pytest.raises(ValueError, match="negative"):
        compare_counts(-1, 3)
    with pytest.raises(ValueError, match="exposure"):
        compare_counts(1, 3, exposure1=0)


@pytest.mark.parametrize(
    "x1,n1,x2,n2,lo,hi",
    [
        # Newcombe (1998) Stat Med 17:873, Table II, method 10.
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
    ],
)
def test_newcombe_interval(x1, n1, x2, n2, lo, hi):
    r = compare_proportions(x1, n1, x2, n2)
    assert r.estimate == pytest.approx(x1 / n1 - x2 / n2)
    assert r.lower == pytest.approx(lo, abs=5e-5)
    assert r.upper == pytest.approx(hi, abs=5e-5)


def test_compare_proportions_score_test_is_uncorrected_chi_square():
    r = compare_proportions(56, 70, 48, 80)
    chi2, p, _, _ = stats.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert r.p_value == pytest.approx(p, rel=1e-9)
    assert r.statistic**2 == pytest.approx(chi2)
    assert r.method.startswith("score test")


def test_compare_proportions_uses_fisher_for_small_expected_counts():
    r = compare_proportions(9, 10, 3, 10)
    assert r.method.startswith("Fisher")
    # Independent: two-sided Fisher p by summing hypergeometric probabilities <= observed.
    h = stats.hypergeom(20, 12, 10)
    p_obs = h.pmf(9)
    p = sum(h.pmf(k) for k in range(2, 11) if h.pmf(k) <= p_obs * (1 + 1e-7))
    assert r.p_value == pytest.approx(p, rel=1e-9)


def test_compare_proportions_errors():
    with pytest.raises(ValueError, match="n1 is 0"):
        compare_proportions(0, 0, 1, 2)
    with pytest.raises(ValueError, match="cannot be larger"):
        compare_proportions(3, 2, 1, 2)


def test_compare_to_value_exact_binomial():
    r = compare_to_value(40, 100, 0.31)
    # Independent: two-sided exact p as R's binom.test (sum of probabilities <= the observed one).
    pmf = stats.binom.pmf(np.arange(101), 100, 0.31)
    p = pmf[pmf <= pmf[40] * (1 + 1e-7)].sum()
    assert r.p_value == pytest.approx(p, rel=1e-7)
    assert (r.lower, r.upper) == pytest.approx((0.3094, 0.4980), abs=5e-4)
    assert "benchmark of 31.0%" in r.describe("The repeat rate")
    with pytest.raises(ValueError, match="p0"):
        compare_to_value(4, 10, 1.5)


def test_cochran_armitage_matches_r_prop_trend_test():
    # R documentation example for prop.trend.test (smokers/patients): X-squared = 8.2249,
    # p-value = 0.004132.
    r = trend_in_proportions([83, 90, 129, 70], [86, 93, 136, 82])
    assert r.statistic**2 == pytest.approx(8.2249, abs=5e-5)
    assert r.p_value == pytest.approx(0.004132, abs=5e-7)
    assert r.statistic < 0  # proportions fall with the score


def test_cochran_armitage_against_linear_by_linear():
    # Independent route: the linear-by-linear statistic (statsmodels) is (N - 1) r^2, the
    # Cochran-Armitage chi-square N r^2.
    x, n = np.array([5, 9, 14, 20]), np.array([40, 42, 39, 41])
    tab = Table(np.column_stack([x, n - x]))
    lbl = tab.test_ordinal_association(row_scores=np.arange(4), col_scores=np.array([0, 1]))
    big_n = n.sum()
    r = trend_in_proportions(x, n)
    assert r.statistic**2 == pytest.approx(lbl.zscore**2 * big_n / (big_n - 1), rel=1e-9)
    assert r.estimate > 0


def test_trend_in_proportions_errors_and_constant():
    with pytest.raises(ValueError, match="at least 3"):
        trend_in_proportions([1, 2], [5, 5])
    with pytest.raises(ValueError, match="n of 0"):
        trend_in_proportions([1, 2, 0], [5, 5, 0])
    r = trend_in_proportions([0, 0, 0], [5, 6, 7])
    assert r.p_value == 1.0
    assert r.describe("The share") == (
        "The share showed no change (no test: every case has the same outcome)."
    )


def test_trend_in_proportions_describe_in_percentage_points():
    # By hand: 40%, 50%, 60% of 100 at scores 0, 1, 2 is a slope of exactly 0.1 a step;
    # pbar = 0.5, Sxx = sum n (s - 1)^2 = 200, so se = sqrt(0.25 / 200) = 0.035355 and the 95%
    # interval is 0.1 -/+ 1.959964 * 0.035355 = 0.0307 to 0.1693; T = 20, z = 20 / sqrt(50)
    # = 2.8284, two-sided p = 0.00468.
    r = trend_in_proportions([40, 50, 60], [100, 100, 100])
    assert r.describe("The share very satisfied", unit="a year") == (
        "The share very satisfied rose by 10.0 percentage points a year "
        "(95% CI +3.1 to +16.9 points a year; trend test p = 0.005)."
    )
    falling = trend_in_proportions([60, 50, 40], [100, 100, 100])
    assert falling.describe() == (
        "The figure fell by 10.0 percentage points per step "
        "(95% CI -16.9 to -3.1 points per step; trend test p = 0.005)."
    )
    # Other results keep their wording: a difference in proportions is still in points.
    diff = compare_proportions(30, 100, 20, 100)
    assert "percentage points" in diff.describe("The share")
    assert "change in proportion" not in r.describe()


def test_adjust_p_holm_and_bh_by_hand():
    p = [0.01, 0.04, 0.03, 0.5]
    # Holm: sorted 0.01, 0.03, 0.04, 0.5 times 4, 3, 2, 1 = 0.04, 0.09, 0.08, 0.5; made monotone.
    assert adjust_p(p) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    # BH: p_(i) m / i = 0.04, 0.06, 0.0533, 0.5; cumulative minimum from the top.
    assert adjust_p(p, "bh") == pytest.approx([0.04, 0.0533333, 0.0533333, 0.5])
    s = adjust_p(pd.Series([0.02, np.nan, 0.04], index=list("abc")), "fdr_bh")
    assert list(s.index) == ["a", "b", "c"] and np.isnan(s["b"])
    assert s["a"] == pytest.approx(0.04)
    with pytest.raises(ValueError, match="method"):
        adjust_p(p, "sidak-ish")
    with pytest.raises(ValueError, match="between 0 and 1"):
        adjust_p([1.2])

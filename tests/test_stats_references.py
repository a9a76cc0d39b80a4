"""Statistics checked against values published by other implementations and textbooks.

Each test names its source; the numbers are copied from it (facts, not code), never computed by
the function under test. Sources:

- PHEindicatormethods 2.1.0 (github.com/ukhsa-collaboration/PHEindicatormethods, commit 093fd28):
  tests/testthat/testdata_Byars_Wilson.xlsx (Byar and Wilson limits) and
  tests/testthat/testdata_funnel_prop_outputs.csv (PHE funnel limits for proportions).
- R (stats package) help pages: ``binom.test`` (Mendel's peas), ``poisson.test`` (two rates) and
  ``prop.trend.test`` (smokers with a non-default score).
- Newcombe RG (1998) "Two-sided confidence intervals for the single proportion", Statistics in
  Medicine 17:857, Table I (method 3, the Wilson score interval).
- Montgomery DC, Introduction to Statistical Quality Control (6th ed.), examples 7.1 (p chart)
  and 7.3 (c chart): limits quoted to 4 figures.
"""

import math

import pytest

from sscb_analysis.stats import (
    compare_counts,
    compare_to_value,
    count_ci,
    funnel_limits,
    spc,
    trend_in_proportions,
    wilson_ci,
)


@pytest.mark.parametrize(
    ("x", "conf", "lower", "upper"),
    # PHEindicatormethods testdata_Byars_Wilson.xlsx, method "Byars" (counts of 10 or more, where
    # count_ci uses Byar's method as PHE does; below 10 it is exact and checked elsewhere).
    [
        (65, 0.95, 50.163187710459454, 82.84913854593984),
        (1045, 0.95, 982.5932018073325, 1110.33121298565),
        (65, 0.998, 42.8802614714802, 94.00029084431802),
        (1045, 0.998, 947.9407035610374, 1148.806160988033),
        (10, 0.998, 2.916318374695686, 24.193724927880535),
    ],
)
def test_byar_matches_phe_indicator_methods(x, conf, lower, upper):
    ci = count_ci(x, conf)
    assert ci.method == "Byar's method"
    assert (ci.lower, ci.upper) == pytest.approx((lower, upper), rel=1e-12)


@pytest.mark.parametrize(
    ("x", "n", "conf", "lower", "upper"),
    # PHEindicatormethods testdata_Byars_Wilson.xlsx, method "Wilson".
    [
        (65, 100, 0.95, 0.5525444329688797, 0.7363575175690247),
        (1045, 5000, 0.95, 0.19795549880013297, 0.22049130373189027),
        (65, 100, 0.998, 0.4954946574070431, 0.7783540614089697),
        (1045, 5000, 0.998, 0.19179381799015244, 0.22731562902525818),
    ],
)
def test_wilson_matches_phe_indicator_methods(x, n, conf, lower, upper):
    ci = wilson_ci(x, n, conf)
    assert (ci.lower, ci.upper) == pytest.approx((lower, upper), rel=1e-12)


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    # Newcombe (1998) Table I, method 3 (score interval without continuity correction).
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table_one(x, n, lower, upper):
    ci = wilson_ci(x, n)
    assert ci.lower == pytest.approx(lower, abs=5e-5)
    assert ci.upper == pytest.approx(upper, abs=5e-5)


# PHEindicatormethods testdata_funnel_prop_outputs.csv (calculate_funnel_limits, statistic
# "proportion", multiplier 100, type "standard"): Population, 95% lower, 95% upper, 99.8% lower,
# 99.8% upper, in percent to 6 decimals. The baseline is sum(numerator) / sum(denominator) of
# testdata_funnel_prop_inputs.csv, 0.806424478571495 (the outputs print it as 80.642448).
PHE_BASELINE = 0.806424478571495
PHE_FUNNEL_ROWS = [
    (1, 3.204264, 100, 0, 100),
    (2, 25.885383, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (10, 56.154344, 100, 42.03259, 100),
    (68, 71.251689, 90.033207, 65.836243, 95.448652),
    (908, 78.072571, 83.212324, 76.59058, 84.694316),
    (4818, 79.526814, 81.758082, 78.883452, 82.401444),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


def test_phe_funnel_limits_match_phe_indicator_methods():
    n = [row[0] for row in PHE_FUNNEL_ROWS]
    lim = funnel_limits(n, PHE_BASELINE, method="phe")
    columns = ("lower_95", "upper_95", "lower_99_8", "upper_99_8")
    for i, row in enumerate(PHE_FUNNEL_ROWS):
        for column, published in zip(columns, row[1:], strict=True):
            # published to 6 decimals of a percentage: 5e-9 as a proportion
            assert lim[column].iloc[i] == pytest.approx(published / 100, abs=1e-8), (row, column)


def test_compare_to_value_matches_r_binom_test():
    # R ?binom.test, Mendel's peas: binom.test(c(682, 243), p = 3/4) gives p-value = 0.3825.
    r = compare_to_value(682, 925, 0.75)
    assert r.p_value == pytest.approx(0.3825, abs=5e-5)
    assert r.estimate == pytest.approx(0.7372973, abs=5e-8)


def test_compare_counts_p_value_matches_r_poisson_test():
    # R ?poisson.test: poisson.test(c(11, 6 + 8 + 7), c(800, 1083 + 1050 + 878)) gives
    # p-value = 0.07967 and rate ratio 1.971488 (the conditional binomial test, as ours).
    r = compare_counts(11, 21, exposure1=800, exposure2=3011)
    assert r.p_value == pytest.approx(0.07967, abs=5e-6)
    assert r.estimate == pytest.approx(1.971488, abs=5e-7)
    # R's interval there (0.8584264 to 4.2772659) is the exact Clopper-Pearson one; ours is the
    # score interval, which is narrower but must overlap it and contain the estimate.
    assert 0.8584264 < r.lower < r.estimate < r.upper < 4.2772659


def test_compare_counts_zero_count_interval_matches_r_poisson_test():
    # With a zero count, compare_counts uses the exact conditional interval, as R's poisson.test:
    # binom.test(5, 5) has lower limit 0.025^(1/5) = 0.4781762 (Clopper-Pearson for x = n), so
    # poisson.test(c(5, 0)) gives the rate-ratio interval 0.4781762 / (1 - 0.4781762) = 0.9163559
    # to Inf; with exposures the ratio is scaled by T2 / T1.
    r = compare_counts(5, 0)
    assert r.lower == pytest.approx(0.9163559, abs=5e-8)
    assert math.isinf(r.upper)
    # poisson.test(c(0, 6), c(2, 3)): binom.test(0, 6) upper limit 1 - 0.025^(1/6) = 0.4592581,
    # ratio 0.4592581 / 0.5407419 x 3 / 2 = 1.273967.
    r = compare_counts(0, 6, exposure1=2, exposure2=3)
    assert r.lower == 0.0 and r.estimate == 0.0
    assert r.upper == pytest.approx(1.273967, abs=5e-7)


def test_trend_with_scores_matches_r_prop_trend_test():
    # R ?prop.trend.test: prop.trend.test(smokers, patients, c(0, 0, 0, 1)) gives
    # X-squared = 12.173, p-value = 0.0004848.
    r = trend_in_proportions([83, 90, 129, 70], [86, 93, 136, 82], scores=[0, 0, 0, 1])
    assert r.statistic**2 == pytest.approx(12.173, abs=5e-4)
    assert r.p_value == pytest.approx(0.0004848, abs=5e-8)


def test_p_chart_limits_match_montgomery_example():
    # Montgomery example 7.1 (orange juice cans): 30 samples of 50, 347 nonconforming in all,
    # p-bar 0.2313, UCL 0.4102, LCL 0.0524. The limits depend only on the total and the sample
    # size, so any 30 counts adding to 347 give them.
    counts = [12] * 17 + [11] * 13
    assert sum(counts) == 347
    t = spc(counts, kind="p", denominators=[50] * 30).table
    assert t["centre"].iloc[0] == pytest.approx(0.2313, abs=5e-5)
    assert t["upper"].iloc[0] == pytest.approx(0.4102, abs=5e-5)
    assert t["lower"].iloc[0] == pytest.approx(0.0524, abs=5e-5)


def test_c_chart_limits_match_montgomery_example():
    # Montgomery example 7.3 (printed circuit boards): 516 nonconformities in 26 samples,
    # c-bar 19.85, UCL 33.22, LCL 6.48 (Montgomery rounds c-bar before adding 3 sqrt(c-bar)).
    counts = [20] * 22 + [19] * 4
    assert sum(counts) == 516
    t = spc(counts, kind="c").table
    assert t["centre"].iloc[0] == pytest.approx(19.85, abs=5e-3)
    assert t["upper"].iloc[0] == pytest.approx(33.22, abs=0.01)
    assert t["lower"].iloc[0] == pytest.approx(6.48, abs=0.01)


def test_compare_counts_score_interval_with_exposures_is_the_mapped_wilson_interval():
    # Given the total N, c1 is Binomial(N, pi) with pi = R e1 / (R e1 + e2), and the Poisson
    # rate-ratio score interval is the Wilson interval for pi mapped to R = pi / (1 - pi) x e2 / e1
    # (Gu, Ng, Tang and Schucany 2008, Biometrical Journal 50:194). Independent route:
    # statsmodels proportion_confint(method="wilson").
    from statsmodels.stats.proportion import proportion_confint

    for c1, c2, e1, e2 in ((11, 21, 800, 3011), (24, 4, 1, 1), (7, 30, 2.5, 4)):
        lo, hi = proportion_confint(c1, c1 + c2, alpha=0.05, method="wilson")
        r = compare_counts(c1, c2, exposure1=e1, exposure2=e2)
        assert r.lower == pytest.approx(lo / (1 - lo) * e2 / e1, rel=1e-6)
        assert r.upper == pytest.approx(hi / (1 - hi) * e2 / e1, rel=1e-6)

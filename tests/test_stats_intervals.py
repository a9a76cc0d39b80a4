"""Intervals: Wilson for proportions, exact / Byar for counts (sscb_analysis.stats.intervals)."""

import math

import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from sscb_analysis.stats import count_ci, wilson_ci


def test_wilson_92_of_100_matches_published_value():
    # Reference given in the issue (Wilson 1927 formula): 0.8500 to 0.9589.
    ci = wilson_ci(92, 100)
    assert ci.lower == pytest.approx(0.8500, abs=5e-5)
    assert ci.upper == pytest.approx(0.9589, abs=5e-5)
    assert ci.estimate == 0.92 and ci.n == 100 and ci.method == "Wilson score interval"


@pytest.mark.parametrize("x,n", [(0, 10), (1, 10), (5, 7), (10, 10), (31, 100), (3, 1000)])
def test_wilson_agrees_with_statsmodels(x, n):
    # Independent implementation: statsmodels proportion_confint(method="wilson").
    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    ci = wilson_ci(x, n)
    assert ci.lower == pytest.approx(lo, abs=1e-12)
    assert ci.upper == pytest.approx(hi, abs=1e-12)


def test_wilson_accepts_confidence_as_percent():
    assert wilson_ci(20, 50, 95) == wilson_ci(20, 50, 0.95)
    lo, hi = proportion_confint(20, 50, alpha=0.002, method="wilson")
    ci = wilson_ci(20, 50, 99.8)
    assert (ci.lower, ci.upper) == pytest.approx((lo, hi))


def test_wilson_edges():
    assert wilson_ci(0, 10).lower == 0.0
    assert wilson_ci(10, 10).upper == 1.0
    assert any("All or none" in c for c in wilson_ci(0, 10).caveats)
    with pytest.raises(ValueError, match="n is 0"):
        wilson_ci(0, 0)
    with pytest.raises(ValueError, match="cannot be larger"):
        wilson_ci(11, 10)
    with pytest.raises(ValueError, match="negative"):
        wilson_ci(-1, 10)
    with pytest.raises(ValueError, match="whole number"):
        wilson_ci(2.5, 10)
    with pytest.raises(TypeError):
        wilson_ci("3", 10)
    with pytest.raises(ValueError, match="confidence"):
        wilson_ci(3, 10, 0)


def test_wilson_describe_is_a_sentence():
    text = wilson_ci(92, 100).describe("Very satisfied")
    assert (
        text == "Very satisfied: 92.0% (95% CI 85.0% to 95.9%; 92 of 100; Wilson score interval)."
    )


def test_exact_count_interval_for_5():
    # Reference (issue; Garwood 1936 exact limits): 1.6235 to 11.6683.
    ci = count_ci(5)
    assert ci.method.startswith("exact")
    assert ci.lower == pytest.approx(1.6235, abs=5e-5)
    assert ci.upper == pytest.approx(11.6683, abs=5e-5)


@pytest.mark.parametrize("x", [0, 1, 4, 9])
def test_exact_below_10_agrees_with_statsmodels(x):
    lo, hi = confint_poisson(x, 1, method="exact-c", alpha=0.05)
    ci = count_ci(x)
    assert ci.lower == pytest.approx(0 if x == 0 else lo, abs=1e-9)
    assert ci.upper == pytest.approx(hi, abs=1e-9)


@pytest.mark.parametrize("x,conf", [(10, 0.95), (65, 0.95), (1045, 0.998), (10, 99.8)])
def test_byar_from_10_matches_phe_formula(x, conf):
    # PHEindicatormethods R/Byars.R: lower = x(1 - 1/(9x) - z/(3 sqrt x))^3,
    # upper = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3, z = qnorm(conf + (1 - conf)/2).
    c = conf / 100 if conf > 1 else conf
    z = stats.norm.ppf(c + (1 - c) / 2)
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    ci = count_ci(x, conf)
    assert ci.method == "Byar's method"
    assert (ci.lower, ci.upper) == pytest.approx((lower, upper), rel=1e-12)


def test_byar_for_10_is_close_to_exact():
    # The issue quotes 4.7954 to 18.3904 for 10: those are the exact (chi-square) limits; Byar's
    # approximation (used from 10, as PHE does) gives 4.7874 to 18.3915, within 0.01.
    lo, hi = confint_poisson(10, 1, method="exact-c", alpha=0.05)
    assert (lo, hi) == pytest.approx((4.7954, 18.3904), abs=5e-5)
    ci = count_ci(10)
    assert ci.lower == pytest.approx(4.7874, abs=5e-5)
    assert ci.upper == pytest.approx(18.3915, abs=5e-5)


def test_count_ci_rate_with_exposure():
    ci = count_ci(20, exposure=2.0)
    base = count_ci(20)
    assert ci.estimate == 10 and ci.kind == "rate"
    assert (ci.lower, ci.upper) == pytest.approx((base.lower / 2, base.upper / 2))
    with pytest.raises(ValueError, match="exposure"):
        count_ci(3, exposure=0)
    with pytest.raises(ValueError, match="negative"):
        count_ci(-2)

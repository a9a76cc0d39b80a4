"""count_trend: Poisson / quasi-Poisson / segmented regression, checked against a hand-written
Newton-Raphson fit of the Poisson log-likelihood (an independent route from statsmodels' IRLS)."""

import math

import numpy as np
import pytest
from scipy import stats

from sscb_analysis.stats import count_trend


def _newton_poisson(y, x, offset):
    """Maximise the Poisson log-likelihood by Newton-Raphson; return beta, se, pearson chi2."""
    beta = np.zeros(x.shape[1])
    beta[0] = math.log(y.mean())
    for _ in range(100):
        mu = np.exp(x @ beta + offset)
        grad = x.T @ (y - mu)
        hess = x.T @ (x * mu[:, None])
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.abs(step).max() < 1e-12:
            break
    mu = np.exp(x @ beta + offset)
    cov = np.linalg.inv(x.T @ (x * mu[:, None]))
    pearson = float(((y - mu) ** 2 / mu).sum())
    return beta, np.sqrt(np.diag(cov)), pearson


def test_poisson_trend_matches_newton_raphson():
    y = np.array([20, 22, 25, 30, 28, 35, 40, 38, 45, 50], dtype=float)
    t = np.arange(10.0)
    x = np.column_stack([np.ones(10), t])
    beta, se, pearson = _newton_poisson(y, x, np.zeros(10))
    r = count_trend(y.astype(int))
    assert r.method == "Poisson regression"
    assert r.rate_ratio == pytest.approx(math.exp(beta[1]), rel=1e-8)
    z = stats.norm.ppf(0.975)
    assert r.lower == pytest.approx(math.exp(beta[1] - z * se[1]), rel=1e-6)
    assert r.upper == pytest.approx(math.exp(beta[1] + z * se[1]), rel=1e-6)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(abs(beta[1] / se[1])), rel=1e-5)
    assert r.dispersion == pytest.approx(pearson / 8, rel=1e-8)
    assert "rose by" in r.describe("Referrals", "quarter")


def test_exposure_offset():
    y = np.array([10, 12, 15, 14, 18, 20])
    e = np.array([1000, 1100, 1200, 1250, 1300, 1400], dtype=float)
    x = np.column_stack([np.ones(6), np.arange(6.0)])
    beta, _, _ = _newton_poisson(y.astype(float), x, np.log(e))
    r = count_trend(y, exposure=e)
    assert r.rate_ratio == pytest.approx(math.exp(beta[1]), rel=1e-8)


def test_overdispersion_switches_to_quasi_poisson():
    y = np.array([5, 40, 8, 60, 10, 70, 12, 90, 9, 100, 15, 120])
    x = np.column_stack([np.ones(12), np.arange(12.0)])
    beta, se, pearson = _newton_poisson(y.astype(float), x, np.zeros(12))
    dispersion = pearson / 10
    r = count_trend(y)
    assert r.dispersion == pytest.approx(dispersion, rel=1e-8) and dispersion > 1.5
    assert r.method == "quasi-Poisson regression"
    z = stats.norm.ppf(0.975)
    se_q = se[1] * math.sqrt(dispersion)
    assert r.upper == pytest.approx(math.exp(beta[1] + z * se_q), rel=1e-6)
    assert any("quasi-Poisson" in c for c in r.caveats)


def test_segmented_model_level_and_slope_change():
    y = np.array([30, 32, 31, 35, 34, 36, 37, 38, 20, 19, 18, 18, 17, 16, 15, 15])
    k, bp = len(y), 8
    t = np.arange(k, dtype=float)
    post = (t >= bp).astype(float)
    x = np.column_stack([np.ones(k), t, post, post * (t - bp)])
    beta, se, pearson = _newton_poisson(y.astype(float), x, np.zeros(k))
    r = count_trend(y, breakpoint=bp)
    assert pearson / (k - 4) < 1.5
    assert r.method.startswith("segmented Poisson")
    z = stats.norm.ppf(0.975)
    assert r.level_change[2] == pytest.approx(math.exp(beta[2] + z * se[2]), rel=1e-6)
    assert r.level_change[0] == pytest.approx(math.exp(beta[2]), rel=1e-7)
    assert r.slope_change[0] == pytest.approx(math.exp(beta[3]), rel=1e-7)
    assert r.level_change[1] < r.level_change[0] < r.level_change[2]
    assert r.level_change[3] < 0.001
    assert "level moved by a factor of" in r.describe()
    assert not any("fewer than 8" in c for c in r.caveats)


def test_segmented_refuses_and_warns():
    with pytest.raises(ValueError, match="at least 3 periods on each side"):
        count_trend([5, 6, 7, 8, 9, 10], breakpoint=4)
    r = count_trend([5, 6, 7, 8, 4, 3, 2], breakpoint=4)
    assert any("fewer than 8" in c for c in r.caveats)


def test_count_trend_input_errors():
    with pytest.raises(ValueError, match="at least 3"):
        count_trend([4, 5])
    with pytest.raises(ValueError, match="all counts are zero"):
        count_trend([0, 0, 0, 0])
    with pytest.raises(ValueError, match="negative"):
        count_trend([3, -1, 4])
    with pytest.raises(ValueError, match="exposure"):
        count_trend([3, 1, 4], exposure=[1, 0, 1])
    assert any("Only 4 periods" in c for c in count_trend([3, 1, 4, 5]).caveats)


# --- separated counts: no maximum-likelihood estimate ------------------------------------------
#
# References: the existence condition of Haberman (1974, theorem 2.2) reduces, for a plain trend
# (intercept and time), to "the periods with a count are not all the first or all the last"; and
# statsmodels' own behaviour on such data (documented here): its IRLS stops with a coefficient
# of many units and a standard error larger still, which is no estimate. The exact conditional
# figures are checked against a brute-force enumeration of every multinomial split of the total.


def _brute_force_tail(total: int, weights: list[float], rr: float, end: int) -> float:
    """P(all ``total`` events fall in period ``end`` | total) by enumerating every split."""
    from itertools import product

    k = len(weights)
    probs = np.array([w * rr**i for i, w in enumerate(weights)])
    probs = probs / probs.sum()
    out = 0.0
    for split in product(range(total + 1), repeat=k):
        if sum(split) != total:
            continue
        coef = math.factorial(total) / math.prod(math.factorial(c) for c in split)
        p = coef * math.prod(probs[i] ** c for i, c in enumerate(split))
        if split[end] == total:
            out += p
    return out


def test_statsmodels_runs_off_on_separated_counts():
    """What the page used to get: statsmodels warns of perfect separation and stops with huge
    coefficients (exponentiating them raised OverflowError)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    y = np.array([5.0, 0.0, 0.0])
    x = sm.add_constant(np.arange(3.0))
    with pytest.warns(PerfectSeparationWarning):
        res = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    assert res.params[1] < -10 and res.bse[1] > 100


@pytest.mark.parametrize(
    ("counts", "exposure", "end"),
    [
        ([5, 0, 0], None, 0),
        ([0, 0, 7], [3, 4, 7], 2),
        ([2, 0, 0, 0], [2, 3, 1, 2], 0),
        ([0, 0, 0, 3], [1, 1, 2, 2], 3),
    ],
)
def test_separated_trend_is_the_exact_conditional_answer(counts, exposure, end):
    r = count_trend(counts, exposure=exposure)
    weights = exposure or [1.0] * len(counts)
    total = sum(counts)
    assert not r.estimable and r.method.startswith("exact conditional")
    assert r.p_value == pytest.approx(min(1, 2 * _brute_force_tail(total, weights, 1.0, end)))
    # the finite end of the interval leaves alpha/2 in the tail; the estimate is median-unbiased
    finite = r.upper if end == 0 else r.lower
    assert _brute_force_tail(total, weights, finite, end) == pytest.approx(0.025, rel=1e-6)
    assert _brute_force_tail(total, weights, r.rate_ratio, end) == pytest.approx(0.5, rel=1e-6)
    assert (r.lower == 0.0) if end == 0 else math.isinf(r.upper)
    assert "no rate of change can be estimated" in r.describe()
    assert "first" in r.caveats[0] if end == 0 else "last" in r.caveats[0]


def test_a_count_in_the_middle_is_not_separated():
    r = count_trend([0, 5, 0])
    assert r.estimable and r.rate_ratio == pytest.approx(1.0)


def test_separated_segmented_model_is_not_estimable():
    r = count_trend([3, 4, 5, 0, 0, 0], breakpoint=3)
    assert not r.estimable and math.isnan(r.p_value)
    assert r.level_change is None and r.slope_change is None
    assert "no level or slope change can be estimated" in r.describe()
    assert "No level or slope change" in r.caveats[0]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([5, 0, 0], False),
        ([0, 0, 4], False),
        ([0, 3, 0], True),
        ([1, 0, 1], True),
        ([2, 2, 2], True),
        ([0, 0, 0, 4, 5, 6], True),
    ],
)
def test_existence_check_matches_the_plain_trend_rule(counts, expected):
    from sscb_analysis.stats.trends import mle_exists

    y = np.array(counts, dtype=float)
    x = np.column_stack([np.ones(len(y)), np.arange(len(y), dtype=float)])
    assert mle_exists(x, y) is expected

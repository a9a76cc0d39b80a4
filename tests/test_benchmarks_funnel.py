"""Funnel plots and SPC charts on the published series.

The funnel classification is checked against an independent calculation with
scipy.stats.binom of the exact binomial limits with Spiegelhalter's interpolation
(Spiegelhalter 2005, Statistics in Medicine 24:1185, appendix A.1.1), the method Public Health
England's funnel plots of proportions follow, and against plain binomial tail probabilities.
"""

from __future__ import annotations

import math

import pytest
from matplotlib.figure import Figure
from scipy.stats import binom

from sscb_analysis.benchmarks import (
    funnel_classification,
    funnel_figure,
    funnel_input,
    la_series,
    la_spc,
    la_spc_figure,
)


def spiegelhalter_limit(q: float, n: int, p0: float) -> float:
    r = binom.ppf(q, n, p0)
    alpha = (binom.cdf(r, n, p0) - q) / (binom.cdf(r, n, p0) - binom.cdf(r - 1, n, p0))
    return (r - alpha) / n


def independent_position(x: int, n: int, p0: float) -> str:
    position = "within"
    for level in (0.95, 0.998):
        tail = (1 - level) / 2
        if x / n > spiegelhalter_limit(1 - tail, n, p0):
            position = f"above {100 * level:g}%"
        if x / n < spiegelhalter_limit(tail, n, p0):
            position = f"below {100 * level:g}%"
    return position


def test_funnel_input_for_southwark_2013():
    data = funnel_input(2013, la="Southwark")
    row = data.table[data.table["highlight"]]
    assert len(row) == 1
    assert (row["x"].iloc[0], row["n"].iloc[0]) == (49, 292)
    assert data.p0 == pytest.approx(7870 / 52680)  # England, D3 2012-13 (rounded to 10)
    assert data.england_n == 52680
    # every LA is either plotted or excluded with a reason; suppressed ones are not zeros
    assert len(data.table) + len(data.excluded) == 152
    assert (data.table["n"] > 0).all()
    assert "Darlington" in set(data.excluded["label"])
    assert data.excluded["reason"].str.contains("suppressed|not available").all()
    assert "England's 14.9%" in data.describe()


def test_southwark_classified_as_scipy_binomial_says_every_year():
    positions = {}
    for year in range(2013, 2026):
        data = funnel_input(year, la=210)
        points = funnel_classification(data)
        me = points[points["highlight"]].iloc[0]
        x, n = int(me["x"]), int(me["n"])
        expected = independent_position(x, n, data.p0)
        assert me["position"] == expected, (year, x, n)
        # plain tail probabilities agree in direction
        if me["position"].startswith("above 99.8"):
            assert binom.sf(x - 1, n, data.p0) < 0.001
        if me["position"].startswith("below 95"):
            assert binom.cdf(x, n, data.p0) < 0.05
        positions[year] = me["position"]
    # 2013-14 (8.9% against 15.8%) sits below; 2022-23 (29.3% against 23.6%) above
    assert positions[2014].startswith("below")
    assert positions[2023].startswith("above")
    assert positions[2013] == "within"


def test_funnel_classification_matches_for_all_las_in_one_year():
    data = funnel_input(2025)
    points = funnel_classification(data)
    sample = points.iloc[:: max(1, len(points) // 25)]
    for row in sample.itertuples():
        assert row.position == independent_position(row.x, row.n, data.p0), row.label


def test_funnel_figure_highlights_or_explains():
    fig = funnel_figure(funnel_input(2013, la=210))
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Southwark" in texts
    fig = funnel_figure(funnel_input(2024, la="Hampshire"))
    assert "Hampshire not shown" in fig.axes[0].get_title(loc="left")


def test_funnel_needs_counts():
    with pytest.raises(ValueError, match="two counts"):
        funnel_input(2013, numerator="cpp_second_or_subsequent_pct")
    with pytest.raises(LookupError, match="2012"):
        funnel_input(2012)


def test_spc_of_southwark_series():
    result = la_spc(210, "cpp_second_or_subsequent_pct")
    assert list(result.table.index) == list(range(2013, 2026))
    series = la_series(210, "cpp_second_or_subsequent_pct")
    assert result.table["value"].tolist() == series["value"].tolist()
    mean = sum(series["value"]) / len(series)
    assert result.table["centre"].iloc[0] == pytest.approx(mean)
    p = la_spc(210, "cpp_second_or_subsequent_pct", kind="p")
    assert p.table["numerator"].iloc[0] == 49 and p.table["denominator"].iloc[0] == 292
    assert isinstance(la_spc_figure(210, "cpp_started"), Figure)


def test_spc_names_years_left_out():
    result = la_spc("Hackney", "cpp_started")  # 2020-21 and 2021-22 not available ("x")
    assert list(result.table.index) == [2023, 2024, 2025]
    note = " ".join(result.caveats)
    assert "2020-21 to 2021-22 (not available)" in note
    assert not any(math.isnan(v) for v in result.table["value"])
    with pytest.raises(ValueError, match="percentage"):
        la_spc(210, "cpp_started", kind="p")

"""Plan-duration analysis (notebook 02) on the synthetic CPP extract and tiny hand-built frames.

The Wilson interval is checked against its closed form (Wilson 1927); the trend test's z against
the Cochran-Armitage formula written out here (Armitage 1955), independent of the stats module.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sscb_analysis.analyses import cpp_duration as m
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.cleaning import clean
from sscb_analysis.paths import SYNTHETIC


@pytest.fixture(scope="module")
def cpp() -> pd.DataFrame:
    return clean("cpp", SYNTHETIC / "cpp.csv").data


@pytest.fixture(scope="module")
def results(cpp: pd.DataFrame) -> m.DurationResults:
    return m.duration_by_year(cpp, "2010-04-01", "2012-06-01")


def _ca_p(x: list[int], n: list[int]) -> float:
    xa, na = np.array(x, float), np.array(n, float)
    s = np.arange(len(x), dtype=float)
    p = xa.sum() / na.sum()
    sbar = (na * s).sum() / na.sum()
    t = (xa * (s - sbar)).sum()
    var = p * (1 - p) * (na * (s - sbar) ** 2).sum()
    return float(2 * stats.norm.sf(abs(t / math.sqrt(var))))


def test_reporting_years_are_the_complete_ones(cpp: pd.DataFrame, results) -> None:
    assert results.years == (2011, 2012, 2013, 2014)
    assert m.reporting_years(cpp, "2010-05-01") == [2012, 2013, 2014]
    assert m.reporting_years(cpp, "2010-01-01") == [2011, 2012, 2013, 2014]


def test_open_two_years_or_more_falls_after_the_review(results: m.DurationResults) -> None:
    open_ = results.open
    counts = open_.counts.set_index("year")
    assert counts.loc[2013, ["open", "open_two_years_or_more"]].tolist() == [344, 9]
    x, n = counts["open_two_years_or_more"].tolist(), counts["open"].tolist()
    assert open_.trend is not None
    assert open_.trend.estimate < 0
    assert open_.trend.p_value == pytest.approx(_ca_p(x, n), rel=1e-9)
    assert open_.trend.significant
    assert (open_.before, open_.after) == (2012, 2014)
    assert (
        open_.comparison is not None and open_.comparison.observed[0] > open_.comparison.observed[1]
    )
    assert open_.table.loc["2012-13", "Share"] == "2.6%"
    z = stats.norm.ppf(0.975)
    p = 9 / 344
    lo = (p + z * z / 688 - z * math.sqrt(p * (1 - p) / 344 + z * z / (4 * 344**2))) / (
        1 + z * z / 344
    )
    assert open_.table.loc["2012-13", "Likely range (95%)"].startswith(f"{100 * lo:.1f}%")
    assert "fell steadily" in open_.sentence


def test_plans_ended_before_and_after(results: m.DurationResults) -> None:
    ended = results.ended
    assert ended.comparison is not None and ended.comparison.significant
    assert ended.trend is not None and not ended.trend.significant
    assert "no clear steady change" in ended.sentence


def test_categories_are_disclosed_with_totals(cpp: pd.DataFrame, results) -> None:
    cats = m.categories(cpp, results.years)
    assert list(cats.table.columns) == ["2010-11", "2011-12", "2012-13", "2013-14", "Total"]
    assert cats.table.loc["Neglect", "2012-13"] == 203
    assert cats.percentages.loc["Total", "2012-13"] == 100.0
    assert "neglect" in cats.sentence


def _tiny() -> pd.DataFrame:
    """Seven plans: every count is small."""
    d = pd.Timestamp
    return pd.DataFrame(
        {
            "plan_start_date": [
                d("2010-05-01"),
                d("2010-06-01"),
                d("2011-05-01"),
                d("2011-07-01"),
                d("2012-05-01"),
                d("2012-09-01"),
                d("2013-01-01"),
            ],
            "plan_end_date": [
                d("2012-12-01"),
                d("2011-01-01"),
                pd.NaT,
                d("2012-02-01"),
                d("2013-02-01"),
                pd.NaT,
                d("2013-03-31"),
            ],
            "initial_category": pd.Categorical(
                ["neglect", "neglect", "sexual", "physical", "neglect", "emotional", "neglect"],
                categories=["neglect", "physical", "emotional", "sexual", "multiple"],
            ),
            "second_or_subsequent": [False] * 7,
        }
    )


def test_tiny_extract_everything_is_suppressed() -> None:
    frame = _tiny()
    res = m.duration_by_year(frame, "2010-04-01", "2012-06-01")
    assert res.years == (2011, 2012, 2013)
    table = res.open.table
    assert set(table["Share"]) <= {"c", "-"}
    assert set(table["Lasting two years or more"]) <= {"c", "0"}
    first = res.open.sentence.split(". ")[0]
    assert (
        first
        == "Plans open at 31 March, 2012-13: 0 of between 1 and 5 had lasted two years or more"
    )
    cats = m.categories(frame, res.years)
    body = cats.table.drop(index="Total", columns="Total")
    assert set(body.to_numpy().ravel()) <= {"c", 0}
    assert set(cats.percentages.drop(index="Total").to_numpy().ravel()) <= {"c", 0.0}
    (head,) = m.headlines(frame, "2010-04-01", "2012-06-01", "2013-03-31")
    assert head.interval == "not shown (small number)"


def test_too_few_years_gives_a_note_not_a_crash(cpp: pd.DataFrame) -> None:
    res = m.duration_by_year(cpp, "2012-04-01", "2013-06-01")
    assert res.years == (2013, 2014)
    assert res.open.trend is None
    assert "No trend test" in res.open.note
    assert res.open.comparison is None and "No before-and-after" in res.open.note


def test_headline_open_two_years(cpp: pd.DataFrame) -> None:
    (head,) = m.headlines(cpp)
    assert isinstance(head, Headline)
    assert head.report == "02_cpp_duration"
    assert head.value == "2.6% (9 of 344 open plans)"
    assert "31 March 2013" in head.label
    assert head.sentence.startswith("Plans open at 31 March, 2012-13: 9 of 344")
    with pytest.raises(ValueError, match="no 31 March 2020"):
        m.headlines(cpp, period_end="2020-03-31")


def test_bad_input_gets_a_clear_message() -> None:
    with pytest.raises(ValueError, match="plan_end_date"):
        m.duration_by_year(pd.DataFrame({"plan_start_date": [pd.Timestamp("2012-01-01")]}))
    with pytest.raises(ValueError, match="no complete reporting year"):
        m.duration_by_year(_tiny(), "2016-04-01")


def test_duration_chart_leaves_gaps_for_suppressed_shares() -> None:
    """A year whose long-plan count is 1 to the threshold is not drawn."""
    frame = pd.DataFrame(
        {
            "plan_start_date": pd.to_datetime(
                ["2008-01-01", "2008-02-01"] + ["2011-06-01"] * 20 + ["2012-06-01"] * 20
            ),
            "plan_end_date": pd.to_datetime([pd.NaT] * 42),
        }
    )
    results = m.duration_by_year(frame, series_start="2010-04-01")
    fig = m.duration_chart(results, threshold=5)
    open_line = fig.axes[0].lines[0].get_ydata()
    # Two long plans are open every year: a count of 2 must never be charted.
    assert np.isnan(open_line.astype(float)).all()

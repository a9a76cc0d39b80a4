"""Repeat-plan analysis (notebook 01) on the synthetic CPP extract and on tiny hand-built frames.

Reference values: the exact conditional test of two Poisson counts with equal exposure is the
two-sided binomial test of c1 out of c1 + c2 at 1/2 (Przyborowski and Wilenski 1940), computed
here with ``math.comb``; the Wilson interval from its closed form (Wilson 1927).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sscb_analysis.analyses import cpp_repeats as m
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.cleaning import clean
from sscb_analysis.paths import SYNTHETIC


@pytest.fixture(scope="module")
def cpp() -> pd.DataFrame:
    return clean("cpp", SYNTHETIC / "cpp.csv").data


@pytest.fixture(scope="module")
def series(cpp: pd.DataFrame) -> m.QuarterlySeries:
    return m.quarterly_series(cpp, "2010-04-01")


def _binomial_two_sided(k: int, n: int) -> float:
    """Two-sided exact binomial p at 1/2 (symmetric, so twice the smaller tail)."""
    tail = sum(math.comb(n, i) for i in range(max(k, n - k), n + 1)) / 2**n
    return min(1.0, 2 * tail)


def _wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_series_runs_to_the_last_full_quarter(series: m.QuarterlySeries) -> None:
    assert series.first == "2010Q2"
    assert series.last == "2014Q1"
    assert series.n_quarters == 16


def test_last_full_quarter_drops_a_partial_quarter(cpp: pd.DataFrame) -> None:
    cut = pd.Timestamp("2014-02-15")
    part = cpp[cpp["plan_start_date"] <= cut].copy()
    part["plan_end_date"] = part["plan_end_date"].where(part["plan_end_date"] <= cut)
    part["initial_conference_date"] = part["initial_conference_date"].where(
        part["initial_conference_date"] <= cut
    )
    assert str(m.last_full_quarter(part)) == "2013Q4"


def test_the_board_report_figures_and_their_disclosure(series: m.QuarterlySeries) -> None:
    counts = series.counts.set_index("quarter")
    assert counts.loc["2012Q1", "second_or_subsequent"] == 24
    assert counts.loc["2012Q4", "second_or_subsequent"] == 4
    table = series.table
    assert table.loc["Jan-Mar 2012", "Second or subsequent plans"] == "24"
    lo, hi = _wilson(24, int(counts.loc["2012Q1", "plans_started"]))
    assert table.loc["Jan-Mar 2012", "Likely range of the share (95%)"] == (
        f"{100 * lo:.1f}% to {100 * hi:.1f}%"
    )
    # 4 is at or below the threshold: the count, its share and both ranges are hidden.
    assert set(table.loc["Oct-Dec 2012"].drop("Plans started")) == {"c"}
    assert "4" not in table.loc["Oct-Dec 2012"].drop("Plans started").tolist()


def test_first_against_last_quarter_of_2012_is_a_significant_fall(
    series: m.QuarterlySeries,
) -> None:
    comp = m.compare_quarters(series, "2012Q1", "2012Q4")
    assert comp.first_count == "24"
    assert comp.last_count == "c"
    assert comp.suppressed
    assert comp.significant
    assert comp.p_value == pytest.approx(_binomial_two_sided(24, 28), rel=1e-6)
    assert comp.p_value < 0.05
    assert comp.share_test is not None and comp.share_test.significant
    board = comp.board_sentence
    assert "fell from 24 in Jan-Mar 2012 to between 1 and 5 in Oct-Dec 2012" in board
    # nothing from which the 4 could be worked back
    for leak in ("ratio", "3.5%", " 4 ", "p =", "p <"):
        assert leak not in board
    assert "fell from 24 to 4" in comp.analyst_sentence
    joined = " ".join(comp.caveats)
    assert "regression to the mean" in joined
    assert "picked out" in joined


def test_comparison_rejects_quarters_outside_the_series(series: m.QuarterlySeries) -> None:
    with pytest.raises(ValueError, match="outside the series"):
        m.compare_quarters(series, "2009Q1", "2012Q4")
    with pytest.raises(ValueError, match="later quarter"):
        m.compare_quarters(series, "2012Q4", "2012Q1")
    with pytest.raises(ValueError, match="written like 2012Q1"):
        m.compare_quarters(series, "first of 2012", "2012Q4")


def test_poisson_trend_falls(series: m.QuarterlySeries) -> None:
    trend = m.repeat_trend(series)
    assert trend.result.rate_ratio < 1
    assert trend.result.upper < 1
    assert "fell by about" in trend.sentence


def test_interrupted_time_series_finds_a_fall_at_the_review(series: m.QuarterlySeries) -> None:
    its = m.interrupted_series(series, "2012-06-01")
    assert its.available
    assert its.breakpoint_quarter == "2012Q2"
    assert (its.quarters_before, its.quarters_after) == (8, 8)
    assert its.level_change is not None and its.level_change < 1
    assert "fell" in its.sentence


def test_too_few_quarters_gives_a_plain_note(cpp: pd.DataFrame) -> None:
    short = m.quarterly_series(cpp, "2012-01-01")
    its = m.interrupted_series(short, "2012-06-01")
    assert not its.available
    assert its.result is None and its.level_change is None
    assert "1 before" in its.note and "not fitted" in its.note
    text = m.conclusion(short, None, None, its, None)
    assert its.note in text


def test_spc_chart_flags_special_cause_improvement(series: m.QuarterlySeries) -> None:
    chart = m.repeat_spc(series)
    assert chart.variation == "special cause improvement"
    table = chart.result.table
    assert table["point_type"].iloc[10] == "improvement"  # 2012Q4
    assert "Oct-Dec 2012" in chart.signals
    fig = chart.chart()
    assert fig.axes


def test_conclusion_is_built_from_the_results(series: m.QuarterlySeries) -> None:
    comp = m.compare_quarters(series)
    text = m.conclusion(
        series,
        comp,
        m.repeat_trend(series),
        m.interrupted_series(series, "2012-06-01"),
        m.repeat_spc(series),
    )
    assert text.startswith("Second or subsequent plans fell from 24")
    assert "special cause improvement" in text
    assert "not proof" in text


def test_headline_hides_a_small_latest_quarter(cpp: pd.DataFrame) -> None:
    (h,) = m.headlines(cpp, series_start="2010-04-01")
    assert isinstance(h, Headline)
    assert h.report == "01_cpp_repeat_plans"
    assert h.variation == "special cause improvement"
    assert "Jan-Mar 2014" in h.label
    assert h.value == "between 1 and 5 of 105 plans started"  # 3 repeats in 2014Q1
    assert h.interval == "not shown (small number)"


def _tiny(repeats: list[int], started: int = 8) -> pd.DataFrame:
    """One row per plan: ``started`` plans a quarter from 2011Q1, the first ``r`` repeats."""
    starts, flags = [], []
    for q, r in enumerate(repeats):
        day = pd.Period("2011Q1", "Q") + q
        for i in range(started):
            starts.append(day.start_time + pd.Timedelta(days=i))
            flags.append(i < r)
    frame = pd.DataFrame({"plan_start_date": starts, "second_or_subsequent": flags})
    frame["plan_end_date"] = pd.NaT
    last = pd.Period("2011Q1", "Q") + len(repeats) - 1
    frame.loc[0, "plan_end_date"] = last.end_time.normalize()
    return frame


def test_tiny_extract_everything_small_is_suppressed() -> None:
    frame = _tiny([3, 2, 4, 1, 0, 2])
    series = m.quarterly_series(frame, "2011-01-01")
    assert series.n_quarters == 6
    hidden = series.table["Second or subsequent plans"]
    assert hidden.tolist() == ["c", "c", "c", "c", "0", "c"]
    comp = m.compare_quarters(series, "2011Q1", "2011Q4")
    assert comp.first_count == comp.last_count == "c"
    assert not comp.significant
    assert "between 1 and 5 in Jan-Mar 2011 to between 1 and 5" in comp.board_sentence
    assert "could happen by chance" in comp.board_sentence
    (h,) = m.headlines(frame, series_start="2011-01-01")
    assert h.value.startswith("between 1 and 5")  # 2 repeats in the latest quarter


def test_bad_input_gets_a_clear_message() -> None:
    with pytest.raises(ValueError, match="second_or_subsequent"):
        m.quarterly_series(pd.DataFrame({"plan_start_date": [pd.Timestamp("2012-01-01")]}))
    with pytest.raises(TypeError, match="cleaned CPP DataFrame"):
        m.quarterly_series("cpp.csv")  # type: ignore[arg-type]
    frame = _tiny([2, 0, 3])
    with pytest.raises(ValueError, match="before it starts"):
        m.quarterly_series(frame, "2015-01-01")


def test_recorded_figures_hold_no_p_value_when_a_count_is_suppressed(series):
    """24 against 4: the 4 is suppressed, and an exact p-value would give it back."""
    comparison = m.compare_quarters(series, "2012Q1", "2012Q4")
    figures = comparison.figures()
    assert comparison.suppressed
    assert figures["repeat_last_quarter"] == "c"
    assert figures["repeat_comparison_p_value"] is None
    assert figures["repeat_rate_comparison_p_value"] is None
    assert figures["repeat_comparison_significant"] is True

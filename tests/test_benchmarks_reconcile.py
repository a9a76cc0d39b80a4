"""Reconciling a (synthetic) CPP extract with the published figures.

The reference is DfE tables D3 and D5 for Southwark, 2012-13: 292 plans started, 49 second or
subsequent (16.8%); 272 plans open at 31 March 2013, 12 of them for 2 years or more (4.4%).
The extracts below are built by hand to reproduce (or miss) those figures; no real case data.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sscb_analysis.benchmarks import annual_figures, reconcile


def plans(n: int, start: str, end: str | None = None, repeat: bool = False) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "plan_start_date": pd.to_datetime([start] * n),
            "plan_end_date": pd.to_datetime([end] * n),
            "second_or_subsequent": [repeat] * n,
        }
    )


def southwark_2013_extract() -> pd.DataFrame:
    """292 plans started in 2012-13 (49 repeats); 272 open at 31 March 2013, 12 of 2 years+."""
    parts = [
        plans(11, "2010-06-01"),  # open 2 years or more
        plans(1, "2011-03-31"),  # exactly two calendar years at 31 March 2013: counts
        plans(1, "2011-04-01", "2013-03-31"),  # ended on 31 March: not open, started last year
        plans(49, "2012-04-01", repeat=True),  # first day of the year
        plans(211, "2012-09-15"),  # open
        plans(31, "2012-10-01", "2013-01-15"),  # ended in the year
        plans(1, "2013-03-31", "2013-03-31"),  # last day; ended the same day
        plans(5, "2013-04-01"),  # next year
        plans(3, "2011-12-01", "2012-12-01"),  # started the year before, ended
    ]
    cpp = pd.concat(parts, ignore_index=True)
    cpp["child_id"] = [f"C{i:05d}" for i in range(len(cpp))]
    return cpp


def test_annual_figures_follow_dfe_definitions():
    figures = annual_figures(southwark_2013_extract(), 2013)
    assert figures["plans_started"] == 49 + 211 + 31 + 1
    assert figures["second_or_subsequent"] == 49
    assert figures["open_at_31_march"] == 11 + 1 + 49 + 211
    assert figures["open_2_years_or_more"] == 12
    assert figures["second_or_subsequent_pct"] == pytest.approx(100 * 49 / 292)


def test_extract_matching_published_figures_reconciles():
    result = reconcile(southwark_2013_extract(), "Southwark", 2013)
    table = result.table.set_index("measure")
    assert table.loc["plans_started", "published"] == 292
    assert table.loc["second_or_subsequent_pct", "local"] == 16.8  # rounded as published
    assert table.loc["open_2_years_or_more_pct", "published"] == pytest.approx(4.4)
    assert (table["difference"].abs() < 1e-9).all()
    assert result.matches
    assert "reproduces" in result.describe()


def test_mismatch_is_reported_with_differences_and_tolerance():
    cpp = southwark_2013_extract()
    extra = plans(6, "2012-05-01")
    mismatched = pd.concat([cpp, extra], ignore_index=True)
    result = reconcile(mismatched, 210, 2013)
    table = result.table.set_index("measure")
    assert table.loc["plans_started", "difference"] == 6
    assert table.loc["plans_started", "relative_difference"] == pytest.approx(6 / 292)
    assert not result.matches
    assert "plans_started" in result.describe()
    loose = reconcile(mismatched, 210, 2013, tolerance=0.05)
    assert loose.table.set_index("measure").loc["plans_started", "within_tolerance"]
    assert loose.matches


def test_suppressed_published_figure_is_not_compared():
    # Southwark 2014-15: "2 years or more" is suppressed (c) in D5
    result = reconcile(southwark_2013_extract(), 210, 2015)
    row = result.table.set_index("measure").loc["open_2_years_or_more"]
    assert row["status"] == "suppressed" and pd.isna(row["within_tolerance"])
    assert pd.isna(row["published"])


def test_bad_extracts_are_clear_errors():
    cpp = southwark_2013_extract()
    with pytest.raises(ValueError, match="plan_end_date"):
        reconcile(cpp.drop(columns="plan_end_date"), 210, 2013)
    text = cpp.assign(plan_start_date=cpp["plan_start_date"].dt.strftime("%d/%m/%Y"))
    with pytest.raises(ValueError, match="datetime64"):
        reconcile(text, 210, 2013)
    with pytest.raises(ValueError, match="True or False"):
        reconcile(cpp.assign(second_or_subsequent=None), 210, 2013)
    with pytest.raises(ValueError, match="tolerance"):
        reconcile(cpp, 210, 2013, tolerance=5)
    with pytest.raises(LookupError, match="No published"):
        reconcile(cpp, 210, 2030)

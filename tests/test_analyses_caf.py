"""CAF analyses (notebook 03_caf): real findings on the synthetic extract, checked against counts
taken straight from the raw CSV, and small hand-built extracts for suppression and empty periods.

Reference values: Wilson intervals from ``statsmodels.stats.proportion.proportion_confint(...,
method="wilson")``; the exact binomial test from ``scipy.stats.binomtest``; the trend from
statsmodels' linear-by-linear association test (``Table.test_ordinal_association``), which is the
Cochran-Armitage statistic times (N - 1) / N.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import caf_rows
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import proportion_confint

from sscb_analysis import clean
from sscb_analysis.analyses import caf as caf_analysis
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.paths import SYNTHETIC

RAW = SYNTHETIC / "caf.csv"


@pytest.fixture(scope="module")
def caf() -> pd.DataFrame:
    return clean("caf", RAW).data


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The raw CSV read independently of the cleaner (the clean synthetic file has no defects)."""
    frame = pd.read_csv(RAW, dtype=str, keep_default_na=False)
    for col in ("assessment_date", "survey_date"):
        frame[col] = pd.to_datetime(frame[col].replace("", None), format="%d/%m/%Y")
    return frame


def _in_year(raw: pd.DataFrame, col: str, start: str, end: str) -> pd.DataFrame:
    return raw[raw[col].between(pd.Timestamp(start), pd.Timestamp(end))]


def test_period_very_satisfied_matches_independent_count_and_report(caf, raw) -> None:
    year = _in_year(raw, "survey_date", "2012-04-01", "2013-03-31")
    x = int((year["satisfaction"] == "very satisfied").sum())
    n = int((year["satisfaction"] != "").sum())
    res = caf_analysis.survey_results(caf)
    s = res.period.shares["very_satisfied"].summary
    assert (s.top_box, s.base) == (x, n)
    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert s.lower == pytest.approx(lo, abs=1e-12)
    assert s.upper == pytest.approx(hi, abs=1e-12)
    # The data's 2012/13 share is close to the published 92% and not significantly different.
    assert abs(x / n - 0.92) < 0.05
    p_ref = sps.binomtest(x, n, 0.92).pvalue
    checks = caf_analysis.check_published_claims(res)
    assert checks["very_satisfied"].test.p_value == pytest.approx(p_ref, rel=1e-9)
    assert p_ref >= 0.05  # the finding: not significantly different from 92%
    assert checks["very_satisfied"].consistent is True
    assert "consistent with the published figure" in checks["very_satisfied"].sentence


def test_period_improved_against_published_66(caf, raw) -> None:
    year = _in_year(raw, "survey_date", "2012-04-01", "2013-03-31")
    x = int((year["things_improved"] == "yes").sum())
    n = int((year["things_improved"] != "").sum())
    check = caf_analysis.check_published_claims(caf_analysis.survey_results(caf))["improved"]
    assert (check.share.summary.top_box, check.share.summary.base) == (x, n)
    p_ref = sps.binomtest(x, n, 0.66).pvalue
    assert check.test.p_value == pytest.approx(p_ref, rel=1e-9)
    assert p_ref >= 0.05  # the finding: consistent with the published 66%
    assert check.consistent is True
    assert f"{100 * x / n:.1f}%" in check.sentence


def test_a_wrong_published_figure_is_called_out(caf) -> None:
    check = caf_analysis.check_published_claims(
        caf_analysis.survey_results(caf), reported_very_satisfied=0.80
    )
    assert check["very_satisfied"].consistent is False
    assert "higher share than was published" in check["very_satisfied"].sentence


def test_very_satisfied_trend_rises_significantly(caf, raw) -> None:
    surveyed = raw[raw["survey_date"].notna() & raw["survey_date"].le("2013-03-31")]
    fy = surveyed["survey_date"].dt.year + (surveyed["survey_date"].dt.month >= 4)
    x = surveyed["satisfaction"].eq("very satisfied").groupby(fy).sum().to_numpy()
    n = surveyed.groupby(fy).size().to_numpy()
    res = caf_analysis.survey_results(caf)
    trend = res.trends["very_satisfied"]
    assert [y.label for y in res.years] == ["2010-11", "2011-12", "2012-13"]
    table = np.column_stack([x, n - x])
    big_n = n.sum()
    lbl = Table(table).test_ordinal_association(
        row_scores=np.arange(len(n)), col_scores=np.array([1.0, 0.0])
    )
    ca_chi2 = lbl.zscore**2 * big_n / (big_n - 1)
    assert trend.statistic**2 == pytest.approx(ca_chi2, rel=1e-9)
    assert trend.significant and trend.estimate > 0
    assert "rose steadily" in res.trend_sentences["very_satisfied"]


def test_agency_table_is_disclosed_and_matches_counts(caf, raw) -> None:
    vol = caf_analysis.assessments_by_agency(caf)
    year = _in_year(raw, "assessment_date", "2012-04-01", "2013-03-31")
    assert vol.table.loc["2012-13", "Total"] == len(year)
    assert vol.table.loc["2012-13", "school"] == int((year["initiating_agency"] == "school").sum())
    assert list(vol.table.index) == ["2010-11", "2011-12", "2012-13", "Total"]
    assert f"{len(year):,}" in vol.sentence
    body = vol.table.drop(index="Total", columns="Total").to_numpy().ravel()
    assert not any(isinstance(v, int | np.integer) and 1 <= v <= 5 for v in body)


def test_knowledge_sentence_reflects_data(caf) -> None:
    text = caf_analysis.knowledge_sentence(caf_analysis.survey_results(caf))
    share = caf_analysis.survey_results(caf).period.shares["knowledge"]
    assert share.shown and share.share < 1
    assert "not quite all" in text


def test_headlines(caf) -> None:
    heads = caf_analysis.headlines(caf)
    assert [h.key for h in heads] == ["caf_very_satisfied", "caf_things_improved"]
    assert all(isinstance(h, Headline) and h.report == "03_caf" for h in heads)
    share = caf_analysis.survey_results(caf).period.shares["very_satisfied"].summary.share
    assert heads[0].value == f"{100 * share:.1f}%"
    assert "CAF (early help assessment)" in heads[0].sentence


# ------------------------------------------------------------------ small hand-built extracts


def _clean_rows(tmp_path: Path, rows: pd.DataFrame) -> pd.DataFrame:
    path = tmp_path / "caf.csv"
    rows.to_csv(path, index=False)
    return clean("caf", path).data


def test_tiny_extract_is_suppressed_below_min_base(tmp_path) -> None:
    rows = caf_rows(8)
    rows.loc[:4, "satisfaction"] = "fairly satisfied"
    caf = _clean_rows(tmp_path, rows)
    res = caf_analysis.survey_results(caf, min_base=10)
    share = res.period.shares["very_satisfied"]
    assert not share.shown and share.reason == caf_analysis.TOO_FEW
    assert res.table.loc["2012-13", "Very satisfied"] == "too few responses to report"
    assert res.table.loc["2012-13", "Responses"] == "8"
    assert res.trends["very_satisfied"] is None
    heads = caf_analysis.headlines(caf)
    assert heads[0].value == "not reported"
    assert "too few" in caf_analysis.check_published_claims(res)["very_satisfied"].sentence
    vol = caf_analysis.assessments_by_agency(caf)
    assert vol.table.loc["2012-13", "school"] == 8  # one agency only: nothing small to hide
    # With min_base lowered the share is shown (8 of 8 answered: 3 very, 5 fairly -> withheld,
    # because 5 or fewer people gave one of the answers).
    low = caf_analysis.survey_results(caf, min_base=5).period.shares["very_satisfied"]
    assert not low.shown and low.reason.startswith("withheld")


def test_small_counts_in_agency_table_become_c(tmp_path) -> None:
    rows = caf_rows(12)
    rows.loc[:2, "initiating_agency"] = "police"
    caf = _clean_rows(tmp_path, rows)
    table = caf_analysis.assessments_by_agency(caf).table
    assert table.loc["2012-13", "police"] == "c"
    assert table.loc["2012-13", "school"] == "c"  # secondary: the total would give it back


def test_period_with_no_surveys(caf) -> None:
    res = caf_analysis.survey_results(caf, period_start="2009-04-01", period_end="2010-03-31")
    assert res.period.responses == 0
    assert res.period.shares["very_satisfied"].reason == "no survey responses"
    checks = caf_analysis.check_published_claims(res)
    assert checks["very_satisfied"].consistent is None
    assert "too few responses" in checks["very_satisfied"].sentence
    vol = caf_analysis.assessments_by_agency(caf, "2009-04-01", "2010-03-31")
    assert vol.period_total == "0"


def test_bad_input_has_clear_messages(caf) -> None:
    with pytest.raises(ValueError, match="missing columns"):
        caf_analysis.survey_results(caf.drop(columns=["satisfaction"]))
    with pytest.raises(ValueError, match="period_end must be a date"):
        caf_analysis.survey_results(caf, period_end="31/03/2013")
    with pytest.raises(ValueError, match="after period_end"):
        caf_analysis.survey_results(caf, period_start="2013-04-01", period_end="2013-03-31")
    with pytest.raises(ValueError, match="between 0 and 1"):
        caf_analysis.check_published_claims(
            caf_analysis.survey_results(caf), reported_very_satisfied=92
        )
    with pytest.raises(ValueError, match="min_base"):
        caf_analysis.survey_results(caf, min_base=0)

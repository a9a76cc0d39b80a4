"""CAF page (notebook 03_caf): compute, one disclosure pass, words and charts.

Reference values: Wilson intervals from ``statsmodels.stats.proportion.proportion_confint(...,
method="wilson")``; the exact binomial test from ``scipy.stats.binomtest``; the trend from
statsmodels' linear-by-linear association test (``Table.test_ordinal_association``), which is the
Cochran-Armitage statistic times (N - 1) / N.

Then the page without a profile (no published figures, no area), the leak "up 50% on the 6 the
year before" (finding 12.8), escaping of data values, and the auditor on micro extracts.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import caf_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.proportion import proportion_confint

from sscb_analysis import clean
from sscb_analysis.analyses import caf as m
from sscb_analysis.disclose import disclose_page, disclosure_policy
from sscb_analysis.disclose.audit import audit_page
from sscb_analysis.paths import SYNTHETIC

RAW = SYNTHETIC / "caf.csv"
START, END = "2012-04-01", "2013-03-31"
CLAIMS = {
    "very_satisfied": SimpleNamespace(value=0.92, text="92% very satisfied", source="report"),
    "improved": SimpleNamespace(value=0.66, text="66% saw improvement", source="report"),
}
W = m.words


@pytest.fixture(scope="module")
def caf() -> pd.DataFrame:
    return clean("caf", RAW).data


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    frame = pd.read_csv(RAW, dtype=str, keep_default_na=False)
    for col in ("assessment_date", "survey_date"):
        frame[col] = pd.to_datetime(frame[col].replace("", None), format="%d/%m/%Y")
    return frame


@pytest.fixture(scope="module")
def page(caf):
    return m.page(caf, START, END, claims=CLAIMS)


def _in_year(raw: pd.DataFrame, col: str) -> pd.DataFrame:
    return raw[raw[col].between(pd.Timestamp(START), pd.Timestamp(END))]


def all_words(pg) -> str:
    tables = [W.survey_table(pg)]
    if W.agency_table(pg) is not None:
        tables.append(W.agency_table(pg))
    parts = [
        W.agency_sentence(pg),
        *W.trend_sentences(pg).values(),
        *W.claim_sentences(pg),
        W.knowledge_sentence(pg),
        *W.conclusions(pg),
        *(h.sentence + " " + h.value + " " + h.interval for h in W.headlines(pg)),
    ]
    return "\n".join(parts + [t.to_string() for t in tables])


def test_period_very_satisfied_against_the_published_figure(page, raw) -> None:
    year = _in_year(raw, "survey_date")
    x = int((year["satisfaction"] == "very satisfied").sum())
    n = int((year["satisfaction"] != "").sum())
    mm = page.results.in_period.measures["very_satisfied"]
    assert (mm.top.value, mm.base.value) == (x, n)
    lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert (mm.summary.lower, mm.summary.upper) == pytest.approx((lo, hi), abs=1e-12)
    p_ref = sps.binomtest(x, n, 0.92).pvalue
    check = page.results.claims["very_satisfied"]
    assert check.test.p_value == pytest.approx(p_ref, rel=1e-9)
    assert p_ref >= 0.05  # the finding: not significantly different from 92%
    very, _improved = W.claim_sentences(page)
    assert 'said "92% very satisfied" (report)' in very and "consistent with the published" in very
    assert f"{100 * x / n:.1f}%" in very
    x2 = int((year["things_improved"] == "yes").sum())
    n2 = int((year["things_improved"] != "").sum())
    assert page.results.claims["improved"].test.p_value == pytest.approx(
        sps.binomtest(x2, n2, 0.66).pvalue, rel=1e-9
    )


def test_a_wrong_published_figure_is_called_out(caf) -> None:
    claims = {"very_satisfied": SimpleNamespace(value=0.80, text="", source=None)}
    pg = m.page(caf, START, END, claims=claims)
    very, improved = W.claim_sentences(pg)
    assert "higher share than was published" in very
    assert "left out: the area profile gives no `claims.caf_improved`" in improved


def test_very_satisfied_trend(page, raw) -> None:
    surveyed = raw[raw["survey_date"].notna() & raw["survey_date"].le(END)]
    fy = surveyed["survey_date"].dt.year + (surveyed["survey_date"].dt.month >= 4)
    x = surveyed["satisfaction"].eq("very satisfied").groupby(fy).sum().to_numpy()
    n = surveyed.groupby(fy).size().to_numpy()
    trend = page.results.trends["very_satisfied"]
    assert [y.label for y in page.results.years] == ["2010-11", "2011-12", "2012-13"]
    lbl = Table(np.column_stack([x, n - x])).test_ordinal_association(
        row_scores=np.arange(len(n)), col_scores=np.array([1.0, 0.0])
    )
    assert trend.statistic**2 == pytest.approx(lbl.zscore**2 * n.sum() / (n.sum() - 1), rel=1e-9)
    assert "rose steadily" in W.trend_sentences(page)["very_satisfied"]


def test_agency_table_matches_counts(page, raw) -> None:
    year = _in_year(raw, "assessment_date")
    table = W.agency_table(page)
    assert table.loc["2012-13", "Total"] == len(year)
    assert table.loc["2012-13", "school"] == int((year["initiating_agency"] == "school").sum())
    assert f"{len(year):,}" in W.agency_sentence(page)
    assert m.charts.agency_chart(page) is not None and m.charts.satisfaction_chart(page) is not None


def test_headlines(page) -> None:
    heads = W.headlines(page)
    assert [h.key for h in heads] == ["caf_very_satisfied", "caf_things_improved"]
    s = page.results.in_period.measures["very_satisfied"].summary
    assert heads[0].value == f"{100 * s.share:.1f}%" and heads[0].better == "higher"


def test_without_a_profile_no_published_figure_is_mentioned(caf) -> None:
    text = all_words(m.page(caf, START, END))
    assert "92%" not in text and "66%" not in text and "board's report" not in text
    assert text.count("left out: the area profile gives no") == 2


# --- finding 12.8: "up 50% on the 6 the year before" ------------------------------------


def _rows(counts: dict[tuple[str, str], int]) -> pd.DataFrame:
    """Assessments without surveys: ``{(date, agency): n}``."""
    rows = caf_rows(sum(counts.values()))
    i = 0
    for (date, agency), n in counts.items():
        rows.loc[i : i + n - 1, "assessment_date"] = date
        rows.loc[i : i + n - 1, "initiating_agency"] = agency
        i += n
    cols = ["survey_date", "satisfaction", "things_improved", "knowledge_improved"]
    rows[[*cols, "closure_date", "closure_reason"]] = ""
    return rows


def _clean_rows(tmp_path: Path, rows: pd.DataFrame) -> pd.DataFrame:
    path = tmp_path / "caf.csv"
    rows.to_csv(path, index=False)
    return clean("caf", path).data


BEFORE, NOW = "01/04/2011", "03/09/2012"


@pytest.mark.parametrize(
    "counts",
    [
        {(BEFORE, "school"): 6, (NOW, "school"): 9},
        {(BEFORE, "school"): 6, (BEFORE, "health"): 2, (NOW, "school"): 9},
        {(BEFORE, "school"): 4, (NOW, "school"): 9},
        {(BEFORE, "school"): 7, (BEFORE, "police"): 1, (NOW, "school"): 20, (NOW, "police"): 8},
    ],
)
def test_a_total_withheld_in_the_table_is_withheld_in_the_sentence(tmp_path, counts) -> None:
    """Finding 12.8: "up 50% on the 6 the year before" beside a table hiding that total."""
    pg = m.page(_clean_rows(tmp_path, _rows(counts)), START, END)
    table, text = W.agency_table(pg), W.agency_sentence(pg)
    before, now = table.loc["2011-12", "Total"], table.loc["2012-13", "Total"]
    if "c" in (before, now):
        assert "%" not in text.split(".")[0]  # no change given
    if before == "c":
        assert "year before" not in text
    if now == "c":
        assert "withheld" in text or "between 1 and" in text
    if (before, now) == (6, 9):
        assert "up 50% on the 6 in the same period a year before" in text
    facts = m.compute.compute(_clean_rows(tmp_path, _rows(counts)), START, END)
    assert audit_page(facts, disclose_page(facts, disclosure_policy()), all_words(pg)) == []


def test_hostile_agency_names_are_escaped(tmp_path) -> None:
    facts = m.compute.compute(_clean_rows(tmp_path, _rows({(NOW, "school"): 30})), START, END)
    hostile = facts.agencies.__class__(**{**facts.agencies.__dict__, "top_agency": "<b>x</b>"})
    pg = disclose_page(
        facts.__class__(**{**facts.__dict__, "agencies": hostile}), disclosure_policy()
    )
    assert "<b>" not in W.agency_sentence(pg) and "&lt;b&gt;" in W.agency_sentence(pg)


def test_bad_input_has_clear_messages(caf) -> None:
    with pytest.raises(ValueError, match="missing columns"):
        m.compute.compute(caf.drop(columns=["satisfaction"]), START, END)
    with pytest.raises(ValueError, match="period_end must be a date"):
        m.compute.compute(caf, START, "31/03/2013")
    with pytest.raises(ValueError, match="share from 0 to 1"):
        m.compute.compute(caf, START, END, claims={"very_satisfied": SimpleNamespace(value=92)})
    with pytest.raises(ValueError, match="min_base"):
        m.compute.compute(caf, START, END, min_base=0)


# --- the auditor --------------------------------------------------------------------------------

ANSWER = st.sampled_from(["very satisfied", "fairly satisfied", "neither", "fairly dissatisfied"])
YESNO = st.sampled_from(["yes", "no", "don't know", None])
ROW = st.fixed_dictionaries(
    {
        "assessment_date": st.dates(
            pd.Timestamp("2010-04-01").date(), pd.Timestamp(END).date()
        ).map(pd.Timestamp),
        "initiating_agency": st.sampled_from(["school", "health", "police"]),
        "surveyed": st.booleans(),
        "satisfaction": ANSWER,
        "things_improved": YESNO,
        "knowledge_improved": YESNO,
    }
)


def _frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(ROW.mapping) if hasattr(ROW, "mapping") else None)
    if out.empty:
        out = pd.DataFrame(
            columns=[
                "assessment_date",
                "initiating_agency",
                "surveyed",
                "satisfaction",
                "things_improved",
                "knowledge_improved",
            ]
        )
    out["assessment_date"] = pd.to_datetime(out["assessment_date"])
    surveyed = out["surveyed"].astype(bool)
    out["survey_date"] = out["assessment_date"].where(surveyed) + pd.Timedelta(days=20)
    for col in ("satisfaction", "things_improved", "knowledge_improved"):
        out[col] = out[col].where(surveyed).astype("string")
    return out.drop(columns="surveyed")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, max_size=60), st.integers(0, 40))
def test_auditor_on_micro_and_skewed_extracts(rows, bulk) -> None:
    plain = {
        "assessment_date": pd.Timestamp("2012-06-01"),
        "initiating_agency": "school",
        "surveyed": True,
        "satisfaction": "very satisfied",
        "things_improved": "yes",
        "knowledge_improved": "yes",
    }
    data = _frame(rows + [plain] * bulk)
    facts = m.compute.compute(data, START, END, claims=CLAIMS, min_base=5)
    pg = disclose_page(facts, disclosure_policy())
    assert audit_page(facts, pg, all_words(pg), others=[92, 66, 95]) == []

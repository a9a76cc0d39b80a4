"""National benchmark page (notebook 06): compute, one disclosure pass, words and charts, on the
real published DfE files.

Reference values are read straight from the CSVs in ``data/raw/dfe`` with the ``csv`` module
(independently of ``sscb_analysis.benchmarks``); the Wilson interval is checked against
statsmodels' ``proportion_confint(method="wilson")``. The page keeps to the period under review,
and the local reconciliation passes the auditor on tiny and micro extracts made by hypothesis.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import statistics

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from statsmodels.stats.proportion import proportion_confint

from sscb_analysis import benchmarks as bm
from sscb_analysis.analyses import benchmark
from sscb_analysis.disclose import BOARD_RESTRICTED, disclose_page, disclosure_policy
from sscb_analysis.disclose.audit import audit_page
from sscb_analysis.paths import DFE, SYNTHETIC
from sscb_analysis.reporting.checks import find_unsuppressed_small_counts

W = benchmark.words


def _rows(name: str) -> list[dict[str, str]]:
    with (DFE / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _neighbours_from_file(code: str) -> list[str]:
    """The ten neighbour codes of ``code`` from the first (current) block of the SN file."""
    with (DFE / "New_Statistical_Neighbour_Groupings_April_2021.csv").open(
        encoding="utf-8-sig", newline=""
    ) as handle:
        for row in csv.reader(handle):
            if row and row[0] == code:
                return [row[5 + 2 * i] for i in range(10)]
    raise AssertionError(f"{code} not in the neighbour file")


def _published(file: str, column: str, year: str) -> dict[str, str]:
    return {
        r["old_la_code"]: r[column]
        for r in _rows(file)
        if r["time_period"] == year and r["geographic_level"] == "Local authority"
    }


YEAR_2013 = ("2012-04-01", "2013-03-31")


def _page(la_code="210", period=YEAR_2013, cpp=None, **options):
    return benchmark.page(cpp, la_code, *period, **options)


def _year(year: int) -> tuple[str, str]:
    return (f"{year - 1}-04-01", f"{year}-03-31")


@pytest.fixture(scope="module")
def cpp() -> pd.DataFrame:
    from sscb_analysis.data import load_extract

    return load_extract("cpp", SYNTHETIC / "cpp.csv")


@pytest.fixture(scope="module")
def page(cpp):
    return _page(cpp=cpp, synthetic=True)


def all_words(pg) -> str:
    """Every sentence and table the board page prints."""
    f = pg.results
    parts = [W.heading(pg), W.what_this_means(pg)]
    if not f.unavailable:
        parts += [W.neighbour_table(pg)[0].to_string(), W.neighbour_table(pg)[1]]
        for name in benchmark.INDICATORS:
            parts += [W.comparator_table(pg, name).to_string(), W.comparator_sentence(pg, name)]
        parts += [*W.status_notes(pg), W.funnel_sentence(pg), W.funnel_coverage(pg)]
        parts += [W.spc_sentence(pg), *W.spc_caveats(pg)]
    if f.reconciliation is not None:
        parts += [W.reconciliation_table(pg).to_string(), W.reconciliation_sentence(pg)]
        parts += W.reconciliation_caveats(pg)
    parts += [h.sentence + " " + h.value + " " + h.interval for h in W.headlines(pg)]
    return "\n".join(parts)


def test_southwark_2013_share_is_the_published_16_8(page):
    view = page.results.comparators["cpp_second_or_subsequent_pct"]
    assert view.value("la", 2013) == pytest.approx(16.8)
    table = W.comparator_table(page, "cpp_second_or_subsequent_pct")
    assert table.loc["2012-13", "Southwark"] == "16.8%"
    sentence = W.comparator_sentence(page, "cpp_second_or_subsequent_pct")
    assert "16.8%" in sentence and "England 14.9%" in sentence


def test_the_page_keeps_to_the_period_under_review(page):
    """Tables and the SPC chart stop at the year under review (2012-13); only the line charts
    show later years, as context, and say so."""
    for name in benchmark.INDICATORS:
        assert list(W.comparator_table(page, name).index) == ["2012-13"]
    assert page.results.spc.result is None
    assert "only 2012-13 up to the year under review" in W.spc_sentence(page)
    later = _page(period=_year(2016))
    years = [int(y) for y in later.results.spc.result.table.index]
    assert max(years) == 2016 and min(years) == 2013
    assert "later years are not charted" in W.spc_sentence(later)
    fig = benchmark.charts.comparator_chart(page, "cpp_second_or_subsequent_pct")
    assert "the year under review; the years after it are shown for context" in (
        fig.get_supxlabel().replace("\n", " ")
    )
    assert "The tables run up to it" in W.heading(page)


def test_england_share_is_the_published_ratio(page):
    national = next(
        r
        for r in _rows("d3_cpps_subsequent_plan_2013_to_2025.csv")
        if r["time_period"] == "2013" and r["geographic_level"] == "National"
    )
    x, n = int(national["CPP_subsequent"]), int(national["CPP_start"])
    funnel = page.results.funnel
    assert funnel.data.p0 == pytest.approx(x / n)
    assert (funnel.la_x, funnel.la_n) == (49, 292)
    assert funnel.position == "within"
    assert f"{100 * x / n:.1f}%" in W.funnel_sentence(page)
    assert "inside the 95% limits" in W.funnel_sentence(page)


@pytest.mark.parametrize(
    ("file", "column", "indicator", "year"),
    [
        (
            "d3_cpps_subsequent_plan_2013_to_2025.csv",
            "CPP_subsequent_percent",
            "cpp_second_or_subsequent_pct",
            "2013",
        ),
        (
            "d5_cpps_at31march_by_duration_2013_to_2025.csv",
            "2_years_or_more_percent",
            "cpp_open_2_years_or_more_pct",
            "2014",
        ),
        (
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
            "rereferral_percent",
            "rereferrals_pct",
            "2020",
        ),
    ],
)
def test_neighbour_median_matches_an_independent_median(file, column, indicator, year):
    values = _published(file, column, year)
    numbers = []
    for code in _neighbours_from_file("210"):
        text = values.get(code, "")
        try:
            numbers.append(float(text))
        except ValueError:  # c, z, x ...: left out, never counted as zero
            continue
    pg = _page(period=_year(int(year)))
    view = pg.results.comparators[indicator]
    assert view.neighbours_used(int(year)) == len(numbers)
    assert view.value("neighbours_median", int(year)) == pytest.approx(statistics.median(numbers))
    label = f"{int(year) - 1}-{int(year) % 100:02d}"
    table = W.comparator_table(pg, indicator)
    assert table.loc[label, "Neighbours with a figure"] == f"{len(numbers)} of 10"


def test_suppressed_values_are_shown_as_suppressed_never_zero():
    raw = _published(
        "d5_cpps_at31march_by_duration_2013_to_2025.csv", "2_years_or_more_percent", "2015"
    )
    assert raw["210"] == "c"
    pg = _page(period=_year(2015))
    table = W.comparator_table(pg, "cpp_open_2_years_or_more_pct")
    assert table.loc["2014-15", "Southwark"] == "suppressed at source"
    assert pg.results.comparators["cpp_open_2_years_or_more_pct"].status("la", 2015) == (
        "suppressed"
    )
    assert "suppressed at source" in W.comparator_sentence(pg, "cpp_open_2_years_or_more_pct")
    assert any("suppressed at source" in note for note in W.status_notes(pg))
    assert not (table == "0.0%").any(axis=None)


def test_neighbour_table_lists_the_ten_by_name(page):
    table, note = W.neighbour_table(page)
    assert len(table) == 10 and "April 2021" in note
    assert table["LA code"].tolist() == _neighbours_from_file("210")
    assert table.loc[1, "Authority"] == "Hackney"


def test_unknown_code_and_unpublished_year_give_clear_words():
    with pytest.raises(bm.UnknownLocalAuthorityError, match="Did you mean: Southwark"):
        benchmark.resolve_la(2100)
    early = _page(period=_year(2012))
    assert "not for 2011-12" in W.heading(early)
    # review P8: the summary's row says why, rather than a bare "no headline"
    (left_out,) = W.headlines(early)
    assert left_out.key == "benchmark_second_or_subsequent" and left_out.value == "not available"
    assert "left out" in left_out.sentence and "not for 2011-12" in left_out.sentence
    assert left_out.estimate is None
    late = _page(period=_year(2026))
    assert "publishes a year's figures in the autumn after it ends" in W.heading(late)
    assert W.figures(late)["comparison_left_out"]


def test_authority_without_neighbour_group_still_compares():
    pg = _page("942", _year(2025))  # Cumberland, created 2023: no April 2021 group
    table = W.comparator_table(pg, "cpp_second_or_subsequent_pct")
    assert "Statistical neighbours (median)" not in table.columns
    assert any("No statistical neighbour comparison" in n for n in W.status_notes(pg))
    assert table.loc["2012-13", "Cumberland"] == "not in the published tables"
    assert W.neighbour_table(pg)[0].empty


def test_spc_reads_the_published_series_up_to_the_year():
    pg = _page("210", _year(2014))
    result = pg.results.spc.result
    first = result.table.iloc[0]
    assert (first["numerator"], first["denominator"]) == (49, 292)
    assert [int(y) for y in result.table.index] == [2013, 2014]
    assert result.variation in W.spc_sentence(pg)
    assert isinstance(benchmark.charts.spc_chart(pg), Figure)
    assert benchmark.charts.spc_chart(_page()) is None


def test_comparator_chart_indexes_counts_at_the_first_year(page):
    fig = benchmark.charts.comparator_chart(page, "cin_at_31_march")
    lines = {line.get_label(): line.get_ydata() for line in fig.axes[0].get_lines()}
    assert lines["Southwark"][0] == pytest.approx(100)
    assert lines["England"][0] == pytest.approx(100)
    assert "2012-13 = 100" in fig.axes[0].get_ylabel()


def test_headline_value_interval_comparison_and_variation(page):
    (headline,) = W.headlines(page)
    low, high = proportion_confint(49, 292, alpha=0.05, method="wilson")
    assert headline.value == "16.8% (49 of 292 plans)"
    assert headline.interval == f"{100 * low:.1f}% to {100 * high:.1f}%"
    assert headline.report == "06_national_benchmark" and headline.period == "2012-13"
    assert "higher than England (14.9%)" in headline.sentence
    assert headline.comparison == (
        "England 14.9%; statistical neighbours (median) 12.4% (2012-13, published)"
    )
    assert headline.variation is None  # one published year up to 2012-13: no chart
    (later,) = W.headlines(_page(period=_year(2014)))
    last = _page(period=_year(2014)).results.spc.result.table.iloc[-1]
    assert later.variation is not None and later.previous == pytest.approx(100 * 49 / 292)
    assert later.process_upper == pytest.approx(100 * last["upper"])
    assert later.previous_period == "2012-13"


def test_headline_value_range_and_year_before_are_one_quantity():
    """Review: the value and range came from the published counts but ``estimate`` and
    ``previous`` (the direction of travel) were the rounded published rates (16.8 for 49 of
    292 = 16.78%). All four now rest on the DfE's published counts (read here with the csv
    module), and the sentence says so."""
    file = "d3_cpps_subsequent_plan_2013_to_2025.csv"

    def share(year: str) -> float:
        x = int(_published(file, "CPP_subsequent", year)["210"])
        return 100 * x / int(_published(file, "CPP_start", year)["210"])

    (h,) = W.headlines(_page(period=_year(2014)))
    assert h.estimate == pytest.approx(share("2014"), rel=1e-12)
    assert h.previous == pytest.approx(share("2013"), rel=1e-12)
    assert h.value.startswith(f"{h.estimate:.1f}% (")
    assert h.lower < h.estimate < h.upper and h.interval == f"{h.lower:.1f}% to {h.upper:.1f}%"
    assert "worked out from the DfE's published counts" in h.sentence


def test_reconciliation_with_the_synthetic_extract_does_not_match(page):
    table = W.reconciliation_table(page)
    assert "does not reproduce" in W.reconciliation_sentence(page)
    assert "SYNTHETIC" in W.reconciliation_caveats(page)[0]
    assert table.loc["Second or subsequent plans, % of plans started", "Published"] == "16.8%"
    assert W.figures(page)["reconciliation_matches"] is False


def _micro() -> pd.DataFrame:
    dates = pd.to_datetime
    return pd.DataFrame(
        {
            "plan_start_date": dates(["2012-05-01", "2012-06-01", "2012-07-01", "2010-01-10"]),
            "plan_end_date": dates(["2012-12-01", pd.NaT, pd.NaT, pd.NaT]),
            "second_or_subsequent": [True, False, False, False],
        }
    )


def test_reconciliation_withholds_small_local_counts_and_what_gives_them_back():
    pg = _page(cpp=_micro())
    table = W.reconciliation_table(pg)
    html = table.to_html()
    assert find_unsuppressed_small_counts(html, threshold=5) == []
    row = table.loc["Child protection plans started in the year"]
    assert (row["Local extract"], row["Difference"], row["Agrees"]) == ("c", "c", "c")
    assert any("shown as c" in c for c in W.reconciliation_caveats(pg))
    assert W.figures(pg)["reconciliation_matches"] is None  # "matches" would give them back
    assert "withheld" in W.reconciliation_sentence(pg)
    restricted = _page(cpp=_micro(), policy=disclosure_policy(BOARD_RESTRICTED))
    assert W.reconciliation_table(restricted).loc[row.name, "Local extract"] == "3"


def test_what_this_means_is_built_from_the_figures(page):
    text = W.what_this_means(page)
    assert "16.8%" in text and "not unusual" in text and "12.4%" in text


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2010, 1, 1), dt.date(2013, 3, 31)),
            st.integers(0, 900),
            st.booleans(),
        ),
        max_size=40,
    )
)
def test_auditor_on_tiny_and_micro_extracts(plans) -> None:
    frame = pd.DataFrame(
        {
            "plan_start_date": pd.to_datetime([p[0] for p in plans]),
            "plan_end_date": pd.to_datetime(
                [
                    None if d > 800 else p[0] + dt.timedelta(days=d)
                    for p, d in ((p, p[1]) for p in plans)
                ]
            ),
            "second_or_subsequent": pd.Series([p[2] for p in plans], dtype=bool),
        }
    )
    facts = benchmark.compute.compute(frame, "210", *YEAR_2013)
    pg = disclose_page(facts, disclosure_policy())
    # not counts of children: the neighbours' LA codes, how many authorities the funnel holds
    codes = [int(c) for c in W.neighbour_table(pg)[0]["LA code"]]
    others = [*codes, len(pg.results.funnel.points), 10, 95, 99.8]
    assert audit_page(facts, pg, all_words(pg), others=others) == []


def test_the_page_is_left_out_without_an_la_code(tmp_path) -> None:
    """No area in the code: the national page takes its authority from the profile only."""
    import json

    import papermill as pm
    import yaml

    from sscb_analysis.paths import NOTEBOOKS, ROOT

    profile = yaml.safe_load((ROOT / "config" / "reports.yml").read_text(encoding="utf-8"))
    profile["area"] = {"name": "Anytown", "period": {"start": "2012-04-01", "end": "2013-03-31"}}
    path = tmp_path / "anytown.yml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    out = tmp_path / "06.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / "06_national_benchmark.ipynb"),
        str(out),
        parameters={"profile_path": str(path)},
        cwd=str(NOTEBOOKS),
        progress_bar=False,
    )
    text = json.dumps(json.loads(out.read_text(encoding="utf-8"))["cells"])
    assert "left out: the area profile gives no `area.la_code`" in text
    assert "Southwark" not in text and "Inner London" not in text


def test_funnel_chart_alt_text_says_where_the_authority_sits(page):
    """The funnel's alt text is written from its facts, not read off the limit curves (which
    gave "292 points from 56. to 1637.")."""
    import matplotlib.pyplot as plt

    from sscb_analysis.alt_text import alt_of
    from sscb_analysis.analyses.benchmark import charts

    fig = charts.funnel_chart(page)
    try:
        alt = alt_of(fig)
    finally:
        plt.close(fig)
    assert alt.startswith("Funnel plot of every authority's share")
    assert W.funnel_sentence(page) in alt
    assert not re.search(r"\d\.(\s|\)|,|$)", alt), alt  # no "56." read off a curve

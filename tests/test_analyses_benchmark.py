"""Tests for ``sscb_analysis.analyses.benchmark`` (notebook 06) on the real published DfE files.

Reference values are read straight from the CSVs in ``data/raw/dfe`` with the ``csv`` module
(independently of ``sscb_analysis.benchmarks``); the Wilson interval is checked against
statsmodels' ``proportion_confint(method="wilson")``.
"""

from __future__ import annotations

import csv
import statistics

import pandas as pd
import pytest
from matplotlib.figure import Figure
from statsmodels.stats.proportion import proportion_confint

from sscb_analysis import benchmarks as bm
from sscb_analysis.analyses import benchmark
from sscb_analysis.paths import DFE, SYNTHETIC
from sscb_analysis.reporting.checks import find_unsuppressed_small_counts


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


@pytest.fixture(scope="module")
def southwark() -> bm.LocalAuthority:
    return benchmark.resolve_la(210, 2013)


@pytest.fixture(scope="module")
def repeat_view(southwark):
    return benchmark.comparator_view(southwark, "cpp_second_or_subsequent_pct", 2013)


def test_southwark_2013_share_is_the_published_16_8(repeat_view):
    assert repeat_view.value("la") == pytest.approx(16.8)
    assert repeat_view.table.loc["2012-13", "Southwark"] == "16.8%"
    assert "16.8%" in repeat_view.sentence
    assert "England 14.9%" in repeat_view.sentence


def test_england_share_is_the_published_ratio(southwark):
    national = next(
        r
        for r in _rows("d3_cpps_subsequent_plan_2013_to_2025.csv")
        if r["time_period"] == "2013" and r["geographic_level"] == "National"
    )
    x, n = int(national["CPP_subsequent"]), int(national["CPP_start"])
    funnel = benchmark.funnel_view(southwark, 2013)
    assert funnel.data.p0 == pytest.approx(x / n)
    assert (funnel.la_x, funnel.la_n) == (49, 292)
    assert funnel.position == "within"
    assert f"{100 * x / n:.1f}%" in funnel.sentence
    assert "inside the 95% limits" in funnel.sentence


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
def test_neighbour_median_matches_an_independent_median(southwark, file, column, indicator, year):
    values = _published(file, column, year)
    numbers = []
    for code in _neighbours_from_file("210"):
        text = values.get(code, "")
        try:
            numbers.append(float(text))
        except ValueError:  # c, z, x ...: left out, never counted as zero
            continue
    view = benchmark.comparator_view(southwark, indicator, int(year))
    assert view.neighbours_used() == len(numbers)
    assert view.value("neighbours_median") == pytest.approx(statistics.median(numbers))
    assert (
        view.table.loc[view.long["period"][view.long["year"] == int(year)].iloc[0]][
            "Neighbours with a figure"
        ]
        == f"{len(numbers)} of 10"
    )


def test_suppressed_values_are_shown_as_suppressed_never_zero(southwark):
    raw = _published(
        "d5_cpps_at31march_by_duration_2013_to_2025.csv", "2_years_or_more_percent", "2015"
    )
    assert raw["210"] == "c"
    view = benchmark.comparator_view(southwark, "cpp_open_2_years_or_more_pct", 2015)
    assert view.table.loc["2014-15", "Southwark"] == "suppressed at source"
    assert view.status("la") == "suppressed"
    assert "suppressed at source" in view.sentence
    assert any("suppressed at source" in note for note in view.notes)
    assert not (view.table == "0.0%").any(axis=None)


def test_neighbour_table_lists_the_ten_by_name(southwark):
    table = benchmark.neighbour_table(southwark)
    assert len(table) == 10
    assert table["LA code"].tolist() == _neighbours_from_file("210")
    assert table.loc[1, "Authority"] == "Hackney"


def test_unknown_code_and_year_give_clear_errors():
    with pytest.raises(bm.UnknownLocalAuthorityError, match="Did you mean: Southwark"):
        benchmark.resolve_la(2100, 2013)
    with pytest.raises(LookupError, match=r"2012-13 to 2024-25"):
        benchmark.resolve_la(210, 2012)


def test_authority_without_neighbour_group_still_compares():
    la = benchmark.resolve_la(942, 2025)  # Cumberland, created 2023: no April 2021 group
    view = benchmark.comparator_view(la, "cpp_second_or_subsequent_pct", 2025)
    assert "Statistical neighbours (median)" not in view.table.columns
    assert any("No statistical neighbour comparison" in n for n in view.notes)
    assert view.table.loc["2012-13", "Cumberland"] == "not in the published tables"
    assert benchmark.neighbour_table(la).empty


def test_spc_view_reads_the_published_series(southwark):
    spc = benchmark.spc_view(southwark)
    assert spc.years.startswith("2012-13")
    first = spc.result.table.iloc[0]
    assert (first["numerator"], first["denominator"]) == (49, 292)
    assert spc.result.variation in spc.sentence
    assert isinstance(spc.figure(), Figure)


def test_comparator_chart_indexes_counts_at_the_first_year(southwark):
    view = benchmark.comparator_view(southwark, "cin_at_31_march", 2013)
    fig = benchmark.comparator_chart(view)
    lines = {line.get_label(): line.get_ydata() for line in fig.axes[0].get_lines()}
    assert lines["Southwark"][0] == pytest.approx(100)
    assert lines["England"][0] == pytest.approx(100)
    assert "2012-13 = 100" in fig.axes[0].get_ylabel()


def test_headline_value_interval_and_variation(southwark):
    (headline,) = benchmark.headlines(la_code=210, year=2013, confidence_level=0.95)
    low, high = proportion_confint(49, 292, alpha=0.05, method="wilson")
    assert headline.value == "16.8% (49 of 292 plans)"
    assert headline.interval == f"{100 * low:.1f}% to {100 * high:.1f}%"
    assert headline.report == "06_national_benchmark"
    assert headline.variation.startswith(benchmark.spc_view(southwark).result.variation)
    assert "higher than England (14.9%)" in headline.sentence


def test_reconciliation_with_the_synthetic_extract_does_not_match(southwark):
    from sscb_analysis.data import load_extract

    cpp = load_extract("cpp", SYNTHETIC / "cpp.csv")
    rec = benchmark.reconciliation_view(cpp, southwark, 2013, threshold=5, synthetic=True)
    assert not rec.result.matches
    assert "does not reproduce" in rec.sentence
    assert "SYNTHETIC" in rec.caveats[0]
    assert rec.table.loc["Second or subsequent plans, % of plans started", "Published"] == "16.8%"


def test_reconciliation_suppresses_small_local_counts(southwark):
    dates = pd.to_datetime
    cpp = pd.DataFrame(
        {
            "plan_start_date": dates(["2012-05-01", "2012-06-01", "2012-07-01", "2010-01-10"]),
            "plan_end_date": dates(["2012-12-01", pd.NaT, pd.NaT, pd.NaT]),
            "second_or_subsequent": [True, False, False, False],
        }
    )
    rec = benchmark.reconciliation_view(cpp, southwark, 2013, threshold=5)
    html = rec.table.to_html()
    assert find_unsuppressed_small_counts(html, threshold=5) == []
    assert rec.table.loc["Child protection plans started in the year", "Local extract"] == "c"
    assert rec.table.loc["Child protection plans started in the year", "Difference"] == "c"
    assert any("shown as c" in c for c in rec.caveats)


def test_what_this_means_is_built_from_the_figures(southwark, repeat_view):
    funnel = benchmark.funnel_view(southwark, 2013)
    spc = benchmark.spc_view(southwark)
    summary = benchmark.benchmark_summary(repeat_view, funnel, spc)
    assert summary.neighbour_median == pytest.approx(12.4)
    text = benchmark.what_this_means(summary, [repeat_view])
    assert "16.8%" in text and "not unusual" in text


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

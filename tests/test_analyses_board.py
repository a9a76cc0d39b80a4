"""Tests for ``sscb_analysis.analyses.board`` (notebook 05): headlines collected from every
analyses module on the synthetic extracts, one table row per headline, no small count shown."""

from __future__ import annotations

import importlib.util

import pytest

from sscb_analysis.analyses import board
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.data import load_extract
from sscb_analysis.paths import DFE, SYNTHETIC
from sscb_analysis.reporting.checks import find_unsuppressed_small_counts


@pytest.fixture(scope="module")
def inputs() -> dict:
    paths = {kind: SYNTHETIC / f"{kind}.csv" for kind in ("cpp", "caf", "marac")}
    return {
        **{kind: load_extract(kind, path) for kind, path in paths.items()},
        **{f"{kind}_path": path for kind, path in paths.items()},
        "period_start": "2012-04-01",
        "period_end": "2013-03-31",
        "series_end": "2013-03-31",
        "intervention_date": "2012-06-01",
        "confidence_level": 0.95,
        "suppression_threshold": 5,
        "la_code": 210,
        "year": 2013,
        "dfe_dir": DFE,
    }


@pytest.fixture(scope="module")
def collected(inputs) -> board.BoardHeadlines:
    return board.collect_headlines(inputs)


def _exists(module: str) -> bool:
    return importlib.util.find_spec(f"sscb_analysis.analyses.{module}") is not None


def test_every_existing_module_contributes_and_missing_ones_are_listed(collected):
    included = {s.module for s in collected.included}
    missing = {s.module for s in collected.missing}
    assert included | missing == {s.module for s in board.SOURCES}
    assert "benchmark" in included
    for source in board.SOURCES:
        assert (source in collected.included) == _exists(source.module)
    reports = {h.report for h in collected.headlines}
    assert reports <= {s.report for s in collected.included}
    assert "06_national_benchmark" in reports


def test_table_has_one_row_per_headline_and_no_small_count(collected):
    table = board.headline_table(collected.headlines, 0.95)
    assert len(table) == len(collected.headlines) >= 2
    assert list(table.columns) == list(collected.headlines[0].as_row(0.95))
    assert table["Indicator"].tolist() == [h.label for h in collected.headlines]
    html = table.to_html(index=False)
    assert find_unsuppressed_small_counts(html, threshold=5) == []
    assert board.check_disclosure(table, 5) is table


def test_national_benchmark_row_holds_the_published_figure(collected):
    row = next(h for h in collected.headlines if h.report == "06_national_benchmark")
    assert row.value.startswith("16.8%")


def _headline(value: str) -> Headline:
    return Headline(
        key="k",
        label="Plans",
        value=value,
        interval="1.0% to 9.0%",
        sentence="One sentence.",
        report="01_cpp_repeat_plans",
    )


def test_a_small_count_in_a_cell_is_refused():
    table = board.headline_table([_headline("3"), _headline("120")])
    with pytest.raises(board.DisclosureError, match=r"from 1 to 5.*'Latest value': 3"):
        board.check_disclosure(table, 5)
    board.check_disclosure(board.headline_table([_headline("c"), _headline("6")]), 5)
    with pytest.raises(board.DisclosureError):
        board.check_disclosure(board.headline_table([_headline("6")]), 10)


def test_missing_module_is_reported_not_fatal(inputs):
    sources = (
        board.HeadlineSource("benchmark", "06_national_benchmark", "National"),
        board.HeadlineSource("not_written_yet", "99_future", "Future report"),
    )
    result = board.collect_headlines(inputs, sources)
    assert [s.module for s in result.missing] == ["not_written_yet"]
    assert [s.module for s in result.included] == ["benchmark"]


def test_a_required_input_the_board_lacks_is_a_clear_error():
    sources = (board.HeadlineSource("caf", "03_caf", "CAF"),)
    with pytest.raises(RuntimeError, match=r"needs 'caf'"):
        board.collect_headlines({"confidence_level": 0.95}, sources)


def test_board_message_follows_the_variation():
    concern = Headline("a", "Long plans", "10%", "", "", "02", variation="special cause concern")
    better = Headline(
        "b", "Repeat plans", "5%", "", "", "01", variation="special cause improvement"
    )
    steady = Headline("c", "CAF", "90%", "", "", "03", variation="common cause")
    text = board.board_message([concern, better, steady], synthetic=True)
    assert "explanation of “Long plans”" in text
    assert "improvement in “Repeat plans”" in text
    assert "ordinary variation: “CAF”" in text
    assert "SYNTHETIC" in text
    calm = board.board_message([steady], synthetic=False)
    assert calm.startswith("No indicator shows a worrying change")
    assert "SYNTHETIC" not in calm


def test_links_are_relative_html_names():
    links = board.report_links(board.SOURCES)
    assert "(00_data_quality.html)" in links
    assert "(06_national_benchmark.html)" in links
    assert "/" not in links.replace("](", "")
    assert board.synthetic_note(False) is None
    assert "SYNTHETIC" in board.synthetic_note(True)
    assert "95% confidence interval" in board.reading_guide(0.95)

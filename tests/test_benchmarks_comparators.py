"""Finding authorities, statistical neighbours and comparators on the published DfE data.

Reference values are read from the published files by hand (data/raw/dfe): Southwark's April
2021 statistical neighbours are 204, 208, 309, 206, 203, 209, 205, 320, 308, 306; England's
share of second or subsequent plans in 2012-13 was 14.9%, Inner London's 13.3%, London's 13.0%.
"""

from __future__ import annotations

import statistics

import pytest
from click.testing import CliRunner

from sscb_analysis.benchmarks import (
    NoNeighbourGroupError,
    UnknownIndicatorError,
    UnknownLocalAuthorityError,
    comparator_table,
    comparators,
    find_la,
    la_profile,
    la_series,
    neighbour_codes,
    neighbour_values,
    statistical_neighbours,
)
from sscb_analysis.commands.dfe import command

SOUTHWARK_NEIGHBOURS = ["204", "208", "309", "206", "203", "209", "205", "320", "308", "306"]


@pytest.mark.parametrize(
    "query", [210, "210", "E09000028", "Southwark", " southwark ", "SOUTHWARK"]
)
def test_find_southwark_by_code_or_name(query):
    la = find_la(query)
    assert (la.old_la_code, la.new_la_code, la.name) == ("210", "E09000028", "Southwark")
    assert la.region_name == "Inner London" and la.london


def test_find_la_across_reorganisations_and_spellings():
    assert find_la("E10000023").old_la_code == "815"  # North Yorkshire's code to 2023
    assert find_la(815).new_la_code == "E06000065"  # and from 2024
    assert find_la("Dorset").old_la_code == "838"  # the current Dorset
    assert find_la("Dorset (Pre LG)").old_la_code == "835"
    assert find_la("Bedford Borough").name == "Bedford"  # neighbour-file spelling
    assert find_la("Bournemouth, Christchurch & Poole").old_la_code == "839"


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [("Southwrk", "Southwark (210"), ("Hull", "Kingston upon Hull"), ("Lambth", "Lambeth (208")],
)
def test_unknown_la_lists_close_matches(query, suggestion):
    with pytest.raises(UnknownLocalAuthorityError) as info:
        find_la(query)
    assert suggestion in str(info.value)
    assert any(suggestion in s for s in info.value.suggestions)


def test_unknown_code_is_an_error():
    with pytest.raises(UnknownLocalAuthorityError, match="999"):
        find_la(999)


def test_statistical_neighbours_of_southwark():
    table = statistical_neighbours(210)
    assert table["old_la_code"].tolist() == SOUTHWARK_NEIGHBOURS
    assert table["la_name"].tolist()[:3] == ["Hackney", "Lambeth", "Haringey"]
    assert table["rank"].tolist() == list(range(1, 11))
    assert neighbour_codes("Southwark") == SOUTHWARK_NEIGHBOURS


def test_no_group_for_authorities_created_after_2021():
    with pytest.raises(NoNeighbourGroupError, match="Cumberland"):
        statistical_neighbours(942)
    old = statistical_neighbours(928)
    assert old.attrs["current"] is False and len(old) == 10


def test_comparators_for_southwark_2013():
    long = comparators("Southwark", "cpp_second_or_subsequent_pct")
    y2013 = long[long["year"] == 2013].set_index("comparator")
    assert list(y2013.index) == ["la", "region", "london", "england", "neighbours_median"]
    assert y2013.loc["la", "value"] == pytest.approx(16.8)
    assert y2013.loc["region", "area_name"] == "Inner London"
    assert y2013.loc["region", "value"] == pytest.approx(13.3)
    assert y2013.loc["london", "value"] == pytest.approx(13.0)
    assert y2013.loc["england", "value"] == pytest.approx(14.9)
    # neighbours' published 2012-13 shares, read from the D3 file by hand
    hand = [17.0, 12.5, 4.6, 10.4, 16.5, 8.8, 13.3, 12.3, 17.8, 10.9]
    assert y2013.loc["neighbours_median", "value"] == pytest.approx(statistics.median(hand))
    assert y2013.loc["neighbours_median", "n_areas"] == 10


def test_neighbour_median_skips_suppressed_values():
    values = neighbour_values(210, "cpp_open_2_years_or_more")
    long = comparators(210, "cpp_open_2_years_or_more")
    med = long[long["comparator"] == "neighbours_median"].set_index("year")
    for year, row in values.iterrows():
        published = row.dropna().tolist()
        assert med.loc[year, "n_areas"] == len(published)
        assert med.loc[year, "value"] == pytest.approx(statistics.median(published))
    assert (med["n_areas"] < 10).any()  # some neighbour years are suppressed


def test_region_only_for_authorities_outside_london():
    long = comparators("Leeds", "referrals", neighbours=False)
    assert set(long["comparator"]) == {"la", "region", "england"}
    assert set(long.loc[long["comparator"] == "region", "area_name"]) == {
        "Yorkshire and The Humber"
    }


def test_comparator_table_and_series():
    wide = comparator_table(210, "cpp_started")
    assert list(wide.columns) == [
        "Southwark", "Inner London", "London", "England", "Statistical neighbours (median)"
    ]  # fmt: skip
    assert wide.loc[2013, "Southwark"] == 292
    series = la_series(210, "cpp_started")
    assert series["year"].tolist() == list(range(2013, 2026))
    profile = la_profile(210, 2013).set_index("indicator")
    assert profile.loc["cpp_second_or_subsequent", "value"] == 49


def test_unknown_indicator_suggests():
    with pytest.raises(UnknownIndicatorError, match="cpp_second_or_subsequent"):
        comparators(210, "cpp_subsequent")


def test_cli_show_and_neighbours():
    runner = CliRunner()
    shown = runner.invoke(command, ["show", "210", "--year", "2013"])
    assert shown.exit_code == 0, shown.output
    assert "16.8" in shown.output and "14.9" in shown.output
    listed = runner.invoke(command, ["neighbours", "Southwark"])
    assert listed.exit_code == 0 and "Hackney" in listed.output and "Croydon" in listed.output
    bad = runner.invoke(command, ["show", "Southwrk"])
    assert bad.exit_code == 1 and "Southwark (210" in bad.output
    coded = runner.invoke(command, ["show", "210", "-i", "cpp_open_2_years_or_more"])
    assert coded.exit_code == 0 and "2014-15" in coded.output
    line = next(x for x in coded.output.splitlines() if x.startswith("2014-15"))
    assert line.split()[1] == "c"  # suppressed, not 0

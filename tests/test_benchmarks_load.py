"""Loaders of the published DfE files: known values read back, every status code, malformed files.

Known values are from the published DfE "Characteristics of children in need" tables as copied
into data/raw/dfe (see its README): e.g. table D3, Southwark 2012-13: 292 plans started, 49 second
or subsequent, 16.8%.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from sscb_analysis import paths
from sscb_analysis.benchmarks import (
    STATUS_CODES,
    DfeDataError,
    load_all,
    load_file,
    load_neighbour_groups,
)

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,category,CPP_start,CPP_subsequent,"
    "CPP_subsequent_percent"
)
NATIONAL = "2013,Reporting year,National,E92000001,England,,,,,,cat,52680,7870,14.9"
D3 = "d3_cpps_subsequent_plan_2013_to_2025.csv"


def la_row(start: str, sub: str, pct: str, code: str = "210", year: str = "2013") -> str:
    return (
        f"{year},Reporting year,Local authority,E92000001,England,E13000001,Inner London,"
        f"{code},E09000{code[:3]},LA {code},cat,{start},{sub},{pct}"
    )


def write_d3(folder: Path, *rows: str, header: str = HEADER) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / D3
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def value(table, code: str, year: int, indicator: str):
    row = table[
        (table["old_la_code"] == code) & (table["year"] == year) & (table["indicator"] == indicator)
    ]
    assert len(row) == 1, (code, year, indicator, len(row))
    return row.iloc[0]


def test_southwark_2013_second_or_subsequent_plans():
    d3 = load_file("d3")
    assert value(d3, "210", 2013, "cpp_started")["value"] == 292
    assert value(d3, "210", 2013, "cpp_second_or_subsequent")["value"] == 49
    pct = value(d3, "210", 2013, "cpp_second_or_subsequent_pct")
    assert pct["value"] == pytest.approx(16.8)
    assert pct["status"] == "published" and pct["period"] == "2012-13"
    assert pct["new_la_code"] == "E09000028" and pct["la_name"] == "Southwark"


def test_other_published_values_read_back():
    tidy = load_all()
    # D5: Southwark plans open at 31 March 2013, 12 of them for 2 years or more (4.4%).
    assert value(tidy, "210", 2013, "cpp_open_31_march")["value"] == 272
    assert value(tidy, "210", 2013, "cpp_open_2_years_or_more")["value"] == 12
    assert value(tidy, "210", 2013, "cpp_open_2_years_or_more_pct")["value"] == pytest.approx(4.4)
    # C1: Southwark 2012-13 referrals 3450, re-referrals 651 (18.9%), NFA 18.4%.
    assert value(tidy, "210", 2013, "referrals")["value"] == 3450
    assert value(tidy, "210", 2013, "rereferrals_pct")["value"] == pytest.approx(18.9)
    assert value(tidy, "210", 2013, "referrals_nfa_pct")["value"] == pytest.approx(18.4)
    # B1: children in need at 31 March 3315; episodes started 1850.
    assert value(tidy, "210", 2013, "cin_at_31_march")["value"] == 3315
    assert value(tidy, "210", 2013, "cin_episodes_started")["value"] == 1850
    england = tidy[(tidy["geographic_level"] == "national") & (tidy["year"] == 2025)]
    started = england[england["indicator"] == "cpp_started"].iloc[0]
    assert started["value"] == 61840 and started["area_name"] == "England"


def test_tidy_shape_and_coverage():
    tidy = load_all()
    assert sorted(tidy["year"].unique()) == list(range(2013, 2026))
    assert set(tidy["geographic_level"].astype(str)) == {"national", "regional", "local_authority"}
    # 2132 rows per file: 3 + 5*2 + 10 + 8 indicators
    assert len(tidy) == 2132 * (3 + 11 + 10 + 8)
    assert not tidy.duplicated(["year", "geographic_level", "area_code", "indicator"]).any()


def test_real_codes_are_nan_with_reason_never_zero():
    tidy = load_all()
    coded = tidy[tidy["status"] != "published"]
    assert coded["value"].isna().all()
    assert set(coded["symbol"]) == {"c", "x", "u", "z"}
    assert tidy.loc[tidy["status"] == "published", "value"].notna().all()
    # Hampshire 2023-24 D3 is "u" (low reliability); Isles of Scilly's % is "z".
    ham = value(tidy, "850", 2024, "cpp_started")
    assert math.isnan(ham["value"]) and ham["status"] == "low_reliability" and ham["symbol"] == "u"
    ios = value(tidy, "420", 2024, "cpp_second_or_subsequent_pct")
    assert (
        ios["status"] == "not_applicable" and value(tidy, "420", 2024, "cpp_started")["value"] == 0
    )
    hackney = value(tidy, "204", 2021, "cpp_started")
    assert hackney["status"] == "not_available" and hackney["symbol"] == "x"
    # Southwark 2014-15 D5 "2 years or more" is suppressed: NaN, and the median skips it.
    sw = value(tidy, "210", 2015, "cpp_open_2_years_or_more")
    assert sw["status"] == "suppressed" and math.isnan(sw["value"])


@pytest.mark.parametrize("symbol", list(STATUS_CODES))
def test_every_status_code_in_a_fixture(tmp_path, symbol):
    write_d3(tmp_path, NATIONAL, la_row("40", symbol, symbol))
    d3 = load_file("d3", folder=tmp_path)
    row = value(d3, "210", 2013, "cpp_second_or_subsequent")
    assert math.isnan(row["value"])
    assert row["status"] == STATUS_CODES[symbol]
    assert row["symbol"] == symbol
    assert value(d3, "210", 2013, "cpp_started")["value"] == 40


def test_upper_case_code_is_read_and_kept(tmp_path):
    write_d3(tmp_path, NATIONAL, la_row("40", "C", "LOW"))
    d3 = load_file("d3", folder=tmp_path)
    assert value(d3, "210", 2013, "cpp_second_or_subsequent")["status"] == "suppressed"
    assert value(d3, "210", 2013, "cpp_second_or_subsequent_pct")["symbol"] == "LOW"


@pytest.mark.parametrize(
    ("rows", "header", "expect"),
    [
        ((NATIONAL, la_row("40", "?", "1")), HEADER, ["row 3", "'CPP_subsequent'", "'?'"]),
        ((NATIONAL, la_row("40", "", "1")), HEADER, ["row 3", "blank cell"]),
        ((NATIONAL, la_row("40", '"1,000"', "1")), HEADER, ["row 3", "'1,000'"]),
        ((NATIONAL, la_row("40", "4", "inf")), HEADER, ["row 3", "infinite"]),
        ((NATIONAL, la_row("40", "4", "1", year="13")), HEADER, ["row 3", "time_period"]),
        (
            (NATIONAL.replace("National", "Ward"),),
            HEADER,
            ["row 2", "geographic_level", "'Ward'"],
        ),
        (
            (NATIONAL.replace("Reporting year", "Calendar year"),),
            HEADER,
            ["row 2", "time_identifier"],
        ),
        ((NATIONAL, la_row("40", "4", "1", code="21")), HEADER, ["row 3", "old_la_code"]),
        (
            (NATIONAL, la_row("40", "4", "1"), la_row("40", "4", "1")),
            HEADER,
            ["row 4", "same year"],
        ),
        ((NATIONAL,), HEADER.replace("CPP_start", "CPP_starts"), ["missing column", "CPP_start"]),
        ((NATIONAL, la_row("40", "4", "1") + ",extra"), HEADER, ["well-formed CSV", "line 3"]),
        ((), HEADER, ["no rows"]),
        (
            (NATIONAL, la_row("40", "4", "1").rsplit(",", 1)[0]),
            HEADER,
            ["row 3", "'CPP_subsequent_percent'", "blank cell"],
        ),
    ],
)
def test_malformed_files_name_file_row_and_value(tmp_path, rows, header, expect):
    path = write_d3(tmp_path, *rows, header=header)
    with pytest.raises(DfeDataError) as info:
        load_file("d3", folder=tmp_path)
    message = str(info.value)
    assert str(path) in message
    for part in expect:
        assert part in message


def test_missing_folder_and_missing_file(tmp_path):
    with pytest.raises(DfeDataError, match="does not exist"):
        load_file("d3", folder=tmp_path / "nowhere")
    with pytest.raises(DfeDataError, match="missing"):
        load_file("d3", folder=tmp_path)
    with pytest.raises(KeyError, match="Unknown DfE table"):
        load_file("z9")


def test_cache_reuses_parse_and_rereads_changed_file(tmp_path):
    write_d3(tmp_path, NATIONAL, la_row("40", "4", "10"))
    first = load_file("d3", folder=tmp_path)
    first.loc[0, "value"] = -1  # copy-on-write: the cached table is untouched
    again = load_file("d3", folder=tmp_path)
    assert again.loc[0, "value"] == 52680
    write_d3(tmp_path, NATIONAL, la_row("41", "4", "9.8"))
    later = load_file("d3", folder=tmp_path)
    assert value(later, "210", 2013, "cpp_started")["value"] == 41


def test_default_folder_is_project_dfe():
    assert paths.DFE == paths.ROOT / "data" / "raw" / "dfe"
    assert (paths.DFE / D3).is_file()


def test_neighbour_file_parsed_with_old_block():
    groups = load_neighbour_groups()
    southwark = groups[groups["old_la_code"] == "210"].sort_values("rank")
    assert southwark["neighbour_code"].tolist() == [
        "204", "208", "309", "206", "203", "209", "205", "320", "308", "306"
    ]  # fmt: skip
    assert southwark["closeness"].iloc[0] == "Close" and southwark["current"].all()
    old = groups[~groups["current"]]
    assert set(old["old_la_code"]) == {"835", "836", "837", "928"}
    assert (groups.groupby("old_la_code").size() == 10).all()


def test_malformed_neighbour_file(tmp_path):
    source = paths.DFE / "New_Statistical_Neighbour_Groupings_April_2021.csv"
    text = source.read_text(encoding="utf-8-sig").splitlines()
    text[2] = text[2].replace(",Close,", ",Quite close,", 1)
    (tmp_path / source.name).write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DfeDataError, match=r"row 3.*'Quite close'"):
        load_neighbour_groups(folder=tmp_path)
    text[2] = text[2].replace("213,", "21x,", 1)
    (tmp_path / source.name).write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DfeDataError, match=r"row 3.*SN1"):
        load_neighbour_groups(folder=tmp_path)


def test_load_all_reads_another_folder(tmp_path):
    for f in paths.DFE.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    copy = load_all(folder=tmp_path)
    ours = load_all()
    assert np.array_equal(copy["value"].to_numpy(), ours["value"].to_numpy(), equal_nan=True)

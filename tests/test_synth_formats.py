"""The synthetic CPP extract written as CIN census returns and an Annex A workbook."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sscb_analysis import synth, synth_formats
from sscb_analysis.cleaning.formats import common, read, sniff
from sscb_analysis.cli import main
from sscb_analysis.provenance import is_synthetic


@pytest.fixture(scope="module")
def cpp() -> pd.DataFrame:
    return synth.generate_cpp()


def values(table, header: str) -> list[str | None]:
    return table.columns[table.headers.index(header)].values_at(np.arange(table.n_rows))


def upn_valid(upn: str) -> bool:
    """The check letter as Data to Insight's CIN validator checks it (rule 1510, after the DfE
    UPN guide): digits 2 to 13 times weights 2 to 13, summed, modulo 23, indexes
    ABCDEFGHJKLMNPQRTUVWXYZ. Written here from the rule's text, apart from the code under test."""
    if len(upn) != 13 or not upn[1:].isdigit():
        return False
    total = 0
    for position in range(1, 13):
        total = (total + int(upn[position]) * (position + 1)) % 23
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total] == upn[0]


def test_upn_check_letters() -> None:
    # The CIN validator's example UPN is not valid: its digits give P, not A.
    assert synth_formats.upn_check_letter("123456789123") == "P"
    assert not upn_valid("A123456789123")
    kids = synth_formats.children(synth.generate_cpp())
    upns = [k.upn for k in kids.values()] + [k.former_upn for k in kids.values() if k.former_upn]
    assert len(upns) > 1000
    assert all(upn_valid(u) for u in upns)


def test_census_plans_are_the_years_plans_as_at_31_march() -> None:
    day = pd.Timestamp
    cpp = pd.DataFrame(
        {
            "plan_start_date": [
                day("2011-01-01"),
                day("2011-01-01"),
                day("2013-03-31"),
                day("2013-04-01"),
            ],
            "plan_end_date": [day("2012-03-31"), day("2012-04-01"), day("2014-01-01"), pd.NaT],
        }
    )
    held = synth_formats.census_plans(cpp, 2013)
    assert held.index.tolist() == [1, 2]  # ended before April 2012 / started after March 2013: out
    assert held["plan_end_date"].isna().tolist() == [False, True]  # ends after 31 March: open


def test_annex_a_plans_are_open_or_recently_ended() -> None:
    day = pd.Timestamp
    cpp = pd.DataFrame(
        {
            "plan_start_date": [day("2012-01-01")] * 3 + [day("2014-04-01")],
            "plan_end_date": [day("2013-09-30"), day("2013-10-01"), pd.NaT, pd.NaT],
        }
    )
    held = synth_formats.annex_a_plans(cpp, dt.date(2014, 3, 31), months=6)
    assert held.index.tolist() == [1, 2]


@pytest.mark.parametrize(("year", "element"), [(2024, "GenderCurrent"), (2025, "Sex")])
def test_layout_follows_the_collection_year(cpp: pd.DataFrame, year: int, element: str) -> None:
    text = "".join(synth_formats.cin_census_xml(cpp, 2013, layout=year))
    assert f"<{element}>" in text
    other = "Sex" if element == "GenderCurrent" else "GenderCurrent"
    assert f"<{other}>" not in text


def test_returns_read_back_to_their_plans(cpp: pd.DataFrame, tmp_path: Path) -> None:
    path = synth_formats.write_cin_census(cpp, 2013, tmp_path / "c.xml", other_children=50)
    table = read(path, "cpp", sniff(path))
    expected = synth_formats.census_plans(cpp, 2013).sort_values(
        ["child_id", "plan_start_date"], kind="stable"
    )
    assert values(table, "LAchildID") == expected["child_id"].tolist()
    starts = expected["plan_start_date"].dt.strftime("%Y-%m-%d").tolist()
    assert values(table, "CPPstartDate") == starts
    assert values(table, "NumberOfPreviousCPP") == expected["previous_plans"].astype(str).tolist()
    # For a child with one plan, the age band read back from the made-up date of birth is the
    # synthetic band of that plan (unborn for the generator's unborn children).
    one = cpp[~cpp["child_id"].duplicated(keep=False)].set_index("child_id")
    bands = dict(zip(values(table, "LAchildID"), values(table, "age_band"), strict=True))
    ones = one.loc[one.index.isin(list(bands))]
    want = [
        "unborn" if (b == "under 1" and g == "unknown") else b
        for b, g in zip(ones["age_band"], ones["gender"], strict=True)
    ]
    assert len(ones) > 100
    assert [bands[c] for c in ones.index] == want


def test_same_seed_same_bytes(cpp: pd.DataFrame, tmp_path: Path) -> None:
    a = synth_formats.write_cin_census(cpp, 2012, tmp_path / "a.xml", other_children=20)
    b = synth_formats.write_cin_census(cpp, 2012, tmp_path / "b.xml", other_children=20)
    assert a.read_bytes() == b.read_bytes()


def test_age_bands_at_birthdays() -> None:
    d = lambda *s: np.array(s, dtype="datetime64[D]")  # noqa: E731
    birth = d("2010-05-01", "2010-05-01", "2010-05-01", "2012-02-29", "2012-02-29", "NaT")
    start = d("2011-04-30", "2011-05-01", "2010-04-30", "2013-02-28", "2013-03-01", "2012-01-01")
    bands = common.age_bands(birth, start).to_pylist()
    assert bands == ["under 1", "1-4", "unborn", "under 1", "1-4", None]
    expected = d("NaT", "2013-06-01")
    assert common.age_bands(
        d("NaT", "NaT"), d("2013-05-01", "2013-05-01"), expected
    ).to_pylist() == [
        None,
        "unborn",
    ]


def test_cli_writes_national_formats(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["synth", "--format", "cin", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != "provenance.json")
    assert names == [f"cin_census_{y}.xml" for y in range(2011, 2015)]
    assert all(sniff(tmp_path / n) == "cin_census" for n in names)
    result = CliRunner().invoke(main, ["synth", "--format", "annex-a", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sniff(tmp_path / "annex_a_2014-03-31.xlsx") == "annex_a"
    # Both formats carry the generator's marker, the first kept when the second joins it, so
    # reports built on them say SYNTHETIC (they once had none, and the pages said "real").
    made = [*names, "annex_a_2014-03-31.xlsx"]
    assert all(is_synthetic(tmp_path / n) for n in made)
    payload = json.loads((tmp_path / "provenance.json").read_text(encoding="utf-8"))
    assert sorted(payload["files"]) == sorted(made)
    assert "--format cin" in payload["command"] and "--format annex-a" in payload["command"]
    # A file changed after it was made is no longer vouched for.
    (tmp_path / "cin_census_2011.xml").write_text("<Message/>", encoding="utf-8")
    assert not is_synthetic(tmp_path / "cin_census_2011.xml")
    CliRunner().invoke(main, ["synth", "--format", "annex-a", "--out", str(tmp_path)])
    payload = json.loads((tmp_path / "provenance.json").read_text(encoding="utf-8"))
    assert (
        "cin_census_2011.xml" not in payload["files"] and "cin_census_2012.xml" in payload["files"]
    )
    result = CliRunner().invoke(main, ["synth", "--format", "cin", "--messy"])
    assert result.exit_code == 2
    assert "--messy applies to the CSV extracts only" in result.output

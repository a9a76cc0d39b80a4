"""Done when: the national formats, made from the synthetic extract, clean to the same headline
figures as the synthetic CSV they came from, for the periods they cover; their identifiers are
refused by default and handled by --drop and --pseudonymise.

The CSV is ``data/raw/synthetic/cpp.csv`` (``sscb synth``); the returns and the workbook are
written from the same generator's frame (``synth.generate_cpp()``, equal to that CSV) by
``sscb_analysis.synth_formats``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sscb_analysis import synth, synth_formats
from sscb_analysis.cleaning import IdentifierError, clean
from sscb_analysis.indicators.cpp import open_at_31_march, plans_ended_by_year
from sscb_analysis.indicators.periods import year_ending_31_march
from sscb_analysis.paths import SYNTHETIC

CIN_IDENTIFIERS = ["UPN", "FormerUPN", "PersonBirthDate"]
ANNEX_IDENTIFIERS = ["Date of Birth", "Allocated Worker"]
FIXTURES = Path(__file__).parent / "fixtures" / "cin"
KEY = {"SSCB_PSEUDONYM_KEY": "a test key that is long enough"}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return synth.generate_cpp()


@pytest.fixture(scope="module")
def from_csv() -> pd.DataFrame:
    return clean("cpp", SYNTHETIC / "cpp.csv").data


@pytest.fixture(scope="module")
def returns(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Returns for 2012-13 (GenderCurrent, as that year's schema) and 2013-14 written in the
    2024 to 2025 layout (Sex), so that both layouts are cleaned."""
    folder = tmp_path_factory.mktemp("cin")
    kids = synth_formats.children(frame)
    return {
        2013: synth_formats.write_cin_census(frame, 2013, folder / "cin_2013.xml", kids=kids),
        2014: synth_formats.write_cin_census(
            frame, 2014, folder / "cin_2014.xml", layout=2025, kids=kids
        ),
    }


@pytest.fixture(scope="module")
def annex(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """List 7 as at 31 March 2014 with the ended plans of the last 12 months, so that the whole
    of 2013-14 is in it."""
    path = tmp_path_factory.mktemp("annex") / "annex_a.xlsx"
    return synth_formats.write_annex_a(frame, dt.date(2014, 3, 31), path, months=12)


def headline(data: pd.DataFrame, year: int) -> dict[str, int]:
    """The figures the board sees for a reporting year (ending 31 March ``year``)."""
    started = year_ending_31_march(data["plan_start_date"]) == year
    open_ = open_at_31_march(data, [year]).iloc[0]
    ended = plans_ended_by_year(data, [year]).iloc[0]
    return {
        "plans started": int(started.sum()),
        "second or subsequent": int((started & data["second_or_subsequent"]).sum()),
        "open at 31 March": int(open_["open"]),
        "open two years or more": int(open_["open_two_years_or_more"]),
        "ended": int(ended["ended"]),
        "ended after two years or more": int(ended["ended_two_years_or_more"]),
    }


@pytest.mark.parametrize("year", [2013, 2014])
def test_one_return_gives_the_csv_figures_for_its_year(
    returns: dict[int, Path], from_csv: pd.DataFrame, year: int
) -> None:
    result = clean("cpp", returns[year], drop=CIN_IDENTIFIERS)
    assert result.summary["quarantined"] == 0
    assert headline(result.data, year) == headline(from_csv, year)
    assert headline(result.data, year)["second or subsequent"] > 0


def test_both_layouts_read_the_childs_sex(returns: dict[int, Path], from_csv: pd.DataFrame) -> None:
    for year in (2013, 2014):
        data = clean("cpp", returns[year], drop=CIN_IDENTIFIERS).data
        assert data["gender"].isna().sum() == 0
        assert set(data["gender"].astype(str)) == {"male", "female", "unknown"}


def test_annex_a_gives_the_csv_figures_for_its_year(annex: Path, from_csv: pd.DataFrame) -> None:
    result = clean("cpp", annex, drop=ANNEX_IDENTIFIERS)
    assert result.summary["quarantined"] == 0
    assert headline(result.data, 2014) == headline(from_csv, 2014)
    assert set(result.data["ethnicity"].astype(str)) <= {
        "white",
        "mixed",
        "asian",
        "black",
        "other",
        "unknown",
    }


def test_identifiers_are_refused_by_default(returns: dict[int, Path], annex: Path) -> None:
    with pytest.raises(IdentifierError) as found:
        clean("cpp", returns[2013])
    refused = {f.column for f in found.value.findings}
    assert {"UPN", "PersonBirthDate"} <= refused
    with pytest.raises(IdentifierError) as found:
        clean("cpp", annex)
    assert {"Date of Birth", "Allocated Worker"} <= {f.column for f in found.value.findings}


def test_pseudonymise_keeps_month_and_age_and_the_figures(
    returns: dict[int, Path], from_csv: pd.DataFrame
) -> None:
    result = clean("cpp", returns[2013], pseudonymise=True, environ=KEY)
    data = result.data
    assert "UPN" not in data and "PersonBirthDate" not in data
    assert {"birth_month", "age_at_event"} <= set(data.columns)
    assert not data["child_id"].astype(str).str.startswith("C").any()  # pseudonyms
    assert headline(data, 2013) == headline(from_csv, 2013)


@pytest.mark.parametrize("order", [(2013, 2014), (2014, 2013)], ids=["in order", "reversed"])
def test_two_returns_are_one_set_of_plans(
    returns: dict[int, Path], frame: pd.DataFrame, from_csv: pd.DataFrame, order: tuple[int, int]
) -> None:
    """A plan open across 31 March 2013 is in both returns: one plan, not a duplicate; where
    the 2014 return has its end date, the later return wins, whichever is given first."""
    result = clean("cpp", [returns[y] for y in order], drop=CIN_IDENTIFIERS)
    assert result.summary["quarantined"] == 0
    for year in (2013, 2014):
        assert headline(result.data, year) == headline(from_csv, year)
    held = synth_formats.census_plans(frame, 2013).index
    later = synth_formats.census_plans(frame, 2014).index
    assert len(result.data) == len(held.union(later))
    both = held.intersection(later)
    assert result.summary["same_in_later_return"] == len(both)
    # The end dates the 2014 return adds: plans open at 31 March 2013 that ended by March 2014.
    end = frame.loc[both, "plan_end_date"]
    added = int(((end > "2013-03-31") & (end <= "2014-03-31")).sum())
    changes = result.log[
        (result.log["rule"] == "CPP024") & (result.log["column"] == "plan_end_date")
    ]
    assert len(changes) == added > 0
    assert changes["value"].str.startswith("(blank) -> ").all()


def test_dfe_example_child_is_quarantined_with_its_1970_date() -> None:
    result = clean("cpp", FIXTURES / "CIN_Census_2021.xml", drop=CIN_IDENTIFIERS)
    assert result.summary["clean"] == 0
    assert result.summary["quarantined"] == 1
    assert result.quarantine["plan_start_date"].tolist() == ["1970-02-17"]
    logged = result.log[result.log["value"] == "1970-02-17"]
    assert not logged.empty
    assert (logged["severity"] == "error").all()

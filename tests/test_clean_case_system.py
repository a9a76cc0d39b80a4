"""Done when (issue 10): a case-system XLSX made from the synthetic extract, with title rows, a
totals row, DfE codes, its own headers and a layout file, cleans to the same plan counts, second
or subsequent plans and plans open two years or more as the synthetic CSV it came from; the
identifiers in it (UPN, dates of birth, worker names) are refused by default and handled by
--drop, --pseudonymise or the layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from sscb_analysis import indicators
from sscb_analysis.cleaning import IdentifierError, clean, read_processed
from sscb_analysis.cleaning.identifiers import upn_check_letter
from sscb_analysis.paths import SYNTHETIC

KEY = {"SSCB_PSEUDONYM_KEY": "a-test-key-that-is-long-enough"}
IDENTIFIERS = ["UPN", "Date of Birth", "Allocated Worker"]
CATEGORY = {
    "neglect": "NEG",
    "physical": "PHY",
    "emotional": "EMO",
    "sexual": "SAB",
    "multiple": "MUL",
}
ETHNICITY = {
    "white": "WBRI",
    "mixed": "MWBC",
    "asian": "APKN",
    "black": "BAFR",
    "other": "OOTH",
    "unknown": "NOBT",
}
GENDER = {"male": "1", "female": "2", "unknown": "9"}
LAYOUT = """\
kind: cpp
sheet: CP Plans
columns:
  previous_plans: Prev CP count
  team: Locality Team
  review_conferences: RCPC count
"""


def figures(data: pd.DataFrame) -> dict[str, object]:
    """The headline figures the reports rest on."""
    years = list(range(2011, 2015))
    started = indicators.year_ending_31_march(data["plan_start_date"])
    repeats = data["second_or_subsequent"].to_numpy()
    return {
        "plans": len(data),
        "started": [int((started == y).sum()) for y in years],
        "second_or_subsequent": [int(((started == y).to_numpy() & repeats).sum()) for y in years],
        "open": indicators.open_at_31_march(data, years)[["open", "open_two_years_or_more"]]
        .to_numpy()
        .tolist(),
        "ended": indicators.plans_ended_by_year(data, years)[["ended", "ended_two_years_or_more"]]
        .to_numpy()
        .tolist(),
        "initial": data["initial_category"].astype(str).value_counts().sort_index().tolist(),
    }


@pytest.fixture(scope="module")
def source() -> pd.DataFrame:
    return clean("cpp", SYNTHETIC / "cpp.csv").data


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    """The synthetic extract as a case system writes it."""
    raw = pd.read_csv(SYNTHETIC / "cpp.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(10)
    n = len(raw)
    start = pd.to_datetime(raw["plan_start_date"], format="%d/%m/%Y")
    birth = start - pd.to_timedelta(rng.integers(-100, 17 * 365, n), unit="D")  # some unborn
    bodies = [f"{rng.integers(10**10, 10**11):011d}{rng.integers(0, 10)}" for _ in range(n)]
    frame = pd.DataFrame(
        {
            "CP Plan ID": raw["plan_id"],
            "Person ID": raw["child_id"],
            "UPN": [upn_check_letter(b) + b for b in bodies],
            "Date of Birth": [d.to_pydatetime() for d in birth],
            "CP Plan Start Date": [d.to_pydatetime() for d in start],
            "CP Plan End Date": [
                dt.datetime.strptime(v, "%d/%m/%Y") if v else None for v in raw["plan_end_date"]
            ],
            "Initial Category": raw["category_of_abuse"].map(CATEGORY),
            "Category of Abuse": raw["category_of_abuse"].map(CATEGORY),
            "Age Group": raw["age_band"],
            "Sex": raw["gender"].map(GENDER),
            "Ethnicity": raw["ethnicity"].map(ETHNICITY),
            "Locality Team": raw["team"],
            "Prev CP count": raw["previous_plans"].astype(int),
            "ICPC Date": raw["initial_conference_date"],
            "RCPC count": raw["review_conferences"].astype(int),
            "Allocated Worker": rng.choice(["Sam Brown", "Ann Lee", "Jo Kaur", "Tom Price"], n),
        }
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cover"
    sheet.append(["Liquidlogic export"])
    plans = book.create_sheet("CP Plans")
    plans.append(["Child protection plans: all plans open 1 April 2010 to 31 March 2014"])
    plans.append([f"Run on {dt.date(2014, 4, 2):%d/%m/%Y} by the performance team"])
    plans.append([])
    plans.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        plans.append([None if v is None or v is pd.NaT else v for v in row])
    plans.append([])
    plans.append(["Total", n])
    path = tmp_path_factory.mktemp("export") / "lcs_cp_plans.xlsx"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def layout(export: Path) -> Path:
    path = export.with_name("lcs_cpp.yml")
    path.write_text(LAYOUT, encoding="utf-8")
    return path


def check(result, source: pd.DataFrame) -> None:
    s = result.summary
    assert (s["header_row"], s["footers"], s["blank"], s["quarantined"]) == (4, 1, 1, 0)
    assert s["rows_in"] == s["clean"] + s["blank"] + s["footers"] and s["balanced"]
    assert figures(result.data) == figures(source)
    assert result.data["latest_category"].tolist() == result.data["initial_category"].tolist()
    for header in IDENTIFIERS:
        assert header not in result.data.columns and header not in result.quarantine.columns


def test_identifiers_are_refused_by_default(export: Path, layout: Path) -> None:
    with pytest.raises(IdentifierError) as found:
        clean("cpp", export, layout=layout)
    assert set(IDENTIFIERS) <= {f.column for f in found.value.findings}


def test_with_drop_the_figures_are_the_csv_figures(export, layout, source) -> None:
    result = clean("cpp", export, layout=layout, drop=IDENTIFIERS)
    check(result, source)
    assert result.data["plan_id"].tolist() == source["plan_id"].tolist()


def test_with_pseudonymise_the_figures_are_the_csv_figures(export, layout, source) -> None:
    result = clean("cpp", export, layout=layout, pseudonymise=True, environ=KEY)
    check(result, source)
    assert not set(result.data["child_id"]) & set(source["child_id"])
    # The date of birth is kept as its month and the age at the start; unborn children too.
    assert result.data["birth_month"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert (result.data["age_at_event"] < 0).any()


def test_with_the_layout_dropping_them_the_figures_are_the_csv_figures(export, source, tmp_path):
    layout = tmp_path / "drop.yml"
    layout.write_text(LAYOUT + "drop: [UPN, Date of Birth, Allocated Worker]\n", encoding="utf-8")
    check(clean("cpp", export, layout=layout), source)


def test_without_the_layout_the_unknown_spelling_is_named(export) -> None:
    from sscb_analysis.cleaning import ExtractError

    with pytest.raises(ExtractError, match="'Prev CP count' looks like previous_plans"):
        clean("cpp", export, sheet="CP Plans", drop=IDENTIFIERS)


def test_the_command_cleans_it_and_inspect_shows_the_mapping(export, layout, source, tmp_path):
    from sscb_analysis.commands.clean import command as clean_command
    from sscb_analysis.commands.inspect import command as inspect_command

    out = tmp_path / "processed"
    drops = [arg for header in IDENTIFIERS for arg in ("--drop", header)]
    result = CliRunner().invoke(
        clean_command, ["cpp", str(export), "--map", str(layout), *drops, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert figures(read_processed("cpp", out).data) == figures(source)
    shown = CliRunner().invoke(inspect_command, ["cpp", str(export), "--map", str(layout)])
    assert "Header row: 4 (the 3 rows above it: titles)" in shown.output
    assert (
        "'Prev CP count'" in shown.output and "previous_plans  (its columns: line" in shown.output
    )
    assert "'SAB'" in shown.output and "-> sexual" in shown.output
    assert "IDENTIFIER" in shown.output and "Sam Brown" not in shown.output
    assert shown.exit_code == 3

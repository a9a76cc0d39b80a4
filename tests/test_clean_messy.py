"""End to end on the messy synthetic extracts: every injected defect is caught or repaired, and
every input row is accounted for exactly once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sscb_analysis.cleaning import clean
from sscb_analysis.cleaning.protect import IdentifierError
from sscb_analysis.extracts import get_spec

KINDS = ["cpp", "caf", "marac"]
STRAYS = ["Full Name", "NHS Number", "Postcode"]

# Defect -> the rule (by generic name or code suffix) that must catch it on that row.
CAUGHT = {
    "blank_row": "001",
    "duplicate_row": "002",
    "missing_id": "003",
    "end_before_start": "010",
    "conference_before_referral": "011",
    "survey_before_assessment": "012",
}


@pytest.fixture(scope="module", params=KINDS)
def cleaned(request, messy_dir: Path):
    kind = request.param
    path = messy_dir / f"{kind}.csv"
    defects = pd.read_csv(messy_dir / f"{kind}_defects.csv", dtype=str, keep_default_na=False)
    return kind, path, defects, clean(kind, path, drop=STRAYS)


def test_stray_identifiers_are_refused(messy_dir):
    with pytest.raises(IdentifierError) as info:
        clean("cpp", messy_dir / "cpp.csv")
    assert {f.column for f in info.value.findings} == set(STRAYS)


def test_every_row_accounted_for_exactly_once(cleaned):
    kind, path, _, result = cleaned
    s = result.summary
    n_lines = sum(1 for _ in path.open(encoding="utf-8")) - 1
    assert s["rows_in"] == n_lines
    assert s["rows_in"] == s["clean"] + s["quarantined"] + s["duplicates"] + s["blank"]
    assert s["balanced"]
    log = result.log
    skipped = log.loc[
        log["rule"].str.endswith(("001", "002")) & log["rule"].str.startswith(kind.upper()),
        "source_row",
    ]
    rows = pd.concat([result.data["source_row"], result.quarantine["source_row"], skipped])
    assert rows.is_unique
    assert sorted(rows.astype(int)) == list(range(2, s["rows_in"] + 2))
    assert (result.data["source_file"] == str(path)).all()


def test_each_defect_is_caught_on_its_row(cleaned):
    kind, _, defects, result = cleaned
    prefix = get_spec(kind).prefix
    log = result.log
    for defect, suffix in CAUGHT.items():
        for row in defects.loc[defects["defect"] == defect, "row"].astype(int):
            assert prefix + suffix in set(log.loc[log["source_row"] == row, "rule"]), (defect, row)


def test_out_of_range_values_are_quarantined(cleaned):
    _, _, defects, result = cleaned
    rows = defects.loc[defects["defect"] == "out_of_range_value", "row"].astype(int)
    assert set(rows) <= set(result.quarantine["source_row"])


def test_duplicates_point_at_the_row_kept(cleaned):
    kind, _, defects, result = cleaned
    dup = defects[defects["defect"] == "duplicate_row"]
    log = result.log[result.log["rule"] == get_spec(kind).prefix + "002"]
    found = dict(zip(log["source_row"].astype(int), log["value"], strict=True))
    for row, injected in zip(dup["row"].astype(int), dup["injected"], strict=True):
        assert injected.endswith(found[row].split()[-1])


@pytest.mark.parametrize("defect", ["date_format", "category_spelling", "trailing_space"])
def test_repairable_defects_are_repaired_to_the_original(cleaned, defect):
    kind, _, defects, result = cleaned
    data = result.data.set_index("source_row")
    spec = get_spec(kind)
    for row, column, original in defects.loc[
        defects["defect"] == defect, ["row", "column", "original"]
    ].itertuples(index=False):
        row = int(row)
        # The synthetic export's one category column is the initial category.
        column = {"category_of_abuse": "initial_category"}.get(column, column)
        if row not in data.index:
            continue  # the row was quarantined for another defect
        value = data.at[row, column]
        if spec.column(column).type == "date":
            assert value == pd.to_datetime(original, format="%d/%m/%Y"), (row, column)
        else:
            assert str(value) == original.strip(), (row, column)


def test_header_variants_are_matched(cleaned):
    _, _, defects, result = cleaned
    variants = defects.loc[defects["defect"] == "header_variant", "original"]
    assert set(variants) <= set(result.data.columns)


def test_xlsx_copy_gives_the_same_result(cleaned, messy_dir):
    kind, _, _, result = cleaned
    from_xlsx = clean(kind, messy_dir / f"{kind}.xlsx", drop=STRAYS)
    for key in ("rows_in", "clean", "quarantined", "duplicates", "blank"):
        assert from_xlsx.summary[key] == result.summary[key], key
    pd.testing.assert_series_equal(
        from_xlsx.data[get_spec(kind).record_id], result.data[get_spec(kind).record_id]
    )

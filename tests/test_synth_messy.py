"""Written extracts: byte-for-byte determinism, the messy defects and their sidecars, the CLI.

The messy files are read back with the standard ``csv`` module (every cell as the exact string
written), and each defect the sidecar lists is checked in the file; the rest of the file must
equal the clean extract, so no defect goes unlisted.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sscb_analysis import synth
from sscb_analysis.commands.synth import command
from sscb_analysis.paths import SYNTHETIC

KEY = {"cpp": "plan_id", "caf": "caf_id", "marac": "case_id"}
BASE_DEFECTS = {
    "header_variant",
    "date_format",
    "category_spelling",
    "trailing_space",
    "duplicate_row",
    "blank_row",
    "missing_id",
    "identifier_column",
}
EXTRA_DEFECTS = {
    "cpp": {"end_before_start"},
    "caf": {"end_before_start", "out_of_range_value", "survey_before_assessment"},
    "marac": {"conference_before_referral", "out_of_range_value"},
}
# A full UK postcode: outward code, space, inward code (digit + two letters).
POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}")


def nhs_number_is_valid(text: str) -> bool:
    """Modulus 11 check of a ten-digit NHS number, written from the NHS Data Dictionary
    ("NHS Number" data element: weights 10 to 2 on the first nine digits; 11 minus the
    remainder is the check digit, 11 becomes 0, 10 is never issued)."""
    digits = text.replace(" ", "")
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(digits[9])


def read_cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("synth")
    dirs = {
        "clean": base / "clean",
        "clean_again": base / "clean_again",
        "messy": base / "messy",
        "messy_again": base / "messy_again",
        "other_seed": base / "other",
    }
    synth.write_extracts(dirs["clean"])
    synth.write_extracts(dirs["clean_again"])
    synth.write_extracts(dirs["messy"], messy=True)
    synth.write_extracts(dirs["messy_again"], messy=True, xlsx=False)
    synth.write_extracts(dirs["other_seed"], seed=synth.DEFAULT_SEED + 1, xlsx=False)
    return dirs


# ---------------------------------------------------------------- files and determinism


def test_same_seed_gives_the_same_bytes(written):
    names = [f"{k}.{ext}" for k in synth.KINDS for ext in ("csv", "xlsx")] + ["README.md"]
    for name in names:
        assert (written["clean"] / name).read_bytes() == (
            written["clean_again"] / name
        ).read_bytes(), name
    for kind in synth.KINDS:
        for name in (f"{kind}.csv", f"{kind}_defects.csv"):
            assert (written["messy"] / name).read_bytes() == (
                written["messy_again"] / name
            ).read_bytes()


def test_a_different_seed_gives_different_data(written):
    for kind in synth.KINDS:
        a = (written["clean"] / f"{kind}.csv").read_bytes()
        b = (written["other_seed"] / f"{kind}.csv").read_bytes()
        assert a != b
        assert a.split(b"\n", 1)[0] == b.split(b"\n", 1)[0]  # same columns


def test_clean_csv_is_plain_with_one_header_and_uk_dates(written):
    for kind in synth.KINDS:
        cells = read_cells(written["clean"] / f"{kind}.csv")
        assert tuple(cells[0]) == synth.COLUMNS[kind]
        assert all(len(row) == len(cells[0]) for row in cells)
        first_date = next(c for c in synth.COLUMNS[kind] if c.endswith("_date"))
        at = cells[0].index(first_date)
        assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", row[at]) for row in cells[1:])
        frame = pd.read_csv(written["clean"] / f"{kind}.csv", dtype=str, keep_default_na=False)
        expected = synth.format_for_csv(synth.generate()[kind])
        pd.testing.assert_frame_equal(frame, expected, check_dtype=False)


def test_xlsx_copies_hold_the_same_values(written):
    frames = synth.generate()
    for kind in synth.KINDS:
        book = pd.read_excel(written["clean"] / f"{kind}.xlsx", sheet_name=kind)
        assert tuple(book.columns) == synth.COLUMNS[kind]
        expected = frames[kind]
        assert len(book) == len(expected)
        for column in expected.columns:
            if pd.api.types.is_datetime64_any_dtype(expected[column]):
                got = book[column].astype("datetime64[ns]")
                assert got.equals(expected[column]), column
            elif pd.api.types.is_integer_dtype(expected[column]):
                got = book[column].astype("Int64")
                assert got.equals(expected[column].astype("Int64")), column
            else:
                left = book[column].astype("str").where(book[column].notna(), "")
                right = expected[column].astype("str").where(expected[column].notna(), "")
                assert (left.to_numpy() == right.to_numpy()).all(), column


def test_every_folder_says_synthetic(written):
    for key in ("clean", "messy"):
        text = (written[key] / "README.md").read_text(encoding="utf-8")
        assert "SYNTHETIC" in text
        for kind in synth.KINDS:
            assert f"{kind}.csv" in text


# ---------------------------------------------------------------- messy defects


def test_messy_sidecars_list_each_kind_of_defect(written):
    for kind in synth.KINDS:
        defects = pd.read_csv(written["messy"] / f"{kind}_defects.csv", dtype=str)
        assert list(defects.columns) == ["file", "row", "column", "defect", "original", "injected"]
        assert set(defects["defect"]) == BASE_DEFECTS | EXTRA_DEFECTS[kind]
        assert (defects["file"] == f"{kind}.csv").all()
        counts = defects["defect"].value_counts()
        assert counts.drop(["header_variant", "identifier_column", "missing_id"]).min() >= 1
        data_rows = len(read_cells(written["messy"] / f"{kind}.csv")) - 1
        touched = defects.loc[defects["row"].astype(int) > 1, "row"].nunique()
        assert 0.01 <= touched / data_rows <= 0.03, (kind, touched, data_rows)


def test_every_listed_defect_is_in_the_messy_file(written):
    for kind in synth.KINDS:
        cells = read_cells(written["messy"] / f"{kind}.csv")
        header = cells[0]
        defects = pd.read_csv(
            written["messy"] / f"{kind}_defects.csv", dtype=str, keep_default_na=False
        )
        renamed = {
            r.column: r.injected for r in defects.itertuples() if r.defect == "header_variant"
        }

        def position(canonical: str, header=header, renamed=renamed) -> int:
            return header.index(renamed.get(canonical, canonical))

        for d in defects.itertuples():
            row = int(d.row)
            line = cells[row - 1]
            if d.defect == "header_variant":
                assert row == 1 and d.injected in header and d.original not in header
                assert d.injected.strip().lower().replace(" ", "_") == d.original
            elif d.defect == "identifier_column":
                assert row == 1 and d.injected in header
            elif d.defect == "blank_row":
                assert all(value == "" for value in line)
            elif d.defect == "duplicate_row":
                source = int(d.injected.removeprefix("duplicate of row "))
                assert source < row and line == cells[source - 1]
                assert any(value != "" for value in line)
            else:
                assert line[position(d.column)] == d.injected, (kind, d)
                assert d.original != d.injected


def test_defect_values_are_the_promised_kinds(written):
    for kind in synth.KINDS:
        defects = pd.read_csv(
            written["messy"] / f"{kind}_defects.csv", dtype=str, keep_default_na=False
        )
        formats = defects.loc[defects["defect"] == "date_format", "injected"]
        assert formats.str.fullmatch(r"\d{4}-\d{2}-\d{2}").any()  # 2012-01-31
        assert formats.str.fullmatch(r"\d{2}-[A-Z][a-z]{2}-\d{2}").any()  # 31-Jan-12
        assert formats.str.fullmatch(r"4\d{4}").any()  # Excel serial, e.g. 40939
        for d in defects[defects["defect"] == "date_format"].itertuples():
            day = pd.Timestamp(dt_from_dmy(d.original))
            if re.fullmatch(r"4\d{4}", d.injected):
                assert pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(d.injected)) == day
            elif "-" in d.injected and d.injected[:4].isdigit():
                assert pd.Timestamp(d.injected) == day
            else:
                assert pd.to_datetime(d.injected, format="%d-%b-%y") == day
        spaces = defects.loc[defects["defect"] == "trailing_space"]
        assert (spaces["injected"].str.rstrip() == spaces["original"]).all()
        assert (spaces["injected"] != spaces["original"]).all()
        spellings = defects.loc[defects["defect"] == "category_spelling"]
        for d in spellings.itertuples():
            normal = d.injected.strip().lower()
            if d.column == "risk_tool":
                normal = normal.replace("'", "").removesuffix(" ric")
            assert normal in {d.original, d.original[0]}, d
        missing = defects.loc[defects["defect"] == "missing_id"]
        assert (missing["injected"] == "").all() and (missing["original"] != "").all()
    caf = pd.read_csv(written["messy"] / "caf_defects.csv", dtype=str, keep_default_na=False)
    assert "7" in set(caf.loc[caf["defect"] == "out_of_range_value", "injected"])
    marac = pd.read_csv(written["messy"] / "marac_defects.csv", dtype=str, keep_default_na=False)
    assert "30" in set(marac.loc[marac["defect"] == "out_of_range_value", "injected"])


def dt_from_dmy(text: str) -> str:
    day, month, year = text.split("/")
    return f"{year}-{month}-{day}"


def test_reversed_dates_really_are_reversed(written):
    pairs = {
        "cpp": ("plan_start_date", "plan_end_date", "end_before_start"),
        "caf": ("assessment_date", "closure_date", "end_before_start"),
        "marac": ("referral_date", "conference_date", "conference_before_referral"),
    }
    clean = synth.generate()
    for kind, (first, _second, defect) in pairs.items():
        messy = pd.read_csv(written["messy"] / f"{kind}.csv", dtype=str, keep_default_na=False)
        defects = pd.read_csv(
            written["messy"] / f"{kind}_defects.csv", dtype=str, keep_default_na=False
        )
        key = clean[kind].set_index(KEY[kind])[first]
        for d in defects[defects["defect"] == defect].itertuples():
            row = messy.iloc[int(d.row) - 2]
            later = pd.Timestamp(dt_from_dmy(d.injected))
            assert later < key[row[KEY[kind]]]


def test_the_rest_of_the_messy_file_equals_the_clean_file(written):
    """Undo every listed defect: what remains must be the clean extract, so none is unlisted."""
    for kind in synth.KINDS:
        cells = read_cells(written["messy"] / f"{kind}.csv")
        defects = pd.read_csv(
            written["messy"] / f"{kind}_defects.csv", dtype=str, keep_default_na=False
        )
        header = list(cells[0])
        for d in defects[defects["defect"] == "header_variant"].itertuples():
            header[header.index(d.injected)] = d.column
        drop_rows = set(
            defects.loc[defects["defect"].isin(["blank_row", "duplicate_row"]), "row"].astype(int)
        )
        rows = {i + 1: list(line) for i, line in enumerate(cells) if i > 0}
        for d in defects.itertuples():
            if d.column and d.defect not in {"header_variant", "identifier_column"}:
                rows[int(d.row)][header.index(d.column)] = d.original
        kept = [rows[n] for n in sorted(rows) if n not in drop_rows]
        frame = pd.DataFrame(kept, columns=header).drop(
            columns=["Full Name", "NHS Number", "Postcode"]
        )
        clean = read_cells(written["clean"] / f"{kind}.csv")
        assert frame.columns.tolist() == clean[0]
        assert frame.to_numpy().tolist() == clean[1:]


def test_stray_identifiers_look_real_and_are_flagged(written):
    for kind in synth.KINDS:
        messy = pd.read_csv(written["messy"] / f"{kind}.csv", dtype=str, keep_default_na=False)
        filled = messy[messy["NHS Number"] != ""]
        assert len(filled) > 0.95 * len(messy)
        assert filled["NHS Number"].map(nhs_number_is_valid).all()
        assert filled["Postcode"].str.fullmatch(POSTCODE).all()
        assert filled["Full Name"].str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").all()
        # one person, one identity
        person = next(
            c
            for c in messy.columns
            if c.strip().lower().replace(" ", "_") in {"child_id", "victim_id"}
        )
        known = filled[filled[person].str.strip() != ""]
        per_person = known.groupby(known[person].str.strip())["NHS Number"].nunique()
        assert (per_person == 1).all()


def test_nhs_check_digit_agrees_with_the_reference():
    # 943 476 5919 is the NHS Data Dictionary's worked example of a valid number.
    assert synth.nhs_check_digit("943476591") == 9
    assert nhs_number_is_valid("943 476 5919") and not nhs_number_is_valid("943 476 5918")


def test_make_messy_rejects_frames_it_cannot_handle():
    frames = synth.generate()
    with pytest.raises(ValueError, match="unknown extract kind"):
        synth.make_messy({"cin": frames["cpp"]}, seed=1)
    with pytest.raises(ValueError, match="cpp frame lacks columns: team"):
        synth.make_messy({"cpp": frames["cpp"].drop(columns="team")}, seed=1)


# ---------------------------------------------------------------- CLI and committed files


def test_cli_writes_the_files(tmp_path):
    runner = CliRunner()
    result = runner.invoke(command, ["--seed", "5", "--out", str(tmp_path), "--no-xlsx"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md",
        "caf.csv",
        "cpp.csv",
        "indicators.csv",
        "indicators.yml",
        "marac.csv",
        "provenance.json",
    ]
    result = runner.invoke(command, ["--messy", "--out", str(tmp_path / "m"), "--no-xlsx"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m" / "marac_defects.csv").is_file()
    bad = runner.invoke(command, ["--seed", "-3", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "-3" in bad.output


@pytest.mark.parametrize("messy", [False, True], ids=["clean", "messy"])
def test_committed_files_are_up_to_date(written, messy):
    folder = SYNTHETIC / "messy" if messy else SYNTHETIC
    if not (folder / "cpp.csv").is_file():
        pytest.skip("synthetic extracts not written yet: run `sscb synth`")
    fresh = written["messy" if messy else "clean"]
    for path in sorted(fresh.iterdir()):
        assert (folder / path.name).read_bytes() == path.read_bytes(), (
            f"{folder / path.name} is stale: rerun `sscb synth{' --messy' if messy else ''}`"
        )

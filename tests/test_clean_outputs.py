"""Writing and reading the outputs, and the ``sscb clean`` command (exit codes 0, 1 and 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FIXED_TODAY, caf_rows, cpp_rows

import sscb_analysis
from sscb_analysis.cleaning import CleanResult, clean, load_processed, output_paths, write_outputs
from sscb_analysis.cleaning.validate import LOG_COLUMNS
from sscb_analysis.commands.clean import command


def test_package_level_api_is_lazy_and_callable():
    result = sscb_analysis.clean("cpp", cpp_rows(2), today=FIXED_TODAY)
    assert isinstance(result, sscb_analysis.CleanResult)
    assert sscb_analysis.clean is clean


def test_write_outputs_and_read_back(tmp_path):
    frame = cpp_rows(4)
    frame.loc[0, "plan_end_date"] = "01/01/2000"
    result = clean("cpp", frame, today=FIXED_TODAY)
    paths = write_outputs(result, tmp_path)
    visible = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert visible == sorted(p.name for p in paths.values())
    assert all(p.is_file() for p in paths.values())
    back = load_processed("cpp", tmp_path)
    pd.testing.assert_frame_equal(back, result.data)
    log = pd.read_csv(paths["log"])
    assert list(log.columns) == LOG_COLUMNS
    quarantine = pd.read_csv(paths["quarantine"])
    assert quarantine["source_row"].tolist() == [2] and quarantine["rules"].tolist() == ["CPP010"]
    summary = json.loads(paths["summary"].read_text())
    assert summary["rows_in"] == 4 and summary["quarantined"] == 1
    assert summary["rules"]["CPP010"]["rows"] == 1


def test_write_outputs_checks_the_schema_unless_told_it_was_just_checked(tmp_path):
    from pandera.errors import SchemaError

    result = clean("cpp", cpp_rows(3), today=FIXED_TODAY)
    result.data["previous_plans"] = result.data["previous_plans"].astype("float64")
    with pytest.raises(SchemaError, match="previous_plans"):
        write_outputs(result, tmp_path / "checked")
    assert not (tmp_path / "checked" / "cpp.parquet").exists()
    fresh = clean("cpp", cpp_rows(3), today=FIXED_TODAY)
    paths = write_outputs(fresh, tmp_path / "trusted", validated=True)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["data"]), fresh.data)


def test_parquet_dictionary_encodes_only_columns_with_few_values(tmp_path):
    import pyarrow.parquet as pq

    paths = write_outputs(clean("cpp", cpp_rows(30), today=FIXED_TODAY), tmp_path)
    meta = pq.ParquetFile(paths["data"]).metadata.row_group(0)
    encodings = {
        meta.column(i).path_in_schema: meta.column(i).encodings for i in range(meta.num_columns)
    }
    assert not any("DICTIONARY" in e for e in encodings["plan_id"])
    assert not any("DICTIONARY" in e for e in encodings["source_row"])
    assert any("DICTIONARY" in e for e in encodings["team"])


def test_ragged_rows_are_quarantined_in_place_without_their_text(tmp_path):
    path = tmp_path / "cpp.csv"
    cpp_rows(6).to_csv(path, index=False)
    lines = path.read_text().splitlines()
    lines[2] += ",Jane Smith 01/02/2010"  # row 3: one value too many
    lines[4] = lines[4].rsplit(",", 2)[0]  # row 5: two too few
    lines[6] = lines[5]  # row 7 copies row 6 exactly
    path.write_text("\n".join(lines) + "\n")
    result = clean("cpp", path, today=FIXED_TODAY)
    s = result.summary
    assert (s["rows_in"], s["clean"], s["quarantined"], s["duplicates"]) == (6, 3, 2, 1)
    assert s["balanced"] and s["rules"]["CPP000"]["rows"] == 2
    assert result.data["source_row"].tolist() == [2, 4, 6]
    q = result.quarantine
    assert q["source_row"].tolist() == [3, 5] and q["rules"].tolist() == ["CPP000", "CPP000"]
    assert q["reasons"].str.contains("13 values where the header has 12").iloc[0]
    assert q["reasons"].str.contains("10 values where the header has 12").iloc[1]
    log = result.log[result.log["rule"] == "CPP000"]
    assert log["source_row"].tolist() == [3, 5] and log["value"].isna().all()
    everything = pd.concat([q.astype(str), result.log.astype(str)]).to_string()
    assert "Jane" not in everything and "01/02/2010" not in everything
    runner = CliRunner()
    out = runner.invoke(command, ["cpp", str(path), "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    assert "CPP000" in out.output


def test_failed_write_leaves_no_half_set(tmp_path, monkeypatch):
    result = clean("cpp", cpp_rows(2), today=FIXED_TODAY)

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError):
        write_outputs(result, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_load_processed_never_falls_back_to_synthetic_data(tmp_path):
    with pytest.raises(FileNotFoundError, match="sscb clean marac"):
        load_processed("marac", tmp_path)
    # Synthetic data only when asked for by name.
    data = load_processed("marac", "synthetic")
    assert len(data) > 100 and "repeat_within_12_months" in data.columns


def test_a_new_set_replaces_the_old_as_one_unit(tmp_path, monkeypatch):
    from sscb_analysis.cleaning import read_processed

    first = clean("cpp", cpp_rows(2), today=FIXED_TODAY)
    write_outputs(first, tmp_path)
    second = clean("cpp", cpp_rows(3), today=FIXED_TODAY)
    # A write that fails on its last file leaves the first set whole and current.
    original = Path.write_text

    def failing(self, *args, **kwargs):
        if self.name.endswith("_summary.json"):
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(OSError):
        write_outputs(second, tmp_path)
    monkeypatch.setattr(Path, "write_text", original)
    back = read_processed("cpp", tmp_path)
    assert len(back.data) == 2 and back.summary["rows_in"] == 2
    assert len(pd.read_parquet(tmp_path / "cpp.parquet")) == 2
    # A successful write switches all four files at once; old versions are pruned.
    for n in (3, 4, 5):
        write_outputs(clean("cpp", cpp_rows(n), today=FIXED_TODAY), tmp_path)
    back = read_processed("cpp", tmp_path)
    assert len(back.data) == 5 and back.summary["rows_in"] == 5
    assert json.loads((tmp_path / "cpp_summary.json").read_text())["rows_in"] == 5
    assert len(list((tmp_path / ".sets").iterdir())) == 2  # the current one and the one before


def test_a_reader_resolves_one_version(tmp_path, monkeypatch):
    """A reader that has resolved the set reads all four files from that version, even when a
    new version becomes current while it reads."""
    from sscb_analysis.cleaning import outputs, read_processed

    write_outputs(clean("cpp", cpp_rows(2), today=FIXED_TODAY), tmp_path)
    original = outputs._read_text_csv
    calls = []

    def read_and_replace(path):
        if not calls:
            calls.append(path)
            write_outputs(clean("cpp", cpp_rows(4), today=FIXED_TODAY), tmp_path)
        return original(path)

    monkeypatch.setattr(outputs, "_read_text_csv", read_and_replace)
    back = read_processed("cpp", tmp_path)
    assert len(back.data) == 2 and back.summary["rows_in"] == 2
    assert len(read_processed("cpp", tmp_path).data) == 4


def test_an_older_plain_set_is_replaced_by_links(tmp_path):
    result = clean("cpp", cpp_rows(2), today=FIXED_TODAY)
    for name, path in output_paths("cpp", tmp_path).items():
        path.write_text("old " + name)
    write_outputs(result, tmp_path)
    assert (tmp_path / "cpp.parquet").is_symlink()
    assert len(pd.read_parquet(tmp_path / "cpp.parquet")) == 2


def run_cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(command, list(args), env=env, catch_exceptions=False)


def test_cli_success_prints_summary(tmp_path):
    src = tmp_path / "cpp.csv"
    cpp_rows(3).to_csv(src, index=False)
    out = tmp_path / "out"
    res = run_cli("cpp", str(src), "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "3 rows in -> 3 clean" in res.output
    assert output_paths("cpp", out)["data"].exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "is empty"), ("plan_id,child_id\n", "header row but no data rows")],
)
def test_cli_bad_input_exits_1_with_one_sentence(tmp_path, content, message):
    src = tmp_path / "cpp.csv"
    src.write_text(content)
    res = run_cli("cpp", str(src), "--out", str(tmp_path / "out"))
    assert res.exit_code == 1 and message in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_cli_wrong_kind_and_missing_file_exit_1(tmp_path):
    src = tmp_path / "caf.csv"
    caf_rows(2).to_csv(src, index=False)
    res = run_cli("cpp", str(src), "--out", str(tmp_path / "out"))
    assert res.exit_code == 1 and "looks like a CAF extract" in res.output
    res = run_cli("cpp", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "out"))
    assert res.exit_code == 1 and "does not exist" in res.output


def test_cli_identifiers_exit_3_and_write_nothing(tmp_path):
    src = tmp_path / "cpp.csv"
    frame = cpp_rows(2)
    frame["Surname"] = ["Khan", "Green"]
    frame.to_csv(src, index=False)
    out = tmp_path / "out"
    res = run_cli("cpp", str(src), "--out", str(out))
    assert res.exit_code == 3
    assert "'Surname'" in res.output and "--drop" in res.output
    assert not out.exists()
    res = run_cli("cpp", str(src), "--out", str(out), "--drop", "Surname")
    assert res.exit_code == 0


def test_cli_pseudonymise_needs_key(tmp_path):
    src = tmp_path / "cpp.csv"
    cpp_rows(2).to_csv(src, index=False)
    res = run_cli(
        "cpp",
        str(src),
        "--out",
        str(tmp_path / "o"),
        "--pseudonymise",
        env={"SSCB_PSEUDONYM_KEY": ""},
    )
    assert res.exit_code == 1 and "SSCB_PSEUDONYM_KEY" in res.output
    key = "3f9c1e7a5b2d8064c1a9e5f7"
    res = run_cli(
        "cpp",
        str(src),
        "--out",
        str(tmp_path / "o"),
        "--pseudonymise",
        env={"SSCB_PSEUDONYM_KEY": key},
    )
    assert res.exit_code == 0
    assert key not in res.output
    for path in (tmp_path / "o").rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes()


def test_clean_result_repr():
    result = clean("caf", caf_rows(2), today=FIXED_TODAY)
    assert isinstance(result, CleanResult)
    assert (
        repr(result) == "CleanResult(caf: 2 rows in, 2 clean, 0 quarantined, 0 duplicates, 0 blank)"
    )

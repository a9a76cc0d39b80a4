"""Loading cleaned extracts for notebooks (sscb_analysis.data): raw files cleaned in memory and
cached, processed parquet read back with its sidecar files, paths from the project root, drop."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from conftest import cpp_rows

from sscb_analysis.cleaning import IdentifierError, clean, write_outputs
from sscb_analysis.data import load_clean_result, load_extract, resolve
from sscb_analysis.paths import ROOT, SYNTHETIC


def _raw_cpp(folder: Path, n: int = 3, name: str = "cpp.csv", **extra: list[str]) -> Path:
    frame = cpp_rows(n)
    for column, values in extra.items():
        frame[column] = values
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def test_raw_csv_is_cleaned_in_memory_and_cached(tmp_path: Path) -> None:
    path = _raw_cpp(tmp_path, 4)
    result = load_clean_result("cpp", path)
    assert result.kind == "cpp"
    assert result.summary["rows_in"] == 4 and result.summary["clean"] == 4
    assert len(result.data) == 4
    assert pd.api.types.is_datetime64_any_dtype(result.data["plan_start_date"])
    assert load_clean_result("cpp", path) is result  # cleaned once per kernel
    assert not list(tmp_path.glob("*.parquet"))  # nothing written


def test_a_changed_file_is_cleaned_again(tmp_path: Path) -> None:
    path = _raw_cpp(tmp_path, 2)
    first = load_clean_result("cpp", path)
    _raw_cpp(tmp_path, 5)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = load_clean_result("cpp", path)
    assert again is not first
    assert len(first.data) == 2 and len(again.data) == 5


def test_load_extract_returns_a_copy(tmp_path: Path) -> None:
    path = _raw_cpp(tmp_path, 3)
    data = load_extract("cpp", path)
    data.loc[0, "team"] = "changed"
    assert load_extract("cpp", path).loc[0, "team"] == "Team A"


def test_parquet_is_read_back_with_its_siblings(tmp_path: Path) -> None:
    cleaned = clean("cpp", _raw_cpp(tmp_path, 3))
    paths = write_outputs(cleaned, tmp_path / "processed")
    result = load_clean_result("cpp", paths["data"])
    pd.testing.assert_frame_equal(result.data, pd.read_parquet(paths["data"]))
    assert len(result.data) == len(cleaned.data) == 3
    assert result.summary == cleaned.summary
    assert list(result.log.columns) == list(cleaned.log.columns)
    assert len(result.log) == len(cleaned.log)
    assert list(result.quarantine.columns) == list(cleaned.quarantine.columns)


def test_parquet_without_siblings_and_misnamed_parquet(tmp_path: Path) -> None:
    cleaned = clean("cpp", _raw_cpp(tmp_path, 3))
    alone = tmp_path / "alone"
    alone.mkdir()
    cleaned.data.to_parquet(alone / "cpp.parquet", index=False)
    # A parquet without its quarantine, log and summary is not a processed set: never read
    # as if it were one.
    with pytest.raises(FileNotFoundError, match=r"lacks cpp_quarantine\.csv"):
        load_clean_result("cpp", alone / "cpp.parquet")
    cleaned.data.to_parquet(alone / "other.parquet", index=False)
    with pytest.raises(ValueError, match=r"not a cleaned CPP extract: expected cpp\.parquet"):
        load_clean_result("cpp", alone / "other.parquet")


def test_relative_paths_are_resolved_from_the_project_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve("data/raw/synthetic/cpp.csv") == ROOT / "data" / "raw" / "synthetic" / "cpp.csv"
    assert resolve(tmp_path / "x.csv") == tmp_path / "x.csv"
    relative = (SYNTHETIC / "cpp.csv").relative_to(ROOT)
    monkeypatch.chdir(tmp_path)  # as under nbval (notebooks/) or papermill (the caller's folder)
    from_root = load_extract("cpp", relative)
    pd.testing.assert_frame_equal(from_root, load_extract("cpp", SYNTHETIC / "cpp.csv"))


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    text = tmp_path / "cpp.txt"
    text.write_text("plan_id\nCPP000001\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"Cannot read cpp\.txt: give a cleaned \.parquet"):
        load_clean_result("cpp", text)
    with pytest.raises(FileNotFoundError, match="Check the marac_path parameter"):
        load_extract("marac", tmp_path / "marac.csv")


def test_drop_removes_columns_before_the_checks(tmp_path: Path) -> None:
    path = _raw_cpp(tmp_path, 3, child_name=["Ann Lee", "Bo Ray", "Cy Dee"])
    with pytest.raises(IdentifierError, match="child_name"):
        load_clean_result("cpp", path)
    result = load_clean_result("cpp", path, drop=["child_name"])
    assert result.summary["columns_dropped"] == ["child_name"]
    assert "child_name" not in result.data.columns and len(result.data) == 3
    assert load_clean_result("cpp", path, drop=("child_name",)) is result


def test_drop_is_part_of_the_cache_key(tmp_path: Path) -> None:
    path = _raw_cpp(tmp_path, 3)
    kept = load_extract("cpp", path)
    dropped = load_extract("cpp", path, drop=["team"])
    assert (kept["team"] == "Team A").all()
    assert dropped["team"].isna().all()


def test_drop_with_parquet_or_a_bare_string_is_refused(tmp_path: Path) -> None:
    paths = write_outputs(clean("cpp", _raw_cpp(tmp_path, 3)), tmp_path / "processed")
    with pytest.raises(ValueError, match=r"applies only to a raw extract: cpp\.parquet"):
        load_clean_result("cpp", paths["data"], drop=["team"])
    assert len(load_clean_result("cpp", paths["data"], drop=[]).data) == 3
    with pytest.raises(TypeError, match="list of column names"):
        load_extract("cpp", tmp_path / "cpp.csv", drop="team")

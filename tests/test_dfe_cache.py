"""The parsed DfE tables kept on disk (benchmarks/parsed_cache.py): the same table as parsing,
never an old copy for changed bytes, never a cached error, nothing kept when turned off."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sscb_analysis import paths
from sscb_analysis.benchmarks import load
from sscb_analysis.benchmarks.codes import DfeDataError
from sscb_analysis.benchmarks.parsed_cache import CACHE_ENV, cache_folder, cached_table


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    load.clear_cache()
    yield folder
    load.clear_cache()


@pytest.fixture
def dfe(tmp_path) -> Path:
    """A copy of the published files that a test may change."""
    return Path(shutil.copytree(paths.DFE, tmp_path / "dfe"))


def _kept(cache: Path) -> list[Path]:
    return sorted((cache / "dfe").glob("*.parquet")) if (cache / "dfe").is_dir() else []


def test_a_cached_table_is_the_parsed_table(cache, dfe, monkeypatch):
    with monkeypatch.context() as off:
        off.setenv(CACHE_ENV, "off")
        parsed = {key: load.load_file(key, dfe) for key in load.FILES}
    assert _kept(cache) == []
    load.clear_cache()
    written = {key: load.load_file(key, dfe) for key in load.FILES}
    assert len(_kept(cache)) == len(load.FILES)
    load.clear_cache()

    def no_parsing(*_args):
        raise AssertionError("parsed again although the cache holds the table")

    monkeypatch.setattr(load, "_parse_published", no_parsing)
    for key in load.FILES:
        read = load.load_file(key, dfe)
        pd.testing.assert_frame_equal(read, parsed[key], check_exact=True)
        pd.testing.assert_frame_equal(written[key], parsed[key], check_exact=True)


def test_changed_bytes_are_parsed_afresh(cache, dfe):
    before = load.load_file("d3", dfe)
    path = dfe / load.FILES["d3"].filename
    text = path.read_text(encoding="utf-8-sig")
    first_value = before["value"].dropna().iloc[0]
    row = before.loc[before["value"] == first_value].iloc[0]
    assert str(int(first_value)) in text
    load.clear_cache()
    lines = text.splitlines(keepends=True)
    line = int(row["source_row"]) - 1
    lines[line] = lines[line].replace(f",{int(first_value)},", f",{int(first_value) + 1000},", 1)
    path.write_text("".join(lines), encoding="utf-8")
    after = load.load_file("d3", dfe)
    changed = after.loc[after["source_row"] == row["source_row"], "value"]
    assert (changed == first_value + 1000).any()
    assert len(_kept(cache)) == 2  # one table per content


def test_an_error_is_raised_every_time_and_never_kept(cache, dfe):
    path = dfe / load.FILES["b1"].filename
    path.write_text("not,a,dfe,table\n1,2,3,4\n", encoding="utf-8")
    for _ in range(2):
        load.clear_cache()
        with pytest.raises(DfeDataError):
            load.load_file("b1", dfe)
    assert _kept(cache) == []


def test_a_damaged_cached_table_is_parsed_again_and_replaced(cache, dfe):
    good = load.load_file("c1", dfe)
    (kept,) = _kept(cache)
    kept.write_bytes(b"PAR1 not really parquet")
    load.clear_cache()
    pd.testing.assert_frame_equal(load.load_file("c1", dfe), good, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(kept), good, check_exact=True)


def test_a_cache_that_cannot_be_written_costs_only_the_speed(tmp_path, monkeypatch, dfe):
    blocked = tmp_path / "a_file"
    blocked.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocked))  # "dfe" cannot be made under a file
    table = cached_table(dfe / load.FILES["d5"].filename, "d5", lambda: pd.DataFrame({"a": [1]}))
    assert table["a"].tolist() == [1]
    assert not list(tmp_path.glob("**/.*.tmp"))


def test_the_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, "OFF")
    assert cache_folder() is None
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert cache_folder() == tmp_path
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == tmp_path / "xdg" / "sscb-analysis"

"""Loading cleaned extracts for notebooks: from ``data/processed`` or a raw file cleaned in memory.

Notebook parameters name one path per extract. A ``.parquet`` path is a cleaned extract written by
``sscb clean`` (its quarantine, log and summary sit beside it); a ``.csv`` or ``.xlsx`` path is a
raw extract, cleaned in memory so a notebook runs on a fresh clone with nothing processed yet.
Relative paths are resolved from the project root, so notebooks behave the same under JupyterLab,
papermill and nbval.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sscb_analysis.cleaning import CleanResult, clean, output_paths
from sscb_analysis.cleaning.outputs import read_processed
from sscb_analysis.paths import ROOT

RAW_SUFFIXES = {".csv", ".xlsx", ".xlsm"}


def resolve(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute against the project root (absolute paths pass through)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (ROOT / p)


def load_clean_result(
    kind: str, path: str | os.PathLike[str], drop: Sequence[str] = ()
) -> CleanResult:
    """The full cleaning result for ``kind`` from a processed parquet or a raw extract.

    ``drop`` names columns of a raw extract to remove before any check (as ``sscb clean
    --drop``); a processed parquet was cleaned already, so ``drop`` with one is a ValueError.
    Results are cached per (kind, file, modification time, drop): several analyses in one kernel
    clean a raw extract once. Treat the result as read-only; ``load_extract`` gives a copy.
    """
    names = _drop_names(drop)
    target = resolve(path)
    if not target.is_file():
        raise FileNotFoundError(
            f"The {kind.upper()} extract {target} does not exist. Check the {kind}_path parameter."
        )
    if names and target.suffix.lower() == ".parquet":
        raise ValueError(
            f"drop={list(names)} applies only to a raw extract: {target.name} is already cleaned "
            "(columns were dropped when it was written). Give the raw .csv/.xlsx, or no drop."
        )
    return _load_cached(kind, str(target), target.stat().st_mtime_ns, names)


def load_extract(kind: str, path: str | os.PathLike[str], drop: Sequence[str] = ()) -> pd.DataFrame:
    """The clean rows of ``kind`` (a copy: callers may change it freely)."""
    return load_clean_result(kind, path, drop=drop).data.copy()


def _drop_names(drop: Sequence[str]) -> tuple[str, ...]:
    """``drop`` as a tuple of column names (part of the cache key)."""
    if isinstance(drop, str):
        raise TypeError(f"drop takes a list of column names, not the string {drop!r}")
    names = tuple(drop)
    wrong = [n for n in names if not isinstance(n, str)]
    if wrong:
        raise TypeError(f"drop takes column names (strings), not {wrong!r}")
    return names


@lru_cache(maxsize=16)
def _load_cached(kind: str, target: str, _mtime: int, drop: tuple[str, ...]) -> CleanResult:
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _read_processed(kind, path)
    if suffix in RAW_SUFFIXES:
        return clean(kind, path, drop=drop)
    raise ValueError(
        f"Cannot read {path.name}: give a cleaned .parquet from data/processed, or a raw .csv/.xlsx."
    )


def _read_processed(kind: str, path: Path) -> CleanResult:
    expected = output_paths(kind, path.parent)["data"].name
    if path.name != expected:
        raise ValueError(
            f"{path.name} is not a cleaned {kind.upper()} extract: expected {expected}."
        )
    return read_processed(kind, path.parent)

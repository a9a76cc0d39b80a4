"""Read the DfE children in need files into tidy long tables, cached per folder.

One row per area, year and indicator: ``year, period, geographic_level, area_code, area_name,
region_code, region_name, old_la_code, new_la_code, la_name, indicator, unit, value, status,
symbol, source_file, source_row``. ``value`` is NaN wherever the DfE printed a symbol, and
``status`` says why (see :mod:`sscb_analysis.benchmarks.codes`). Parsed tables are cached by
folder and file modification time, so loading again in a notebook costs nothing, and on disk by
content (:mod:`sscb_analysis.benchmarks.parsed_cache`), so the next process reads them back.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from sscb_analysis import paths
from sscb_analysis.benchmarks.catalogue import (
    FILES,
    ID_COLUMNS,
    LEVELS,
    NEIGHBOURS_FILE,
    TIME_IDENTIFIER,
    PublishedFile,
)
from sscb_analysis.benchmarks.codes import STATUSES, DfeDataError, parse_cells
from sscb_analysis.benchmarks.parsed_cache import cached_table

__all__ = [
    "TIDY_COLUMNS",
    "clear_cache",
    "folder_stamps",
    "load_all",
    "load_file",
    "load_neighbour_groups",
    "resolve_folder",
]

TIDY_COLUMNS: tuple[str, ...] = (
    "year",
    "period",
    "geographic_level",
    "area_code",
    "area_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "indicator",
    "unit",
    "value",
    "status",
    "symbol",
    "source_file",
    "source_row",
)
CLOSENESS: dict[str, str] = {
    "extremely close": "Extremely close",
    "very close": "Very close",
    "close": "Close",
    "somewhat close": "Somewhat close",
    "not close": "Not close",
}
_STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))
_LEVEL_DTYPE = pd.CategoricalDtype(list(LEVELS.values()))


def resolve_folder(folder: str | os.PathLike[str] | None = None) -> Path:
    """The folder to read: ``folder`` if given, else ``sscb_analysis.paths.DFE``."""
    path = Path(folder) if folder is not None else paths.DFE
    if not path.is_dir():
        raise DfeDataError(
            f"The DfE data folder {path} does not exist. Copy the published files there "
            "(see data/raw/dfe/README.md) or pass folder=..."
        )
    return path.resolve()


def _file_path(folder: Path, filename: str) -> Path:
    path = folder / filename
    if not path.is_file():
        raise DfeDataError(
            f"The published file {filename} is missing from {folder} "
            "(see data/raw/dfe/README.md for the files expected).",
            file=str(path),
        )
    return path


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_mtime_ns, st.st_size


def _read_csv(path: Path, header: int | None = 0) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            header=header,
        )
    except UnicodeDecodeError as err:
        raise DfeDataError(f"not UTF-8 text ({err.reason})", file=str(path)) from err
    except pd.errors.EmptyDataError as err:
        raise DfeDataError("the file is empty", file=str(path)) from err
    except pd.errors.ParserError as err:
        line = re.search(r"line (\d+)", str(err))
        raise DfeDataError(
            f"not a well-formed CSV ({str(err).strip()})",
            file=str(path),
            row=int(line.group(1)) if line else None,
        ) from err


def _check_columns(raw: pd.DataFrame, spec: PublishedFile, path: Path) -> None:
    wanted = [*ID_COLUMNS, *(ind.column for ind in spec.indicators)]
    missing = [c for c in wanted if c not in raw.columns]
    if missing:
        raise DfeDataError(
            f"missing column(s) {missing} expected in the {spec.key} table "
            f"({spec.title}); columns found: {list(raw.columns)}",
            file=str(path),
        )


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _parse_ids(raw: pd.DataFrame, path: Path, rows: np.ndarray) -> pd.DataFrame:
    """Validate and type the identifier columns (year, level, codes, names)."""
    file = str(path)
    period = raw["time_period"].str.strip()
    bad = ~period.str.fullmatch(r"\d{4}").to_numpy(dtype=bool)
    if bad.any():
        i = _first_bad(bad)
        raise DfeDataError(
            "time_period should be a four-digit year ending 31 March (2013 = 2012-13)",
            file=file,
            row=int(rows[i]),
            column="time_period",
            value=period.iloc[i],
        )
    ident = raw["time_identifier"].str.strip()
    bad = (ident != TIME_IDENTIFIER).to_numpy(dtype=bool)
    if bad.any():
        i = _first_bad(bad)
        raise DfeDataError(
            f"time_identifier should be {TIME_IDENTIFIER!r} (years ending 31 March)",
            file=file,
            row=int(rows[i]),
            column="time_identifier",
            value=ident.iloc[i],
        )
    level_raw = raw["geographic_level"].str.strip()
    level = level_raw.map(LEVELS)
    bad = level.isna().to_numpy(dtype=bool)
    if bad.any():
        i = _first_bad(bad)
        raise DfeDataError(
            f"unknown geographic_level; expected one of {list(LEVELS)}",
            file=file,
            row=int(rows[i]),
            column="geographic_level",
            value=level_raw.iloc[i],
        )

    def text(column: str) -> pd.Series:
        return raw[column].str.strip().replace("", None).astype("str")

    ids = pd.DataFrame(
        {
            "year": period.astype("int64").to_numpy(),
            "geographic_level": level.to_numpy(),
            "country_code": text("country_code").to_numpy(),
            "country_name": text("country_name").to_numpy(),
            "region_code": text("region_code").to_numpy(),
            "region_name": text("region_name").to_numpy(),
            "old_la_code": text("old_la_code").to_numpy(),
            "new_la_code": text("new_la_code").to_numpy(),
            "la_name": text("la_name").to_numpy(),
        }
    ).astype({c: "str" for c in ID_COLUMNS if c not in ("time_period", "time_identifier")})
    need = {
        "national": ["country_code", "country_name"],
        "regional": ["region_code", "region_name"],
        "local_authority": ["old_la_code", "new_la_code", "la_name"],
    }
    for lvl, columns in need.items():
        at_level = (ids["geographic_level"] == lvl).to_numpy()
        for column in columns:
            bad = at_level & ids[column].isna().to_numpy()
            if bad.any():
                i = _first_bad(bad)
                raise DfeDataError(
                    f"a {lvl.replace('_', ' ')} row needs {column}",
                    file=file,
                    row=int(rows[i]),
                    column=column,
                    value="",
                )
    la = (ids["geographic_level"] == "local_authority").to_numpy()
    bad = la & ~ids["old_la_code"].str.fullmatch(r"\d{3}").fillna(False).to_numpy(dtype=bool)
    if bad.any():
        i = _first_bad(bad)
        raise DfeDataError(
            "old_la_code should be a three-digit number",
            file=file,
            row=int(rows[i]),
            column="old_la_code",
            value=ids["old_la_code"].iloc[i],
        )
    ids["area_code"] = ids["new_la_code"].where(
        ids["geographic_level"] == "local_authority",
        ids["region_code"].where(ids["geographic_level"] == "regional", ids["country_code"]),
    )
    ids["area_name"] = ids["la_name"].where(
        ids["geographic_level"] == "local_authority",
        ids["region_name"].where(ids["geographic_level"] == "regional", ids["country_name"]),
    )
    key = ["year", "geographic_level", "area_code"]
    dup = ids.duplicated(key).to_numpy()
    if dup.any():
        i = _first_bad(dup)
        raise DfeDataError(
            "a second row for the same year and area",
            file=file,
            row=int(rows[i]),
            column="time_period",
            value=f"{ids['year'].iloc[i]} {ids['area_name'].iloc[i]}",
        )
    return ids


@functools.lru_cache(maxsize=32)
def _parse_file(key: str, stamp: tuple[str, int, int]) -> pd.DataFrame:
    """Parse one published table (cached on path, modification time and size in this process,
    and on disk by content for the other processes of a run: :mod:`parsed_cache`)."""
    path = Path(stamp[0])
    return cached_table(path, key, lambda: _parse_published(key, path))


def _parse_published(key: str, path: Path) -> pd.DataFrame:
    spec = FILES[key]
    raw = _read_csv(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    _check_columns(raw, spec, path)
    if raw.empty:
        raise DfeDataError("the file has a header but no rows", file=str(path))
    rows = np.arange(2, len(raw) + 2)
    ids = _parse_ids(raw, path, rows)
    values, statuses, symbols = [], [], []
    for ind in spec.indicators:
        cells = parse_cells(raw[ind.column], file=str(path), column=ind.column, rows=rows)
        values.append(cells.value)
        statuses.append(cells.status)
        symbols.append(cells.symbol)
    k, n = len(spec.indicators), len(raw)
    tidy = ids.iloc[np.tile(np.arange(n), k)].reset_index(drop=True)
    labels = {y: f"{y - 1}-{y % 100:02d}" for y in ids["year"].unique()}
    tidy["period"] = tidy["year"].map(labels)
    tidy["indicator"] = np.repeat([ind.name for ind in spec.indicators], n)
    tidy["unit"] = np.repeat([ind.unit for ind in spec.indicators], n)
    tidy["value"] = np.concatenate(values)
    tidy["status"] = pd.Categorical(np.concatenate(statuses), dtype=_STATUS_DTYPE)
    tidy["symbol"] = pd.Series(np.concatenate(symbols), dtype="str").replace("", None)
    tidy["source_file"] = path.name
    tidy["source_row"] = np.tile(rows, k)
    tidy = tidy.astype({"indicator": "str", "unit": "str", "period": "str"})
    tidy["geographic_level"] = tidy["geographic_level"].astype(_LEVEL_DTYPE)
    return tidy[list(TIDY_COLUMNS)]


def load_file(key: str, folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One published table (``"b1"``, ``"c1"``, ``"d3"`` or ``"d5"``) as a tidy long table."""
    if key not in FILES:
        raise KeyError(f"Unknown DfE table {key!r}; known: {sorted(FILES)}")
    path = _file_path(resolve_folder(folder), FILES[key].filename)
    return _parse_file(key, _stamp(path)).copy(deep=False)


@functools.lru_cache(maxsize=8)
def _parse_all(stamps: tuple[tuple[str, tuple[str, int, int]], ...]) -> pd.DataFrame:
    frames = [_parse_file(key, stamp) for key, stamp in stamps]
    out = pd.concat(frames, ignore_index=True)
    for column in ("status", "geographic_level"):
        out[column] = out[column].astype(frames[0][column].dtype)
    return out


def folder_stamps(
    folder: str | os.PathLike[str] | None = None,
) -> tuple[tuple[str, tuple[str, int, int]], ...]:
    """(table key, (path, mtime, size)) for each table: a cache key that changes with the files."""
    base = resolve_folder(folder)
    return tuple((key, _stamp(_file_path(base, spec.filename))) for key, spec in FILES.items())


def load_all(folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """All four local-authority tables stacked into one tidy long table (cached)."""
    return _parse_all(folder_stamps(folder)).copy(deep=False)


def load_stamped(stamps: tuple[tuple[str, tuple[str, int, int]], ...]) -> pd.DataFrame:
    """The cached stacked table for :func:`folder_stamps` output (for caches built on top)."""
    return _parse_all(stamps)


@functools.lru_cache(maxsize=8)
def _parse_neighbours(stamp: tuple[str, int, int]) -> pd.DataFrame:
    path = Path(stamp[0])
    file = str(path)
    raw = _read_csv(path, header=None)
    header = [str(c).strip() for c in raw.iloc[0]]
    expected = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
    for k in range(1, 11):
        expected += [f"SN{k}", "SNP"]
    if header[: len(expected)] != expected:
        raise DfeDataError(
            f"the header should start {expected}; found {header[: len(expected)]}",
            file=file,
            row=1,
        )
    records = []
    current = True
    for i in range(1, len(raw)):
        line = i + 1
        cells = [str(c).strip() for c in raw.iloc[i, : len(expected)]]
        if not any(cells):
            continue
        if not cells[0] and cells[1].lower().startswith("old sns"):
            current = False  # the groups below are for authorities since reorganised
            continue
        code = cells[0]
        if not re.fullmatch(r"\d{3}", code):
            raise DfeDataError(
                "LA num should be a three-digit old LA code",
                file=file,
                row=line,
                column="LA num",
                value=code,
            )
        for rank in range(1, 11):
            neighbour = cells[3 + 2 * rank]
            closeness = cells[4 + 2 * rank]
            if not re.fullmatch(r"\d{3}", neighbour):
                raise DfeDataError(
                    "a statistical neighbour should be a three-digit old LA code",
                    file=file,
                    row=line,
                    column=f"SN{rank}",
                    value=neighbour,
                )
            if closeness.lower() not in CLOSENESS:
                raise DfeDataError(
                    f"unknown closeness; expected one of {list(CLOSENESS.values())}",
                    file=file,
                    row=line,
                    column="SNP",
                    value=closeness,
                )
            records.append(
                {
                    "old_la_code": code,
                    "sn_la_name": cells[1],
                    "sn_region": cells[4],
                    "current": current,
                    "rank": rank,
                    "neighbour_code": neighbour,
                    "closeness": CLOSENESS[closeness.lower()],
                    "source_row": line,
                }
            )
    if not records:
        raise DfeDataError("no statistical neighbour groups found", file=file)
    table = pd.DataFrame(records)
    dup = table.duplicated(["old_la_code", "rank"])
    if dup.any():
        row = table.loc[dup.to_numpy(), "source_row"].iloc[0]
        raise DfeDataError(
            "a second group for the same LA",
            file=file,
            row=int(row),
            column="LA num",
            value=table.loc[dup.to_numpy(), "old_la_code"].iloc[0],
        )
    return table.astype({"old_la_code": "str", "neighbour_code": "str", "sn_la_name": "str"})


def load_neighbour_groups(folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The April 2021 statistical neighbour groupings, one row per LA and rank (1 = closest).

    Columns: ``old_la_code, sn_la_name, sn_region, current, rank, neighbour_code, closeness,
    source_row``. ``current`` is False for the "Old SNs" block at the foot of the file
    (authorities since reorganised, e.g. Northamptonshire 928).
    """
    path = _file_path(resolve_folder(folder), NEIGHBOURS_FILE)
    return _parse_neighbours(_stamp(path)).copy(deep=False)


def clear_cache() -> None:
    """Forget every parsed table (files are re-read on next use)."""
    _parse_file.cache_clear()
    _parse_all.cache_clear()
    _parse_neighbours.cache_clear()

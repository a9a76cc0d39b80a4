"""The checked dataset on disk, so a run's pages read what was checked before they ran.

``sscb run`` checks ``indicators.csv`` against ``indicators.yml`` once, before any notebook, and
writes the result to the processed folder: ``indicators.json`` (the clean table, the quarantine,
the log, the definitions and a summary, in one file written atomically, so a reader never sees
a new table beside old definitions) and, for analysts in a spreadsheet, ``indicators_quarantine.csv``
and ``indicators_cleaning_log.csv`` (formula-like cells neutralised). The summary records the
inputs' SHA-256, the options, the package version and the inputs' provenance, as an extract's
processed set does, so freshness and "synthetic" follow the same rules
(:mod:`sscb_analysis.reporting.prepare`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sscb_analysis.cleaning.validate import LOG_COLUMNS
from sscb_analysis.dataset.definitions import IndicatorDefinition, IndicatorDefinitions
from sscb_analysis.dataset.observations import COLUMNS, IndicatorData

__all__ = [
    "PROCESSED_NAME",
    "balanced",
    "load_dataset",
    "processed_dataset_path",
    "read_processed_dataset",
    "write_processed_dataset",
]

PROCESSED_NAME = "indicators.json"
FORMAT_VERSION = 1
_TABLE = ("indicator", "period_start", "period_end", "numerator", "denominator", "value")


def processed_dataset_path(folder: str | Path) -> Path:
    """Where the checked dataset lives in a processed folder."""
    return Path(folder) / PROCESSED_NAME


def balanced(data: IndicatorData) -> bool:
    """Nothing lost: every row read is clean, quarantined, or logged as blank or duplicate."""
    logged = data.log[data.log["rule"].isin(["IND016", "IND017"])]["source_row"].nunique()
    return data.rows_read == len(data.table) + len(data.quarantine) + int(logged)


def write_processed_dataset(
    data: IndicatorData, folder: str | Path, summary: Mapping[str, Any]
) -> Path:
    """Write the checked dataset into ``folder``; return the path of ``indicators.json``.

    The two CSVs go first, the JSON last by one atomic replace: the JSON is what pages read.
    """
    from sscb_analysis.escape import write_spreadsheet_csv
    from sscb_analysis.reporting.manifest import write_json_atomic

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    write_spreadsheet_csv(data.quarantine, out / "indicators_quarantine.csv")
    write_spreadsheet_csv(data.log, out / "indicators_cleaning_log.csv")
    payload = {
        "format_version": FORMAT_VERSION,
        "summary": dict(summary),
        "source_file": data.source_file,
        "rows_read": data.rows_read,
        "definitions": {
            "synthetic": data.definitions.synthetic,
            "source_file": data.definitions.source_file,
            "indicators": {
                k: dataclasses.asdict(d) for k, d in data.definitions.indicators.items()
            },
        },
        "table": _records(data.table, (*_TABLE, "source_row")),
        "quarantine": _records(data.quarantine, ("source_row", *COLUMNS, "rules")),
        "log": _records(data.log, LOG_COLUMNS),
    }
    target = processed_dataset_path(out)
    write_json_atomic(target, payload)
    return target


def read_processed_dataset(path: str | Path) -> tuple[IndicatorData, dict[str, Any]]:
    """The checked dataset and its summary from ``indicators.json``; a damaged or foreign file
    is a ``ValueError`` naming it and the fix."""
    target = Path(path)
    try:
        payload = json.loads(target.read_text(encoding="utf-8"))
        if payload.get("format_version") != FORMAT_VERSION:
            raise ValueError("another format")
        defs = payload["definitions"]
        definitions = IndicatorDefinitions(
            {k: IndicatorDefinition(**d) for k, d in defs["indicators"].items()},
            bool(defs["synthetic"]),
            str(defs["source_file"]),
        )
        table = pd.DataFrame(payload["table"], columns=[*_TABLE, "source_row"])
        data = IndicatorData(
            table=_table(table),
            quarantine=_text_frame(payload["quarantine"], ("source_row", *COLUMNS, "rules")),
            log=_text_frame(payload["log"], LOG_COLUMNS),
            definitions=definitions,
            source_file=str(payload["source_file"]),
            rows_read=int(payload["rows_read"]),
        )
        summary = dict(payload["summary"])
    except FileNotFoundError:
        raise FileNotFoundError(
            f"the checked board dataset {target} does not exist: run `sscb run` to make it"
        ) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"{target} is not a checked board dataset this version can read "
            f"({type(exc).__name__}); run `sscb run` again to remake it"
        ) from None
    return data, summary


def load_dataset(path: str | Path, definitions: str | Path | None = None) -> IndicatorData:
    """The board's dataset from a checked ``indicators.json``, or from the raw CSV (checked in
    memory against ``definitions``, default ``indicators.yml`` beside it)."""
    from sscb_analysis.dataset.observations import read_indicators

    target = Path(path)
    if target.name == PROCESSED_NAME:
        return read_processed_dataset(target)[0]
    return read_indicators(target, definitions)


# ---------------------------------------------------------------------------------- pieces
def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def _records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.loc[:, list(columns)].itertuples(index=False, name=None)
    ]


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    """The clean table with the dtypes :func:`check_indicators` gives it."""
    return pd.DataFrame(
        {
            "indicator": pd.array(frame["indicator"], dtype="str"),
            "period_start": pd.to_datetime(frame["period_start"]).astype("datetime64[s]"),
            "period_end": pd.to_datetime(frame["period_end"]).astype("datetime64[s]"),
            "numerator": pd.array(frame["numerator"], dtype="Float64"),
            "denominator": pd.array(frame["denominator"], dtype="Float64"),
            "value": frame["value"].astype(float),
            "source_row": pd.array(frame["source_row"], dtype="Int64"),
        }
    )


def _text_frame(records: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=list(columns))
    out = {}
    for c in columns:
        if c == "source_row":
            out[c] = pd.array(frame[c], dtype="Int64")
        else:
            out[c] = pd.array(frame[c], dtype="str")
    return pd.DataFrame(out, columns=list(columns))

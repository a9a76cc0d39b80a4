"""The processed set on disk: ``<kind>.parquet``, ``<kind>_quarantine.csv``,
``<kind>_cleaning_log.csv`` and ``<kind>_summary.json``, written and read back.

The two CSVs are opened in spreadsheets, so they are written with formula-like cells neutralised
(:func:`sscb_analysis.escape.write_spreadsheet_csv`); the parquet keeps every true value."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from sscb_analysis.cleaning.schemas import validate
from sscb_analysis.escape import write_spreadsheet_csv
from sscb_analysis.extracts import KINDS, get_spec
from sscb_analysis.paths import PROCESSED, SYNTHETIC


def output_paths(kind: str, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """The four output files of ``kind`` in ``out_dir``."""
    out = Path(out_dir)
    return {
        "data": out / f"{kind}.parquet",
        "quarantine": out / f"{kind}_quarantine.csv",
        "log": out / f"{kind}_cleaning_log.csv",
        "summary": out / f"{kind}_summary.json",
    }


def write_outputs(
    result,
    out_dir: str | os.PathLike[str] = PROCESSED,
    *,
    validated: bool = False,
) -> dict[str, Path]:
    """Write parquet, quarantine, log and summary of a :class:`CleanResult`; each goes to a
    temporary folder first and is renamed into place only once all four are written, so a failed
    run leaves no half set.

    The data are checked against the schema first, unless ``validated`` says they come straight
    from :func:`clean` (which has just checked them) with nothing changed since.
    """
    if not validated:
        validate(result.kind, result.data)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = output_paths(result.kind, out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{result.kind}-", dir=out))
    try:
        staged = {k: tmp / p.name for k, p in paths.items()}
        result.data.to_parquet(
            staged["data"], index=False, use_dictionary=_dictionary_columns(result)
        )
        write_spreadsheet_csv(result.quarantine, staged["quarantine"])
        write_spreadsheet_csv(result.log, staged["log"])
        staged["summary"].write_text(json.dumps(result.summary, indent=2) + "\n", encoding="utf-8")
        for k, p in paths.items():
            os.replace(staged[k], p)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return paths


def _dictionary_columns(result) -> list[str]:
    """Columns parquet should dictionary-encode: all but ids and row numbers, whose values are
    mostly distinct (parquet would hash a million values only to fall back to plain)."""
    spec = get_spec(result.kind)
    distinct = {c.name for c in spec.columns if c.type == "id"} | {"source_row"}
    return [str(c) for c in result.data.columns if c not in distinct]


def load_processed(
    kind: str, folder: str | os.PathLike[str] = PROCESSED, *, synthetic_fallback: bool = True
) -> pd.DataFrame:
    """The clean ``kind`` data from ``folder``; if it is missing, clean the synthetic extract in
    memory instead (``data/raw/synthetic/<kind>.csv``, or a freshly generated one)."""
    from sscb_analysis.cleaning.pipeline import clean

    if kind not in KINDS:
        raise ValueError(f"Unknown extract kind {kind!r}: choose one of {', '.join(KINDS)}.")
    path = output_paths(kind, folder)["data"]
    if path.exists():
        return pd.read_parquet(path)
    if not synthetic_fallback:
        raise FileNotFoundError(f"{path} does not exist: run `sscb clean {kind} FILE` first.")
    raw = SYNTHETIC / f"{kind}.csv"
    if raw.exists():
        return clean(kind, raw).data
    from sscb_analysis import synth

    frames = synth.generate(synth.DEFAULT_SEED)
    return clean(kind, synth.format_for_csv(frames[kind]), source_name=f"synthetic {kind}").data

"""The processed set on disk: ``<kind>.parquet``, ``<kind>_quarantine.csv``,
``<kind>_cleaning_log.csv`` and ``<kind>_summary.json``, written as one unit and read back.

Each write goes to a new version folder and becomes current by one atomic switch of a link
(``DIR/.<kind>-current``); the contracted paths are links through it. :func:`read_processed` is
the one way to read a set back (``sscb_analysis.data`` and :func:`load_processed` use it).

The two CSVs are opened in spreadsheets, so they are written with formula-like cells neutralised
(:func:`sscb_analysis.escape.write_spreadsheet_csv`); the parquet keeps every true value.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
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


#: Where the versions of each processed set live, inside the output folder.
SETS = ".sets"
#: Versions of a set kept besides the current one (a reader that has just resolved the pointer
#: may still be reading the one before).
KEEP_PREVIOUS = 1


def pointer(kind: str, out_dir: str | os.PathLike[str]) -> Path:
    """The link naming the current version of ``kind``'s processed set."""
    return Path(out_dir) / f".{kind}-current"


def write_outputs(
    result,
    out_dir: str | os.PathLike[str] = PROCESSED,
    *,
    validated: bool = False,
) -> dict[str, Path]:
    """Write the processed set of a :class:`CleanResult` (parquet, quarantine, log, summary) as
    one unit: the four files go into a new version folder (``.sets/<kind>-<id>/``), and one
    atomic switch of the link ``.<kind>-current`` makes it current. ``<kind>.parquet`` and the
    others stay at their contracted paths as links through that pointer, so a reader that
    resolves the pointer once (as :func:`read_processed` does) never sees a new parquet beside
    an old summary, and a write that fails part-way leaves the previous set whole.

    The data are checked against the schema first, unless ``validated`` says they come straight
    from :func:`clean` (which has just checked them) with nothing changed since.
    """
    if not validated:
        validate(result.kind, result.data)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    kind = result.kind
    paths = output_paths(kind, out)
    sets = out / SETS
    sets.mkdir(exist_ok=True)
    version = Path(tempfile.mkdtemp(prefix=f"{kind}-{time.strftime('%Y%m%dT%H%M%S')}-", dir=sets))
    try:
        staged = {k: version / p.name for k, p in paths.items()}
        result.data.to_parquet(
            staged["data"], index=False, use_dictionary=_dictionary_columns(result)
        )
        write_spreadsheet_csv(result.quarantine, staged["quarantine"])
        write_spreadsheet_csv(result.log, staged["log"])
        staged["summary"].write_text(json.dumps(result.summary, indent=2) + "\n", encoding="utf-8")
        _switch(pointer(kind, out), Path(SETS) / version.name)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        with contextlib.suppress(OSError):
            sets.rmdir()  # only when empty
        raise
    _link_contracted(kind, out, paths)
    _prune(kind, sets, keep=version.name)
    return paths


def _switch(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` (relative to the link's folder) in one atomic rename."""
    tmp = link.with_name(f"{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp, target_is_directory=True)
    os.replace(tmp, link)


def _link_contracted(kind: str, out: Path, paths: dict[str, Path]) -> None:
    """Make each contracted path (``<kind>.parquet`` ...) a link through the pointer, once; a
    regular file left by an older version of the package is replaced by its link."""
    for path in paths.values():
        target = Path(pointer(kind, out).name) / path.name
        if path.is_symlink() and Path(os.readlink(path)) == target:
            continue
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(target, tmp)
        os.replace(tmp, path)


def _prune(kind: str, sets: Path, keep: str) -> None:
    """Remove versions of ``kind`` older than the current one and the one before it."""
    versions = sorted(
        (p for p in sets.iterdir() if p.is_dir() and p.name.startswith(f"{kind}-")),
        key=lambda p: p.stat().st_mtime_ns,
    )
    old = [p for p in versions if p.name != keep]
    for stale in old[: max(0, len(old) - KEEP_PREVIOUS)]:
        shutil.rmtree(stale, ignore_errors=True)


def _dictionary_columns(result) -> list[str]:
    """Columns parquet should dictionary-encode: all but ids and row numbers, whose values are
    mostly distinct (parquet would hash a million values only to fall back to plain)."""
    spec = get_spec(result.kind)
    distinct = {c.name for c in spec.columns if c.type == "id"} | {"source_row"}
    return [str(c) for c in result.data.columns if c not in distinct]


def read_processed(kind: str, folder: str | os.PathLike[str] = PROCESSED):
    """The processed set of ``kind`` in ``folder`` as a :class:`CleanResult`: the one way to
    read it back. The current version is resolved once, so the four files come from one write.
    Raises FileNotFoundError (with the command that makes it) when the set is missing or
    incomplete."""
    from sscb_analysis.cleaning.pipeline import CleanResult

    if kind not in KINDS:
        raise ValueError(f"Unknown extract kind {kind!r}: choose one of {', '.join(KINDS)}.")
    folder = Path(folder)
    link = pointer(kind, folder)
    base = Path(os.path.realpath(link)) if link.is_symlink() else folder
    paths = output_paths(kind, base)
    missing = [p.name for p in paths.values() if not p.is_file()]
    if missing:
        what = "does not exist" if len(missing) == len(paths) else f"lacks {', '.join(missing)}"
        raise FileNotFoundError(
            f"The processed {kind.upper()} set in {folder} {what}: run "
            f"`sscb clean {kind} EXPORT --out {folder}` to make it."
        )
    return CleanResult(
        kind=kind,
        data=pd.read_parquet(paths["data"]),
        quarantine=_read_text_csv(paths["quarantine"]),
        log=_read_text_csv(paths["log"]),
        summary=json.loads(paths["summary"].read_text(encoding="utf-8")),
    )


def _read_text_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_processed(kind: str, folder: str | os.PathLike[str] = PROCESSED) -> pd.DataFrame:
    """The clean ``kind`` data from the processed set in ``folder``.

    Never falls back to other data: a missing set is an error saying how to make it. The
    synthetic extract is used only when asked for by name: ``load_processed(kind, "synthetic")``
    cleans ``data/raw/synthetic/<kind>.csv`` in memory.
    """
    if str(folder) == "synthetic":
        from sscb_analysis.cleaning.pipeline import clean

        if kind not in KINDS:
            raise ValueError(f"Unknown extract kind {kind!r}: choose one of {', '.join(KINDS)}.")
        return clean(kind, SYNTHETIC / f"{kind}.csv").data
    return read_processed(kind, folder).data

"""Parsed DfE tables kept on disk, so that each process of a run reads them in milliseconds.

Every notebook of ``sscb run`` is its own kernel, and each one parsed the published files again
(four files, 68,000 tidy rows: 0.2 to 0.7 s of CPU per kernel, nine kernels a run, more in the
tests). A parsed table is kept as Parquet, named by the SHA-256 of the file's bytes, of the
parser's own source (``load.py``, ``codes.py``, ``catalogue.py``) and of the pandas and pyarrow
versions: a changed file or a changed parser is parsed afresh, never served from an old copy.
A cached table that cannot be read back is parsed again and replaced; one that cannot be
written is simply not kept. A file with an error is never cached: the error is raised each time.

The folder: ``$SSCB_CACHE_DIR``, else ``$XDG_CACHE_HOME/sscb-analysis``, else
``~/.cache/sscb-analysis``; ``SSCB_CACHE_DIR=off`` keeps nothing on disk.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import pandas as pd

__all__ = ["CACHE_ENV", "cache_folder", "cached_table"]

log = logging.getLogger(__name__)

CACHE_ENV = "SSCB_CACHE_DIR"
_PARSER_MODULES = ("load.py", "codes.py", "catalogue.py")


def cache_folder() -> Path | None:
    """Where parsed tables are kept, or None when ``SSCB_CACHE_DIR=off``."""
    given = os.environ.get(CACHE_ENV, "").strip()
    if given.lower() == "off":
        return None
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "sscb-analysis"


@functools.cache
def _parser_fingerprint() -> bytes:
    import pyarrow

    digest = hashlib.sha256(f"pandas {pd.__version__} pyarrow {pyarrow.__version__}".encode())
    here = Path(__file__).parent
    for name in _PARSER_MODULES:
        digest.update((here / name).read_bytes())
    return digest.digest()


def _key(path: Path, kind: str) -> str:
    digest = hashlib.sha256(_parser_fingerprint())
    digest.update(kind.encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_table(path: Path, kind: str, parse: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``parse()``'s table for the file ``path`` (a ``kind`` of table), from the disk cache when
    it holds one made from these very bytes by this very parser."""
    folder = cache_folder()
    if folder is None:
        return parse()
    target = folder / "dfe" / f"{kind}-{_key(path, kind)}.parquet"
    if target.is_file():
        try:
            return pd.read_parquet(target)
        except Exception as exc:  # damaged or half-written by another tool: parse again
            log.debug("parsed DfE table %s unreadable (%s); parsing %s again", target, exc, path)
    table = parse()
    _keep(table, target)
    return table


def _keep(table: pd.DataFrame, target: Path) -> None:
    """Write ``table`` to ``target`` atomically; a cache that cannot be written is not kept."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        table.to_parquet(tmp, index=False)
        os.replace(tmp, target)
    except Exception as exc:
        log.debug("parsed DfE table not cached at %s: %s", target, exc)
        with suppress(OSError):
            tmp.unlink()

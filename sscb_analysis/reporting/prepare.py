"""The step before the notebooks: make sure ``data/processed/<kind>.parquet`` is fresh.

A processed file is fresh when it exists and is newer than its raw extract. A stale or missing one
is rebuilt with the cleaning API (``sscb_analysis.cleaning.clean``); the cleaner is a parameter so the
step can be tested without it.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("sscb_analysis.reporting")

Cleaner = Callable[[str, Path, Path], Any]


class PrepareError(RuntimeError):
    """An extract could not be made ready for the notebooks."""


@dataclass(frozen=True)
class PreparedExtract:
    """What the step did for one extract kind: ``fresh``, ``cleaned`` or ``kept`` (no raw file)."""

    kind: str
    raw: Path
    processed: Path
    action: str

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "raw": str(self.raw),
            "processed": str(self.processed),
            "action": self.action,
        }


def processed_path(processed_dir: Path, kind: str) -> Path:
    """Where the cleaned extract of ``kind`` lives."""
    return processed_dir / f"{kind}.parquet"


def needs_cleaning(raw: Path, processed: Path) -> bool:
    """True when ``processed`` is missing or older than ``raw``."""
    if not processed.is_file():
        return True
    return raw.is_file() and raw.stat().st_mtime > processed.stat().st_mtime


def ensure_processed(
    inputs: Mapping[str, Path], processed_dir: Path, cleaner: Cleaner | None = None
) -> list[PreparedExtract]:
    """Clean every extract in ``inputs`` (kind -> raw file) whose processed file is not fresh.

    Raises :class:`PrepareError` naming the extract and the fix when neither a raw nor a processed
    file exists, when cleaning fails, or when it leaves no fresh parquet file behind.
    """
    steps: list[PreparedExtract] = []
    for kind, raw in inputs.items():
        processed = processed_path(processed_dir, kind)
        if not raw.is_file():
            if processed.is_file():
                log.warning("raw %s extract %s not found; using existing %s", kind, raw, processed)
                steps.append(PreparedExtract(kind, raw, processed, "kept"))
                continue
            raise PrepareError(
                f"no {kind} data: neither the raw extract {raw} nor the cleaned file {processed} "
                f"exists. Create it with `sscb synth --out {raw.parent}` (synthetic data) or put "
                f"the extract there, then run again."
            )
        if not needs_cleaning(raw, processed):
            steps.append(PreparedExtract(kind, raw, processed, "fresh"))
            continue
        log.info("cleaning %s: %s -> %s", kind, raw, processed_dir)
        clean = cleaner or default_cleaner
        try:
            clean(kind, raw, processed_dir)
        except PrepareError:
            raise
        except Exception as exc:
            raise PrepareError(
                f"cleaning the {kind} extract {raw} failed: {type(exc).__name__}: {exc}. "
                f"Run `sscb clean {kind} {raw} --out {processed_dir}` to see the details."
            ) from exc
        if needs_cleaning(raw, processed):
            raise PrepareError(
                f"cleaning the {kind} extract {raw} did not write a fresh {processed}; "
                f"run `sscb clean {kind} {raw} --out {processed_dir}` and read its log"
            )
        steps.append(PreparedExtract(kind, raw, processed, "cleaned"))
    return steps


def default_cleaner(kind: str, raw: Path, processed_dir: Path) -> Any:
    """Clean with ``sscb_analysis.cleaning`` as ``sscb clean KIND RAW --out DIR`` does.

    Uses ``clean(kind, raw)`` then ``write_outputs(result, processed_dir)``; a ``clean`` that
    takes an output folder itself (``out``/``out_dir``) is called with it instead.
    """
    try:
        module = importlib.import_module("sscb_analysis.cleaning")
    except ImportError as exc:
        raise PrepareError(
            f"the {kind} extract needs cleaning but the cleaning module is not available "
            f"({exc}); run `sscb clean {kind} {raw} --out {processed_dir}`"
        ) from exc
    clean = module.clean
    params = inspect.signature(clean).parameters
    for name in ("out", "out_dir", "output_dir", "processed_dir"):
        if name in params:
            return clean(kind, raw, **{name: processed_dir})
    result = clean(kind, raw)
    write_outputs = getattr(module, "write_outputs", None)
    if not callable(write_outputs):
        raise PrepareError(
            "sscb_analysis.cleaning has no write_outputs(); cannot save the cleaned extract"
        )
    return write_outputs(result, processed_dir)

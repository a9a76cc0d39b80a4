"""The step before the notebooks: make every configured export's processed set fresh.

A processed set (``data/processed/<kind>.parquet`` and its quarantine, log and summary) is
**fresh** when its ``<kind>_summary.json`` records the SHA-256 of exactly the configured input
files, the same cleaning options (layout file and its digest, dropped columns, pseudonymise) and
the same package version. File times play no part: a new export copied in with an older time is
cleaned, and an untouched one is not cleaned again. A stale set is rebuilt with the cleaning API
with exactly the configured options.

A configured export that is missing or unreadable fails the run, unless the profile marks it
``optional: true``: then the last processed set is used and the pages say "not updated since".
A set cleaned with ``pseudonymise`` is never re-cleaned without it: that would bring the real ids
back and stop extracts joining (issue 12, finding 4).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sscb_analysis.provenance import inputs_provenance, provenance_of, sha256_file
from sscb_analysis.reporting.config import CleanInput

log = logging.getLogger("sscb_analysis.reporting")

Cleaner = Callable[[CleanInput, Path], Any]
SET_SUFFIXES = (".parquet", "_quarantine.csv", "_cleaning_log.csv", "_summary.json")


class PrepareError(RuntimeError):
    """An export could not be made ready for the notebooks; the run fails with this sentence."""


@dataclass(frozen=True)
class PreparedExtract:
    """What the step did for one kind: ``fresh``, ``cleaned``, ``kept`` (optional export
    missing, last processed set used) or ``absent`` (optional, and nothing processed yet)."""

    kind: str
    raw: tuple[Path, ...]
    processed: Path
    action: str
    synthetic: bool = False
    generated_by: str | None = None
    optional: bool = False
    not_updated_since: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "raw": [str(p) for p in self.raw],
            "processed": str(self.processed),
            "action": self.action,
            "synthetic": self.synthetic,
            "optional": self.optional,
            "not_updated_since": (
                self.not_updated_since.isoformat() if self.not_updated_since else None
            ),
        }


def processed_path(processed_dir: Path, kind: str) -> Path:
    """Where the cleaned extract of ``kind`` lives."""
    return Path(processed_dir) / f"{kind}.parquet"


def pseudonymises(spec: CleanInput) -> bool:
    """Whether the export is cleaned with pseudonymised ids: the profile's word, else the
    layout file's (a layout that says so is never silently overruled)."""
    if spec.pseudonymise is not None:
        return spec.pseudonymise
    if spec.layout is None or not spec.layout.is_file():
        return False
    from sscb_analysis.cleaning import ExtractError
    from sscb_analysis.cleaning.layout import load_layout

    try:
        return bool(load_layout(spec.layout, spec.kind).pseudonymise)
    except ExtractError as exc:
        raise PrepareError(f"clean.inputs.{spec.kind}: map: {exc}") from None


def clean_options(spec: CleanInput) -> dict[str, Any]:
    """The options a processed set records (``cleaning.clean``'s summary), so a changed layout
    file or option cleans the export again."""
    return {
        "layout": str(spec.layout) if spec.layout else None,
        "drop": list(spec.drop),
        "pseudonymise": pseudonymises(spec),
        "layout_sha256": (
            sha256_file(spec.layout) if spec.layout and spec.layout.is_file() else None
        ),
    }


def package_version() -> str:
    from sscb_analysis.cleaning.pipeline import package_version as version

    return version()


def read_summary(processed: Path) -> dict[str, Any] | None:
    """The ``<kind>_summary.json`` beside a processed parquet, or ``None``."""
    path = processed.with_name(f"{processed.stem}_summary.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_fresh(spec: CleanInput, processed: Path) -> bool:
    """Whether the processed set of ``spec.kind`` was cleaned from these very bytes and options."""
    if not all(processed.with_name(processed.stem + s).is_file() for s in SET_SUFFIXES):
        return False
    summary = read_summary(processed)
    if summary is None or summary.get("package_version") != package_version():
        return False
    recorded = summary.get("inputs")
    if not isinstance(recorded, list) or len(recorded) != len(spec.paths):
        return False
    try:
        digests = [sha256_file(p) for p in spec.paths]
    except OSError:
        return False
    if [r.get("sha256") if isinstance(r, Mapping) else None for r in recorded] != digests:
        return False
    return summary.get("options") == clean_options(spec)


def was_pseudonymised(processed: Path) -> bool:
    """True when the processed set's summary says its ids were pseudonymised."""
    summary = read_summary(processed) or {}
    options = summary.get("options") if isinstance(summary.get("options"), Mapping) else {}
    return bool(summary.get("pseudonymised") or options.get("pseudonymise"))


def ensure_processed(
    inputs: Mapping[str, CleanInput], processed_dir: Path, cleaner: Cleaner | None = None
) -> list[PreparedExtract]:
    """Make every configured export's processed set fresh (module docstring); raise
    :class:`PrepareError` naming the export and the fix when one cannot be."""
    return [_prepare_one(spec, Path(processed_dir), cleaner) for spec in inputs.values()]


def _prepare_one(spec: CleanInput, processed_dir: Path, cleaner: Cleaner | None) -> PreparedExtract:
    kind = spec.kind
    processed = processed_path(processed_dir, kind)
    problem = _unreadable(spec)
    if problem:
        return _missing(spec, processed, problem)
    if was_pseudonymised(processed) and not pseudonymises(spec):
        raise PrepareError(
            f"{processed} was cleaned with pseudonymised ids, but clean.inputs.{kind} in the "
            "profile does not say `pseudonymise: true`; cleaning it again would bring the real "
            f"ids back and stop the extracts joining. Add `pseudonymise: true` to "
            f"clean.inputs.{kind} (with the key in SSCB_PSEUDONYM_KEY), or delete the processed "
            "set if you mean to stop pseudonymising."
        )
    prov = inputs_provenance(spec.paths)
    done = dict(synthetic=prov["synthetic"], generated_by=prov["command"], optional=spec.optional)
    if is_fresh(spec, processed):
        return PreparedExtract(kind, spec.paths, processed, "fresh", **done)
    log.info("cleaning %s: %s -> %s", kind, ", ".join(map(str, spec.paths)), processed_dir)
    clean = cleaner or default_cleaner
    try:
        clean(spec, processed_dir)
    except PrepareError:
        raise
    except Exception as exc:
        raise PrepareError(
            f"cleaning the {kind} export {_names(spec)} failed: {type(exc).__name__}: {exc}. "
            f"Run `{_command(spec, processed_dir)}` to see the details."
        ) from exc
    if not is_fresh(spec, processed):
        raise PrepareError(
            f"cleaning the {kind} export {_names(spec)} did not leave a processed set that "
            f"records these inputs in {processed_dir}; run `{_command(spec, processed_dir)}` "
            "and read its log"
        )
    return PreparedExtract(kind, spec.paths, processed, "cleaned", **done)


def _unreadable(spec: CleanInput) -> str | None:
    for path in spec.paths:
        if not path.exists():
            return f"{path} does not exist"
        if not path.is_file():
            return f"{path} is not a file"
        try:
            with open(path, "rb") as handle:
                handle.read(1)
        except OSError as exc:
            return f"{path} cannot be read ({exc.strerror or exc})"
    return None


def _missing(spec: CleanInput, processed: Path, problem: str) -> PreparedExtract:
    kind = spec.kind
    if not spec.optional:
        raise PrepareError(
            f"the {kind} export configured in clean.inputs.{kind}: {problem}. The run stops "
            "rather than show last month's figures as new. Put the export there and run again, "
            f"or mark the input `optional: true` in the profile if the board may see {kind} "
            "figures marked 'not updated since' the last export."
        )
    if not processed.is_file():
        log.warning(
            "optional %s export missing (%s) and nothing processed: left out", kind, problem
        )
        return PreparedExtract(kind, spec.paths, processed, "absent", optional=True)
    since = _cleaned_on(processed)
    log.warning(
        "optional %s export missing (%s); pages use the data cleaned on %s and say so",
        kind,
        problem,
        since,
    )
    prov = provenance_of(processed)
    return PreparedExtract(
        kind,
        spec.paths,
        processed,
        "kept",
        synthetic=prov.synthetic,
        generated_by=prov.command,
        optional=True,
        not_updated_since=since,
    )


def _cleaned_on(processed: Path) -> dt.date:
    """When the processed set was cleaned: its summary's ``cleaned_at``, else the file's time."""
    stamp = (read_summary(processed) or {}).get("cleaned_at")
    if isinstance(stamp, str):
        try:
            return dt.datetime.fromisoformat(stamp).date()
        except ValueError:
            pass
    return dt.datetime.fromtimestamp(processed.stat().st_mtime, dt.UTC).date()


def default_cleaner(spec: CleanInput, processed_dir: Path) -> Any:
    """Clean with ``sscb_analysis.cleaning`` exactly as configured, and write the processed set;
    its summary records what freshness needs (inputs' digests, options, version) and the
    inputs' provenance."""
    from sscb_analysis import cleaning

    source: Any = list(spec.paths) if len(spec.paths) > 1 else spec.paths[0]
    result = cleaning.clean(
        spec.kind,
        source,
        layout=spec.layout,
        drop=list(spec.drop),
        pseudonymise=pseudonymises(spec),
    )
    result.summary.setdefault("cleaned_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    return cleaning.write_outputs(result, processed_dir, validated=True)


def _names(spec: CleanInput) -> str:
    return ", ".join(str(p) for p in spec.paths)


def _command(spec: CleanInput, processed_dir: Path) -> str:
    parts = ["sscb", "clean", spec.kind, *map(str, spec.paths)]
    if spec.layout:
        parts += ["--map", str(spec.layout)]
    for column in spec.drop:
        parts += ["--drop", column]
    if pseudonymises(spec):
        parts.append("--pseudonymise")
    parts += ["--out", str(processed_dir)]
    return shlex.join(parts)

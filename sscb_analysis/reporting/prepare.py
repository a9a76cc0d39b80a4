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
back and stop extracts joining (issue 12, finding 4). It records a keyed fingerprint of the key
it was made with (:func:`key_check`, never the key), so a changed ``SSCB_PSEUDONYM_KEY`` makes it
stale and the run says so; sets made with different keys in one run (whose pseudonyms would no
longer join) stop the run.

The board's wider dataset (``clean.inputs.indicators``) follows the same rules: checked against
its definitions before any notebook runs, written to ``<processed>/indicators.json`` with the
inputs' digests and provenance, checked again only when its bytes change, and a missing file
fails the run unless it is ``optional`` (:func:`ensure_dataset`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sscb_analysis.provenance import inputs_provenance, provenance_of, sha256_file
from sscb_analysis.reporting.config import DATASET_KIND, CleanInput, DatasetInput

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
    note: str | None = None  # a sentence for the run log and manifest (e.g. a changed key)

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
            "note": self.note,
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


#: The fixed message whose HMAC under the pseudonymisation key fingerprints the key.
KEY_CHECK_MESSAGE = b"sscb-key-check"


def key_check(environ: Mapping[str, str] | None = None) -> str | None:
    """A fingerprint of the key in ``SSCB_PSEUDONYM_KEY``: the first 16 hex characters of
    HMAC-SHA256(key, "sscb-key-check"); ``None`` when no usable key is set. It tells keys apart
    without revealing them (the key cannot be worked back from it)."""
    from sscb_analysis.cleaning.protect import PseudonymKeyError, pseudonym_key

    try:
        key = pseudonym_key(environ)
    except PseudonymKeyError:
        return None
    return hmac.new(key, KEY_CHECK_MESSAGE, hashlib.sha256).hexdigest()[:16]


def clean_options(spec: CleanInput) -> dict[str, Any]:
    """The options a processed set records (``cleaning.clean``'s summary), so a changed layout
    file or option cleans the export again; a pseudonymised set adds its key's fingerprint."""
    options = {
        "layout": str(spec.layout) if spec.layout else None,
        "drop": list(spec.drop),
        "pseudonymise": pseudonymises(spec),
        "layout_sha256": (
            sha256_file(spec.layout) if spec.layout and spec.layout.is_file() else None
        ),
    }
    if options["pseudonymise"]:
        options["key_check"] = key_check()
    return options


def recorded_key_check(processed: Path) -> str | None:
    """The key fingerprint a pseudonymised processed set recorded (None if it has none)."""
    options = (read_summary(processed) or {}).get("options")
    value = options.get("key_check") if isinstance(options, Mapping) else None
    return value if isinstance(value, str) else None


def package_version() -> str:
    from sscb_analysis.cleaning.pipeline import package_version as version

    return version()


def read_summary(processed: Path) -> dict[str, Any] | None:
    """The ``<kind>_summary.json`` beside a processed parquet (the summary inside the board's
    checked ``indicators.json``), or ``None``."""
    if processed.suffix == ".json":
        from sscb_analysis.dataset.processed import read_processed_dataset

        try:
            return read_processed_dataset(processed)[1]
        except (OSError, ValueError):
            return None
    path = processed.with_name(f"{processed.stem}_summary.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_fresh(spec: CleanInput | DatasetInput, processed: Path) -> bool:
    """Whether the processed set was cleaned (checked) from these very bytes and options."""
    dataset = isinstance(spec, DatasetInput)
    if dataset and not processed.is_file():
        return False
    if not dataset and not all(
        processed.with_name(processed.stem + s).is_file() for s in SET_SUFFIXES
    ):
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
    options = _dataset_options(spec) if dataset else clean_options(spec)
    return summary.get("options") == options


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
    steps = [_prepare_one(spec, Path(processed_dir), cleaner) for spec in inputs.values()]
    _same_key(steps, inputs)
    return steps


def _same_key(steps: list[PreparedExtract], inputs: Mapping[str, CleanInput]) -> None:
    """Pseudonymised sets used together must come from one key, or their ids stop joining."""
    made = {
        s.kind: recorded_key_check(s.processed)
        for s in steps
        if s.action != "absent" and pseudonymises(inputs[s.kind])
    }
    if len(set(made.values())) > 1:
        kinds = ", ".join(f"{k.upper()} (key check {v or 'not recorded'})" for k, v in made.items())
        raise PrepareError(
            f"the pseudonymised extracts of this run were made with different keys: {kinds}. "
            "Their pseudonyms would not match, so children's records would stop joining across "
            "CPP, CAF and MARAC. Clean every extract again with the one key in "
            "SSCB_PSEUDONYM_KEY (a missing optional export keeps the old key's set: supply it)."
        )


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
    note = _key_changed(spec, processed)
    if note:
        log.warning("%s", note)
        done["note"] = note
    log.info("cleaning %s: %s -> %s", kind, ", ".join(map(str, spec.paths)), processed_dir)
    clean = cleaner or default_cleaner
    try:
        clean(spec, processed_dir)
    except PrepareError:
        raise
    except Exception as exc:
        raise PrepareError(_clean_failed(spec, processed_dir, exc)) from exc
    if not is_fresh(spec, processed):
        raise PrepareError(
            f"cleaning the {kind} export {_names(spec)} did not leave a processed set that "
            f"records these inputs in {processed_dir}; run `{_command(spec, processed_dir)}` "
            "and read its log"
        )
    return PreparedExtract(kind, spec.paths, processed, "cleaned", **done)


def _key_changed(spec: CleanInput, processed: Path) -> str | None:
    """The sentence for a pseudonymised set made with another key than the one set now."""
    if not (pseudonymises(spec) and was_pseudonymised(processed)):
        return None
    before, now = recorded_key_check(processed), key_check()
    if before is None or now is None or before == now:
        return None
    return (
        f"the {spec.kind.upper()} processed set was pseudonymised with another key than the one "
        f"now in SSCB_PSEUDONYM_KEY (key check {before}, now {now}); it is cleaned again with "
        "the new key, so its pseudonyms change: they no longer match earlier outputs, and CPP "
        "and CAF join only when every extract is cleaned with the same key."
    )


def ensure_dataset(spec: DatasetInput | None, processed_dir: Path) -> PreparedExtract | None:
    """Check the board's dataset into ``<processed_dir>/indicators.json`` unless it is fresh;
    ``None`` when the profile gives none. Raises :class:`PrepareError` with a sentence when the
    files are missing (and not optional), unreadable, hold identifiers or do not fit."""
    if spec is None:
        return None
    from sscb_analysis.dataset.processed import processed_dataset_path

    processed = processed_dataset_path(processed_dir)
    problem = _unreadable(spec)
    if problem:
        return _missing(spec, processed, problem)
    prov = inputs_provenance(spec.paths)
    done = dict(synthetic=prov["synthetic"], generated_by=prov["command"], optional=spec.optional)
    if is_fresh(spec, processed):
        return PreparedExtract(DATASET_KIND, spec.paths, processed, "fresh", **done)
    log.info("checking the board's dataset: %s -> %s", spec.path, processed)
    _check_dataset(spec, processed_dir)
    return PreparedExtract(DATASET_KIND, spec.paths, processed, "cleaned", **done)


def _check_dataset(spec: DatasetInput, processed_dir: Path) -> Path:
    """Read and check the dataset (the identifier scan, the IND rules) and write it."""
    from sscb_analysis.cleaning.protect import IdentifierError
    from sscb_analysis.cleaning.read import ExtractError
    from sscb_analysis.dataset import DefinitionError, read_indicators
    from sscb_analysis.dataset.processed import balanced, write_processed_dataset

    where = f"the board's dataset (clean.inputs.{DATASET_KIND}: {spec.path})"
    try:
        data = read_indicators(spec.path, spec.definitions, spec.drop)
    except IdentifierError as exc:
        raise PrepareError(f"{where}: {exc}") from None
    except (DefinitionError, ExtractError) as exc:
        raise PrepareError(f"{where} cannot be used: {exc}") from None
    summary = {
        "kind": DATASET_KIND,
        "inputs": [{"path": str(p), "sha256": sha256_file(p)} for p in spec.paths],
        "options": _dataset_options(spec),
        "package_version": package_version(),
        "provenance": inputs_provenance(spec.paths),
        "cleaned_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rows_in": data.rows_read,
        "clean": len(data.table),
        "quarantined": len(data.quarantine),
        "balanced": balanced(data),
    }
    return write_processed_dataset(data, processed_dir, summary)


def _dataset_options(spec: DatasetInput) -> dict[str, Any]:
    return {"drop": list(spec.drop)}


def _unreadable(spec: CleanInput | DatasetInput) -> str | None:
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


def _missing(spec: CleanInput | DatasetInput, processed: Path, problem: str) -> PreparedExtract:
    kind = spec.kind if isinstance(spec, CleanInput) else DATASET_KIND
    what = "export" if isinstance(spec, CleanInput) else "board's dataset"
    if not spec.optional:
        raise PrepareError(
            f"the {kind} {what} configured in clean.inputs.{kind}: {problem}. The run stops "
            "rather than show last month's figures as new. Put the file there and run again, "
            f"or mark the input `optional: true` in the profile if the board may see {kind} "
            "figures marked 'not updated since' the last one."
        )
    if not processed.is_file():
        log.warning("optional %s missing (%s) and nothing processed: left out", kind, problem)
        return PreparedExtract(kind, spec.paths, processed, "absent", optional=True)
    since = _cleaned_on(processed)
    log.warning(
        "optional %s missing (%s); pages use the data cleaned on %s and say so",
        kind,
        problem,
        since,
    )
    prov = _provenance(processed)
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


def _provenance(processed: Path) -> Any:
    """The provenance a processed set recorded (the board's dataset keeps it in its summary)."""
    if processed.suffix != ".json":
        return provenance_of(processed)
    from sscb_analysis.provenance import NOT_GENERATED, Provenance

    recorded = (read_summary(processed) or {}).get("provenance")
    if isinstance(recorded, Mapping) and recorded.get("synthetic") is True:
        command = recorded.get("command")
        return Provenance(
            True, recorded.get("generator"), command if isinstance(command, str) else None
        )
    return NOT_GENERATED


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
    record_cleaning(result.summary)
    return cleaning.write_outputs(result, processed_dir, validated=True)


def record_cleaning(summary: dict[str, Any]) -> dict[str, Any]:
    """What a processed set's summary records beside the cleaner's own, the same whether
    ``sscb clean`` or ``sscb run`` cleaned it: when it was cleaned and, for pseudonymised ids,
    the key's fingerprint (:func:`key_check`, never the key), which freshness and the
    same-key check compare."""
    summary.setdefault("cleaned_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    options = summary.get("options")
    if isinstance(options, dict) and (options.get("pseudonymise") or summary.get("pseudonymised")):
        options["key_check"] = key_check()
    return summary


def _clean_failed(spec: CleanInput, processed_dir: Path, exc: Exception) -> str:
    """The sentence for an export the cleaner refused: which input, what is wrong (the
    cleaner's own words, no exception type), how to fix it and where to see more."""
    from sscb_analysis.cleaning.headers import ExtractError
    from sscb_analysis.cleaning.protect import IdentifierError, PseudonymKeyError

    what = sentence(str(exc))
    if not isinstance(exc, ExtractError | IdentifierError | PseudonymKeyError | OSError):
        reason = str(exc).strip().rstrip(".") or "no reason given"
        what = (
            f"the cleaner stopped on something it does not handle ({reason}); please report "
            "it with this run's run.log."
        )
    return (
        f"The {spec.kind.upper()} export ({_names(spec)}, clean.inputs.{spec.kind} in the "
        f"profile) cannot be cleaned: {what or 'no reason given.'} Correct the export or its "
        f"layout file and run again; `{_command(spec, processed_dir)}` cleans it alone and "
        "shows every problem."
    )


def sentence(text: str) -> str:
    """``text`` ending in exactly one full stop (a message from elsewhere may end in one)."""
    text = text.strip()
    return text if not text or text.endswith((".", "?", "!")) else f"{text}."


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

"""Where data came from: the synthetic generator's marker, kept with the data it made.

``sscb synth`` writes ``provenance.json`` beside the extracts it generates, naming each file with
the SHA-256 of its bytes. A file is synthetic when the sidecar in its folder lists its digest
(under any name: a renamed copy stays synthetic): the marker follows the content, so a real export copied over a synthetic one (or
into the synthetic folder) is never taken for synthetic, and nothing is decided by searching text
for the word "synthetic". The cleaning summary (``<kind>_summary.json``) carries the provenance of
the inputs it was cleaned from, so a processed set keeps it when its raw files are gone.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROVENANCE_NAME = "provenance.json"
GENERATOR = "sscb_analysis.synth"


@dataclass(frozen=True)
class Provenance:
    """What is known of one file's origin: ``synthetic`` and, if so, the command that made it."""

    synthetic: bool
    generator: str | None = None
    command: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


NOT_GENERATED = Provenance(synthetic=False)


def sha256_file(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def write_provenance(
    folder: str | os.PathLike[str], files: Iterable[str | os.PathLike[str]], command: str
) -> Path:
    """Write the generator's sidecar for ``files`` (all in ``folder``); return its path.

    Files an earlier sidecar in ``folder`` lists are kept in it while they still hold the bytes
    it records (``sscb synth --format cin`` and then ``--format annex-a`` into one folder both
    stay synthetic); the sidecar's ``command`` then names every command that made its files.
    The sidecar holds no time or version, so the same seed still gives the same bytes.
    """
    out = Path(folder)
    digests = {Path(f).name: sha256_file(f) for f in files}
    commands = [command]
    earlier = _sidecar_files(out / PROVENANCE_NAME)
    if earlier is not None:
        kept, made_by = earlier
        for name, digest in kept.items():
            if name not in digests and (out / name).is_file() and sha256_file(out / name) == digest:
                digests[name] = digest
                commands.extend(c for c in made_by if c not in commands)
    payload = {
        "synthetic": True,
        "generator": GENERATOR,
        "command": "; ".join(commands),
        "note": "Every file listed here was made by the generator and describes no real person.",
        "files": dict(sorted(digests.items())),
    }
    target = out / PROVENANCE_NAME
    target.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return target


def _sidecar_files(sidecar: Path) -> tuple[dict[str, str], list[str]] | None:
    """The files an existing generator's sidecar lists (name: digest) and the commands it
    names; None when there is none, or it is not the generator's."""
    try:
        payload = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(payload, Mapping) or payload.get("generator") != GENERATOR:
        return None
    files = payload.get("files")
    if not isinstance(files, Mapping):
        return None
    command = payload.get("command")
    made_by = [c for c in command.split("; ") if c] if isinstance(command, str) else []
    return {str(k): v for k, v in files.items() if isinstance(v, str)}, made_by


def provenance_of(path: str | os.PathLike[str]) -> Provenance:
    """The provenance of a raw extract, or of a processed parquet (from its summary)."""
    target = Path(path)
    if target.suffix.lower() == ".parquet":
        return _processed(target)
    return _raw(target)


def combine(items: Iterable[Provenance]) -> Provenance:
    """One provenance for data made from several files: synthetic when any of them is."""
    made = [p for p in items if p.synthetic]
    if not made:
        return NOT_GENERATED
    commands = sorted({p.command for p in made if p.command})
    return Provenance(True, GENERATOR, "; ".join(commands) or None)


def inputs_provenance(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Any]:
    """The ``provenance`` entry a cleaning summary records for the files it cleaned."""
    return combine(_raw(Path(p)) for p in paths).as_dict()


def is_synthetic(path: str | os.PathLike[str]) -> bool:
    """True when the file (or the raw files a processed parquet was cleaned from) is generated."""
    return provenance_of(path).synthetic


def _raw(path: Path) -> Provenance:
    sidecar = path.parent / PROVENANCE_NAME
    if not path.is_file() or not sidecar.is_file():
        return NOT_GENERATED
    try:
        payload = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return NOT_GENERATED
    files = payload.get("files") if isinstance(payload, Mapping) else None
    if not isinstance(files, Mapping) or payload.get("generator") != GENERATOR:
        return NOT_GENERATED
    # By content: a generated file renamed in its folder is still the generator's (its pages
    # keep the SYNTHETIC banner); any other bytes under a listed name are not.
    if sha256_file(path) not in {v for v in files.values() if isinstance(v, str)}:
        return NOT_GENERATED
    command = payload.get("command")
    return Provenance(True, GENERATOR, command if isinstance(command, str) else None)


def _processed(path: Path) -> Provenance:
    """From ``<kind>_summary.json``: its ``provenance`` entry, else the digests of its inputs."""
    summary_path = path.with_name(f"{path.stem}_summary.json")
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return NOT_GENERATED
    if not isinstance(summary, Mapping):
        return NOT_GENERATED
    recorded = summary.get("provenance")
    if isinstance(recorded, Mapping) and isinstance(recorded.get("synthetic"), bool):
        command = recorded.get("command")
        return Provenance(
            recorded["synthetic"],
            recorded.get("generator") if recorded["synthetic"] else None,
            command if isinstance(command, str) else None,
        )
    return combine(_raw(Path(p)) for p in _summary_input_paths(summary))


def _summary_input_paths(summary: Mapping[str, Any]) -> list[str]:
    """The input files a summary names (``inputs`` entries, else ``source_file``)."""
    inputs = summary.get("inputs")
    paths: list[str] = []
    if isinstance(inputs, list):
        for item in inputs:
            if isinstance(item, Mapping) and isinstance(item.get("path"), str):
                paths.append(item["path"])
            elif isinstance(item, str):
                paths.append(item)
    source = summary.get("source_file")
    if not paths and isinstance(source, str):
        paths.append(source)
    return paths

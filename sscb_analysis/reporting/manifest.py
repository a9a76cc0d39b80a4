"""``manifest.json``: what a run used, so a board figure can be traced to code, data and versions.

Holds the run id and time, the git commit, versions of the packages that shape results, the
SHA-256 of every input file, the parameters and each notebook's duration and status.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from sscb_analysis.provenance import sha256_file

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
FILE_MODE = 0o644  # mkstemp makes 0600 files; reports are meant to be read by others

# Packages whose versions can change a figure or a rendered page.
TRACKED_PACKAGES = (
    "sscb-analysis",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "pyarrow",
    "pandera",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
)


def hash_inputs(files: Iterable[str | Path]) -> dict[str, str]:
    """SHA-256 of each existing file (directories are hashed file by file), keyed by path."""
    hashes: dict[str, str] = {}
    for item in files:
        path = Path(item)
        if path.is_file():
            hashes[str(path)] = sha256_file(path)
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                hashes[str(child)] = sha256_file(child)
    return dict(sorted(hashes.items()))


def git_commit(root: str | Path) -> dict[str, Any]:
    """The checked-out commit of ``root`` and whether the work tree has changes (read-only git)."""
    info: dict[str, Any] = {"commit": None, "dirty": None}
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode == 0:
            info["commit"] = head.stdout.strip()
            status = subprocess.run(
                ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
            if status.returncode == 0:
                info["dirty"] = bool(status.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        pass
    return info


def package_versions(names: Iterable[str] = TRACKED_PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (``None`` when not installed), plus Python's."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def write_json_atomic(path: str | Path, payload: Any, *, sort_keys: bool = False) -> None:
    """Write JSON via a temporary file and ``os.replace`` so readers never see half a file."""
    text = json.dumps(payload, indent=2, sort_keys=sort_keys, default=str) + "\n"
    write_text_atomic(path, text)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write text via a temporary file and ``os.replace``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(run_dir: str | Path) -> dict[str, Any] | None:
    """A run's manifest, or ``None`` when it is missing or unreadable (e.g. a run in progress)."""
    path = Path(run_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None

"""Project paths resolved from the project root, never from the working directory.

Notebooks run under nbval start in ``notebooks/`` and under papermill in the caller's folder, so
every default path is built from here.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The folder holding ``pyproject.toml`` (override with ``SSCB_PROJECT_ROOT``)."""
    override = os.environ.get("SSCB_PROJECT_ROOT")
    if override:
        return Path(override).resolve()
    here = Path(__file__).resolve().parent
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file() and (candidate / "sscb_analysis").is_dir():
            return candidate
    return Path.cwd().resolve()


ROOT = project_root()
RAW = ROOT / "data" / "raw"
SYNTHETIC = RAW / "synthetic"
PROCESSED = ROOT / "data" / "processed"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
CONFIG = ROOT / "config"
DFE = RAW / "dfe"

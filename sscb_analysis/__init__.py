"""sscb-analysis: clean, analyse and report anonymised safeguarding audit extracts.

The data flow is one way: ``data/raw`` -> load, validate, protect -> ``data/processed`` ->
measures, stats, disclose -> notebooks -> ``reports/``. See ``docs/`` and the README.

``clean``, ``CleanResult`` and ``load_processed`` are imported on first use, so
``import sscb_analysis`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["CleanResult", "__version__", "clean", "load_processed"]


def __getattr__(name: str) -> Any:
    # ``clean``, ``CleanResult`` and ``load_processed`` live in sscb_analysis/cleaning/.
    if name in ("clean", "CleanResult", "load_processed"):
        return getattr(importlib.import_module("sscb_analysis.cleaning"), name)
    raise AttributeError(f"module 'sscb_analysis' has no attribute {name!r}")

"""sscb-analysis: clean, analyse and report anonymised safeguarding audit extracts.

The data flow is one way: ``data/raw`` -> load, validate, protect -> ``data/processed`` ->
measures, stats, disclose -> notebooks -> ``reports/``. See ``docs/`` and the README.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

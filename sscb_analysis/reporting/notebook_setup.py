"""Helpers a report notebook calls in its first cells: house style and parameter checks.

``setup_notebook()`` makes figures appear in exported HTML (inline backend, even when
``MPLBACKEND=Agg`` is exported), applies the house plot style and sensible pandas display options.
``check_parameters(**params)`` validates the papermill parameters by name and reports every
problem at once, so a wrong path or date fails in the first cell with a plain message.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

DATE_NAMES = frozenset({"period_start", "period_end"})


class ParameterError(ValueError):
    """One or more notebook parameters are unusable; the message lists each."""


def setup_notebook(*, dpi: int = 100, pandas_options: bool = True) -> None:
    """Prepare a notebook for reporting: inline figures, house style, pandas display options."""
    if os.environ.get("MPLBACKEND", "").lower() == "agg":
        del os.environ["MPLBACKEND"]  # Agg loses figures in exported notebooks (NOTES.md)
    shell = _ipython()
    if shell is not None:
        shell.run_line_magic("matplotlib", "inline")
        from sscb_analysis.alt_text import register

        register(shell)  # every figure's PNG carries alt text written from its data
    import matplotlib as mpl

    mpl.rcParams.update({"figure.dpi": dpi, "savefig.dpi": dpi, "figure.figsize": (7.0, 4.0)})
    _apply_house_style()
    if pandas_options:
        import pandas as pd

        pd.set_option("display.max_columns", 30)
        pd.set_option("display.max_rows", 60)
        pd.set_option("display.width", 120)
        pd.set_option("display.precision", 2)


def check_parameters(**params: Any) -> dict[str, Any]:
    """Validate notebook parameters by their names; return them normalised.

    Rules: ``*_path`` must name an existing file and ``*_dir`` an existing folder (``run_dir`` may
    be empty when run by hand); ``*_date``, ``period_start`` and ``period_end`` must be ISO dates
    (returned as ``datetime.date``) with the period start before its end; ``confidence_level`` a
    number strictly between 0 and 1; ``suppression_threshold`` a whole number >= 0; ``la_code`` a
    positive whole number; ``year`` a whole number from 1990 to 2100; ``area_name`` non-empty text.
    Other parameters pass through unchanged.
    """
    problems: list[str] = []
    clean: dict[str, Any] = {}
    for name, value in params.items():
        try:
            clean[name] = _check_one(name, value)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
    start, end = clean.get("period_start"), clean.get("period_end")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and start >= end:
        problems.append(f"period_start ({start}) must be before period_end ({end})")
    if problems:
        raise ParameterError("bad notebook parameter(s):\n  - " + "\n  - ".join(problems))
    return clean


def _check_one(name: str, value: Any) -> Any:
    if name == "run_dir":
        if value in (None, ""):
            return None
        return _existing(value, "folder", Path.is_dir)
    if name.endswith("_path"):
        return _existing(value, "file", Path.is_file)
    if name.endswith("_dir"):
        return _existing(value, "folder", Path.is_dir)
    if name.endswith("_date") or name in DATE_NAMES:
        return _date(value)
    if name == "confidence_level":
        number = _number(value)
        if not 0 < number < 1:
            raise ValueError(f"must be between 0 and 1 (e.g. 0.95), not {value!r}")
        return number
    if name == "suppression_threshold":
        return _whole(value, minimum=0)
    if name == "la_code":
        return _whole(value, minimum=1)
    if name == "year":
        year = _whole(value, minimum=1990)
        if year > 2100:
            raise ValueError(f"must be a year from 1990 to 2100, not {value!r}")
        return year
    if name == "area_name":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"must be non-empty text, not {value!r}")
        return value.strip()
    return value


def _existing(value: Any, what: str, test: Any) -> Path:
    if not isinstance(value, str | Path) or not str(value).strip():
        raise ValueError(f"must be a {what} path, not {value!r}")
    path = Path(value).expanduser()
    if not path.is_absolute():  # notebooks run in notebooks/ (nbval) or anywhere (papermill)
        from sscb_analysis.paths import ROOT

        path = ROOT / path
    if not test(path):
        state = "is not a " + what if path.exists() else "not found"
        raise ValueError(f"{what} {state}: {path}")
    return path


def _date(value: Any) -> dt.date:
    from sscb_analysis.reporting.profile import as_date

    day = as_date(value)
    if day is None:
        raise ValueError(f"must be a date written YYYY-MM-DD (e.g. 2012-06-01), not {value!r}")
    return day


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"must be a number, not {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"must be a number, not {value!r}") from None


def _whole(value: Any, minimum: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number, not {value!r}")
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f"must be a whole number, not {value!r}")
    if value < minimum:
        raise ValueError(f"must be at least {minimum}, not {value}")
    return value


def _ipython() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _apply_house_style() -> None:
    """The house chart style from :mod:`sscb_analysis.plots`."""
    from sscb_analysis.plots import set_house_style

    set_house_style()

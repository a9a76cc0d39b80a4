"""``record(name, value)``: a notebook's headline figures, saved as JSON beside its report.

(Named ``figures`` rather than ``record`` so the module is not shadowed by the function that
``sscb_analysis.reporting`` exports.)

How figures reach ``reports/<run>/<notebook>.json``: ``sscb run`` executes every notebook in a
worker process that sets ``SSCB_RECORD_PATH`` (and ``SSCB_RUN_DIR``) in its own environment before
it starts the notebook's kernel; the kernel inherits them. Each ``record`` call rewrites that file
atomically, so figures recorded before a failing cell survive. Run interactively (JupyterLab, no
variable set), ``record`` only keeps values in memory: see :func:`recorded`.

Kept free of heavy imports: every notebook imports it in its first cells.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

RECORD_PATH_ENV = "SSCB_RECORD_PATH"
RUN_DIR_ENV = "SSCB_RUN_DIR"
SYNTHETIC_FLAG = "data_are_synthetic"

_figures: dict[str, dict[str, Any]] = {}


def record(name: str, value: Any, **meta: Any) -> Any:
    """Record a headline figure ``name`` (with optional ``meta`` such as ``unit``); return ``value``.

    Values may be numbers, strings, booleans, dates, lists/dicts of those, numpy/pandas scalars,
    or the stats result dataclasses (saved as their fields plus ``describe()`` when they have it).
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"record() needs a non-empty string name, not {name!r}")
    entry: dict[str, Any] = {"value": to_jsonable(value)}
    if meta:
        entry["meta"] = to_jsonable(meta)
    _figures[name] = entry
    target = os.environ.get(RECORD_PATH_ENV)
    if target:
        _write_atomic(Path(target), {"figures": _figures})
    return value


def recorded() -> dict[str, Any]:
    """The values recorded so far in this kernel, by name (a copy)."""
    return {name: entry["value"] for name, entry in _figures.items()}


def clear_recorded() -> None:
    """Forget everything recorded in this kernel (for tests and re-runs of a notebook)."""
    _figures.clear()


def run_dir() -> Path | None:
    """The current ``sscb run`` output folder, or ``None`` when run interactively."""
    value = os.environ.get(RUN_DIR_ENV)
    return Path(value) if value else None


def declare_data_source(paths: str | Path | Iterable[str | Path]) -> bool:
    """Record which files a notebook reads and whether they are synthetic; return that flag.

    The board report shows a "SYNTHETIC DATA" banner when any source is synthetic (see
    :func:`is_synthetic_source`). Missing files raise ``FileNotFoundError`` naming them.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    missing = [str(p) for p in items if not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"data source(s) not found: {', '.join(missing)}")
    synthetic = any(is_synthetic_source(p) for p in items)
    record("data_sources", [str(Path(p).resolve()) for p in items])
    record(SYNTHETIC_FLAG, synthetic)
    return synthetic


def is_synthetic_source(path: str | Path) -> bool:
    """Whether a data file came from the project's generator, by its provenance (the marker
    ``sscb synth`` writes with the data: :mod:`sscb_analysis.provenance`), never by its name.

    A folder (such as the published DfE tables) is not synthetic.
    """
    from sscb_analysis.provenance import is_synthetic

    p = Path(path)
    return p.is_file() and is_synthetic(p)


def to_jsonable(value: Any) -> Any:
    """Convert ``value`` to plain JSON types (numbers, strings, lists, dicts, ``None``)."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        out["type"] = type(value).__name__
        describe = getattr(value, "describe", None)
        if callable(describe):
            out["description"] = str(describe())
        return out
    if isinstance(value, dt.datetime | dt.date):
        text = value.isoformat()
        return None if text == "NaT" else text
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "isoformat") and callable(value.isoformat):  # pandas Timestamp
        text = value.isoformat()
        return None if text == "NaT" else text
    if getattr(value, "ndim", 0) == 2 and callable(getattr(value, "to_dict", None)):
        return to_jsonable(value.to_dict(orient="records"))  # pandas DataFrame
    if getattr(value, "ndim", 0) > 0 and callable(getattr(value, "tolist", None)):
        return to_jsonable(value.tolist())  # numpy arrays, pandas Series
    if callable(getattr(value, "item", None)):  # numpy scalars
        return to_jsonable(value.item())
    if _is_missing(value):
        return None
    raise TypeError(
        f"record() cannot save a {type(value).__name__}; record numbers, strings, dates, "
        "lists/dicts of those, or a stats result"
    )


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value)  # NaN, pd.NA raise or compare unequal to themselves
    except TypeError:
        return True
    except ValueError:  # an array-like whose truth is ambiguous is not a missing value
        return False


def _write_atomic(target: Path, payload: dict[str, Any]) -> None:
    from sscb_analysis.reporting.manifest import write_json_atomic  # stdlib only: stays light

    write_json_atomic(target, payload, sort_keys=True)

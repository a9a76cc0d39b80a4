"""Running the report notebooks and publishing their results (``sscb run``).

Notebooks import only the light part: :func:`record` for headline figures and
:func:`declare_data_source` for the synthetic-data banner. The runner (papermill, nbconvert) lives
in :mod:`sscb_analysis.reporting.runner` and is imported only by ``sscb run``.
"""

from __future__ import annotations

from sscb_analysis.reporting.figures import (
    clear_recorded,
    declare_data_source,
    is_synthetic_source,
    record,
    recorded,
    run_dir,
)

__all__ = [
    "clear_recorded",
    "declare_data_source",
    "is_synthetic_source",
    "record",
    "recorded",
    "run_dir",
]

"""The cleaning pipeline: read -> protect -> validate -> derive, one module per stage.

``sscb_analysis.clean("cpp", path_or_frame)`` returns a :class:`CleanResult` in memory (nothing
touches the disk); :func:`~sscb_analysis.cleaning.outputs.write_outputs` writes the processed set.

Accounting: every input row ends in exactly one of the clean data, the quarantine, the duplicates
(exact copies of an earlier row, logged and dropped) or the blank rows (every cell empty, logged
as skipped), so ``rows_in == clean + quarantined + duplicates + blank`` always holds.

Privacy comes before the rules: identifiers are refused (or, with ``pseudonymise=True``,
hashed, degraded or dropped) before any value can reach the log or the quarantine.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from sscb_analysis.cleaning import derive as _derive
from sscb_analysis.cleaning import protect as _protect
from sscb_analysis.cleaning import read as _read
from sscb_analysis.cleaning import validate as _validate
from sscb_analysis.cleaning.outputs import load_processed, output_paths, write_outputs
from sscb_analysis.cleaning.protect import IdentifierError, PseudonymKeyError
from sscb_analysis.cleaning.read import ExtractError
from sscb_analysis.cleaning.schemas import validate
from sscb_analysis.cleaning.summary import summarise, summary_text
from sscb_analysis.extracts import get_spec

__all__ = [
    "CleanResult",
    "ExtractError",
    "IdentifierError",
    "PseudonymKeyError",
    "clean",
    "load_processed",
    "output_paths",
    "summary_text",
    "write_outputs",
]


@dataclass
class CleanResult:
    """What cleaning one extract produced.

    ``data``: clean rows with typed canonical columns, ``source_file``, ``source_row``,
    ``query_flags`` and derived fields. ``quarantine``: rows with an error, as text, with
    ``rules`` and ``reasons``. ``log``: the cleaning log. ``summary``: counts per outcome and rule.
    """

    kind: str
    data: pd.DataFrame
    quarantine: pd.DataFrame
    log: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"CleanResult({self.kind}: {s.get('rows_in')} rows in, {s.get('clean')} clean, "
            f"{s.get('quarantined')} quarantined, {s.get('duplicates')} duplicates, "
            f"{s.get('blank')} blank)"
        )


def clean(
    kind: str,
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    pseudonymise: bool = False,
    drop: Iterable[str] = (),
    sheet: str | None = None,
    source_name: str | None = None,
    environ: dict[str, str] | None = None,
    today: date | None = None,
) -> CleanResult:
    """Clean one extract in memory.

    ``source`` is a CSV/XLSX path or a DataFrame (values are treated as the text a CSV would hold;
    row numbers count as if it were written with a header, first row = 2). Raises
    :class:`ExtractError` for unreadable or invalid input, :class:`IdentifierError` when direct
    identifiers are found, :class:`PseudonymKeyError` when ``pseudonymise`` has no key.
    """
    spec = get_spec(kind)
    if isinstance(source, pd.DataFrame):
        table = _read.table_from_frame(source, source_name or "<DataFrame>")
        if table.n_rows == 0:
            raise ExtractError("The DataFrame has no rows.")
    else:
        table = _read.read_extract(source, sheet=sheet, wide=_read.id_header(spec))
        if source_name:
            table.source_file = source_name
    if pseudonymise:
        _protect.pseudonym_key(environ)  # refuse early, before any work
    protected = _protect.protect(table, spec, pseudonymise, drop, environ)
    raw = protected.columns
    checked = _validate.check(table, spec, raw, today)
    flat = _validate.HitRows.of(checked.hits)
    n = table.n_rows

    keep = np.flatnonzero(checked.kept)
    data = _derive.derive(
        spec,
        checked.typed,
        keep,
        checked.order,
        raw[spec.person_id].codes,
        table.source_file,
        table.source_rows,
        flat.query_flags(n),
        protected.extras,
    )
    validate(kind, data)

    q_pos = np.flatnonzero(checked.quarantined)
    extras = {name: _protect.extra_series(arr, q_pos) for name, arr in protected.extras.items()}
    quarantine = _validate.quarantine_frame(
        spec, raw, extras, q_pos, table.source_file, table.source_rows, flat, n
    )
    log = _validate.log_frame(checked.hits, table.source_file, table.source_rows)
    if protected.log:
        log = pd.concat([*protected.log, log], ignore_index=True)
    log = log[_validate.LOG_COLUMNS]
    summary = summarise(
        spec,
        table.source_file,
        n,
        data,
        quarantine,
        checked.blank,
        checked.duplicate,
        checked.hits,
        protected,
        pseudonymise,
    )
    return CleanResult(kind, data, quarantine, log, summary)

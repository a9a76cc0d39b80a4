"""The symbols DfE statistical releases print in place of a number, and how to read them.

A published cell is either a number or one of these symbols. A symbol is never read as 0: the
value becomes NaN and the cell's ``status`` says why (suppressed, not applicable, ...), so a
suppressed count of 1 to 5 cannot slip into a sum or a median as a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

PUBLISHED = "published"

# symbol as printed -> status kept in the tidy tables
STATUS_CODES: dict[str, str] = {
    "c": "suppressed",
    "z": "not_applicable",
    ":": "not_available",
    "x": "not_available",
    "k": "rounds_to_zero",
    "low": "low_reliability",
    "u": "low_reliability",
}

# status -> plain English, for notes under tables and charts
STATUS_MEANINGS: dict[str, str] = {
    PUBLISHED: "published figure",
    "suppressed": "suppressed to protect confidentiality (1 to 5, or to stop it being worked out)",
    "not_applicable": "not applicable (for example a percentage of zero)",
    "not_available": "not available (the data were not collected or not returned)",
    "rounds_to_zero": "not zero, but rounds to zero at the precision shown",
    "low_reliability": "withheld as of low reliability (data quality concerns)",
}

STATUSES: tuple[str, ...] = tuple(STATUS_MEANINGS)


class DfeDataError(ValueError):
    """A published file that cannot be read as the DfE publishes it.

    Carries ``file``, ``row`` (CSV line number, header = 1), ``column`` and ``value`` where known,
    so the message can point at the exact cell.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self.file, self.row, self.column, self.value = file, row, column, value
        where = []
        if file is not None:
            where.append(f"file {file}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        if value is not None:
            where.append(f"value {value!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


@dataclass(frozen=True)
class ParsedCells:
    """Numbers and statuses of one column of published cells (same length and order)."""

    value: np.ndarray
    status: np.ndarray
    symbol: np.ndarray


def parse_cells(
    raw: pd.Series,
    *,
    file: str,
    column: str,
    rows: Sequence[int] | np.ndarray,
) -> ParsedCells:
    """Read published cells: numbers become floats, symbols become NaN with their status.

    ``rows`` gives the CSV line number of each cell for error messages. A blank cell or a
    symbol the DfE does not define raises :class:`DfeDataError` naming file, row and value.
    """
    text = raw.astype("str").str.strip()
    value = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64")
    status = np.full(len(text), PUBLISHED, dtype=object)
    symbol = np.full(len(text), "", dtype=object)
    infinite = np.isinf(value)
    if infinite.any():
        i = int(np.flatnonzero(infinite)[0])
        raise DfeDataError(
            "infinite value", file=file, row=int(rows[i]), column=column, value=text.iloc[i]
        )
    not_number = np.flatnonzero(np.isnan(value))
    cells = text.to_numpy(dtype=object)
    for i in not_number:
        original = str(cells[i])
        code = original.lower()
        if code not in STATUS_CODES:
            known = ", ".join(repr(s) for s in STATUS_CODES)
            reason = "blank cell" if code == "" else "not a number nor a DfE symbol"
            raise DfeDataError(
                f"{reason}; expected a number or one of {known}",
                file=file,
                row=int(rows[i]),
                column=column,
                value=original,
            )
        status[i] = STATUS_CODES[code]
        symbol[i] = original
    return ParsedCells(value=value, status=status, symbol=symbol)

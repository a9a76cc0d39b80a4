"""What the national-format readers share: the age band at plan start, and building a RawTable
from columns of text.

Both national formats hold a child's full date of birth. A reader keeps it as a column (so the
identifier guard sees it and refuses it unless it is dropped or pseudonymised) and adds the one
thing the analyses need from it, the age band at the start of the plan, which identifies no one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.cleaning.parse import parse_dates
from sscb_analysis.cleaning.read import RawTable

#: The header of the derived age band column (the canonical name, so no alias is needed).
AGE_BAND = "age_band"

#: Age bands of the DfE children in need publication, as the CPP extract spells them, by the
#: first whole year of age in each band. A plan that starts before the child's birth (unborn
#: children are made subject to plans) is ``unborn``.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "under 1"),
    (1, "1-4"),
    (5, "5-9"),
    (10, "10-15"),
    (16, "16+"),
)
UNBORN = "unborn"


def whole_years(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Completed years of age on each date (birthday-aware; 29 February birthdays turn a year
    older on 1 March in other years). Rows where either date is missing give 0: mask them."""
    b = _safe(birth)
    d = _safe(on)
    by, bm, bd = _ymd(b)
    dy, dm, dd = _ymd(d)
    return dy - by - ((dm < bm) | ((dm == bm) & (dd < bd)))


def age_bands(
    birth: np.ndarray, start: np.ndarray, expected_birth: np.ndarray | None = None
) -> pa.Array:
    """The age band at plan start of each row (text, null where it cannot be known).

    ``birth``, ``start`` and ``expected_birth`` are ``datetime64[D]`` arrays with NaT for missing.
    A start before the date of birth, or (with no date of birth) before the expected date of
    birth, is ``unborn``. Without a start, or a date of birth, the band is null: never a guess.
    """
    n = len(start)
    out = np.full(n, None, dtype=object)
    known = ~np.isnat(birth) & ~np.isnat(start)
    years = whole_years(birth, start)
    before = known & (start < _safe(birth))
    for first, label in AGE_BANDS:
        out[known & ~before & (years >= first)] = label
    out[before] = UNBORN
    if expected_birth is not None:
        due = np.isnat(birth) & ~np.isnat(expected_birth) & ~np.isnat(start)
        out[due & (start < _safe(expected_birth))] = UNBORN
    return pa.array(out.tolist(), pa.string())


def dates_of(column: Encoded) -> np.ndarray:
    """The column's values as dates (``datetime64[D]``, NaT where blank or not a date)."""
    values, _ = parse_dates(column)
    return values.astype("datetime64[D]")


def _safe(d: np.ndarray) -> np.ndarray:
    return np.where(np.isnat(d), np.datetime64("2000-01-01"), d).astype("datetime64[D]")


def _ymd(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


def text_table(
    headers: Sequence[str],
    columns: Sequence[pa.Array | Encoded],
    source_file: str,
    source_rows: Sequence[int] | np.ndarray,
    malformed: dict[int, str] | None = None,
) -> RawTable:
    """A :class:`RawTable` from text columns (pyarrow strings or already encoded)."""
    encoded = [c if isinstance(c, Encoded) else Encoded.from_arrow(c) for c in columns]
    rows = np.asarray(source_rows, dtype=np.int64)
    return RawTable(list(headers), encoded, source_file, rows, dict(malformed or {}))

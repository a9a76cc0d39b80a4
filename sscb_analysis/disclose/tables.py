"""Disclosure control for published tables, following DfE statistical practice.

Counts from 1 to ``threshold`` (5) are shown as ``c``; true zeros stay 0; secondary suppression
hides further cells so that no suppressed count can be worked out from the rest of its row,
column or totals; percentages derived from a suppressed count are suppressed too; national and
regional totals are rounded half-up to the nearest 10.
"""

from __future__ import annotations

import math
import numbers
import warnings
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

__all__ = [
    "TOTAL",
    "round_half_up",
    "safe_count",
    "suppress",
    "suppress_percentages",
    "suppression_mask",
]

#: Label of the added total row and column.
TOTAL = "Total"


def _check_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return ``table`` as int64 counts, refusing anything that is not a table of whole counts."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame of counts, not {type(table).__name__}")
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise ValueError("table is empty: nothing to publish")
    bad = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    if bad:
        raise TypeError(f"columns {bad} are not numeric; suppress() takes a table of counts")
    values = table.to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ValueError("table has missing values; fill true zeros with 0 before suppressing")
    if (values < 0).any():
        raise ValueError("table has negative counts")
    if not np.all(values == np.round(values)):
        raise ValueError("table has non-whole counts; suppress() takes counts, not rates")
    return pd.DataFrame(
        values.astype(np.int64),
        index=pd.Index(list(table.index), dtype=object, name=table.index.name),
        columns=pd.Index(list(table.columns), dtype=object, name=table.columns.name),
    )


def _with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    out = counts.copy()
    out[TOTAL] = out.sum(axis=1)
    out.loc[TOTAL] = out.sum(axis=0)
    return out


def _lines(shape: tuple[int, int]) -> list[list[tuple[int, int]]]:
    """Every row and column as a list of cell positions (with totals, they include the total)."""
    nr, nc = shape
    return [[(i, j) for j in range(nc)] for i in range(nr)] + [
        [(i, j) for i in range(nr)] for j in range(nc)
    ]


def _line_equations(
    shape: tuple[int, int], totals: bool
) -> list[list[tuple[tuple[int, int], int]]]:
    """Each line's additive constraint as (cell, coefficient) pairs: body cells +1, total -1.

    Without totals, every cell counts +1 and the line's sum is taken as known (published
    elsewhere), which is the cautious assumption.
    """
    nr, nc = shape
    eqs = []
    for i in range(nr):
        eqs.append([((i, j), -1 if totals and j == nc - 1 else 1) for j in range(nc)])
    for j in range(nc):
        eqs.append([((i, j), -1 if totals and i == nr - 1 else 1) for i in range(nr)])
    return eqs


def _determined_cells(
    mask: np.ndarray, eqs: list[list[tuple[tuple[int, int], int]]]
) -> list[tuple[int, int]]:
    """Hidden cells whose value follows exactly from the published cells (linear algebra).

    A hidden cell is determined when every solution of the line equations, restricted to the
    hidden cells, agrees on it: its coordinate is zero in every null-space vector.
    """
    hidden = [tuple(c) for c in np.argwhere(mask)]
    if not hidden:
        return []
    pos = {c: k for k, c in enumerate(hidden)}
    a = np.zeros((len(eqs), len(hidden)))
    for r, eq in enumerate(eqs):
        for cell, coef in eq:
            if cell in pos:
                a[r, pos[cell]] = coef
    _, sv, vt = np.linalg.svd(a)
    rank = int((sv > 1e-9).sum())
    null = vt[rank:]
    if null.shape[0] == 0:
        return hidden
    return [c for c, k in pos.items() if np.abs(null[:, k]).max() < 1e-9]


def _secondary(values: np.ndarray, mask: np.ndarray, totals: bool) -> np.ndarray:
    """Add suppressions until no hidden cell can be worked out from the published ones.

    First every line must have 0 or at least 2 hidden cells; then a whole-table check finds any
    hidden cell still fixed by several lines together. Each step hides the smallest visible
    non-zero cell in a line at risk (ties go to a body cell before a total, then to the cell
    closing most exposed lines, then to table order): small cells carry least information, and
    zeros are never hidden because a true zero discloses nothing.
    """
    mask = mask.copy()
    lines = _lines(values.shape)
    eqs = _line_equations(values.shape, totals)
    nr, nc = values.shape

    def pick(at_risk: list[list[tuple[int, int]]]) -> tuple[int, int] | None:
        hits: dict[tuple[int, int], int] = {}
        for ln in at_risk:
            for c in ln:
                if not mask[c] and values[c] > 0:
                    hits[c] = hits.get(c, 0) + 1
        if not hits:
            return None

        def order(c: tuple[int, int]) -> tuple[int, int, int, int]:
            is_total = int(totals and (c[0] == nr - 1 or c[1] == nc - 1))
            return (int(values[c]), is_total, -hits[c], c[0] * nc + c[1])

        return min(hits, key=order)

    while True:
        exposed = [ln for ln in lines if sum(mask[c] for c in ln) == 1]
        cell = pick(exposed) if exposed else None
        if cell is None:
            determined = [
                d
                for d in _determined_cells(mask, eqs)
                if not (not totals and _alone_among_zeros(values, mask, d))
            ]
            through = [ln for d in determined for ln in lines if d in ln]
            cell = pick(through) if through else None
            if cell is None and determined:
                cell = pick(lines)  # no neighbour left: hide the smallest visible cell anywhere
            if cell is None:
                if exposed or determined:
                    warnings.warn(
                        "a suppressed cell is the only non-zero cell in its row or column and no "
                        "total is published; publish no total that would reveal it",
                        stacklevel=3,
                    )
                return mask
        mask[cell] = True


def _alone_among_zeros(values: np.ndarray, mask: np.ndarray, cell: tuple[int, int]) -> bool:
    i, j = cell
    row_others = [values[i, k] for k in range(values.shape[1]) if k != j and not mask[i, k]]
    col_others = [values[k, j] for k in range(values.shape[0]) if k != i and not mask[k, j]]
    row_hidden = sum(mask[i, :]) == 1
    col_hidden = sum(mask[:, j]) == 1
    return (row_hidden and all(v == 0 for v in row_others)) or (
        col_hidden and all(v == 0 for v in col_others)
    )


def suppression_mask(table: pd.DataFrame, threshold: int = 5, totals: bool = True) -> pd.DataFrame:
    """Boolean table (with totals when asked) of the cells :func:`suppress` hides."""
    counts = _check_table(table)
    threshold = _check_threshold(threshold)
    full = _with_totals(counts) if totals else counts
    values = full.to_numpy()
    primary = (values >= 1) & (values <= threshold)
    mask = _secondary(values, primary, totals)
    return pd.DataFrame(mask, index=full.index, columns=full.columns)


def _check_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral) or threshold < 0:
        raise ValueError(f"threshold must be a non-negative whole number, got {threshold!r}")
    return int(threshold)


def suppress(
    table: pd.DataFrame, threshold: int = 5, symbol: str = "c", totals: bool = True
) -> pd.DataFrame:
    """Return a publishable copy of a counts table (rows x columns of non-negative integers).

    Counts 1 to ``threshold`` become ``symbol``; true zeros stay 0; with ``totals`` a "Total" row
    and column are added; secondary suppression leaves no row, column or total from which a
    suppressed cell could be worked out. Without ``totals`` the same rule is applied as if the
    margins were published elsewhere. Cells are ints or ``symbol`` (object dtype).
    """
    counts = _check_table(table)
    mask = suppression_mask(counts, threshold, totals)
    full = _with_totals(counts) if totals else counts
    out = full.astype(object)
    out = out.mask(mask, symbol)
    return out


def suppress_percentages(
    table: pd.DataFrame,
    percent_of: str = "row",
    threshold: int = 5,
    symbol: str = "c",
    decimals: int = 1,
    totals: bool = True,
) -> pd.DataFrame:
    """Percentages of a counts table, with every percentage of a suppressed count suppressed.

    ``percent_of`` is ``"row"`` (share of the row total), ``"column"`` or ``"total"`` (grand
    total). A percentage is also suppressed when its denominator total is suppressed, since the
    percentage and a visible count would give the total back.
    """
    if percent_of not in ("row", "column", "total"):
        raise ValueError(f"percent_of must be 'row', 'column' or 'total', got {percent_of!r}")
    counts = _check_table(table)
    mask = suppression_mask(counts, threshold, totals=True)
    full = _with_totals(counts)
    values = full.to_numpy(dtype=float)
    if percent_of == "row":
        denom = values[:, [-1]] * np.ones_like(values)
        denom_hidden = mask.to_numpy()[:, [-1]] * np.ones_like(values, dtype=bool)
    elif percent_of == "column":
        denom = values[[-1], :] * np.ones_like(values)
        denom_hidden = mask.to_numpy()[[-1], :] * np.ones_like(values, dtype=bool)
    else:
        denom = np.full_like(values, values[-1, -1])
        denom_hidden = np.full(values.shape, bool(mask.to_numpy()[-1, -1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(denom > 0, 100 * values / denom, np.nan)
    out = pd.DataFrame(np.round(pct, decimals), index=full.index, columns=full.columns).astype(
        object
    )
    hide = mask.to_numpy() | (denom_hidden & (values > 0))
    out = out.mask(pd.DataFrame(hide, index=full.index, columns=full.columns), symbol)
    if not totals:
        out = out.drop(index=TOTAL, columns=TOTAL)
    return out


def _round_one(x: object, base: int) -> object:
    if isinstance(x, str) or x is None:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"cannot round {x!r}")
    if isinstance(x, float) and math.isnan(x):
        return x
    q = (Decimal(str(x)) / Decimal(base)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(q * base)


def round_half_up(x, base: int = 10):
    """Round to the nearest ``base`` with halves going up (25 -> 30), as DfE publishes totals.

    Python's ``round`` rounds halves to even (``round(25, -1) == 20``), so it is not used. Takes
    a number, a Series or a DataFrame; symbols such as ``"c"`` and missing values pass through.
    """
    if isinstance(base, bool) or not isinstance(base, numbers.Integral) or base <= 0:
        raise ValueError(f"base must be a positive whole number, got {base!r}")
    if isinstance(x, pd.DataFrame):
        return x.apply(lambda col: col.map(lambda v: _round_one(v, base)))
    if isinstance(x, pd.Series):
        return x.map(lambda v: _round_one(v, base))
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_round_one(v.item() if isinstance(v, np.generic) else v, base) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    return _round_one(x, base)


def safe_count(x: int, threshold: int = 5, symbol: str = "c") -> str:
    """A single count ready for a sentence: ``"0"``, ``symbol`` for 1 to ``threshold``, else
    the number with thousands separators (``"1,234"``)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"safe_count takes a whole number, not {x!r}")
    xf = float(x)
    if math.isnan(xf) or xf < 0 or not xf.is_integer():
        raise ValueError(f"safe_count takes a non-negative whole number, got {x!r}")
    threshold = _check_threshold(threshold)
    n = int(xf)
    if 1 <= n <= threshold:
        return symbol
    return f"{n:,}"

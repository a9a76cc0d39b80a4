"""Which unknowns a set of linear equations fixes: the algebra behind every disclosure check.

Kept apart so that the table suppression (:mod:`.tables`) and the page ledger (:mod:`.ledger`)
share one implementation.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pinned_columns"]


def pinned_columns(a: np.ndarray, tol: float = 1e-9) -> list[int]:
    """Columns of ``a`` fixed by ``a x = b``: pivot columns whose reduced row holds no free
    column (Gauss-Jordan with partial pivoting; element-wise, so no threaded BLAS call, which
    on a busy machine costs more than the whole page)."""
    a = a.astype(float)
    rows, cols = a.shape
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        if r == rows:
            break
        p = r + int(np.argmax(np.abs(a[r:, c])))
        if abs(a[p, c]) < tol:
            continue
        a[[r, p]] = a[[p, r]]
        a[r] = a[r] / a[r, c]
        others = np.abs(a[:, c]) > tol
        others[r] = False
        a[others] -= a[others, c][:, None] * a[r][None, :]
        pivots.append(c)
        r += 1
    free = np.ones(cols, dtype=bool)
    free[pivots] = False
    return [c for i, c in enumerate(pivots) if not free.any() or np.abs(a[i, free]).max() < tol]

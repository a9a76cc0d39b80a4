"""Funnel plot limits for proportions: how far a unit's share can sit from a benchmark by chance.

Limits are exact binomial quantiles with the interpolation of Spiegelhalter (2005, "Funnel plots
for comparing institutional performance", Statistics in Medicine 24:1185, appendix A.1.1), which
turns the step-shaped binomial quantile into a smooth funnel. PHE Fingertips' closed-form
approximation (PHEindicatormethods' ``phe_funnels``) is available as ``method="phe"``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["funnel_limits", "funnel_points", "level_label"]


def level_label(level: float) -> str:
    """Column-name form of a level: 0.95 -> ``"95"``, 0.998 -> ``"99_8"``."""
    return f"{100 * level:g}".replace(".", "_")


def _check_p0(p0: float) -> float:
    if isinstance(p0, bool) or not isinstance(p0, (int, float, np.integer, np.floating)):
        raise TypeError(f"p0 must be a proportion between 0 and 1, not {p0!r}")
    if not 0 < p0 < 1:
        raise ValueError(f"p0 must be strictly between 0 and 1, got {p0!r}")
    return float(p0)


def _check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    out = []
    for lv in levels:
        v = float(lv) / 100 if float(lv) > 1 else float(lv)
        if not 0 < v < 1:
            raise ValueError(f"levels must be between 0 and 1 (e.g. 0.95, 0.998), got {lv!r}")
        out.append(v)
    if not out:
        raise ValueError("levels must name at least one level")
    return tuple(out)


def _interpolated_quantile(q: float, n: np.ndarray, p0: float) -> np.ndarray:
    """Spiegelhalter's interpolated binomial quantile, as a proportion of ``n``."""
    r = stats.binom.ppf(q, n, p0)
    f_r = stats.binom.cdf(r, n, p0)
    f_below = stats.binom.cdf(r - 1, n, p0)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = (f_r - q) / (f_r - f_below)
    alpha = np.nan_to_num(alpha, nan=0.0)
    return np.clip((r - alpha) / n, 0.0, 1.0)


def _phe_limit(q: float, n: np.ndarray, p0: float, side: str) -> np.ndarray:
    """PHE Fingertips' closed form (PHEindicatormethods ``sigma_adjustment``), as a proportion."""
    z2 = stats.norm.ppf(q) ** 2
    first = p0 * (n / z2 + 1)
    adj = np.sqrt(
        (-8 * p0 * (n / z2 + 1)) ** 2
        - 64 * (1 / z2 + 1 / n) * p0 * (n * (p0 * (n / z2 + 2) - 1) + z2 * (p0 - 1))
    )
    last = 1 / z2 + 1 / n
    val = (first - adj / 8) / last if side == "low" else (first + adj / 8) / last
    return np.clip(val / n, 0.0, 1.0)


def _check_denominators(denominators: Sequence[float]) -> np.ndarray:
    n = np.asarray(denominators, dtype=float).ravel()
    if n.size == 0:
        raise ValueError("denominators is empty")
    if np.isnan(n).any() or (n <= 0).any() or not np.all(n == np.round(n)):
        raise ValueError("denominators must be positive whole numbers")
    return n


def funnel_limits(
    denominators: Sequence[float] | int,
    p0: float,
    levels: Sequence[float] = (0.95, 0.998),
    method: str = "exact",
) -> pd.DataFrame:
    """Lower and upper funnel limits at each denominator for a benchmark proportion ``p0``.

    Columns: ``n``, ``p0``, then ``lower_95``, ``upper_95``, ``lower_99_8``, ``upper_99_8`` (one
    pair per level). ``method="exact"`` (default) uses the interpolated exact binomial;
    ``"phe"`` the PHE Fingertips closed form. To draw a smooth funnel pass
    ``np.arange(1, max_n + 1)`` or a geometric grid.
    """
    n = _check_denominators(np.atleast_1d(denominators))
    p0 = _check_p0(p0)
    lv = _check_levels(levels)
    if method not in ("exact", "phe"):
        raise ValueError(f"method must be 'exact' or 'phe', got {method!r}")
    out = pd.DataFrame({"n": n.astype(int), "p0": p0})
    for level in lv:
        lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
        if method == "exact":
            lower = _interpolated_quantile(lo_q, n, p0)
            upper = _interpolated_quantile(hi_q, n, p0)
        else:
            lower = _phe_limit(hi_q, n, p0, "low")
            upper = _phe_limit(hi_q, n, p0, "high")
        out[f"lower_{level_label(level)}"] = lower
        out[f"upper_{level_label(level)}"] = upper
    return out


def funnel_points(
    x: Sequence[int],
    n: Sequence[int],
    p0: float | None = None,
    levels: Sequence[float] = (0.95, 0.998),
    method: str = "exact",
    labels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Classify each unit's proportion ``x / n`` against the funnel around ``p0``.

    ``position`` is ``"within"``, ``"above 95%"``, ``"above 99.8%"``, ``"below 95%"`` or
    ``"below 99.8%"`` (the widest limit crossed). ``p0=None`` uses the pooled proportion
    ``sum(x) / sum(n)``, as PHE does.
    """
    xa = np.asarray(x, dtype=float).ravel()
    na = _check_denominators(n)
    if xa.shape != na.shape:
        raise ValueError(f"x and n must be the same length ({xa.size} against {na.size})")
    if np.isnan(xa).any() or (xa < 0).any() or not np.all(xa == np.round(xa)):
        raise ValueError("x must be non-negative whole numbers")
    if (xa > na).any():
        raise ValueError("x cannot be larger than n for any unit")
    if p0 is None:
        p0 = float(xa.sum() / na.sum())
    lv = sorted(_check_levels(levels))
    limits = funnel_limits(na, p0, lv, method=method)
    out = pd.DataFrame({"x": xa.astype(int), "n": na.astype(int), "proportion": xa / na, "p0": p0})
    if labels is not None:
        if len(labels) != len(out):
            raise ValueError("labels must have one entry per unit")
        out.insert(0, "label", list(labels))
    position = np.array(["within"] * len(out), dtype=object)
    for level in lv:  # widest level last, so it wins
        key = level_label(level)
        lo, hi = limits[f"lower_{key}"].to_numpy(), limits[f"upper_{key}"].to_numpy()
        out[f"lower_{key}"], out[f"upper_{key}"] = lo, hi
        pct = f"{100 * level:g}%"
        position[out["proportion"].to_numpy() > hi] = f"above {pct}"
        position[out["proportion"].to_numpy() < lo] = f"below {pct}"
    out["position"] = position.astype(str)
    return out

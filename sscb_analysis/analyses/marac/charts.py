"""MARAC page, step 3 of 3 (charts): figures from the disclosed results only.

A withheld quarter is a gap in the line, and a withheld share is left off the bar chart; the
chart style is :mod:`sscb_analysis.plots`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from sscb_analysis.analyses.marac.words import attendance_shares, facts_of
from sscb_analysis.disclose import Page
from sscb_analysis.plots import share_bars, trend_chart

__all__ = ["attendance_chart", "volume_chart"]


def volume_chart(page: Page, title: str | None = None) -> Figure:
    """Referrals per quarter from the disclosed table (withheld quarters are gaps)."""
    body = facts_of(page).volumes.body()
    labels, values = [], []
    for year, row in body.iterrows():
        for quarter, v in row.items():
            labels.append(f"{year} {str(quarter).split()[0]}")
            values.append(np.nan if v == "c" else float(v))
    return trend_chart(
        x=labels,
        y=values,
        title=title or "MARAC referrals per quarter",
        ylabel="Referrals",
        xlabel="Quarter (Q1 = April to June)",
    )


def attendance_chart(page: Page, title: str | None = None) -> Figure | None:
    """Share of the period's cases each agency attended, with likely ranges; ``None`` when no
    share can be shown."""
    shares = attendance_shares(page)
    if shares.empty or shares["share"].isna().all():
        return None
    return share_bars(
        list(shares.index),
        shares["share"],
        shares["lower"],
        shares["upper"],
        title=title or f"Agency attendance at MARAC, {facts_of(page).period.label}",
        xlabel="Share of cases attended (lines: likely range)",
    )

"""MARAC page, step 3 of 3 (charts): figures from the disclosed results only.

A withheld quarter is a gap in the line, a withheld share is left off the bar chart, and a
repeat rate resting on a withheld count is drawn as ``c`` on the SPC chart (which is not drawn
at all when a quarter's referrals are withheld: its limits would give them back); the chart
style is :mod:`sscb_analysis.plots`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from matplotlib.figure import Figure

from sscb_analysis.analyses.marac.words import attendance_shares, facts_of, repeat_chart_note
from sscb_analysis.disclose import Page
from sscb_analysis.plots import share_bars, spc_chart, trend_chart

__all__ = ["attendance_chart", "repeat_chart", "volume_chart"]


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


def repeat_chart(page: Page, title: str | None = None) -> Figure | None:
    """The p chart of the quarterly repeat rate, or ``None`` (``words.repeat_chart_note``)."""
    if repeat_chart_note(page) is not None:
        return None
    c = facts_of(page).repeat_chart
    assert c is not None and c.result is not None
    table = c.result.table.copy()
    table["value"] = [np.nan if v is None else v for v in c.points]
    return spc_chart(
        dataclasses.replace(c.result, table=table),
        title=title or "Repeat referrals within 12 months, share of referrals per quarter",
        x=[q.label for q in c.quarters],
        ylabel="Share of referrals",
        hidden=[v is None for v in c.points],
    )

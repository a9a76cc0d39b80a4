"""Repeat plans page, step 3 of 3 (charts): the SPC chart from the disclosed page only.

A point whose share rests on a withheld count is drawn as ``c`` (its value never reaches the
chart). The chart is not drawn when a quarter's plans started is withheld: a p chart's limits
narrow with the number of plans, so they would give that count back.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from matplotlib.figure import Figure

from sscb_analysis import plots
from sscb_analysis.analyses.cpp_repeats.words import facts_of
from sscb_analysis.disclose import Page

__all__ = ["spc_chart", "spc_chart_note"]


def spc_chart_note(page: Page) -> str | None:
    """Why the chart is not drawn, or ``None`` when it is."""
    f = facts_of(page)
    if f.spc.result is None:
        return f"No SPC chart is drawn: {f.spc.reason}."
    withheld = [q.label for q in f.quarters if q.started.withheld]
    if withheld:
        return (
            "The SPC chart is not drawn: its limits depend on the number of plans started, "
            f"which is withheld for {', '.join(withheld)}."
        )
    return None


def spc_chart(page: Page, title: str | None = None) -> Figure | None:
    """The p chart of the quarterly share in the house style, or ``None`` (see the note)."""
    if spc_chart_note(page) is not None:
        return None
    f = facts_of(page)
    result = f.spc.result
    values = [np.nan if v is None else v for v in f.spc.points]
    table = result.table.copy()
    table["value"] = values
    return plots.spc_chart(
        dataclasses.replace(result, table=table),
        title=title or "Share of plans started that were second or subsequent",
        x=[q.label for q in f.quarters],
        ylabel="Share of plans started",
        hidden=[v is None for v in f.spc.points],
    )

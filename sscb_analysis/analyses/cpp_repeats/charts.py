"""Repeat plans page, step 3 of 3 (charts): the SPC chart from the disclosed page only.

A point whose share rests on a withheld count is drawn as ``c`` (its value never reaches the
chart). The chart is not drawn when a quarter's plans started is withheld: a p chart's limits
narrow with the number of plans, so they would give that count back (``spc_chart_note``, from
the words, says why).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from matplotlib.figure import Figure

from sscb_analysis import plots
from sscb_analysis.analyses.cpp_repeats.words import facts_of, spc_chart_note, spc_reading
from sscb_analysis.disclose import Page

__all__ = ["spc_chart", "spc_chart_note"]


def spc_chart(page: Page, title: str | None = None) -> Figure | None:
    """The p chart of the quarterly share in the house style, or ``None`` (see the note)."""
    if spc_chart_note(page) is not None:
        return None
    f = facts_of(page)
    result = f.spc.result
    values = [np.nan if v is None else v for v in f.spc.points]
    table = result.table.copy()
    table["value"] = values
    if spc_reading(page) is None:  # the last point is drawn as c: its signal is not given either
        result = dataclasses.replace(result, variation="not shown (last quarter is c)")
    return plots.spc_chart(
        dataclasses.replace(result, table=table),
        title=title or "Share of plans started that were second or subsequent",
        x=[q.label for q in f.quarters],
        ylabel="Share of plans started",
        hidden=[v is None for v in f.spc.points],
    )

"""Early help (CAF) page, step 3 of 3 (charts): figures from the disclosed page only.

A withheld cell of the agency table is drawn together with the others of its year as one grey
segment (the shown total less the shown cells, which the table gives anyway); a withheld share
is left off the survey chart. The style is :mod:`sscb_analysis.plots`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from sscb_analysis.analyses.caf.compute import MEASURES
from sscb_analysis.analyses.caf.words import facts_of
from sscb_analysis.disclose import TOTAL, Page
from sscb_analysis.plots import COLOURS, reference_marks, stacked_bars, trend_chart

__all__ = ["agency_chart", "satisfaction_chart"]


def agency_chart(page: Page, title: str | None = None) -> Figure | None:
    """Stacked bars of assessments per year by initiating agency (``None`` with none)."""
    a = facts_of(page).agencies
    if a is None:
        return None
    numbers = a.table.numbers
    body = numbers.drop(index=TOTAL, columns=TOTAL)
    totals = numbers.loc[body.index, TOTAL]
    withheld = [
        0.0 if np.isnan(t) else float(t - row.fillna(0).sum())
        for t, (_, row) in zip(totals, body.iterrows(), strict=True)
    ]
    return stacked_bars(
        body,
        withheld,
        title=title or "CAF assessments by initiating agency",
        ylabel="Assessments started",
    )


def satisfaction_chart(page: Page, title: str | None = None) -> Figure | None:
    """Very satisfied and things-improved shares per year with their likely ranges; the
    published figures the profile records as diamonds at the period's year."""
    f = facts_of(page)
    labels = [y.label for y in f.years]
    colours = {"very_satisfied": COLOURS["improvement"], "improved": COLOURS["neutral"]}
    fig = ax = None
    for key, colour in colours.items():
        values, lower, upper = [], [], []
        for y in f.years:
            m = y.measures[key]
            s = m.summary if m.enough else None
            values.append(np.nan if s is None else s.share)
            lower.append(np.nan if s is None else s.lower)
            upper.append(np.nan if s is None else s.upper)
        if all(np.isnan(values)):
            continue
        fig = trend_chart(
            x=labels,
            y=values,
            lower=lower,
            upper=upper,
            ax=ax,
            label=MEASURES[key][0],
            colour=colour,
            percent=True,
            title=title or "Family survey after a CAF",
            ylabel="Share of survey responses",
            xlabel="Year of survey (April to March); shading = likely range",
            band_label=f"{MEASURES[key][0]}: likely range",
        )
        ax = fig.axes[0]
    if ax is None:
        return None
    marks = [(k, c) for k, c in f.claims.items() if c is not None and f.period.label in labels]
    if marks:
        reference_marks(
            ax,
            [labels.index(f.period.label)] * len(marks),
            [c.value for _, c in marks],
            [f"{MEASURES[k][0]}: published {c.value:.0%}" for k, c in marks],
            [colours[k] for k, _ in marks],
        )
    ax.set_ylim(0, 1.02)
    return fig

"""Plan duration page, step 3 of 3 (charts): both shares by year, from the disclosed page only.

A year whose share rests on a withheld count (or on no plans) is a gap in its line.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from sscb_analysis import plots
from sscb_analysis.analyses.cpp_duration.words import facts_of
from sscb_analysis.disclose import Page

__all__ = ["duration_chart"]


def duration_chart(page: Page) -> Figure:
    """Both shares of plans lasting two years or more, by year, with their likely ranges."""
    f = facts_of(page)
    fig: Figure | None = None
    for m, colour in ((f.open, plots.COLOURS["improvement"]), (f.ended, plots.COLOURS["neutral"])):
        shares = [y.share for y in m.years]
        fig = plots.trend_chart(
            x=[y.label for y in m.years],
            y=[np.nan if s is None else s.estimate for s in shares],
            lower=[np.nan if s is None else s.lower for s in shares],
            upper=[np.nan if s is None else s.upper for s in shares],
            percent=True,
            ax=fig.axes[0] if fig is not None else None,
            label=m.title,
            colour=colour,
            band_label=f"{m.title}: likely range ({f.confidence:.0%})",
            title="Share of plans that had lasted two years or more",
            ylabel="Share of plans",
        )
    assert fig is not None
    return fig

"""Early help (CAF) assessments (notebook ``03_caf``): volumes by agency, the family survey,
and the board's own published figures (from the area profile) against the data.

Three steps, one module each: :mod:`.compute`, :func:`sscb_analysis.disclose.disclose_page`
(one pass), then :mod:`.words` and :mod:`.charts` from the disclosed page only.
"""

from __future__ import annotations

import pandas as pd

from sscb_analysis.analyses.caf import charts, compute, words
from sscb_analysis.analyses.caf.compute import CafFacts
from sscb_analysis.disclose import Page, disclose_page, disclosure_policy

__all__ = ["CafFacts", "charts", "compute", "page", "words"]


def page(
    caf: pd.DataFrame,
    period_start: object,
    period_end: object,
    *,
    policy: object = None,
    **options: object,
) -> Page[CafFacts]:
    """Compute and disclose the CAF page in one call (``options`` go to ``compute``)."""
    facts = compute.compute(caf, period_start, period_end, **options)
    return disclose_page(facts, policy or disclosure_policy())

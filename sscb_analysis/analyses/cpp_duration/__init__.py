"""How long child protection plans last, and categories of abuse (notebook ``02_cpp_duration``).

Three steps, one module each: :mod:`.compute`, :func:`sscb_analysis.disclose.disclose_page`
(one pass), then :mod:`.words` and :mod:`.charts` from the disclosed page only.
"""

from __future__ import annotations

import pandas as pd

from sscb_analysis.analyses.cpp_duration import charts, compute, words
from sscb_analysis.analyses.cpp_duration.compute import DurationFacts
from sscb_analysis.disclose import Page, disclose_page, disclosure_policy

__all__ = ["DurationFacts", "charts", "compute", "page", "words"]


def page(
    cpp: pd.DataFrame,
    period_start: object,
    period_end: object,
    *,
    policy: object = None,
    **options: object,
) -> Page[DurationFacts]:
    """Compute and disclose the plan duration page in one call (``options`` go to ``compute``)."""
    facts = compute.compute(cpp, period_start, period_end, **options)
    return disclose_page(facts, policy or disclosure_policy())

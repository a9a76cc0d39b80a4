"""Second or subsequent child protection plans per quarter (notebook ``01_cpp_repeat_plans``).

Three steps, one module each: :mod:`.compute` (the quarterly series, the comparison of two
quarters, the trend, the before-and-after model around the profile's practice review, the SPC
chart), :func:`sscb_analysis.disclose.disclose_page` (one pass), then :mod:`.words` and
:mod:`.charts` from the disclosed page only.
"""

from __future__ import annotations

import pandas as pd

from sscb_analysis.analyses.cpp_repeats import charts, compute, words
from sscb_analysis.analyses.cpp_repeats.compute import RepeatFacts
from sscb_analysis.disclose import Page, disclose_page, disclosure_policy

__all__ = ["RepeatFacts", "charts", "compute", "page", "words"]


def page(
    cpp: pd.DataFrame,
    period_start: object,
    period_end: object,
    *,
    policy: object = None,
    **options: object,
) -> Page[RepeatFacts]:
    """Compute and disclose the repeat plans page in one call (``options`` go to ``compute``)."""
    facts = compute.compute(cpp, period_start, period_end, **options)
    return disclose_page(facts, policy or disclosure_policy())

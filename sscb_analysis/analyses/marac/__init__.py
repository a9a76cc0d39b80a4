"""MARAC referrals (notebook ``04_marac``): volume, repeats against a reference rate, high risk,
risk-tool use against an audit, agency attendance and the children in the households.

Three steps, one module each: :mod:`.compute` (numbers and statistics results),
:func:`sscb_analysis.disclose.disclose_page` (the one disclosure pass), then :mod:`.words` and
:mod:`.charts` (from the disclosed page only). What is particular to an area (the reference
rate, the audit and its risk tool) comes from the area profile; without it the section is left
out with one line saying why.
"""

from __future__ import annotations

import pandas as pd

from sscb_analysis.analyses.headline import Headline
from sscb_analysis.analyses.marac import charts, compute, words
from sscb_analysis.analyses.marac.compute import MaracFacts
from sscb_analysis.disclose import Page, disclose_page, disclosure_policy

__all__ = ["MaracFacts", "charts", "compute", "headlines", "page", "words"]


def page(
    marac: pd.DataFrame,
    period_start: object,
    period_end: object,
    *,
    policy: object = None,
    **options: object,
) -> Page[MaracFacts]:
    """Compute and disclose the MARAC page in one call (``options`` go to ``compute``)."""
    facts = compute.compute(marac, period_start, period_end, **options)
    return disclose_page(facts, policy or disclosure_policy())


def headlines(
    marac: pd.DataFrame,
    period_start: object,
    period_end: object,
    confidence_level: float = 0.95,
    suppression_threshold: int = 5,
) -> list[Headline]:
    """The MARAC headlines for the board summary (published policy; no reference rate or audit,
    which only the area profile can give)."""
    policy = disclosure_policy("published", suppression_threshold)
    return words.headlines(
        page(marac, period_start, period_end, policy=policy, confidence_level=confidence_level)
    )

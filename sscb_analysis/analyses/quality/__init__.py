"""Data quality of the extracts (notebook ``00_data_quality``): where every row went, which
rules fired, what the plans' repeat status rests on, and what the board can trust.

Three steps, one module each: :mod:`.compute`, :func:`sscb_analysis.disclose.disclose_page`
(one pass, so a count withheld in one table is withheld in every table and sentence), then
:mod:`.words` from the disclosed page only. The rows to correct are listed on the analyst's page
only (:func:`.compute.rows_to_correct`): their number is a count of rows.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from sscb_analysis.analyses.quality import compute, words
from sscb_analysis.analyses.quality.compute import QualityFacts
from sscb_analysis.disclose import Page, disclose_page, disclosure_policy

__all__ = ["QualityFacts", "compute", "page", "words"]


def page(
    paths: dict[str, str | os.PathLike[str]],
    drop_columns: Iterable[str] = (),
    *,
    policy: object = None,
) -> Page[QualityFacts]:
    """Compute and disclose the data-quality page in one call."""
    policy = policy or disclosure_policy()
    facts = compute.compute(paths, drop_columns, max(policy.threshold, 1))
    return disclose_page(facts, policy)

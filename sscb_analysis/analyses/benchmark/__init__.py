"""National benchmark (notebook ``06_national_benchmark``): the authority against England, its
region and its statistical neighbours, in the reporting year of the period under review.

Three steps, one module each: :mod:`.compute` (published DfE figures, and the local extract's
counts to reconcile with them), :func:`sscb_analysis.disclose.disclose_page` (the one pass: the
published figures are public, the local counts are not), then :mod:`.words` and :mod:`.charts`
from the disclosed page only. The authority comes from the area profile's ``la_code``.
"""

from __future__ import annotations

import pandas as pd

from sscb_analysis.analyses.benchmark import charts, compute, words
from sscb_analysis.analyses.benchmark.compute import INDICATORS, BenchmarkFacts, resolve_la
from sscb_analysis.analyses.benchmark.words import REPORT
from sscb_analysis.disclose import Page, disclose_page, disclosure_policy

__all__ = [
    "INDICATORS",
    "REPORT",
    "BenchmarkFacts",
    "charts",
    "compute",
    "page",
    "resolve_la",
    "words",
]


def page(
    cpp: pd.DataFrame | None,
    la_code: int | str,
    period_start: object,
    period_end: object,
    *,
    policy: object = None,
    **options: object,
) -> Page[BenchmarkFacts]:
    """Compute and disclose the national benchmark page in one call (``options`` go to
    ``compute``)."""
    facts = compute.compute(cpp, la_code, period_start, period_end, **options)  # type: ignore[arg-type]
    return disclose_page(facts, policy or disclosure_policy())

"""A page's one disclosure pass: compute results in, disclosed results out.

Every report page follows the same order: *compute* (numbers and statistics results, holding
counts as :class:`~sscb_analysis.disclose.ledger.Count`), then :func:`disclose_page` (one
:class:`~sscb_analysis.disclose.ledger.Ledger` over all of the page's results, so a count
withheld anywhere is withheld everywhere), then *words and charts* from :attr:`Page.results`
only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sscb_analysis.disclose.ledger import Disclosure, Ledger
from sscb_analysis.disclose.policy import Policy
from sscb_analysis.disclose.reveal import reveal

__all__ = ["Page", "disclose_page", "page_ledger"]

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """The disclosed results of one page (``results`` has the shape of the compute results,
    with shown counts only), the policy applied and the outcome of the pass."""

    results: T
    policy: Policy
    disclosure: Disclosure


def page_ledger(facts: Any) -> Ledger:
    """Every count and relation in a page's compute results (for the pass and for audits)."""
    return Ledger().collect(facts)


def disclose_page(facts: T, policy: Policy) -> Page[T]:
    """One disclosure pass over all of ``facts`` under ``policy``."""
    if not isinstance(policy, Policy):
        raise TypeError(
            "disclose_page needs the area's disclosure Policy "
            "(sscb_analysis.disclose.disclosure_policy)"
        )
    disclosure = page_ledger(facts).disclose(policy)
    return Page(reveal(facts, disclosure), policy, disclosure)

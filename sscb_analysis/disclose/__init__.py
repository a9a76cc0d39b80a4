"""Disclosure control: nothing leaves the analyst's machine that gives back a small count.

- :mod:`~sscb_analysis.disclose.tables`: DfE-style suppression of one published table (primary
  and secondary), percentages of it, half-up rounding and single safe counts.
- :mod:`~sscb_analysis.disclose.policy`: the area's disclosure policy (``published`` or
  ``board-restricted``) and the threshold it allows.
- :mod:`~sscb_analysis.disclose.ledger`: the counts a page shows and how they add up, withheld
  together in one pass so that no small count can be worked out anywhere on the page.
- :mod:`~sscb_analysis.disclose.reveal`: what the words and charts of a page may use: every count
  replaced by its disclosed value, every statistic dropped when it rests on a withheld count.
- :mod:`~sscb_analysis.disclose.page`: the one pass of a page (``disclose_page``).

Like ``stats``, nothing here knows of CPP, CAF or MARAC: only numbers, tables and keys.
"""

from __future__ import annotations

from sscb_analysis.disclose.ledger import (
    Count,
    CountTable,
    Disclosure,
    Ledger,
    LedgerError,
    Relation,
    Rests,
)
from sscb_analysis.disclose.page import Page, disclose_page, page_ledger
from sscb_analysis.disclose.policy import (
    BOARD_RESTRICTED,
    DEFAULT_MARKING,
    PUBLISHED,
    PUBLISHED_MINIMUM,
    RESTRICTED_MARKING,
    RESTRICTED_MARKING_PREFIX,
    DisclosurePolicyError,
    Policy,
    disclosure_policy,
)
from sscb_analysis.disclose.reveal import Shown, ShownTable, check_revealed, reveal
from sscb_analysis.disclose.tables import (
    TOTAL,
    round_half_up,
    safe_count,
    suppress,
    suppress_percentages,
    suppression_mask,
)

__all__ = [
    "BOARD_RESTRICTED",
    "DEFAULT_MARKING",
    "PUBLISHED",
    "PUBLISHED_MINIMUM",
    "RESTRICTED_MARKING",
    "RESTRICTED_MARKING_PREFIX",
    "TOTAL",
    "Count",
    "CountTable",
    "Disclosure",
    "DisclosurePolicyError",
    "Ledger",
    "LedgerError",
    "Page",
    "Policy",
    "Relation",
    "Rests",
    "Shown",
    "ShownTable",
    "check_revealed",
    "disclose_page",
    "disclosure_policy",
    "page_ledger",
    "reveal",
    "round_half_up",
    "safe_count",
    "suppress",
    "suppress_percentages",
    "suppression_mask",
]

"""The area's disclosure policy: which counts a page may show, and the line that says so.

Two policies (the area profile's ``area.disclosure``):

- ``published`` (the default): the DfE rule for published statistics. Counts from 1 to 5 are
  shown as ``c``, with secondary suppression so that none can be worked out. The minimum of 5
  cannot be lowered, from the profile or from the command line (``-p suppression_threshold 0``
  is refused with a sentence): a page that says it is fit to publish must be.
- ``board-restricted``: the board's own papers, not for publication. Counts are shown as they
  are (a threshold may still be set), and every page carries the marking
  :data:`RESTRICTED_MARKING`.

This module is the one owner of the policy: the area profile (``area.disclosure``,
``area.protective_marking``), the report context (the threshold a page may use) and the pages
all ask it, so the minimum of 5 and the marking text live here only.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

__all__ = [
    "BOARD_RESTRICTED",
    "DEFAULT_MARKING",
    "POLICIES",
    "PUBLISHED",
    "PUBLISHED_MINIMUM",
    "RESTRICTED_MARKING",
    "RESTRICTED_MARKING_PREFIX",
    "DisclosurePolicyError",
    "Policy",
    "disclosure_policy",
]

PUBLISHED = "published"
BOARD_RESTRICTED = "board-restricted"
POLICIES = (PUBLISHED, BOARD_RESTRICTED)
#: Counts from 1 to this are hidden on published pages (DfE statistical practice).
PUBLISHED_MINIMUM = 5
#: The protective marking of every board-restricted page (issue 13).
RESTRICTED_MARKING = "OFFICIAL-SENSITIVE: for the board, not for publication"
#: A board-restricted page's marking must start with this (a profile may word the rest).
RESTRICTED_MARKING_PREFIX = "OFFICIAL-SENSITIVE"
#: The marking a page carries when the area profile gives none.
DEFAULT_MARKING = {PUBLISHED: "OFFICIAL", BOARD_RESTRICTED: RESTRICTED_MARKING}


class DisclosurePolicyError(ValueError):
    """The disclosure policy or threshold asked for is not allowed; the message says why."""


@dataclass(frozen=True)
class Policy:
    """A disclosure policy: its name and the counts it hides (1 to ``threshold``; 0 hides none)."""

    name: str
    threshold: int

    @property
    def restricted(self) -> bool:
        """Whether the pages are for the board only (``board-restricted``)."""
        return self.name == BOARD_RESTRICTED

    @property
    def marking(self) -> str | None:
        """The marking every page must carry under this policy, or ``None``."""
        return RESTRICTED_MARKING if self.restricted else None

    @property
    def minimum(self) -> int:
        """The lowest threshold this policy allows (5 for ``published``, else 0)."""
        return PUBLISHED_MINIMUM if self.name == PUBLISHED else 0

    @property
    def default_marking(self) -> str:
        """The protective marking when the area profile gives none."""
        return DEFAULT_MARKING[self.name]

    @property
    def description(self) -> str:
        """What the policy means for the counts, in a clause (for the index and the pages)."""
        if self.restricted:
            return "counts are shown: the pages are for the board only and must not be published"
        return f"counts from 1 to {self.threshold} are hidden, as in the DfE's published statistics"

    @property
    def withholds(self) -> bool:
        """Whether any count can be withheld under this policy (a threshold of at least 1): a
        page explains its ``c`` only then (a board-restricted page shows every count, and its
        opening lines say so, :meth:`statement`)."""
        return self.threshold >= 1

    def protective_marking(self, given: str | None = None) -> str:
        """The marking every page of this policy carries: ``given`` (the profile's), else the
        default. A board-restricted page must be marked OFFICIAL-SENSITIVE, so another marking
        is refused with a sentence."""
        marking = given or self.default_marking
        if self.restricted and not marking.startswith(RESTRICTED_MARKING_PREFIX):
            raise DisclosurePolicyError(
                f"area.disclosure is board-restricted (counts shown), so "
                f"area.protective_marking must start with {RESTRICTED_MARKING_PREFIX}, not "
                f"{marking!r}; remove the line to get {self.default_marking!r}"
            )
        return marking

    def statement(self) -> str:
        """One sentence for every page: the policy and what it means for the counts shown."""
        if self.threshold == 0:
            hidden = "Counts are shown as they are, small ones included."
        else:
            hidden = (
                f"Counts from 1 to {self.threshold} are shown as **c**, and so is any other "
                "figure (a count, a total, a share or a chart point) from which one could be "
                "worked out."
            )
        if self.restricted:
            return f"**{RESTRICTED_MARKING}.** Disclosure policy: board-restricted. {hidden}"
        return (
            "Disclosure policy: published (the Department for Education's rule for published "
            f"statistics). {hidden}"
        )


def disclosure_policy(name: object = PUBLISHED, suppression_threshold: object = None) -> Policy:
    """The policy ``name`` with ``suppression_threshold`` checked against it.

    ``published`` hides counts from 1 to at least :data:`PUBLISHED_MINIMUM` (the default); a lower
    threshold is refused with a sentence saying how to show small counts honestly (the
    ``board-restricted`` policy). ``board-restricted`` shows every count by default (threshold 0).
    """
    if name is None:
        name = PUBLISHED
    if not isinstance(name, str) or name.strip().lower() not in POLICIES:
        raise DisclosurePolicyError(
            f"area.disclosure must be one of {', '.join(POLICIES)}, not {name!r}."
        )
    name = name.strip().lower()
    default = PUBLISHED_MINIMUM if name == PUBLISHED else 0
    threshold = default if suppression_threshold is None else _whole(suppression_threshold)
    if name == PUBLISHED and threshold < PUBLISHED_MINIMUM:
        raise DisclosurePolicyError(
            f"suppression_threshold {threshold} is below the minimum of {PUBLISHED_MINIMUM} for "
            "published pages: counts from 1 to 5 are never shown on a page fit for publication. "
            "If these pages are for the board only, set `disclosure: board-restricted` in the "
            "area profile (every page is then marked "
            f'"{RESTRICTED_MARKING}") instead of lowering the threshold.'
        )
    return Policy(name, threshold)


def _whole(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise DisclosurePolicyError(
            f"suppression_threshold must be a whole number of at least 0, not {value!r}."
        )
    return int(value)

"""Which files of a run may go to the board, and which stay with the analyst, in words.

One owner for the sentences the index and every page print (issue 12, finding 13: the index
linked analyst pages and notebooks, which hold exact small counts, beside the board pages with
nothing saying which could be shared).
"""

from __future__ import annotations

from sscb_analysis.disclose.policy import PUBLISHED, disclosure_policy

ANALYST_ONLY = (
    "Analyst pages, executed notebooks, figures (.json), the manifest, the context and the logs "
    "stay with the analysts: they can hold exact small counts and other detail that could "
    "identify a child. Do not send them to the board or outside the team."
)


def board_sentence(disclosure: str | None, marking: str | None) -> str:
    """What the board pages are, for this disclosure policy and protective marking."""
    policy = disclosure_policy(disclosure or PUBLISHED)
    mark = marking or policy.default_marking
    if policy.name == PUBLISHED:
        return (
            f"Board pages (marked {mark}) are written for the board: {policy.description}. "
            "They may go to the board and, once approved, be published."
        )
    return (
        f"Board pages (marked {mark}) are for board members only: {policy.description}. "
        "Do not publish them or send them beyond the board."
    )

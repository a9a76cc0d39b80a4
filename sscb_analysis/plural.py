"""Singular or plural in page words: "1 indicator", "5 indicators", never "5 indicator(s)".

The one owner of counted nouns in sentences the board reads (board summary, chart alt text,
chart caveats, command output). A withheld count is not a number here: words for it come from
:mod:`sscb_analysis.disclose` (``Shown.of``).
"""

from __future__ import annotations

__all__ = ["agree", "plural"]


def agree(n: int, one: str, many: str | None = None) -> str:
    """The form of a word that agrees with ``n``: ``one`` for exactly 1, else ``many`` (by
    default ``one`` + "s"). ``agree(n, "was", "were")``, ``agree(n, "rests", "rest")``."""
    return one if n == 1 else (many if many is not None else one + "s")


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun that agrees with it: "1 indicator", "0 indicators", "1,204 plans"."""
    return f"{n:,} {agree(n, one, many)}"

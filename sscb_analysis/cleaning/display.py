"""Text from outside (headers, values, file names) made safe for the terminal.

The project's one owner of escaping is :mod:`sscb_analysis.escape` (``terminal_text``); until it
is present this falls back to the same rule: control characters and bidirectional overrides are
shown as escapes, so a hostile header cannot move the cursor, recolour or reorder the screen.
"""

from __future__ import annotations

import unicodedata

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal(value: object, *, multiline: bool = True) -> str:
    """``value`` safe to print to a terminal (line feeds kept when ``multiline``)."""
    try:
        from sscb_analysis.escape import terminal_text  # type: ignore[import-not-found]
    except ImportError:
        return _fallback(value, multiline)
    return terminal_text(value, multiline=multiline)


def _fallback(value: object, multiline: bool) -> str:
    out = []
    for ch in str(value):
        if (ch == "\n" and multiline) or not (
            ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        ):
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)

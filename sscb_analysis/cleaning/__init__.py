"""The cleaning stage: raw export -> read -> protect -> validate -> derive -> ``data/processed``.

One package whose modules are the stages of the flow (see ``docs/``). ``clean`` returns a
:class:`CleanResult` in memory; ``write_outputs`` writes the processed set; ``load_processed``
reads it back. ``sscb_analysis.clean`` is :func:`clean`.
"""

from __future__ import annotations

from sscb_analysis.cleaning.pipeline import (
    CleanResult,
    ExtractError,
    IdentifierError,
    PseudonymKeyError,
    clean,
    load_processed,
    output_paths,
    summary_text,
    write_outputs,
)

__all__ = [
    "CleanResult",
    "ExtractError",
    "IdentifierError",
    "PseudonymKeyError",
    "clean",
    "load_processed",
    "output_paths",
    "summary_text",
    "write_outputs",
]

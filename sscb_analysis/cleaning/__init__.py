"""The cleaning stage: raw export -> read -> protect -> validate -> derive -> ``data/processed``.

One package whose modules are the stages of the flow (see ``docs/``): ``read`` (files to
encoded text columns, headers), ``protect`` (identifiers), ``validate`` (rules, quarantine, log),
``derive`` (the clean frame and its derived fields), with ``pipeline`` chaining them,
``summary`` and ``outputs`` (the processed set on disk). ``clean`` returns a
:class:`CleanResult` in memory; ``write_outputs`` writes the processed set; ``load_processed``
reads it back. ``sscb_analysis.clean`` is :func:`clean`.
"""

from __future__ import annotations

from sscb_analysis.cleaning.outputs import (
    load_processed,
    output_paths,
    read_processed,
    write_outputs,
)
from sscb_analysis.cleaning.pipeline import CleanResult, clean
from sscb_analysis.cleaning.protect import IdentifierError, PseudonymKeyError
from sscb_analysis.cleaning.read import ExtractError
from sscb_analysis.cleaning.summary import summary_text

__all__ = [
    "CleanResult",
    "ExtractError",
    "IdentifierError",
    "PseudonymKeyError",
    "clean",
    "load_processed",
    "output_paths",
    "read_processed",
    "summary_text",
    "write_outputs",
]

"""Importing nbformat without the IRI grammar it never uses (about 0.8 to 1.7 s per process).

nbformat validates notebooks with jsonschema, and importing jsonschema's format checkers imports
``rfc3987_syntax`` when it is installed (JupyterLab brings it, through jupyter-events and
``jsonschema[format-nongpl]``). That module builds some 35 Lark parsers at import time, for the
``iri`` and ``iri-reference`` formats only. No notebook schema uses either format, yet every
process that reads a notebook paid for them: each ``sscb run`` worker, ``sscb
refresh-notebooks``, and so every runner test. Upstream: python-jsonschema/jsonschema#1428.

:func:`skip_iri_grammar` marks the module as absent in this process (``sys.modules`` entry
``None``), which jsonschema already handles by leaving those two format checkers out. It is called
by the processes that only run and render notebooks, before they import nbformat; nothing else
changes, and a process that has already imported jsonschema is left as it is.
"""

from __future__ import annotations

import sys

IRI_GRAMMAR_MODULE = "rfc3987_syntax"


def skip_iri_grammar() -> bool:
    """Keep jsonschema from importing the IRI grammar in this process; True if it now will not.

    Does nothing (and returns False) once jsonschema is imported: its checkers are fixed then.
    """
    if "jsonschema" in sys.modules:
        return False
    sys.modules.setdefault(IRI_GRAMMAR_MODULE, None)  # type: ignore[arg-type]
    return sys.modules[IRI_GRAMMAR_MODULE] is None

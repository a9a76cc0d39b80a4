"""What every ``sscb run`` worker needs, imported once by the fork server they are forked from.

The runner's workers are forked from a server process (multiprocessing's ``forkserver``) that
imports this module first, so papermill, nbconvert and the renderer are imported once per run
(once per test session), not once per worker. Importing it has that effect and no other: the
IRI grammar nbformat never uses is skipped first (:mod:`fast_imports`).
"""

from __future__ import annotations

from sscb_analysis.reporting.fast_imports import skip_iri_grammar

skip_iri_grammar()

import papermill  # noqa: E402, F401

from sscb_analysis.reporting import render, worker  # noqa: E402, F401

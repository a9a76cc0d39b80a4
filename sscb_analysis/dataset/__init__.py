"""The board's whole dataset: indicators beyond the three extracts, in one tidy table.

A board tracks far more than child protection plans, early help and MARAC: private fostering
notifications, LADO allegations, section 47 enquiries, re-referrals, training attendance ... Each
comes in as rows of ``data/raw/<area>/indicators.csv`` declared in ``indicators.yml``
(:mod:`.definitions`), checked like an extract (:mod:`.observations`) before a run's notebooks
and kept checked in the processed folder (:mod:`.processed`). An area gives it in its profile
(``clean.inputs.indicators``). The indicators the notebooks compute from the extracts join the
scorecard from the headline figures they recorded in the run
(:func:`sscb_analysis.analyses.scorecard.report_results`), so every indicator is treated alike.

(A package of its own rather than a step of :mod:`sscb_analysis.cleaning`: the cleaning stage
works on case-level extracts, one row per child, with kinds ``cpp``, ``caf`` and ``marac``; these
are aggregate figures with their own definitions file. They reuse the cleaning stage's reader,
date parser, identifier scan and log columns, so each of those keeps one owner.)
"""

from __future__ import annotations

from sscb_analysis.dataset.definitions import (
    DefinitionError,
    IndicatorDefinition,
    IndicatorDefinitions,
    parse_definitions,
    read_definitions,
)
from sscb_analysis.dataset.observations import (
    COLUMNS,
    RULES,
    IndicatorData,
    check_indicators,
    read_indicators,
)
from sscb_analysis.dataset.processed import load_dataset

__all__ = [
    "COLUMNS",
    "RULES",
    "DefinitionError",
    "IndicatorData",
    "IndicatorDefinition",
    "IndicatorDefinitions",
    "check_indicators",
    "load_dataset",
    "parse_definitions",
    "read_definitions",
    "read_indicators",
]

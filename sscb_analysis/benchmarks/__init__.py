"""Published national statistics: DfE "Characteristics of children in need" and statistical neighbours.

Answers the board's "are we unusual?" with real, published figures (years ending 31 March 2013
to 2025, Open Government Licence v3.0) read from ``data/raw/dfe/`` (``sscb_analysis.paths.DFE``;
every function takes ``folder=`` to read another copy). Values the DfE did not publish are NaN
with a ``status`` saying why, never 0. See ``docs/national_benchmarks.md``.

Typical use::

    from sscb_analysis import benchmarks as bm
    bm.comparator_table("Southwark", "cpp_second_or_subsequent_pct")
    bm.statistical_neighbours(210)
    fi = bm.funnel_input(2013, la=210); bm.funnel_figure(fi)
    bm.la_spc_figure(210, "cpp_second_or_subsequent_pct", kind="p")
    bm.reconcile(cpp, 210, 2013).table
"""

from __future__ import annotations

from sscb_analysis.benchmarks.areas import (
    LocalAuthority,
    UnknownLocalAuthorityError,
    find_la,
    local_authorities,
)
from sscb_analysis.benchmarks.catalogue import FILES, INDICATORS, Indicator, list_indicators
from sscb_analysis.benchmarks.codes import (
    PUBLISHED,
    STATUS_CODES,
    STATUS_MEANINGS,
    DfeDataError,
)
from sscb_analysis.benchmarks.comparators import (
    NationalFigures,
    comparator_table,
    comparators,
    national_figures,
    neighbour_values,
)
from sscb_analysis.benchmarks.funnel import (
    FunnelInput,
    funnel_classification,
    funnel_figure,
    funnel_input,
)
from sscb_analysis.benchmarks.indicators import (
    UnknownIndicatorError,
    get_indicator,
    indicator_values,
    la_profile,
    la_series,
)
from sscb_analysis.benchmarks.load import clear_cache, load_all, load_file, load_neighbour_groups
from sscb_analysis.benchmarks.neighbours import (
    NoNeighbourGroupError,
    neighbour_codes,
    statistical_neighbours,
)
from sscb_analysis.benchmarks.reconcile import Reconciliation, annual_figures, reconcile
from sscb_analysis.benchmarks.spc import la_spc, la_spc_figure

__all__ = [
    "FILES",
    "INDICATORS",
    "PUBLISHED",
    "STATUS_CODES",
    "STATUS_MEANINGS",
    "DfeDataError",
    "FunnelInput",
    "Indicator",
    "LocalAuthority",
    "NationalFigures",
    "NoNeighbourGroupError",
    "Reconciliation",
    "UnknownIndicatorError",
    "UnknownLocalAuthorityError",
    "annual_figures",
    "clear_cache",
    "comparator_table",
    "comparators",
    "find_la",
    "funnel_classification",
    "funnel_figure",
    "funnel_input",
    "get_indicator",
    "indicator_values",
    "la_profile",
    "la_series",
    "la_spc",
    "la_spc_figure",
    "list_indicators",
    "load_all",
    "load_file",
    "load_neighbour_groups",
    "local_authorities",
    "national_figures",
    "neighbour_codes",
    "neighbour_values",
    "reconcile",
    "statistical_neighbours",
]

"""The derive stage (after ``validate``): the clean rows with provenance, degraded extras and the
extract's derived fields (plan number, second or subsequent, two years, reporting year, ...).

The derived fields themselves are defined in :mod:`sscb_analysis.measures` and named by each
extract's spec; this stage assembles the clean frame in the schema's column order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from sscb_analysis.cleaning.protect import extra_series
from sscb_analysis.cleaning.schemas import column_dtypes
from sscb_analysis.extracts import ExtractSpec
from sscb_analysis.measures import text_series


def derive(
    spec: ExtractSpec,
    typed: pd.DataFrame,
    keep: np.ndarray,
    order: np.ndarray,
    person_codes: np.ndarray,
    files: list[str],
    file_index: np.ndarray | None,
    source_rows: np.ndarray,
    flags: np.ndarray,
    extras: dict[str, pa.Array],
) -> pd.DataFrame:
    """The clean frame of the rows at positions ``keep``.

    ``order``: those rows sorted by person then event date (positions among them);
    ``person_codes``: the person id's codes over all rows; ``files``: the input files and
    ``file_index`` each row's among them (None: one file); ``flags``: query codes per row.
    """
    data = typed.iloc[keep].reset_index(drop=True)
    codes = np.zeros(len(keep), dtype=np.int8) if file_index is None else file_index[keep]
    data["source_file"] = pd.Categorical.from_codes(codes, categories=files)
    data["source_row"] = pd.array(source_rows[keep], dtype="Int64")
    data["query_flags"] = text_series(flags[keep])
    for name, arr in extras.items():
        data[name] = extra_series(arr, keep)
    data = spec.derive(data, person_codes=person_codes[keep], order=order)
    return data[[*column_dtypes(spec), *extras]]

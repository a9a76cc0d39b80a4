"""Pandera schemas of the clean extracts, built from each extract's declared columns.

The clean parquet keeps these dtypes: dates as ``datetime64[ns]`` (dates only), categories as
pandas Categorical with the declared categories, counts as nullable ``Int64``, text as ``str``.
Every frame is validated before it is written.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from sscb_analysis.extracts import ExtractSpec, get_spec

DATE_DTYPE = "datetime64[ns]"

#: Columns every clean row carries besides the extract's own.
#: ``source_file`` is categorical: one value per extract, so a million rows hold one string.
PROVENANCE = {"source_file": "category", "source_row": "Int64", "query_flags": "str"}


def column_dtypes(spec: ExtractSpec) -> dict[str, object]:
    """Column name -> dtype of the clean frame (canonical, provenance, then derived)."""
    out: dict[str, object] = {}
    for col in spec.columns:
        if col.type == "date":
            out[col.name] = DATE_DTYPE
        elif col.type == "category":
            out[col.name] = pd.CategoricalDtype(col.categories, ordered=False)
        elif col.type == "int":
            out[col.name] = "Int64"
        else:
            out[col.name] = "str"
    out.update(PROVENANCE)
    out.update(spec.derived_dtypes)
    return out


@cache
def schema(kind: str):
    """The pandera ``DataFrameSchema`` of the clean ``kind`` extract."""
    import pandera.pandas as pa

    spec = get_spec(kind)
    columns = {}
    for name, dtype in column_dtypes(spec).items():
        checks = []
        nullable = True
        if name in spec.names:
            col = spec.column(name)
            nullable = col.nullable
            if col.type == "int" and col.minimum is not None:
                checks.append(pa.Check.ge(col.minimum))
        if name == "dash_ticks":
            checks.append(pa.Check.in_range(0, 24))
        if name in ("source_file", "source_row", "query_flags"):
            nullable = name == "query_flags"
        if dtype == "bool":
            nullable = False
        columns[name] = pa.Column(dtype, checks=checks, nullable=nullable, coerce=False)
    return pa.DataFrameSchema(columns, strict=False, ordered=False, name=f"clean {kind} extract")


def validate(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a clean frame against its schema (raises ``pandera.errors.SchemaError``)."""
    return schema(kind).validate(frame)

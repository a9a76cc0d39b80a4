"""The cleaning pipeline: read -> protect -> validate -> derive, one module per stage.

``sscb_analysis.clean("cpp", path_or_frame)`` returns a :class:`CleanResult` in memory (nothing
touches the disk); :func:`~sscb_analysis.cleaning.outputs.write_outputs` writes the processed set.

Accounting: every input row ends in exactly one of the clean data, the quarantine, the duplicates
(exact copies of an earlier row, logged and dropped), the blank rows (every cell empty, logged
as skipped), the footers (a totals or notes row below the records) or, with several returns, the
records a later return holds too, so ``rows_in == clean + quarantined + duplicates + blank +
footers + same_in_later_return`` always holds.

Privacy comes before the rules: identifiers are refused (or, with ``pseudonymise=True``,
hashed, degraded or dropped) before any value can reach the log or the quarantine.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sscb_analysis.cleaning import derive as _derive
from sscb_analysis.cleaning import formats
from sscb_analysis.cleaning import protect as _protect
from sscb_analysis.cleaning import read as _read
from sscb_analysis.cleaning import validate as _validate
from sscb_analysis.cleaning.encoded import concat_encoded
from sscb_analysis.cleaning.headers import known_header
from sscb_analysis.cleaning.layout import Layout, load_layout
from sscb_analysis.cleaning.outputs import load_processed, output_paths, write_outputs
from sscb_analysis.cleaning.protect import IdentifierError, Protected, PseudonymKeyError
from sscb_analysis.cleaning.read import CellProblem, ExtractError, RawTable
from sscb_analysis.cleaning.schemas import validate
from sscb_analysis.cleaning.summary import summarise, summary_text
from sscb_analysis.extracts import ExtractSpec, get_spec
from sscb_analysis.provenance import inputs_provenance, sha256_file

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

Source = str | os.PathLike[str] | pd.DataFrame


@dataclass
class CleanResult:
    """What cleaning one extract produced.

    ``data``: clean rows with typed canonical columns, ``source_file``, ``source_row``,
    ``query_flags`` and derived fields. ``quarantine``: rows with an error, as text, with
    ``rules`` and ``reasons``. ``log``: the cleaning log. ``summary``: counts per outcome and rule.
    """

    kind: str
    data: pd.DataFrame
    quarantine: pd.DataFrame
    log: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"CleanResult({self.kind}: {s.get('rows_in')} rows in, {s.get('clean')} clean, "
            f"{s.get('quarantined')} quarantined, {s.get('duplicates')} duplicates, "
            f"{s.get('blank')} blank)"
        )


def clean(
    kind: str,
    inputs: Source | Sequence[Source],
    *,
    layout: str | os.PathLike[str] | Layout | None = None,
    pseudonymise: bool | None = None,
    drop: Iterable[str] = (),
    sheet: str | None = None,
    source_name: str | None = None,
    environ: dict[str, str] | None = None,
    today: date | None = None,
) -> CleanResult:
    """Clean one extract, from one export or several returns, in memory.

    ``inputs``: a CSV/XLSX path (or a national format the readers recognise), a DataFrame
    (values are treated as the text a CSV would hold; row numbers count as if it were written
    with a header, first row = 2), or a list of them (several returns: a record in two is
    counted once, the later return's row kept). ``layout``: a layout file (or a loaded
    :class:`~sscb_analysis.cleaning.layout.Layout`); ``sheet``, ``drop`` and ``pseudonymise``
    given here win over it (``drop`` adds to its list). The summary records each input's
    SHA-256, the options and the package version, so a runner can tell a fresh set.

    Raises :class:`ExtractError` for unreadable or invalid input, :class:`IdentifierError` when
    direct identifiers are found, :class:`PseudonymKeyError` when ``pseudonymise`` has no key.
    """
    spec = get_spec(kind)
    plan = (
        load_layout(layout, kind)
        if layout is not None and not isinstance(layout, Layout)
        else layout
    )
    if plan is not None and plan.kind != kind:
        raise ExtractError(f"The layout {plan.path} is for {plan.kind}, not {kind}.")
    if isinstance(drop, str):
        raise TypeError(f"drop takes a list of column names, not the string {drop!r}")
    drop = tuple(drop)
    options = _options(layout, plan, drop, pseudonymise)
    pseudo = options["pseudonymise"]
    if plan is not None:
        spec = plan.apply(spec)
        sheet = sheet if sheet is not None else plan.sheet
    sources = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    sources = formats.in_date_order(
        sources
    )  # CIN census returns: the latest wins, whatever the order
    if not sources:
        raise ExtractError("No input given: name at least one export to clean.")
    if source_name is not None and len(sources) > 1:
        raise ValueError("source_name applies to one input only.")
    if pseudo:
        _protect.pseudonym_key(environ)  # refuse early, before any work
    all_drop = (*(plan.drop if plan else ()), *drop)
    columns_map = dict(plan.columns) if plan else None
    header_row = plan.header_row if plan else None
    parts = [
        _read_part(
            spec, source, sheet, source_name, columns_map, header_row, all_drop, pseudo, environ
        )
        for source in sources
    ]
    if len(parts) == 1:
        table, protected = parts[0]
        blank_dup = None
        match_on: tuple[str, ...] = ()
    else:
        table, protected, blank_dup = _combine(spec, parts)
        have_ids = all(spec.record_id in p.positions for _, p in parts)
        match_on = (spec.record_id,) if have_ids or not spec.record_key else spec.record_key
    raw = protected.columns
    checked = _validate.check(
        table,
        spec,
        raw,
        today,
        protected.positions,
        blank_dup=blank_dup,
        match_on=match_on,
        stand_ins=protected.stand_ins,
    )
    flat = _validate.HitRows.of(checked.hits)
    n = table.n_rows
    files = table.row_files()

    keep = np.flatnonzero(checked.kept)
    data = _derive.derive(
        spec,
        checked.typed,
        keep,
        checked.order,
        raw[spec.person_id].codes,
        table.files or [table.source_file],
        table.file_index,
        table.source_rows,
        flat.query_flags(n),
        protected.extras,
    )
    validate(kind, data)
    described = (
        spec.describe(data, person_codes=raw[spec.person_id].codes[keep], order=checked.order)
        if spec.describe is not None
        else None
    )

    q_pos = np.flatnonzero(checked.quarantined)
    extras = {name: _protect.extra_series(arr, q_pos) for name, arr in protected.extras.items()}
    quarantine = _validate.quarantine_frame(
        spec, raw, extras, q_pos, files, table.source_rows, flat, n
    )
    log = _validate.log_frame(checked.hits, files, table.source_rows, table.file_index)
    notes = [*(entry for t, _ in parts for entry in _read.read_log(t)), *protected.log]
    if notes:
        log = pd.concat([*notes, log], ignore_index=True)
    log = log[_validate.LOG_COLUMNS]
    summary = summarise(
        spec,
        table.source_file,
        n,
        data,
        quarantine,
        checked.blank,
        checked.duplicate,
        checked.hits,
        protected,
        pseudo,
        footers=len(table.footers),
        header_row=max(t.header_row for t, _ in parts),
        same_in_later_return=int(checked.superseded.sum()),
    )
    if described is not None:
        summary["derived"] = described
    summary["source_files"] = table.files or [table.source_file]
    summary["record_key"] = list(match_on) or (
        [spec.record_id] if spec.record_id in protected.positions else list(spec.record_key)
    )
    summary["inputs"] = [_input_record(s, t) for s, (t, _) in zip(sources, parts, strict=True)]
    summary["options"] = options
    summary["package_version"] = package_version()
    summary["provenance"] = inputs_provenance(s for s in sources if not isinstance(s, pd.DataFrame))
    return CleanResult(kind, data, quarantine, log, summary)


def _read_part(
    spec: ExtractSpec,
    source: Source,
    sheet: str | None,
    source_name: str | None,
    columns_map: dict[str, str] | None,
    header_row: int | None,
    drop: Sequence[str],
    pseudonymise: bool,
    environ: dict[str, str] | None,
) -> tuple[RawTable, Protected]:
    """One input read and protected."""
    if isinstance(source, pd.DataFrame):
        table = _read.table_from_frame(source, source_name or "<DataFrame>")
        if table.n_rows == 0:
            raise ExtractError("The DataFrame has no rows.")
    else:
        table = _read.read_extract(
            source,
            sheet=sheet,
            wide=_read.id_header(spec),
            known=known_header(spec, columns_map),
            header_row=header_row,
            kind=spec.kind,
        )
        if source_name:
            table.source_file = source_name
    protected = _protect.protect(table, spec, pseudonymise, drop, environ, columns_map)
    return table, protected


def _combine(
    spec: ExtractSpec, parts: list[tuple[RawTable, Protected]]
) -> tuple[RawTable, Protected, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Several returns as one table of canonical columns, in input order, with each file's
    blank and duplicate rows found within that file."""
    files = [t.source_file for t, _ in parts]
    if len(set(files)) < len(files):
        raise ExtractError(
            f"The same file is given twice ({', '.join(f for f in files if files.count(f) > 1)}): "
            "give each return once."
        )
    offsets = np.cumsum([0, *(t.n_rows for t, _ in parts)])
    n = int(offsets[-1])
    columns = {name: concat_encoded([p.columns[name] for _, p in parts]) for name in spec.names}
    extras: dict[str, pa.Array] = {}
    for name in dict.fromkeys(k for _, p in parts for k in p.extras):
        arrays = [p.extras.get(name) for _, p in parts]
        kind = next(a.type for a in arrays if a is not None)
        extras[name] = pa.concat_arrays(
            [
                a if a is not None else pa.nulls(t.n_rows, kind)
                for a, (t, _) in zip(arrays, parts, strict=True)
            ]
        )
    blank, duplicate, first = [], [], []
    malformed: dict[int, str] = {}
    footers: dict[int, str] = {}
    problems: list[CellProblem] = []
    index = {name: i for i, name in enumerate(spec.names)}
    for (table, protected), offset in zip(parts, offsets[:-1], strict=True):
        b, d, f = _validate.blank_and_duplicates(table)
        blank.append(b)
        duplicate.append(d)
        first.append(f + offset)
        malformed.update({int(k) + int(offset): v for k, v in table.malformed.items()})
        footers.update({int(k) + int(offset): v for k, v in table.footers.items()})
        names = {i: name for name, i in protected.positions.items()}
        problems += [
            CellProblem(p.row + int(offset), index[names[p.column]], p.reference, p.message)
            for p in table.problems
            if p.column in names
        ]
    combined = RawTable(
        list(spec.names),
        [columns[name] for name in spec.names],
        ", ".join(files),
        np.concatenate([t.source_rows for t, _ in parts]),
        malformed,
        footers=footers,
        problems=problems,
        files=files,
        file_index=np.repeat(np.arange(len(parts)), [t.n_rows for t, _ in parts]),
    )
    placeholders: dict[str, dict[str, int]] = {}
    for _, p in parts:
        for column, found in p.placeholders.items():
            into = placeholders.setdefault(column, {})
            for text, cells in found.items():
                into[text] = into.get(text, 0) + cells
    protected = Protected(
        columns,
        extras,
        [entry for _, p in parts for entry in p.log],
        list(dict.fromkeys(h for _, p in parts for h in p.dropped)),
        placeholders,
        index,
        # A column copies another only where every return lacks it.
        {k: v for k, v in parts[0][1].stand_ins.items() if all(k in p.stand_ins for _, p in parts)},
    )
    assert n == combined.n_rows
    masks = (np.concatenate(blank), np.concatenate(duplicate), np.concatenate(first))
    return combined, protected, masks


def _options(
    layout: object, plan: Layout | None, drop: tuple[str, ...], pseudonymise: bool | None
) -> dict[str, Any]:
    """The cleaning options as recorded in the summary (for a runner's freshness check): the
    layout file and its SHA-256, the columns dropped on request, and pseudonymise."""
    path = None if layout is None else plan.path if isinstance(layout, Layout) else str(layout)
    if pseudonymise is None:
        pseudonymise = bool(plan.pseudonymise) if plan is not None else False
    digest = sha256_file(path) if path is not None and Path(path).is_file() else None
    return {
        "layout": path,
        "drop": list(drop),
        "pseudonymise": bool(pseudonymise),
        "layout_sha256": digest,
    }


def _input_record(source: Source, table: RawTable) -> dict[str, Any]:
    """An input as the summary records it: its path and the SHA-256 of its bytes."""
    if isinstance(source, pd.DataFrame):
        return {"path": table.source_file, "sha256": None}
    return {"path": str(source), "sha256": sha256_file(source)}


def package_version() -> str:
    """This package's installed version, as recorded with each processed set."""
    from importlib import metadata

    try:
        return metadata.version("sscb-analysis")
    except metadata.PackageNotFoundError:  # pragma: no cover - a bare checkout
        from sscb_analysis import __version__

        return __version__

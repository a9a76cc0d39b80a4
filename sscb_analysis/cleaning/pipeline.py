"""The cleaning pipeline: load -> protect -> validate -> derive, and the outputs on disk.

``sscb_analysis.clean("cpp", path_or_frame)`` returns a :class:`CleanResult` in memory (nothing
touches the disk); :func:`write_outputs` writes the four files atomically; :func:`load_processed`
reads them back for notebooks. ``sscb_analysis.clean`` is this module's :func:`clean`.

Accounting: every input row ends in exactly one of the clean data, the quarantine, the duplicates
(exact copies of an earlier row, logged and dropped) or the blank rows (every cell empty, logged
as skipped), so ``rows_in == clean + quarantined + duplicates + blank`` always holds.

Privacy comes before the rules: identifiers are refused (or, with ``pseudonymise=True``,
hashed, degraded or dropped) before any value can reach the log or the quarantine.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sscb_analysis.cleaning import parse
from sscb_analysis.cleaning import protect as privacy
from sscb_analysis.cleaning import read as _load
from sscb_analysis.cleaning import validate as rules
from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.cleaning.protect import IdentifierError, PseudonymKeyError
from sscb_analysis.cleaning.read import ExtractError, RawTable
from sscb_analysis.cleaning.schemas import DATE_DTYPE, column_dtypes, validate
from sscb_analysis.extracts import KINDS, ExtractSpec, compact, get_spec
from sscb_analysis.measures import order_within, restrict_order, text_series
from sscb_analysis.paths import PROCESSED, SYNTHETIC

__all__ = [
    "CleanResult",
    "ExtractError",
    "IdentifierError",
    "PseudonymKeyError",
    "clean",
    "load_processed",
    "output_paths",
    "write_outputs",
]


#: Distinct values of an id column scanned for identifiers (a share is judged; see privacy).
ID_SAMPLE = 20_000


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


# ---------------------------------------------------------------------------- protect
@dataclass
class _Protected:
    columns: dict[str, Encoded]
    extras: dict[str, pa.Array]
    log: list[pd.DataFrame]
    dropped: list[str]
    #: column -> placeholder spelling -> cells read as blank
    placeholders: dict[str, dict[str, int]] = field(default_factory=dict)


def _find_dropped(headers: list[str], drop: Iterable[str], spec: ExtractSpec) -> set[int]:
    """Positions of the headers named by ``--drop`` (matched like headers, or by canonical name)."""
    keys = {compact(h): i for i, h in enumerate(headers)}
    lookup = _load.header_lookup(spec)
    out: set[int] = set()
    for name in drop:
        key = compact(name)
        if key in keys:
            out.add(keys[key])
            continue
        canon = lookup.get(key)
        matches = [i for i, h in enumerate(headers) if canon and lookup.get(compact(h)) == canon]
        if not matches:
            raise ExtractError(
                f"--drop {name!r}: there is no such column; headers found: "
                f"{', '.join(repr(h) for h in headers)}."
            )
        out.update(matches)
    return out


def _protect(
    table: RawTable,
    spec: ExtractSpec,
    pseudonymise: bool,
    drop: Iterable[str],
    environ: dict[str, str] | None,
) -> _Protected:
    """Match headers, refuse or neutralise identifiers, and return the canonical text columns."""
    source = table.source_file
    dropped_pos = _find_dropped(table.headers, drop, spec)
    kept_headers = [h if i not in dropped_pos else "" for i, h in enumerate(table.headers)]
    match = _load.match_headers(
        [h for i, h in enumerate(table.headers) if i not in dropped_pos], spec, source
    )
    # match_headers saw the headers without dropped ones; map back to positions.
    kept = [i for i in range(len(table.headers)) if i not in dropped_pos]
    canonical = {kept[j]: name for j, name in match.canonical.items()}
    unknown = [kept[j] for j in match.unknown]
    log = [
        rules.column_entry(source, table.headers[i], "LOAD003", "dropped on request", "dropped")
        for i in sorted(dropped_pos)
    ]
    for name in match.missing_optional:
        if name not in canonical.values():
            log.append(rules.column_entry(source, name, "LOAD002", "not in the file", "left blank"))
    del kept_headers

    findings: list[privacy.Finding] = []
    handling: dict[int, str] = {}  # position -> identifier kind, for unknown columns
    for i in unknown:
        header = table.headers[i]
        kind = privacy.header_identifier(compact(header))
        reason = f"its header says it holds {privacy.KIND_LABELS[kind]}" if kind else None
        scan = privacy.scan_content(table.columns[i], table.source_rows)
        content = privacy.content_findings(header, scan, None, False)
        if content:
            extra = "; ".join(f.reason for f in content)
            kind, reason = kind or content[0].kind, f"{reason}; {extra}" if reason else extra
        if kind is None and _mostly_dates(table.columns[i]):
            kind, reason = (
                "date_of_birth",
                "it holds full dates (day, month and year) that are not a declared event date, so they may be dates of birth",
            )
        if kind is not None:
            findings.append(privacy.Finding(header, kind, reason))
            handling[i] = kind
    for i, name in canonical.items():
        col = spec.column(name)
        scan = privacy.scan_content(
            table.columns[i], table.source_rows, ID_SAMPLE if col.type == "id" else None
        )
        findings.extend(privacy.content_findings(table.headers[i], scan, name, col.type == "id"))

    blocking = [f for f in findings if f.canonical is not None and f.kind != "id_content"]
    if not pseudonymise:
        if findings:
            raise IdentifierError(findings)
    else:
        if blocking:
            raise IdentifierError(blocking)
        for kind in ("date_of_birth", "postcode"):
            several = [table.headers[i] for i, k in handling.items() if k == kind]
            if len(several) > 1:
                raise IdentifierError(
                    [
                        privacy.Finding(h, kind, f"more than one {kind.replace('_', ' ')} column")
                        for h in several[1:]
                    ]
                )

    key = privacy.pseudonym_key(environ) if pseudonymise else None
    columns: dict[str, Encoded] = {}
    blanked: dict[str, dict[str, int]] = {}
    n = table.n_rows
    for i, name in canonical.items():
        # Placeholders go blank before anything else sees the values: "NULL" ids must not be
        # hashed into one pseudonym or counted as one child.
        arr, placeholders = parse.blank_placeholders(table.columns[i], spec.column(name))
        if placeholders:
            table.columns[i] = arr
            blanked[name] = placeholders
            cells = sum(placeholders.values())
            spellings = ", ".join(repr(t) for t in placeholders)
            log.append(
                rules.column_entry(
                    source,
                    name,
                    "LOAD004",
                    f"{cells:,} cell{'s' if cells != 1 else ''} held {spellings}, a placeholder "
                    "for no value",
                    "read as blank",
                )
            )
        if key is not None and spec.column(name).type == "id":
            arr = privacy.pseudonymise_ids(arr, key)
            log.append(
                rules.column_entry(
                    source, name, "PRIV002", "replaced by HMAC-SHA256 pseudonyms", "pseudonymised"
                )
            )
        columns[name] = arr
    for col in spec.columns:
        columns.setdefault(col.name, Encoded.nulls(n))

    extras: dict[str, pa.Array] = {}
    dropped = [table.headers[i] for i in sorted(dropped_pos)]
    for i in unknown:
        header = table.headers[i]
        kind = handling.get(i)
        if kind is None:
            log.append(
                rules.column_entry(
                    source, header, "LOAD001", "not a column of this extract", "dropped"
                )
            )
        elif kind == "date_of_birth":
            birth, _ = parse.parse_dates(table.columns[i])
            event, _ = parse.parse_dates(columns[spec.event_date])
            extras["birth_month"], extras["age_at_event"] = privacy.degrade_birth_date(birth, event)
            log.append(
                rules.column_entry(
                    source,
                    header,
                    "PRIV003",
                    f"kept as birth_month and age_at_event (age at {spec.event_date})",
                    "degraded",
                )
            )
        elif kind == "postcode":
            extras["postcode_sector"] = privacy.postcode_sector(table.columns[i])
            log.append(
                rules.column_entry(source, header, "PRIV004", "kept as postcode_sector", "degraded")
            )
        else:
            log.append(
                rules.column_entry(
                    source,
                    header,
                    "PRIV001",
                    f"{kind.replace('_', ' ')} cannot be made safe",
                    "dropped",
                )
            )
        if kind is None or kind not in ("date_of_birth", "postcode"):
            dropped.append(header)
    return _Protected(columns, extras, log, dropped, blanked)


def _id_header(spec: ExtractSpec) -> Callable[[str], bool]:
    """Whether a header names one of the extract's id columns (read as plain text: mostly distinct)."""
    lookup = _load.header_lookup(spec)
    ids = {c.name for c in spec.columns if c.type == "id"}
    return lambda header: lookup.get(compact(header)) in ids


def _mostly_dates(arr: Encoded) -> bool:
    """At least half of the non-blank values are full day-first dates."""
    present = int((~arr.is_null).sum())
    if present == 0:
        return False
    values, _ = parse.parse_dates(arr)
    return int((~np.isnat(values)).sum()) >= 0.5 * present


# ---------------------------------------------------------------------------- validate
def _blank_and_duplicates(table: RawTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(blank mask, duplicate mask, position of the first copy) over the raw table.

    A row can only copy an earlier one if its value in the most varied column (usually the record
    id) repeats, so rows are compared in full only among those few candidates: no n x columns
    matrix is built for a million rows of distinct ids.
    """
    n = table.n_rows
    # A malformed row's cells stand in blank for text that did not fit: it is neither blank nor
    # compared with other rows.
    malformed = table.malformed_mask
    blank = ~malformed
    for arr in table.columns:
        blank &= arr.codes < 0
    first = np.arange(n, dtype=np.int64)
    duplicate = np.zeros(n, dtype=bool)
    if not table.columns:
        return blank, duplicate, first
    widest = max(table.columns, key=lambda arr: len(arr.dictionary))
    counts = np.bincount(widest.codes + 1)
    candidates = np.flatnonzero((counts[widest.codes + 1] > 1) & ~blank & ~malformed)
    if len(candidates) < 2:
        return blank, duplicate, first
    codes = np.column_stack([arr.codes[candidates] for arr in table.columns])
    # np.lexsort is stable: equal rows stay in position order, the first copy leads its group.
    order = np.lexsort(codes.T[::-1])
    ordered = codes[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    leader = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
    copies = order[~starts]
    duplicate[candidates[copies]] = True
    first[candidates[copies]] = candidates[leader[~starts]]
    return blank, duplicate, first


def _malformed_hits(spec: ExtractSpec, malformed: dict[int, str]) -> list[rules.Hit]:
    """One error hit per kind of malformed row (rows with the wrong number of values). The row's
    text is not copied: it did not go through the identifier checks column by column."""
    by_message: dict[str, list[int]] = {}
    for position, message in sorted(malformed.items()):
        by_message.setdefault(message, []).append(position)
    return [
        rules.Hit(
            spec.rule("malformed_row"),
            "",
            np.array(positions, dtype=np.int64),
            [None] * len(positions),
            f"{message}; its values are not copied here: correct the row in the source file",
        )
        for message, positions in by_message.items()
    ]


def _typed_columns(
    spec: ExtractSpec, columns: dict[str, Encoded]
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Parse every canonical column; returns the typed frame and each column's bad-value mask."""
    data: dict[str, Any] = {}
    bad: dict[str, np.ndarray] = {}
    for col in spec.columns:
        arr = columns[col.name]
        if col.type == "date":
            values, bad[col.name] = parse.parse_dates(arr)
            data[col.name] = values.astype(DATE_DTYPE)
        elif col.type == "category":
            data[col.name], bad[col.name] = parse.parse_categories(arr, col)
        elif col.type == "int":
            data[col.name], bad[col.name] = parse.parse_ints(arr, col.minimum)
        elif col.type == "list":
            values, bad[col.name] = parse.parse_lists(arr, col)
            data[col.name] = text_series(values)
        else:
            data[col.name] = arr.to_arrow().to_pandas(
                types_mapper={pa.string(): pd.StringDtype(na_value=np.nan)}.get
            )
            bad[col.name] = np.zeros(len(arr), dtype=bool)
    return pd.DataFrame(data), bad


def _join_by_row(rows: np.ndarray, texts: np.ndarray, n: int, sep: str) -> np.ndarray:
    """For each of ``n`` rows, the distinct texts hitting it joined by ``sep`` (None if none).

    Loops over the few distinct texts, not over rows.
    """
    out = np.full(n, None, dtype=object)
    if not len(rows):
        return out
    text_codes, uniques = pd.factorize(pd.Series(texts, dtype=object))
    pairs = np.unique(rows.astype(np.int64) * len(uniques) + text_codes)
    pair_rows, pair_text = pairs // len(uniques), pairs % len(uniques)
    for k, text in enumerate(uniques):
        at = pair_rows[pair_text == k]
        current = out[at]
        has = np.array([c is not None for c in current], dtype=bool) if len(at) else current
        joined = current.copy()
        joined[has] = current[has] + (sep + text)
        joined[~has] = text
        out[at] = joined
    return out


def clean(
    kind: str,
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    pseudonymise: bool = False,
    drop: Iterable[str] = (),
    sheet: str | None = None,
    source_name: str | None = None,
    environ: dict[str, str] | None = None,
    today: date | None = None,
) -> CleanResult:
    """Clean one extract in memory.

    ``source`` is a CSV/XLSX path or a DataFrame (values are treated as the text a CSV would hold;
    row numbers count as if it were written with a header, first row = 2). Raises
    :class:`ExtractError` for unreadable or invalid input, :class:`IdentifierError` when direct
    identifiers are found, :class:`PseudonymKeyError` when ``pseudonymise`` has no key.
    """
    spec = get_spec(kind)
    if isinstance(source, pd.DataFrame):
        table = _load.table_from_frame(source, source_name or "<DataFrame>")
        if table.n_rows == 0:
            raise ExtractError("The DataFrame has no rows.")
    else:
        table = _load.read_extract(source, sheet=sheet, wide=_id_header(spec))
        if source_name:
            table.source_file = source_name
    if pseudonymise:
        privacy.pseudonym_key(environ)  # refuse early, before any work
    protected = _protect(table, spec, pseudonymise, drop, environ)
    n = table.n_rows
    source_file = table.source_file

    blank, duplicate, first = _blank_and_duplicates(table)
    active = ~blank & ~duplicate
    malformed = table.malformed_mask
    typed, bad = _typed_columns(spec, protected.columns)
    raw = protected.columns

    hits: list[rules.Hit] = _malformed_hits(spec, table.malformed)
    if blank.any():
        h = rules.hit(spec.rule("blank_row"), "", blank, None, "every cell is empty")
        h.action = "skipped"
        hits.append(h)
    if duplicate.any():
        rows = np.flatnonzero(duplicate)
        hits.append(
            rules.Hit(
                spec.rule("exact_duplicate"),
                "",
                rows,
                [f"row {r}" for r in table.source_rows[first[rows]]],
                "exact copy of an earlier row (value = the row kept)",
                "dropped as duplicate",
            )
        )
    # A malformed row stays active so that its error quarantines it, but its cells (blank
    # stand-ins) are not judged by the other rules.
    hits.extend(rules.generic_hits(spec, raw, typed, bad, active & ~malformed, today))
    error = np.zeros(n, dtype=bool)
    for h in hits:
        if h.rule.severity == "error":
            error[h.rows] = True
    candidates = np.flatnonzero(active & ~error)
    # Rows by person, then event date: sorted once here for the checks and the derived fields.
    person_codes = raw[spec.person_id].codes
    event = typed[spec.event_date]
    order = order_within(
        person_codes[candidates], event if len(candidates) == n else event.iloc[candidates]
    )
    specific = rules.specific_hits(spec, typed, candidates, raw, order=order)
    hits.extend(specific)
    for h in specific:
        if h.rule.severity == "error":
            error[h.rows] = True
    quarantined = active & error
    kept = active & ~error

    all_rows = np.concatenate([h.rows for h in hits]) if hits else np.zeros(0, dtype=np.int64)
    codes = (
        np.concatenate([np.full(len(h.rows), h.rule.code, dtype=object) for h in hits])
        if hits
        else np.zeros(0, dtype=object)
    )
    sev = (
        np.concatenate([np.full(len(h.rows), h.rule.severity, dtype=object) for h in hits])
        if hits
        else np.zeros(0, dtype=object)
    )
    msgs = (
        np.concatenate(
            [
                np.full(
                    len(h.rows), f"{h.column}: {h.message}" if h.column else h.message, dtype=object
                )
                for h in hits
            ]
        )
        if hits
        else np.zeros(0, dtype=object)
    )

    # ---- clean data
    is_query = sev == "query"
    flags = _join_by_row(all_rows[is_query], codes[is_query], n, ";")
    keep_pos = np.flatnonzero(kept)
    data = typed.iloc[keep_pos].reset_index(drop=True)
    data["source_file"] = pd.Categorical.from_codes(
        np.zeros(len(keep_pos), dtype=np.int8), categories=[source_file]
    )
    data["source_row"] = pd.array(table.source_rows[keep_pos], dtype="Int64")
    data["query_flags"] = text_series(flags[keep_pos])
    for name, arr in protected.extras.items():
        data[name] = _extra_series(arr, keep_pos)
    data = spec.derive(
        data,
        person_codes=person_codes[keep_pos],
        order=restrict_order(order, kept[candidates]),
    )
    dtypes = column_dtypes(spec)
    data = data[[*dtypes, *protected.extras]]
    validate(kind, data)

    # ---- quarantine (text as read, after privacy)
    q_pos = np.flatnonzero(quarantined)
    is_err = sev == "error"
    quarantine = pd.DataFrame(
        {
            "source_file": _repeat_text(source_file, len(q_pos)),
            "source_row": pd.array(table.source_rows[q_pos], dtype="Int64"),
        }
    )
    for name in spec.names:
        quarantine[name] = pd.array(raw[name].values_at(q_pos), dtype="str")
    for name, arr in protected.extras.items():
        quarantine[name] = _extra_series(arr, q_pos)
    quarantine["rules"] = pd.array(
        _join_by_row(all_rows[is_err], codes[is_err], n, ";")[q_pos], dtype="str"
    )
    quarantine["reasons"] = pd.array(
        _join_by_row(all_rows[is_err], msgs[is_err], n, "; ")[q_pos], dtype="str"
    )

    log = (
        pd.concat(
            [*protected.log, rules.log_frame(hits, source_file, table.source_rows)],
            ignore_index=True,
        )
        if protected.log
        else rules.log_frame(hits, source_file, table.source_rows)
    )
    log = log[rules.LOG_COLUMNS]

    summary = _summary(
        spec, source_file, n, data, quarantine, blank, duplicate, hits, protected, pseudonymise
    )
    return CleanResult(kind, data, quarantine, log, summary)


def _repeat_text(text: str, n: int) -> pd.Series:
    """``n`` copies of ``text`` as a ``str`` Series (one dictionary entry, not n Python strings)."""
    indices = pa.array(np.zeros(n, dtype=np.int32))
    return text_series(pa.DictionaryArray.from_arrays(indices, pa.array([text], pa.string())))


def _extra_series(arr: pa.Array, positions: np.ndarray) -> pd.Series:
    values = arr.take(pa.array(positions))
    if pa.types.is_integer(values.type):
        return pd.Series(pd.array(values.to_pylist(), dtype="Int64"))
    return pd.Series(pd.array(values.to_pylist(), dtype="str"))


def _summary(
    spec: ExtractSpec,
    source_file: str,
    n: int,
    data: pd.DataFrame,
    quarantine: pd.DataFrame,
    blank: np.ndarray,
    duplicate: np.ndarray,
    hits: list[rules.Hit],
    protected: _Protected,
    pseudonymise: bool,
) -> dict[str, Any]:
    per_rule: dict[str, dict[str, Any]] = {}
    for code, rule in spec.rules.items():
        per_rule[code] = {
            "severity": rule.severity,
            "description": rule.description,
            "rows": 0,
            "hits": 0,
        }
    rows_by_rule: dict[str, set[int]] = {}
    for h in hits:
        entry = per_rule[h.rule.code]
        entry["hits"] += len(h.rows)
        rows_by_rule.setdefault(h.rule.code, set()).update(h.rows.tolist())
    for code, rows in rows_by_rule.items():
        per_rule[code]["rows"] = len(rows)
    flagged = int((data["query_flags"].notna()).sum())
    summary = {
        "kind": spec.kind,
        "source_file": source_file,
        "rows_in": int(n),
        "clean": len(data),
        "quarantined": len(quarantine),
        "duplicates": int(duplicate.sum()),
        "blank": int(blank.sum()),
        "flagged": flagged,
        "pseudonymised": bool(pseudonymise),
        "columns_dropped": protected.dropped,
        "placeholders_read_as_blank": protected.placeholders,
        "rules": per_rule,
    }
    summary["balanced"] = summary["rows_in"] == (
        summary["clean"] + summary["quarantined"] + summary["duplicates"] + summary["blank"]
    )
    return summary


def summary_text(summary: dict[str, Any]) -> str:
    """The summary as a few lines for the terminal."""
    s = summary
    lines = [
        f"{s['kind'].upper()} {s['source_file']}: {s['rows_in']} rows in -> {s['clean']} clean "
        f"({s['flagged']} flagged), {s['quarantined']} quarantined, {s['duplicates']} duplicates, "
        f"{s['blank']} blank",
    ]
    fired = [(c, r) for c, r in s["rules"].items() if r["rows"]]
    if fired:
        lines.append("rule      severity  rows  description")
        lines += [f"{c:<9} {r['severity']:<9} {r['rows']:>5}  {r['description']}" for c, r in fired]
    if s["columns_dropped"]:
        lines.append("columns dropped: " + ", ".join(s["columns_dropped"]))
    for column, found in (s.get("placeholders_read_as_blank") or {}).items():
        cells = ", ".join(f"{n} x {t!r}" for t, n in found.items())
        lines.append(f"read as blank in {column}: {cells}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- outputs
def output_paths(kind: str, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """The four output files of ``kind`` in ``out_dir``."""
    out = Path(out_dir)
    return {
        "data": out / f"{kind}.parquet",
        "quarantine": out / f"{kind}_quarantine.csv",
        "log": out / f"{kind}_cleaning_log.csv",
        "summary": out / f"{kind}_summary.json",
    }


def write_outputs(
    result: CleanResult,
    out_dir: str | os.PathLike[str] = PROCESSED,
    *,
    validated: bool = False,
) -> dict[str, Path]:
    """Write parquet, quarantine, log and summary; each goes to a temporary folder first and is
    renamed into place only once all four are written, so a failed run leaves no half set.

    The data are checked against the schema first, unless ``validated`` says they come straight
    from :func:`clean` (which has just checked them) with nothing changed since.
    """
    if not validated:
        validate(result.kind, result.data)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = output_paths(result.kind, out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{result.kind}-", dir=out))
    try:
        staged = {k: tmp / p.name for k, p in paths.items()}
        result.data.to_parquet(
            staged["data"], index=False, use_dictionary=_dictionary_columns(result)
        )
        result.quarantine.to_csv(staged["quarantine"], index=False)
        result.log.to_csv(staged["log"], index=False)
        staged["summary"].write_text(json.dumps(result.summary, indent=2) + "\n", encoding="utf-8")
        for k, p in paths.items():
            os.replace(staged[k], p)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return paths


def _dictionary_columns(result: CleanResult) -> list[str]:
    """Columns parquet should dictionary-encode: all but ids and row numbers, whose values are
    mostly distinct (parquet would hash a million values only to fall back to plain)."""
    spec = get_spec(result.kind)
    distinct = {c.name for c in spec.columns if c.type == "id"} | {"source_row"}
    return [str(c) for c in result.data.columns if c not in distinct]


def load_processed(
    kind: str, folder: str | os.PathLike[str] = PROCESSED, *, synthetic_fallback: bool = True
) -> pd.DataFrame:
    """The clean ``kind`` data from ``folder``; if it is missing, clean the synthetic extract in
    memory instead (``data/raw/synthetic/<kind>.csv``, or a freshly generated one)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown extract kind {kind!r}: choose one of {', '.join(KINDS)}.")
    path = output_paths(kind, folder)["data"]
    if path.exists():
        return pd.read_parquet(path)
    if not synthetic_fallback:
        raise FileNotFoundError(f"{path} does not exist: run `sscb clean {kind} FILE` first.")
    raw = SYNTHETIC / f"{kind}.csv"
    if raw.exists():
        return clean(kind, raw).data
    from sscb_analysis import synth

    frames = synth.generate(synth.DEFAULT_SEED)
    return clean(kind, synth.format_for_csv(frames[kind]), source_name=f"synthetic {kind}").data

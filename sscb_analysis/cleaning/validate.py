"""The rule engine: applies an extract's coded rules and builds the cleaning log.

A rule *hit* names the rows (positions in the table as read), the column and a message. Errors
send rows to the quarantine, queries keep them with a flag, info entries are only logged. The log
has one line per hit with the columns in ``LOG_COLUMNS`` (the design's contract).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.extracts import ExtractSpec, Rule

LOG_COLUMNS = [
    "source_file",
    "source_row",
    "column",
    "rule",
    "severity",
    "value",
    "message",
    "action",
]

ACTIONS = {"error": "quarantined", "query": "kept, flagged", "info": "logged"}

EARLIEST = np.datetime64("1990-01-01", "D")

#: Column-level log entries (no row): what happened to a whole column and why.
COLUMN_RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("LOAD001", "info", "unknown column dropped"),
        Rule("LOAD002", "info", "optional column absent from the file; left blank"),
        Rule("LOAD003", "info", "column dropped on request (--drop)"),
        Rule("LOAD004", "info", "placeholders for no value (NULL, N/A, ...) read as blank"),
        Rule("PRIV001", "info", "identifier column dropped (--pseudonymise)"),
        Rule("PRIV002", "info", "ids replaced by a keyed pseudonym (HMAC-SHA256)"),
        Rule("PRIV003", "info", "date of birth degraded to month and age at the event"),
        Rule("PRIV004", "info", "postcode cut to its sector"),
    )
}


@dataclass
class Hit:
    """Rows (positions) that broke one rule in one column."""

    rule: Rule
    column: str
    rows: np.ndarray
    values: list[object]
    message: str
    action: str | None = None


def hit(rule: Rule, column: str, mask: np.ndarray, raw: Encoded | None, message: str) -> Hit:
    """A :class:`Hit` for the rows where ``mask`` is true, with their raw values from ``raw``."""
    rows = np.flatnonzero(mask)
    values = raw.values_at(rows) if raw is not None and len(rows) else [None] * len(rows)
    return Hit(rule, column, rows, values, message)


def generic_hits(
    spec: ExtractSpec,
    raw: dict[str, Encoded],
    typed: pd.DataFrame,
    bad: dict[str, np.ndarray],
    active: np.ndarray,
    today: date | None = None,
) -> list[Hit]:
    """Hits of the rules every extract shares (ids, blanks, dates, categories, numbers, date order)."""
    latest = np.datetime64(today or date.today(), "D")
    hits: list[Hit] = []
    for col in spec.columns:
        name = col.name
        arr = raw[name]
        is_null = arr.is_null
        if col.type == "id":
            hits.append(
                hit(spec.rule("missing_id"), name, active & is_null, None, f"{name} is blank")
            )
        elif not col.nullable:
            hits.append(
                hit(spec.rule("missing_value"), name, active & is_null, None, f"{name} is blank")
            )
        if col.type == "date":
            hits.append(
                hit(
                    spec.rule("bad_date"),
                    name,
                    active & bad[name],
                    arr,
                    "not a day-first date, or a date that does not exist",
                )
            )
            values = typed[name].to_numpy(dtype="datetime64[D]")
            known = ~np.isnat(values)
            hits.append(
                hit(
                    spec.rule("date_out_of_range"),
                    name,
                    active & known & (values > latest),
                    arr,
                    "date in the future",
                )
            )
            hits.append(
                hit(
                    spec.rule("date_out_of_range"),
                    name,
                    active & known & (values < EARLIEST),
                    arr,
                    "date before 1990",
                )
            )
        elif col.type in ("category", "list"):
            rule = (
                spec.rule(col.invalid_rule) if col.invalid_rule else spec.rule("unknown_category")
            )
            allowed = ", ".join(col.categories)
            hits.append(hit(rule, name, active & bad[name], arr, f"not one of: {allowed}"))
        elif col.type == "int":
            floor = "" if col.minimum is None else f" of at least {col.minimum}"
            hits.append(
                hit(
                    spec.rule("bad_number"),
                    name,
                    active & bad[name],
                    arr,
                    f"not a whole number{floor}",
                )
            )
    record = raw[spec.record_id]
    present = active & ~record.is_null
    if present.any():
        # Rows whose record id is on more than one active row: counted per code, not hashed.
        codes = record.codes
        counts = np.bincount(codes[present])
        dup = present & (counts[np.where(present, codes, 0)] > 1)
        hits.append(
            hit(
                spec.rule("duplicate_id"),
                spec.record_id,
                dup,
                record,
                f"{spec.record_id} is on more than one row and the rows differ",
            )
        )
    for earlier, later, code in spec.date_order:
        a = typed[earlier].to_numpy(dtype="datetime64[D]")
        b = typed[later].to_numpy(dtype="datetime64[D]")
        wrong = active & ~np.isnat(a) & ~np.isnat(b) & (b < a)
        hits.append(hit(spec.rule(code), later, wrong, raw[later], f"{later} is before {earlier}"))
    return [h for h in hits if len(h.rows)]


def specific_hits(
    spec: ExtractSpec,
    typed: pd.DataFrame,
    rows: np.ndarray,
    raw: dict[str, Encoded],
    order: np.ndarray | None = None,
) -> list[Hit]:
    """Hits of the extract's own checks, run on the rows at positions ``rows``.

    ``order`` (optional): those rows' :func:`~sscb_analysis.measures.order_within` by person and
    event date, passed on to the checks so they need not sort again.
    """
    frame = typed.iloc[rows].reset_index(drop=True)
    person = raw.get(spec.person_id)
    person_codes = person.codes[rows] if person is not None else None
    hits = []
    for code, column, mask, message in spec.checks(frame, person_codes=person_codes, order=order):
        values = mask.to_numpy() if isinstance(mask, pd.Series) else np.asarray(mask)
        if values.dtype != bool:  # nullable or object: missing counts as not hit
            values = np.asarray(pd.Series(mask).fillna(False).to_numpy(dtype=bool))
        if values.any():
            full = np.zeros(len(typed), dtype=bool)
            full[rows[values]] = True
            hits.append(hit(spec.rule(code), column, full, raw.get(column), message))
    return hits


def log_frame(hits: list[Hit], source_file: str, source_rows: np.ndarray) -> pd.DataFrame:
    """The cleaning log: one line per hit and row, ordered by row then rule."""
    parts = []
    for h in hits:
        n = len(h.rows)
        parts.append(
            pd.DataFrame(
                {
                    "source_file": source_file,
                    "source_row": pd.array(source_rows[h.rows], dtype="Int64"),
                    "column": h.column,
                    "rule": h.rule.code,
                    "severity": h.rule.severity,
                    "value": pd.array(
                        [None if v is None else str(v) for v in h.values], dtype="str"
                    ),
                    "message": h.message,
                    "action": h.action or ACTIONS[h.rule.severity],
                },
                index=range(n),
            )
        )
    if not parts:
        return empty_log()
    log = pd.concat(parts, ignore_index=True)
    log = log.sort_values(
        ["source_row", "rule"], kind="stable", na_position="first", ignore_index=True
    )
    for col in ("source_file", "column", "rule", "severity", "message", "action"):
        log[col] = log[col].astype("str")
    return log[LOG_COLUMNS]


def column_entry(
    source_file: str, column: str, code: str, message: str, action: str
) -> pd.DataFrame:
    """A log line about a whole column (no row)."""
    rule = COLUMN_RULES[code]
    return pd.DataFrame(
        {
            "source_file": [source_file],
            "source_row": pd.array([pd.NA], dtype="Int64"),
            "column": [column],
            "rule": [code],
            "severity": [rule.severity],
            "value": pd.array([None], dtype="str"),
            "message": [message],
            "action": [action],
        }
    )


def empty_log() -> pd.DataFrame:
    """A cleaning log with no lines and the contract's columns and dtypes."""
    return pd.DataFrame(
        {
            "source_file": pd.array([], dtype="str"),
            "source_row": pd.array([], dtype="Int64"),
            "column": pd.array([], dtype="str"),
            "rule": pd.array([], dtype="str"),
            "severity": pd.array([], dtype="str"),
            "value": pd.array([], dtype="str"),
            "message": pd.array([], dtype="str"),
            "action": pd.array([], dtype="str"),
        }
    )

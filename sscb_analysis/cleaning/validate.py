"""The rule engine (the cleaning stage after ``protect``): blank and duplicate rows, typed
columns, the extract's coded rules, the quarantine and the cleaning log.

A rule *hit* names the rows (positions in the table as read), the column and a message. Errors
send rows to the quarantine, queries keep them with a flag, info entries are only logged. The log
has one line per hit with the columns in ``LOG_COLUMNS`` (the design's contract).
:func:`check` is the stage: it returns the typed table, the hits and which rows are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sscb_analysis.cleaning import parse
from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.cleaning.schemas import DATE_DTYPE
from sscb_analysis.extracts import ExtractSpec, Rule
from sscb_analysis.measures import order_within, restrict_order, text_series

if TYPE_CHECKING:
    from sscb_analysis.cleaning.read import RawTable

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
        Rule(
            "LOAD005", "info", "a header that could mean more than one column, and how it was read"
        ),
        Rule("LOAD006", "info", "optional column absent from the file; another column stands in"),
        Rule("LOAD007", "info", "header row below title rows; the title rows skipped"),
        Rule("LOAD008", "info", "no record id column: the record key is derived (child + start)"),
        Rule("PRIV001", "info", "identifier column dropped (--pseudonymise)"),
        Rule("PRIV002", "info", "ids replaced by a keyed pseudonym (HMAC-SHA256)"),
        Rule("PRIV003", "info", "date of birth degraded to month and age at the event"),
        Rule("PRIV004", "info", "postcode cut to its sector"),
        Rule(
            "PRIV005",
            "info",
            "ten-digit ids read as the case system's numbering, not NHS numbers (check digits "
            "pass only as often as chance gives)",
        ),
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
    #: Log a run of more than :data:`LONG_RUN` consecutive rows as one line (blank rows: one
    #: stray cell at row 1,048,576 must not write a million lines).
    collapse_runs: bool = False


#: Consecutive rows of one collapsing hit logged one by one; a longer run is one line.
LONG_RUN = 10


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
        elif col.type == "list" and col.other:
            message = f"an item not one of: {', '.join(col.categories)}; counted as {col.other}"
            hits.append(
                hit(spec.rule("unknown_item_query"), name, active & bad[name], arr, message)
            )
        elif col.type in ("category", "list"):
            if col.invalid_rule:
                rule = spec.rule(col.invalid_rule)
            elif col.headline:
                rule = spec.rule("unknown_category")
            else:
                rule = spec.rule("unknown_code_query")
            allowed = ", ".join(col.categories)
            message = f"not one of: {allowed}" + ("" if col.headline else "; read as blank")
            hits.append(hit(rule, name, active & bad[name], arr, message))
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


def log_frame(
    hits: list[Hit],
    source_file: str | np.ndarray,
    source_rows: np.ndarray,
    file_index: np.ndarray | None = None,
) -> pd.DataFrame:
    """The cleaning log: one line per hit and row, ordered by (file,) row, then rule.

    ``source_file``: the file's name, or (several returns) each row's; ``file_index``: each
    row's file in input order, for the order of the log.
    """
    parts = []
    for h in hits:
        rows, values, message = h.rows, h.values, h.message
        if h.collapse_runs:
            rows, values, message = _collapse_runs(h, source_rows)
        n = len(rows)
        parts.append(
            pd.DataFrame(
                {
                    "source_file": source_file
                    if isinstance(source_file, str)
                    else source_file[rows],
                    "_file": 0 if file_index is None else file_index[rows],
                    "source_row": pd.array(source_rows[rows], dtype="Int64"),
                    "column": h.column,
                    "rule": h.rule.code,
                    "severity": h.rule.severity,
                    "value": pd.array([None if v is None else str(v) for v in values], dtype="str"),
                    "message": message,
                    "action": h.action or ACTIONS[h.rule.severity],
                },
                index=range(n),
            )
        )
    if not parts:
        return empty_log()
    log = pd.concat(parts, ignore_index=True)
    log = log.sort_values(
        ["_file", "source_row", "rule"], kind="stable", na_position="first", ignore_index=True
    )
    for col in ("source_file", "column", "rule", "severity", "message", "action"):
        log[col] = log[col].astype("str")
    return log[LOG_COLUMNS]


def _collapse_runs(h: Hit, source_rows: np.ndarray) -> tuple[np.ndarray, list, object]:
    """(rows, values, messages) of ``h`` with each run of more than :data:`LONG_RUN` consecutive
    rows given as its first row, whose message names the run's last row and length."""
    rows = np.asarray(h.rows)
    if len(rows) <= LONG_RUN:
        return rows, h.values, h.message
    starts = np.flatnonzero(np.diff(rows, prepend=-2) != 1)
    ends = np.append(starts[1:], len(rows)) - 1
    keep, messages = [], []
    for a, b in zip(starts, ends, strict=True):
        if b - a + 1 > LONG_RUN:
            keep.append(a)
            last = int(source_rows[rows[b]])
            messages.append(f"{h.message}, and so are the rows below it to row {last:,} "
                            f"({b - a + 1:,} rows in all, logged once)")  # fmt: skip
        else:
            keep.extend(range(a, b + 1))
            messages.extend([h.message] * (b - a + 1))
    keep_at = np.asarray(keep, dtype=np.int64)
    return rows[keep_at], [h.values[i] for i in keep], np.asarray(messages, dtype=object)


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


# ---------------------------------------------------------------------------- the stage
@dataclass
class Checked:
    """What the validate stage hands on (masks over the rows as read)."""

    #: every canonical column parsed to its type (all rows)
    typed: pd.DataFrame
    hits: list[Hit]
    blank: np.ndarray
    duplicate: np.ndarray
    quarantined: np.ndarray
    kept: np.ndarray
    #: the kept rows sorted by person, then event date (positions among the kept rows)
    order: np.ndarray
    #: rows of an earlier return that a later return holds too
    superseded: np.ndarray


def check(
    table: RawTable,
    spec: ExtractSpec,
    raw: dict[str, Encoded],
    today: date | None = None,
    positions: dict[str, int] | None = None,
    *,
    blank_dup: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    match_on: tuple[str, ...] = (),
    stand_ins: dict[str, str] | None = None,
) -> Checked:
    """Blank rows, exact duplicates, malformed rows and every rule of ``spec`` over ``table``
    (a :class:`~sscb_analysis.cleaning.read.RawTable`) whose canonical columns are ``raw``
    (``positions``: each canonical column's header position in the table).

    Several returns in one table (``table.file_index``): ``blank_dup`` gives each file's blank
    and duplicate rows, found file by file, and a record in an earlier return that a later one
    holds too (the same values of ``match_on``) is set aside as the same record (``<KIND>023``,
    its changes logged as ``<KIND>024``) before the rules run. ``stand_ins``: columns that copy
    another (absent from the file): they take its parsed values and are not checked twice.
    """
    names = {i: name for name, i in (positions or {}).items()}
    n = table.n_rows
    blank, duplicate, first = blank_dup or blank_and_duplicates(table)
    footer = table.footer_mask
    active = ~blank & ~duplicate & ~footer
    malformed = table.malformed_mask
    typed, bad = typed_columns(spec, raw, stand_ins)

    hits: list[Hit] = malformed_hits(spec, table.malformed)
    superseded = np.zeros(n, dtype=bool)
    if table.file_index is not None and match_on:
        superseded, returned = same_in_returns(
            spec, table, raw, typed, active & ~table.malformed_mask, match_on
        )
        hits.extend(returned)
        active &= ~superseded
    hits.extend(cell_hits(spec, table, names))
    if blank.any():
        h = hit(spec.rule("blank_row"), "", blank, None, "every cell is empty")
        h.action, h.collapse_runs = "skipped", True
        hits.append(h)
    if footer.any():
        rows = np.flatnonzero(footer)
        hits.append(
            Hit(
                spec.rule("footer_row"),
                "",
                rows,
                [table.footers[int(r)] for r in rows],
                "a totals or notes row below the records (value = its label); not a record, "
                "its cells not copied",
                "skipped as footer",
            )
        )
    if duplicate.any():
        rows = np.flatnonzero(duplicate)
        hits.append(
            Hit(
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
    generic = generic_hits(spec, raw, typed, bad, active & ~malformed, today)
    # A cell that could not be read is not blank: its error is the only one on that cell.
    unreadable = {names.get(p.column) for p in table.problems} - {None}
    for h in generic:
        if h.column in unreadable:
            mask = np.zeros(n, dtype=bool)
            mask[[p.row for p in table.problems if names.get(p.column) == h.column]] = True
            keep = ~mask[h.rows]
            h.rows, h.values = h.rows[keep], [v for v, k in zip(h.values, keep, strict=True) if k]
    hits.extend(h for h in generic if len(h.rows))
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
    specific = specific_hits(spec, typed, candidates, raw, order=order)
    hits.extend(specific)
    for h in specific:
        if h.rule.severity == "error":
            error[h.rows] = True
    kept = active & ~error
    return Checked(
        typed,
        hits,
        blank,
        duplicate,
        active & error,
        kept,
        restrict_order(order, kept[candidates]),
        superseded,
    )


def blank_and_duplicates(table: RawTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(blank mask, duplicate mask, position of the first copy) over the raw table.

    A row can only copy an earlier one if its value in the most varied column (usually the record
    id) repeats, so rows are compared in full only among those few candidates: no n x columns
    matrix is built for a million rows of distinct ids.
    """
    n = table.n_rows
    # A malformed row's cells stand in blank for text that did not fit: it is neither blank nor
    # compared with other rows.
    malformed = table.malformed_mask
    footer = table.footer_mask
    # A cell that could not be read stands in blank too, but its row holds something (a formula
    # with no saved value): that row is a record with an error, not a blank row.
    unreadable = np.zeros(n, dtype=bool)
    unreadable[[p.row for p in table.problems]] = True
    blank = ~malformed & ~footer & ~unreadable
    for arr in table.columns:
        blank &= arr.codes < 0
    first = np.arange(n, dtype=np.int64)
    duplicate = np.zeros(n, dtype=bool)
    if not table.columns:
        return blank, duplicate, first
    widest = max(table.columns, key=lambda arr: len(arr.dictionary))
    counts = np.bincount(widest.codes + 1)
    candidates = np.flatnonzero(
        (counts[widest.codes + 1] > 1) & ~blank & ~malformed & ~footer & ~unreadable
    )
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


def malformed_hits(spec: ExtractSpec, malformed: dict[int, str]) -> list[Hit]:
    """One error hit per kind of malformed row (rows with the wrong number of values). The row's
    text is not copied: it did not go through the identifier checks column by column."""
    by_message: dict[str, list[int]] = {}
    for position, message in sorted(malformed.items()):
        by_message.setdefault(message, []).append(position)
    return [
        Hit(
            spec.rule("malformed_row"),
            "",
            np.array(positions, dtype=np.int64),
            [None] * len(positions),
            f"{message}; its values are not copied here: correct the row in the source file",
        )
        for message, positions in by_message.items()
    ]


def cell_hits(spec: ExtractSpec, table: RawTable, names: dict[int, str] | None = None) -> list[Hit]:
    """One error hit per column and kind of spreadsheet cell that could not be read as stored;
    the value logged is the cell's reference (``Sheet1!D14``), never a guess at its value.
    ``names``: header position -> canonical name, for the log's column."""
    groups: dict[tuple[int, str], list[Any]] = {}
    for p in table.problems:
        if names is None or p.column in names:  # a dropped column's cells do not matter
            groups.setdefault((p.column, p.message), []).append(p)
    names = names or {}
    return [
        Hit(
            spec.rule("unreadable_cell"),
            names.get(column, table.headers[column]),
            np.array([p.row for p in found], dtype=np.int64),
            [p.reference for p in found],
            f"the cell (value = its reference) holds {message}",
        )
        for (column, message), found in groups.items()
    ]


def typed_columns(
    spec: ExtractSpec, columns: dict[str, Encoded], stand_ins: dict[str, str] | None = None
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Parse every canonical column; returns the typed frame and each column's bad-value mask
    (a stand-in column takes the parsed values of the column it copies, and no bad values)."""
    data: dict[str, Any] = {}
    bad: dict[str, np.ndarray] = {}
    for col in spec.columns:
        arr = columns[col.name]
        copied = (stand_ins or {}).get(col.name)
        if copied is not None and copied in data:
            data[col.name] = data[copied].copy()
            bad[col.name] = np.zeros(len(arr), dtype=bool)
        elif col.type == "date":
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


@dataclass
class HitRows:
    """Every hit flattened to one entry per (hit, row): positions, rule codes, severities and
    messages (``column: message``), for the flags and the quarantine's reasons."""

    rows: np.ndarray
    codes: np.ndarray
    severity: np.ndarray
    messages: np.ndarray

    @classmethod
    def of(cls, hits: list[Hit]) -> HitRows:
        if not hits:
            empty = np.zeros(0, dtype=object)
            return cls(np.zeros(0, dtype=np.int64), empty, empty, empty)

        def repeat(value_of) -> np.ndarray:
            return np.concatenate([np.full(len(h.rows), value_of(h), dtype=object) for h in hits])

        return cls(
            np.concatenate([h.rows for h in hits]),
            repeat(lambda h: h.rule.code),
            repeat(lambda h: h.rule.severity),
            repeat(lambda h: f"{h.column}: {h.message}" if h.column else h.message),
        )

    def query_flags(self, n: int) -> np.ndarray:
        """Per row, the query rule codes joined by ``;`` (None without any)."""
        is_query = self.severity == "query"
        return join_by_row(self.rows[is_query], self.codes[is_query], n, ";")


def quarantine_frame(
    spec: ExtractSpec,
    raw: dict[str, Encoded],
    extras: dict[str, pd.Series],
    positions: np.ndarray,
    source_file: str | np.ndarray,
    source_rows: np.ndarray,
    flat: HitRows,
    n: int,
) -> pd.DataFrame:
    """The quarantined rows at ``positions`` as text (after privacy), with their rules and reasons.

    ``extras``: the degraded extras already taken at ``positions``.
    """
    is_err = flat.severity == "error"
    quarantine = pd.DataFrame(
        {
            "source_file": repeat_text(source_file, len(positions))
            if isinstance(source_file, str)
            else pd.array(source_file[positions].tolist(), dtype="str"),
            "source_row": pd.array(source_rows[positions], dtype="Int64"),
        }
    )
    for name in spec.names:
        quarantine[name] = pd.array(raw[name].values_at(positions), dtype="str")
    for name, values in extras.items():
        quarantine[name] = values
    quarantine["rules"] = pd.array(
        join_by_row(flat.rows[is_err], flat.codes[is_err], n, ";")[positions], dtype="str"
    )
    quarantine["reasons"] = pd.array(
        join_by_row(flat.rows[is_err], flat.messages[is_err], n, "; ")[positions], dtype="str"
    )
    return quarantine


def repeat_text(text: str, n: int) -> pd.Series:
    """``n`` copies of ``text`` as a ``str`` Series (one dictionary entry, not n Python strings)."""
    indices = pa.array(np.zeros(n, dtype=np.int32))
    return text_series(pa.DictionaryArray.from_arrays(indices, pa.array([text], pa.string())))


def join_by_row(rows: np.ndarray, texts: np.ndarray, n: int, sep: str) -> np.ndarray:
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


def same_in_returns(
    spec: ExtractSpec,
    table: RawTable,
    raw: dict[str, Encoded],
    typed: pd.DataFrame,
    active: np.ndarray,
    match_on: tuple[str, ...],
) -> tuple[np.ndarray, list[Hit]]:
    """(rows of an earlier return that a later return holds too, their hits).

    A record is matched on ``match_on`` (the record id, or the child and the start date when a
    return has no plan id); the row from the latest return that holds it is kept and each
    earlier row is logged as the same record (value: the row kept), with one more line for
    each column whose value changed (value: earlier -> later).
    """
    n = table.n_rows
    parts = []
    known = active.copy()
    for name in match_on:
        if spec.column(name).type == "date":
            days = typed[name].to_numpy(dtype="datetime64[D]")
            known &= ~np.isnat(days)
            parts.append(np.where(np.isnat(days), 0, days.view(np.int64)))
        else:
            known &= ~raw[name].is_null
            parts.append(raw[name].codes)
    superseded = np.zeros(n, dtype=bool)
    rows = np.flatnonzero(known)
    if not len(rows):
        return superseded, []
    _, key = np.unique(np.column_stack([p[rows] for p in parts]), axis=0, return_inverse=True)
    key = key.ravel()
    files = table.file_index[rows]
    latest = np.full(key.max() + 1, -1, dtype=np.int64)
    np.maximum.at(latest, key, files)
    earlier = files < latest[key]
    if not earlier.any():
        return superseded, []
    # The kept row of each record: its first row in the latest return that holds it.
    in_latest = np.flatnonzero(~earlier)
    keeper = np.full(len(latest), -1, dtype=np.int64)
    keeper[key[in_latest[::-1]]] = rows[in_latest[::-1]]
    old = rows[earlier]
    new = keeper[key[earlier]]
    superseded[old] = True
    names = table.row_files()
    where = [f"{names[k]} row {table.source_rows[k]}" for k in new]
    hits = [
        Hit(
            spec.rule("same_in_two_returns"),
            "",
            old,
            where,
            "the same record is in a later return (value = the row kept); counted once",
            "replaced by the later return",
        )
    ]
    for col in spec.columns:
        before, after = _comparable(col, raw, typed, old), _comparable(col, raw, typed, new)
        changed = np.array([a != b for a, b in zip(before, after, strict=True)], dtype=bool)
        if changed.any():
            hits.append(
                Hit(
                    spec.rule("changed_between_returns"),
                    col.name,
                    old[changed],
                    [
                        f"{a or '(blank)'} -> {b or '(blank)'}"
                        for a, b, c in zip(before, after, changed, strict=True)
                        if c
                    ],
                    "changed in the later return (value = earlier -> later); the later value "
                    "is kept",
                    "later value kept",
                )
            )
    return superseded, hits


def _comparable(col: Any, raw: dict[str, Encoded], typed: pd.DataFrame, rows: np.ndarray) -> list:
    """The values of one column at ``rows`` as text that compares equal when the values do
    (dates and categories as read, so "01/04/2013" and "2013-04-01" are the same date)."""
    if col.type in ("date", "category", "int", "list"):
        values = typed[col.name].iloc[rows]
        if col.type == "date":
            return ["" if pd.isna(v) else pd.Timestamp(v).date().isoformat() for v in values]
        return ["" if pd.isna(v) else str(v) for v in values]
    return [v or "" for v in raw[col.name].values_at(rows)]

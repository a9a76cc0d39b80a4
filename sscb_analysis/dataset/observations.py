"""Reading and checking the board's indicator dataset (``indicators.csv``), like an extract.

The file is tidy: one row per indicator and period, with the columns ``indicator``,
``period_start``, ``period_end``, ``numerator``, ``denominator`` (optional) and ``value``
(optional when the numerator, and for a percentage or a rate the denominator, give it). It goes
through the same stages as an extract: the file is read by the cleaning stage's reader, every
cell and header passes the same identifier scan (:mod:`sscb_analysis.cleaning.protect`), and
coded rules (:data:`RULES`) send a row to the quarantine (error), keep it with a flag (query) or
only log it (info). Every input row ends in exactly one of the clean table or the quarantine, or
is logged as a blank row or an exact duplicate; the log has the cleaning log's columns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sscb_analysis.cleaning import protect
from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.cleaning.parse import parse_dates
from sscb_analysis.cleaning.read import RawTable, read_extract
from sscb_analysis.cleaning.validate import LOG_COLUMNS
from sscb_analysis.dataset.definitions import IndicatorDefinitions
from sscb_analysis.extracts import Rule, compact

__all__ = [
    "COLUMNS",
    "RULES",
    "IndicatorData",
    "check_indicators",
    "describe_log",
    "period_kind",
    "read_indicators",
]

COLUMNS = ("indicator", "period_start", "period_end", "numerator", "denominator", "value")
_REQUIRED = ("indicator", "period_start", "period_end")
_ALIASES = {"measure": "indicator", "key": "indicator", "indicatorkey": "indicator"}

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("IND001", "error", "indicator key blank"),
        Rule("IND002", "error", "indicator not defined in indicators.yml"),
        Rule("IND003", "error", "period date blank or not a date"),
        Rule("IND004", "error", "period ends before it starts"),
        Rule("IND005", "error", "numerator not a whole number of at least 0"),
        Rule("IND006", "error", "denominator not a whole number above 0"),
        Rule("IND007", "error", "numerator larger than the denominator of a percentage"),
        Rule("IND008", "error", "no value, and no numerator (and denominator) to give it"),
        Rule("IND009", "error", "value not a number, or outside the unit's range"),
        Rule("IND010", "error", "value disagrees with the numerator and denominator"),
        Rule("IND011", "error", "two rows for one indicator and period, with different figures"),
        Rule("IND012", "error", "period overlaps another period of the indicator"),
        Rule("IND013", "error", "period length differs from the indicator's other periods"),
        Rule("IND014", "query", "a period is missing before this one: the series has a gap"),
        Rule("IND015", "query", "denominator given for a count: not used"),
        Rule("IND016", "info", "exact duplicate row: kept once"),
        Rule("IND017", "info", "blank row"),
        Rule("IND018", "info", "unknown column dropped"),
    )
}
_ACTIONS = {"error": "quarantined", "query": "kept, flagged", "info": "logged"}
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


@dataclass(frozen=True)
class IndicatorData:
    """The checked dataset: ``table`` (clean rows), ``quarantine``, ``log`` and the definitions.

    ``table`` has ``indicator, period_start, period_end, numerator, denominator, value,
    source_row`` (dates as ``datetime64``; ``value`` in the unit's scale, e.g. 23.7 for 23.7%),
    sorted by indicator and period. ``quarantine`` holds the rows as read, with ``source_row``
    and the ``rules`` they broke. ``log`` has the cleaning log's columns.
    """

    table: pd.DataFrame
    quarantine: pd.DataFrame
    log: pd.DataFrame
    definitions: IndicatorDefinitions
    source_file: str
    rows_read: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def series(self, key: str) -> pd.DataFrame:
        """One indicator's clean rows, oldest first."""
        return self.table[self.table["indicator"] == key].reset_index(drop=True)


def read_indicators(
    path: str | Path,
    definitions: IndicatorDefinitions | str | Path | None = None,
    drop: Iterable[str] = (),
) -> IndicatorData:
    """Read ``indicators.csv`` (or .xlsx) and check it against its definitions.

    ``definitions`` defaults to ``indicators.yml`` beside the file. ``drop`` names columns to
    leave out before the identifier scan. Raises :class:`~sscb_analysis.cleaning.read.ExtractError`
    for an unreadable file or a missing required column, and
    :class:`~sscb_analysis.cleaning.protect.IdentifierError` when direct identifiers are found.
    """
    from sscb_analysis.dataset.definitions import read_definitions

    path = Path(path)
    if definitions is None:
        definitions = path.with_name("indicators.yml")
    if not isinstance(definitions, IndicatorDefinitions):
        definitions = read_definitions(definitions)
    return check_indicators(read_extract(path), definitions, drop)


def check_indicators(
    raw: RawTable, definitions: IndicatorDefinitions, drop: Iterable[str] = ()
) -> IndicatorData:
    """Check a table as read (see :func:`read_indicators`)."""
    from sscb_analysis.cleaning.read import ExtractError

    source = raw.source_file
    _refuse_identifiers_in_names(raw)
    dropped = {compact(d) for d in drop}
    log: list[dict] = []
    columns: dict[str, list[str | None]] = {}
    findings: list[protect.Finding] = []
    for header, arr in zip(raw.headers, raw.columns, strict=True):
        key = compact(header)
        if key in dropped:
            _column_line(log, source, header, "IND018", "dropped on request", "dropped")
            continue
        canonical = next((c for c in COLUMNS if compact(c) == key), _ALIASES.get(key))
        # The period columns hold event dates (a period's first and last day), not birth dates.
        scan = protect.scan_content(
            arr, raw.source_rows, event_dates=canonical in ("period_start", "period_end")
        )
        # There is no --drop or --pseudonymise for the dataset: whatever the column, the fix is
        # to correct the file, which the finding says when it names the column as the file's.
        findings.extend(protect.content_findings(header, scan, canonical or header, False))
        if canonical is None or canonical in columns:
            kind = protect.header_identifier(key)
            if kind is not None:
                reason = f"its header says it holds {protect.KIND_LABELS[kind]}"
                findings.append(protect.Finding(header, kind, reason, header))
            else:
                why = "a second column for " + canonical if canonical else "not a dataset column"
                _column_line(log, source, header, "IND018", why, "dropped")
            continue
        columns[canonical] = arr.values_at(np.arange(len(arr)))
    if findings:
        raise protect.IdentifierError(findings)
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise ExtractError(
            f"{source} has no {', '.join(repr(m) for m in missing)} column: an indicators file "
            f"needs {', '.join(_REQUIRED)}, and numerator, denominator or value "
            f"(headers found: {', '.join(raw.headers)})."
        )
    if not any(c in columns for c in ("numerator", "value")):
        raise ExtractError(
            f"{source} has neither a 'numerator' nor a 'value' column, so it holds no figures."
        )
    n = raw.n_rows
    for c in COLUMNS:
        columns.setdefault(c, [None] * n)
    return _Checker(raw, columns, definitions, log).run()


def _refuse_identifiers_in_names(raw: RawTable) -> None:
    """Refuse, as the cleaner does, a file whose name or a header holds a direct identifier:
    both would be written to the log and shown on the pages. Such a header is never printed
    (messages call it "column N")."""
    from sscb_analysis.cleaning import identifiers

    in_name = identifiers.classify(str(raw.source_file), event_dates=True)
    if in_name is not None:
        reason = f"it is withheld: it looks like it holds {identifiers.DESCRIPTIONS[in_name]}"
        raise protect.IdentifierError([protect.Finding("the file's name", "file_name", reason)])
    # Names too, as the cleaner checks them: a header of words no dataset column uses that
    # reads as a person's name ("Jane Smith") would be logged as a dropped column.
    vocabulary = {w for c in (*COLUMNS, *_ALIASES) for w in re.findall(r"[a-z]+", c.lower())}
    in_headers = identifiers.scan_headers(raw.headers, vocabulary)
    if in_headers:
        raise protect.IdentifierError(
            [
                protect.Finding(
                    identifiers.column_label(i),
                    "header",
                    f"its header is withheld: it looks like {identifiers.DESCRIPTIONS[kind]}",
                )
                for i, kind in sorted(in_headers.items())
            ]
        )


def period_kind(days: int) -> str:
    """The kind of a period of ``days`` days: week, month, quarter, year or ``N days``."""
    if days == 7:
        return "week"
    if 28 <= days <= 31:
        return "month"
    if 89 <= days <= 92:
        return "quarter"
    if 365 <= days <= 366:
        return "year"
    return f"{days} days"


def _column_line(log: list[dict], source: str, column: str, code: str, msg: str, act: str) -> None:
    rule = RULES[code]
    log.append(
        {
            "source_file": source,
            "source_row": None,
            "column": column,
            "rule": code,
            "severity": rule.severity,
            "value": None,
            "message": msg,
            "action": act,
        }
    )


def _number(text: str | None, percent: bool = False) -> float | None:
    """A number written plainly ("1,234", "23.7", "23.7%" when ``percent``), else NaN."""
    if text is None:
        return None
    t = text.strip()
    if percent and t.endswith("%"):
        t = t[:-1].strip()
    if not _NUMBER.match(t):
        return math.nan
    return float(t.replace(",", ""))


class _Checker:
    """Applies the rules row by row (indicator files are small) and assembles the outputs."""

    def __init__(
        self,
        raw: RawTable,
        columns: dict[str, list[str | None]],
        definitions: IndicatorDefinitions,
        log: list[dict],
    ) -> None:
        self.raw = raw
        self.cols = columns
        self.defs = definitions
        self.log = log
        self.n = raw.n_rows
        self.errors: dict[int, list[str]] = {}
        self.flags: dict[int, list[str]] = {}

    def hit(self, i: int, column: str, code: str, value: object, message: str) -> None:
        rule = RULES[code]
        self.log.append(
            {
                "source_file": self.raw.source_file,
                "source_row": int(self.raw.source_rows[i]),
                "column": column,
                "rule": code,
                "severity": rule.severity,
                "value": None if value is None else str(value),
                "message": message,
                "action": _ACTIONS[rule.severity],
            }
        )
        if rule.severity == "error":
            self.errors.setdefault(i, []).append(code)
        elif rule.severity == "query":
            self.flags.setdefault(i, []).append(code)

    def run(self) -> IndicatorData:
        c = self.cols
        blank = [all(c[k][i] is None for k in COLUMNS) for i in range(self.n)]
        seen: dict[tuple, int] = {}
        skip = set()
        for i in range(self.n):
            if blank[i] and not self.raw.malformed.get(i):
                self.hit(i, "", "IND017", None, "a row with no values")
                skip.add(i)
                continue
            if i in self.raw.malformed:
                self.hit(
                    i, "", "IND008", None, f"the row could not be read: {self.raw.malformed[i]}"
                )
                continue
            row = tuple(c[k][i] for k in COLUMNS)
            if row in seen:
                first = int(self.raw.source_rows[seen[row]])
                self.hit(i, "", "IND016", None, f"the same as row {first}")
                skip.add(i)
            else:
                seen[row] = i
        starts = self._dates("period_start")
        ends = self._dates("period_end")
        values = np.full(self.n, np.nan)
        nums = np.full(self.n, np.nan)
        dens = np.full(self.n, np.nan)
        for i in range(self.n):
            if i in skip or i in self.errors:
                continue
            values[i], nums[i], dens[i] = self._row(i, starts[i], ends[i])
        self._series_rules(starts, ends, values, nums, dens, skip)
        keep = [i for i in range(self.n) if i not in skip and i not in self.errors]
        bad = sorted(self.errors)
        rows = self.raw.source_rows
        table = pd.DataFrame(
            {
                "indicator": pd.array([c["indicator"][i] for i in keep], dtype="str"),
                "period_start": starts[keep],
                "period_end": ends[keep],
                "numerator": pd.array(nums[keep], dtype="Float64"),
                "denominator": pd.array(dens[keep], dtype="Float64"),
                "value": values[keep],
                "source_row": pd.array(rows[keep], dtype="Int64"),
            }
        )
        for col in ("numerator", "denominator"):
            table[col] = table[col].mask(table[col].isna(), pd.NA)
        table = table.sort_values(["indicator", "period_start"], kind="stable", ignore_index=True)
        quarantine = pd.DataFrame(
            {k: pd.array([c[k][i] for i in bad], dtype="str") for k in COLUMNS}
        )
        quarantine.insert(0, "source_row", pd.array(rows[bad], dtype="Int64"))
        quarantine["rules"] = pd.array([" ".join(self.errors[i]) for i in bad], dtype="str")
        log = pd.DataFrame(self.log, columns=LOG_COLUMNS)
        log["source_row"] = pd.array(log["source_row"], dtype="Int64")
        for col in LOG_COLUMNS:
            if col != "source_row":
                log[col] = log[col].astype("str")
        log = log.sort_values(
            ["source_row", "rule"], kind="stable", na_position="first", ignore_index=True
        )
        return IndicatorData(table, quarantine, log, self.defs, self.raw.source_file, self.n)

    def _dates(self, column: str) -> np.ndarray:
        encoded = Encoded.from_arrow(pa.array(self.cols[column], type=pa.string()))
        dates, _ = parse_dates(encoded)
        return dates

    def _row(self, i: int, start: np.datetime64, end: np.datetime64) -> tuple[float, float, float]:
        c = self.cols
        key = c["indicator"][i]
        nan = (math.nan, math.nan, math.nan)
        if key is None:
            self.hit(i, "indicator", "IND001", None, "the row names no indicator")
            return nan
        if key not in self.defs:
            known = ", ".join(sorted(self.defs))
            self.hit(
                i,
                "indicator",
                "IND002",
                key,
                f"not in {Path(self.defs.source_file).name or 'indicators.yml'}; define it there "
                f"or correct the key (defined: {known})",
            )
            return nan
        d = self.defs[key]
        for column, when in (("period_start", start), ("period_end", end)):
            if np.isnat(when):
                text = c[column][i]
                why = "blank" if text is None else "not a date (day first, e.g. 01/04/2012)"
                self.hit(i, column, "IND003", text, f"{column} is {why}")
        if np.isnat(start) or np.isnat(end):
            return nan
        if end < start:
            self.hit(
                i, "period_end", "IND004", c["period_end"][i], "the period ends before it starts"
            )
            return nan
        num = _number(c["numerator"][i])
        den = _number(c["denominator"][i])
        val = _number(c["value"][i], percent=d.unit == "percent")
        ok = True
        if num is not None and (math.isnan(num) or num < 0 or not float(num).is_integer()):
            self.hit(i, "numerator", "IND005", c["numerator"][i], "the numerator must be a count")
            ok = False
        if den is not None and (math.isnan(den) or den <= 0 or not float(den).is_integer()):
            self.hit(
                i,
                "denominator",
                "IND006",
                c["denominator"][i],
                "the denominator must be a count above 0",
            )
            ok = False
        if val is not None and (math.isnan(val) or not _in_range(val, d.unit)):
            rng = {"percent": " from 0 to 100", "count": " (a whole number of at least 0)"}
            self.hit(
                i,
                "value",
                "IND009",
                c["value"][i],
                f"a {d.unit} value must be a number{rng.get(d.unit, '')}",
            )
            ok = False
        if not ok:
            return nan
        if d.unit == "count" and den is not None:
            self.hit(i, "denominator", "IND015", c["denominator"][i], "a count is its numerator")
            den = None
        if d.unit == "percent" and num is not None and den is not None and num > den:
            self.hit(
                i, "numerator", "IND007", c["numerator"][i], f"{num:g} of {den:g} is above 100%"
            )
            return nan
        computed = None if num is None else d.value_from(num, den)
        if val is None and computed is None:
            need = (
                "value, or numerator and denominator"
                if d.needs_denominator
                else "value or numerator"
            )
            self.hit(i, "value", "IND008", None, f"a {d.unit} needs {need}")
            return nan
        if val is not None and computed is not None and not _agrees(val, computed, c["value"][i]):
            self.hit(
                i,
                "value",
                "IND010",
                c["value"][i],
                f"the numerator and denominator give {computed:.6g}, not {val:g}",
            )
            return nan
        value = computed if computed is not None else val
        return (
            float(value),
            math.nan if num is None else num,
            math.nan if den is None else den,
        )

    def _series_rules(
        self,
        starts: np.ndarray,
        ends: np.ndarray,
        values: np.ndarray,
        nums: np.ndarray,
        dens: np.ndarray,
        skip: set[int],
    ) -> None:
        c = self.cols
        by_key: dict[str, list[int]] = {}
        for i in range(self.n):
            if i not in skip and i not in self.errors:
                by_key.setdefault(c["indicator"][i], []).append(i)
        for key, rows in by_key.items():
            rows.sort(key=lambda i: (starts[i], ends[i]))
            # Same period twice with different figures: neither can be trusted.
            groups: dict[tuple, list[int]] = {}
            for i in rows:
                groups.setdefault((starts[i], ends[i]), []).append(i)
            clash = {i for g in groups.values() if len(g) > 1 for i in g}
            for i in sorted(clash):
                others = [
                    int(self.raw.source_rows[j]) for j in groups[(starts[i], ends[i])] if j != i
                ]
                self.hit(
                    i,
                    "indicator",
                    "IND011",
                    key,
                    f"{key} for this period also appears in row(s) {', '.join(map(str, others))} "
                    "with other figures; keep the right one",
                )
            rows = [i for i in rows if i not in clash]
            lengths = [int((ends[i] - starts[i]).astype(int)) + 1 for i in rows]
            kinds = [period_kind(n) for n in lengths]
            if kinds:
                usual = max(set(kinds), key=lambda k: (kinds.count(k), -kinds.index(k)))
                for i, kind in zip(list(rows), kinds, strict=True):
                    if kind != usual:
                        self.hit(
                            i,
                            "period_end",
                            "IND013",
                            f"{c['period_start'][i]} to {c['period_end'][i]}",
                            f"this row covers a {kind}, the indicator's other rows a {usual}: give "
                            "a total of several periods its own indicator key",
                        )
                rows = [i for i in rows if i not in self.errors]
            previous = None
            for i in rows:
                if previous is not None:
                    if starts[i] <= ends[previous]:
                        self.hit(
                            i,
                            "period_start",
                            "IND012",
                            c["period_start"][i],
                            f"overlaps row {int(self.raw.source_rows[previous])}, which ends "
                            f"{c['period_end'][previous]}",
                        )
                        continue
                    if starts[i] > ends[previous] + np.timedelta64(1, "D"):
                        self.hit(
                            i,
                            "period_start",
                            "IND014",
                            c["period_start"][i],
                            f"nothing from {_day_after(ends[previous])} to the day before; SPC "
                            "charts of this indicator use only the periods after the gap",
                        )
                previous = i


def _day_after(day: np.datetime64) -> str:
    return str((day + np.timedelta64(1, "D")).astype("datetime64[D]"))


def _in_range(value: float, unit: str) -> bool:
    if unit == "percent":
        return 0 <= value <= 100
    if unit == "count":
        return value >= 0 and float(value).is_integer()
    if unit == "rate":
        return value >= 0
    return True


def _agrees(value: float, computed: float, text: str | None) -> bool:
    """Whether a written value is ``computed`` rounded to the decimals it was written with."""
    t = (text or "").strip().rstrip("%").strip()
    decimals = len(t.split(".", 1)[1]) if "." in t else 0
    return abs(value - computed) <= 0.5 * 10.0**-decimals + 1e-9 * max(1.0, abs(computed))


def describe_log(log: pd.DataFrame) -> Sequence[str]:
    """One line per rule in the log: code, severity, how many rows, what it means."""
    out = []
    for code, group in log.groupby("rule", sort=True):
        rule = RULES.get(str(code))
        what = rule.description if rule else str(group["message"].iloc[0])
        out.append(f"{code} ({group['severity'].iloc[0]}): {len(group)} — {what}")
    return out

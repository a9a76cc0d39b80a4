"""``sscb inspect``: how the cleaner would read an export, before anything is written.

:func:`inspect_extract` reads the file as ``clean`` would (header row, headers, identifiers,
category values) without raising on what does not match, and :func:`inspection_text` prints it:
which header became which canonical column and why, what did not match, each category column's
distinct values with what they are read as and how often, and the exact layout-file lines that
would fix what does not match. A value is shown only when the identifier scan clears it; every
string from the file is escaped for the terminal by the command.
"""

from __future__ import annotations

import difflib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from sscb_analysis.cleaning import identifiers, parse
from sscb_analysis.cleaning import protect as _protect
from sscb_analysis.cleaning import read as _read
from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.cleaning.headers import ExtractError, HeaderReport, analyse_headers
from sscb_analysis.cleaning.layout import Layout, load_layout
from sscb_analysis.extracts import Column, ExtractSpec, compact, get_spec

#: Distinct values shown per category column (the most frequent first).
MAX_VALUES = 40


@dataclass
class ValueLine:
    """One distinct value of a category column."""

    text: str  # as in the file, or a "withheld" note
    count: int
    category: str | None  # what it is read as (None: not known)
    withheld: bool = False


@dataclass
class Inspection:
    """What ``sscb inspect`` found in one export."""

    kind: str
    path: str
    fmt: str
    sheet: str | None = None
    header_row: int = 1
    rows: int = 0
    footers: int = 0
    headers: list[str] = field(default_factory=list)
    report: HeaderReport | None = None
    dropped: list[int] = field(default_factory=list)
    identifiers: dict[int, str] = field(default_factory=dict)  # position -> what it holds
    blocking: list[str] = field(default_factory=list)  # identifiers in canonical columns
    values: dict[str, list[ValueLine]] = field(default_factory=dict)
    more_values: dict[str, int] = field(default_factory=dict)
    unreadable_cells: int = 0
    #: position -> the kind of identifier its header holds (the header is never shown)
    header_identifiers: dict[int, str] = field(default_factory=dict)
    #: the kind of identifier the file's name holds (the name is never shown)
    name_identifier: str | None = None
    fatal: str | None = None
    layout: Layout | None = None
    spec: ExtractSpec | None = None

    @property
    def ok(self) -> bool:
        """Whether ``sscb clean`` would clean the file as it stands (no fatal problem, no header
        problem, no identifier left in place)."""
        return (
            self.fatal is None
            and self.report is not None
            and not self.report.problems
            and not self.blocking
            and not self.identifiers
            and not self.header_identifiers
            and self.name_identifier is None
        )


def inspect_extract(
    kind: str,
    path: str | os.PathLike[str],
    layout: str | os.PathLike[str] | Layout | None = None,
    sheet: str | None = None,
) -> Inspection:
    """Read ``path`` as a ``kind`` extract (with ``layout``) and say how it would be cleaned."""
    spec = get_spec(kind)
    plan = (
        load_layout(layout, kind)
        if layout is not None and not isinstance(layout, Layout)
        else layout
    )
    if plan is not None:
        spec = plan.apply(spec)
        sheet = sheet if sheet is not None else plan.sheet
    columns_map = dict(plan.columns) if plan else None
    found = Inspection(kind, str(path), _format(Path(path)), sheet=sheet, layout=plan, spec=spec)
    # The file's name and the headers are scanned as ``clean`` scans them, and one that holds
    # an identifier is never printed: the name becomes a note, the header "column N".
    found.name_identifier = identifiers.classify(str(path), event_dates=True)
    if found.name_identifier is not None:
        found.path = f"the file (its name withheld: it looks like it holds {identifiers.DESCRIPTIONS[found.name_identifier]})"
    try:
        table = _read.read_for(spec, path, sheet, columns_map, plan.header_row if plan else None)
    except ExtractError as exc:
        found.fatal = str(exc)
        if found.name_identifier is not None:  # the message names the file: say "the file"
            found.fatal = found.fatal.replace(str(path), "the file").replace(
                Path(path).name, "the file"
            )
            if identifiers.classify(found.fatal, event_dates=True) is not None:
                found.fatal = "it cannot be read as an extract."
        return found
    found.header_identifiers = identifiers.scan_headers(
        table.headers, _protect.header_vocabulary(spec)
    )
    for i in found.header_identifiers:
        table.headers[i] = identifiers.column_label(i)
    found.header_row, found.rows, found.footers = table.header_row, table.n_rows, len(table.footers)
    found.headers = list(table.headers)
    found.unreadable_cells = len(table.problems)
    # The layout's drop: list is matched as ``clean`` matches it; a name that matches no column
    # stops ``clean``, so it is a problem here too.
    drop_problem = None
    try:
        dropped = _protect.find_dropped(table.headers, plan.drop if plan else (), spec)
    except ExtractError as exc:
        drop_problem = f"In the layout's drop: list, {exc}"
        keys = {compact(h) for h in (plan.drop if plan else ())}
        dropped = {i for i, h in enumerate(table.headers) if compact(h) in keys}
    found.dropped = sorted(dropped)
    kept = [i for i in range(len(table.headers)) if i not in found.dropped]
    report = analyse_headers([table.headers[i] for i in kept], spec, found.path, columns_map)
    # Positions among the kept headers back to positions in the file.
    report.match.canonical = {kept[j]: n for j, n in report.match.canonical.items()}
    report.match.unknown = [kept[j] for j in report.match.unknown]
    report.match.how = {kept[j]: h for j, h in report.match.how.items()}
    report.match.notes = {kept[j]: t for j, t in report.match.notes.items()}
    report.lookalikes = [(kept[j], n) for j, n in report.lookalikes]
    if drop_problem is not None:
        report.problems.append(drop_problem)
    found.report = report
    findings, handling, _ = _protect.find_identifiers(
        table, spec, report.match.canonical, report.match.unknown
    )
    by_header = {i: h for i, h in enumerate(table.headers)}
    for i, kind_found in handling.items():
        found.identifiers[i] = _protect.KIND_LABELS.get(kind_found, kind_found.replace("_", " "))
    found.blocking = [
        f"{f.column!r}: {f.reason}"
        for f in findings
        if f.canonical is not None and f.kind != "id_content"
    ]
    del by_header
    for i, name in report.match.canonical.items():
        col = spec.column(name)
        if col.values and col.type in ("category", "list"):
            found.values[name], found.more_values[name] = _values(table.columns[i], col)
    return found


def _format(path: Path) -> str:
    try:
        from sscb_analysis.cleaning import formats  # type: ignore[attr-defined]

        fmt = formats.sniff(path) if path.is_file() else None
        if fmt is not None:
            return str(formats.FORMATS.get(fmt, fmt))
    except (ImportError, AttributeError):
        pass
    suffix = path.suffix.lower()
    return "an Excel workbook" if suffix in (".xlsx", ".xlsm") else "a CSV file"


def _values(arr: Encoded, col: Column) -> tuple[list[ValueLine], int]:
    """The distinct values of a category column, most frequent first: (shown, how many more)."""
    arr, _ = parse.blank_placeholders(arr, col)
    present = arr.codes[arr.codes >= 0]
    counts = np.bincount(present, minlength=len(arr.dictionary))
    texts = arr.dictionary.to_pylist()
    tally: Counter[str] = Counter()
    for i in np.flatnonzero(counts):
        if col.type == "list":
            for item in parse.LIST_SPLIT.split(texts[i]):
                if item:
                    tally[item] += int(counts[i])
        else:
            tally[texts[i]] += int(counts[i])
    lookup = col.category_lookup()
    lines = []
    for text, count in tally.most_common():
        category = parse.category_of(text, lookup) or None
        kind = _identifier_kind(text, col) if category is None else None
        if kind is not None:
            lines.append(ValueLine(f"[{identifiers.withheld(kind)}]", count, None, withheld=True))
        else:
            lines.append(ValueLine(text, count, category))
    return lines[:MAX_VALUES], max(0, len(lines) - MAX_VALUES)


def _identifier_kind(text: str, col: Column) -> str | None:
    """The kind of identifier a single category value looks like (None: cleared by the scan)."""
    found = identifiers.classify(text)
    if found is None and identifiers.looks_like_name(text, _protect.vocabulary(col)):
        found = "name"
    return found


def fix_lines(found: Inspection) -> list[str]:
    """The layout-file lines that would fix what does not match (empty when nothing needs it)."""
    if found.report is None or found.spec is None:
        return []
    spec, report = found.spec, found.report
    columns: dict[str, str] = dict(found.layout.columns) if found.layout else {}
    for i, name in report.lookalikes:
        columns[name] = found.headers[i]
    unmatched = [found.headers[i] for i in report.match.unknown if i not in found.identifiers]
    unmatched = [h for h in unmatched if h and h not in columns.values()]
    for name in report.missing:
        if name not in columns:
            guess = difflib.get_close_matches(
                compact(name), [compact(h) for h in unmatched], n=1, cutoff=0.4
            )
            header = next((h for h in unmatched if guess and compact(h) == guess[0]), None)
            columns[name] = header or "HEADER AS EXPORTED"
    codes: dict[str, dict[str, list[str]]] = {}
    unsure = False
    for name, lines in found.values.items():
        col = spec.column(name)
        for line in lines:
            if line.category is None and not line.withheld:
                guess = _closest_category(line.text, col)
                unsure = unsure or guess is None
                codes.setdefault(name, {}).setdefault(guess or "CATEGORY", []).append(line.text)
    drop = list(found.layout.drop) if found.layout else []
    added = [
        found.headers[i]
        for i in found.identifiers
        if found.headers[i] not in drop and i not in found.header_identifiers
    ]
    drop += added
    # Nothing new to add to the layout given (or none needed): no lines, so the analyst is not
    # told that something still fails to match.
    if not (columns != (dict(found.layout.columns) if found.layout else {}) or codes or added):
        return []
    layout: dict[str, object] = {"kind": found.kind}
    if found.sheet:
        layout["sheet"] = found.sheet
    if columns:
        layout["columns"] = columns
    if codes:
        layout["codes"] = codes
    if drop:
        layout["drop"] = drop
    text = yaml.safe_dump(layout, sort_keys=False, allow_unicode=True, width=1000)
    lines = text.rstrip("\n").split("\n")
    if codes:
        lines.append("# codes: check each suggested category before cleaning")
    if unsure:
        lines.append("# replace CATEGORY with one of the column's categories")
    if "HEADER AS EXPORTED" in text:
        lines.append("# replace HEADER AS EXPORTED with the export's header for that column")
    return lines


def _closest_category(text: str, col: Column) -> str | None:
    """The category whose spelling is closest to ``text`` (a suggestion to check), if any."""
    lookup = col.category_lookup()
    key = compact(_read_letterless(text))
    for spelling, category in lookup.items():
        if spelling and (key.startswith(spelling) or spelling.startswith(key)) and len(key) > 1:
            return category
    close = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.6)
    return lookup[close[0]] if close else None


def _read_letterless(text: str) -> str:
    return parse.LETTERED.sub("", text, count=1)


def inspection_text(found: Inspection) -> str:
    """What ``sscb inspect`` prints (not yet escaped for the terminal)."""
    out = [
        f"{found.kind.upper()} extract: {found.path} ({found.fmt}"
        + (f", sheet {found.sheet!r}" if found.sheet else "")
        + ")"
    ]
    if found.fatal:
        out += ["", f"Cannot read it: {found.fatal}"]
        return "\n".join(out)
    titles = found.header_row - 1
    spreadsheet = found.fmt in ("a CSV file", "an Excel workbook")
    out.append(
        (
            f"Header row: {found.header_row}"
            + (
                f" (the {titles} row{'s' if titles != 1 else ''} above it: titles)"
                if titles
                else ""
            )
            + f"; {found.rows:,} rows below it"
            if spreadsheet
            else f"{found.rows:,} record{'s' if found.rows != 1 else ''}"
        )
        + (
            f", of which {found.footers} totals or notes row{'s' if found.footers != 1 else ''} at the bottom"
            if found.footers
            else ""
        )
    )
    if found.unreadable_cells:
        out.append(
            f"{found.unreadable_cells} cell{'s' if found.unreadable_cells != 1 else ''} cannot be "
            "read as stored (a formula without a saved value, an Excel error): those rows would "
            "be set aside, with the cell references in the log."
        )
    report = found.report
    assert report is not None and found.spec is not None
    match = report.match
    lookalike = dict(report.lookalikes)
    width = min(40, max((len(repr(h)) for h in found.headers), default=10))
    out += ["", "Columns (header in the file -> what it is read as, and why)"]
    for i, header in enumerate(found.headers):
        shown = f"{header!r:<{width}}"
        if i in found.header_identifiers:
            shown = f"{'[' + header + ']':<{width}}"
            what = (
                f"IDENTIFIER IN THE HEADER (withheld: it looks like "
                f"{identifiers.DESCRIPTIONS[found.header_identifiers[i]]}): rename that column "
                "in the export"
            )
        elif i in found.dropped:
            what = "dropped (listed under drop: in the layout)"
        elif i in match.canonical:
            how = {
                "layout": "its columns: line in the layout",
                "name": "the canonical name",
                "alias": "a known spelling",
                "shared spelling": match.notes.get(i, "a shared spelling"),
            }[match.how[i]]
            what = f"{match.canonical[i]}  ({how})"
        elif i in found.identifiers:
            what = (
                f"IDENTIFIER: holds {found.identifiers[i]}; refused unless dropped (drop: or "
                "--drop) or --pseudonymise"
            )
        elif i in lookalike:
            what = f"NOT MATCHED, but looks like {lookalike[i]}: map it (see below) or drop it"
        elif not header:
            what = "no header: dropped"
        else:
            what = "not a column of this extract: dropped"
        out.append(f"  {shown} -> {what}")
    absent = [c for c in found.spec.columns if c.name not in match.canonical.values()]
    if absent:
        out += ["", "Not in the file"]
        for col in absent:
            if col.name in report.missing:
                note = "REQUIRED: cleaning stops until it is mapped"
            elif col.stands_in:
                note = f"{col.stands_in} stands in for it"
            elif col.name == found.spec.record_id and found.spec.record_key:
                note = f"derived from {' and '.join(found.spec.record_key)}"
            else:
                note = "left blank"
            out.append(f"  {col.name}: {note}")
    for name, lines in found.values.items():
        col = found.spec.column(name)
        out += ["", f"Values of {name} (count -> read as)"]
        vwidth = min(30, max(len(repr(line.text)) for line in lines)) if lines else 10
        for line in lines:
            if line.category is not None:
                read_as = line.category
            elif col.type == "list" and col.other:
                read_as = f"not known: a query, the record kept, counted as {col.other}"
            elif col.headline:
                read_as = "NOT KNOWN: an error, the record would be set aside"
            else:
                read_as = "not known: a query, the record kept with this value blank"
            text = line.text if line.withheld else repr(line.text)
            out.append(f"  {text:<{vwidth}} {line.count:>8,}  -> {read_as}")
        if found.more_values.get(name):
            out.append(f"  ... and {found.more_values[name]} more values")
    problems = [*report.problems, *(f"Identifier in {b}" for b in found.blocking)]
    problems += [
        f"{identifiers.column_label(i)}: its header looks like "
        f"{identifiers.DESCRIPTIONS[kind]}; rename that column in the export (a header must "
        "not hold identifiers, even in a column that is dropped)"
        for i, kind in sorted(found.header_identifiers.items())
    ]
    if found.name_identifier is not None:
        problems.append(
            f"The file's name looks like it holds "
            f"{identifiers.DESCRIPTIONS[found.name_identifier]}: rename the file (or its folder)"
        )
    if problems:
        out += ["", "What stops cleaning"] + [f"  - {p}" for p in problems]
    fixes = fix_lines(found)
    if fixes:
        where = found.layout.path if found.layout else f"layouts/{found.kind}_export.yml"
        out += ["", f"Layout lines that fix what does not match (in {where}, given with --map):"]
        out += [f"  {line}" for line in fixes]
    elif found.ok:
        out += [
            "",
            f"Everything matches: `sscb clean {found.kind} {found.path}"
            + (f" --map {found.layout.path}" if found.layout and found.layout.path else "")
            + "` would read it as shown.",
        ]
    return "\n".join(out)

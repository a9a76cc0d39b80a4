"""Matching an export's headers to an extract's canonical columns, and saying how.

A header matches, in this order: the line of a layout file's ``columns:`` that names it, a
canonical name or declared alias (insensitive to case, spaces and punctuation), or a spelling
that could mean more than one column (``Category of Abuse``), taken as the first such column the
file has no other header for. A header that matches nothing but looks like a column the file
lacks (``Prev. CP count`` beside no ``previous_plans``) is an error naming the layout line that
maps it, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from sscb_analysis.extracts import KINDS, ExtractSpec, compact, get_spec


class ExtractError(ValueError):
    """The input cannot be cleaned (unreadable, empty, wrong kind, a required column missing).

    The message is one plain sentence for the user; the CLI prints it and exits 1.
    """


@dataclass
class HeaderMatch:
    """Which raw header became which canonical column, and what was left over."""

    canonical: dict[int, str]
    unknown: list[int]
    missing_optional: list[str]
    #: position -> how the header matched ("layout", "name", "alias" or "shared spelling")
    how: dict[int, str] = field(default_factory=dict)
    #: position -> a sentence for the log about a header that could mean more than one column
    notes: dict[int, str] = field(default_factory=dict)


def header_lookup(spec: ExtractSpec) -> dict[str, str]:
    """Compact header spelling -> canonical column name (canonical names and declared aliases)."""
    lookup: dict[str, str] = {}
    for col in spec.columns:
        for spelling in (col.name, *col.aliases):
            lookup.setdefault(compact(spelling), col.name)
    return lookup


def shared_lookup(spec: ExtractSpec) -> dict[str, tuple[str, ...]]:
    """Compact spelling -> candidate columns, for headers that could mean more than one column."""
    return {
        compact(spelling): candidates
        for spellings, candidates in spec.shared_aliases
        for spelling in spellings
    }


def any_lookup(spec: ExtractSpec) -> dict[str, str]:
    """Compact spelling -> the column a header most likely means (shared spellings: the first
    candidate), for telling one kind of extract from another and for ``--drop`` by name."""
    lookup = {k: candidates[0] for k, candidates in shared_lookup(spec).items()}
    lookup.update(header_lookup(spec))
    return lookup


def known_header(spec: ExtractSpec, columns: Mapping[str, str] | None = None):
    """Whether a header is one ``spec`` (or a layout's ``columns``) knows: how the header row is
    told from title rows above it."""
    keys = set(any_lookup(spec)) | {compact(h) for h in (columns or {}).values()}
    return lambda header: compact(header) in keys


def layout_line(name: str, header: str) -> str:
    """The ``columns:`` line of a layout file mapping ``header`` to ``name`` (YAML-quoted when
    the header needs it)."""
    return "  " + yaml.safe_dump({name: header}, allow_unicode=True, width=1000).strip()


@dataclass
class HeaderReport:
    """Everything known about a file's headers, problems included (see :func:`analyse_headers`)."""

    match: HeaderMatch
    #: problems that stop cleaning, each one sentence
    problems: list[str] = field(default_factory=list)
    #: unmatched headers that look like a column the file lacks: (position, column)
    lookalikes: list[tuple[int, str]] = field(default_factory=list)
    #: required columns the file lacks
    missing: list[str] = field(default_factory=list)
    #: the other kind of extract the file looks like, if it is one
    other_kind: str | None = None


def analyse_headers(
    headers: Sequence[str],
    spec: ExtractSpec,
    source: str = "the file",
    columns: Mapping[str, str] | None = None,
) -> HeaderReport:
    """Match headers to canonical names (as :func:`match_headers`) and collect, without raising,
    every problem that would stop cleaning: for ``sscb inspect``, which shows them all."""
    keys = [compact(h) for h in headers]
    canonical: dict[int, str] = {}
    how: dict[int, str] = {}
    seen: dict[str, int] = {}
    problems: list[str] = []

    def take(i: int, name: str, reason: str) -> None:
        if name in seen:
            problems.append(
                f"Two columns in {source} both mean {name}: {headers[seen[name]]!r} and "
                f"{headers[i]!r}; remove one of them, or say which one in a layout file "
                f"(`columns:` line{layout_line(name, headers[seen[name]])})."
            )
            return
        seen[name] = i
        canonical[i] = name
        how[i] = reason

    for name, header in (columns or {}).items():
        at = [i for i, k in enumerate(keys) if k == compact(header) and i not in canonical]
        if not at:
            problems.append(
                f"The layout maps {name} to {header!r}, but {source} has no such header; "
                f"headers found: {_listed(headers)}."
            )
            continue
        take(at[0], name, "layout")
    lookup = header_lookup(spec)
    for i, key in enumerate(keys):
        if i in canonical or key not in lookup or lookup[key] in (columns or {}):
            continue
        take(i, lookup[key], "name" if key == compact(lookup[key]) else "alias")
    notes: dict[int, str] = {}
    shared = shared_lookup(spec)
    for i, key in enumerate(keys):
        if i in canonical or key not in shared:
            continue
        free = [c for c in shared[key] if c not in seen]
        if not free:
            continue
        take(i, free[0], "shared spelling")
        others = [c for c in shared[key] if c != free[0]]
        notes[i] = f"{headers[i]!r} could mean {' or '.join(shared[key])}; read as {free[0]}" + (
            f" because {headers[seen[others[0]]]!r} is the {others[0]}"
            if others and others[0] in seen
            else ""
        )
    missing = [c.name for c in spec.columns if c.required and c.name not in seen]
    hint = _other_kind(headers, spec.kind) if missing else None
    if hint:
        problems.append(
            f"{source} looks like a {hint.upper()} extract, not {spec.kind.upper()} (its "
            f"headers are {_listed(headers)}): run `sscb clean {hint} ...` instead."
        )
    unknown = [i for i in range(len(headers)) if i not in canonical]
    lookalikes = _lookalikes(headers, [i for i in unknown if keys[i]], spec, set(seen))
    if lookalikes:
        problems.append(
            f"{source} has columns that look like ones this {spec.kind.upper()} extract needs, "
            "under a spelling not known here, so they would be dropped: "
            + "; ".join(
                f"{headers[i]!r} looks like {name} (add the line "
                f"`{layout_line(name, headers[i]).strip()}` under `columns:` in a layout file "
                "given with --map)"
                for i, name in lookalikes
            )
            + ". If a column is something else, list it under `drop:` in the layout (or --drop)."
        )
    if missing and not hint:
        problems.append(
            f"{source} has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''} "
            f"for a {spec.kind.upper()} extract; headers found: {_listed(headers)}. If the "
            "export calls it something else, map it in a layout file given with --map "
            f"(`columns:` line{layout_line(missing[0], 'Header as exported')})."
        )
    missing_optional = [c.name for c in spec.columns if c.name not in seen]
    match = HeaderMatch(canonical, unknown, missing_optional, how, notes)
    return HeaderReport(match, problems, lookalikes, missing, hint)


def match_headers(
    headers: Sequence[str],
    spec: ExtractSpec,
    source: str = "the file",
    columns: Mapping[str, str] | None = None,
) -> HeaderMatch:
    """Match headers to canonical names, insensitive to case, spaces and punctuation.

    ``columns``: a layout's canonical name -> header as the export spells it; these come first.
    Raises :class:`ExtractError` when a layout header is not in the file, when two headers match
    the same column, when a required column is missing (naming it and listing the headers found,
    and naming the right kind when the file is another kind of extract), or when an unmatched
    header looks like a column the file lacks.
    """
    report = analyse_headers(headers, spec, source, columns)
    if report.problems:
        raise ExtractError(report.problems[0])
    return report.match


def _lookalikes(
    headers: Sequence[str], unknown: Iterable[int], spec: ExtractSpec, seen: set[str]
) -> list[tuple[int, str]]:
    """(position, column) of unmatched headers that look like a column the file lacks."""
    out = []
    for i in unknown:
        key = compact(headers[i])
        for col in spec.columns:
            if col.name in seen or not col.looks_like:
                continue
            if any(all(f in key for f in fragments) for fragments in col.looks_like):
                out.append((i, col.name))
                break
    return out


def _listed(headers: Sequence[str]) -> str:
    return ", ".join(repr(h) for h in headers) or "none"


def _other_kind(headers: Sequence[str], kind: str) -> str | None:
    """The other extract kind whose required columns are all present, if any."""
    keys = {compact(h) for h in headers}
    for other in KINDS:
        if other == kind:
            continue
        spec = get_spec(other)
        lookup = any_lookup(spec)
        found = {lookup[k] for k in keys if k in lookup}
        if all(c.name in found for c in spec.columns if c.required):
            return other
    return None

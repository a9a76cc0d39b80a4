"""Data-quality page, step 1 of 3: compute. What the cleaner did to each extract, as counts.

For each extract (CPP, CAF, MARAC): rows read and where each went (clean, set aside, exact
duplicate, blank, footer, the same record in a later return), the coded rules that fired, and
for plans what their second-or-subsequent status rests on (the cleaner's summary). An extract
holding direct identifiers is refused by the cleaner; that is a finding, not an error.

Every count is a :class:`~sscb_analysis.disclose.Count`, related as the cleaner's accounting
is: rows read are the sum of the outcomes; the rows set aside (or flagged) are the sum of the
groups of rows that broke the same set of rules, and each rule's rows are the sum of the groups
holding it, so a rule's count beside the rows set aside gives nothing back that the disclosure
did not allow. No cell value is ever read: problems are described by rule, column, file and row.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sscb_analysis.cleaning import CleanResult, ExtractError, IdentifierError
from sscb_analysis.cleaning.protect import KIND_LABELS
from sscb_analysis.data import load_clean_result, resolve
from sscb_analysis.disclose import Count, Relation, Rests
from sscb_analysis.extracts import KINDS, get_spec

__all__ = [
    "BASIS",
    "OUTCOMES",
    "ExtractFacts",
    "QualityFacts",
    "RuleFact",
    "compute",
    "rough_share",
    "rows_to_correct",
]

#: Where a row read can go, in the cleaner's summary (each row goes to exactly one).
OUTCOMES = ("clean", "quarantined", "duplicates", "blank", "footers", "same_in_later_return")
#: The cleaner's account of what each second or subsequent plan's status rests on.
BASIS = ("history_and_recorded", "history_only", "recorded_only")
SEVERITY_RANK = {"error": 0, "query": 1}


@dataclass(frozen=True)
class RuleFact:
    """One coded rule that fired: code, what it checks, severity and the rows it hit."""

    code: str
    description: str
    severity: str
    rows: Count


@dataclass(frozen=True)
class ExtractFacts:
    """One extract's quality, before disclosure (``refused``: only why)."""

    kind: str
    source_name: str
    refused: bool
    refusal: str = ""
    refused_columns: tuple[str, ...] = ()
    rows_in: Count | None = None
    balanced: bool = True
    outcomes: dict[str, Count] = field(default_factory=dict)
    flagged: Count | None = None
    share_clean: Rests[float] | None = None
    rough_share: str = ""
    rules: tuple[RuleFact, ...] = ()
    groups: tuple[Count, ...] = ()
    basis: dict[str, Count] = field(default_factory=dict)
    columns_dropped: tuple[str, ...] = ()
    placeholders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    relations: tuple[Relation, ...] = ()


@dataclass(frozen=True)
class QualityFacts:
    """Every extract's quality, and the rows pooled over the extracts used."""

    extracts: dict[str, ExtractFacts]
    pooled_rows: Count | None
    pooled_clean: Count | None
    pooled_share: Rests[float] | None
    pooled_rough: str
    relations: tuple[Relation, ...]


def _key(kind: str, *parts: Hashable) -> tuple[Hashable, ...]:
    return ("quality", kind, *parts)


def _name(path: str | os.PathLike[str]) -> str:
    return Path(str(path)).name


def rough_share(used: int, rows_in: int, threshold: int) -> str:
    """Words for a share whose count is withheld, too coarse to give the count back.

    A whole percent spans ``rows_in / 100`` possible counts: when that is at least
    ``2 * threshold + 1``, "about 97%" leaves any withheld count from 1 to the threshold open.
    A share short of the whole is never "about 100%" but "more than 99%" (and "less than
    1%" for one above nothing). With fewer rows a whole percent could pin one down ("about 95%" of 40 rows is 38, so 2 set
    aside), so only "most" or "fewer than half" is said; with ``2 * threshold`` rows or fewer
    even that could tell one withheld count from another, so only "some".
    """
    if rows_in <= 0:
        return "none"
    share = used / rows_in
    if rows_in >= 100 * (2 * threshold + 1):
        about = f"{100 * share:.0f}"
        if about == "100" and share < 1:  # "about 100%" reads as none left out
            return "more than 99%"
        if about == "0" and share > 0:
            return "less than 1%"
        return f"about {about}%"
    if rows_in <= 2 * threshold:
        return "some"
    return "most" if share >= 0.5 else "fewer than half"


def _refused(kind: str, path: str | os.PathLike[str], exc: Exception) -> ExtractFacts:
    source = _name(path)
    if isinstance(exc, IdentifierError) and any(f.kind == "file_name" for f in exc.findings):
        source = "its file name withheld"  # the name itself holds an identifier
    if isinstance(exc, IdentifierError):
        columns = tuple(dict.fromkeys(f.where for f in exc.findings))
        # the cleaner's reasons count cells and name rows: counts of records stay off the page;
        # a header or file name holding an identifier is named by position only, with the reason
        reasons = "; ".join(
            dict.fromkeys(
                f"{f.where}: {f.reason}"
                if f.kind in ("header", "file_name")
                else f"{f.where} looks like {KIND_LABELS.get(f.kind, f.kind.replace('_', ' '))}"
                for f in exc.findings
            )
        )
        refusal = (
            f"This extract ({source}) was refused because {reasons}. Nothing from it is used in "
            "any report. Remove these columns from the export, or drop them in the area "
            "profile's clean.inputs (drop: [...]), and run again."
        )
    else:
        columns = ()
        refusal = f"This extract ({source}) could not be read: {exc} Nothing from it is used in any report."
    return ExtractFacts(kind, source, True, refusal, columns)


def _clean_result(kind: str, path: str | os.PathLike[str], drop: Iterable[str]) -> CleanResult:
    """The (cached) cleaning result; ``drop`` applies to a raw extract only, since a processed
    parquet had its columns dropped when it was written."""
    target = resolve(path)
    columns = [str(c) for c in drop if str(c).strip()]
    if target.suffix.lower() == ".parquet":
        columns = []
    return load_clean_result(kind, target, drop=columns)


def _groups(
    kind: str, log: pd.DataFrame | None, severity: str, total: Count, rules: Sequence[RuleFact]
) -> tuple[list[Count], list[Relation]]:
    """Rows grouped by the set of ``severity`` rules they broke (a partition of ``total``), as
    counts no page prints, and the sums that tie the rules' counts and ``total`` to them."""
    fired = [r for r in rules if r.severity == severity]
    if not fired or log is None or log.empty or "source_row" not in log.columns:
        return [], []
    rows = pd.to_numeric(log["source_row"], errors="coerce")
    part = log.loc[rows.notna() & log["severity"].eq(severity), ["source_file", "rule"]].copy()
    part["row"] = rows[part.index].astype("int64")
    sets = part.groupby(["source_file", "row"], observed=True)["rule"].agg(
        lambda r: frozenset(map(str, r))
    )
    sizes = sets.value_counts()
    groups = [
        Count(_key(kind, severity, "rules", tuple(sorted(s))), int(n), latent=True)
        for s, n in sizes.items()
    ]
    relations = []
    if sum(g.value for g in groups) == total.value:
        relations.append(Relation.sum(total.key, [g.key for g in groups]))
    for r in fired:
        members = [g for s, g in zip(sizes.index, groups, strict=True) if r.code in s]
        if sum(g.value for g in members) == r.rows.value:
            relations.append(Relation.sum(r.rows.key, [g.key for g in members]))
    return groups, relations


def _assess(
    kind: str, path: str | os.PathLike[str], drop: Iterable[str], threshold: int
) -> ExtractFacts:
    if kind not in KINDS:
        raise ValueError(f"Unknown extract kind {kind!r}: choose one of {', '.join(KINDS)}.")
    try:
        result = _clean_result(kind, path, drop)
    except (IdentifierError, ExtractError) as exc:
        return _refused(kind, path, exc)
    summary = result.summary
    if not summary:
        raise ValueError(
            f"{_name(path)} has no cleaning summary beside it: run `sscb clean {kind} FILE` again "
            "or give the raw extract."
        )
    rows_in = Count(_key(kind, "rows read"), int(summary["rows_in"]))
    outcomes = {o: Count(_key(kind, o), int(summary.get(o, 0))) for o in OUTCOMES}
    flagged = Count(_key(kind, "flagged"), int(summary.get("flagged", 0)))
    balanced = rows_in.value == sum(c.value for c in outcomes.values())
    relations = [
        Relation.part_of(flagged.key, outcomes["clean"].key),
        # the rows not used (rows read less clean) are a count of records a reader works out
        # from the share used and its counts, whatever outcomes they are spread over
        Relation.part_of(outcomes["clean"].key, rows_in.key),
    ]
    if balanced:  # the cleaner's accounting: every row read went to exactly one outcome
        relations.append(Relation.sum(rows_in.key, [c.key for c in outcomes.values()]))
    rules = tuple(
        RuleFact(
            str(code),
            str(r.get("description", "")),
            str(r.get("severity", "")),
            Count(_key(kind, "rule", str(code)), int(r.get("rows", 0))),
        )
        for code, r in summary.get("rules", {}).items()
        if int(r.get("rows", 0)) and r.get("severity") in SEVERITY_RANK
    )
    rules = tuple(sorted(rules, key=lambda r: (SEVERITY_RANK[r.severity], -r.rows.value, r.code)))
    for r in rules:
        whole = outcomes["quarantined"] if r.severity == "error" else flagged
        relations.append(Relation.part_of(r.rows.key, whole.key))
    groups: list[Count] = []
    for severity, total in (("error", outcomes["quarantined"]), ("query", flagged)):
        g, rels = _groups(kind, result.log, severity, total, rules)
        groups += g
        relations += rels
    basis = {}
    derived = summary.get("derived") or {}
    if all(k in derived for k in (*BASIS, "second_or_subsequent", "disagree")):
        basis = {
            k: Count(_key(kind, "basis", k), int(derived[k]))
            for k in (*BASIS, "second_or_subsequent", "disagree")
        }
        relations.append(
            Relation.sum(basis["second_or_subsequent"].key, [basis[k].key for k in BASIS])
        )
        relations.append(Relation.part_of(basis["second_or_subsequent"].key, outcomes["clean"].key))
        relations.append(Relation.part_of(basis["disagree"].key, outcomes["clean"].key))
    clean = outcomes["clean"]
    share = Rests(clean.value / rows_in.value, (clean.key, rows_in.key)) if rows_in.value else None
    placeholders = {
        str(c): tuple(map(str, found))
        for c, found in (summary.get("placeholders_read_as_blank") or {}).items()
    }
    return ExtractFacts(
        kind=kind,
        source_name=_name(summary.get("source_file") or path),
        refused=False,
        rows_in=rows_in,
        balanced=balanced,
        outcomes=outcomes,
        flagged=flagged,
        share_clean=share,
        rough_share=rough_share(clean.value, rows_in.value, threshold),
        rules=rules,
        groups=tuple(groups),
        basis=basis,
        columns_dropped=tuple(map(str, summary.get("columns_dropped") or ())),
        placeholders=placeholders,
        relations=tuple(relations),
    )


def _present(kind: str, path: str | os.PathLike[str], drop: list[str]) -> list[str]:
    """The names in ``drop`` that are headers of this file (so one list serves all three)."""
    if not drop:
        return []
    target = resolve(path)
    if target.suffix.lower() == ".parquet" or not target.is_file():
        return []
    from sscb_analysis.cleaning.read import read_extract
    from sscb_analysis.extracts import compact

    headers = {compact(h) for h in read_extract(target).headers}
    return [c for c in drop if compact(c) in headers]


def compute(
    paths: dict[str, str | os.PathLike[str]],
    drop_columns: Iterable[str] = (),
    threshold: int = 5,
) -> QualityFacts:
    """Every extract's quality (``kind -> path``: a raw extract, cleaned in memory, or a
    processed parquet). A name in ``drop_columns`` that an extract lacks is ignored for it.
    ``threshold`` only sets how coarse the words for a withheld share must be."""
    drop = [c for c in drop_columns if str(c).strip()]
    extracts = {k: _assess(k, p, _present(k, p, drop), threshold) for k, p in paths.items()}
    used = [e for e in extracts.values() if not e.refused and e.rows_in is not None]
    relations: list[Relation] = []
    pooled_rows = pooled_clean = pooled_share = None
    rough = "no rows"
    if used:
        n = sum(e.rows_in.value for e in used)
        x = sum(e.outcomes["clean"].value for e in used)
        pooled_rows = Count(_key("all", "rows read"), n)
        pooled_clean = Count(_key("all", "clean"), x)
        relations += [
            Relation.sum(pooled_rows.key, [e.rows_in.key for e in used]),
            Relation.sum(pooled_clean.key, [e.outcomes["clean"].key for e in used]),
            # "7,226 of 7,229 used" gives back the 3 not used, though each extract's part is c
            Relation.part_of(pooled_clean.key, pooled_rows.key),
        ]
        pooled_share = Rests(x / n, (pooled_clean.key, pooled_rows.key)) if n else None
        rough = rough_share(x, n, threshold)
    return QualityFacts(extracts, pooled_rows, pooled_clean, pooled_share, rough, tuple(relations))


def rows_to_correct(
    kind: str,
    path: str | os.PathLike[str],
    drop_columns: Iterable[str] = (),
    max_rows: int = 10,
) -> pd.DataFrame:
    """For the analyst's page only: the rows the data team should correct (errors first, then
    queries), by file, row, rule, column and action; never the value. Its length is a count of
    rows, so it is never shown on a board page."""
    columns = ("File", "Row", "Rule", "Problem", "Column", "What was done")
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).set_index("File")
    try:
        result = _clean_result(kind, path, _present(kind, path, list(drop_columns)))
    except (IdentifierError, ExtractError):
        return empty
    log = result.log
    if log is None or log.empty or "source_row" not in log.columns:
        return empty
    rows = pd.to_numeric(log["source_row"], errors="coerce")
    keep = rows.notna() & log["severity"].isin(list(SEVERITY_RANK))
    if not keep.any():
        return empty
    part = log.loc[keep, ["source_file", "column", "rule", "severity", "action"]].copy()
    part["row"] = rows[keep].astype("int64")
    part["rank"] = part["severity"].map(SEVERITY_RANK)
    part = part.sort_values(["rank", "rule", "row"], kind="stable").head(int(max_rows))
    descriptions = {code: r.description for code, r in get_spec(kind).rules.items()}
    column = part["column"].fillna("").astype(str).replace({"nan": ""})
    return pd.DataFrame(
        {
            "File": part["source_file"].astype(str).map(_name).to_numpy(),
            "Row": part["row"].to_numpy(),
            "Rule": part["rule"].astype(str).to_numpy(),
            "Problem": part["rule"].map(descriptions).fillna("").to_numpy(),
            "Column": column.replace("", "(whole row)").to_numpy(),
            "What was done": part["action"].astype(str).to_numpy(),
        }
    ).set_index("File")

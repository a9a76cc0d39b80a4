"""Data quality of the three extracts: what the cleaner did and what the board can rely on.

For each extract (CPP, CAF, MARAC) this module cleans it (or reads a processed one), and reports
rows in and where each row went, how often each coded rule fired, the worst problems with their
row references, and a plain-English verdict. An extract holding direct identifiers is refused by
the cleaner; that refusal is reported as a finding, not raised.

Privacy: no cell value is ever shown. Problems are described by rule, column, file and row only
(the cleaning log's ``value`` column is never read here). Counts from 1 to the suppression
threshold are shown as ``c``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sscb_analysis.analyses.common import count_words
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.cleaning import CleanResult, ExtractError, IdentifierError
from sscb_analysis.cleaning.protect import KIND_LABELS
from sscb_analysis.data import load_clean_result, resolve
from sscb_analysis.disclose import safe_count
from sscb_analysis.escape import md_text
from sscb_analysis.extracts import KINDS, get_spec

REPORT = "00_data_quality"
KIND_NAMES = {
    "cpp": "child protection plans (CPP)",
    "caf": "early help assessments (CAF)",
    "marac": "MARAC referrals",
}
SEVERITY_RANK = {"error": 0, "query": 1, "info": 2}
SEVERITY_WORDS = {
    "error": "error (row set aside)",
    "query": "query (row kept, flagged)",
    "info": "information",
}
OUTCOMES = ("clean", "quarantined", "duplicates", "blank")
OUTCOME_LABELS = {
    "clean": "Clean rows (used)",
    "quarantined": "Set aside for errors (quarantined)",
    "duplicates": "Exact duplicates (removed)",
    "blank": "Blank rows (skipped)",
}


@dataclass(frozen=True)
class ExtractQuality:
    """The quality findings for one extract.

    When ``refused`` the counts are ``None`` and ``refusal`` says why in plain words. ``counts``
    holds the true numbers (for checks); ``accounting``, ``rules`` and ``problems`` are the
    disclosed tables a reader sees.
    """

    kind: str
    source_name: str
    refused: bool
    refusal: str
    counts: dict[str, int]
    accounting: pd.DataFrame
    rules: pd.DataFrame
    problems: pd.DataFrame
    columns_dropped: tuple[str, ...]
    trust: tuple[str, ...]
    care: tuple[str, ...]
    threshold: int = 5
    refused_columns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rows_in(self) -> int | None:
        """Data rows read from the file (None when refused)."""
        return self.counts.get("rows_in")

    @property
    def balanced(self) -> bool:
        """Every row in is clean, quarantined, a duplicate or blank (always true when refused)."""
        if self.refused:
            return True
        return self.counts["rows_in"] == sum(self.counts[k] for k in OUTCOMES)

    @property
    def share_clean(self) -> float | None:
        """Share of rows read that are clean and used."""
        if self.refused or not self.counts.get("rows_in"):
            return None
        return self.counts["clean"] / self.counts["rows_in"]

    def figures(self) -> dict[str, Any]:
        """The headline figures to record for dashboards, disclosed as the page shows them.

        A row is one child's plan, assessment or referral, so rows are treated as counts of
        children: rows read from 1 to the threshold are ``"c"``. When the clean rows are hidden
        on the page or the rows not used are from 1 to the threshold, the share of rows used is
        recorded as the page says it (:func:`rough_share`): to a whole percent when that cannot
        give a hidden count back, else ``None`` (95% of 40 rows is 38), with the words in
        ``<kind>_share_clean_words``. A refused extract records only that it was refused.
        """
        out: dict[str, Any] = {
            f"{self.kind}_refused": self.refused,
            f"{self.kind}_balanced": self.balanced,
        }
        if self.refused:
            return out
        rows_in, clean = int(self.counts["rows_in"]), int(self.counts["clean"])
        out[f"{self.kind}_rows_in"] = "c" if 1 <= rows_in <= self.threshold else rows_in
        hidden = "clean" in hidden_outcomes(self.counts, self.threshold)
        small_rest = 1 <= rows_in - clean <= self.threshold
        if not (hidden or small_rest):
            out[f"{self.kind}_share_clean"] = self.share_clean
            return out
        words = rough_share(clean, rows_in, self.threshold)
        rounded = words.startswith("about")
        out[f"{self.kind}_share_clean"] = round(clean / rows_in, 2) if rounded else None
        out[f"{self.kind}_share_clean_words"] = words
        return out

    def verdict(self) -> str:
        """What the board can trust in this extract and what not, as Markdown."""
        name = KIND_NAMES.get(self.kind, self.kind.upper())
        # File names and column names come from outside: escaped, they show as written.
        lines = [f"**{name}** ({md_text(self.source_name)})"]
        if self.trust:
            lines.append("")
            lines.append("Can be relied on:")
            lines += [f"- {md_text(t)}" for t in self.trust]
        if self.care:
            lines.append("")
            lines.append("Treat with care:")
            lines += [f"- {md_text(c)}" for c in self.care]
        return "\n".join(lines)


def _name(path: str | os.PathLike[str]) -> str:
    return Path(str(path)).name


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return frame.set_index(columns[0])


RULE_COLUMNS = ("Rule", "What it checks", "Severity", "Rows")
PROBLEM_COLUMNS = ("File", "Row", "Rule", "Problem", "Column", "What was done")


def _refused(
    kind: str, path: str | os.PathLike[str], exc: Exception, threshold: int
) -> ExtractQuality:
    source = _name(path)
    if isinstance(exc, IdentifierError):
        columns = tuple(dict.fromkeys(f.column for f in exc.findings))
        reasons = "; ".join(
            f"column {f.column!r} looks like {KIND_LABELS.get(f.kind, f.kind.replace('_', ' '))} "
            f"({f.reason})"
            for f in exc.findings
        )
        refusal = (
            f"This extract ({source}) was refused because {reasons}. Nothing from it is used in "
            "any report. Remove these columns from the export, or list them in the notebook's "
            "drop_columns parameter, and run again."
        )
        care = (
            "Nothing: the extract was refused because it holds direct identifiers, so no figure "
            "in these reports comes from it.",
        )
    else:
        columns = ()
        refusal = (
            f"This extract ({source}) could not be read: {exc} Nothing from it is used in any "
            "report."
        )
        care = ("Nothing: the extract could not be read, so no figure comes from it.",)
    return ExtractQuality(
        kind=kind,
        source_name=source,
        refused=True,
        refusal=refusal,
        counts={},
        accounting=_empty(("Outcome", "Rows")),
        rules=_empty(RULE_COLUMNS),
        problems=_empty(PROBLEM_COLUMNS),
        columns_dropped=(),
        trust=(),
        care=care,
        threshold=threshold,
        refused_columns=columns,
    )


def _clean_result(
    kind: str, path: str | os.PathLike[str], drop_columns: Iterable[str]
) -> CleanResult:
    """The (cached) cleaning result; ``drop_columns`` apply to a raw extract only, since a
    processed parquet had its columns dropped when it was written."""
    target = resolve(path)
    drop = [str(c) for c in drop_columns if str(c).strip()]
    if target.suffix.lower() == ".parquet":
        drop = []
    return load_clean_result(kind, target, drop=drop)


def hidden_outcomes(counts: dict[str, int], threshold: int = 5) -> set[str]:
    """The outcomes :func:`accounting_table` hides.

    Primary: 1 to ``threshold``. Secondary: while the hidden cells could be worked out from the
    published total (one hidden cell, or hidden cells whose known sum forces each to the bound,
    e.g. three hidden cells adding to 15 with a threshold of 5), hide the smallest visible
    non-zero outcome too.
    """
    values = {k: int(counts[k]) for k in OUTCOMES}
    hidden = {k for k, v in values.items() if 1 <= v <= threshold}

    def exposed() -> bool:
        if not hidden:
            return False
        total = sum(values[k] for k in hidden)
        return len(hidden) == 1 or total in (len(hidden), len(hidden) * threshold)

    while exposed():
        visible = sorted((v, k) for k, v in values.items() if k not in hidden and v > 0)
        if not visible:
            break
        hidden.add(visible[0][1])
    return hidden


def accounting_table(counts: dict[str, int], threshold: int = 5) -> pd.DataFrame:
    """Rows in and where they went, disclosed as one line with its total (see
    :func:`hidden_outcomes`)."""
    hidden = hidden_outcomes(counts, threshold)
    rows = [
        {"Outcome": "Rows read", "Rows": safe_count(int(counts["rows_in"]), threshold)},
        *(
            {
                "Outcome": OUTCOME_LABELS[k],
                "Rows": "c" if k in hidden else f"{int(counts[k]):,}",
            }
            for k in OUTCOMES
        ),
    ]
    return pd.DataFrame(rows).set_index("Outcome")


def rough_share(used: int, rows_in: int, threshold: int) -> str:
    """Words for a share whose count is hidden, too coarse to give the count back.

    A whole percent spans ``rows_in / 100`` possible counts: when that is at least
    ``2 * threshold + 1``, "about 97%" leaves any hidden count from 1 to the threshold open.
    With fewer rows a whole percent could pin one down ("about 95%" of 40 rows is 38, so 2 set
    aside), so only "most" or "fewer than half" is said; with ``2 * threshold`` rows or fewer
    even that could tell one hidden count from another, so only "some".
    """
    share = used / rows_in
    if rows_in >= 100 * (2 * threshold + 1):
        return f"about {100 * share:.0f}%"
    if rows_in <= 2 * threshold:
        return "some"
    return "most" if share >= 0.5 else "fewer than half"


def _share_words(counts: dict[str, int], threshold: int) -> str:
    """The share of rows used, to one decimal, or in words that cannot give the count back when
    the clean count is hidden (see :func:`rough_share`)."""
    if "clean" in hidden_outcomes(counts, threshold):
        return rough_share(int(counts["clean"]), int(counts["rows_in"]), threshold)
    return f"{counts['clean'] / counts['rows_in']:.1%}"


def rules_table(summary: dict[str, Any], threshold: int = 5) -> pd.DataFrame:
    """Each rule that fired: code, plain description, severity and rows (1 to threshold as c).

    Rules overlap (one row can break several), so the counts add to no published total and
    primary suppression per cell is enough.
    """
    rows = []
    for code, r in summary.get("rules", {}).items():
        n = int(r.get("rows", 0))
        if n == 0:
            continue
        rows.append(
            {
                "Rule": code,
                "What it checks": r.get("description", ""),
                "Severity": SEVERITY_WORDS.get(r.get("severity", ""), r.get("severity", "")),
                "Rows": safe_count(n, threshold),
                "_rank": SEVERITY_RANK.get(r.get("severity", ""), 3),
                "_n": n,
            }
        )
    if not rows:
        return _empty(RULE_COLUMNS)
    table = pd.DataFrame(rows).sort_values(["_rank", "_n", "Rule"], ascending=[True, False, True])
    return table[list(RULE_COLUMNS)].set_index("Rule")


def worst_problems(
    log: pd.DataFrame, kind: str, max_rows: int = 10, descriptions: dict[str, str] | None = None
) -> pd.DataFrame:
    """The rows the data team should correct: errors (set aside) first, then queries (flagged).

    Shows file, row, rule, its description, column and the action taken: never the value.
    Blank rows and exact duplicates need no correction and are only counted.
    """
    if log is None or log.empty or "source_row" not in log.columns:
        return _empty(PROBLEM_COLUMNS)
    rows = pd.to_numeric(log["source_row"], errors="coerce")
    keep = rows.notna()
    if not keep.any():
        return _empty(PROBLEM_COLUMNS)
    keep &= log["severity"].isin(["error", "query"])
    if not keep.any():
        return _empty(PROBLEM_COLUMNS)
    part = log.loc[keep, ["source_file", "column", "rule", "severity", "action"]].copy()
    part["row"] = rows[keep].astype("int64")
    part["rank"] = part["severity"].map(SEVERITY_RANK).fillna(3)
    part = part.sort_values(["rank", "rule", "row"], kind="stable").head(max_rows)
    if descriptions is None:
        descriptions = {code: r.description for code, r in get_spec(kind).rules.items()}
    column = part["column"].fillna("").astype(str).replace({"nan": ""})
    problems = pd.DataFrame(
        {
            "File": part["source_file"].astype(str).map(_name).to_numpy(),
            "Row": part["row"].to_numpy(),
            "Rule": part["rule"].astype(str).to_numpy(),
            "Problem": part["rule"].map(descriptions).fillna("").to_numpy(),
            "Column": column.replace("", "(whole row)").to_numpy(),
            "What was done": part["action"].astype(str).to_numpy(),
        }
    )
    return problems.set_index("File")


def _usable_words(counts: dict[str, int], threshold: int) -> str:
    """ "Only 91.2% of rows are usable", in words that keep a hidden count hidden."""
    words = _share_words(counts, threshold)
    if words in {"most", "some"}:
        return "Not every row is usable"
    if words == "fewer than half":
        return "Fewer than half the rows are usable"
    return f"Only {words} of rows are usable"


def _verdict(
    kind: str, counts: dict[str, int], summary: dict[str, Any], threshold: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Plain-English lists of what to trust and what to treat with care."""
    t = threshold
    rows_in = counts["rows_in"]
    share = counts["clean"] / rows_in if rows_in else 0.0
    trust: list[str] = []
    care: list[str] = []
    fired = {c: r for c, r in summary.get("rules", {}).items() if r.get("rows")}
    errors = [r["description"] for r in fired.values() if r.get("severity") == "error"]
    queries = [r["description"] for r in fired.values() if r.get("severity") == "query"]
    if rows_in == 0:
        care.append("The file holds no rows, so no figure comes from it.")
        return (), tuple(care)
    if counts["quarantined"] == 0:
        trust.append(
            "Every row that is not a duplicate or blank passed the checks on dates, categories "
            f"and ids: {_share_words(counts, t)} of the rows read are used."
        )
    else:
        trust.append(
            f"{_share_words(counts, t).capitalize()} of the rows read are clean and used in the "
            "reports; the checks on dates, categories and ids passed for them."
        )
        care.append(
            f"{count_words(counts['quarantined'], t).capitalize()} rows were set aside because of errors ("
            + "; ".join(errors)
            + "). They are left out of every count, so counts may be slightly low until the "
            "case system is corrected and the extract re-run."
        )
    if counts["duplicates"]:
        trust.append(
            f"Exact duplicate rows ({count_words(counts['duplicates'], t)}) were removed, so "
            "nothing is counted twice."
        )
    if counts.get("flagged"):
        care.append(
            f"{count_words(counts['flagged'], t).capitalize()} rows are used but flagged for checking ("
            + "; ".join(queries)
            + ")."
        )
    placeholders = summary.get("placeholders_read_as_blank") or {}
    if placeholders:
        spellings = sorted({t for found in placeholders.values() for t in found})
        trust.append(
            "Cells holding a placeholder for no value ("
            + ", ".join(repr(t) for t in spellings)
            + ") were read as empty, not as errors, in: "
            + ", ".join(c.replace("_", " ") for c in placeholders)
            + "."
        )
    dropped = summary.get("columns_dropped") or []
    if dropped:
        trust.append(
            "Columns that are not part of the extract, or that hold identifiers, were dropped "
            f"before any checks: {', '.join(repr(c) for c in dropped)}."
        )
    if share < 0.95:
        care.append(
            f"{_usable_words(counts, t)}: figures from this extract may be biased if "
            "the rows set aside differ from the rest; fix the export before relying on them."
        )
    return tuple(trust), tuple(care)


def assess_extract(
    kind: str,
    path: str | os.PathLike[str],
    drop_columns: Iterable[str] = (),
    threshold: int = 5,
    max_problems: int = 10,
) -> ExtractQuality:
    """Clean (or read) one extract and summarise its quality; a refusal becomes a finding.

    ``path`` is a raw CSV/XLSX (cleaned in memory, dropping ``drop_columns`` first) or a
    processed ``<kind>.parquet`` with its sidecar files.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown extract kind {kind!r}: choose one of {', '.join(KINDS)}.")
    try:
        result = _clean_result(kind, path, drop_columns)
    except (IdentifierError, ExtractError) as exc:
        return _refused(kind, path, exc, threshold)
    summary = result.summary
    if not summary:
        raise ValueError(
            f"{_name(path)} has no cleaning summary beside it: run `sscb clean {kind} FILE` again "
            "or give the raw extract."
        )
    counts = {k: int(summary[k]) for k in ("rows_in", *OUTCOMES, "flagged")}
    trust, care = _verdict(kind, counts, summary, threshold)
    return ExtractQuality(
        kind=kind,
        source_name=_name(summary.get("source_file") or path),
        refused=False,
        refusal="",
        counts=counts,
        accounting=accounting_table(counts, threshold),
        rules=rules_table(summary, threshold),
        problems=worst_problems(result.log, kind, max_problems),
        columns_dropped=tuple(summary.get("columns_dropped") or ()),
        trust=trust,
        care=care,
        threshold=threshold,
    )


def assess_all(
    paths: dict[str, str | os.PathLike[str]],
    drop_columns: Iterable[str] = (),
    threshold: int = 5,
    max_problems: int = 10,
) -> dict[str, ExtractQuality]:
    """:func:`assess_extract` for each ``kind -> path``. A name in ``drop_columns`` that an
    extract lacks is ignored for that extract (the three exports differ)."""
    drop = [c for c in drop_columns if str(c).strip()]
    out = {}
    for kind, path in paths.items():
        out[kind] = assess_extract(kind, path, _present(kind, path, drop), threshold, max_problems)
    return out


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


def overview(results: dict[str, ExtractQuality], threshold: int = 5) -> pd.DataFrame:
    """One row per extract: rows read, clean, set aside, duplicates, blank, status (disclosed)."""
    rows = []
    for kind, q in results.items():
        if q.refused:
            rows.append(
                {
                    "Extract": KIND_NAMES.get(kind, kind),
                    "File": q.source_name,
                    "Rows read": "-",
                    "Clean": "-",
                    "Set aside": "-",
                    "Duplicates": "-",
                    "Blank": "-",
                    "Status": "refused: holds identifiers"
                    if q.refused_columns
                    else "refused: unreadable",
                }
            )
            continue
        acc = q.accounting["Rows"]
        rows.append(
            {
                "Extract": KIND_NAMES.get(kind, kind),
                "File": q.source_name,
                "Rows read": acc["Rows read"],
                "Clean": acc[OUTCOME_LABELS["clean"]],
                "Set aside": acc[OUTCOME_LABELS["quarantined"]],
                "Duplicates": acc[OUTCOME_LABELS["duplicates"]],
                "Blank": acc[OUTCOME_LABELS["blank"]],
                "Status": "used",
            }
        )
    return pd.DataFrame(rows).set_index("Extract")


def pooled_share(results: dict[str, ExtractQuality]) -> tuple[str, bool]:
    """The share of rows used across the usable extracts, as words, and whether the pooled
    counts may be shown (not when any extract's clean count is hidden, since the pooled count
    less the others would give it back)."""
    used = [q for q in results.values() if not q.refused]
    rows_in = sum(q.counts["rows_in"] for q in used)
    if not rows_in:
        return "no rows", False
    clean = sum(q.counts["clean"] for q in used)
    exact = all("clean" not in hidden_outcomes(q.counts, q.threshold) for q in used)
    if exact:
        return f"{clean / rows_in:.1%}", True
    return rough_share(clean, rows_in, max(q.threshold for q in used)), False


def conclusion(results: dict[str, ExtractQuality]) -> str:
    """The closing paragraph: which extracts the reports rest on and how much to trust them."""
    used = [q for q in results.values() if not q.refused]
    refused = [q for q in results.values() if q.refused]
    parts = []
    if used:
        share, _ = pooled_share(results)
        names = ", ".join(KIND_NAMES.get(q.kind, q.kind) for q in used)
        parts.append(
            f"The reports rest on {names}: {share} of their rows passed every check and are used."
        )
        worst = min(used, key=lambda q: q.share_clean if q.share_clean is not None else 1.0)
        if worst.share_clean is not None and worst.share_clean < 1:
            parts.append(
                f"The least complete is {KIND_NAMES.get(worst.kind, worst.kind)} "
                f"({_share_words(worst.counts, worst.threshold)} of the rows used); rows set aside are left out of every "
                "count, so its figures may be slightly low."
            )
        else:
            parts.append("No row was set aside, so no count is reduced by cleaning.")
    if refused:
        names = ", ".join(KIND_NAMES.get(q.kind, q.kind) for q in refused)
        parts.append(
            f"Refused and not used at all: {names}. Reports that depend on "
            f"{'it' if len(refused) == 1 else 'them'} cannot be trusted until a corrected export "
            "is supplied."
        )
    return " ".join(parts)


def headlines(
    cpp_path: str | os.PathLike[str] = "data/raw/synthetic/cpp.csv",
    caf_path: str | os.PathLike[str] = "data/raw/synthetic/caf.csv",
    marac_path: str | os.PathLike[str] = "data/raw/synthetic/marac.csv",
    drop_columns: Iterable[str] = (),
    suppression_threshold: int = 5,
    **_: object,
) -> list[Headline]:
    """One headline on data completeness: the share of rows used across the extracts."""
    results = assess_all(
        {"cpp": cpp_path, "caf": caf_path, "marac": marac_path},
        drop_columns,
        suppression_threshold,
    )
    used = [q for q in results.values() if not q.refused]
    refused = [q for q in results.values() if q.refused]
    rows_in = sum(q.counts["rows_in"] for q in used)
    kept = sum(q.counts["clean"] for q in used)
    t = suppression_threshold
    share, exact = pooled_share(results)
    if used and rows_in and exact:
        value = f"{share} of rows used ({safe_count(kept, t)} of {safe_count(rows_in, t)})"
    elif used and rows_in:
        value = f"{share} of rows used"
    else:
        value = "no extract usable"
    sentence = conclusion(results)
    caveats = [
        "Every row read was counted, so no range is given: the uncertainty is in the recording, "
        "not in sampling."
    ]
    caveats += [q.refusal for q in refused]
    return [
        Headline(
            key="data_completeness",
            label="Rows of the extracts that passed every check",
            value=value,
            interval="not applicable (every row counted)",
            sentence=sentence,
            report=REPORT,
            variation=None,
            assurance=None,
            caveats=tuple(caveats),
        )
    ]

"""Data-quality page, step 3 of 3 (words): tables and sentences from the disclosed page only.

A row is one child's plan, assessment or referral, so rows are counts of children: a withheld
count is ``c`` in every table and sentence of the page, and a share of rows used whose count is
withheld is said in words too coarse to give it back ("about 97%" only when a whole percent
spans more than twice the threshold in rows; else "most", "fewer than half" or "some").
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sscb_analysis.analyses.common import pct, plain, safe
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.analyses.quality.compute import ExtractFacts, QualityFacts
from sscb_analysis.disclose import Page, Shown

__all__ = [
    "KIND_NAMES",
    "accounting_table",
    "basis_sentence",
    "conclusion",
    "facts_of",
    "figures",
    "headlines",
    "overview",
    "rules_table",
    "verdict",
]

REPORT = "00_data_quality"
KIND_NAMES = {
    "cpp": "child protection plans (CPP)",
    "caf": "early help assessments (CAF)",
    "marac": "MARAC referrals",
}
OUTCOME_LABELS = {
    "clean": "Clean rows (used)",
    "quarantined": "Set aside for errors (quarantined)",
    "duplicates": "Exact duplicates (removed)",
    "blank": "Blank rows (skipped)",
    "footers": "Footer rows (totals, notes; skipped)",
    "same_in_later_return": "Also in a later return (the later kept)",
}
#: Outcomes every accounting table shows; the others only when the extract has any.
ALWAYS = ("clean", "quarantined", "duplicates", "blank")
SEVERITY_WORDS = {"error": "error (row set aside)", "query": "query (row kept, flagged)"}


def facts_of(page: Page) -> QualityFacts:
    """The disclosed results of the page (refusing anything else)."""
    if not isinstance(page, Page) or not isinstance(page.results, QualityFacts):
        raise TypeError(
            "data-quality words take the disclosed page (disclose_page(compute(...), policy))"
        )
    return page.results


def _extract(page: Page, kind: str) -> ExtractFacts:
    return facts_of(page).extracts[kind]


def _shown_outcomes(e: ExtractFacts) -> list[str]:
    return [o for o in e.outcomes if o in ALWAYS or e.outcomes[o].value != 0]


def accounting_table(page: Page, kind: str) -> pd.DataFrame:
    """Rows read and where they went (withheld as c)."""
    e = _extract(page, kind)
    rows = [{"Outcome": "Rows read", "Rows": str(e.rows_in)}]
    rows += [{"Outcome": OUTCOME_LABELS[o], "Rows": str(e.outcomes[o])} for o in _shown_outcomes(e)]
    return pd.DataFrame(rows).set_index("Outcome")


def rules_table(page: Page, kind: str) -> pd.DataFrame:
    """Each rule that set rows aside or flagged them: code, what it checks, severity, rows."""
    e = _extract(page, kind)
    rows = [
        {
            "Rule": r.code,
            "What it checks": r.description,
            "Severity": SEVERITY_WORDS.get(r.severity, r.severity),
            "Rows": str(r.rows),
        }
        for r in e.rules
    ]
    columns = ["Rule", "What it checks", "Severity", "Rows"]
    return pd.DataFrame(rows, columns=columns).set_index("Rule")


def overview(page: Page) -> pd.DataFrame:
    """One row per extract: rows read, clean, set aside, duplicates, blank, status."""
    rows = []
    for kind, e in facts_of(page).extracts.items():
        name = KIND_NAMES.get(kind, kind)
        if e.refused:
            status = "refused: holds identifiers" if e.refused_columns else "refused: unreadable"
            rows.append(
                {"Extract": name, "File": e.source_name, "Rows read": "-", "Clean": "-",
                 "Set aside": "-", "Duplicates": "-", "Blank": "-", "Status": status}
            )  # fmt: skip
            continue
        o = e.outcomes
        rows.append(
            {
                "Extract": name,
                "File": e.source_name,
                "Rows read": str(e.rows_in),
                "Clean": str(o["clean"]),
                "Set aside": str(o["quarantined"]),
                "Duplicates": str(o["duplicates"]),
                "Blank": str(o["blank"]),
                "Status": "used",
            }
        )
    return pd.DataFrame(rows).set_index("Extract")


def _share_words(e: ExtractFacts) -> str:
    """The share of rows used: to one decimal when shown, else the coarse words."""
    if e.share_clean is not None:
        return pct(e.share_clean)
    return e.rough_share


def _rows(count: Shown) -> str:
    return count.of("rows")


def basis_sentence(page: Page, kind: str = "cpp") -> str | None:
    """What the second-or-subsequent status of plans rests on (the extract's own history, the
    recorded number of previous plans, or both), and where they disagree; ``None`` when the
    cleaner's summary does not say."""
    e = _extract(page, kind)
    b = e.basis
    if e.refused or not b:
        return None
    text = (
        f"Of the plans used, {b['second_or_subsequent'].of('plans')} are second or subsequent: "
        f"{b['history_and_recorded'].words()} both by the child's earlier plans in the "
        f"extract and by the recorded number of previous plans, {b['history_only'].words()} by "
        f"the earlier plans in the extract alone, and {b['recorded_only'].words()} by the "
        "recorded number alone (earlier plans the extract does not hold)."
    )
    disagree = b["disagree"]
    if disagree.value == 0:
        text += " No plan's recorded number of previous plans is smaller than the extract shows."
    else:
        text += (
            f" For {disagree.of('plans')}, the recorded number of previous plans is smaller than "
            "the earlier plans the extract itself holds: the case system's count should be checked."
        )
    return text


def verdict(page: Page, kind: str) -> str:
    """What the board can trust in this extract and what not, as Markdown."""
    e = _extract(page, kind)
    name = KIND_NAMES.get(kind, kind.upper())
    lines = [f"**{name}** ({safe(e.source_name)})"]
    if e.refused:
        lines += ["", "Treat with care:", f"- {safe(e.refusal)}"]
        return "\n".join(lines)
    trust, care = _trust_and_care(e)
    if trust:
        lines += ["", "Can be relied on:", *(f"- {t}" for t in trust)]
    if care:
        lines += ["", "Treat with care:", *(f"- {c}" for c in care)]
    return "\n".join(lines)


def _trust_and_care(e: ExtractFacts) -> tuple[list[str], list[str]]:
    trust: list[str] = []
    care: list[str] = []
    o = e.outcomes
    if e.rows_in.value == 0:
        return [], ["The file holds no rows, so no figure comes from it."]
    if not e.balanced:
        care.append(
            "The cleaner's accounting does not add up (rows read are not the sum of where they "
            "went): clean the extract again and report this to the analysts."
        )
    errors = [r.description for r in e.rules if r.severity == "error"]
    queries = [r.description for r in e.rules if r.severity == "query"]
    share = _share_words(e)
    if o["quarantined"].value == 0:
        trust.append(
            "Every row that is not a duplicate or blank passed the checks on dates, categories "
            f"and ids: {share} of the rows read are used."
        )
    else:
        trust.append(
            f"{share[:1].upper()}{share[1:]} of the rows read are clean and used in the reports; "
            "the checks on dates, categories and ids passed for them."
        )
        care.append(
            f"{_rows(o['quarantined'])[:1].upper()}{_rows(o['quarantined'])[1:]} were set aside "
            "because of errors (" + "; ".join(errors) + "). They are left out of every count, so "
            "counts may be slightly low until the case system is corrected and the extract re-run."
        )
    if o["duplicates"].value != 0:
        trust.append(
            f"Exact duplicate rows ({o['duplicates'].words()}) were removed, so nothing is "
            "counted twice."
        )
    if e.flagged is not None and e.flagged.value != 0:
        care.append(
            f"{_rows(e.flagged)[:1].upper()}{_rows(e.flagged)[1:]} are used but flagged for "
            "checking (" + "; ".join(queries) + ")."
        )
    if e.placeholders:
        spellings = sorted({t for found in e.placeholders.values() for t in found})
        trust.append(
            "Cells holding a placeholder for no value ("
            + ", ".join(safe(repr(t)) for t in spellings)
            + ") were read as empty, not as errors, in: "
            + ", ".join(safe(c.replace("_", " ")) for c in e.placeholders)
            + "."
        )
    if e.columns_dropped:
        trust.append(
            "Columns that are not part of the extract, or that hold identifiers, were dropped "
            f"before any checks: {', '.join(safe(repr(c)) for c in e.columns_dropped)}."
        )
    if (e.share_clean is not None and e.share_clean < 0.95) or (
        e.share_clean is None
        and o["clean"].value != e.rows_in.value
        and share in ("fewer than half",)
    ):
        care.append(
            f"Only {share} of rows are usable: figures from this extract may be biased if the rows "
            "set aside differ from the rest; fix the export before relying on them."
        )
    return trust, care


def conclusion(page: Page) -> str:
    """The closing paragraph: which extracts the reports rest on and how much to trust them."""
    f = facts_of(page)
    used = [e for e in f.extracts.values() if not e.refused]
    refused = [e for e in f.extracts.values() if e.refused]
    parts = []
    if used:
        share = pct(f.pooled_share) if f.pooled_share is not None else f.pooled_rough
        names = ", ".join(KIND_NAMES.get(e.kind, e.kind) for e in used)
        parts.append(
            f"The reports rest on {names}: {share} of their rows passed every check and are used."
        )
        set_aside = [e for e in used if e.outcomes["quarantined"].value != 0]
        if set_aside:
            names = ", ".join(KIND_NAMES.get(e.kind, e.kind) for e in set_aside)
            parts.append(
                f"Rows were set aside in {names}; they are left out of every count, so those "
                "figures may be slightly low."
            )
        else:
            parts.append("No row was set aside, so no count is reduced by cleaning.")
    if refused:
        names = ", ".join(KIND_NAMES.get(e.kind, e.kind) for e in refused)
        parts.append(
            f"Refused and not used at all: {names}. Reports that depend on "
            f"{'it' if len(refused) == 1 else 'them'} cannot be trusted until a corrected export "
            "is supplied."
        )
    return " ".join(parts)


def headlines(page: Page) -> list[Headline]:
    """One headline on data completeness: the share of rows used across the extracts."""
    f = facts_of(page)
    used = [e for e in f.extracts.values() if not e.refused]
    refused = [e for e in f.extracts.values() if e.refused]
    if used and f.pooled_share is not None:
        value = (
            f"{pct(f.pooled_share)} of rows used ({f.pooled_clean.words()} of "
            f"{f.pooled_rows.words()})"
        )
    elif used and f.pooled_rows is not None and f.pooled_rows.value != 0:
        value = f"{f.pooled_rough} of rows used"
    else:
        value = "no extract usable"
    caveats = [
        "Every row read was counted, so no range is given: the uncertainty is in the recording, "
        "not in sampling."
    ]
    caveats += [e.refusal for e in refused]
    return [
        Headline(
            key="data_completeness",
            label="Rows of the extracts that passed every check",
            value=value,
            interval="not applicable (every row counted)",
            sentence=plain(conclusion(page)),
            report=REPORT,
            caveats=tuple(caveats),
            unit="percent",
            better="higher",
            estimate=float(100 * f.pooled_share) if f.pooled_share is not None else None,
        )
    ]


def figures(page: Page) -> dict[str, Any]:
    """The figures recorded beside the report, as the page shows them (rows as counts)."""
    f = facts_of(page)
    out: dict[str, Any] = {}
    for kind, e in f.extracts.items():
        out[f"{kind}_refused"] = e.refused
        out[f"{kind}_balanced"] = e.balanced
        if e.refused:
            continue
        out[f"{kind}_rows_in"] = "c" if e.rows_in.withheld else e.rows_in.value
        out[f"{kind}_share_clean"] = e.share_clean
        if e.share_clean is None:  # recorded as the page says it: "about 99%" is 0.99
            words = e.rough_share
            out[f"{kind}_share_clean_words"] = words
            if words.startswith("about ") and words.endswith("%"):
                out[f"{kind}_share_clean"] = int(words[6:-1]) / 100
    out["data_quality_conclusion"] = conclusion(page)
    return out

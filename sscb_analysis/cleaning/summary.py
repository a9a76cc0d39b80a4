"""The cleaning summary: counts per outcome and per rule, written as ``<kind>_summary.json`` and
printed by ``sscb clean``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sscb_analysis.cleaning.protect import Protected
from sscb_analysis.cleaning.validate import Hit
from sscb_analysis.extracts import ExtractSpec


def summarise(
    spec: ExtractSpec,
    source_file: str,
    n: int,
    data: pd.DataFrame,
    quarantine: pd.DataFrame,
    blank: np.ndarray,
    duplicate: np.ndarray,
    hits: list[Hit],
    protected: Protected,
    pseudonymise: bool,
    footers: int = 0,
    header_row: int = 1,
    same_in_later_return: int = 0,
) -> dict[str, Any]:
    """The summary dictionary; ``balanced`` says every row is accounted for exactly once."""
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
        "footers": int(footers),
        "same_in_later_return": int(same_in_later_return),
        "header_row": int(header_row),
        "flagged": flagged,
        "pseudonymised": bool(pseudonymise),
        "columns_dropped": protected.dropped,
        "placeholders_read_as_blank": protected.placeholders,
        "rules": per_rule,
    }
    summary["balanced"] = summary["rows_in"] == (
        summary["clean"]
        + summary["quarantined"]
        + summary["duplicates"]
        + summary["blank"]
        + summary["footers"]
        + summary["same_in_later_return"]
    )
    return summary


def summary_text(summary: dict[str, Any]) -> str:
    """The summary as a few lines for the terminal."""
    s = summary
    lines = [
        f"{s['kind'].upper()} {s['source_file']}: {s['rows_in']} rows in -> {s['clean']} clean "
        f"({s['flagged']} flagged), {s['quarantined']} quarantined, {s['duplicates']} duplicates, "
        f"{s['blank']} blank"
        + (f", {s['footers']} footer rows" if s.get("footers") else "")
        + (
            f", {s['same_in_later_return']} also in a later return"
            if s.get("same_in_later_return")
            else ""
        ),
    ]
    if s.get("header_row", 1) > 1:
        lines.append(f"headers read from row {s['header_row']} (the rows above are titles)")
    fired = [(c, r) for c, r in s["rules"].items() if r["rows"]]
    if fired:
        lines.append("rule      severity  rows  description")
        lines += [f"{c:<9} {r['severity']:<9} {r['rows']:>5}  {r['description']}" for c, r in fired]
    if s["columns_dropped"]:
        lines.append("columns dropped: " + ", ".join(s["columns_dropped"]))
    basis = s.get("derived") or {}
    if basis.get("second_or_subsequent") is not None:
        lines.append(
            f"second or subsequent plans: {basis['second_or_subsequent']} (by the extract's "
            f"history and the recorded number {basis['history_and_recorded']}, history only "
            f"{basis['history_only']}, recorded number only {basis['recorded_only']}; "
            f"recorded number below the history for {basis['disagree']})"
        )
    for column, found in (s.get("placeholders_read_as_blank") or {}).items():
        cells = ", ".join(f"{n} x {t!r}" for t, n in found.items())
        lines.append(f"read as blank in {column}: {cells}")
    return "\n".join(lines)

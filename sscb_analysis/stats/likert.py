"""Summaries of five-point survey questions: the "top box" share with its uncertainty."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from sscb_analysis.stats.intervals import check_count, wilson_ci
from sscb_analysis.stats.results import LikertSummary

__all__ = ["likert_summary"]

TOP_TWO = ("very satisfied", "fairly satisfied")


def _norm(label: object) -> str:
    return " ".join(str(label).strip().lower().split())


def likert_summary(
    counts: Mapping[str, int] | pd.Series,
    top: Sequence[str] = TOP_TWO,
    min_base: int = 10,
    confidence: float = 0.95,
) -> LikertSummary:
    """Share of answers in the ``top`` categories, with a Wilson interval.

    ``counts`` maps each answer label to its count (labels are matched ignoring case and spaces).
    Below ``min_base`` answers the share is suppressed and ``reason`` says why: a percentage of a
    handful of people is both unreliable and potentially disclosive.
    """
    if isinstance(top, str):
        top = (top,)
    if isinstance(counts, (pd.Series, Mapping)):
        items = list(counts.items())
    else:
        raise TypeError("counts must be a mapping or Series from answer label to count")
    if not items:
        raise ValueError("counts is empty: no answers to summarise")
    min_base = check_count(min_base, "min_base")
    merged: dict[str, int] = {}
    for label, c in items:
        key = _norm(label)
        merged[key] = merged.get(key, 0) + check_count(c, f"count for {label!r}")
    wanted = tuple(_norm(t) for t in top)
    if not wanted:
        raise ValueError("top must name at least one answer")
    unknown = [t for t in wanted if t not in merged]
    if len(unknown) == len(wanted):
        raise ValueError(
            f"none of the top answers {list(top)} appear in counts (answers are {sorted(merged)})"
        )
    top_box = sum(merged.get(t, 0) for t in wanted)
    base = sum(merged.values())
    caveats = [
        "Only people who answered the survey are counted; those who did not may feel differently."
    ]
    shared = dict(top=tuple(top), counts=tuple(merged.items()), confidence=confidence)
    if base < max(min_base, 1):
        reason = (
            f"only {base} answers, below the minimum of {min_base}"
            if base
            else "no answers were recorded"
        )
        return LikertSummary(
            top_box=top_box,
            base=base,
            share=float("nan"),
            lower=float("nan"),
            upper=float("nan"),
            suppressed=True,
            method="suppressed (base below minimum)",
            reason=reason,
            caveats=tuple(caveats),
            **shared,
        )
    ci = wilson_ci(top_box, base, confidence)
    return LikertSummary(
        top_box=top_box,
        base=base,
        share=ci.estimate,
        lower=ci.lower,
        upper=ci.upper,
        suppressed=False,
        method="top-box share, Wilson score interval",
        caveats=tuple(caveats) + ci.caveats,
        **shared,
    )

"""Seeded SYNTHETIC example of the board's wider dataset: ``indicators.csv`` and ``indicators.yml``.

The board's annual report (Southwark 2012/13, the demonstration profile) tracks measures beyond
the three extracts; this writes invented quarterly series of them, April 2010 to March 2014, shaped
on what that report says so the scorecard has something true to find:

- private fostering notifications up 25% in 2012/13 (16 to 20 in the year);
- allegations referred to the LADO rising after the 2012 awareness work;
- section 47 enquiries steady;
- re-referrals within 12 months near an illustrative target (the report gives none);
- referrals ending in no further action rising in 2012/13 ("a key performance issue");
- children entering care under a voluntary agreement (section 20): 32.6% of entrants in 2011/12,
  23.7% in 2012/13;
- attendance at the board's training, rising after the 2012/13 recommissioning.

Kept apart from :mod:`sscb_analysis.synth` (the case-level extracts) so their bytes never change;
the seed is the same, the random stream its own. Every file says it is SYNTHETIC.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["MEASURES", "generate_indicators", "indicators_yaml", "write_indicators"]

_FIRST_YEAR = 2010  # reporting years 2010-11 to 2013-14
_YEARS = 4
_STREAM = 0x1D1CA7  # the indicators' own random stream, apart from the extracts'
#: Where the example's targets come from: nowhere real. The seed report states no target for
#: these measures, so they are made up with the figures, and say so on every page.
SYNTHETIC_TARGET = (
    "SYNTHETIC: an illustrative target invented with the synthetic figures; the board's annual "
    "report states no target for this measure"
)


@dataclass(frozen=True)
class Measure:
    """One synthetic measure: its definition fields and how its quarters are drawn."""

    key: str
    name: str
    definition: str
    unit: str
    better: str
    owner: str
    stands_for: str
    target: float | None = None
    chart: str = "xmr"
    benchmark: str | None = None


MEASURES: tuple[Measure, ...] = (
    Measure(
        "private_fostering_notifications",
        "Private fostering notifications",
        "Notifications to children's social care that a child is living in a private fostering "
        "arrangement (cared for by someone other than a close relative for 28 days or more), "
        "per quarter. More notifications mean more arrangements are known and checked.",
        "count",
        "higher",
        "Children's social care",
        "the private fostering register",
    ),
    Measure(
        "lado_allegations",
        "Allegations referred to the LADO",
        "Allegations against adults who work with children referred to the local authority "
        "designated officer (LADO), per quarter. A rise may mean more awareness as well as more "
        "concerns, so neither direction is simply better.",
        "count",
        "neutral",
        "LADO (quality assurance unit)",
        "the LADO's referral log",
    ),
    Measure(
        "section_47_enquiries",
        "Section 47 enquiries started",
        "Child protection enquiries (section 47 of the Children Act 1989) started, per quarter.",
        "count",
        "neutral",
        "Children's social care",
        "the children's social care case system",
    ),
    Measure(
        "rereferrals_12_months",
        "Re-referrals within 12 months",
        "Referrals to children's social care of a child referred before within the previous 12 "
        "months, as a percentage of all referrals in the quarter (the DfE definition).",
        "percent",
        "lower",
        "Children's social care",
        "the children's social care case system",
        target=20.0,
        chart="p",
        benchmark="rereferrals_pct",
    ),
    Measure(
        "referrals_no_further_action",
        "Referrals ending in no further action",
        "Referrals to children's social care closed with no further action, as a percentage of "
        "referrals closed in the quarter.",
        "percent",
        "lower",
        "Children's social care",
        "the children's social care case system",
        target=25.0,
        chart="p",
    ),
    Measure(
        "section_20_entries_share",
        "Children entering care under section 20",
        "Children starting to be looked after under a voluntary agreement with their parents "
        "(section 20 of the Children Act 1989), as a percentage of all children starting to be "
        "looked after in the quarter. Voluntary accommodation is right for some families, so "
        "neither direction is simply better.",
        "percent",
        "neutral",
        "Children's social care",
        "the looked-after children return (SSDA903)",
        chart="p",
    ),
    Measure(
        "training_attendance",
        "Attendance at the board's training",
        "Places taken up at the board's multi-agency training courses, as a percentage of places "
        "booked, per quarter.",
        "percent",
        "higher",
        "Board business unit (training sub-group)",
        "the training booking system",
        target=85.0,
        chart="p",
    ),
)


def _quarters() -> list[tuple[str, str]]:
    out = []
    for year in range(_FIRST_YEAR, _FIRST_YEAR + _YEARS):
        for start, end in (
            (f"01/04/{year}", f"30/06/{year}"),
            (f"01/07/{year}", f"30/09/{year}"),
            (f"01/10/{year}", f"31/12/{year}"),
            (f"01/01/{year + 1}", f"31/03/{year + 1}"),
        ):
            out.append((start, end))
    return out


def _split(rng: np.random.Generator, total: int, parts: int = 4) -> np.ndarray:
    """A yearly total split at random over its quarters (the total is kept exactly)."""
    return rng.multinomial(total, np.full(parts, 1 / parts))


def _shares(
    rng: np.random.Generator, yearly: list[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Quarterly numerators and denominators whose yearly sums are exactly ``yearly``."""
    nums, dens = [], []
    for k, n in yearly:
        d = _split(rng, n)
        # The year's k cases fall among its n at random (hypergeometric over the quarters).
        x = rng.multivariate_hypergeometric(d, k)
        nums.extend(x.tolist())
        dens.extend(d.tolist())
    return np.asarray(nums), np.asarray(dens)


def generate_indicators(seed: int = 2013) -> pd.DataFrame:
    """The SYNTHETIC ``indicators.csv`` as a frame (text columns, day-first dates)."""
    rng = np.random.default_rng([seed, _STREAM])
    periods = _quarters()
    rows: list[dict[str, str]] = []

    def add(key: str, numerators: np.ndarray, denominators: np.ndarray | None = None) -> None:
        for q, (start, end) in enumerate(periods):
            rows.append(
                {
                    "indicator": key,
                    "period_start": start,
                    "period_end": end,
                    "numerator": str(int(numerators[q])),
                    "denominator": "" if denominators is None else str(int(denominators[q])),
                    "value": "",
                }
            )

    # Private fostering: 18, 16, 20 (up 25% on 16), 21 notifications a year.
    add(
        "private_fostering_notifications",
        np.concatenate([_split(rng, t) for t in (18, 16, 20, 21)]),
    )
    # LADO: about 13 a quarter, then the awareness work of 2012 lifts it to about 28.
    lado = rng.poisson([13] * 8 + [20, 26, 28, 30] + [28] * 4)
    add("lado_allegations", lado)
    add("section_47_enquiries", rng.poisson(290, size=len(periods)))
    referrals = rng.poisson(1250, size=len(periods))
    add("rereferrals_12_months", rng.binomial(referrals, 0.19), referrals)
    closed = rng.poisson(1200, size=len(periods))
    nfa = np.array([0.22] * 8 + [0.25, 0.27, 0.28, 0.29] + [0.27] * 4)
    add("referrals_no_further_action", rng.binomial(closed, nfa), closed)
    # Section 20: 64 of 190 (2010-11), 61 of 187 = 32.6% (2011-12), 50 of 211 = 23.7% (2012-13).
    s20, entrants = _shares(rng, [(64, 190), (61, 187), (50, 211), (52, 205)])
    add("section_20_entries_share", s20, entrants)
    booked = rng.poisson(420, size=len(periods))
    rate = np.array([0.80] * 8 + [0.84, 0.87, 0.88, 0.89] + [0.88] * 4)
    add("training_attendance", rng.binomial(booked, rate), booked)
    return pd.DataFrame(rows, columns=[*rows[0].keys()])


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def indicators_yaml(seed: int = 2013) -> str:
    """The SYNTHETIC ``indicators.yml``: every measure's definition, marked synthetic."""
    lines = [
        "# SYNTHETIC: made by `sscb synth` (sscb_analysis.synth_indicators, seed "
        f"{seed}). These definitions are real-looking,",
        "# the figures in indicators.csv are invented and describe no real area, child or family.",
        "synthetic: true",
        "indicators:",
    ]
    for m in MEASURES:
        lines += [
            f"  {m.key}:",
            f"    name: {_quote(m.name)}",
            f"    definition: {_quote(m.definition)}",
            f"    unit: {m.unit}",
            f"    better: {m.better}",
        ]
        if m.target is not None:
            lines.append(f"    target: {m.target:g}")
            lines.append(f"    target_source: {_quote(SYNTHETIC_TARGET)}")
        if m.chart != "xmr":
            lines.append(f"    chart: {m.chart}")
        if m.benchmark:
            lines.append(f"    benchmark: {m.benchmark}")
        lines += [
            f"    source: {_quote(f'SYNTHETIC (sscb synth, seed {seed}), standing in for {m.stands_for}')}",
            f"    owner: {_quote(m.owner)}",
        ]
    return "\n".join(lines) + "\n"


def write_indicators(out_dir: str | Path, seed: int = 2013) -> list[Path]:
    """Write ``indicators.csv`` and ``indicators.yml`` to ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "indicators.csv"
    generate_indicators(seed).to_csv(csv, index=False, lineterminator="\n")
    yml = out / "indicators.yml"
    yml.write_text(indicators_yaml(seed), encoding="utf-8")
    return [csv, yml]

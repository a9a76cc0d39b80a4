"""The ``Headline``: one indicator as the board summary shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Headline:
    """One headline indicator for the board summary.

    ``value`` and ``interval`` are already formatted and disclosure-safe (no count from 1 to the
    suppression threshold); ``sentence`` is one plain-English sentence; ``variation`` is the SPC
    icon's meaning (e.g. "special cause improvement") or ``None`` when there is no chart;
    ``report`` is the notebook name holding the detail (e.g. "01_cpp_repeat_plans").
    """

    key: str
    label: str
    value: str
    interval: str
    sentence: str
    report: str
    variation: str | None = None
    assurance: str | None = None
    caveats: tuple[str, ...] = field(default_factory=tuple)

    def as_row(self, confidence: float = 0.95) -> dict[str, Any]:
        """The headline as one row of the board summary table."""
        return {
            "Indicator": self.label,
            "Latest value": self.value,
            f"Likely range ({confidence:.0%} confidence)": self.interval,
            "Pattern over time": self.variation or "not charted",
            "What it means": self.sentence,
        }

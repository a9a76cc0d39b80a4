"""The ``Headline``: one indicator as the board summary shows it, and how it travels in a run.

Each report notebook records its headlines as the figure :data:`HEADLINES_FIGURE` of its JSON
(:func:`record_headlines`, called last in the notebook, so a notebook that fails records none);
the board summary and the scorecard read them back (:func:`headlines_from_record`) and never
recompute them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HEADLINES_FIGURE", "Headline", "headlines_from_record", "record_headlines"]

#: The name under which a notebook records its headlines (``reports/<run>/<notebook>.json``).
HEADLINES_FIGURE = "headlines"


@dataclass(frozen=True)
class Headline:
    """One headline indicator for the board summary.

    ``value`` and ``interval`` are already formatted and disclosure-safe (no count from 1 to the
    suppression threshold); ``sentence`` is one plain-English sentence; ``variation`` is the SPC
    icon's meaning (e.g. "special cause improvement") or ``None`` when there is no chart;
    ``report`` is the notebook name holding the detail (e.g. "01_cpp_repeat_plans").

    The optional fields let the scorecard treat a computed indicator like any other (all
    disclosure-safe: ``None`` where the figure is withheld): ``unit`` (``count``, ``percent``,
    ``rate`` or ``number``), ``better`` (``higher``, ``lower``, ``neutral``), ``period`` (the
    latest period's label, e.g. "Jan to Mar 2013"), ``estimate`` / ``lower`` / ``upper`` (the
    value and likely range in the unit's scale: 23.7 for 23.7%), ``previous`` (the period before,
    for the direction of travel) and ``previous_period`` (its label), ``variation_icon`` (as :attr:`SPCResult.variation_icon`),
    ``process_lower`` / ``process_upper`` (the SPC process limits at the latest point, from which
    the scorecard judges assurance against the profile's target, in the unit's scale) and
    ``comparison`` (England and statistical neighbours as published, or another reference the
    profile gives, in a few words).
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
    unit: str | None = None
    better: str | None = None
    period: str | None = None
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None
    previous: float | None = None
    previous_period: str | None = None
    variation_icon: str | None = None
    process_lower: float | None = None
    process_upper: float | None = None
    comparison: str | None = None

    def as_row(self, confidence: float = 0.95) -> dict[str, Any]:
        """The headline as one row of the board summary table."""
        return {
            "Indicator": self.label,
            "Latest value": self.value,
            f"Likely range ({confidence:.0%} confidence)": self.interval,
            "Pattern over time": self.variation or "not charted",
            "What it means": self.sentence,
        }


def record_headlines(headlines: Iterable[Headline]) -> list[Headline]:
    """Record ``headlines`` as this notebook's :data:`HEADLINES_FIGURE`; return them."""
    from sscb_analysis.reporting.figures import record

    items = list(headlines)
    wrong = [type(h).__name__ for h in items if not isinstance(h, Headline)]
    if wrong:
        raise TypeError(f"record_headlines takes Headline objects, not {', '.join(wrong)}")
    record(HEADLINES_FIGURE, items)
    return items


_FIELDS = {f.name for f in dataclasses.fields(Headline)}
_REQUIRED = {f.name for f in dataclasses.fields(Headline) if f.default is dataclasses.MISSING}
_REQUIRED -= {"caveats"}


def headlines_from_record(value: object, where: str = "the recorded figures") -> list[Headline]:
    """The headlines a notebook recorded (the JSON form :func:`record_headlines` writes).

    Raises ``ValueError`` naming ``where`` when the value is not a list of headlines, so a
    damaged or foreign JSON file is reported, never half read.
    """
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise ValueError(f"{where}: '{HEADLINES_FIGURE}' is not a list of headlines")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or not set(item) >= _REQUIRED:
            raise ValueError(f"{where}: headline {i + 1} lacks {sorted(_REQUIRED)}")
        fields = {k: v for k, v in item.items() if k in _FIELDS}
        fields["caveats"] = tuple(str(c) for c in fields.get("caveats") or ())
        for name in ("key", "label", "value", "interval", "sentence", "report"):
            if not isinstance(fields[name], str):
                raise ValueError(f"{where}: headline {i + 1}'s {name} is not text")
        for name in ("estimate", "lower", "upper", "previous", "process_lower", "process_upper"):
            v = fields.get(name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                raise ValueError(f"{where}: headline {i + 1}'s {name} is not a number")
        out.append(Headline(**fields))
    return out

"""The definitions file of the board's indicator dataset (``indicators.yml``).

Each indicator the board tracks is declared once: its name, a plain-English definition, its unit,
which direction is better, an optional target, where the figures come from and which agency owns
them. The scorecard reads nothing else about an indicator. Every mistake in the file is one
sentence naming the indicator, the field and the fix.

```yaml
indicators:
  private_fostering_notifications:
    name: Private fostering notifications
    definition: Notifications to children's social care of a child living in a private
      fostering arrangement, per quarter.
    unit: count              # count | percent | rate | number
    better: higher           # higher | lower | neutral
    target: 5                # optional, in the unit's own scale (percent: 0 to 100)
    target_source: Board business plan 2013-14   # optional: where the target is set
    source: Children's social care case system
    owner: Children's social care
```

Optional fields: ``per`` (rates: per how many, e.g. 10000), ``chart`` (the SPC chart: ``xmr`` by
default, as Making Data Count uses for every measure; ``p`` for a percentage with its numerator and
denominator, ``c`` for a count, ``u`` for a rate), ``benchmark`` (the key of a published DfE
indicator in :mod:`sscb_analysis.benchmarks` for the England and statistical-neighbour columns).
A top-level ``synthetic: true`` marks a dataset made by the project's generator.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "BETTER",
    "CHARTS",
    "UNITS",
    "DefinitionError",
    "IndicatorDefinition",
    "IndicatorDefinitions",
    "parse_definitions",
    "read_definitions",
]

UNITS = ("count", "percent", "rate", "number")
BETTER = ("higher", "lower", "neutral")
CHARTS = ("xmr", "p", "c", "u")
_REQUIRED = ("name", "definition", "unit", "better", "source", "owner")
_OPTIONAL = ("target", "target_source", "per", "chart", "benchmark")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# Control characters (an ANSI escape, a NUL) in a text printed on the board pages and the PDF;
# the same rule as the area profile's texts. Tabs and line breaks are whitespace, folded.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


class DefinitionError(ValueError):
    """The definitions file cannot be used; the message says where and how to fix it."""


@dataclass(frozen=True)
class IndicatorDefinition:
    """One indicator as the board defines it (see the module docstring for the fields)."""

    key: str
    name: str
    definition: str
    unit: str
    better: str
    source: str
    owner: str
    target: float | None = None
    per: int | None = None
    chart: str = "xmr"
    benchmark: str | None = None
    target_source: str | None = None

    @property
    def improvement(self) -> str:
        """The SPC improvement direction (``increase``, ``decrease`` or ``neutral``)."""
        return {"higher": "increase", "lower": "decrease", "neutral": "neutral"}[self.better]

    @property
    def needs_denominator(self) -> bool:
        """Whether a numerator alone cannot give the value (percentages and rates)."""
        return self.unit in ("percent", "rate")

    def value_from(self, numerator: float, denominator: float | None) -> float | None:
        """The indicator's value from its numerator and denominator, in the unit's scale."""
        if self.unit == "count":
            return float(numerator)
        if denominator is None or denominator <= 0:
            return None
        if self.unit == "percent":
            return 100.0 * numerator / denominator
        if self.unit == "rate":
            return float(self.per or 1) * numerator / denominator
        return numerator / denominator


@dataclass(frozen=True)
class IndicatorDefinitions:
    """Every definition in a file, by key, and whether the file says the data are synthetic."""

    indicators: Mapping[str, IndicatorDefinition]
    synthetic: bool = False
    source_file: str = ""

    def __getitem__(self, key: str) -> IndicatorDefinition:
        return self.indicators[key]

    def __contains__(self, key: object) -> bool:
        return key in self.indicators

    def __iter__(self) -> Iterator[str]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)


def read_definitions(path: str | Path) -> IndicatorDefinitions:
    """Read and check ``indicators.yml``; raise :class:`DefinitionError` with a sentence."""
    import yaml

    from sscb_analysis import yaml_safe

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(
            f"{path} does not exist: the indicator dataset needs its definitions file "
            "(indicators.yml) beside indicators.csv."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path} could not be read as UTF-8 text: {exc}.") from None
    try:
        data = yaml_safe.load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise DefinitionError(f"{path} is not valid YAML{line}: fix its layout.") from None
    return parse_definitions(data, str(path))


def parse_definitions(data: Any, source: str = "indicators.yml") -> IndicatorDefinitions:
    """Check the parsed YAML of a definitions file and build the definitions."""
    if not isinstance(data, Mapping) or not isinstance(data.get("indicators"), Mapping):
        raise DefinitionError(
            f"{source} must hold an 'indicators:' block with one entry per indicator key."
        )
    unknown_top = sorted(str(k) for k in data if k not in ("indicators", "synthetic"))
    if unknown_top:
        raise DefinitionError(
            f"{source}: unknown top-level key(s) {', '.join(map(repr, unknown_top))}; "
            "only 'indicators' and 'synthetic' are read."
        )
    synthetic = data.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise DefinitionError(f"{source}: 'synthetic' must be true or false.")
    out: dict[str, IndicatorDefinition] = {}
    for key, entry in data["indicators"].items():
        out[str(key)] = _definition(str(key), entry, source)
    if not out:
        raise DefinitionError(f"{source} defines no indicator.")
    return IndicatorDefinitions(out, synthetic, source)


def _refuse_identifiers(where: str, fields: Mapping[str, str]) -> None:
    """Refuse a name, definition, source or owner that holds a direct identifier (an NHS
    number, UPN, email, phone number, postcode or date of birth): each is printed on the board
    pages. The message names the field, never the value. Dates count only beside a word that
    says birth, as a definition may well name the date it changed."""
    from sscb_analysis.cleaning.identifiers import DESCRIPTIONS, classify

    for name in ("name", "definition", "source", "owner"):
        kind = classify(fields[name], event_dates=True)
        if kind is not None:
            raise DefinitionError(
                f"{where}: '{name}' looks like it holds {DESCRIPTIONS[kind]} (withheld), and "
                "it is printed on the board pages: write it without personal details (a team "
                "or role, not a person's contact details)."
            )


def _plain(value: str, where: str, name: str) -> str:
    """``value`` on one line, refused when it holds a control character: each text is printed
    on the board pages and in the PDF."""
    if _CONTROL.search(value):
        raise DefinitionError(
            f"{where}: '{name}' holds a control character (an escape code or similar); "
            "write it as plain text."
        )
    return " ".join(value.split())


def _definition(key: str, entry: Any, source: str) -> IndicatorDefinition:
    where = f"{source}, indicator {key!r}"
    if not _KEY.match(key):
        raise DefinitionError(
            f"{where}: a key is lower-case letters, digits and underscores, starting with a "
            "letter (at most 63 characters)."
        )
    if not isinstance(entry, Mapping):
        raise DefinitionError(f"{where}: give its fields ({', '.join(_REQUIRED)}) as a block.")
    unknown = sorted(str(k) for k in entry if k not in _REQUIRED + _OPTIONAL)
    if unknown:
        raise DefinitionError(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; the fields are "
            f"{', '.join(_REQUIRED + _OPTIONAL)}."
        )
    fields: dict[str, Any] = {}
    for name in _REQUIRED:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            raise DefinitionError(f"{where}: '{name}' is required and must be text.")
        fields[name] = _plain(value, where, name)
    _refuse_identifiers(where, fields)
    for name, allowed in (("unit", UNITS), ("better", BETTER)):
        if fields[name] not in allowed:
            raise DefinitionError(
                f"{where}: '{name}' is {fields[name]!r}; use one of {', '.join(allowed)}."
            )
    target = entry.get("target")
    if target is not None:
        if isinstance(target, bool) or not isinstance(target, int | float):
            raise DefinitionError(f"{where}: 'target' must be a number (or left out).")
        if not math.isfinite(target):
            raise DefinitionError(f"{where}: 'target' must be a finite number.")
        if fields["unit"] == "percent" and not 0 <= target <= 100:
            raise DefinitionError(
                f"{where}: 'target' {target} is a percentage, so it must lie from 0 to 100."
            )
        target = float(target)
    target_source = entry.get("target_source")
    if target_source is not None:
        if target is None:
            raise DefinitionError(f"{where}: 'target_source' is given without a 'target'.")
        if not isinstance(target_source, str) or not target_source.strip():
            raise DefinitionError(
                f"{where}: 'target_source' must be text (where the target is set)."
            )
        target_source = _plain(target_source, where, "target_source")
    per = entry.get("per")
    if fields["unit"] == "rate":
        if isinstance(per, bool) or not isinstance(per, int) or per < 1:
            raise DefinitionError(f"{where}: a rate needs 'per', a whole number (e.g. 10000).")
    elif per is not None:
        raise DefinitionError(f"{where}: 'per' applies only to unit: rate.")
    chart = entry.get("chart", "xmr")
    if chart not in CHARTS:
        raise DefinitionError(f"{where}: 'chart' is {chart!r}; use one of {', '.join(CHARTS)}.")
    fit = {"p": ("percent",), "c": ("count",), "u": ("rate",)}.get(chart)
    if fit is not None and fields["unit"] not in fit:
        raise DefinitionError(
            f"{where}: a {chart} chart needs unit {fit[0]}, not {fields['unit']}; use chart: xmr."
        )
    benchmark = entry.get("benchmark")
    if benchmark is not None and (not isinstance(benchmark, str) or not benchmark.strip()):
        raise DefinitionError(f"{where}: 'benchmark' must be the key of a published indicator.")
    return IndicatorDefinition(
        key=key,
        target=target,
        per=per,
        chart=chart,
        benchmark=benchmark,
        target_source=target_source,
        **fields,
    )

"""The area profile: the ``area:`` block of a reports config, read and checked (docs/profile.md).

The profile is the only place that knows which area a run is about: its name, LA code, the period
under review, local events, the board's own claims, reference rates and targets. Every mistake is
refused with a sentence naming the key and the fix, because a profile copied from another area
and half edited is the likeliest way for one area's claims to reach another area's board.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sscb_analysis.disclose.policy import (
    DEFAULT_MARKING,
    PUBLISHED,
    DisclosurePolicyError,
    Policy,
    disclosure_policy,
)
from sscb_analysis.reporting.errors import ProfileError

AREA_KEYS = (
    "name",
    "la_code",
    "region",
    "statistical_neighbours",
    "period",
    "disclosure",
    "protective_marking",
    "events",
    "claims",
    "reference_rates",
    "targets",
)
EVENT_FIELDS = ("date", "label", "source")
CLAIM_FIELDS = ("value", "text", "source", "date")
RATE_FIELDS = ("value", "label", "source", "year")
TARGET_FIELDS = ("value", "direction", "label", "source")
DIRECTIONS = ("lower", "higher")
MAX_TEXT = 500
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_QUARTER = re.compile(r"(\d{4})Q([1-4])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Event:
    """A local event to test before and after (e.g. a practice review)."""

    key: str
    date: dt.date
    label: str
    source: str | None = None


@dataclass(frozen=True)
class Claim:
    """What one of the board's own publications said, to be checked against the data."""

    key: str
    value: Any
    text: str
    source: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class ReferenceRate:
    """A national or other reference rate the area compares itself with."""

    key: str
    value: float
    label: str
    source: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Target:
    """A target for one indicator (a headline key or a key of the board's dataset), in the
    indicator's own unit as the scorecard shows it: a percentage from 0 to 100."""

    key: str
    value: float
    direction: str | None = None
    label: str | None = None
    source: str | None = None
    written_as_percent: bool = False  # given as "15%"


@dataclass(frozen=True)
class PeriodSpec:
    """The period under review as the profile gives it: ``latest`` or explicit dates."""

    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def latest(self) -> bool:
        """True when the period is resolved from the data (the latest complete year)."""
        return self.start is None

    def describe(self) -> str:
        if self.latest:
            return "latest"
        return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"


def _value_share(key: str, value: Any) -> float:
    number = _number(value, key)
    if not 0 <= number <= 1:
        hint = f" (write {number / 100:g} for {number:g}%)" if 1 < number <= 100 else ""
        raise ProfileError(f"{key}: value must be a share from 0 to 1{hint}, not {_shown(value)}")
    return number


def _value_risk_tool(key: str, value: Any) -> str:
    tools = _risk_tools()
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    if text not in tools:
        raise ProfileError(
            f"{key}: value must name a MARAC risk tool as the cleaned extract codes it "
            f"({', '.join(tools)}), not {_shown(value)}"
        )
    return text


def _value_quarters(key: str, value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping) or len(value) < 2:
        raise ProfileError(
            f"{key}: value must map two or more quarters to the number the board reported, "
            f"e.g. {{2012Q1: 24, 2012Q4: 4}}, not {_shown(value)}"
        )
    out: dict[str, int] = {}
    for quarter, count in value.items():
        label = str(quarter).strip().upper()
        if not _QUARTER.fullmatch(label):
            raise ProfileError(f"{key}: {_shown(quarter)} is not a quarter written like 2012Q1")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ProfileError(
                f"{key}: the count for {label} must be a whole number, not {_shown(count)}"
            )
        out[label] = count
    return dict(sorted(out.items()))


# The keys analyses look up, what each means, and how its value is checked. Adding a key that a
# new analysis reads is one line here and one row in docs/profile.md.
KNOWN_EVENTS: Mapping[str, str] = MappingProxyType(
    {
        "cpp_practice_review": "a practice review of repeat child protection plans (01, 02 test "
        "before and after it)",
    }
)
KNOWN_CLAIMS: Mapping[str, tuple[str, Callable[[str, Any], Any], bool]] = MappingProxyType(
    {
        # key: (meaning, value check, date required)
        "caf_very_satisfied": (
            "share of CAF survey respondents very satisfied",
            _value_share,
            False,
        ),
        "caf_improved": (
            "share of CAF survey respondents who saw things improve",
            _value_share,
            False,
        ),
        "marac_risk_tool": (
            "the risk tool an audit expected MARAC referrals to use (date: the audit)",
            _value_risk_tool,
            True,
        ),
        "cpp_repeat_quarters": (
            "second or subsequent plans the board reported in two or more quarters",
            _value_quarters,
            False,
        ),
    }
)
KNOWN_REFERENCE_RATES: Mapping[str, str] = MappingProxyType(
    {"marac_repeat_rate": "national repeat MARAC referral rate (a share from 0 to 1)"}
)
# The indicators the reports record as headlines (sscb_analysis.analyses.*): key -> (unit,
# better, report). A target may name one of these or a key of the board's dataset
# (indicators.yml); tests/test_reports_end_to_end.py checks this list against what the reports
# record. A report that adds a headline adds it here and in docs/profile.md.
KNOWN_INDICATORS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "data_completeness": ("percent", "higher", "00_data_quality"),
        "cpp_second_or_subsequent_share": ("percent", "lower", "01_cpp_repeat_plans"),
        "cpp_open_two_years_or_more": ("percent", "lower", "02_cpp_duration"),
        "caf_very_satisfied": ("percent", "higher", "03_caf"),
        "caf_things_improved": ("percent", "higher", "03_caf"),
        "marac_repeat_rate": ("percent", "neutral", "04_marac"),
        "marac_no_risk_tool": ("percent", "lower", "04_marac"),
        "benchmark_second_or_subsequent": ("percent", "lower", "06_national_benchmark"),
    }
)


@dataclass(frozen=True)
class AreaProfile:
    """One area: who, which period, and the optional events, claims, rates and targets."""

    name: str
    la_code: str | None = None
    new_la_code: str | None = None
    region: str | None = None
    statistical_neighbours: tuple[str, ...] = ()
    period: PeriodSpec = field(default_factory=PeriodSpec)
    disclosure: str = PUBLISHED
    protective_marking: str = DEFAULT_MARKING[PUBLISHED]
    events: Mapping[str, Event] = field(default_factory=lambda: MappingProxyType({}))
    claims: Mapping[str, Claim] = field(default_factory=lambda: MappingProxyType({}))
    reference_rates: Mapping[str, ReferenceRate] = field(
        default_factory=lambda: MappingProxyType({})
    )
    targets: Mapping[str, Target] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def policy(self) -> Policy:
        """The disclosure policy (``sscb_analysis.disclose``, its one owner) at its default
        threshold."""
        return disclosure_policy(self.disclosure)

    def event(self, key: str) -> Event | None:
        return self.events.get(key)

    def claim(self, key: str) -> Claim | None:
        return self.claims.get(key)

    def reference_rate(self, key: str) -> ReferenceRate | None:
        return self.reference_rates.get(key)

    def target(self, key: str) -> Target | None:
        return self.targets.get(key)

    def left_out(self, block: str, key: str, what: str) -> str:
        """The one line a page prints for a section whose input the profile does not give."""
        return (
            f"{what[:1].upper()}{what[1:]} is left out: the area profile gives no "
            f"`{block}.{key}` for {self.name}."
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (for the run's context.json and the manifest)."""
        return {
            "name": self.name,
            "la_code": self.la_code,
            "new_la_code": self.new_la_code,
            "region": self.region,
            "statistical_neighbours": list(self.statistical_neighbours),
            "period": self.period.describe(),
            "disclosure": self.disclosure,
            "protective_marking": self.protective_marking,
            "events": {k: _plain(v) for k, v in self.events.items()},
            "claims": {k: _plain(v) for k, v in self.claims.items()},
            "reference_rates": {k: _plain(v) for k, v in self.reference_rates.items()},
            "targets": {k: _plain(v) for k, v in self.targets.items()},
        }


def load_profile(path: str | Path, *, check_la: bool = True) -> AreaProfile:
    """The area profile of the file at ``path`` (a reports config with an ``area:`` block)."""
    from sscb_analysis.reporting.config import load_config

    target = Path(path)
    if not target.is_file():
        raise ProfileError(
            f"area profile not found: {target}. Create one with "
            "`sscb init --la-code CODE --out FILE`, or give the path of an existing one."
        )
    profile = load_config(target, check_la=check_la).profile
    if profile is None:
        raise ProfileError(
            f"{target} has no 'area:' block. Every report is about one area: add "
            "`area: {name: ...}` (see docs/profile.md) or create a profile with `sscb init`."
        )
    return profile


def parse_area(raw: Any, where: str = "profile", *, check_la: bool = True) -> AreaProfile:
    """Check the parsed ``area:`` block and build an :class:`AreaProfile`.

    ``check_la`` looks the LA code up in the DfE files (about half a second, cached).
    """
    if not isinstance(raw, Mapping):
        raise ProfileError(f"{where}: 'area' must be a mapping with at least a 'name'")
    _no_unknown(raw, AREA_KEYS, f"{where}: area")
    name = _text(raw.get("name"), "area.name", required=True, limit=120)
    marking = _text(raw.get("protective_marking"), "area.protective_marking", limit=120)
    try:
        policy = disclosure_policy(raw.get("disclosure", PUBLISHED))
        marking = policy.protective_marking(marking)
    except DisclosurePolicyError as exc:
        raise ProfileError(f"{where}: {exc}") from None
    disclosure = policy.name
    la_code, new_code, region, neighbours = _area_codes(raw, name, where, check_la)
    return AreaProfile(
        name=name,
        la_code=la_code,
        new_la_code=new_code,
        region=region,
        statistical_neighbours=neighbours,
        period=parse_period(raw.get("period"), "area.period"),
        disclosure=disclosure,
        protective_marking=marking,
        events=_block(raw, "events", _event, KNOWN_EVENTS, where),
        claims=_block(raw, "claims", _claim, KNOWN_CLAIMS, where),
        reference_rates=_block(raw, "reference_rates", _rate, KNOWN_REFERENCE_RATES, where),
        targets=_block(raw, "targets", _target, None, where),
    )


def parse_period(value: Any, key: str = "period") -> PeriodSpec:
    """``latest`` (or nothing), a reporting year ``2012-13``, or ``{start: DATE, end: DATE}``."""
    if value is None or value == "latest":
        return PeriodSpec()
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{4})-(\d{2})\s*", value)
        if match and (int(match[1]) + 1) % 100 == int(match[2]):
            first = int(match[1])
            return PeriodSpec(dt.date(first, 4, 1), dt.date(first + 1, 3, 31))
    if isinstance(value, Mapping):
        _no_unknown(value, ("start", "end"), key)
        start = parse_date(value.get("start"), f"{key}.start")
        end = parse_date(value.get("end"), f"{key}.end")
        if start >= end:
            raise ProfileError(f"{key}: start ({start}) must be before end ({end})")
        return PeriodSpec(start, end)
    raise ProfileError(
        f"{key} must be `latest` (the latest complete reporting year in the data), a reporting "
        f"year such as 2012-13, or {{start: 2012-04-01, end: 2013-03-31}}; not {_shown(value)}"
    )


def parse_date(value: Any, key: str) -> dt.date:
    """A YAML date or an ISO ``YYYY-MM-DD`` string, else a sentence naming ``key``."""
    day = as_date(value)
    if day is None:
        raise ProfileError(
            f"{key} must be a date written YYYY-MM-DD (e.g. 2012-06-01), not {_shown(value)}"
        )
    return day


def as_date(value: Any) -> dt.date | None:
    """A date from a YAML date, a datetime or an ISO ``YYYY-MM-DD`` string; ``None`` if not."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------------------------- pieces
def _area_codes(
    raw: Mapping[str, Any], name: str, where: str, check_la: bool
) -> tuple[str | None, str | None, str | None, tuple[str, ...]]:
    """The LA code (old and new), region and neighbours, checked against the DfE files."""
    code = raw.get("la_code")
    region = _text(raw.get("region"), "area.region", limit=120)
    neighbours_raw = raw.get("statistical_neighbours")
    if neighbours_raw is not None and not isinstance(neighbours_raw, list):
        raise ProfileError(
            f"{where}: area.statistical_neighbours must be a list of LA codes, e.g. [204, 208]"
        )
    neighbours = tuple(str(n).strip() for n in neighbours_raw or [])
    if code is None or code == "":
        if neighbours:
            raise ProfileError(
                f"{where}: area.statistical_neighbours needs area.la_code (the area they "
                "neighbour); add la_code or remove the list"
            )
        return None, None, region, ()
    if isinstance(code, bool) or not isinstance(code, int | str):
        raise ProfileError(f"{where}: area.la_code must be an LA code such as 210 or E09000028")
    text = str(code).strip()
    if not check_la:
        old = text.zfill(3) if text.isdigit() else None
        return old or text, None if old else text.upper(), region, neighbours
    la = _find_la(text, "area.la_code", where)
    if not _same_name(name, la.name):
        raise ProfileError(
            f"{where}: area.name is {name!r} but area.la_code {text} is {la.name} in the DfE "
            f"files. Set la_code to {name}'s own code (`sscb init --la-code CODE` finds it), or "
            "remove la_code to leave the national comparison out."
        )
    if region is not None and not _same_name(region, la.region_name):
        raise ProfileError(
            f"{where}: area.region is {region!r} but the DfE files put {la.name} in "
            f"{la.region_name}; correct it or remove the line (it is filled from la_code)"
        )
    old_codes = tuple(
        _find_la(n, "area.statistical_neighbours", where).old_la_code for n in neighbours
    )
    if la.old_la_code in old_codes:
        raise ProfileError(
            f"{where}: area.statistical_neighbours lists {la.name} itself; remove it"
        )
    if not old_codes:
        old_codes = _dfe_neighbours(la)
    return la.old_la_code, la.new_la_code, region or la.region_name, old_codes


def _dfe_neighbours(la: Any) -> tuple[str, ...]:
    """The DfE's statistical neighbours of ``la`` (none for an authority without a group)."""
    from sscb_analysis.benchmarks.neighbours import NoNeighbourGroupError, neighbour_codes

    try:
        return tuple(neighbour_codes(la))
    except NoNeighbourGroupError:
        return ()


def _find_la(text: str, key: str, where: str) -> Any:
    from sscb_analysis.benchmarks.areas import UnknownLocalAuthorityError, find_la

    try:
        return find_la(text)
    except UnknownLocalAuthorityError as exc:
        raise ProfileError(f"{where}: {key}: {exc}") from None


def _same_name(given: str, official: str) -> bool:
    """True when one name contains the other, ignoring case and punctuation."""
    a, b = _words(given), _words(official)
    return bool(a and b) and (f" {b} " in f" {a} " or f" {a} " in f" {b} ")


def _words(text: str) -> str:
    text = text.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _block(
    raw: Mapping[str, Any],
    block: str,
    build: Callable[[str, Mapping[str, Any], str], Any],
    known: Mapping[str, Any] | None,
    where: str,
) -> Mapping[str, Any]:
    items = raw.get(block)
    if items is None:
        return MappingProxyType({})
    if not isinstance(items, Mapping):
        raise ProfileError(f"{where}: area.{block} must be a mapping of key: {{...}}")
    out = {}
    for key, spec in items.items():
        label = f"area.{block}.{key}"
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ProfileError(
                f"{where}: {label}: keys are lower-case words joined by _ (e.g. cpp_practice_review)"
            )
        if known is not None and key not in known:
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise ProfileError(
                f"{where}: {label} is not a key any report reads.{hint} Known {block}: "
                f"{', '.join(known)} (docs/profile.md, 'Known keys')."
            )
        if not isinstance(spec, Mapping):
            raise ProfileError(f"{where}: {label} must be a mapping (see docs/profile.md)")
        out[key] = build(key, spec, label)
    return MappingProxyType(out)


def _event(key: str, spec: Mapping[str, Any], label: str) -> Event:
    _no_unknown(spec, EVENT_FIELDS, label)
    return Event(
        key=key,
        date=parse_date(spec.get("date"), f"{label}.date"),
        label=_text(spec.get("label"), f"{label}.label", required=True),
        source=_text(spec.get("source"), f"{label}.source"),
    )


def _claim(key: str, spec: Mapping[str, Any], label: str) -> Claim:
    _no_unknown(spec, CLAIM_FIELDS, label)
    _meaning, check, date_required = KNOWN_CLAIMS[key]
    if "value" not in spec:
        raise ProfileError(f"{label}.value is missing (the figure the publication gave)")
    date = spec.get("date")
    if date is None and date_required:
        raise ProfileError(f"{label}.date is missing: this claim needs the date it refers to")
    return Claim(
        key=key,
        value=check(label, spec["value"]),
        text=_text(spec.get("text"), f"{label}.text", required=True),
        source=_text(spec.get("source"), f"{label}.source"),
        date=None if date is None else parse_date(date, f"{label}.date"),
    )


def _rate(key: str, spec: Mapping[str, Any], label: str) -> ReferenceRate:
    _no_unknown(spec, RATE_FIELDS, label)
    year = spec.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ProfileError(f"{label}.year must be a year such as 2013, not {_shown(year)}")
    return ReferenceRate(
        key=key,
        value=_value_share(label, spec.get("value")),
        label=_text(spec.get("label"), f"{label}.label", required=True),
        source=_text(spec.get("source"), f"{label}.source"),
        year=year,
    )


def _target(key: str, spec: Mapping[str, Any], label: str) -> Target:
    _no_unknown(spec, TARGET_FIELDS, label)
    direction = spec.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        raise ProfileError(
            f"{label}.direction must be 'lower' or 'higher' (which side of the target is good), "
            f"not {_shown(direction)}"
        )
    value = spec.get("value")
    percent = isinstance(value, str) and value.strip().endswith("%")
    if percent:
        try:
            value = float(value.strip()[:-1])
        except ValueError:
            raise ProfileError(f"{label}.value must be a number such as 15 or '15%'") from None
    number = _number(value, f"{label}.value")
    if not math.isfinite(number):
        raise ProfileError(f"{label}.value must be a finite number, not {_shown(value)}")
    source = _text(spec.get("source"), f"{label}.source")
    if source is None:
        raise ProfileError(
            f"{label}.source is missing: say where the target comes from (the board's plan, "
            "a published standard, a section of its report); a target without one is not used"
        )
    return Target(
        key=key,
        value=number,
        direction=direction,
        label=_text(spec.get("label"), f"{label}.label"),
        source=source,
        written_as_percent=percent,
    )


def check_targets(area: AreaProfile, dataset: Any, processed_dir: Path | None, where: str) -> None:
    """Refuse a target whose key no report or dataset indicator has ("did you mean"), whose
    value is not in the indicator's unit, or whose direction contradicts the indicator's.

    ``dataset`` is the profile's ``DatasetInput`` (or None): its definitions give the dataset's
    keys and units (the last checked dataset's when the file cannot be read).
    """
    if not area.targets:
        return
    units = {k: (unit, better) for k, (unit, better, _) in KNOWN_INDICATORS.items()}
    problem = None
    if dataset is not None:
        found, problem = _dataset_units(dataset, processed_dir)
        units.update(found)
    for key, target in area.targets.items():
        label = f"{where}: area.targets.{key}"
        if key not in units:
            close = difflib.get_close_matches(key, list(units), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]}?" if close else ""
            own = [k for k in units if k not in KNOWN_INDICATORS]
            known = f"the reports record {', '.join(KNOWN_INDICATORS)}"
            if own:
                known += f"; the board's dataset defines {', '.join(own)}"
            note = f" ({problem})" if problem else ""
            raise ProfileError(f"{label} is not an indicator key:{hint} Known keys: {known}.{note}")
        unit, better = units[key]
        _check_target_unit(label, target, unit)
        if better == "neutral":
            raise ProfileError(
                f"{label}: {key} has no better direction (neutral), so no target can be judged "
                "met or missed; remove the target, or say in indicators.yml which way is better"
            )
        if target.direction is not None and target.direction != better:
            raise ProfileError(
                f"{label}.direction is {target.direction}, but {better} is better for {key}; "
                "remove the direction (it follows the indicator) or correct it"
            )


def _check_target_unit(label: str, target: Target, unit: str) -> None:
    """One rule: a target is in the indicator's own unit, as the scorecard shows it."""
    value = target.value
    if unit == "percent":
        if not 0 <= value <= 100:
            raise ProfileError(
                f"{label}.value {value:g} is not a percentage: write a percentage from 0 to 100 "
                "(15 or '15%' for 15%)"
            )
        if 0 < value < 1 and not target.written_as_percent:
            raise ProfileError(
                f"{label}.value {value:g} is ambiguous: targets are in the indicator's unit, "
                f"percentages from 0 to 100, so write {value * 100:g} for {value * 100:g}%, or "
                f"'{value:g}%' if you mean {value:g}%"
            )
        return
    if target.written_as_percent:
        raise ProfileError(
            f"{label}.value is written as a percentage, but the indicator is a {unit}"
        )
    if unit in ("count", "rate") and value < 0:
        raise ProfileError(f"{label}.value must be at least 0 for a {unit}, not {value:g}")


def _dataset_units(dataset: Any, processed_dir: Path | None) -> tuple[dict, str | None]:
    """Key -> (unit, better) of the dataset's indicators, and a sentence when they could not be
    read (neither its definitions file nor a checked dataset)."""
    from sscb_analysis.dataset import DefinitionError, read_definitions

    try:
        defs = read_definitions(dataset.definitions).indicators
    except DefinitionError as exc:
        problem = f"the board's dataset could not be read to check it: {exc}"
        if processed_dir is None:
            return {}, problem
        from sscb_analysis.dataset.processed import processed_dataset_path, read_processed_dataset

        try:
            defs = read_processed_dataset(processed_dataset_path(processed_dir))[
                0
            ].definitions.indicators
        except (OSError, ValueError):
            return {}, problem
    return {k: (d.unit, d.better) for k, d in defs.items()}, None


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(f"{key} must be a number, not {_shown(value)}")
    return float(value)


def _text(value: Any, key: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ProfileError(f"{key} is missing: give it as text")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ProfileError(f"{key} must be text, not {_shown(value)}")
    text = str(value).strip()
    if _CONTROL.search(text):
        raise ProfileError(f"{key} holds a control character; write it as plain text")
    if len(text) > limit:
        raise ProfileError(f"{key} is {len(text)} characters long; keep it under {limit}")
    _no_identifier(text, key)
    return text


def _shown(value: Any) -> str:
    """A value as an error message may show it (``repr``), or withheld when the identifier
    scan flags it: a mistaken profile must not print a person's details to a terminal or log."""
    from sscb_analysis.cleaning.identifiers import classify, withheld

    kind = classify(str(value), event_dates=True)
    return f"a {withheld(kind)}" if kind is not None else repr(value)


def _no_identifier(text: str, key: str) -> None:
    """Refuse a profile string holding a direct identifier, naming the field, never the value.

    The cleaning stage's scan (``sscb_analysis.cleaning.identifiers``, its one owner), with
    ``event_dates``: a profile's words legitimately hold dates (an event, a publication), so only
    a date next to a word that says birth counts as a date of birth.
    """
    from sscb_analysis.cleaning.identifiers import DESCRIPTIONS, classify

    kind = classify(text, event_dates=True)
    if kind is not None:
        raise ProfileError(
            f"{key} looks like it holds {DESCRIPTIONS[kind]} (value withheld): the profile's "
            "words are printed on every board page, so take the person's details out of it"
        )


def _no_unknown(mapping: Mapping[Any, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in mapping:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ProfileError(
            f"{where}: unknown key {_shown(key)}; {hint}allowed: {', '.join(allowed)}"
        )


def _plain(item: Any) -> dict[str, Any]:
    out = {}
    for name in item.__dataclass_fields__:
        value = getattr(item, name)
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    out.pop("key", None)
    return out


@functools.lru_cache(maxsize=1)
def _risk_tools() -> tuple[str, ...]:
    from sscb_analysis.extracts import get_spec

    column = next(c for c in get_spec("marac").columns if c.name == "risk_tool")
    return tuple(v for v in column.values if v != "none")

"""The report context: one frozen object that tells every page which area, period and rules.

Built once from the profile (``config/reports.yml`` or a profile made by ``sscb init``), the run
(``sscb run`` writes ``reports/<run>/context.json`` after it has prepared the data and resolved the
period) and a page's overrides. Every parameter that more than one page shares is checked here,
in one place (docs/profile.md, "The report context"). A notebook needs one line::

    ctx = report_context(profile_path, run_dir, period_start=period_start, ...)
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sscb_analysis import paths
from sscb_analysis.disclose.policy import DisclosurePolicyError, disclosure_policy
from sscb_analysis.reporting.config import (
    DATASET_KIND,
    EXTRACT_KINDS,
    DatasetInput,
    ReportsConfig,
    load_config,
)
from sscb_analysis.reporting.errors import ConfigError
from sscb_analysis.reporting.profile import AreaProfile, parse_date

RUN_CONTEXT_NAME = "context.json"
RUN_CONTEXT_VERSION = 1
DEFAULT_CONFIDENCE = 0.95
PATH_OVERRIDES = tuple(f"{kind}_path" for kind in EXTRACT_KINDS)
OVERRIDES = ("confidence_level", "suppression_threshold", "period_start", "period_end")
OVERRIDES += PATH_OVERRIDES


class ContextError(ConfigError):
    """A context parameter cannot be used; the message names it and the fix."""


@dataclass(frozen=True)
class InputInfo:
    """One extract as the pages of a run see it.

    ``path`` is the file pages read (a processed parquet, or a raw extract cleaned in memory);
    ``None`` when the run has no such extract. ``synthetic`` comes from the data's provenance
    (:mod:`sscb_analysis.provenance`). ``not_updated_since`` is set when an ``optional`` export
    was missing in this run and the pages show the data cleaned on that date.
    """

    kind: str
    path: str | None
    synthetic: bool = False
    generated_by: str | None = None
    optional: bool = False
    not_updated_since: dt.date | None = None
    definitions: str | None = None  # the board's dataset read raw: its indicators.yml

    @property
    def available(self) -> bool:
        return self.path is not None

    @property
    def label(self) -> str:
        """What a sentence calls this input: "CPP", or "board dataset (indicators.csv)"."""
        return "board dataset (indicators.csv)" if self.kind == DATASET_KIND else self.kind.upper()

    @property
    def note(self) -> str | None:
        """The sentence a page using this input prints when it is stale or absent."""
        noun = "file" if self.kind == DATASET_KIND else "export"
        if self.path is None:
            if self.optional:
                return (
                    f"The {self.label} is left out of this run: the {noun} was missing and "
                    "none was checked before."
                )
            return f"No {self.label} extract is configured for this run."
        if self.not_updated_since is not None:
            day = self.not_updated_since
            return (
                f"The {self.label} figures were not updated in this run: the {noun} was "
                f"missing, so they are those cleaned on {day.day} {day:%B %Y} (not updated "
                f"since {day.day} {day:%B %Y})."
            )
        return None

    def as_dict(self) -> dict[str, Any]:
        out = {
            "kind": self.kind,
            "path": self.path,
            "synthetic": self.synthetic,
            "generated_by": self.generated_by,
            "optional": self.optional,
            "not_updated_since": (
                self.not_updated_since.isoformat() if self.not_updated_since else None
            ),
        }
        if self.definitions is not None:
            out["definitions"] = self.definitions
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> InputInfo:
        since = raw.get("not_updated_since")
        return cls(
            kind=str(raw["kind"]),
            path=raw.get("path"),
            synthetic=bool(raw.get("synthetic")),
            generated_by=raw.get("generated_by"),
            optional=bool(raw.get("optional")),
            not_updated_since=dt.date.fromisoformat(since) if since else None,
            definitions=raw.get("definitions"),
        )


@dataclass(frozen=True)
class ReportContext:
    """Everything pages share: area, period, confidence, disclosure, inputs (docs/profile.md)."""

    area: AreaProfile
    period_start: dt.date
    period_end: dt.date
    period_basis: str
    confidence_level: float
    suppression_threshold: int
    run_dir: Path | None = None
    inputs: Mapping[str, InputInfo] = field(default_factory=lambda: MappingProxyType({}))
    profile_path: Path | None = None
    dataset: InputInfo | None = None
    coverage_notes: tuple[str, ...] = ()

    @property
    def period_label(self) -> str:
        """'2012-13' for an April-to-March year, else '1 Jan 2013 to 31 Mar 2013'."""
        from sscb_analysis.analyses.common import period_label

        return period_label(self.period_start, self.period_end)

    @property
    def disclosure(self) -> str:
        return self.area.disclosure

    @property
    def protective_marking(self) -> str:
        return self.area.protective_marking

    @property
    def synthetic(self) -> bool:
        """True when any input of this context (the board's dataset too) came from the
        project's generator."""
        return any(i.synthetic for i in self._all_inputs())

    def _all_inputs(self) -> list[InputInfo]:
        return [*self.inputs.values(), *([self.dataset] if self.dataset else [])]

    def path(self, kind: str) -> Path:
        """The file a page reads for ``kind``; a sentence when the run has none."""
        info = self.inputs.get(kind)
        if info is None or info.path is None:
            raise ContextError(
                f"this report needs the {kind} extract, and the profile gives none: add "
                f"clean.inputs.{kind} to the profile, or give {kind}_path"
            )
        return Path(info.path)

    def using(self, *kinds: str) -> ReportContext:
        """The same context restricted to the inputs one page uses (its synthetic flag too):
        extract kinds, and ``indicators`` for the board's dataset."""
        known = (*EXTRACT_KINDS, DATASET_KIND)
        unknown = [k for k in kinds if k not in known]
        if unknown:
            raise ContextError(f"unknown input kind(s) {unknown}; kinds are {known}")
        kept = {k: v for k, v in self.inputs.items() if k in kinds}
        dataset = self.dataset if DATASET_KIND in kinds else None
        return replace(self, inputs=MappingProxyType(kept), dataset=dataset)

    def notes(self) -> list[str]:
        """Sentences about stale inputs and about extracts that cover only part of the period,
        for the top of every page that uses them."""
        stale = [i.note for i in self._all_inputs() if i.note and i.available]
        return [*stale, *self.coverage_notes]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values (written to the run's context.json and the manifest)."""
        return {
            "context_version": RUN_CONTEXT_VERSION,
            # absolute: kernels start in the notebook's folder, not the runner's
            "profile_path": str(Path(self.profile_path).absolute()) if self.profile_path else None,
            "area": self.area.as_dict(),
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "period_label": self.period_label,
            "period_basis": self.period_basis,
            "confidence_level": self.confidence_level,
            "suppression_threshold": self.suppression_threshold,
            "disclosure": self.disclosure,
            "protective_marking": self.protective_marking,
            "synthetic": self.synthetic,
            "inputs": {k: v.as_dict() for k, v in self.inputs.items()},
            "dataset": self.dataset.as_dict() if self.dataset else None,
        }


def report_context(
    profile_path: str | Path | None = "",
    run_dir: str | Path | None = "",
    *,
    uses: Iterable[str] | None = None,
    **overrides: Any,
) -> ReportContext:
    """The context for one notebook: its ``profile_path`` and ``run_dir`` parameters, its
    overrides (``""`` or ``None`` = not given), and ``uses``, the extract kinds the page reads."""
    return load_context(profile_path or None, run_dir or None, uses=uses, **overrides)


def load_context(
    profile_path: str | Path | None = None,
    run_dir: str | Path | None = None,
    *,
    uses: Iterable[str] | None = None,
    **overrides: Any,
) -> ReportContext:
    """Build the context from the profile, the run's ``context.json`` (when ``run_dir`` has one)
    and ``overrides`` (names in :data:`OVERRIDES`; empty values are ignored)."""
    config = load_config(profile_path)
    run = read_run_context(run_dir) if run_dir else None
    if run is not None:
        _check_same_profile(run, config)
    ctx = build_context(config, overrides, run=run, run_dir=Path(run_dir) if run_dir else None)
    if uses is None:
        return ctx
    page = ctx.using(*uses)
    return replace(page, coverage_notes=period_coverage_notes(page))


def period_coverage_notes(ctx: ReportContext) -> tuple[str, ...]:
    """Sentences for extracts of ``ctx`` whose dates cover only part of the period under review.

    An extract with no recorded date in the period at all is a :class:`ContextError`: its page
    would count zeros everywhere (a period typed wrong, or the wrong file), never a report.
    """
    from sscb_analysis.data import load_extract
    from sscb_analysis.reporting.period import coverage

    start, end = ctx.period_start, ctx.period_end
    notes = []
    for kind, info in ctx.inputs.items():
        if kind not in EXTRACT_KINDS or info.path is None:
            continue
        cov = coverage(kind, _dates_only(kind, info.path, load_extract))
        if cov.last is None:
            raise ContextError(f"the {kind} extract {info.path} holds no dates: check the file")
        first = dt.date(*min(cov.months), 1)
        span = f"its dates run from {first:%B %Y} to {cov.last.day} {cov.last:%B %Y}"
        inside = [m for m in cov.months if (start.year, start.month) <= m <= (end.year, end.month)]
        if not inside:
            raise ContextError(
                f"the period under review ({start.day} {start:%B %Y} to {end.day} {end:%B %Y}) "
                f"lies outside the {kind} extract {Path(info.path).name}: {span}. Give "
                "period_start and period_end within the data, or the extract that covers them."
            )
        if cov.last < end or first > start:
            notes.append(
                f"The {kind.upper()} extract covers only part of the period under review: "
                f"{span}, so figures outside those dates are not in the data."
            )
    return tuple(notes)


def build_context(
    config: ReportsConfig,
    overrides: Mapping[str, Any] | None = None,
    *,
    run: Mapping[str, Any] | None = None,
    run_dir: Path | None = None,
    inputs: Mapping[str, InputInfo] | None = None,
    dataset: InputInfo | None = None,
) -> ReportContext:
    """Check every shared parameter once and resolve the period (``latest`` from the data).

    Precedence: ``overrides``, then the run (``run``: a parsed context.json), then the profile's
    ``parameters:``, then the defaults of the disclosure policy. ``inputs`` and ``dataset``
    (from the runner, after cleaning; ``dataset`` None when the profile gives none) replace
    what the profile would give.
    """
    area = _area(config)
    given = _given(overrides or {})
    run = run or {}
    common = config.parameters

    confidence = _confidence(_first(given, run, common, "confidence_level", DEFAULT_CONFIDENCE))
    threshold = _threshold(
        _first(given, run, common, "suppression_threshold", area.policy.threshold), area
    )
    if inputs is None:
        if "inputs" in run:  # a run's context.json: what the run prepared, nothing else
            inputs = _inputs_from_run(run)
            raw_dataset = run.get("dataset")
            dataset = InputInfo.from_dict(raw_dataset) if isinstance(raw_dataset, Mapping) else None
        else:
            inputs = _inputs_from_profile(config)
            dataset = _dataset_from_profile(config)
    inputs = {**inputs, **_path_overrides(given, inputs)}
    start, end, basis = _period(given, run, config, area, inputs)
    return ReportContext(
        area=area,
        period_start=start,
        period_end=end,
        period_basis=basis,
        confidence_level=confidence,
        suppression_threshold=threshold,
        run_dir=run_dir,
        inputs=MappingProxyType(dict(inputs)),
        profile_path=config.path,
        dataset=dataset,
    )


def write_run_context(run_dir: str | Path, ctx: ReportContext) -> Path:
    """Write ``context.json`` into the run folder (atomically); return its path."""
    from sscb_analysis.reporting.manifest import sha256_file, write_json_atomic

    payload = ctx.as_dict()
    if ctx.profile_path is not None and Path(ctx.profile_path).is_file():
        payload["profile_sha256"] = sha256_file(ctx.profile_path)
    target = Path(run_dir) / RUN_CONTEXT_NAME
    write_json_atomic(target, payload)
    return target


def read_run_context(run_dir: str | Path) -> dict[str, Any] | None:
    """The run's context.json, or ``None`` when the folder has none (a page run by hand)."""
    target = Path(run_dir) / RUN_CONTEXT_NAME
    if not target.is_file():
        return None
    try:
        payload = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ContextError(f"{target} cannot be read ({exc}); run `sscb run` again") from exc
    if not isinstance(payload, dict) or payload.get("context_version") != RUN_CONTEXT_VERSION:
        raise ContextError(f"{target} was written by another version; run `sscb run` again")
    return payload


def notebook_values(ctx: ReportContext) -> dict[str, Any]:
    """Values for the parameters notebooks declared before they read the context.

    The runner gives a notebook only the names it declares. A value the profile does not hold
    is ``None``, so a page that still expects it fails loudly rather than printing the example
    area's figure from its own default.
    """
    area = ctx.area
    review = area.event("cpp_practice_review")
    tool = area.claim("marac_risk_tool")
    quarters = area.claim("cpp_repeat_quarters")
    rate = area.reference_rate("marac_repeat_rate")
    very = area.claim("caf_very_satisfied")
    improved = area.claim("caf_improved")
    end = ctx.period_end
    extracts = {
        f"{kind}_path": ctx.inputs[kind].path if kind in ctx.inputs else None
        for kind in EXTRACT_KINDS
    }
    return {
        **extracts,
        "profile_path": str(Path(ctx.profile_path).absolute()) if ctx.profile_path else "",
        "period_start": ctx.period_start.isoformat(),
        "period_end": end.isoformat(),
        "confidence_level": ctx.confidence_level,
        "suppression_threshold": ctx.suppression_threshold,
        "area_name": area.name,
        "la_code": int(area.la_code) if area.la_code and area.la_code.isdigit() else None,
        "year": end.year if end.month <= 3 else end.year + 1,
        "intervention_date": review.date.isoformat() if review else None,
        "tool_change_date": tool.date.isoformat() if tool and tool.date else None,
        "main_tool": tool.value if tool else None,
        "national_repeat_rate": rate.value if rate else None,
        "reported_very_satisfied": very.value if very else None,
        "reported_improved": improved.value if improved else None,
        "compare_first": min(quarters.value) if quarters else None,
        "compare_last": max(quarters.value) if quarters else None,
    }


# ---------------------------------------------------------------------------------- pieces
def _area(config: ReportsConfig) -> AreaProfile:
    if config.profile is None:
        raise ContextError(
            f"{config.path or 'the reports config'} has no 'area:' block: every run is about "
            "one area. Add `area: {name: ...}` (docs/profile.md) or make a profile with "
            "`sscb init --la-code CODE --out FILE`."
        )
    return config.profile


def _given(overrides: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(overrides) - set(OVERRIDES))
    if unknown:
        raise ContextError(
            f"unknown context parameter(s) {', '.join(unknown)}; "
            f"the context takes {', '.join(OVERRIDES)}"
        )
    return {k: v for k, v in overrides.items() if v is not None and v != ""}


def _first(
    given: Mapping[str, Any], run: Mapping[str, Any], common: Mapping[str, Any], name: str, default
) -> Any:
    for source in (given, run, common):
        if name in source and source[name] not in (None, ""):
            return source[name]
    return default


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ContextError(f"confidence_level must be a number such as 0.95, not {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise ContextError(
            f"confidence_level must be a number such as 0.95, not {value!r}"
        ) from None
    if not (math.isfinite(number) and 0.5 <= number < 1):
        raise ContextError(
            f"confidence_level must be at least 0.5 and below 1 (e.g. 0.95 for 95%), not {value!r}"
        )
    return number


def _threshold(value: Any, area: AreaProfile) -> int:
    """The threshold, checked by the disclosure policy (its one owner: the minimum of 5)."""
    try:
        return disclosure_policy(area.disclosure, value).threshold
    except DisclosurePolicyError as exc:
        raise ContextError(str(exc)) from None


def _inputs_from_run(run: Mapping[str, Any]) -> dict[str, InputInfo]:
    raw = run.get("inputs") or {}
    return {str(k): InputInfo.from_dict(v) for k, v in raw.items() if isinstance(v, Mapping)}


def _inputs_from_profile(config: ReportsConfig) -> dict[str, InputInfo]:
    """Outside a run: the fresh processed file of each configured export, else the raw export
    (cleaned in memory by the page) when it needs no options the page cannot apply."""
    from sscb_analysis.provenance import provenance_of
    from sscb_analysis.reporting.prepare import is_fresh, processed_path

    out = {}
    for kind, spec in config.clean_inputs.items():
        processed = processed_path(config.processed_dir or paths.PROCESSED, kind)
        if processed.is_file() and is_fresh(spec, processed):
            path = processed
        elif len(spec.paths) == 1 and not spec.layout and not spec.pseudonymise and not spec.drop:
            path = spec.paths[0]
        else:
            raise ContextError(
                f"the {kind} export needs cleaning with its options (map, drop or pseudonymise) "
                f"and {processed} is missing or stale: run `sscb run` (or `sscb clean`) first"
            )
        prov = provenance_of(path)
        out[kind] = InputInfo(kind, str(path), prov.synthetic, prov.command, optional=spec.optional)
    return out


def _dataset_from_profile(config: ReportsConfig) -> InputInfo | None:
    """Outside a run: the checked ``indicators.json`` when it is fresh, else the raw CSV (the
    page checks it in memory against its definitions); None when the profile gives none."""
    from sscb_analysis.dataset.processed import processed_dataset_path
    from sscb_analysis.provenance import inputs_provenance
    from sscb_analysis.reporting.prepare import is_fresh

    spec: DatasetInput | None = config.dataset
    if spec is None:
        return None
    processed = processed_dataset_path(config.processed_dir or paths.PROCESSED)
    prov = inputs_provenance([p for p in spec.paths if p.is_file()])
    common = dict(synthetic=prov["synthetic"], generated_by=prov["command"])
    if is_fresh(spec, processed):
        return InputInfo(DATASET_KIND, str(processed), optional=spec.optional, **common)
    if spec.optional and not all(p.is_file() for p in spec.paths):
        return InputInfo(DATASET_KIND, None, optional=True)
    if spec.drop:
        raise ContextError(
            f"the board's dataset needs checking with its options (drop) and {processed} is "
            "missing or stale: run `sscb run` first"
        )
    return InputInfo(
        DATASET_KIND,
        str(spec.path),
        optional=spec.optional,
        definitions=str(spec.definitions),
        **common,
    )


def _path_overrides(given: Mapping[str, Any], inputs: Mapping[str, InputInfo]) -> dict:
    """Inputs for the ``<kind>_path`` overrides. The file the run already gives for that kind
    (the runner hands every page its own extract so) keeps what the run knows of it, its
    ``not_updated_since`` above all; another file is described afresh."""
    from sscb_analysis.provenance import provenance_of

    out = {}
    for name in PATH_OVERRIDES:
        if name not in given:
            continue
        kind = name.removesuffix("_path")
        path = Path(str(given[name])).expanduser()
        path = path if path.is_absolute() else paths.ROOT / path
        if not path.is_file():
            raise ContextError(f"{name}: file not found: {path}")
        old = inputs.get(kind)
        if old is not None and old.path is not None and _same_file(old.path, path):
            out[kind] = replace(old, path=str(path))
            continue
        prov = provenance_of(path)
        out[kind] = InputInfo(
            kind, str(path), prov.synthetic, prov.command, optional=bool(old and old.optional)
        )
    return out


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).samefile(b)
    except OSError:
        return False


def _period(
    given: Mapping[str, Any],
    run: Mapping[str, Any],
    config: ReportsConfig,
    area: AreaProfile,
    inputs: Mapping[str, InputInfo],
) -> tuple[dt.date, dt.date, str]:
    pair = _given_period(given)
    ran = None
    if run.get("period_start") and run.get("period_end"):
        ran = (_date(run["period_start"], "period_start"), _date(run["period_end"], "period_end"))
    if pair is not None and pair != ran:
        start, end = pair
        basis = "set for this report"
    elif ran is not None:
        # the runner hands every page the run's period: the run says how it was chosen
        # (`period: latest`, the profile's, or -p), never "set for this report" by itself
        start, end = ran
        basis = str(run.get("period_basis") or "set by the run")
    elif not area.period.latest:
        start, end = area.period.start, area.period.end
        basis = "given in the area profile"
        assert start is not None and end is not None
    else:
        start, end = resolve_latest(inputs)
        basis = "the latest complete reporting year in the data"
    if start >= end:
        raise ContextError(f"period_start ({start}) must be before period_end ({end})")
    return start, end, basis


def resolve_latest(inputs: Mapping[str, InputInfo]) -> tuple[dt.date, dt.date]:
    """``period: latest`` over the fresh inputs (stale optional ones do not hold it back)."""
    from sscb_analysis.data import load_extract
    from sscb_analysis.reporting.period import coverage, latest_complete_year

    fresh = {k: i for k, i in inputs.items() if i.available and i.not_updated_since is None} or {
        k: i for k, i in inputs.items() if i.available
    }
    coverages = {
        kind: coverage(kind, _dates_only(kind, info.path, load_extract))
        for kind, info in fresh.items()
        if info.path is not None
    }
    return latest_complete_year(coverages)


def _dates_only(kind: str, path: str, load_extract: Any) -> Any:
    """The date columns of an extract (a parquet reads only those; a raw file is cleaned)."""
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        from sscb_analysis.reporting.period import date_columns

        names = date_columns(kind, pq.read_schema(path).names)
        return pq.read_table(path, columns=names).to_pandas()
    return load_extract(kind, path)


def _date(value: Any, name: str) -> dt.date:
    try:
        return parse_date(value, name)
    except ConfigError as exc:
        raise ContextError(str(exc)) from None


def _check_same_profile(run: Mapping[str, Any], config: ReportsConfig) -> None:
    from sscb_analysis.reporting.manifest import sha256_file

    used = run.get("profile_path")
    if used and config.path and Path(used).resolve() != Path(config.path).resolve():
        raise ContextError(
            f"this run used the profile {used}, not {config.path}: give the run's profile_path"
        )
    recorded = run.get("profile_sha256")
    if recorded and config.path and sha256_file(config.path) != recorded:
        raise ContextError(
            f"the profile {config.path} changed after this run started (its run context holds "
            "another version); run `sscb run` again"
        )


def check_run_parameters(config: ReportsConfig, overrides: Mapping[str, Any]) -> None:
    """Check what can be checked before any work: the area block and the shared overrides
    (``-p confidence_level``, ``suppression_threshold``, the period pair)."""
    area = _area(config)
    given = {k: v for k, v in overrides.items() if k in OVERRIDES and v not in (None, "")}
    common = config.parameters
    _confidence(_first(given, {}, common, "confidence_level", DEFAULT_CONFIDENCE))
    _threshold(_first(given, {}, common, "suppression_threshold", area.policy.threshold), area)
    _given_period(given)


def _given_period(given: Mapping[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The period the overrides give (both dates, start before end), or ``None``."""
    if ("period_start" in given) != ("period_end" in given):
        missing = "period_end" if "period_start" in given else "period_start"
        raise ContextError(f"period_start and period_end go together: give {missing} too")
    if "period_start" not in given:
        return None
    start = _date(given["period_start"], "period_start")
    end = _date(given["period_end"], "period_end")
    if start >= end:
        raise ContextError(f"period_start ({start}) must be before period_end ({end})")
    return start, end

"""The board's scorecard: every indicator with its latest value, likely range, SPC variation and
assurance against its target, direction of travel and a national comparison (compute only).

Two kinds of indicator meet here and are treated alike:

- the board's wider dataset (:mod:`sscb_analysis.dataset`): each series is charted here, with the
  Making Data Count rules of :mod:`sscb_analysis.stats.spc`, up to the end of the period under
  review (:func:`dataset_results`);
- the indicators the report notebooks computed from the extracts: read from the headlines they
  recorded in this run (``reports/<run>/<notebook>.json``), never recomputed; a report that did
  not run, or stopped before recording them, gets a result saying so (:func:`report_results`).

Words, disclosure and HTML are in :mod:`sscb_analysis.analyses.scorecard_page`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sscb_analysis.analyses.headline import HEADLINES_FIGURE, Headline, headlines_from_record
from sscb_analysis.dataset import IndicatorData, IndicatorDefinition
from sscb_analysis.dataset.observations import period_kind
from sscb_analysis.escape import md_text
from sscb_analysis.stats.results import SPCResult

#: Targets by indicator key: the profile's ``Target`` objects (value and source), or numbers.
Targets = Mapping[str, object]

__all__ = [
    "IndicatorResult",
    "ReportSource",
    "dataset_results",
    "indicator_result",
    "period_words",
    "recorded_flag",
    "report_results",
    "reporting_year",
]


@dataclass(frozen=True)
class ReportSource:
    """A report notebook whose recorded headlines join the scorecard."""

    report: str
    title: str


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator's figures for the scorecard, before disclosure and words.

    ``status``: ``ok``; ``no figures`` (nothing in the period under review); ``not run`` (the
    report did not run in this run); ``not finished`` (it ran but recorded no headlines: it
    failed or stopped); ``no headline`` (it finished and recorded none: its page says why, e.g.
    a comparison the profile gives no input for); ``not available`` (outside ``sscb run``). For a dataset indicator the
    counts behind the figures are kept (``numerator``, ``denominator``, ``previous_numerator``
    ...) for the disclosure step; a report's headline arrives already disclosed (``headline``).
    """

    key: str
    name: str
    status: str
    origin: str  # "dataset" or "report"
    definition: str = ""
    unit: str | None = None
    better: str | None = None
    owner: str | None = None
    source: str | None = None
    report: str | None = None
    period: str | None = None
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    previous: float | None = None
    previous_numerator: float | None = None
    previous_denominator: float | None = None
    previous_period: str | None = None
    per: int | None = None
    spc: SPCResult | None = None
    variation: str | None = None
    variation_icon: str | None = None
    assurance: str | None = None
    target: float | None = None
    target_note: str | None = None
    target_source: str | None = None
    comparison: Mapping[str, float] = field(default_factory=dict)
    comparison_year: str | None = None
    headline: Headline | None = None
    note: str | None = None
    caveats: tuple[str, ...] = field(default_factory=tuple)
    series_periods: tuple[str, ...] = field(default_factory=tuple)
    series_kind: str | None = None

    @property
    def needs_attention(self) -> bool:
        """Special cause concern, or a target the process will consistently fail."""
        return self.variation == "special cause concern" or self.assurance == "consistently failing"


# --------------------------------------------------------------------------------------------
# periods


def reporting_year(day: dt.date | pd.Timestamp | np.datetime64) -> int:
    """The DfE year (ending 31 March) holding ``day``: 2013 for any day of April 2012 to March 2013."""
    d = pd.Timestamp(day)
    return d.year + 1 if d.month >= 4 else d.year


def period_words(start: object, end: object) -> str:
    """A period as a board member reads it: "Jan to Mar 2013", "March 2013", "2012-13"."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    kind = period_kind(int((e - s).days) + 1)
    if kind == "month":
        return f"{s:%B %Y}"
    if kind == "quarter" and s.year == e.year:
        return f"{s:%b} to {e:%b %Y}"
    if kind == "year" and (s.month, s.day) == (4, 1):
        return f"{s.year}-{e.year % 100:02d}"
    return f"{s.day} {s:%b %Y} to {e.day} {e:%b %Y}"


# --------------------------------------------------------------------------------------------
# the board's dataset


def dataset_results(
    data: IndicatorData,
    period_end: object,
    *,
    confidence: float = 0.95,
    targets: Targets | None = None,
    la_code: int | str | None = None,
    dfe_dir: str | Path | None = None,
    rules: str = "ptd-0.2.2",
) -> list[IndicatorResult]:
    """One result per defined indicator, in the definitions' order. ``targets``: the area
    profile's (``area.targets``), which win over indicators.yml's."""
    out = []
    for key in data.definitions:
        definition = data.definitions[key]
        out.append(
            indicator_result(
                definition,
                data.series(key),
                period_end,
                confidence=confidence,
                target=_target(definition, targets),
                la_code=la_code,
                dfe_dir=dfe_dir,
                rules=rules,
            )
        )
    return out


def _goal(given: object) -> tuple[float, str | None]:
    """A target and its source from the profile's ``Target`` (or a bare number, no source)."""
    value = getattr(given, "value", given)
    return float(value), getattr(given, "source", None)  # type: ignore[arg-type]


def _target(definition: IndicatorDefinition, targets: Targets | None) -> tuple:
    """(target, note, source): the profile's target wins over the definitions file, and says so."""
    mine = (targets or {}).get(definition.key)
    if mine is None:
        return definition.target, None, definition.target_source
    goal, source = _goal(mine)
    note = None
    if definition.target is not None and goal != definition.target:
        note = (
            f"The area profile's target ({goal:g}) is used; indicators.yml gives "
            f"{definition.target:g}."
        )
    return goal, note, source


def _after_last_gap(series: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """The rows after the last break in the series (SPC needs consecutive periods)."""
    if len(series) < 2:
        return series, None
    starts = series["period_start"].to_numpy()
    ends = series["period_end"].to_numpy()
    gaps = np.flatnonzero(starts[1:] > ends[:-1] + np.timedelta64(1, "D"))
    if not len(gaps):
        return series, None
    cut = int(gaps[-1]) + 1
    first = period_words(series["period_start"].iloc[cut], series["period_end"].iloc[cut])
    return series.iloc[cut:].reset_index(drop=True), (
        f"The series has a gap, so the chart starts after it, at {first}."
    )


def indicator_result(
    definition: IndicatorDefinition,
    series: pd.DataFrame,
    period_end: object,
    *,
    confidence: float = 0.95,
    target: tuple[float | None, str | None, str | None] | float | None = None,
    la_code: int | str | None = None,
    dfe_dir: str | Path | None = None,
    rules: str = "ptd-0.2.2",
) -> IndicatorResult:
    """The scorecard figures of one dataset indicator, up to ``period_end``."""
    from sscb_analysis.stats import count_ci, spc, wilson_ci

    goal, target_note, target_source = target if isinstance(target, tuple) else (target, None, None)
    end = pd.Timestamp(period_end)
    base = {
        "key": definition.key,
        "name": definition.name,
        "origin": "dataset",
        "definition": definition.definition,
        "unit": definition.unit,
        "better": definition.better,
        "owner": definition.owner,
        "source": definition.source,
        "per": definition.per,
        "target": goal,
        "target_note": target_note,
        "target_source": target_source,
    }
    upto = series[series["period_end"] <= end].reset_index(drop=True)
    if upto.empty:
        return IndicatorResult(
            status="no figures",
            note=f"No figures up to {end.day} {end:%B %Y} in indicators.csv.",
            **base,
        )
    charted, gap_note = _after_last_gap(upto)
    last = charted.iloc[-1]
    series_periods = tuple(
        period_words(a, b)
        for a, b in zip(charted["period_start"], charted["period_end"], strict=True)
    )
    series_kind = period_kind(int((last["period_end"] - last["period_start"]).days) + 1)
    caveats = [gap_note] if gap_note else []
    if reporting_year(last["period_end"]) != reporting_year(end):
        caveats.append(
            "The latest figure is from an earlier year than the period under review: "
            "indicators.csv has nothing more recent."
        )
    num = _float(last["numerator"])
    den = _float(last["denominator"])
    estimate = float(last["value"])
    lower = upper = None
    if num is not None and definition.unit == "percent" and den:
        ci = wilson_ci(int(num), int(den), confidence)
        lower, upper = 100 * ci.lower, 100 * ci.upper
    elif num is not None and definition.unit == "count":
        ci = count_ci(int(num), confidence)
        lower, upper = ci.lower, ci.upper
    elif num is not None and definition.unit == "rate" and den:
        ci = count_ci(int(num), confidence, exposure=den / (definition.per or 1))
        lower, upper = ci.lower, ci.upper
    else:
        caveats.append("No numerator was given, so there is no likely range.")
    chart = _chart(definition, charted, goal, rules, spc)
    previous = charted.iloc[-2] if len(charted) > 1 else None
    comparison, year = _comparison(definition, la_code, dfe_dir, last["period_end"])
    return IndicatorResult(
        status="ok",
        period=period_words(last["period_start"], last["period_end"]),
        estimate=estimate,
        lower=lower,
        upper=upper,
        numerator=num,
        denominator=den,
        previous=None if previous is None else float(previous["value"]),
        previous_numerator=None if previous is None else _float(previous["numerator"]),
        previous_denominator=None if previous is None else _float(previous["denominator"]),
        previous_period=None
        if previous is None
        else period_words(previous["period_start"], previous["period_end"]),
        spc=chart,
        variation=None if chart is None else chart.variation,
        variation_icon=None if chart is None else chart.variation_icon,
        assurance=None if chart is None or goal is None else chart.assurance,
        comparison=comparison,
        comparison_year=year,
        caveats=tuple(caveats + (list(chart.caveats) if chart is not None else [])),
        series_periods=series_periods,
        series_kind=series_kind,
        **base,
    )


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _chart(
    definition: IndicatorDefinition,
    rows: pd.DataFrame,
    target: float | None,
    rules: str,
    spc: Callable[..., SPCResult],
) -> SPCResult | None:
    """The indicator's SPC chart over ``rows`` (None for a single point)."""
    if len(rows) < 2:
        return None
    index = [
        period_words(s, e) for s, e in zip(rows["period_start"], rows["period_end"], strict=True)
    ]
    kind = definition.chart
    nums, dens = rows["numerator"], rows["denominator"]
    if kind in ("p", "u") and (nums.isna().any() or dens.isna().any()):
        kind = "xmr"  # a value-only row: chart the values as Making Data Count does
    if kind == "c" and nums.isna().any():
        kind = "xmr"
    if kind == "p":
        # A p chart works on shares (0 to 1): its values, limits and target are fractions,
        # drawn as percentages by sscb_analysis.plots.spc_chart.
        return spc(
            pd.Series(nums.astype(float).to_numpy(), index=index),
            kind="p",
            denominators=dens.astype(float).to_numpy(),
            improvement=definition.improvement,
            target=None if target is None else target / 100,
            rules=rules,
        )
    if kind in ("c", "u"):
        return spc(
            pd.Series(nums.astype(float).to_numpy(), index=index),
            kind=kind,
            denominators=None if kind == "c" else dens.astype(float).to_numpy(),
            improvement=definition.improvement,
            target=target,
            rules=rules,
        )
    return spc(
        pd.Series(rows["value"].astype(float).to_numpy(), index=index),
        improvement=definition.improvement,
        target=target,
        rules=rules,
    )


def _comparison(
    definition: IndicatorDefinition,
    la_code: int | str | None,
    dfe_dir: str | Path | None,
    latest_end: object,
) -> tuple[dict[str, float], str | None]:
    """England and statistical-neighbour figures for the latest period's year, where published:
    :func:`sscb_analysis.benchmarks.national_figures` (their one owner), as the pages use."""
    if not definition.benchmark or la_code is None:
        return {}, None
    from sscb_analysis.benchmarks import national_figures

    figures = national_figures(
        la_code, definition.benchmark, reporting_year(latest_end), folder=dfe_dir
    )
    if figures is None:
        return {}, None
    found = {"england": figures.england, "neighbours_median": figures.neighbours_median}
    return {k: v for k, v in found.items() if v is not None}, figures.period


# --------------------------------------------------------------------------------------------
# the reports' recorded headlines


def report_results(
    run_dir: str | Path | None,
    sources: Sequence[ReportSource],
    targets: Targets | None = None,
) -> list[IndicatorResult]:
    """The headlines each report recorded in ``run_dir`` (one result each), or one result per
    report saying why there are none. Outside ``sscb run`` (no ``run_dir``) nothing is read."""
    from sscb_analysis.stats.spc import assurance

    out: list[IndicatorResult] = []
    for source in sources:
        common = {"origin": "report", "report": source.report}
        if run_dir is None:
            out.append(
                IndicatorResult(
                    key=source.report, name=source.title, status="not available", **common
                )
            )
            continue
        path = Path(run_dir) / f"{source.report}.json"
        if not path.is_file():
            out.append(
                IndicatorResult(key=source.report, name=source.title, status="not run", **common)
            )
            continue
        figures = _figures(path)
        if HEADLINES_FIGURE not in figures:
            # A report that finished without a headline left its figure out on purpose (e.g. the
            # national comparison of an area whose profile gives no la_code); one that did not
            # finish failed or stopped. Only the second is "did not finish".
            finished = _status(path) == "ok"
            out.append(
                IndicatorResult(
                    key=source.report,
                    name=source.title,
                    status="no headline" if finished else "not finished",
                    **common,
                )
            )
            continue
        for h in headlines_from_record(figures[HEADLINES_FIGURE], str(path)):
            given = (targets or {}).get(h.key)
            goal, goal_source = (None, None) if given is None else _goal(given)
            assured = h.assurance
            limits = (h.process_lower, h.process_upper)
            note = None
            if goal is not None and h.better in ("higher", "lower") and None not in limits:
                improvement = "increase" if h.better == "higher" else "decrease"
                assured = assurance(goal, h.process_lower, h.process_upper, improvement)
            elif goal is not None:
                assured = None
                note = (  # Markdown, as the summary prints its notes: the label escaped
                    f"The target for “{md_text(h.label)}” is shown but not judged: its report "
                    "records no SPC process limits to judge it with."
                )
            out.append(
                IndicatorResult(
                    key=h.key,
                    name=h.label,
                    status="ok",
                    unit=h.unit,
                    better=h.better,
                    period=h.period,
                    estimate=h.estimate,
                    lower=h.lower,
                    upper=h.upper,
                    previous=h.previous,
                    previous_period=h.previous_period,
                    variation=h.variation,
                    variation_icon=h.variation_icon,
                    assurance=None if assured in (None, "no target") else assured,
                    target=goal,
                    target_note=note,
                    target_source=goal_source,
                    headline=h,
                    caveats=h.caveats,
                    **common,
                )
            )
    return out


def recorded_flag(run_dir: str | Path | None, sources: Sequence[ReportSource], name: str) -> bool:
    """Whether any source report recorded the figure ``name`` as true in this run (e.g. the
    synthetic-data flag); False outside ``sscb run``."""
    if run_dir is None:
        return False
    for source in sources:
        path = Path(run_dir) / f"{source.report}.json"
        if path.is_file() and _figures(path).get(name) is True:
            return True
    return False


def _status(path: Path) -> str | None:
    """The run's status of the report whose figures are in ``path`` (None when not recorded)."""
    try:
        status = json.loads(path.read_text(encoding="utf-8")).get("status")
    except (OSError, ValueError, AttributeError):
        return None
    return status if isinstance(status, str) else None


def _figures(path: Path) -> dict[str, object]:
    """The ``{name: value}`` of a notebook's JSON; a damaged file is an error naming it."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        entries = payload["figures"]
        return {str(k): v["value"] for k, v in entries.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"{path} is not a report's recorded figures ({type(exc).__name__}); rerun `sscb run`."
        ) from None

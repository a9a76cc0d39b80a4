"""Seeded synthetic CPP, CAF and MARAC extracts, clean and messy.

The extracts stand in for real case data (which must never enter this repository). They are
calibrated to the Southwark Safeguarding Children Board report 2012/13 over April 2010 to March
2014, so that every analysis has something true to find: the fall in second or subsequent child
protection plans after the June 2012 practice review, fewer plans lasting two years or more,
rising CAF volume and satisfaction, more consistent MARAC risk-tool use after January 2012, and a
realistic share of repeat MARAC referrals. The rates live in :mod:`sscb_analysis.synth_params`;
nothing downstream reads them.

Histories are real: a repeat plan (or CAF, or MARAC referral) is linked to an earlier one of the
same person, so plans of one child never overlap and ``previous_plans`` counts the child's
earlier plans, including those before the extract window.

Public API: :data:`DEFAULT_SEED`, :func:`generate`, :func:`generate_cpp`, :func:`make_messy`,
:func:`format_for_csv`, :func:`write_extracts`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sscb_analysis.provenance import write_provenance
from sscb_analysis.synth_params import DEFAULT_PARAMS, Knots, SynthParams

DEFAULT_SEED: int = 2013
KINDS: tuple[str, ...] = ("cpp", "caf", "marac")

#: Canonical column order of each extract (see docs/data_dictionary.md).
COLUMNS: dict[str, tuple[str, ...]] = {
    "cpp": (
        "plan_id",
        "child_id",
        "plan_start_date",
        "plan_end_date",
        "category_of_abuse",
        "age_band",
        "gender",
        "ethnicity",
        "team",
        "previous_plans",
        "initial_conference_date",
        "review_conferences",
    ),
    "caf": (
        "caf_id",
        "child_id",
        "assessment_date",
        "initiating_agency",
        "lead_professional_agency",
        "closure_date",
        "closure_reason",
        "survey_date",
        "satisfaction",
        "things_improved",
        "knowledge_improved",
    ),
    "marac": (
        "case_id",
        "victim_id",
        "referral_date",
        "conference_date",
        "referring_agency",
        "risk_tool",
        "dash_ticks",
        "children_in_household",
        "agencies_present",
    ),
}

#: Agencies that may attend a MARAC conference, in the order ``agencies_present`` lists them.
MARAC_AGENCIES: tuple[str, ...] = (
    "police",
    "idva",
    "children's social care",
    "health",
    "housing",
    "probation",
    "education",
    "mental health",
    "substance misuse",
    "voluntary sector",
)

_EPOCH = np.datetime64("1970-01-01", "D")
_YEAR = 365.25


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _day(iso: str) -> int:
    """Days since 1970-01-01 of an ISO date."""
    return int((np.datetime64(iso, "D") - _EPOCH).astype(np.int64))


def _rngs(seed: int) -> dict[str, np.random.Generator]:
    """Independent PCG64 streams for each extract and its messy version, all from one seed."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    names = ("cpp", "caf", "marac", "messy_cpp", "messy_caf", "messy_marac")
    children = np.random.SeedSequence(int(seed)).spawn(len(names))
    return {
        name: np.random.Generator(np.random.PCG64(child))
        for name, child in zip(names, children, strict=True)
    }


def _interp(days: np.ndarray, knots: Knots) -> np.ndarray:
    """A piecewise-linear curve through ``(ISO date, value)`` knots, evaluated at ``days``."""
    xs = np.array([_day(d) for d, _ in knots], dtype=float)
    ys = np.array([v for _, v in knots], dtype=float)
    return np.interp(np.asarray(days, dtype=float), xs, ys)


def _arrivals(
    rng: np.random.Generator,
    first_day: int,
    last_day: int,
    rate_per_day: Callable[[np.ndarray], np.ndarray],
    weekdays_only: bool,
) -> np.ndarray:
    """Event days of a Poisson process with a daily rate (sorted, int days since 1970)."""
    days = np.arange(first_day, last_day + 1, dtype=np.int64)
    rate = np.asarray(rate_per_day(days), dtype=float)
    if weekdays_only:
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        rate = np.where(weekday < 5, rate * 7.0 / 5.0, 0.0)
    counts = rng.poisson(rate)
    return np.repeat(days, counts)


def _choose(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    """``n`` draws from a categorical distribution given as ``{value: share}``."""
    values = np.array(list(shares), dtype=object)
    probs = np.array(list(shares.values()), dtype=float)
    return values[rng.choice(len(values), size=n, p=probs / probs.sum())]


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Identifiers such as ``CPP000123`` from integers."""
    text = np.char.zfill(np.asarray(numbers, dtype=np.int64).astype(str), width)
    return np.char.add(prefix, text).astype(object)


def _width(largest: int, minimum: int) -> int:
    return max(minimum, len(str(int(largest))))


def _link_chains(
    rng: np.random.Generator,
    start: np.ndarray,
    end: np.ndarray,
    want_link: np.ndarray,
    min_gap: np.ndarray | int,
    max_gap: np.ndarray | int,
    power: float,
    dob: np.ndarray | None = None,
    max_age_days: int | None = None,
    tries: int = 12,
) -> np.ndarray:
    """Link each wanted event to an earlier, finished event of the same person.

    ``start`` must be sorted. Event ``i`` with ``want_link[i]`` is linked to an event ``j`` that
    ended between ``max_gap`` and ``min_gap`` days before ``start[i]`` and has not been followed
    yet (so one person's events form a chain and never overlap); recently ended events are
    favoured (``power`` > 1). If ``dob`` is given the person must be under ``max_age_days`` old
    and ``dob`` is inherited along the chain. Returns ``prev`` (-1 where not linked).
    """
    n = len(start)
    prev = np.full(n, -1, dtype=np.int64)
    wanted = np.flatnonzero(want_link)
    if n == 0 or wanted.size == 0:
        return prev
    order = np.argsort(end, kind="stable")
    end_sorted = end[order]
    hi = np.searchsorted(end_sorted, start[wanted] - min_gap, side="right")
    lo = np.searchsorted(end_sorted, start[wanted] - max_gap, side="left")
    draws = rng.random((wanted.size, tries)) ** power
    order_l = order.tolist()
    used = bytearray(n)
    prev_l = prev.tolist()
    check_age = dob is not None and max_age_days is not None
    dob_l = dob.tolist() if dob is not None else None
    start_l = start.tolist()
    for r, (i, a, b) in enumerate(zip(wanted.tolist(), lo.tolist(), hi.tolist(), strict=True)):
        width = b - a
        if width <= 0:
            continue
        for u in draws[r].tolist():
            j = order_l[b - 1 - int(u * width)]
            if used[j]:
                continue
            if check_age and start_l[i] - dob_l[j] >= max_age_days:
                continue
            used[j] = 1
            prev_l[i] = j
            if dob_l is not None:
                dob_l[i] = dob_l[j]
            break
    prev = np.array(prev_l, dtype=np.int64)
    if dob is not None:
        dob[:] = dob_l
    return prev


def _roots_and_depth(prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First event of each chain and the number of earlier events (needs ``prev[i] < i``)."""
    n = len(prev)
    root_l = list(range(n))
    depth_l = [0] * n
    prev_l = prev.tolist()
    for i in np.flatnonzero(prev >= 0).tolist():
        j = prev_l[i]
        root_l[i] = root_l[j]
        depth_l[i] = depth_l[j] + 1
    return np.array(root_l, dtype=np.int64), np.array(depth_l, dtype=np.int64)


def _inherit(values: np.ndarray, prev: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Copy the previous event's value along chains where ``keep`` (in event order)."""
    out = values.copy()
    idx = np.flatnonzero((prev >= 0) & keep)
    if idx.size == 0:
        return out
    out_l = out.tolist()
    prev_l = prev.tolist()
    for i in idx.tolist():
        out_l[i] = out_l[prev_l[i]]
    return np.array(out_l, dtype=values.dtype)


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """A datetime64[ns] series from int days, NaT where ``missing``."""
    values = (np.asarray(days, dtype=np.int64).astype("datetime64[D]")).astype("datetime64[ns]")
    if missing is not None:
        values = np.where(missing, np.datetime64("NaT", "ns"), values)
    return pd.Series(values, dtype="datetime64[ns]")


def _strings(values: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    series = pd.Series(values, dtype="str")
    if missing is not None:
        series = series.mask(missing)
    return series


# --------------------------------------------------------------------------------------------
# CPP
# --------------------------------------------------------------------------------------------


def _repeat_share(days: np.ndarray, params: SynthParams) -> np.ndarray:
    """Underlying share of plan starts that are second or subsequent plans."""
    cp = params.cpp
    review = _day(params.period.cpp_review)
    before = _interp(days, cp.repeat_share_knots)
    peak = float(_interp(np.array([review]), cp.repeat_share_knots)[0])
    after = cp.repeat_share_floor + (peak - cp.repeat_share_floor) * np.exp(
        -(days - review) / cp.repeat_share_decay_days
    )
    return np.where(days < review, before, after)


def generate_cpp(
    n_years: float | None = None,
    plans_per_year: float | None = None,
    seed: int = DEFAULT_SEED,
    params: SynthParams | None = None,
    *,
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """Child protection plans open at any time in the window, one row per plan.

    ``n_years`` (default: the 4-year window in ``params``) and ``plans_per_year`` (default
    425) scale the extract, e.g. ``generate_cpp(n_years=10, plans_per_year=80_000)`` gives about
    a million rows for benchmarks. With the defaults the result equals ``generate(seed)["cpp"]``.
    """
    p = params or DEFAULT_PARAMS
    cp = p.cpp
    if rng is None:
        rng = _rngs(seed)["cpp"]
    rate = float(plans_per_year if plans_per_year is not None else cp.starts_per_year)
    if not rate > 0:
        raise ValueError(f"plans_per_year must be positive, got {plans_per_year!r}")
    first = _day(p.period.start)
    last = _day(p.period.end)
    if n_years is not None:
        if not n_years > 0:
            raise ValueError(f"n_years must be positive, got {n_years!r}")
        last = first + round(n_years * _YEAR) - 1
    sim_first = first - round(cp.burn_in_years * _YEAR)
    review = _day(p.period.cpp_review)

    start = _arrivals(rng, sim_first, last, lambda d: np.full(d.shape, rate / _YEAR), True)
    n = start.size

    # durations: ordinary plans, long plans, and the review closing long-running plans
    after = start >= review
    mean = np.where(after, cp.duration_mean_days_after_review, cp.duration_mean_days_before_review)
    ordinary = rng.gamma(cp.duration_shape, mean / cp.duration_shape)
    long_share = np.where(after, cp.long_share_after_review, cp.long_share_before_review)
    is_long = rng.random(n) < long_share
    lo_long, hi_long = cp.long_duration_days
    long_days = rng.integers(lo_long, hi_long + 1, size=n)
    duration = np.maximum(14, np.where(is_long, long_days, np.rint(ordinary))).astype(np.int64)
    end = start + duration
    closes = (
        (start < review)
        & (end > review)
        & (duration >= 730)
        & (rng.random(n) < cp.review_closure_probability)
    )
    reviewed_end = np.maximum(review, start + cp.review_closure_min_age_days) + rng.integers(
        0, cp.review_closure_window_days + 1, size=n
    )
    end = np.where(closes, np.minimum(end, reviewed_end), end)

    # the child: age at first plan, then repeat plans linked to earlier plans
    bands = cp.first_age_bands
    band_probs = np.array([b[1] for b in bands])
    band = rng.choice(len(bands), size=n, p=band_probs / band_probs.sum())
    lo_age = np.array([b[2] for b in bands])[band]
    hi_age = np.array([b[3] for b in bands])[band]
    age_days = np.floor((lo_age + rng.random(n) * (hi_age - lo_age)) * _YEAR).astype(np.int64)
    dob = start - age_days
    is_repeat = rng.random(n) < _repeat_share(start, p)
    prev = _link_chains(
        rng,
        start,
        end,
        is_repeat,
        cp.repeat_min_gap_days,
        cp.repeat_max_gap_days,
        cp.repeat_recency_power,
        dob=dob,
        max_age_days=cp.max_age_days,
    )
    root, depth = _roots_and_depth(prev)

    category = _inherit(
        _choose(rng, cp.category_shares, n), prev, rng.random(n) < cp.repeat_same_category
    )
    teams = np.array(cp.teams, dtype=object)
    team = _inherit(teams[rng.integers(0, len(teams), size=n)], prev, rng.random(n) < 0.5)
    gender = _choose(rng, cp.gender_shares, n)
    unborn = (start - dob < _YEAR) & (rng.random(n) < cp.unknown_gender_under_1)
    gender = np.where(unborn, "unknown", gender)[root]
    ethnicity = _choose(rng, cp.ethnicity_shares, n)[root]

    age_years = (start - dob) / _YEAR
    edges = np.array([1.0, 5.0, 10.0, 16.0])
    age_band = np.array(["under 1", "1-4", "5-9", "10-15", "16+"], dtype=object)[
        np.searchsorted(edges, age_years, side="right")
    ]

    early = rng.random(n) < cp.conference_before_start
    back = rng.integers(1, 16, size=n)
    start_d = start.astype("datetime64[D]")
    conf = np.where(early, np.busday_offset(start_d, -back, roll="backward"), start_d)
    conference = (conf - _EPOCH).astype(np.int64)

    held_to = np.minimum(end, last)
    held_days = held_to - start
    reviews = np.where(
        held_days >= cp.first_review_days,
        1 + (held_days - cp.first_review_days) // cp.review_every_days,
        0,
    )
    reviews = reviews - rng.binomial(reviews, cp.review_missed)

    keep = (start <= last) & (end >= first)
    plan_number = np.arange(1, n + 1)
    kept_roots = np.unique(root[keep])
    child_width = _width(kept_roots.size * 10, 5)
    half = 10 ** (child_width - 1) * 5  # CPP children use the lower half of the number range
    child_numbers = rng.choice(half - 1, size=kept_roots.size, replace=False) + 1
    child_of_root = dict(zip(kept_roots.tolist(), child_numbers.tolist(), strict=True))
    child_num = np.array([child_of_root[r] for r in root[keep].tolist()], dtype=np.int64)

    open_ = end[keep] > last
    frame = pd.DataFrame(
        {
            "plan_id": _strings(_ids("CPP", plan_number[keep], _width(n, 6))),
            "child_id": _strings(_ids("C", child_num, child_width)),
            "plan_start_date": _dates(start[keep]),
            "plan_end_date": _dates(end[keep], open_),
            "category_of_abuse": _strings(category[keep]),
            "age_band": _strings(age_band[keep]),
            "gender": _strings(gender[keep]),
            "ethnicity": _strings(ethnicity[keep]),
            "team": _strings(team[keep]),
            "previous_plans": pd.Series(depth[keep], dtype="int64"),
            "initial_conference_date": _dates(conference[keep]),
            "review_conferences": pd.Series(reviews[keep], dtype="int64"),
        }
    )
    return frame


# --------------------------------------------------------------------------------------------
# CAF
# --------------------------------------------------------------------------------------------


def generate_caf(seed: int = DEFAULT_SEED, params: SynthParams | None = None) -> pd.DataFrame:
    """CAF / early help assessments dated in the window, one row per assessment."""
    p = params or DEFAULT_PARAMS
    cf = p.caf
    rng = _rngs(seed)["caf"]
    first, last = _day(p.period.start), _day(p.period.end)
    assess = _arrivals(rng, first, last, lambda d: _interp(d, cf.monthly_knots) / 30.4375, True)
    n = assess.size
    duration = np.maximum(
        7, np.rint(rng.gamma(cf.duration_shape, cf.duration_mean_days / cf.duration_shape, size=n))
    )
    closure = assess + duration.astype(np.int64)
    prev = _link_chains(
        rng,
        assess,
        closure,
        rng.random(n) < cf.repeat_share,
        cf.repeat_min_gap_days,
        cf.repeat_max_gap_days,
        1.0,
    )
    root, _ = _roots_and_depth(prev)
    closed = closure <= last

    initiating = _choose(rng, cf.initiating_agencies, n)
    lead = np.where(
        rng.random(n) < cf.lead_same_as_initiating,
        initiating,
        _choose(rng, cf.initiating_agencies, n),
    )
    reason = _choose(rng, cf.closure_reasons, n)

    survey_day = np.where(
        closed,
        closure + rng.integers(0, cf.survey_after_closure_days + 1, size=n),
        assess + rng.integers(cf.survey_open_days[0], cf.survey_open_days[1] + 1, size=n),
    )
    surveyed = (rng.random(n) < cf.survey_share) & (survey_day <= last)
    very = rng.random(n) < _interp(survey_day, cf.very_satisfied_knots)
    satisfaction = np.where(very, "very satisfied", _choose(rng, cf.other_satisfaction, n))
    yes = rng.random(n) < _interp(survey_day, cf.improved_knots)
    no = rng.random(n) < cf.improved_no_share
    improved = np.where(yes, "yes", np.where(no, "no", "don't know"))
    knowledge = _choose(rng, cf.knowledge_shares, n)

    roots = np.unique(root)
    width = _width(roots.size * 10, 5)
    half = 10 ** (width - 1) * 5  # CAF children use the upper half: not linked to the CPP extract
    numbers = rng.choice(10**width - half, size=roots.size, replace=False) + half
    child_of_root = dict(zip(roots.tolist(), numbers.tolist(), strict=True))
    child_num = np.array([child_of_root[r] for r in root.tolist()], dtype=np.int64)

    no_survey = ~surveyed
    return pd.DataFrame(
        {
            "caf_id": _strings(_ids("CAF", np.arange(1, n + 1), _width(n, 6))),
            "child_id": _strings(_ids("C", child_num, width)),
            "assessment_date": _dates(assess),
            "initiating_agency": _strings(initiating),
            "lead_professional_agency": _strings(lead),
            "closure_date": _dates(closure, ~closed),
            "closure_reason": _strings(reason, ~closed),
            "survey_date": _dates(survey_day, no_survey),
            "satisfaction": _strings(satisfaction, no_survey),
            "things_improved": _strings(improved, no_survey),
            "knowledge_improved": _strings(knowledge, no_survey),
        }
    )


# --------------------------------------------------------------------------------------------
# MARAC
# --------------------------------------------------------------------------------------------


def generate_marac(seed: int = DEFAULT_SEED, params: SynthParams | None = None) -> pd.DataFrame:
    """MARAC referrals dated in the window, one row per referral."""
    p = params or DEFAULT_PARAMS
    mp = p.marac
    rng = _rngs(seed)["marac"]
    first, last = _day(p.period.start), _day(p.period.end)
    audit = _day(p.period.marac_audit)
    referral = _arrivals(
        rng, first, last, lambda d: np.full(d.shape, mp.referrals_per_year / _YEAR), False
    )
    n = referral.size
    u = rng.random(n)
    is_repeat = u < mp.repeat_share
    is_return = (u >= mp.repeat_share) & (u < mp.repeat_share + mp.return_share)
    min_gap = np.where(is_repeat, mp.repeat_min_gap_days, 366)[is_repeat | is_return]
    max_gap = np.where(is_repeat, 365, 3 * 365)[is_repeat | is_return]
    prev = _link_chains(rng, referral, referral, is_repeat | is_return, min_gap, max_gap, 1.0)
    root, _ = _roots_and_depth(prev)

    # conferences sit on every other Thursday; day 0 (1970-01-01) was a Thursday
    earliest = referral + mp.conference_min_days
    every = mp.conference_every_days
    anchor = first + ((-first) % 7)  # first Thursday of the window
    offset = anchor % every
    conference = -((offset - earliest) // every) * every + offset

    later = referral >= audit
    tool = np.where(
        later, _choose(rng, mp.tool_shares_after, n), _choose(rng, mp.tool_shares_before, n)
    )
    high = rng.random(n) < mp.dash_high_risk_share
    ticks = np.where(high, 14 + rng.binomial(10, 0.3, size=n), rng.integers(4, 14, size=n))
    ticks = pd.array(np.where(tool == "dash", ticks, 0), dtype="Int64")
    ticks[tool != "dash"] = pd.NA

    shares = np.array(mp.children_shares)
    children = rng.choice(len(shares), size=n, p=shares / shares.sum()).astype(np.int64)
    children = _inherit(children, prev, rng.random(n) < 0.85)
    referring = _choose(rng, mp.referring_agencies, n)

    attend = np.ones((n, len(MARAC_AGENCIES)), dtype=bool)
    for k, agency in enumerate(MARAC_AGENCIES[2:], start=2):
        prob = np.where(later, mp.attendance_after[agency], mp.attendance_before[agency])
        attend[:, k] = rng.random(n) < prob
    names = np.array(MARAC_AGENCIES, dtype=object)
    present = [";".join(names[row]) for row in attend]

    roots = np.unique(root)
    width = _width(roots.size * 10, 5)
    numbers = rng.choice(10**width - 1, size=roots.size, replace=False) + 1
    victim_of_root = dict(zip(roots.tolist(), numbers.tolist(), strict=True))
    victim_num = np.array([victim_of_root[r] for r in root.tolist()], dtype=np.int64)

    return pd.DataFrame(
        {
            "case_id": _strings(_ids("MAR", np.arange(1, n + 1), _width(n, 6))),
            "victim_id": _strings(_ids("V", victim_num, width)),
            "referral_date": _dates(referral),
            "conference_date": _dates(conference),
            "referring_agency": _strings(referring),
            "risk_tool": _strings(tool),
            "dash_ticks": pd.Series(ticks, dtype="Int64"),
            "children_in_household": pd.Series(children, dtype="int64"),
            "agencies_present": _strings(np.array(present, dtype=object)),
        }
    )


def generate(
    seed: int = DEFAULT_SEED, params: SynthParams | None = None
) -> dict[str, pd.DataFrame]:
    """The three clean extracts keyed ``"cpp"``, ``"caf"``, ``"marac"`` (dates as datetime64)."""
    return {
        "cpp": generate_cpp(seed=seed, params=params),
        "caf": generate_caf(seed=seed, params=params),
        "marac": generate_marac(seed=seed, params=params),
    }


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------


def _format_dates(values: pd.Series, fmt: str = "%d/%m/%Y") -> pd.Series:
    """Dates as text through a lookup table (fast for millions of rows); NaT as ""."""
    days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    missing = np.isnat(days)
    out = np.full(days.shape, "", dtype=object)
    if (~missing).any():
        as_int = (days[~missing] - _EPOCH).astype(np.int64)
        lo, hi = int(as_int.min()), int(as_int.max())
        table = pd.date_range(_EPOCH + lo, _EPOCH + hi, freq="D").strftime(fmt).to_numpy(object)
        out[~missing] = table[as_int - lo]
    return pd.Series(out, index=values.index, dtype="str")


def format_for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, exactly as the clean CSV holds it (dates dd/mm/yyyy, blank = "")."""
    out = {}
    for name, col in frame.items():
        if pd.api.types.is_datetime64_any_dtype(col):
            out[name] = _format_dates(col)
        elif pd.api.types.is_integer_dtype(col):
            text = col.astype("Int64").astype("str")
            out[name] = text.where(col.notna(), "")
        else:
            out[name] = col.astype("str").where(col.notna(), "")
    return pd.DataFrame(out, index=frame.index)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


_XLSX_TIME = "2014-04-01T09:00:00Z"
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _xlsx_parts(sheet: str) -> dict[str, str]:
    """The fixed parts of a one-sheet workbook (no timestamps but a fixed one)."""
    ct = "application/vnd.openxmlformats-"
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{ct}package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            f'ContentType="{ct}officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{ct}officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            f'ContentType="{ct}officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            f'ContentType="{ct}package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            f'ContentType="{ct}officedocument.extended-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_NS_PKG}">'
            f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_NS_PKG}/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_NS_REL}/extended-properties" '
            'Target="docProps/app.xml"/>'
            "</Relationships>"
        ),
        "docProps/app.xml": (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>sscb-analysis</Application></Properties>'
        ),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>SYNTHETIC {sheet} extract</dc:title>"
            "<dc:creator>sscb synth (SYNTHETIC data)</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{_XLSX_TIME}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_XLSX_TIME}</dcterms:modified>'
            "</cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_NS_PKG}">'
            f'<Relationship Id="rId1" Type="{_NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_NS_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{_NS_MAIN}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            "</cellStyleXfs>"
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
            'applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        ),
    }


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xml_text(values: pd.Series) -> pd.Series:
    return (
        values.str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
    )


def _xlsx_cells(col: pd.Series, ref: pd.Series, typed: bool) -> pd.Series:
    """The ``<c>`` elements of one column ("" for an empty cell)."""
    if typed and pd.api.types.is_datetime64_any_dtype(col):
        days = col.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        serial = pd.Series(
            (days - np.datetime64("1899-12-30", "D")).astype(np.int64), index=col.index
        )
        cells = '<c r="' + ref + '" s="1"><v>' + serial.astype("str") + "</v></c>"
        return cells.where(col.notna(), "")
    if typed and pd.api.types.is_integer_dtype(col):
        text = col.astype("Int64").astype("str")
        return ('<c r="' + ref + '"><v>' + text + "</v></c>").where(col.notna(), "")
    text = col.astype("str").where(col.notna(), "")
    cells = (
        '<c r="'
        + ref
        + '" t="inlineStr"><is><t xml:space="preserve">'
        + _xml_text(text)
        + "</t></is></c>"
    )
    return cells.where(text != "", "")


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str, typed: bool) -> None:
    """An Excel copy: dates as Excel dates (dd/mm/yyyy), numbers as numbers when ``typed``.

    Written directly as Office Open XML with a fixed creation time and fixed zip entry times,
    so the same frame always gives the same bytes (and it is fast for large extracts).
    """
    frame = frame.reset_index(drop=True)
    numbers = pd.Series(np.arange(2, len(frame) + 2), index=frame.index).astype("str")
    header = pd.DataFrame([list(map(str, frame.columns))], columns=frame.columns, dtype="str")
    rows = pd.Series("", index=frame.index, dtype="str")
    head = ""
    for k, name in enumerate(frame.columns):
        letter = _column_letter(k)
        rows = rows + _xlsx_cells(frame[name], letter + numbers, typed)
        head += _xlsx_cells(header[name], pd.Series([letter + "1"]), False).iloc[0]
    body = (
        '<row r="1">' + head + "</row>" + ('<row r="' + numbers + '">' + rows + "</row>").str.cat()
    )
    parts = _xlsx_parts(sheet)
    parts["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{_NS_MAIN}"><sheetData>' + body + "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, xml in parts.items():
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, _XML_HEAD + xml)
    path.write_bytes(out.getvalue())


def write_extracts(
    out_dir: str | Path,
    seed: int = DEFAULT_SEED,
    messy: bool = False,
    xlsx: bool = True,
    params: SynthParams | None = None,
) -> list[Path]:
    """Write ``cpp.csv``, ``caf.csv``, ``marac.csv`` (and ``.xlsx`` copies) to ``out_dir``, and
    (not ``messy``) the board's wider dataset, ``indicators.csv`` and ``indicators.yml``
    (:mod:`sscb_analysis.synth_indicators`).

    With ``messy`` the files carry injected defects and each gets a sidecar
    ``<kind>_defects.csv``. A ``README.md`` marks the folder SYNTHETIC and lists the files with
    their row counts and SHA-256; ``provenance.json`` is the same marker for programs. Returns the
    paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = generate(seed, params)
    if messy:
        texts, defects = make_messy(frames, seed, params)
    else:
        texts, defects = {k: format_for_csv(v) for k, v in frames.items()}, {}
    written: list[Path] = []
    for kind in KINDS:
        path = out / f"{kind}.csv"
        _write_csv(texts[kind], path)
        written.append(path)
        if kind in defects:
            side = out / f"{kind}_defects.csv"
            _write_csv(format_for_csv(defects[kind]), side)
            written.append(side)
        if xlsx:
            xpath = out / f"{kind}.xlsx"
            if messy:
                _write_xlsx(texts[kind], xpath, kind, typed=False)
            else:
                _write_xlsx(frames[kind], xpath, kind, typed=True)
            written.append(xpath)
    if not messy:  # the board's wider dataset (its own module and random stream)
        from sscb_analysis.synth_indicators import write_indicators

        written.extend(write_indicators(out, seed))
    readme = out / "README.md"
    readme.write_text(_manifest(written, seed, messy, texts), encoding="utf-8")
    command = f"sscb synth --seed {seed}" + (" --messy" if messy else "")
    sidecar = write_provenance(out, written, command)  # the marker reports read (provenance.py)
    return [*written, readme, sidecar]


def _manifest(paths: Sequence[Path], seed: int, messy: bool, texts: dict) -> str:
    command = f"sscb synth --seed {seed}" + (" --messy" if messy else "")
    lines = [
        "# SYNTHETIC extracts: not real case data",
        "",
        "Every file in this folder is SYNTHETIC. It was generated by `sscb_analysis.synth`",
        f"(command: `{command}`, seed {seed}) and describes no real child, family or victim.",
        "Regenerate with the same command: the same seed gives the same bytes.",
        "",
    ]
    if messy:
        lines += [
            "These are the MESSY versions: they carry defects real exports have (header variants,",
            "mixed date formats, category spellings, trailing spaces, duplicate and blank rows,",
            "impossible dates, a missing identifier, and stray direct-identifier columns with",
            "made-up names, NHS numbers and postcodes). Each `<kind>_defects.csv` lists what was",
            "injected where (`row` is the CSV line number, header = 1).",
            "",
        ]
    lines += ["| file | data rows | sha256 |", "|---|---|---|"]
    for path in paths:
        kind = path.stem
        rows = str(len(texts[kind])) if path.suffix == ".csv" and kind in texts else ""
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"| {path.name} | {rows} | `{digest[:16]}` |")
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# messy
# --------------------------------------------------------------------------------------------

# per kind: identifier column, header variants, date columns, category columns (with an
# abbreviation where the first letter is unambiguous), columns for trailing spaces, and the
# (start, end) pair whose order a defect reverses
_MESSY_SPEC: dict[str, dict] = {
    "cpp": {
        "id": "child_id",
        "headers": {
            "child_id": ("Child ID", "CHILD_ID", "child id "),
            "plan_start_date": ("Plan Start Date", "PLAN_START_DATE", "plan start date "),
        },
        "dates": ("plan_start_date", "plan_end_date", "initial_conference_date"),
        "categories": {"category_of_abuse": True, "gender": True, "ethnicity": False},
        "spaces": ("team", "child_id", "age_band"),
        "order": ("plan_start_date", "plan_end_date", "end_before_start"),
    },
    "caf": {
        "id": "child_id",
        "headers": {
            "child_id": ("Child ID", "CHILD_ID", "child id "),
            "assessment_date": ("Assessment Date", "ASSESSMENT_DATE", "assessment date "),
        },
        "dates": ("assessment_date", "closure_date", "survey_date"),
        "categories": {"initiating_agency": False, "closure_reason": False, "satisfaction": False},
        "spaces": ("child_id", "lead_professional_agency", "things_improved"),
        "order": ("assessment_date", "closure_date", "end_before_start"),
    },
    "marac": {
        "id": "victim_id",
        "headers": {
            "victim_id": ("Victim ID", "VICTIM_ID", "victim id "),
            "referral_date": ("Referral Date", "REFERRAL_DATE", "referral date "),
        },
        "dates": ("referral_date", "conference_date"),
        "categories": {"referring_agency": False, "risk_tool": False},
        "spaces": ("victim_id", "referring_agency", "agencies_present"),
        "order": ("referral_date", "conference_date", "conference_before_referral"),
    },
}

_RISK_TOOL_SPELLINGS = {
    "dash": ("DASH", "Dash", "DASH RIC"),
    "barnardos": ("Barnardo's", "BARNARDOS", "Barnardos"),
    "none": ("None", "NONE", "none "),
}

_FIRST_NAMES = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Sophia",
    "Lily",
    "Freya",
    "Emily",
    "Ella",
    "Chloe",
    "Aisha",
    "Zara",
    "Amara",
    "Ruby",
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Muhammad",
    "Oscar",
    "Charlie",
    "Jacob",
    "Kwame",
    "Tyler",
    "Kofi",
    "Daniel",
    "Samuel",
    "Joseph",
    "Reuben",
    "Ibrahim",
    "Adam",
    "Ethan",
    "Lucas",
    "Mason",
    "Kai",
]
_SURNAMES = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Okafor",
    "Mensah",
    "Adeyemi",
    "Owusu",
    "Ahmed",
    "Khan",
    "Ali",
    "Begum",
]
_SOUTHWARK_DISTRICTS = ("SE1", "SE5", "SE11", "SE15", "SE16", "SE17", "SE21", "SE22", "SE24")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def nhs_check_digit(nine_digits: str) -> int | None:
    """The NHS number modulus 11 check digit of nine digits, or None if none is valid (10)."""
    total = sum(int(d) * w for d, w in zip(nine_digits, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def _nhs_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """Made-up NHS numbers with valid check digits, in the 999 range kept for testing."""
    out: list[str] = []
    while len(out) < n:
        body = f"999{int(rng.integers(0, 1_000_000)):06d}"
        check = nhs_check_digit(body)
        if check is not None:
            digits = body + str(check)
            out.append(f"{digits[:3]} {digits[3:6]} {digits[6:]}")
    return out


def _identifiers(rng: np.random.Generator, person_ids: pd.Series) -> dict[str, list[str]]:
    """Full names, NHS numbers and postcodes, the same for every row of one person."""
    people = pd.unique(person_ids.to_numpy())
    k = len(people)
    first = np.array(_FIRST_NAMES)[rng.integers(0, len(_FIRST_NAMES), size=k)]
    last = np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), size=k)]
    names = [f"{a} {b}" for a, b in zip(first, last, strict=True)]
    nhs = _nhs_numbers(rng, k)
    district = np.array(_SOUTHWARK_DISTRICTS)[rng.integers(0, len(_SOUTHWARK_DISTRICTS), size=k)]
    letters = np.array(list(_INWARD_LETTERS))
    postcode = [
        f"{d} {s}{a}{b}"
        for d, s, a, b in zip(
            district,
            rng.integers(1, 10, size=k),
            letters[rng.integers(0, len(letters), size=k)],
            letters[rng.integers(0, len(letters), size=k)],
            strict=True,
        )
    ]
    where = pd.Index(people).get_indexer(person_ids.to_numpy())
    pick = np.array
    return {
        "Full Name": pick(names, dtype=object)[where].tolist(),
        "NHS Number": pick(nhs, dtype=object)[where].tolist(),
        "Postcode": pick(postcode, dtype=object)[where].tolist(),
    }


def _spelling(rng: np.random.Generator, column: str, value: str, abbreviate: bool) -> str:
    """A variant spelling of a category value that a cleaner must map back."""
    if column == "risk_tool":
        options = list(_RISK_TOOL_SPELLINGS[value])
    else:
        title = " ".join(word[:1].upper() + word[1:] for word in value.split(" "))
        options = [title, value.upper(), value + " "]
        if abbreviate:
            options.append(value[0].upper())
    options = [o for o in options if o != value]
    return options[int(rng.integers(0, len(options)))]


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _excel_serial(day: dt.date) -> str:
    return str((day - dt.date(1899, 12, 30)).days)


def _reformat(rng: np.random.Generator, text: str, style: str) -> str:
    day = dt.datetime.strptime(text, "%d/%m/%Y").date()
    if style == "iso":
        return day.isoformat()
    if style == "dmy_mon":  # 31-Jan-12, spelled out here so the locale cannot change it
        return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year % 100:02d}"
    return _excel_serial(day)


def _messy_one(
    kind: str, text: pd.DataFrame, rng: np.random.Generator, params: SynthParams
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Inject defects into one extract (given as text); return it and the defect list."""
    spec = _MESSY_SPEC[kind]
    lo, hi = params.messy.per_defect
    n = len(text)
    text = text.copy()
    available = np.ones(n, dtype=bool)
    records: list[tuple[int, str, str, str, str]] = []  # (data index, column, defect, old, new)

    def handful() -> int:
        return int(rng.integers(lo, hi + 1))

    def pick(count: int, ok: np.ndarray | None = None) -> list[int]:
        mask = available & (ok if ok is not None else True)
        pool = np.flatnonzero(mask)
        chosen = rng.choice(pool, size=min(count, pool.size), replace=False)
        chosen.sort()
        available[chosen] = False
        return chosen.tolist()

    def set_cell(i: int, column: str, value: str, defect: str) -> None:
        old = text.at[i, column]
        text.at[i, column] = value
        records.append((i, column, defect, old, value))

    identifiers = _identifiers(rng, text[spec["id"]])

    for column in spec["dates"]:
        filled = (text[column] != "").to_numpy()
        for style in ("iso", "dmy_mon", "excel_serial"):
            for i in pick(max(1, handful() // 3), filled):
                set_cell(i, column, _reformat(rng, text.at[i, column], style), "date_format")

    for column, abbreviate in spec["categories"].items():
        filled = (text[column] != "").to_numpy()
        for i in pick(max(1, handful() // 2), filled):
            set_cell(
                i,
                column,
                _spelling(rng, column, text.at[i, column], abbreviate),
                "category_spelling",
            )

    for column in spec["spaces"]:
        filled = (text[column] != "").to_numpy()
        for i in pick(max(1, handful() // 2), filled):
            pad = " " * int(rng.integers(1, 3))
            set_cell(i, column, text.at[i, column] + pad, "trailing_space")

    first_col, second_col, defect = spec["order"]
    filled = (text[second_col] != "").to_numpy()
    for i in pick(handful(), filled):
        start = dt.datetime.strptime(text.at[i, first_col], "%d/%m/%Y").date()
        wrong = start - dt.timedelta(days=int(rng.integers(1, 91)))
        set_cell(i, second_col, wrong.strftime("%d/%m/%Y"), defect)

    for i in pick(int(rng.integers(params.messy.missing_id[0], params.messy.missing_id[1] + 1))):
        set_cell(i, spec["id"], "", "missing_id")

    if kind == "caf":
        surveyed = (text["survey_date"] != "").to_numpy()
        for i in pick(int(rng.integers(1, 3)), surveyed):
            set_cell(i, "satisfaction", "7", "out_of_range_value")
        for i in pick(int(rng.integers(2, 4)), surveyed):
            start = dt.datetime.strptime(text.at[i, "assessment_date"], "%d/%m/%Y").date()
            wrong = start - dt.timedelta(days=int(rng.integers(1, 61)))
            set_cell(i, "survey_date", wrong.strftime("%d/%m/%Y"), "survey_before_assessment")
    if kind == "marac":
        dash = (text["risk_tool"] == "dash").to_numpy()
        for i in pick(int(rng.integers(1, 3)), dash):
            set_cell(i, "dash_ticks", "30", "out_of_range_value")

    duplicates = pick(handful())
    blanks_at = np.sort(rng.choice(np.arange(1, n), size=handful(), replace=False))

    # identifier columns go right after the person's pseudonym, as an export would place them
    columns = list(text.columns)
    at = columns.index(spec["id"]) + 1
    for offset, (name, values) in enumerate(identifiers.items()):
        text.insert(at + offset, name, pd.Series(values, index=text.index, dtype="str"))

    # final row order: originals, each duplicate straight after its original, blank rows between
    keys = np.concatenate([np.arange(n, dtype=float), np.array(duplicates) + 0.5, blanks_at - 0.25])
    source = np.concatenate(
        [
            np.arange(n),
            np.array(duplicates, dtype=np.int64),
            -np.ones(blanks_at.size, dtype=np.int64),
        ]
    )
    kind_of = np.concatenate([np.zeros(n), np.ones(len(duplicates)), np.full(blanks_at.size, 2)])
    order = np.argsort(keys, kind="stable")
    source, kind_of = source[order], kind_of[order]
    out = text.iloc[np.where(source >= 0, source, 0)].reset_index(drop=True)
    out.loc[source < 0, :] = ""
    line_of = {int(s): pos + 2 for pos, s in enumerate(source.tolist()) if s >= 0}
    # line_of keeps the last position of a source row; originals come first, so rebuild for them
    for pos in np.flatnonzero(kind_of == 0).tolist():
        line_of[int(source[pos])] = pos + 2

    file = f"{kind}.csv"
    rows: list[tuple[str, int, str, str, str, str]] = []
    for i, column, defect_name, old, new in records:
        rows.append((file, line_of[i], column, defect_name, old, new))
    for pos in np.flatnonzero(kind_of == 1).tolist():
        rows.append(
            (
                file,
                pos + 2,
                "",
                "duplicate_row",
                "",
                f"duplicate of row {line_of[int(source[pos])]}",
            )
        )
    for pos in np.flatnonzero(kind_of == 2).tolist():
        rows.append((file, pos + 2, "", "blank_row", "", ""))
    for name in identifiers:
        rows.append((file, 1, name, "identifier_column", "", name))

    renamed = {}
    for column, variants in spec["headers"].items():
        variant = variants[int(rng.integers(0, len(variants)))]
        renamed[column] = variant
        rows.append((file, 1, column, "header_variant", column, variant))
    out = out.rename(columns=renamed)

    defects = pd.DataFrame(
        rows, columns=["file", "row", "column", "defect", "original", "injected"]
    )
    defects = defects.sort_values(["row", "column", "defect"], kind="stable").reset_index(drop=True)
    defects = defects.astype(
        {c: "str" for c in ("file", "column", "defect", "original", "injected")}
    )
    defects["row"] = defects["row"].astype("int64")
    return out.astype("str"), defects


def make_messy(
    frames: dict[str, pd.DataFrame], seed: int, params: SynthParams | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Messy text versions of clean extracts and, per kind, the defects injected.

    Returns ``(texts, defects)``: ``texts[kind]`` is the frame exactly as the messy CSV holds it
    (all strings, headers as written); ``defects[kind]`` has the sidecar columns ``file, row,
    column, defect, original, injected`` where ``row`` is the CSV line number (header = 1) and
    ``column`` the canonical column name (or the stray header for ``identifier_column``).
    """
    p = params or DEFAULT_PARAMS
    rngs = _rngs(seed)
    texts: dict[str, pd.DataFrame] = {}
    defects: dict[str, pd.DataFrame] = {}
    for kind, frame in frames.items():
        if kind not in _MESSY_SPEC:
            raise ValueError(f"unknown extract kind {kind!r}; expected one of {', '.join(KINDS)}")
        missing = [c for c in COLUMNS[kind] if c not in frame.columns]
        if missing:
            raise ValueError(f"{kind} frame lacks columns: {', '.join(missing)}")
        text = format_for_csv(frame[list(COLUMNS[kind])]).reset_index(drop=True)
        texts[kind], defects[kind] = _messy_one(kind, text, rngs[f"messy_{kind}"], p)
    return texts, defects

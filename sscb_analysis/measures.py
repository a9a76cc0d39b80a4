"""Derived fields added to clean extracts, following the DfE children in need census and SafeLives.

All functions are vectorised (numpy / pandas on whole columns) so they cost little at national
scale. Definitions are in ``docs/data_dictionary.md`` and summarised in each docstring.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

TWO_YEARS = pd.DateOffset(years=2)
TWELVE_MONTHS = pd.DateOffset(months=12)


def text_series(values: pa.Array | np.ndarray | list, index: pd.Index | None = None) -> pd.Series:
    """A pandas ``str`` Series from text values (None = missing), built through pyarrow."""
    arr = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(pa.string())
    series = arr.to_pandas(types_mapper={pa.string(): pd.StringDtype(na_value=np.nan)}.get)
    if index is not None:
        series.index = index
    return series


def _labelled(code: np.ndarray, ok: np.ndarray, label, index: pd.Index) -> pd.Series:
    """Text labels of integer codes, formatted once per distinct code."""
    code = np.where(ok, code, code[ok].min() if ok.any() else 0).astype(np.int64)
    low = int(code.min()) if len(code) else 0
    seen = np.bincount(code - low) > 0 if len(code) else np.zeros(0, dtype=bool)
    uniq = np.flatnonzero(seen) + low
    inverse = (np.cumsum(seen) - 1)[code - low] if len(code) else code
    labels = pa.array([label(int(u)) for u in uniq], type=pa.string())
    indices = pa.array(inverse.astype(np.int32), mask=~ok)
    return text_series(pa.DictionaryArray.from_arrays(indices, labels), index)


def _year_month(dates: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    values = dates.to_numpy(dtype="datetime64[D]")
    ok = ~np.isnat(values)
    safe = (
        np.where(ok, values, np.datetime64("2000-01-01")).astype("datetime64[M]").astype(np.int64)
    )
    return safe // 12 + 1970, safe % 12 + 1, ok


def reporting_year(dates: pd.Series) -> pd.Series:
    """DfE reporting year (1 April to 31 March) as ``"2012-13"``; NA where the date is missing."""
    year, month, ok = _year_month(dates)
    first = np.where(month >= 4, year, year - 1)
    return _labelled(first, ok, lambda y: f"{y}-{(y + 1) % 100:02d}", dates.index)


def financial_quarter(dates: pd.Series) -> pd.Series:
    """Quarter of the reporting year, ``"2012-13 Q4"`` for January to March 2013."""
    year, month, ok = _year_month(dates)
    first = np.where(month >= 4, year, year - 1)
    code = first * 10 + ((month - 4) % 12) // 3 + 1
    return _labelled(
        code, ok, lambda c: f"{c // 10}-{(c // 10 + 1) % 100:02d} Q{c % 10}", dates.index
    )


def calendar_quarter(dates: pd.Series) -> pd.Series:
    """Calendar quarter, ``"2012 Q1"`` for January to March 2012."""
    year, month, ok = _year_month(dates)
    code = year * 10 + (month - 1) // 3 + 1
    return _labelled(code, ok, lambda c: f"{c // 10} Q{c % 10}", dates.index)


def days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole days from ``start`` to ``end`` (nullable Int64, NA when either is missing)."""
    days = (end - start).dt.days
    return days.astype("Int64")


def group_codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column (equal values, equal codes; -1 for missing), via pyarrow."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64)
    import pyarrow.compute as pc

    arr = pa.array(values, from_pandas=True)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    enc = pc.dictionary_encode(arr)
    return pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def order_within(codes: np.ndarray, date: pd.Series) -> np.ndarray:
    """Positions that sort rows by group code, then date, then position (ties keep extract order)."""
    days = date.to_numpy(dtype="datetime64[D]").astype("int64")
    known = days != np.iinfo(np.int64).min  # NaT sorts first within its group
    if not len(days):
        return np.zeros(0, dtype=np.int64)
    low = days[known].min() if known.any() else 0
    offset = np.where(known, days - low + 1, 0)
    key = codes.astype(np.int64) * (int(offset.max()) + 1) + offset
    return np.argsort(key, kind="stable")


def previous_in_group(codes: np.ndarray, order: np.ndarray) -> np.ndarray:
    """For each row, the position of the same group's previous row in ``order`` (-1 if none)."""
    sorted_codes = codes[order]
    prev = np.full(len(order), -1, dtype=np.int64)
    same = np.zeros(len(order), dtype=bool)
    same[1:] = sorted_codes[1:] == sorted_codes[:-1]
    prev[order] = np.where(same, np.roll(order, 1), -1)
    return prev


def rank_in_group(codes: np.ndarray, order: np.ndarray) -> np.ndarray:
    """1-based rank of each row within its group, following ``order``."""
    sorted_codes = codes[order]
    n = len(order)
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_codes[1:] != sorted_codes[:-1]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - group_start + 1
    return rank


def cpp_measures(frame: pd.DataFrame, person_codes: np.ndarray | None = None) -> pd.DataFrame:
    """Derived CPP fields (DfE CIN census definitions).

    - ``plan_number``: the larger of the plan's rank for the child in the extract (by start date)
      and ``previous_plans + 1`` (the case system's count over the child's whole history).
    - ``second_or_subsequent``: ``plan_number > 1``.
    - ``within_two_years_of_previous``: the plan started within two calendar years of the end of
      the child's previous plan in the extract; False for a first plan; NA when the previous plan
      is not in the extract or its end is unknown (still open).
    - ``duration_days``: start to end in days, NA while open.
    - ``lasted_two_years_or_more``: the plan has ended and the end is at least two calendar years
      after the start (plans still open are False here; see indicators for open-at-31-March).
    - ``reporting_year``, ``financial_quarter``, ``calendar_quarter``: of the plan start.

    ``person_codes`` (optional): integer codes of the person id, one per row, when the caller
    already has them (the cleaner does), so the ids are not hashed again.
    """
    out = frame.copy()
    start = out["plan_start_date"]
    end = out["plan_end_date"]
    child = group_codes(out["child_id"]) if person_codes is None else person_codes
    order = order_within(child, start)
    rank = rank_in_group(child, order)
    prev = previous_in_group(child, order)
    previous_plans = out["previous_plans"].to_numpy(dtype="float64", na_value=np.nan)
    history = np.where(np.isnan(previous_plans), 0, previous_plans + 1).astype(np.int64)
    plan_number = np.maximum(rank, history)
    out["plan_number"] = pd.array(plan_number, dtype="Int64")
    out["second_or_subsequent"] = plan_number > 1
    has_prev = prev >= 0
    if all(isinstance(d, np.dtype) and d.kind == "M" for d in (start.dtype, end.dtype)):
        # numpy datetimes (as the cleaner makes): the offsets come from a table of days.
        start_values = start.to_numpy()
        end_values = end.to_numpy()
        prev_end = np.full(len(out), np.datetime64("NaT"), dtype=end_values.dtype)
        prev_end[has_prev] = end_values[prev[has_prev]]
        prev_end_series = pd.Series(prev_end, index=out.index, copy=False)
        within = start_values <= _plus_offset(prev_end_series, TWO_YEARS)
        within[plan_number == 1] = False
        out["within_two_years_of_previous"] = pd.arrays.BooleanArray(
            within, np.isnat(prev_end) & (plan_number != 1)
        )
        out["duration_days"] = days_between(start, end)
        out["lasted_two_years_or_more"] = ~np.isnat(end_values) & (
            end_values >= _plus_offset(start, TWO_YEARS)
        )
    else:
        prev_end = pd.Series(pd.NaT, index=out.index, dtype=end.dtype)
        prev_end.iloc[np.flatnonzero(has_prev)] = end.to_numpy()[prev[has_prev]]
        within = (start <= prev_end + TWO_YEARS).astype("boolean")
        within[prev_end.isna().to_numpy()] = pd.NA
        within[(plan_number == 1)] = False
        out["within_two_years_of_previous"] = within
        out["duration_days"] = days_between(start, end)
        out["lasted_two_years_or_more"] = (end.notna() & (end >= start + TWO_YEARS)).astype(bool)
    labels = _start_labels(start)
    out["reporting_year"] = labels["reporting_year"]
    out["financial_quarter"] = labels["financial_quarter"]
    out["calendar_quarter"] = labels["calendar_quarter"]
    return out


def _day_span_ok(lo: int, hi: int, n: int) -> bool:
    """Whether a table over every day from ``lo`` to ``hi`` is small beside ``n`` rows."""
    return hi - lo < 4 * n + 10_000


def _plus_offset(dates: pd.Series, offset: pd.DateOffset) -> np.ndarray:
    """``dates + offset`` as a numpy datetime64 array, computed once per day of the dates' range
    when every date is a whole day (a national extract has a few thousand distinct days)."""
    values = dates.to_numpy()
    if values.dtype.kind == "M" and len(values):
        unit, _ = np.datetime_data(values.dtype)
        if unit in ("D", "h", "m", "s", "ms", "us", "ns"):
            known = values.view(np.int64) != np.iinfo(np.int64).min
            days = values.astype("datetime64[D]")
            day_numbers = days.view(np.int64)
            # Every known date at midnight (NaT never compares equal, so ``whole`` implies known).
            whole = days.astype(values.dtype) == values
            if known.any() and np.array_equal(whole, known):
                lo = int(np.where(known, day_numbers, day_numbers.max()).min())
                hi = int(np.where(known, day_numbers, lo).max())
                if _day_span_ok(lo, hi, len(values)):
                    grid = np.arange(lo, hi + 1, dtype=np.int64).astype("datetime64[D]")
                    table = (pd.Series(grid.astype(values.dtype)) + offset).to_numpy()
                    index = np.where(known, day_numbers - lo, 0)
                    return np.where(known, table[index], np.datetime64("NaT"))
    return (dates + offset).to_numpy()


def _start_labels(dates: pd.Series) -> dict[str, pd.Series]:
    """:func:`reporting_year`, :func:`financial_quarter` and :func:`calendar_quarter` of the same
    dates, with the month of each date found once and each label formatted once per month."""
    values = dates.to_numpy(dtype="datetime64[D]")
    ok = ~np.isnat(values)
    day_numbers = values.view(np.int64)
    if ok.any():
        lo, hi = int(day_numbers[ok].min()), int(day_numbers[ok].max())
    else:
        lo = hi = 0
    if not _day_span_ok(lo, hi, len(values)):
        return {
            "reporting_year": reporting_year(dates),
            "financial_quarter": financial_quarter(dates),
            "calendar_quarter": calendar_quarter(dates),
        }
    grid = np.arange(lo, hi + 1, dtype=np.int64).astype("datetime64[D]")
    month_of_day = grid.astype("datetime64[M]").astype(np.int64)
    first_month = int(month_of_day[0])
    months = month_of_day[-1] - first_month + 1
    month_index = (month_of_day - first_month).astype(np.int32)
    index = np.zeros(len(values), dtype=np.int32)
    index[ok] = month_index[day_numbers[ok] - lo]
    indices = pa.array(index, mask=~ok)
    safe = first_month + np.arange(months, dtype=np.int64)
    year, month = safe // 12 + 1970, safe % 12 + 1
    first = np.where(month >= 4, year, year - 1)
    fq = first * 10 + ((month - 4) % 12) // 3 + 1
    cq = year * 10 + (month - 1) // 3 + 1
    texts = {
        "reporting_year": [f"{y}-{(y + 1) % 100:02d}" for y in first.tolist()],
        "financial_quarter": [
            f"{c // 10}-{(c // 10 + 1) % 100:02d} Q{c % 10}" for c in fq.tolist()
        ],
        "calendar_quarter": [f"{c // 10} Q{c % 10}" for c in cq.tolist()],
    }
    return {
        name: text_series(
            pa.DictionaryArray.from_arrays(indices, pa.array(labels, type=pa.string())),
            dates.index,
        )
        for name, labels in texts.items()
    }


SATISFIED = ("very satisfied", "fairly satisfied")


def caf_measures(frame: pd.DataFrame, person_codes: np.ndarray | None = None) -> pd.DataFrame:
    """Derived CAF fields.

    - ``satisfied_top_two``: satisfaction is "very" or "fairly satisfied" (NA without an answer).
    - ``very_satisfied``: satisfaction is "very satisfied" (NA without an answer).
    - ``improvement_seen``: ``things_improved`` is "yes" ("don't know" counts as not seen; NA
      without an answer).
    - ``days_to_closure``: assessment to closure in days (NA while open).

    ``person_codes`` is accepted for a uniform signature with the other kinds and unused.
    """
    out = frame.copy()
    sat = out["satisfaction"]
    answered = sat.notna().to_numpy()
    top = pd.array(sat.isin(SATISFIED).to_numpy(), dtype="boolean")
    top[~answered] = pd.NA
    very = pd.array((sat == "very satisfied").fillna(False).to_numpy(dtype=bool), dtype="boolean")
    very[~answered] = pd.NA
    imp = out["things_improved"]
    seen = pd.array((imp == "yes").fillna(False).to_numpy(dtype=bool), dtype="boolean")
    seen[imp.isna().to_numpy()] = pd.NA
    out["satisfied_top_two"] = top
    out["very_satisfied"] = very
    out["improvement_seen"] = seen
    out["days_to_closure"] = days_between(out["assessment_date"], out["closure_date"])
    return out


def marac_measures(frame: pd.DataFrame, person_codes: np.ndarray | None = None) -> pd.DataFrame:
    """Derived MARAC fields.

    - ``repeat_within_12_months`` (SafeLives): the referral follows a previous referral of the same
      victim in the extract by no more than 12 months.
    - ``high_risk``: 14 or more ticks on the DASH risk checklist (NA when there is no DASH score).

    ``person_codes`` (optional): integer codes of the person id, one per row, when the caller
    already has them (the cleaner does), so the ids are not hashed again.
    """
    out = frame.copy()
    ref = out["referral_date"]
    victim = group_codes(out["victim_id"]) if person_codes is None else person_codes
    order = order_within(victim, ref)
    prev = previous_in_group(victim, order)
    has_prev = prev >= 0
    prev_ref = pd.Series(pd.NaT, index=out.index, dtype=ref.dtype)
    prev_ref.iloc[np.flatnonzero(has_prev)] = ref.to_numpy()[prev[has_prev]]
    out["repeat_within_12_months"] = (prev_ref.notna() & (ref <= prev_ref + TWELVE_MONTHS)).astype(
        bool
    )
    ticks = out["dash_ticks"]
    out["high_risk"] = (ticks >= 14).astype("boolean")
    return out


CPP_DERIVED = {
    "plan_number": "Int64",
    "second_or_subsequent": "bool",
    "within_two_years_of_previous": "boolean",
    "duration_days": "Int64",
    "lasted_two_years_or_more": "bool",
    "reporting_year": "str",
    "financial_quarter": "str",
    "calendar_quarter": "str",
}
CAF_DERIVED = {
    "satisfied_top_two": "boolean",
    "very_satisfied": "boolean",
    "improvement_seen": "boolean",
    "days_to_closure": "Int64",
}
MARAC_DERIVED = {"repeat_within_12_months": "bool", "high_risk": "boolean"}

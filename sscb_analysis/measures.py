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


#: The day number of a missing date (numpy's NaT viewed as int64).
NAT_DAY = np.iinfo(np.int64).min

_UNITS_PER_DAY = {
    "s": 86_400,
    "ms": 86_400_000,
    "us": 86_400_000_000,
    "ns": 86_400_000_000_000,
}


def day_numbers(dates: pd.Series) -> np.ndarray | None:
    """Days since 1970-01-01 (``NAT_DAY`` where missing) of numpy datetimes that all fall at
    midnight, as the cleaner makes them; ``None`` for anything else (a time of day, a time zone,
    another dtype), which the callers handle with datetime arithmetic instead.

    Whole days compare, subtract and order exactly as the datetimes do, without the unit
    conversions and pandas datetime operations.
    """
    dtype = dates.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind != "M":
        return None
    unit, count = np.datetime_data(dtype)
    values = dates.to_numpy().view(np.int64)
    if unit == "D" and count == 1:
        return values
    per_day = _UNITS_PER_DAY.get(unit)
    if per_day is None or count != 1:
        return None
    known = values != NAT_DAY
    days = values // per_day
    # NaT is never a whole number of days in these units, so this also requires known == whole.
    if not np.array_equal(days * per_day == values, known):
        return None
    return np.where(known, days, NAT_DAY)


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """``date + pd.DateOffset(months=months)`` on day numbers (``NAT_DAY`` stays missing).

    Same day of the month ``months`` later, cut to the month's last day when it is shorter
    (29 February 2012 + 24 months = 28 February 2014), exactly as pandas' ``DateOffset`` with
    ``years=`` or ``months=``. A large array is looked up in a table over its range of days.
    """
    days = np.asarray(days, dtype=np.int64)
    known = days != NAT_DAY
    if not known.any():
        return np.full(len(days), NAT_DAY, dtype=np.int64)
    lo = int(np.min(days, where=known, initial=np.iinfo(np.int64).max))
    hi = int(days.max())  # NAT_DAY is the smallest int64, so the largest value is a known day
    if len(days) > 64 and _day_span_ok(lo, hi, len(days)):
        size = hi - lo + 1
        table = np.empty(size + 1, dtype=np.int64)
        table[:size] = _add_months_direct(np.arange(lo, hi + 1, dtype=np.int64), months)
        table[size] = NAT_DAY
        # Known days fall in 0..size-1; NAT_DAY - lo wraps to a value that is at least 2**63 as
        # an unsigned number, so capping at ``size`` sends it to the missing slot.
        at = days - lo
        np.minimum(at.view(np.uint64), np.uint64(size), out=at.view(np.uint64))
        return table[at]
    return np.where(known, _add_months_direct(np.where(known, days, 0), months), NAT_DAY)


def _add_months_direct(days: np.ndarray, months: int) -> np.ndarray:
    """:func:`add_months` of known day numbers, by calendar arithmetic on each."""
    dates = days.astype("datetime64[D]")
    month = dates.astype("datetime64[M]")
    day_of_month = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(months, "M")
    first = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    return first.view(np.int64) + np.minimum(day_of_month, length - 1)


def order_within(codes: np.ndarray, date: pd.Series) -> np.ndarray:
    """Positions that sort rows by group code, then date, then position (ties keep extract order)."""
    days = day_numbers(date)
    if days is None:
        days = date.to_numpy(dtype="datetime64[D]").astype("int64")
    return order_by_day(codes, days)


def order_by_day(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    """:func:`order_within` from day numbers (``NAT_DAY`` for a missing date, sorted first)."""
    known = days != NAT_DAY  # NaT sorts first within its group
    if not len(days):
        return np.zeros(0, dtype=np.int64)
    low = days[known].min() if known.any() else 0
    offset = np.where(known, days - low + 1, 0)
    key = codes.astype(np.int64) * (int(offset.max()) + 1) + offset
    return np.argsort(key, kind="stable")


def restrict_order(order: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The ``order`` of some rows cut down to the rows where ``keep`` is true, as positions among
    those rows: what a fresh :func:`order_within` of the kept rows gives, in one pass, no sort.

    Dropping rows from a stable order leaves the rest in order, and the kept rows keep their
    relative positions, so ties still follow the extract.
    """
    keep = np.asarray(keep, dtype=bool)
    if len(keep) != len(order):
        raise ValueError(f"keep has {len(keep)} rows but the order has {len(order)}")
    if keep.all():
        return order
    new_position = np.cumsum(keep) - 1
    return new_position[order[keep[order]]]


def previous_in_group(codes: np.ndarray, order: np.ndarray) -> np.ndarray:
    """For each row, the position of the same group's previous row in ``order`` (-1 if none)."""
    prev = np.empty(len(order), dtype=np.int64)
    if len(order):
        sorted_codes = codes[order]
        prev[order[0]] = -1
        prev[order[1:]] = np.where(sorted_codes[1:] == sorted_codes[:-1], order[:-1], -1)
    return prev


def value_before(values: np.ndarray, prev: np.ndarray) -> np.ndarray:
    """``values[prev]`` as day numbers, ``NAT_DAY`` where ``prev`` is -1 (no previous row)."""
    return np.append(values, NAT_DAY)[prev]


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


def _rank_and_previous(codes: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`rank_in_group` (as int32) and :func:`previous_in_group` in one pass over ``order``."""
    n = len(order)
    sorted_codes = codes[order]
    starts = np.empty(n, dtype=bool)
    starts[:1] = True
    np.not_equal(sorted_codes[1:], sorted_codes[:-1], out=starts[1:])
    steps = np.arange(1, n + 1, dtype=np.int32)
    # 1-based step of each group's first row, carried forward; rank = step - that + 1.
    group_start = np.where(starts, steps, 0)
    np.maximum.accumulate(group_start, out=group_start)
    rank = np.empty(n, dtype=np.int32)
    np.subtract(steps, group_start, out=group_start)
    group_start += 1
    rank[order] = group_start
    prev = np.empty(n, dtype=np.int64)
    if n:
        prev[order[0]] = -1
        prev[order[1:]] = np.where(starts[1:], -1, order[:-1])
    return rank, prev


def cpp_measures(
    frame: pd.DataFrame,
    person_codes: np.ndarray | None = None,
    *,
    order: np.ndarray | None = None,
) -> pd.DataFrame:
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
    already has them (the cleaner does), so the ids are not hashed again. ``order`` (optional,
    with ``person_codes``): the rows' :func:`order_within` by those codes and the start date, when
    the caller has it already (the cleaner sorts once for the checks and the derived fields).

    The input frame is not changed: the result is a new frame (sharing the unchanged columns,
    which pandas copies on write).
    """
    out = frame.copy(deep=False)
    start = out["plan_start_date"]
    end = out["plan_end_date"]
    child = group_codes(out["child_id"]) if person_codes is None else person_codes
    start_days = day_numbers(start)
    end_days = day_numbers(end)
    if order is None:
        order = (
            order_within(child, start) if start_days is None else order_by_day(child, start_days)
        )
    rank, prev = _rank_and_previous(child, order)
    plan_number = np.maximum(rank, _history(out["previous_plans"]))
    out["plan_number"] = pd.arrays.IntegerArray(plan_number, np.zeros(len(out), dtype=bool))
    out["second_or_subsequent"] = plan_number > 1
    if start_days is not None and end_days is not None:
        # Whole days (as the cleaner makes): integer day numbers, offsets from a table of days.
        first_plan = plan_number == 1
        start_known = start_days != NAT_DAY
        prev_end = value_before(end_days, prev)
        prev_unknown = prev_end == NAT_DAY
        within = start_days <= add_months(prev_end, 24)
        within &= start_known
        within &= ~prev_unknown
        within[first_plan] = False
        prev_unknown &= ~first_plan
        out["within_two_years_of_previous"] = pd.arrays.BooleanArray(within, prev_unknown)
        both = end_days != NAT_DAY
        both &= start_known
        duration = end_days - start_days  # wraps where a day is missing; zeroed below
        duration[~both] = 0
        out["duration_days"] = pd.arrays.IntegerArray(duration, ~both)
        lasted = end_days >= add_months(start_days, 24)
        lasted &= both
        out["lasted_two_years_or_more"] = lasted
    elif all(isinstance(d, np.dtype) and d.kind == "M" for d in (start.dtype, end.dtype)):
        # numpy datetimes with a time of day: the offsets come from a table of days.
        has_prev = prev >= 0
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
        has_prev = prev >= 0
        prev_end = pd.Series(pd.NaT, index=out.index, dtype=end.dtype)
        prev_end.iloc[np.flatnonzero(has_prev)] = end.to_numpy()[prev[has_prev]]
        within = (start <= prev_end + TWO_YEARS).astype("boolean")
        within[prev_end.isna().to_numpy()] = pd.NA
        within[(plan_number == 1)] = False
        out["within_two_years_of_previous"] = within
        out["duration_days"] = days_between(start, end)
        out["lasted_two_years_or_more"] = (end.notna() & (end >= start + TWO_YEARS)).astype(bool)
    labels = _start_labels(start, start_days)
    out["reporting_year"] = labels["reporting_year"]
    out["financial_quarter"] = labels["financial_quarter"]
    out["calendar_quarter"] = labels["calendar_quarter"]
    return out


def second_or_subsequent_basis(
    frame: pd.DataFrame,
    person_codes: np.ndarray | None = None,
    *,
    order: np.ndarray | None = None,
) -> dict[str, int]:
    """What each second or subsequent plan's status rests on, for the data-quality page.

    The DfE counts plans a child has *ever* had; a plan is second or subsequent by the child's
    earlier plans in the extract (``history``), by the case system's recorded number of
    previous plans (``recorded``), or both. ``disagree`` counts plans whose recorded number is
    smaller than the earlier plans the extract itself holds for the child.
    """
    child = group_codes(frame["child_id"]) if person_codes is None else person_codes
    if order is None:
        order = order_within(child, frame["plan_start_date"])
    rank = rank_in_group(child, order) if len(frame) else np.zeros(0, dtype=np.int64)
    previous = frame["previous_plans"].to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(previous)
    history = rank > 1
    recorded = known & (np.nan_to_num(previous) >= 1)
    return {
        "plans": len(frame),
        "second_or_subsequent": int((history | recorded).sum()),
        "history_and_recorded": int((history & recorded).sum()),
        "history_only": int((history & ~recorded).sum()),
        "recorded_only": int((recorded & ~history).sum()),
        "recorded_number_missing": int((~known).sum()),
        "disagree": int((known & (np.nan_to_num(previous) < rank - 1)).sum()),
    }


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


def _history(previous_plans: pd.Series) -> np.ndarray:
    """``previous_plans + 1`` (the plan's number by the case system's count), 0 where unknown."""
    if isinstance(previous_plans.dtype, pd.Int64Dtype):
        # NA -> -1 -> 0, the same as the float route below, without the float round trip.
        return previous_plans.to_numpy(dtype=np.int64, na_value=-1) + 1
    values = previous_plans.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(values), 0, values + 1).astype(np.int64)


def _start_labels(dates: pd.Series, days: np.ndarray | None = None) -> dict[str, pd.Series]:
    """:func:`reporting_year`, :func:`financial_quarter` and :func:`calendar_quarter` of the same
    dates, with the month of each date found once and each label formatted once per month.
    ``days``: the dates' :func:`day_numbers`, when the caller has them."""
    if days is None:
        days = dates.to_numpy(dtype="datetime64[D]").view(np.int64)
    ok = days != NAT_DAY
    if ok.any():
        lo = int(np.min(days, where=ok, initial=np.iinfo(np.int64).max))
        hi = int(days.max())  # NAT_DAY is the smallest int64
    else:
        lo = hi = 0
    if not _day_span_ok(lo, hi, len(days)):
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
    # Missing dates (NAT_DAY - lo wraps past 2**63 unsigned) go to an extra slot, masked below.
    month_index = np.append(month_index, np.int32(0))
    at = days - lo
    np.minimum(at.view(np.uint64), np.uint64(len(month_index) - 1), out=at.view(np.uint64))
    index = month_index[at]
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
    return {name: _label_text(index, ok, labels, dates.index) for name, labels in texts.items()}


def _label_text(codes: np.ndarray, ok: np.ndarray, labels: list[str], index: pd.Index) -> pd.Series:
    """A ``str`` Series of ``labels[codes]``, missing where not ``ok``.

    Labels of one byte length (as ``"2012-13"``) are copied straight into the bytes and offsets
    of an Arrow string array, which costs a third of decoding a dictionary array; others go
    through :func:`text_series` of a dictionary array. Both give the same Series.
    """
    encoded = [label.encode() for label in labels]
    width = len(encoded[0]) if encoded else 0
    if width == 0 or any(len(e) != width for e in encoded):
        indices = pa.array(codes.astype(np.int32, copy=False), mask=~ok)
        return text_series(
            pa.DictionaryArray.from_arrays(indices, pa.array(labels, type=pa.string())), index
        )
    table = np.frombuffer(b"".join(encoded), dtype=np.uint8).reshape(len(encoded), width)
    n = len(codes)
    if ok.all():
        data = np.take(table, codes, axis=0)
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
        validity, nulls = None, 0
    else:
        # A missing value takes no bytes, as in an array pyarrow builds.
        data = np.take(table, codes[ok], axis=0)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(ok, out=offsets[1:])
        offsets *= width
        validity, nulls = pa.py_buffer(np.packbits(ok, bitorder="little")), n - len(data)
    arr = pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(data), validity, nulls
    )
    series = arr.to_pandas(types_mapper={pa.large_string(): pd.StringDtype(na_value=np.nan)}.get)
    series.index = index
    return series


SATISFIED = ("very satisfied", "fairly satisfied")


def caf_measures(
    frame: pd.DataFrame,
    person_codes: np.ndarray | None = None,
    *,
    order: np.ndarray | None = None,
) -> pd.DataFrame:
    """Derived CAF fields.

    - ``satisfied_top_two``: satisfaction is "very" or "fairly satisfied" (NA without an answer).
    - ``very_satisfied``: satisfaction is "very satisfied" (NA without an answer).
    - ``improvement_seen``: ``things_improved`` is "yes" ("don't know" counts as not seen; NA
      without an answer).
    - ``days_to_closure``: assessment to closure in days (NA while open).

    ``person_codes`` and ``order`` are accepted for a uniform signature with the other kinds and
    unused. The input frame is not changed.
    """
    out = frame.copy(deep=False)
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


def marac_measures(
    frame: pd.DataFrame,
    person_codes: np.ndarray | None = None,
    *,
    order: np.ndarray | None = None,
) -> pd.DataFrame:
    """Derived MARAC fields.

    - ``repeat_within_12_months`` (SafeLives): the referral follows a previous referral of the same
      victim in the extract by no more than 12 months.
    - ``high_risk``: 14 or more ticks on the DASH risk checklist (NA when there is no DASH score).

    ``person_codes`` (optional): integer codes of the person id, one per row, when the caller
    already has them (the cleaner does), so the ids are not hashed again. ``order`` (optional,
    with ``person_codes``): the rows' :func:`order_within` by those codes and the referral date,
    when the caller has it already. The input frame is not changed.
    """
    out = frame.copy(deep=False)
    ref = out["referral_date"]
    victim = group_codes(out["victim_id"]) if person_codes is None else person_codes
    ref_days = day_numbers(ref)
    if order is None:
        order = order_within(victim, ref) if ref_days is None else order_by_day(victim, ref_days)
    prev = previous_in_group(victim, order)
    has_prev = prev >= 0
    if ref_days is not None:
        prev_ref = np.where(has_prev, ref_days[np.where(has_prev, prev, 0)], NAT_DAY)
        out["repeat_within_12_months"] = (
            (prev_ref != NAT_DAY) & (ref_days != NAT_DAY) & (ref_days <= add_months(prev_ref, 12))
        )
    else:
        prev_ref = pd.Series(pd.NaT, index=out.index, dtype=ref.dtype)
        prev_ref.iloc[np.flatnonzero(has_prev)] = ref.to_numpy()[prev[has_prev]]
        out["repeat_within_12_months"] = (
            prev_ref.notna() & (ref <= prev_ref + TWELVE_MONTHS)
        ).astype(bool)
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

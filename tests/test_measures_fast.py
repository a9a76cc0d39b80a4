"""The whole-day fast paths of the derived fields and checks give what the datetime arithmetic
gives: pandas ``DateOffset`` for calendar offsets, a fresh sort for restricted orders, numpy's
``busday_count`` for working days, and the general (time zone aware) route for every field."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sscb_analysis import measures
from sscb_analysis.extracts import cpp
from sscb_analysis.measures import (
    NAT_DAY,
    add_months,
    cpp_measures,
    day_numbers,
    group_codes,
    marac_measures,
    order_within,
    previous_in_group,
    restrict_order,
)

EVERY_DAY = pd.Series(pd.date_range("1990-01-01", "2035-12-31", freq="D"))


def as_days(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[D]").view(np.int64)


@pytest.mark.parametrize(
    ("months", "offset"),
    [(24, pd.DateOffset(years=2)), (12, pd.DateOffset(months=12)), (1, pd.DateOffset(months=1))],
)
def test_add_months_is_pandas_dateoffset_on_every_day(months, offset):
    expected = as_days(EVERY_DAY + offset)
    days = as_days(EVERY_DAY)
    assert np.array_equal(add_months(days, months), expected)  # table over the range
    direct = np.concatenate([add_months(days[i : i + 50], months) for i in range(0, len(days), 50)])
    assert np.array_equal(direct, expected)  # small arrays: arithmetic on each day


def test_add_months_leap_days_and_missing():
    days = as_days(pd.Series(pd.to_datetime(["2012-02-29", None, "2016-02-29", "2015-02-28"])))
    got = add_months(np.tile(days, 40), 24)[:4]  # 160 rows: the table route
    assert got[1] == NAT_DAY
    assert list(got[[0, 2, 3]].view("datetime64[D]").astype(str)) == [
        "2014-02-28",
        "2018-02-28",
        "2017-02-28",
    ]
    assert (add_months(np.full(5, NAT_DAY), 24) == NAT_DAY).all()
    assert len(add_months(np.zeros(0, dtype=np.int64), 24)) == 0


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_day_numbers_of_whole_days(unit):
    dates = EVERY_DAY.iloc[::97].astype(f"datetime64[{unit}]").copy()
    dates.iloc[3] = pd.NaT
    got = day_numbers(dates)
    expected = dates.to_numpy(dtype="datetime64[D]").view(np.int64)
    assert np.array_equal(got, expected)
    assert got[3] == NAT_DAY


def test_day_numbers_refuses_times_of_day_and_time_zones():
    with_time = pd.Series(pd.to_datetime(["2012-01-01 00:00", "2012-01-02 10:00"]))
    assert day_numbers(with_time) is None
    assert day_numbers(EVERY_DAY.dt.tz_localize("UTC")) is None
    assert day_numbers(pd.Series(["2012-01-01"])) is None
    assert day_numbers(pd.Series(pd.to_datetime(["1960-05-01", None]))) is not None


def random_dates(rng, n: int, missing: float = 0.1) -> pd.Series:
    days = rng.integers(15000, 15060, n)  # few distinct days: many ties
    values = days.astype("datetime64[D]").astype("datetime64[ns]")
    values[rng.random(n) < missing] = np.datetime64("NaT")
    return pd.Series(values)


@pytest.mark.parametrize("seed", range(6))
def test_restricted_order_is_a_fresh_order_of_the_kept_rows(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 400))
    codes = rng.integers(-1, 30, n)
    dates = random_dates(rng, n)
    keep = rng.random(n) < rng.random()
    got = restrict_order(order_within(codes, dates), keep)
    expected = order_within(codes[keep], dates[keep].reset_index(drop=True))
    assert np.array_equal(got, expected)
    assert restrict_order(order_within(codes, dates), np.ones(n, dtype=bool)) is not None
    with pytest.raises(ValueError, match="keep has"):
        restrict_order(np.arange(3), np.ones(2, dtype=bool))


def test_previous_in_group_against_a_loop():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 20, 300)
    dates = random_dates(rng, 300)
    order = order_within(codes, dates)
    expected = np.full(300, -1)
    last: dict[int, int] = {}
    for position in order:
        expected[position] = last.get(codes[position], -1)
        last[codes[position]] = position
    assert np.array_equal(previous_in_group(codes, order), expected)


def random_plans(seed: int, n: int) -> pd.DataFrame:
    """Typed CPP rows with repeat plans, open plans, overlaps, ties and 29 February dates."""
    rng = np.random.default_rng(seed)
    leap_days = np.array([np.datetime64(f"{y}-02-29") for y in range(1992, 2032, 4)])
    start = rng.integers(7300, 22000, n).astype("datetime64[D]")
    leap = rng.random(n) < 0.2
    start[leap] = rng.choice(leap_days, leap.sum())
    end = start + rng.integers(-10, 1500, n).astype("timedelta64[D]")
    ended_on_leap_day = rng.random(n) < 0.1
    end[ended_on_leap_day] = rng.choice(leap_days, ended_on_leap_day.sum())
    end[rng.random(n) < 0.3] = np.datetime64("NaT")
    icpc = start - rng.integers(-5, 40, n).astype("timedelta64[D]")
    icpc[rng.random(n) < 0.2] = np.datetime64("NaT")
    previous = pd.array(rng.integers(0, 4, n), dtype="Int64")
    previous[rng.random(n) < 0.4] = pd.NA
    return pd.DataFrame(
        {
            "child_id": pd.array([f"K{c}" for c in rng.integers(0, n // 3 + 1, n)], dtype="str"),
            "plan_start_date": start.astype("datetime64[ns]"),
            "plan_end_date": end.astype("datetime64[ns]"),
            "previous_plans": previous,
            "initial_conference_date": icpc.astype("datetime64[ns]"),
        }
    )


def in_utc(frame: pd.DataFrame) -> pd.DataFrame:
    """The same rows with time-zone-aware dates: the general route (pandas DateOffset)."""
    out = frame.copy()
    for col in out.columns:
        if str(out[col].dtype).startswith("datetime64"):
            out[col] = out[col].dt.tz_localize("UTC")
    return out


@pytest.mark.parametrize("seed", range(3))
def test_cpp_measures_whole_days_match_the_datetime_route(seed):
    frame = random_plans(seed, 1500)
    fast = cpp_measures(frame)
    general = cpp_measures(in_utc(frame))
    for col in measures.CPP_DERIVED:
        pd.testing.assert_series_equal(fast[col], general[col], check_exact=True)
    assert fast["within_two_years_of_previous"].isna().any()
    assert fast["lasted_two_years_or_more"].any()


def test_cpp_measures_with_the_callers_order_and_codes():
    frame = random_plans(7, 800)
    codes = group_codes(frame["child_id"])
    order = order_within(codes, frame["plan_start_date"])
    before = frame.copy()
    given = cpp_measures(frame, person_codes=codes, order=order)
    pd.testing.assert_frame_equal(given, cpp_measures(frame), check_exact=True)
    pd.testing.assert_frame_equal(frame, before)  # the input frame is left alone
    assert "plan_number" not in frame.columns


def test_marac_measures_whole_days_match_the_datetime_route():
    rng = np.random.default_rng(11)
    n = 1200
    frame = pd.DataFrame(
        {
            "victim_id": pd.array([f"V{c}" for c in rng.integers(0, 300, n)], dtype="str"),
            "referral_date": random_dates(rng, n, 0.05)
            + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "dash_ticks": pd.array(rng.integers(0, 25, n), dtype="Int64"),
        }
    )
    fast = marac_measures(frame)
    general = marac_measures(in_utc(frame))
    pd.testing.assert_series_equal(
        fast["repeat_within_12_months"], general["repeat_within_12_months"], check_exact=True
    )
    assert fast["repeat_within_12_months"].any()


def test_cpp_checks_whole_days_match_the_datetime_route():
    frame = random_plans(5, 2000)
    fast = cpp.checks(frame)
    general = cpp.checks(in_utc(frame))
    assert [h[:2] + h[3:] for h in fast] == [h[:2] + h[3:] for h in general]
    for (_, _, a, _), (_, _, b, _) in zip(fast, general, strict=True):
        assert np.array_equal(a.to_numpy(dtype=bool), b.to_numpy(dtype=bool))
        assert a.any()


def test_working_day_shortcut_is_busday_count():
    start = np.arange(16000, 16014).repeat(45)  # every weekday of the start
    conference = start - np.tile(np.arange(-5, 40), 14)
    frame = pd.DataFrame(
        {
            "child_id": pd.array([f"K{i}" for i in range(len(start))], dtype="str"),
            "plan_start_date": start.astype("datetime64[D]").astype("datetime64[ns]"),
            "plan_end_date": pd.Series(pd.NaT, index=range(len(start)), dtype="datetime64[ns]"),
            "initial_conference_date": conference.astype("datetime64[D]").astype("datetime64[ns]"),
        }
    )
    busy = cpp.checks(frame)[2][2].to_numpy()
    expected = (
        np.busday_count(conference.astype("datetime64[D]"), start.astype("datetime64[D]")) > 15
    )
    assert np.array_equal(busy, expected)
    assert busy.any() and not busy.all()


@pytest.mark.parametrize("missing", [0.0, 0.3])
def test_labels_laid_out_directly_equal_the_dictionary_route(missing):
    rng = np.random.default_rng(2)
    dates = random_dates(rng, 500, missing) + pd.to_timedelta(rng.integers(0, 2000, 500), "D")
    labels = measures._start_labels(dates)
    pd.testing.assert_series_equal(
        labels["reporting_year"], measures.reporting_year(dates), check_exact=True
    )
    pd.testing.assert_series_equal(
        labels["financial_quarter"], measures.financial_quarter(dates), check_exact=True
    )
    pd.testing.assert_series_equal(
        labels["calendar_quarter"], measures.calendar_quarter(dates), check_exact=True
    )


def test_two_year_edges_on_leap_days():
    """29 Feb 2012 + 2 years is 28 Feb 2014 (pandas DateOffset): a plan starting that day is
    within two years, one starting the next day is not; the same edge for lasting two years."""
    frame = pd.DataFrame(
        {
            "child_id": pd.array(["A", "A", "B", "B", "C", "D"], dtype="str"),
            "plan_start_date": pd.to_datetime(
                ["2011-01-01", "2014-02-28", "2011-01-01", "2014-03-01", "2012-02-29", "2012-02-29"]
            ),
            "plan_end_date": pd.to_datetime(
                ["2012-02-29", None, "2012-02-29", None, "2014-02-28", "2014-02-27"]
            ),
            "previous_plans": pd.array([0, None, 0, None, None, None], dtype="Int64"),
        }
    )
    for route in (frame, in_utc(frame)):
        out = cpp_measures(route)
        within = out["within_two_years_of_previous"].tolist()
        assert within == [False, True, False, False, False, False]
        assert out["lasted_two_years_or_more"].tolist() == [False] * 4 + [True, False]
        assert out["duration_days"].tolist()[4:] == [730, 729]

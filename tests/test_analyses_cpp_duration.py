"""Plan duration page (notebook 02): compute, one disclosure pass, words and charts.

The Wilson interval is checked against its closed form (Wilson 1927); the trend test's z against
the Cochran-Armitage formula written out here (Armitage 1955), independent of the stats module;
counts against the raw CSV read here with pandas.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from sscb_analysis.analyses import cpp_duration as m
from sscb_analysis.cleaning import clean
from sscb_analysis.disclose import disclose_page, disclosure_policy
from sscb_analysis.disclose.audit import audit_page
from sscb_analysis.paths import SYNTHETIC

START, END = "2012-04-01", "2013-03-31"
REVIEW = SimpleNamespace(date=pd.Timestamp("2011-06-01"), label="the review", source=None)
W = m.words


@pytest.fixture(scope="module")
def cpp() -> pd.DataFrame:
    return clean("cpp", SYNTHETIC / "cpp.csv").data


@pytest.fixture(scope="module")
def page(cpp):
    return m.page(cpp, START, END, review_event=REVIEW)


def _ca_p(x: list[int], n: list[int]) -> float:
    xa, na = np.array(x, float), np.array(n, float)
    s = np.arange(len(x), dtype=float)
    p = xa.sum() / na.sum()
    sbar = (na * s).sum() / na.sum()
    t = (xa * (s - sbar)).sum()
    var = p * (1 - p) * (na * (s - sbar) ** 2).sum()
    return float(2 * stats.norm.sf(abs(t / math.sqrt(var))))


def _wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def all_words(pg) -> str:
    parts = [W.years_sentence(pg), W.conclusion(pg), W.category_sentence(pg)]
    for key in ("open", "ended"):
        parts += [
            W.measure_table(pg, key).to_string(),
            W.measure_sentence(pg, key),
            W.detail(pg, key),
        ]
    for table in (W.category_table(pg), W.category_shares(pg)):
        if table is not None:
            parts.append(table.to_string())
    parts += [h.value + " " + h.interval + " " + h.sentence for h in W.headlines(pg)]
    return "\n".join(parts)


def test_years_end_with_the_period_under_review(page) -> None:
    assert [y.year for y in page.results.open.years] == [2011, 2012, 2013]
    assert "2010-11 to 2012-13" in W.years_sentence(page)


def test_open_at_31_march_against_the_raw_extract(cpp, page) -> None:
    raw = pd.read_csv(SYNTHETIC / "cpp.csv", dtype=str)
    start = pd.to_datetime(raw["plan_start_date"], format="%d/%m/%Y")
    end = pd.to_datetime(raw["plan_end_date"], format="%d/%m/%Y")
    day = pd.Timestamp("2013-03-31")
    is_open = (start <= day) & (end.isna() | (end > day))
    long = is_open & (start <= day - pd.DateOffset(years=2))
    y = page.results.open.years[-1]
    assert (y.total.value, y.long.value) == (int(is_open.sum()), int(long.sum()))
    lo, hi = _wilson(y.long.value, y.total.value)
    assert (y.share.lower, y.share.upper) == pytest.approx((lo, hi), abs=1e-12)


def test_trend_matches_cochran_armitage(page) -> None:
    m_open = page.results.open
    x = [y.long.value for y in m_open.years]
    n = [y.total.value for y in m_open.years]
    assert m_open.trend.p_value == pytest.approx(_ca_p(x, n), rel=1e-9)


def test_review_comparison_and_left_out_line(cpp, page) -> None:
    r = page.results.open.review
    assert (r.before, r.after) == ("2010-11", "2012-13")
    assert "before the review" in W.measure_sentence(page, "open")
    bare = m.page(cpp, START, END)
    assert "left out: the area profile gives no `events.cpp_practice_review`" in W.measure_sentence(
        bare, "open"
    )
    late = m.page(
        cpp,
        START,
        END,
        review_event=SimpleNamespace(date=pd.Timestamp("2012-06-01"), label="x", source=None),
    )
    assert "it needs 2011-12 and 2013-14" in W.measure_sentence(late, "open")


def test_categories_and_headline(page) -> None:
    table = W.category_table(page)
    assert list(table.columns)[-1] == "Total" and "Neglect" in table.index
    assert "most common category was neglect" in W.category_sentence(page)
    (h,) = W.headlines(page)
    assert h.key == "cpp_open_two_years_or_more" and h.period == "2012-13"
    assert h.comparison is None and h.previous_period == "2011-12"
    assert m.charts.duration_chart(page).axes


def test_headline_compares_with_the_published_31_march_share(cpp) -> None:
    """England's 2012-13 share of plans open two years or more, read from the DfE CSV with the
    csv module (independently of sscb_analysis.benchmarks)."""
    import csv

    from sscb_analysis.paths import DFE

    with (DFE / "d5_cpps_at31march_by_duration_2013_to_2025.csv").open(encoding="utf-8-sig") as fh:
        row = next(
            r
            for r in csv.DictReader(fh)
            if r["time_period"] == "2013" and r["geographic_level"] == "National"
        )
    (h,) = W.headlines(m.page(cpp, START, END, la_code="210"))
    assert h.comparison.startswith(f"England {float(row['2_years_or_more_percent']):.1f}%;")
    assert h.comparison.endswith("(2012-13, published)")


def plans(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["plan_start_date", "plan_end_date"])
    frame["plan_start_date"] = pd.to_datetime(frame["plan_start_date"])
    frame["plan_end_date"] = pd.to_datetime(frame["plan_end_date"])
    frame["initial_category"] = "neglect"
    return frame


def test_small_counts_are_withheld_with_their_shares_and_trend() -> None:
    rows = (
        [("2009-05-01", None)] * 3
        + [("2012-01-01", None)] * 40
        + [("2010-06-01", "2012-09-01")] * 2
    )
    pg = m.page(plans(rows), START, END)
    table = W.measure_table(pg, "open")
    assert table.loc["2012-13", "Lasting two years or more"] == "c"
    assert table.loc["2012-13", "Share"] == "c"
    text = W.measure_sentence(pg, "open")
    assert "between 1 and 5" in text


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.dates(pd.Timestamp("2008-01-01").date(), pd.Timestamp("2013-03-31").date()),
            st.one_of(st.none(), st.integers(1, 1500)),
            st.sampled_from(["neglect", "physical", "emotional"]),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_auditor_on_micro_extracts(rows) -> None:
    frame = pd.DataFrame(
        {
            "plan_start_date": pd.to_datetime([r[0] for r in rows]),
            "plan_end_date": pd.to_datetime(
                [
                    None if r[1] is None else pd.Timestamp(r[0]) + pd.Timedelta(days=r[1])
                    for r in rows
                ]
            ),
            "initial_category": [r[2] for r in rows],
        }
    )
    facts = m.compute.compute(frame, START, END, review_event=REVIEW)
    pg = disclose_page(facts, disclosure_policy())
    assert audit_page(facts, pg, all_words(pg), others=[31]) == []


def test_the_chart_legend_sits_outside_the_data_area(page) -> None:
    """Review: the legend was placed "best" inside the axes and covered the shaded likely range;
    it now sits outside, to the right (measured on the drawn figure), and the saved PNG keeps it."""
    import matplotlib.pyplot as plt

    from sscb_analysis.alt_text import png_with_alt

    fig = m.charts.duration_chart(page)
    fig.draw_without_rendering()
    (ax,) = fig.axes
    legend = ax.get_legend()
    assert len(legend.get_texts()) == 4  # two lines and their two likely ranges
    box, data_area = legend.get_window_extent(), ax.get_window_extent()
    assert not box.overlaps(data_area), (box, data_area)
    assert box.x0 >= data_area.x1
    png, _ = png_with_alt(fig)
    assert int.from_bytes(png[16:20], "big") > fig.get_size_inches()[0] * fig.dpi
    plt.close(fig)

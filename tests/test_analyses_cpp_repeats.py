"""Repeat plans page (notebook 01): compute, one disclosure pass, words and charts.

Reference values: the exact conditional test of two Poisson counts with equal exposure is the
two-sided binomial test of c1 out of c1 + c2 at 1/2 (Przyborowski and Wilenski 1940), computed
here with ``math.comb``; the Wilson interval from its closed form (Wilson 1927).

Then: the page is area-free without a profile, keeps to the period under review, survives a
micro extract with a quarter without plans (finding 12.12), and passes the auditor on a family
of tiny, skewed and micro extracts made by hypothesis.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import mistune
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sscb_analysis.analyses import cpp_repeats as m
from sscb_analysis.cleaning import clean
from sscb_analysis.disclose import BOARD_RESTRICTED, disclose_page, disclosure_policy
from sscb_analysis.disclose.audit import audit_page
from sscb_analysis.paths import SYNTHETIC

START, END = "2012-04-01", "2013-03-31"
REVIEW = SimpleNamespace(date=pd.Timestamp("2012-06-01"), label="the practice review", source="x")
CLAIM = SimpleNamespace(
    value={"2012Q1": 24, "2012Q4": 4}, text="from 24 children to 4", source="the annual report"
)
W = m.words


@pytest.fixture(scope="module")
def cpp() -> pd.DataFrame:
    return clean("cpp", SYNTHETIC / "cpp.csv").data


@pytest.fixture(scope="module")
def page(cpp):
    return m.page(cpp, START, END, review_event=REVIEW, quarters_claim=CLAIM)


def all_words(pg) -> str:
    """Every sentence and table the page prints (board and analyst)."""
    parts = [
        W.series_sentence(pg),
        W.comparison_sentence(pg),
        *W.comparison_caveats(pg),
        W.comparison_detail(pg),
        W.trend_sentence(pg),
        W.review_sentence(pg),
        W.spc_sentence(pg) or "",
        m.charts.spc_chart_note(pg) or "",
        W.conclusion(pg),
        *(h.sentence + " " + h.value + " " + h.interval for h in W.headlines(pg)),
        W.quarter_table(pg).to_string(),
    ]
    return "\n".join(parts)


def _binomial_two_sided(k: int, n: int) -> float:
    tail = sum(math.comb(n, i) for i in range(max(k, n - k), n + 1)) / 2**n
    return min(1.0, 2 * tail)


def _wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# --- the series keeps to the period under review --------------------------------------------


def test_series_ends_with_the_period_under_review_not_the_extract(page) -> None:
    f = page.results
    assert (f.quarters[0].quarter, f.quarters[-1].quarter) == ("2010Q2", "2013Q1")
    assert "April to June 2010 to January to March 2013" in W.series_sentence(page)
    # its last quarter's repeats are withheld (drawn as c): the chart's reading of it is not given
    assert "period under review (Jan-Mar 2013) is drawn as c" in W.spc_sentence(page)
    later = m.page(pd.DataFrame(), "2013-04-01", "2014-03-31") if False else None
    assert later is None


def test_the_board_report_figures_and_their_disclosure(page) -> None:
    q = {x.quarter: x for x in page.results.quarters}
    assert q["2012Q1"].repeats.value == 24 and q["2012Q4"].repeats.withheld
    table = W.quarter_table(page)
    lo, hi = _wilson(24, q["2012Q1"].started.value)
    assert table.loc["Jan-Mar 2012", "Likely range of the share (95%)"] == (
        f"{100 * lo:.1f}% to {100 * hi:.1f}%"
    )
    assert set(table.loc["Oct-Dec 2012"].drop("Plans started")) == {"c"}


def test_the_claimed_quarters_are_compared_without_giving_the_small_one_back(cpp, page) -> None:
    c = page.results.comparison
    assert (c.first.quarter, c.last.quarter) == ("2012Q1", "2012Q4")
    assert c.significant and c.count_test is None  # the test rests on the withheld 4
    # the exact test, recomputed from the facts before disclosure
    facts = m.compute.compute(cpp, START, END, quarters_claim=CLAIM)
    assert facts.comparison.count_test.result.p_value == pytest.approx(
        _binomial_two_sided(24, 28), rel=1e-6
    )
    board = W.comparison_sentence(page)
    assert "24 in Jan-Mar 2012 and between 1 and 5 in Oct-Dec 2012" in board
    assert 'The board\'s report said: "from 24 children to 4" (the annual report)' in board
    for leak in ("ratio", "p =", "p <"):
        assert leak not in board
    assert "withheld" in W.comparison_detail(page)
    assert "regression to the mean" in " ".join(W.comparison_caveats(page))


def test_board_restricted_shows_the_small_quarter_and_the_test(cpp) -> None:
    pg = m.page(cpp, START, END, quarters_claim=CLAIM, policy=disclosure_policy(BOARD_RESTRICTED))
    assert "fell from 24 in Jan-Mar 2012 to 4 in Oct-Dec 2012" in W.comparison_sentence(pg)
    assert "p = " in W.comparison_detail(pg) or "p < " in W.comparison_detail(pg)


def test_trend_review_and_spc(page) -> None:
    assert page.results.trend.result.rate_ratio < 1
    assert "fell by about" in W.trend_sentence(page)
    r = page.results.review
    assert (r.quarter, r.before, r.after) == ("2012Q2", 8, 4)
    assert "the practice review" in W.review_sentence(page)
    assert page.results.spc.result.variation == "special cause improvement"
    assert m.charts.spc_chart(page).axes
    assert page.results.trend.result.fitted == ()  # fitted values never leave compute


def test_headline_is_the_period_under_review(cpp, page) -> None:
    (h,) = W.headlines(page)
    s = page.results.in_period
    assert h.key == "cpp_second_or_subsequent_share" and h.period == "2012-13"
    assert h.estimate == pytest.approx(100 * s.repeats.value / s.started.value)
    assert h.better == "lower"
    assert h.variation is None  # the last quarter is drawn as c: no signal read from it
    shown = m.page(cpp, START, END, policy=disclosure_policy(BOARD_RESTRICTED))
    assert W.headlines(shown)[0].variation == "special cause improvement"


# --- no area in the code ---------------------------------------------------------------------


def test_without_a_profile_nothing_of_an_area_is_said(cpp) -> None:
    pg = m.page(cpp, START, END)
    text = all_words(pg)
    assert "left out: the area profile gives no `events.cpp_practice_review`" in text
    assert "board's report" not in text and "June 2012" not in text
    c = pg.results.comparison
    assert (c.first.quarter, c.last.quarter) == ("2012Q2", "2013Q1")  # first and last of period


def test_profile_text_is_escaped(cpp) -> None:
    hostile = "<script>alert(1)</script> [x](javascript:alert(1))"
    pg = m.page(
        cpp,
        START,
        END,
        review_event=SimpleNamespace(date=REVIEW.date, label=hostile, source=None),
        quarters_claim=SimpleNamespace(value=CLAIM.value, text=hostile, source=hostile),
    )
    text = all_words(pg)
    rendered = mistune.html(text)  # as the board page renders Markdown
    assert "<script" not in rendered and "href" not in rendered and "&lt;script&gt;" in rendered


# --- micro extracts (finding 12.12) ---------------------------------------------------------


def plans(per_quarter: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """A cleaned-like CPP frame: ``{quarter: (started, repeats)}``."""
    starts, flags = [], []
    for quarter, (n, x) in per_quarter.items():
        day = pd.Period(quarter, "Q").start_time
        for i in range(n):
            starts.append(day + pd.Timedelta(days=i % 80))
            flags.append(i < x)
    return pd.DataFrame(
        {
            "plan_start_date": pd.to_datetime(pd.Series(starts, dtype="datetime64[ns]")),
            "second_or_subsequent": pd.Series(flags, dtype=bool),
        }
    )


def test_a_quarter_without_plans_gives_sentences_not_a_traceback() -> None:
    pg = m.page(plans({"2012Q2": (3, 1), "2012Q4": (2, 0), "2013Q1": (4, 2)}), START, END)
    text = all_words(pg)
    assert "No trend was fitted: no plan started in Jul-Sep 2012" in text
    assert "No SPC chart is drawn: no plan started in Jul-Sep 2012" in text
    assert text.count("No SPC chart") == 1  # review P7: the note and the sentence said it twice
    assert W.spc_sentence(pg) is None
    assert m.charts.spc_chart(pg) is None
    assert W.quarter_table(pg).loc["Jul-Sep 2012", "Share of plans started"] == "-"


SERIES = ["2011Q2", "2011Q3", "2011Q4", "2012Q1", "2012Q2", "2012Q3", "2012Q4", "2013Q1"]


def test_a_chart_not_drawn_is_not_described() -> None:
    """A quarter's plans started withheld: the chart is not drawn, so its sentence, the
    headline and the conclusion describe no chart; the note says why, once."""
    counts = {q: (40, 12) for q in SERIES} | {"2012Q3": (3, 1)}
    pg = m.page(plans(counts), START, END)
    assert pg.results.spc.result is not None  # computed, but withheld from the page
    assert m.charts.spc_chart(pg) is None
    assert W.spc_sentence(pg) is None
    (h,) = W.headlines(pg)
    assert h.variation is None and h.variation_icon is None and h.caveats == ()
    text = all_words(pg)
    assert text.count("The SPC chart is not drawn") == 1
    assert "the chart shows" not in text and "the SPC chart shows" not in text
    assert "signalling" not in text


def test_signals_are_not_read_from_points_drawn_as_c() -> None:
    """The last quarter's share rests on a withheld count: the chart draws it as c, so neither
    the sentence, the headline nor the chart's icon text gives its signal."""
    counts = {q: (40, 12) for q in SERIES} | {"2013Q1": (40, 2)}
    pg = m.page(plans(counts), START, END)
    assert pg.results.spc.points[-1] is None
    assert pg.results.spc.result.variation == "special cause improvement"  # not to be said
    sentence = W.spc_sentence(pg)
    assert "(Jan-Mar 2013) is drawn as c, so the chart's reading of it is not given" in sentence
    assert "improvement" not in sentence
    assert "Jan-Mar 2013) are not described" in sentence
    (h,) = W.headlines(pg)
    assert h.variation is None and h.variation_icon is None
    assert "chart" not in h.sentence and "improvement" not in W.conclusion(pg)
    drawn = " ".join(t.get_text() for t in m.charts.spc_chart(pg).axes[0].texts)
    assert "improvement" not in drawn and "Variation: not shown" in drawn
    assert W.figures(pg)["repeat_spc_variation"] is None  # the recorded figures, as the page


def test_separated_quarters_say_the_trend_cannot_be_estimated() -> None:
    """Every repeat plan in the first quarter: no finite trend (count_trend says so, no
    OverflowError); the exact test is shown only when no count it rests on is withheld."""
    counts = {"2012Q2": (15, 8), "2012Q3": (7, 0), "2012Q4": (8, 0), "2013Q1": (9, 0)}
    shown = m.page(plans(counts), START, END)
    assert not shown.results.trend.result.estimable
    sentence = W.trend_sentence(shown)
    assert "started in its first quarter, so no rate of change can be estimated" in sentence
    assert "An exact test of no trend gives p" in sentence
    small = {**counts, "2012Q2": (15, 3)}
    hidden = m.page(plans(small), START, END)
    assert hidden.results.trend.result is None  # the exact p would give the 3 back
    assert W.trend_sentence(hidden).startswith("No trend was fitted: every second or subsequent")
    restricted = m.page(plans(small), START, END, policy=disclosure_policy(BOARD_RESTRICTED))
    assert "An exact test of no trend" in W.trend_sentence(restricted)


def test_the_notebook_code_on_a_micro_extract_with_an_empty_quarter(tmp_path) -> None:
    """The 01 notebook's cells through the library on a micro extract (finding 12.12)."""
    pg = m.page(plans({"2013Q1": (1, 1)}), START, END, review_event=REVIEW, quarters_claim=CLAIM)
    text = all_words(pg)
    assert "not both in the series" in text
    assert "was not fitted" in W.review_sentence(pg)
    assert W.headlines(pg)[0].value.startswith("between 1 and 5")


def test_bad_input_gets_a_clear_message() -> None:
    with pytest.raises(ValueError, match="second_or_subsequent"):
        m.compute.compute(
            pd.DataFrame({"plan_start_date": [pd.Timestamp("2012-01-01")]}), START, END
        )
    with pytest.raises(TypeError, match="cleaned CPP DataFrame"):
        m.compute.compute("cpp.csv", START, END)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="before it starts"):
        m.compute.compute(plans({"2012Q2": (3, 1)}), START, END, series_start="2015-01-01")


# --- the auditor ------------------------------------------------------------------------------

QUARTERS = [str(q) for q in pd.period_range("2010Q2", "2013Q1", freq="Q")]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(QUARTERS),
        st.integers(0, 30).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
        max_size=12,
    ),
    st.booleans(),
)
def test_auditor_on_tiny_skewed_and_micro_extracts(counts, with_profile) -> None:
    frame = plans(counts or {"2013Q1": (1, 0)})
    options = {"review_event": REVIEW, "quarters_claim": CLAIM} if with_profile else {}
    facts = m.compute.compute(frame, START, END, **options)
    pg = disclose_page(facts, disclosure_policy())
    assert audit_page(facts, pg, all_words(pg), others=[24, 4, 95]) == []


# --- the scorecard's fields ------------------------------------------------------------------


def _england_share_2013() -> str:
    """England's published share of second or subsequent plans in 2012-13, read from the DfE
    CSV with the csv module (independently of sscb_analysis.benchmarks)."""
    import csv

    from sscb_analysis.paths import DFE

    with (DFE / "d3_cpps_subsequent_plan_2013_to_2025.csv").open(encoding="utf-8-sig") as fh:
        row = next(
            r
            for r in csv.DictReader(fh)
            if r["time_period"] == "2013" and r["geographic_level"] == "National"
        )
    return f"{float(row['CPP_subsequent_percent']):.1f}%"


def test_headline_fills_the_scorecard_fields(cpp) -> None:
    pg = m.page(cpp, START, END, quarters_claim=CLAIM, la_code="210")
    (h,) = W.headlines(pg)
    assert h.comparison.startswith(f"England {_england_share_2013()}; statistical neighbours")
    assert h.comparison.endswith("(2012-13, published)")
    assert h.previous_period == "2011-12" and h.previous is not None
    # the process limits rest on every quarter's counts: 2012Q4's 4 repeats are withheld
    assert h.process_lower is None and h.process_upper is None
    open_ = m.page(cpp, START, END, la_code="210", policy=disclosure_policy(BOARD_RESTRICTED))
    (h,) = W.headlines(open_)
    last = open_.results.spc.result.table.iloc[-1]
    assert h.process_lower == pytest.approx(100 * last["lower"])
    assert h.process_upper == pytest.approx(100 * last["upper"])
    assert h.variation_icon == open_.results.spc.result.variation_icon


def test_no_comparison_without_an_la_code_or_outside_a_reporting_year(cpp) -> None:
    assert W.headlines(m.page(cpp, START, END))[0].comparison is None
    quarter = m.page(cpp, "2013-01-01", "2013-03-31", la_code="210")
    (h,) = W.headlines(quarter)
    assert h.comparison is None and h.previous_period == "the same period a year before"

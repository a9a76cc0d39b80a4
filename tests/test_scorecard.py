"""The scorecard: dataset indicators charted and judged against targets, the reports' recorded
headlines read (never recomputed), one disclosure pass, accessible and escaped HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sscb_analysis.analyses import board, scorecard_page
from sscb_analysis.analyses.headline import Headline, headlines_from_record
from sscb_analysis.analyses.scorecard import (
    ReportSource,
    dataset_results,
    indicator_result,
    period_words,
    report_results,
    reporting_year,
)
from sscb_analysis.dataset import parse_definitions, read_indicators
from sscb_analysis.paths import DFE, SYNTHETIC
from sscb_analysis.reporting.checks import find_unsuppressed_small_counts
from sscb_analysis.reporting.figures import to_jsonable


def definition(**change):
    entry = {
        "name": "Visits on time",
        "definition": "Visits made on time, of visits due.",
        "unit": "percent",
        "better": "higher",
        "source": "Case system",
        "owner": "Social care",
        **change,
    }
    return parse_definitions({"indicators": {"visits": entry}})["visits"]


def quarters(values, numerators=None, denominators=None, start="2010-04-01"):
    starts = pd.date_range(start, periods=len(values), freq="QS-APR")
    ends = starts + pd.offsets.QuarterEnd(0)
    return pd.DataFrame(
        {
            "indicator": "visits",
            "period_start": starts.to_numpy(dtype="datetime64[ns]"),
            "period_end": ends.to_numpy(dtype="datetime64[ns]"),
            "numerator": pd.array(numerators or [None] * len(values), dtype="Float64"),
            "denominator": pd.array(denominators or [None] * len(values), dtype="Float64"),
            "value": [float(v) for v in values],
        }
    )


def test_periods_in_words():
    assert period_words("2013-01-01", "2013-03-31") == "Jan to Mar 2013"
    assert period_words("2013-03-01", "2013-03-31") == "March 2013"
    assert period_words("2012-04-01", "2013-03-31") == "2012-13"
    assert period_words("2012-02-01", "2012-06-30") == "1 Feb 2012 to 30 Jun 2012"
    assert reporting_year(pd.Timestamp("2012-04-01")) == 2013
    assert reporting_year(pd.Timestamp("2013-03-31")) == 2013


def test_a_shift_with_a_target_outside_the_limits_needs_attention():
    # 8 quarters near 80%, then 7 near 70% where higher is better: a shift below the mean
    # (special cause concern), and the process limits of about 64 to 84 sit below a target of
    # 90, which the process will consistently fail.
    values = [80, 81, 79, 80, 82, 80, 79, 81, 70, 71, 69, 70, 72, 70, 71]
    result = indicator_result(definition(target=90), quarters(values), "2014-03-31", target=90.0)
    assert result.variation == "special cause concern"
    assert result.variation_icon == "concern_low"
    assert result.assurance == "consistently failing"
    assert result.needs_attention
    assert result.period == "Oct to Dec 2013" and result.previous == 70.0
    assert any("No numerator" in c for c in result.caveats)
    row = scorecard_page.disclose_results([result], 5)[0]
    assert row.value == "71.0%" and row.interval == "not available"
    assert row.travel == "up 1.0 points on Jul to Sep 2013 (better)" and row.travel_arrow == "↑"
    # The last point also falls below the lower limit (the jump at the shift is screened out of
    # the limits), and that rule comes first.
    assert "a change for the worse: the latest figure is below the lower process" in row.sentence
    assert "missed, period after period" in row.sentence


def test_the_period_under_review_ends_the_series_and_a_gap_restarts_it():
    values = [50, 52, 51, 49, 50, 53, 48, 51, 50, 52, 49, 51]
    rows = quarters(values)
    # The last three quarters are after the period under review: they are not used.
    result = indicator_result(definition(), rows, "2012-06-30")
    assert result.spc.n == 9 and result.estimate == 50.0
    gap = pd.concat([rows.iloc[:4], rows.iloc[6:]], ignore_index=True)
    result = indicator_result(definition(), gap, "2013-03-31")
    assert result.spc.n == 6
    assert any("gap" in c for c in result.caveats)
    none = indicator_result(definition(), rows, "2009-03-31")
    assert none.status == "no figures" and not none.needs_attention


def test_percent_with_counts_uses_a_p_chart_and_wilson_range():
    nums = [40, 42, 41, 39, 40, 43, 38, 41, 40, 42, 39, 41]
    dens = [50] * 12
    values = [100 * n / d for n, d in zip(nums, dens, strict=True)]
    d = definition(chart="p", target=75)
    result = indicator_result(d, quarters(values, nums, dens), "2013-03-31", target=75.0)
    assert result.spc.kind == "p"
    t = result.spc.table
    pbar = sum(nums) / sum(dens)
    assert t["centre"].iloc[0] == pytest.approx(pbar)
    assert t["upper"].iloc[-1] == pytest.approx(pbar + 3 * (pbar * (1 - pbar) / 50) ** 0.5)
    assert result.spc.target == pytest.approx(0.75) and result.target == 75.0
    # Wilson interval for 41 of 50: statsmodels' proportion_confint(41, 50, method="wilson")
    # gives 0.692039463 to 0.902298073.
    assert result.lower == pytest.approx(69.2039463)
    assert result.upper == pytest.approx(90.2298073)
    assert result.assurance == "hit and miss"


def test_small_counts_are_withheld_with_what_gives_them_back():
    nums = [8, 9, 7, 8, 9, 8, 7, 3]
    d = definition(unit="count", better="neutral")
    rows = quarters(nums, nums)
    result = indicator_result(d, rows, "2013-03-31")
    published = scorecard_page.disclose_results([result], 5)[0]
    assert published.value == "between 1 and 5"
    assert published.interval == "not shown (small number)"
    assert published.travel == "not shown (small number)"
    assert "3" not in published.sentence.replace("Jan to Mar 2013", "")
    restricted = scorecard_page.disclose_results([result], 0)[0]
    assert restricted.value == "3" and restricted.travel.startswith("down 4")
    # A share whose complement is small is withheld too (47 of 50: 3 did not).
    share = indicator_result(
        definition(chart="p"), quarters([94.0] * 3, [47] * 3, [50] * 3), "2013-03-31"
    )
    row = scorecard_page.disclose_results([share], 5)[0]
    assert row.value == "not shown (small number)"
    html = scorecard_page.scorecard_html([published, row], "Caption")
    assert find_unsuppressed_small_counts(html, 5) == []


def test_dataset_results_of_the_synthetic_example():
    data = read_indicators(SYNTHETIC / "indicators.csv")
    results = dataset_results(data, "2013-03-31", la_code=210, dfe_dir=DFE)
    by_key = {r.key: r for r in results}
    assert list(by_key) == list(data.definitions)
    assert all(r.period == "Jan to Mar 2013" for r in results)
    assert [r.key for r in results if r.needs_attention] == ["referrals_no_further_action"]
    assert by_key["lado_allegations"].variation == "special cause neutral"
    rereferrals = by_key["rereferrals_12_months"]
    # Published DfE re-referral rates for 2012-13: England 24.7%; Southwark's neighbours' median.
    assert rereferrals.comparison["england"] == pytest.approx(24.7)
    assert rereferrals.comparison_year == "2012-13"
    # A profile's target wins over indicators.yml, and the page says so.
    again = dataset_results(data, "2013-03-31", targets={"rereferrals_12_months": 15.0})
    moved = next(r for r in again if r.key == "rereferrals_12_months")
    assert moved.target == 15.0 and "profile" in moved.target_note


def _run_dir(tmp_path: Path, figures: dict[str, dict]) -> Path:
    for report, values in figures.items():
        payload = {"figures": {k: {"value": to_jsonable(v)} for k, v in values.items()}}
        (tmp_path / f"{report}.json").write_text(json.dumps(payload), encoding="utf-8")
    return tmp_path


def test_report_headlines_are_read_not_recomputed(tmp_path):
    h = Headline(
        key="cpp_second_share",
        label="Second plans",
        value="12.0% (12 of 100)",
        interval="7.0% to 19.8%",
        sentence="Fewer second plans.",
        report="01",
        variation="special cause concern",
        better="lower",
        unit="percent",
        estimate=12.0,
        process_lower=5.0,
        process_upper=11.0,
    )
    run = _run_dir(tmp_path, {"01": {"headlines": [h]}, "02": {"other": 1}})
    sources = [ReportSource("01", "One"), ReportSource("02", "Two"), ReportSource("03", "Three")]
    results = report_results(run, sources, {"cpp_second_share": 4.0})
    assert [r.status for r in results] == ["ok", "not finished", "not run"]
    first = results[0]
    assert first.headline == h and first.variation == "special cause concern"
    # Assurance from the recorded process limits against the profile's target: 4 lies below
    # limits of 5 to 11 where lower is better, so the target is consistently missed.
    assert first.assurance == "consistently failing" and first.needs_attention
    rows = scorecard_page.disclose_results(results, 5)
    assert rows[0].value == "12.0% (12 of 100)" and rows[0].variation_kind == "concern"
    assert "did not run" in rows[2].sentence and "failed" in rows[1].sentence
    outside = report_results(None, sources)
    assert {r.status for r in outside} == {"not available"}


def test_a_damaged_json_is_an_error_naming_it(tmp_path):
    (tmp_path / "01.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"01\.json"):
        report_results(tmp_path, [ReportSource("01", "One")])
    with pytest.raises(ValueError, match="not a list"):
        headlines_from_record("text", "x.json")
    with pytest.raises(ValueError, match="lacks"):
        headlines_from_record([{"key": "k"}], "x.json")


def test_board_scorecard_without_a_run_says_how_to_get_the_figures():
    data = read_indicators(SYNTHETIC / "indicators.csv")
    card = board.board_scorecard(run_dir=None, indicators=data, period_end="2013-03-31")
    assert any("sscb run" in n for n in card.notes)
    assert {r.status for r in card.rows} == {"ok"}
    assert [r.key for r in card.attention] == ["referrals_no_further_action"]
    text = board.board_message(card.rows, synthetic=True)
    assert "explanation of “Referrals ending in no further action”" in text
    assert "SYNTHETIC" in text


def test_html_is_accessible_and_escaped():
    hostile = '<img src=x onerror="alert(1)">'
    d = parse_definitions(
        {
            "indicators": {
                "x": {
                    "name": hostile,
                    "definition": hostile,
                    "unit": "count",
                    "better": "lower",
                    "source": "s",
                    "owner": hostile,
                }
            }
        }
    )["x"]
    rows = quarters([10, 12, 11, 10, 12, 11, 30])
    rows["indicator"] = "x"
    result = indicator_result(d, rows.assign(numerator=rows["value"]), "2013-03-31")
    shown = scorecard_page.disclose_results([result], 5)
    assert shown[0].needs_attention  # 30 above the upper limit where lower is better
    for html in (
        scorecard_page.scorecard_html(shown, hostile),
        scorecard_page.attention_html(shown),
        scorecard_page.meanings_html(shown),
    ):
        assert "<img" not in html and "&lt;img" in html
    table = scorecard_page.scorecard_html(shown, "Caption")
    assert "<caption>Caption</caption>" in table
    assert table.count('scope="col"') == 7 and table.count('scope="row"') == 1
    # Every icon is decorative and stands beside its words.
    assert 'aria-hidden="true"' in table and "Concern: higher than chance would give" in table
    assert "SPC assurance replaces red, amber and green" in scorecard_page.how_to_read()
    assert "NHSRplotthedots 0.2.2" in scorecard_page.how_to_read()


def test_charts_of_series_with_withheld_points_are_not_drawn():
    data = read_indicators(SYNTHETIC / "indicators.csv")
    by_key = {r.key: r for r in dataset_results(data, "2013-03-31")}
    fostering = by_key["private_fostering_notifications"]  # quarters of 1 to 5 notifications
    mask = scorecard_page.chart_mask(fostering, 5)
    assert any(mask) and not any(scorecard_page.chart_mask(fostering, 0))
    figure, why = scorecard_page.indicator_chart(fostering, 5)
    assert figure is None and "average and limits would give back" in why
    figure, why = scorecard_page.indicator_chart(fostering, 0)  # board-restricted: drawn
    assert figure is not None and why == ""
    nfa = by_key["referrals_no_further_action"]
    assert not any(scorecard_page.chart_mask(nfa, 5))
    figure, _ = scorecard_page.indicator_chart(nfa, 5)
    from sscb_analysis.alt_text import alt_of

    alt = alt_of(figure)
    assert "Latest shown: 30.8% (Jan to Mar 2013)" in alt
    assert "Variation: special cause concern" in alt and "Target 25.0%" in alt


def test_the_board_dataset_comes_from_the_profile_and_is_left_out_with_a_line(tmp_path):
    from sscb_analysis.reporting.context import load_context

    ctx = load_context(uses=("indicators",))  # the demonstration profile names its dataset
    data, why = board.board_dataset(ctx)
    assert why is None and next(iter(data.definitions)) == "private_fostering_notifications"
    assert ctx.synthetic  # by the generator's provenance of indicators.csv
    # A profile without clean.inputs.indicators: nothing looked for beside the extracts (the
    # synthetic folder holds an indicators.csv beside cpp.csv), one line saying why.
    profile = tmp_path / "anytown.yml"
    profile.write_text(
        "area: {name: Anytown, period: 2012-13}\n"
        f"clean: {{inputs: {{cpp: {SYNTHETIC / 'cpp.csv'}}}}}\n",
        encoding="utf-8",
    )
    other = load_context(profile, uses=("cpp", "indicators"))
    data, why = board.board_dataset(other)
    assert data is None
    assert why == (
        "The board's wider dataset is left out: the area profile gives no "
        "`clean.inputs.indicators`."
    )
    card = board.board_scorecard(
        run_dir=None, indicators=None, period_end="2013-03-31", left_out=why
    )
    assert card.rows == () and any(n.startswith(why) for n in card.notes)
    # A page that does not use the dataset does not carry it (nor its synthetic flag).
    assert load_context(uses=("cpp",)).dataset is None


def test_each_series_says_which_periods_it_covers():
    result = indicator_result(definition(), quarters([80, 82, 79, 85, 90, 88]), "2011-09-30")
    assert result.series_periods[0] == "Apr to Jun 2010" and result.series_kind == "quarter"
    assert scorecard_page.coverage_sentence(result) == (
        "Its series covers 6 quarters, from Apr to Jun 2010 to Jul to Sep 2011."
    )
    one = indicator_result(definition(), quarters([80]), "2011-09-30")
    assert scorecard_page.coverage_sentence(one) == "Its series holds one quarter: Apr to Jun 2010."
    none = indicator_result(definition(), quarters([80]), "2010-01-31")
    assert none.status == "no figures" and scorecard_page.coverage_sentence(none) is None


def test_targets_carry_their_source_and_a_report_without_limits_is_not_judged(tmp_path):
    from sscb_analysis.reporting.profile import Target

    data = read_indicators(SYNTHETIC / "indicators.csv")
    plan = Target("training_attendance", 90.0, source="the training plan 2012-13")
    results = dataset_results(data, "2013-03-31", targets={"training_attendance": plan})
    mine = next(r for r in results if r.key == "training_attendance")
    assert mine.target == 90.0 and mine.target_source == "the training plan 2012-13"
    assert "profile's target (90) is used; indicators.yml gives 85" in mine.target_note
    # the example's own targets say they are synthetic
    nfa = next(r for r in results if r.key == "referrals_no_further_action")
    assert nfa.target_source.startswith("SYNTHETIC: an illustrative target")
    rows = scorecard_page.disclose_results(results, 5)
    html = scorecard_page.meanings_html(rows)
    assert "Target: 90.0%, set by: the training plan 2012-13." in html
    # a report headline without process limits: the target shown, not judged, and said so
    h = Headline(
        key="cpp_open_two_years_or_more",
        label="Plans open two years or more",
        value="4.0%",
        interval="2.0% to 6.0%",
        sentence="s",
        report="02",
        unit="percent",
        better="lower",
        estimate=4.0,
    )
    run = _run_dir(tmp_path, {"02": {"headlines": [h]}})
    goal = Target("cpp_open_two_years_or_more", 3.2, source="section 5")
    (result,) = report_results(run, [ReportSource("02", "Two")], {h.key: goal})
    assert result.target == 3.2 and result.assurance is None and result.target_source == "section 5"
    assert "not judged" in result.target_note
    (row,) = scorecard_page.disclose_results([result], 5)
    assert row.assurance == "Target 3.2%: not judged (its report records no process limits)"
    card = board.board_scorecard(
        run_dir=run,
        indicators=None,
        period_end="2013-03-31",
        targets={h.key: goal},
        sources=[ReportSource("02", "Two")],
    )
    assert sum("not judged" in n for n in card.notes) == 1


def test_a_report_that_finished_without_a_headline_is_not_called_unfinished(tmp_path):
    # 06 on a profile without la_code finishes and records no headline (the comparison is left
    # out); the summary once said it "did not finish in this run".
    h = Headline(key="k", label="K", value="1.0%", interval="", sentence="S.", report="01")
    run = _run_dir(tmp_path, {"01": {"headlines": [h]}})
    for name, status in (("06", "ok"), ("04", "failed")):
        payload = {"notebook": name, "status": status, "figures": {}}
        (run / f"{name}.json").write_text(json.dumps(payload), encoding="utf-8")
    sources = [ReportSource(n, t) for n, t in (("01", "One"), ("06", "National"), ("04", "MARAC"))]
    results = report_results(run, sources)
    assert [r.status for r in results] == ["ok", "no headline", "not finished"]
    rows = scorecard_page.disclose_results(results, 5)
    assert "its page says why" in rows[1].sentence and "failed" in rows[2].sentence
    message = board.board_message(rows)
    assert "did not finish in this run: MARAC." in message and "National" not in message


@pytest.mark.parametrize(
    ("la", "start", "year_end"),
    [(210, "2011-07-01", "2013-03-31"), (942, "2022-07-01", "2024-03-31")],
)
def test_the_scorecard_comparison_is_benchmarks_national_figures(la, start, year_end):
    """One owner for published comparisons (sscb_analysis.benchmarks.national_figures): the
    scorecard's England and neighbour figures are exactly its figures, and an authority the
    April 2021 groupings lack (Cumberland, 942) gets England's figure, not an error."""
    from sscb_analysis.benchmarks import national_figures

    data = read_indicators(SYNTHETIC / "indicators.csv")
    definition = data.definitions["rereferrals_12_months"]
    rows = quarters([20, 22, 21, 23, 22, 21, 22], start=start)
    rows["indicator"] = "rereferrals_12_months"
    rows = rows.assign(numerator=rows["value"], denominator=100)
    result = indicator_result(definition, rows, year_end, la_code=la, dfe_dir=DFE)
    published = national_figures(la, "rereferrals_pct", int(year_end[:4]), folder=DFE)
    expected = {"england": published.england, "neighbours_median": published.neighbours_median}
    assert result.comparison == {k: v for k, v in expected.items() if v is not None}
    assert result.comparison_year == published.period

"""Tests for ``sscb_analysis.analyses.board`` (notebook 05): the summary reads what the reports
recorded in the run, says which reports did not finish, and never shows a small count."""

from __future__ import annotations

import json

import pytest

from sscb_analysis.analyses import board
from sscb_analysis.analyses.headline import Headline, record_headlines
from sscb_analysis.analyses.scorecard import ReportSource
from sscb_analysis.dataset import read_indicators
from sscb_analysis.paths import SYNTHETIC
from sscb_analysis.reporting import figures


def _headline(key: str, value: str, variation: str | None = None) -> Headline:
    return Headline(
        key=key,
        label=f"Indicator {key}",
        value=value,
        interval="1.0% to 9.0%",
        sentence="One sentence.",
        report="01_cpp_repeat_plans",
        variation=variation,
    )


def test_recorded_headlines_reach_the_summary_unchanged(tmp_path, monkeypatch):
    # What a report notebook does last: record_headlines() writes them to its JSON.
    monkeypatch.setenv(figures.RECORD_PATH_ENV, str(tmp_path / "01_cpp_repeat_plans.json"))
    figures.clear_recorded()
    recorded = record_headlines(
        [_headline("a", "12.0%", "special cause improvement"), _headline("b", "between 1 and 5")]
    )
    figures.clear_recorded()
    payload = json.loads((tmp_path / "01_cpp_repeat_plans.json").read_text(encoding="utf-8"))
    assert payload["figures"]["headlines"]["value"][0]["value"] == "12.0%"
    card = board.board_scorecard(
        run_dir=tmp_path,
        indicators=None,
        period_end="2013-03-31",
        sources=[ReportSource("01_cpp_repeat_plans", "Repeats"), ReportSource("03_caf", "CAF")],
    )
    shown = {r.key: r for r in card.rows}
    assert [r.key for r in card.rows] == ["a", "b", "03_caf"]
    assert shown["a"].value == recorded[0].value and shown["b"].value == "between 1 and 5"
    assert shown["a"].variation_kind == "improvement"
    assert shown["03_caf"].status == "not run"
    assert any("no board dataset" in n for n in card.notes)
    message = board.board_message(card.rows)
    assert "did not finish in this run: CAF" in message
    assert "real improvement in “Indicator a”" in message


def test_record_headlines_refuses_other_objects():
    with pytest.raises(TypeError, match="Headline"):
        record_headlines([{"key": "a"}])


def test_a_small_count_in_a_cell_is_refused():
    page = "<table><thead><tr><th>Latest</th></tr></thead><tr><td>3</td></tr></table>"
    with pytest.raises(board.DisclosureError, match=r"from 1 to 5: row \d, column 'Latest': 3"):
        board.check_disclosure(page, 5)
    fine = "<table><tr><td>c</td></tr><tr><td>6</td></tr></table>"
    assert board.check_disclosure(fine, 5) == fine
    with pytest.raises(board.DisclosureError):
        board.check_disclosure(fine, 10)
    assert board.check_disclosure(page, 0) == page  # board-restricted: counts are shown


def test_board_message_on_the_synthetic_dataset():
    data = read_indicators(SYNTHETIC / "indicators.csv")
    card = board.board_scorecard(run_dir=None, indicators=data, period_end="2013-03-31")
    text = board.board_message(card.rows, synthetic=True)
    assert text.startswith("The board should ask for an explanation of “Referrals ending")
    assert "real improvement in “Attendance at the board's training”" in text
    assert "SYNTHETIC" in text
    calm = board.board_message([r for r in card.rows if not r.needs_attention])
    assert calm.startswith("No indicator shows a worrying change")
    assert "SYNTHETIC" not in calm


def test_links_and_notes():
    links = board.report_links(board.SOURCES)
    assert "(00_data_quality.html)" in links
    assert "(06_national_benchmark.html)" in links
    assert "/" not in links.replace("](", "")
    assert board.synthetic_note(False) is None
    assert "SYNTHETIC" in board.synthetic_note(True)
    assert "below 0.05 we call it more than chance" in board.reading_guide(0.95)
    assert "must not be published" in board.reading_guide(0.95, 0)

"""Tests for ``sscb_analysis.analyses.board`` (notebook 05): the summary reads what the reports
recorded in the run, says which reports did not finish, and never shows a small count."""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest
from nbconvert.filters.markdown import markdown2html

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
    assert "real improvement in “Attendance at the board's training”" in _rendered_text(text)
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
    # Page 07 is not the summary and holds no national comparison (it once said both).
    page = board.synthetic_note(True, page="indicators")
    assert "SYNTHETIC" in page and "summary" not in page and "national" not in page
    assert "below 0.05 we call it more than chance" in board.reading_guide(0.95)
    assert "must not be published" in board.reading_guide(0.95, 0)


@pytest.mark.slow
def test_the_summary_runs_after_a_failed_report_and_says_it_did_not_finish(tmp_path):
    """05 waits for the reports (`after`) without needing them to succeed: the real summary
    runs when a report fails, its row says so, the run exits 1 and `latest` does not move."""
    import dataclasses
    from pathlib import Path

    from sscb_analysis.reporting.config import NotebookEntry, load_config
    from sscb_analysis.reporting.runner import run_reports

    config = load_config()  # the demonstration profile
    failing = NotebookEntry(
        "01_cpp_repeat_plans", Path(__file__).parent / "fixtures" / "notebooks" / "fails.ipynb"
    )
    summary = config.entry("05_board_summary")
    assert "01_cpp_repeat_plans" in summary.after and not summary.depends_on
    config = dataclasses.replace(
        config,
        entries=(failing, dataclasses.replace(summary, after=("01_cpp_repeat_plans",))),
        processed_dir=tmp_path / "processed",
        out=tmp_path / "reports",
    )
    result = run_reports(config, progress=False)
    assert result.exit_code == 1
    assert {o.name: o.status for o in result.notebooks} == {
        "01_cpp_repeat_plans": "failed",
        "05_board_summary": "ok",
    }
    assert not (tmp_path / "reports" / "latest").exists()
    payload = json.loads((result.run_dir / "05_board_summary.json").read_text(encoding="utf-8"))
    recorded = {k: v["value"] for k, v in payload["figures"].items()}
    assert recorded["scorecard_01_cpp_repeat_plans"]["status"] == "not finished"
    assert "01_cpp_repeat_plans" in recorded["reports_missing"]
    missing = recorded["board_message"].split("did not finish in this run: ")[1]
    assert "Repeat child protection plans" in missing.split(".")[0]
    page = (result.run_dir / "05_board_summary.html").read_text(encoding="utf-8")
    assert "The report stopped before recording its figures (it failed)" in page


def test_the_summary_links_the_dataset_page_when_there_is_one():
    # The summary linked the six reports but not page 07, where the dataset's charts are.
    with_dataset = board.report_links_html(board.detailed_pages(True))
    assert 'href="07_board_indicators.html"' in with_dataset
    assert "07_board_indicators" not in board.report_links_html(board.detailed_pages(False))


def test_the_summary_says_when_an_optional_export_was_not_updated(tmp_path):
    # A run whose optional MARAC export was missing: its context says so, and the summary (whose
    # MARAC row rests on those figures) once said nothing.
    import dataclasses
    import datetime as dt
    from types import MappingProxyType

    import papermill as pm

    from sscb_analysis.paths import NOTEBOOKS
    from sscb_analysis.reporting.context import load_context, write_run_context

    ctx = load_context(None, None)
    inputs = dict(ctx.inputs)
    inputs["marac"] = dataclasses.replace(
        inputs["marac"], optional=True, not_updated_since=dt.date(2026, 11, 1)
    )
    run = tmp_path / "run"
    run.mkdir()
    write_run_context(run, dataclasses.replace(ctx, run_dir=run, inputs=MappingProxyType(inputs)))
    out = tmp_path / "05.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / "05_board_summary.ipynb"),
        str(out),
        parameters={"profile_path": str(ctx.profile_path), "run_dir": str(run)},
        cwd=str(NOTEBOOKS),
        progress_bar=False,
    )
    text = json.dumps(json.loads(out.read_text(encoding="utf-8"))["cells"])
    assert "were not updated in this run" in text and "1 November 2026" in text


def _rendered_text(markdown: str) -> str:
    """The words a reader sees once the board page renders the Markdown (as nbconvert does)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markdown2html(markdown)))


HOSTILE_NAMES = ("<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "**bold** | `c`")


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_board_message_escapes_indicator_and_report_names(hostile):
    """indicators.yml names (and report titles) are outside text: in the message's Markdown
    they make no tag, no link, no emphasis; the reader sees them as written."""
    data = read_indicators(SYNTHETIC / "indicators.csv")
    card = board.board_scorecard(run_dir=None, indicators=data, period_end="2013-03-31")
    rows = [dataclasses.replace(r, name=hostile) for r in card.rows]
    rows.append(dataclasses.replace(rows[0], status="not finished"))
    assert {r.variation_kind for r in rows} >= {"concern", "improvement"}
    rendered = markdown2html(board.board_message(rows))
    assert (
        "<img" not in rendered
        and "<a " not in rendered
        and "javascript:"
        not in (
            re.sub(r">[^<]*<", "><", rendered)  # only inside tags or attributes would it act
        )
    )
    assert "<strong>" not in rendered and "<code>" not in rendered
    assert f"“{hostile}”" in _rendered_text(board.board_message(rows))
    assert f"did not finish in this run: {hostile}." in _rendered_text(board.board_message(rows))


def test_report_links_escape_titles():
    links = board.report_links([ReportSource("01_x", "[t](javascript:alert(1)) <b>")])
    rendered = markdown2html(links)
    assert rendered.count("<a ") == 1 and 'href="01_x.html"' in rendered
    assert "<b>" not in rendered and "javascript:alert(1)" in _rendered_text(links)


def test_board_message_counts_indicators_in_proper_singular_and_plural():
    """ "1 indicator", "3 indicators": never "indicator(s)" in the board's words."""
    from sscb_analysis.plural import agree, plural

    assert [plural(n, "indicator") for n in (0, 1, 2, 1204)] == [
        "0 indicators",
        "1 indicator",
        "2 indicators",
        "1,204 indicators",
    ]
    assert (agree(1, "was", "were"), agree(3, "was", "were")) == ("was", "were")
    data = read_indicators(SYNTHETIC / "indicators.csv")
    card = board.board_scorecard(run_dir=None, indicators=data, period_end="2013-03-31")
    steady = [r for r in card.rows if r.variation_kind == "common_cause"]
    assert len(steady) > 1
    many = board.board_message(steady)
    assert f"Stable, with only ordinary variation: {len(steady)} indicators." in many
    one = board.board_message(steady[:1])
    assert "Stable, with only ordinary variation: 1 indicator." in one
    assert "(s)" not in many + one

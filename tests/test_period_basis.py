"""How the period under review was chosen, as every page of a run states it.

Review P3: under `period: latest`, the runner hands each notebook the resolved period as its
`period_start`/`period_end` parameters, and the page took that pair for an override: it said
the period was "set for this report" although nobody set it. A page says so only when the pair
differs from the run's (a period given to that notebook alone); otherwise the run's own basis.
"""

from __future__ import annotations

from test_reporting_context import write_profile

from sscb_analysis.analyses.common import page_heading, policy_of
from sscb_analysis.reporting.config import load_config
from sscb_analysis.reporting.context import build_context, report_context, write_run_context

LATEST = "the latest complete reporting year in the data"


def _run(tmp_path, period=None, overrides=None):
    """A profile of another area over the synthetic extracts, and its run's context.json."""
    area = {"name": "Tower Hamlets", "la_code": 211}
    if period is not None:
        area["period"] = period
    profile = write_profile(tmp_path, area)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    ctx = build_context(load_config(profile), overrides or {}, run_dir=run_dir)
    write_run_context(run_dir, ctx)
    return profile, run_dir, ctx


def _page(profile, run_dir, ctx, **pair):
    """The context a notebook builds from the parameters the runner gives it."""
    pair = pair or {
        "period_start": ctx.period_start.isoformat(),
        "period_end": ctx.period_end.isoformat(),
    }
    return report_context(str(profile), str(run_dir), **pair)


def test_period_latest_is_said_so_on_every_page_of_the_run(tmp_path) -> None:
    profile, run_dir, ctx = _run(tmp_path)
    assert ctx.period_basis == LATEST
    page = _page(profile, run_dir, ctx)
    assert page.period_basis == LATEST
    heading = page_heading(page, policy_of(page))
    assert LATEST in heading and "set for this report" not in heading


def test_a_period_the_user_set_is_said_to_be_set(tmp_path) -> None:
    # -p period_start/period_end for the whole run
    given = {"period_start": "2011-04-01", "period_end": "2012-03-31"}
    profile, run_dir, ctx = _run(tmp_path, overrides=given)
    assert _page(profile, run_dir, ctx).period_basis == "set for this report"
    # a period given to one notebook only, unlike the run's
    other = _page(profile, run_dir, ctx, period_start="2010-04-01", period_end="2011-03-31")
    assert other.period_basis == "set for this report" and other.period_label == "2010-11"


def test_a_period_in_the_profile_is_said_to_come_from_it(tmp_path) -> None:
    profile, run_dir, ctx = _run(tmp_path, period="2012-13")
    assert _page(profile, run_dir, ctx).period_basis == "given in the area profile"


def test_a_page_outside_a_run_says_its_data_are_synthetic(tmp_path) -> None:
    """Run by hand (JupyterLab, papermill, the stored outputs), a page on the generator's data
    had nothing saying so: the banner comes only with a run's HTML. Its heading says it then,
    and only then (a run's page has the banner, not the line twice)."""
    from sscb_analysis.analyses.common import SYNTHETIC_NOTE

    by_hand = report_context("", "", uses=("cpp",))  # the demonstration, no run
    assert by_hand.synthetic and by_hand.run_dir is None
    assert SYNTHETIC_NOTE in page_heading(by_hand, policy_of(by_hand))
    profile, run_dir, ctx = _run(tmp_path)
    in_run = _page(profile, run_dir, ctx)
    assert in_run.synthetic and SYNTHETIC_NOTE not in page_heading(in_run, policy_of(in_run))

"""Shared fixtures: small valid extracts to break one rule at a time, and the messy synthetic files."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from sscb_analysis.paths import SYNTHETIC

FIXED_TODAY = pd.Timestamp("2024-06-30").date()


def cpp_rows(n: int = 3) -> pd.DataFrame:
    """``n`` valid CPP rows (text, as an export holds them), one child each, no overlaps."""
    return pd.DataFrame(
        {
            "plan_id": [f"CPP{i:06d}" for i in range(n)],
            "child_id": [f"C{i:05d}" for i in range(n)],
            "plan_start_date": ["01/04/2012"] * n,
            "plan_end_date": ["01/10/2012"] * n,
            "category_of_abuse": ["neglect"] * n,
            "age_band": ["1-4"] * n,
            "gender": ["female"] * n,
            "ethnicity": ["white"] * n,
            "team": ["Team A"] * n,
            "previous_plans": ["0"] * n,
            "initial_conference_date": ["01/04/2012"] * n,
            "review_conferences": ["2"] * n,
        }
    )


def caf_rows(n: int = 3) -> pd.DataFrame:
    """``n`` valid CAF rows with a survey."""
    return pd.DataFrame(
        {
            "caf_id": [f"CAF{i:06d}" for i in range(n)],
            "child_id": [f"C{i:05d}" for i in range(n)],
            "assessment_date": ["03/09/2012"] * n,
            "initiating_agency": ["school"] * n,
            "lead_professional_agency": ["health"] * n,
            "closure_date": ["01/03/2013"] * n,
            "closure_reason": ["needs met"] * n,
            "survey_date": ["15/03/2013"] * n,
            "satisfaction": ["very satisfied"] * n,
            "things_improved": ["yes"] * n,
            "knowledge_improved": ["don't know"] * n,
        }
    )


def marac_rows(n: int = 3) -> pd.DataFrame:
    """``n`` valid MARAC rows, one victim each."""
    return pd.DataFrame(
        {
            "case_id": [f"M{i:06d}" for i in range(n)],
            "victim_id": [f"V{i:05d}" for i in range(n)],
            "referral_date": ["02/05/2012"] * n,
            "conference_date": ["20/05/2012"] * n,
            "referring_agency": ["police"] * n,
            "risk_tool": ["dash"] * n,
            "dash_ticks": ["15"] * n,
            "children_in_household": ["2"] * n,
            "agencies_present": ["police;idva;children's social care"] * n,
        }
    )


@pytest.fixture
def cpp() -> pd.DataFrame:
    return cpp_rows()


@pytest.fixture
def caf() -> pd.DataFrame:
    return caf_rows()


@pytest.fixture
def marac() -> pd.DataFrame:
    return marac_rows()


@pytest.fixture(scope="session")
def messy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The messy synthetic extracts (``sscb synth --messy``), generated once per session unless
    they are already in data/raw/synthetic/messy."""
    existing = SYNTHETIC / "messy"
    if all((existing / f"{k}_defects.csv").exists() for k in ("cpp", "caf", "marac")):
        return existing
    from sscb_analysis import synth

    out = tmp_path_factory.mktemp("messy")
    synth.write_extracts(out, seed=synth.DEFAULT_SEED, messy=True, xlsx=True)
    return out


# --- end-to-end runs shared by the tests that inspect them (one execution of each notebook) ---

OTHER_AREA_CODE = "211"  # Tower Hamlets: any authority but the demonstration's
OTHER_AREA_SEED = 7  # synthetic extracts other than the committed ones (seed 2013)
OTHER_AREA_TARGET = {
    "value": 3.2,
    "label": "no higher than the England average",
    "source": "a test target: England 3.2% of plans open at 31 March 2013 (DfE, table D5)",
}


@pytest.fixture(scope="session")
def other_area_run(tmp_path_factory: pytest.TempPathFactory):
    """``sscb init`` for another authority, synthetic extracts of another seed, ``sscb run``.

    Returns (profile path, RunResult). The profile is the one ``sscb init`` wrote, with the
    folders moved into the test's temporary directory and its board dataset lines uncommented.
    Its tests live in one module, test_reports_end_to_end.py: ``./run.sh test`` runs each module
    on one pytest-xdist worker (``--dist loadscope``), so the run is made once; a test elsewhere
    asking for it would make a second run on another worker.
    """
    import re

    import yaml
    from click.testing import CliRunner

    from sscb_analysis import synth
    from sscb_analysis.cli import main
    from sscb_analysis.reporting.config import load_config
    from sscb_analysis.reporting.runner import run_reports

    tmp = tmp_path_factory.mktemp("other_area")
    raw = tmp / "raw"
    synth.write_extracts(raw, seed=OTHER_AREA_SEED, xlsx=False)
    profile = tmp / "profile.yml"
    made = CliRunner().invoke(
        main,
        ["init", "--la-code", OTHER_AREA_CODE, "--out", str(profile), "--raw-dir", str(raw)],
    )
    assert made.exit_code == 0, made.output
    # The area has a board dataset (synth wrote seed 7's): its commented lines switched on.
    text = re.sub(
        r"(?m)^    # (indicators:|  path:|  definitions:|  optional:)",
        r"    \1",
        profile.read_text(encoding="utf-8"),
    )
    raw_profile = yaml.safe_load(text)
    raw_profile["clean"]["processed_dir"] = str(tmp / "processed")
    raw_profile["defaults"]["out"] = str(tmp / "reports")
    # One target, so that the scorecard's target column is checked on a real run too.
    raw_profile["area"]["targets"] = {"cpp_open_two_years_or_more": OTHER_AREA_TARGET}
    profile.write_text(yaml.safe_dump(raw_profile, sort_keys=False), encoding="utf-8")
    result = run_reports(load_config(profile), progress=False)
    return profile, result


@pytest.fixture(scope="session")
def board_pages(tmp_path_factory) -> Path:
    """The committed notebooks (their stored outputs) rendered as a run's board pages, once per
    session, with the run's manifest.json and context.json: what the accessibility and PDF tests
    read. Synthetic, marked OFFICIAL, published disclosure. Under pytest-xdist the workers share
    one copy (the first renders it, under a file lock, in the session's own temporary folder)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp("board_pages")
        _render_board_pages(out)
        return out
    from filelock import FileLock

    out = tmp_path_factory.getbasetemp().parent / "board_pages"
    with FileLock(str(out) + ".lock"):
        if not (out / "context.json").is_file():  # written last: the set is complete
            _render_board_pages(out)
    return out


def _render_board_pages(out: Path) -> None:
    import json

    from sscb_analysis.paths import NOTEBOOKS
    from sscb_analysis.reporting.render import RenderContext, make_exporters, render_reports

    out.mkdir(parents=True, exist_ok=True)
    exporters = make_exporters()
    names = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for name in names:
        context = RenderContext(
            run_id="20130401-000000-test",
            notebook_name=name,
            synthetic=True,
            protective_marking="OFFICIAL",
            disclosure="published",
        )
        render_reports(
            NOTEBOOKS / f"{name}.ipynb",
            out / f"{name}.html",
            out / f"{name}-analyst.html",
            context,
            exporters,
        )
    manifest = {
        "run_id": "20130401-000000-test",
        "status": "ok",
        "partial": False,
        "data_are_synthetic": True,
        "finished": "2013-04-01T00:00:00+00:00",
        "notebooks": [{"name": n, "title": n.replace("_", " "), "status": "ok"} for n in names],
    }
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    run = {
        "area": {"name": "Southwark (synthetic)"},
        "period_label": "2012-13",
        "disclosure": "published",
        "protective_marking": "OFFICIAL",
    }
    (out / "context.json").write_text(json.dumps(run), encoding="utf-8")

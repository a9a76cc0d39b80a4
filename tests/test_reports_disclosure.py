"""No recorded figure (the JSON beside each report, read by dashboards) gives back a small count.

The board HTML is checked in ``test_reports_end_to_end.py``; this file checks the figures that
notebooks 00 to 06 ``record`` (06, the national comparison, since review P11: its local extract's
counts beside the published figures are counts of children too). One tiny set of synthetic extracts (a few plans, assessments and
referrals a quarter, so that most counts are from 1 to 5) is shared by the module, and each
notebook runs on it once through papermill (about 5 s each). Every recorded figure is then passed
to :func:`sscb_analysis.reporting.checks.find_small_counts_in_figures`, which is itself tested
below on hand-made figures with planted leaks, so that it is known to fail when it should.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from sscb_analysis.analyses import caf as caf_analysis
from sscb_analysis.analyses import cpp_duration, cpp_repeats, quality
from sscb_analysis.data import load_extract
from sscb_analysis.disclose import BOARD_RESTRICTED, disclosure_policy
from sscb_analysis.paths import NOTEBOOKS, SYNTHETIC
from sscb_analysis.reporting.checks import find_small_counts_in_figures
from sscb_analysis.reporting.figures import RECORD_PATH_ENV
from sscb_analysis.stats import count_trend

THRESHOLD = 5
NOTEBOOK_NAMES = (
    "00_data_quality",
    "01_cpp_repeat_plans",
    "02_cpp_duration",
    "03_caf",
    "04_marac",
    "05_board_summary",
    "06_national_benchmark",
)
PATH_PARAMETERS = ("cpp_path", "caf_path", "marac_path")


# --- the tiny extracts and the notebooks run on them -----------------------------------------


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column], format="%d/%m/%Y")


def write_tiny_extracts(folder: Path, per_quarter: int = 3) -> dict[str, Path]:
    """Subsample the built-in synthetic extracts to ``per_quarter`` rows a quarter.

    CPP: the first plans starting in each quarter (so every quarter has a plan and the repeat
    counts are 0 to 3). CAF: a few unsurveyed assessments and a few survey answers a quarter,
    plus a few answers in 2012-13 that are not "very satisfied" or not "yes" (small categories
    beside a base just over ``min_base``). MARAC: a few referrals a quarter plus every referral
    of two victims referred more than once in 2012-13 (so repeats exist, in small numbers).
    """
    folder.mkdir(parents=True, exist_ok=True)
    cpp = pd.read_csv(SYNTHETIC / "cpp.csv", dtype=str)
    cpp = cpp.groupby(_dates(cpp, "plan_start_date").dt.to_period("Q")).head(per_quarter)

    caf = pd.read_csv(SYNTHETIC / "caf.csv", dtype=str)
    assessed, surveyed = _dates(caf, "assessment_date"), _dates(caf, "survey_date")
    unsurveyed = caf[surveyed.isna()].groupby(assessed.dt.to_period("Q")).head(per_quarter)
    answers = caf[surveyed.notna()].groupby(surveyed.dt.to_period("Q")).head(per_quarter)
    other = caf[
        surveyed.between("2012-04-01", "2013-03-31")
        & ((caf["satisfaction"] != "very satisfied") | (caf["things_improved"] != "yes"))
    ].head(per_quarter)
    caf = pd.concat([unsurveyed, answers, other]).drop_duplicates().sort_values("caf_id")

    marac = pd.read_csv(SYNTHETIC / "marac.csv", dtype=str)
    referred = _dates(marac, "referral_date")
    in_year = marac.loc[referred.between("2012-04-01", "2013-03-31"), "victim_id"].value_counts()
    repeat_victims = list(in_year[in_year > 1].index[:2])
    marac = pd.concat(
        [
            marac.groupby(referred.dt.to_period("Q")).head(per_quarter),
            marac[marac["victim_id"].isin(repeat_victims)],
        ]
    ).drop_duplicates()

    paths = {}
    for kind, frame in (("cpp", cpp), ("caf", caf), ("marac", marac)):
        paths[f"{kind}_path"] = folder / f"{kind}.csv"
        frame.to_csv(paths[f"{kind}_path"], index=False)
    return paths


def _declared_parameters(name: str) -> str:
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    cell = next(
        c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])
    )
    return "".join(cell["source"])


@pytest.fixture(scope="module")
def tiny_paths(tmp_path_factory) -> dict[str, Path]:
    return write_tiny_extracts(tmp_path_factory.mktemp("tiny") / "synthetic")


@pytest.fixture(scope="module")
def tiny_reports(tmp_path_factory) -> Path:
    """Where the notebooks run on the tiny extracts are kept (``<name>.ipynb``)."""
    return tmp_path_factory.mktemp("tiny_reports")


@pytest.fixture(scope="module")
def tiny_figures(tiny_paths, tiny_reports) -> dict[str, dict]:
    """Each notebook run once on the tiny extracts: its JSON payload (or the error it raised)."""
    out = tiny_reports
    payloads: dict[str, dict] = {}
    with pytest.MonkeyPatch.context() as mp:
        for name in NOTEBOOK_NAMES:
            declared = _declared_parameters(name)
            parameters = {k: str(v) for k, v in tiny_paths.items() if f"\n{k} =" in f"\n{declared}"}
            record = out / f"{name}.json"
            mp.setenv(RECORD_PATH_ENV, str(record))
            try:
                pm.execute_notebook(
                    str(NOTEBOOKS / f"{name}.ipynb"),
                    str(out / f"{name}.ipynb"),
                    parameters=parameters,
                    cwd=str(NOTEBOOKS),
                    progress_bar=False,
                    execution_timeout=300,
                )
            except pm.PapermillExecutionError as exc:
                payloads[name] = {"error": f"{exc.ename}: {exc.evalue}"}
                continue
            payloads[name] = json.loads(record.read_text(encoding="utf-8"))
    return payloads


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_recorded_figures_give_back_no_small_count(tiny_figures, name):
    payload = tiny_figures[name]
    assert "error" not in payload, f"{name} failed on the tiny extracts: {payload.get('error')}"
    assert payload["figures"], f"{name} recorded nothing"
    leaks = find_small_counts_in_figures(payload, THRESHOLD)
    assert leaks == [], f"{name} records figures that give back a small count:\n" + "\n".join(leaks)


@pytest.mark.slow
def test_tiny_extracts_really_hold_small_counts(tiny_figures, tiny_paths):
    """The check above is only worth something if the tiny data force suppression."""
    repeats = {k: v["value"] for k, v in tiny_figures["01_cpp_repeat_plans"]["figures"].items()}
    assert repeats["repeat_comparison_suppressed"] is True
    assert "c" in (repeats["repeat_first_quarter"], repeats["repeat_last_quarter"])
    for model in ("repeat_its", "repeat_trend"):  # fitted values never leave compute
        assert not (repeats[model] or {}).get("fitted")
    caf = {k: v["value"] for k, v in tiny_figures["03_caf"]["figures"].items()}
    assert caf["caf_very_satisfied_share"] is None  # base over 10, 5 or fewer not "very"
    assert caf["caf_very_satisfied_lower"] is None and caf["caf_very_satisfied_upper"] is None
    cpp = load_extract("cpp", tiny_paths["cpp_path"])
    facts = cpp_repeats.compute.compute(cpp, "2012-04-01", "2013-03-31")
    assert any(1 <= q.repeats.value <= THRESHOLD for q in facts.quarters)
    # 06: the tiny extract's own counts, beside the published ones, are withheld
    national = {k: v["value"] for k, v in tiny_figures["06_national_benchmark"]["figures"].items()}
    assert national["reconciliation_matches"] is None
    assert "withheld (small numbers)" in national["reconciliation_sentence"]


def _board_text(notebook: Path) -> str:
    """What a board member reads of an executed notebook: its markdown cells and the text of
    the outputs of cells not removed from the board page."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        elif "remove_cell" not in tags and "remove_output" not in tags:
            for output in cell.get("outputs", []):
                for kind in ("text/markdown", "text/plain"):
                    text = output.get("data", {}).get(kind)
                    if text:
                        parts.append("".join(text))
                        break
    return "\n".join(parts)


@pytest.mark.slow
def test_national_page_words_come_from_the_inputs(tiny_figures, tiny_reports):
    """Review P4: the tiny extracts are not the generator's bytes (pandas wrote them), so the
    page must not call its extract synthetic; whether it is comes from the provenance only."""
    assert tiny_figures["06_national_benchmark"]["figures"]
    text = _board_text(tiny_reports / "06_national_benchmark.ipynb")
    assert "Local extract" in text  # the reconciliation is on the page
    assert "synthetic" not in text.lower()


# --- the library fixes behind the figures -----------------------------------------------------


def test_model_figures_leave_out_fitted_values():
    result = count_trend([3, 0, 1, 4, 2, 5, 1, 0], exposure=[9, 8, 7, 9, 8, 9, 8, 7])
    assert len(result.fitted) == 8
    # The reason: a Poisson model's fitted values add up to the observed counts.
    assert math.isclose(sum(result.fitted), 16, rel_tol=1e-6)
    # The repeat page keeps fitted values inside its compute step.
    facts = cpp_repeats.compute.compute(_eight_quarters(), "2012-04-01", "2013-03-31")
    assert facts.trend.result is not None and facts.trend.result.fitted == ()
    saved = {"rate_ratio": facts.trend.result.rate_ratio, "fitted": list(facts.trend.result.fitted)}
    assert find_small_counts_in_figures({"repeat_trend": saved}) == []
    assert find_small_counts_in_figures({"repeat_trend": result.__dict__})  # fitted is caught


def _eight_quarters() -> pd.DataFrame:
    starts, flags = [], []
    for q, (n, x) in enumerate([(9, 3), (8, 0), (7, 1), (9, 4), (8, 2), (9, 5), (8, 1), (7, 0)]):
        day = (pd.Period("2011Q2", "Q") + q).start_time
        starts += [day + pd.Timedelta(days=i) for i in range(n)]
        flags += [i < x for i in range(n)]
    return pd.DataFrame({"plan_start_date": pd.to_datetime(starts), "second_or_subsequent": flags})


@pytest.mark.slow
def test_duration_trend_is_withheld_with_any_year_it_rests_on(tiny_paths):
    cpp = load_extract("cpp", tiny_paths["cpp_path"])
    page = cpp_duration.page(cpp, "2012-04-01", "2013-03-31")
    for measure in (page.results.open, page.results.ended):
        withheld = any(y.share is None and y.total.value != 0 for y in measure.years)
        if withheld and len([y for y in measure.years if y.total.value != 0]) >= 3:
            assert measure.trend is None
            assert "withheld" in cpp_duration.words.measure_sentence(page, measure.key)
    assert find_small_counts_in_figures(cpp_duration.words.figures(page)) == []


def _caf_survey_years(very: dict[int, int], answers: int = 12) -> pd.DataFrame:
    """``answers`` survey answers in each year ending 31 March, ``very[year]`` very satisfied."""
    caf = pd.read_csv(SYNTHETIC / "caf.csv", dtype=str)
    surveyed = caf[caf["satisfaction"].notna()].reset_index(drop=True)
    rows = []
    for year, k in very.items():
        block = surveyed.iloc[len(rows) : len(rows) + answers].copy()
        block["survey_date"] = f"15/01/{year}"
        block["satisfaction"] = ["very satisfied"] * k + ["fairly satisfied"] * (answers - k)
        rows.extend(block.to_dict("records"))
    return pd.DataFrame(rows)


def test_caf_trend_is_withheld_when_a_year_it_rests_on_is(tmp_path):
    path = tmp_path / "caf.csv"
    # 2011-12 has 13 of 14 very satisfied: 1 gave another answer, so that year is withheld, and
    # with it the trend (its slope and p-value, with the other years, would give the 1 back).
    _caf_survey_years({2011: 7, 2012: 13, 2013: 8, 2014: 7}, answers=14).to_csv(path, index=False)
    caf = load_extract("caf", path)
    page = caf_analysis.page(caf, "2013-04-01", "2014-03-31", min_base=10)
    summaries = [y.measures["very_satisfied"].summary for y in page.results.years]
    assert [s is not None for s in summaries] == [True, False, True, True]
    assert page.results.trends["very_satisfied"] is None
    assert "withheld" in caf_analysis.words.trend_sentences(page)["very_satisfied"]
    figures = caf_analysis.words.figures(page)
    assert figures["caf_very_satisfied_trend_p"] is None
    assert find_small_counts_in_figures(figures) == []
    restricted = caf_analysis.page(
        caf, "2013-04-01", "2014-03-31", min_base=10, policy=disclosure_policy(BOARD_RESTRICTED)
    )
    assert restricted.results.trends["very_satisfied"].n == 56


def test_data_quality_figures_disclose_rows_like_counts(tmp_path):
    cpp = pd.read_csv(SYNTHETIC / "cpp.csv", dtype=str)
    few = tmp_path / "cpp.csv"
    cpp.head(4).to_csv(few, index=False)
    figures = quality.words.figures(quality.page({"cpp": few}))
    assert figures["cpp_rows_in"] == "c"
    assert figures["cpp_refused"] is False
    assert find_small_counts_in_figures(figures) == []
    many = tmp_path / "cpp_many.csv"
    rows = cpp.head(40).copy()
    rows.loc[rows.index[:2], "plan_start_date"] = "not a date"  # 2 rows set aside
    rows.to_csv(many, index=False)
    figures = quality.words.figures(quality.page({"cpp": many}))
    assert figures["cpp_rows_in"] == 40
    assert figures["cpp_share_clean"] is None  # 38 of 40: 2 rows not used
    assert figures["cpp_share_clean_words"] == "most"
    assert find_small_counts_in_figures(figures) == []
    # Even rounded to a whole percent, the share with the rows read gives the 2 rows back.
    assert find_small_counts_in_figures({**figures, "cpp_share_clean": 0.95})


# --- the checker on hand-made figures ---------------------------------------------------------


def test_checker_finds_plain_small_counts():
    found = find_small_counts_in_figures(
        {"referrals": 3, "first_quarter": "4", "children": 0, "plans": "c", "big": "1,234"}
    )
    assert len(found) == 2
    assert found[0].startswith("referrals:") and found[1].startswith("first_quarter:")


def test_checker_ignores_what_is_not_a_count():
    figures = {
        "year": 2013,
        "repeat_series_quarters": 4,
        "la_code": "202",
        "spc_years": [2011, 2012],
        "neighbours_used": 3,
        "refused": True,
        "period": "2012-13",
        "quarter": "2012Q1",
        "national_rate": 0.31,
        "p_value": 0.2,
        "sentence": "Between 1 and 5 families gave another answer; 0 of c plans started.",
        "trend": {"type": "TrendResult", "n": 4, "rate_ratio": 0.9, "fitted": []},
        "total": 13,
    }
    assert find_small_counts_in_figures(figures) == []


def test_checker_uses_unit_meta_from_the_json_payload():
    payload = {
        "figures": {
            "periods_shown": {"value": 3, "meta": {"unit": "quarters"}},
            "rows_set_aside": {"value": 2.0, "meta": {"unit": "rows"}},
            "share_pct": {"value": 100 * 2 / 30, "meta": {"unit": "percent"}},
            "base": {"value": 30},
        }
    }
    found = find_small_counts_in_figures(payload)
    assert [f.split(":")[0] for f in found] == ["rows_set_aside", "share_pct"]


def test_checker_looks_inside_nested_results():
    summary = {
        "type": "LikertSummary",
        "base": 13,
        "top_box": 12,
        "share": 12 / 13,
        "counts": [["top", 12], ["other", 1]],
        "description": "92% of 13 respondents were very satisfied.",
    }
    found = find_small_counts_in_figures({"caf": summary})
    assert any(f.startswith("caf.counts[1][1]:") for f in found)
    assert any(f.startswith("caf.description:") for f in found)
    assert any(f.startswith("caf.share:") for f in found)


def test_checker_works_shares_back_with_any_recorded_base():
    assert find_small_counts_in_figures({"x_share": 7 / 13, "x_base": 13}) == []
    found = find_small_counts_in_figures({"x_share": 3 / 13, "x_base": 13})
    assert found and "3 of 13" in found[0]
    # The complement counts too: 11 of 13 leaves 2.
    assert find_small_counts_in_figures({"x": {"n": 13, "observed": [11 / 13]}})
    # A share that only rounds near k / N is not taken for one (recorded shares are exact).
    assert find_small_counts_in_figures({"rate": 0.31, "base": 13}) == []


def test_checker_finds_counts_in_text():
    assert find_small_counts_in_figures({"s": "3 of 40 children were repeat plans."})
    assert find_small_counts_in_figures({"s": "45 of 5 is impossible but still a leak"})
    assert find_small_counts_in_figures({"s": "96.3% of 27 families said yes"})  # 1 said no
    assert find_small_counts_in_figures({"s": "53.8% (7 of 13)", "t": "16.8% (49 of 292)"}) == []


def test_checker_finds_values_kept_beside_a_withheld_share():
    found = find_small_counts_in_figures(
        {"caf_x_share": None, "caf_x_lower": 0.21, "caf_x_upper": None, "caf_x_p": 0.04}
    )
    assert [f.split(":")[0] for f in found] == ["caf_x_lower", "caf_x_p"]
    assert (
        find_small_counts_in_figures({"r": {"suppressed": True, "lower": None, "share": None}})
        == []
    )
    found = find_small_counts_in_figures({"r": {"suppressed": True, "p_value": 0.01}})
    assert found == [
        "r.p_value: recorded although the figure it belongs to is withheld (suppressed), so it "
        "can give the hidden count back"
    ]


def test_checker_threshold_and_bad_input():
    assert find_small_counts_in_figures({"n_children": 7}) == []
    assert find_small_counts_in_figures({"n_children": 7}, threshold=10)
    with pytest.raises(ValueError, match="threshold"):
        find_small_counts_in_figures({}, threshold=0)
    with pytest.raises(TypeError, match="mapping"):
        find_small_counts_in_figures([("a", 1)])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def restricted_no_code(tiny_paths, tmp_path_factory) -> dict[str, Path]:
    """Notebooks 01 and 06 run with a board-restricted profile that gives no LA code: the
    executed notebook and its JSON, by name."""
    import yaml

    folder = tmp_path_factory.mktemp("restricted")
    profile = folder / "profile.yml"
    raw = {
        "area": {"name": "Testshire", "period": "2012-13", "disclosure": BOARD_RESTRICTED},
        "clean": {
            "processed_dir": str(folder / "processed"),
            "inputs": {"cpp": str(tiny_paths["cpp_path"])},
        },
    }
    profile.write_text(yaml.safe_dump(raw), encoding="utf-8")
    out: dict[str, Path] = {}
    with pytest.MonkeyPatch.context() as mp:
        for name in ("01_cpp_repeat_plans", "06_national_benchmark"):
            mp.setenv(RECORD_PATH_ENV, str(folder / f"{name}.json"))
            pm.execute_notebook(
                str(NOTEBOOKS / f"{name}.ipynb"),
                str(folder / f"{name}.ipynb"),
                parameters={"profile_path": str(profile)},
                cwd=str(NOTEBOOKS),
                progress_bar=False,
                execution_timeout=300,
            )
            out[name] = folder / name
    return out


@pytest.mark.slow
def test_board_restricted_pages_do_not_explain_a_c_they_never_show(
    restricted_no_code, tiny_figures, tiny_reports
):
    """Review P9: with every count shown, no page says counts are shown as c; the published
    run of the same notebook on the same extract does."""
    restricted = _board_text(restricted_no_code["01_cpp_repeat_plans"].with_suffix(".ipynb"))
    assert "Counts are shown as they are" in restricted
    assert "shown as **c**" not in restricted and "are shown as c" not in restricted
    published = _board_text(tiny_reports / "01_cpp_repeat_plans.ipynb")
    assert "shown as **c**" in published


@pytest.mark.slow
def test_national_page_without_la_code_records_why(restricted_no_code):
    """Review P8: without an LA code, 06 records its headline as not available, with why, so
    the board summary's row says so instead of a bare "no headline"."""
    payload = json.loads(
        restricted_no_code["06_national_benchmark"].with_suffix(".json").read_text("utf-8")
    )
    (headline,) = payload["figures"]["headlines"]["value"]
    assert headline["key"] == "benchmark_second_or_subsequent"
    assert headline["value"] == "not available" and headline["estimate"] is None
    assert "no LA code" in headline["sentence"]

"""Data-quality analysis (notebook 00) on the clean and messy synthetic extracts and tiny files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import cpp_rows

from sscb_analysis.analyses import quality as q
from sscb_analysis.analyses.headline import Headline
from sscb_analysis.paths import SYNTHETIC

KINDS = ("cpp", "caf", "marac")
IDENTIFIERS = ["NHS Number", "Full Name", "Postcode"]
MESSY = SYNTHETIC / "messy"


@pytest.fixture(scope="module")
def messy_dropped() -> dict[str, q.ExtractQuality]:
    return q.assess_all({k: MESSY / f"{k}.csv" for k in KINDS}, IDENTIFIERS)


def test_clean_extracts_are_used_whole() -> None:
    results = q.assess_all({k: SYNTHETIC / f"{k}.csv" for k in KINDS})
    for kind, res in results.items():
        assert not res.refused, kind
        assert res.balanced
        assert res.counts["rows_in"] == res.counts["clean"] > 1000
        assert res.rules.empty and res.problems.empty
    assert "100.0% of their rows passed every check" in q.conclusion(results)


def test_identifiers_refuse_the_extract_as_a_finding() -> None:
    res = q.assess_extract("cpp", MESSY / "cpp.csv")
    assert res.refused
    assert res.rows_in is None
    assert set(res.refused_columns) == set(IDENTIFIERS)
    assert "column 'NHS Number' looks like NHS numbers" in res.refusal
    assert "Nothing from it is used" in res.refusal
    assert "drop_columns" in res.refusal
    overview = q.overview({"cpp": res})
    assert overview.loc["child protection plans (CPP)", "Status"] == "refused: holds identifiers"


def test_quality_numbers_add_up_on_the_messy_extracts(
    messy_dropped: dict[str, q.ExtractQuality],
) -> None:
    expected = {  # rows_in, clean, quarantined, duplicates, blank (from the messy sidecars)
        "cpp": (2071, 2056, 5, 5, 5),
        "caf": (3314, 3292, 11, 6, 5),
        "marac": (1870, 1856, 7, 4, 3),
    }
    for kind, res in messy_dropped.items():
        c = res.counts
        assert (c["rows_in"], c["clean"], c["quarantined"], c["duplicates"], c["blank"]) == (
            expected[kind]
        )
        assert c["rows_in"] == c["clean"] + c["quarantined"] + c["duplicates"] + c["blank"]
        assert res.balanced
        assert set(res.columns_dropped) == set(IDENTIFIERS)


def test_small_counts_are_suppressed_and_not_recoverable(
    messy_dropped: dict[str, q.ExtractQuality],
) -> None:
    cpp = messy_dropped["cpp"].accounting["Rows"]
    # 5 + 5 + 5 hidden with 2,071 read and 2,056 clean shown would force each to 5: clean hidden too
    assert cpp["Rows read"] == "2,071"
    assert cpp["Clean rows (used)"] == "c"
    assert "About 99%" in messy_dropped["cpp"].trust[0]
    caf = messy_dropped["caf"]
    assert caf.accounting["Rows"]["Set aside for errors (quarantined)"] == "11"
    assert caf.rules.loc["CAF002", "Rows"] == "6"
    assert caf.rules.loc["CAF010", "Rows"] == "c"
    head = q.headlines(*(MESSY / f"{k}.csv" for k in KINDS), drop_columns=IDENTIFIERS)[0]
    assert head.value == "about 99% of rows used"  # pooled counts would give the CPP one back


def test_problems_show_rows_and_rules_never_values(
    messy_dropped: dict[str, q.ExtractQuality],
) -> None:
    problems = messy_dropped["cpp"].problems
    assert list(problems.columns) == ["Row", "Rule", "Problem", "Column", "What was done"]
    assert set(problems.index) == {"cpp.csv"}
    assert problems["Rule"].iloc[0] in {"CPP003", "CPP010"}
    assert set(problems["What was done"]) == {"quarantined"}
    assert 374 in problems["Row"].tolist()  # the end date before the start date
    text = problems.to_string()
    assert "15/04/2010" not in text  # the offending value in the log


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"clean": 100, "quarantined": 3, "duplicates": 0, "blank": 0}, {"quarantined", "clean"}),
        ({"clean": 100, "quarantined": 5, "duplicates": 5, "blank": 5}, {"q", "d", "b", "clean"}),
        ({"clean": 100, "quarantined": 3, "duplicates": 4, "blank": 0}, {"q", "d"}),
        ({"clean": 100, "quarantined": 0, "duplicates": 0, "blank": 0}, set()),
        ({"clean": 100, "quarantined": 1, "duplicates": 1, "blank": 9}, {"q", "d", "blank"}),
    ],
)
def test_hidden_outcomes(counts: dict[str, int], hidden: set[str]) -> None:
    short = {"q": "quarantined", "d": "duplicates", "b": "blank"}
    counts = {**counts, "rows_in": sum(counts.values())}
    assert q.hidden_outcomes(counts, 5) == {short.get(h, h) for h in hidden}


def test_tiny_extract_everything_is_suppressed(tmp_path: Path) -> None:
    rows = cpp_rows(4)
    rows.loc[1, "plan_end_date"] = "01/01/2012"  # before its start
    path = tmp_path / "cpp.csv"
    rows.to_csv(path, index=False)
    res = q.assess_extract("cpp", path)
    assert res.counts["rows_in"] == 4 and res.counts["quarantined"] == 1
    assert set(res.accounting["Rows"]) == {"c", "0"}
    assert set(res.rules["Rows"]) == {"c"}
    assert res.problems["Row"].tolist() == [3]
    assert not any(ch.isdigit() for ch in res.care[0].split("(")[0].replace("1 and 5", ""))


def test_unreadable_file_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "marac.csv"
    path.write_text("", encoding="utf-8")
    res = q.assess_extract("marac", path)
    assert res.refused and not res.refused_columns
    assert "could not be read" in res.refusal


def test_bad_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Unknown extract kind"):
        q.assess_extract("cin", SYNTHETIC / "cpp.csv")


def test_headline_on_completeness() -> None:
    (head,) = q.headlines()
    assert isinstance(head, Headline)
    assert head.key == "data_completeness"
    assert head.report == "00_data_quality"
    assert head.value.startswith("100.0% of rows used (")
    frame = pd.DataFrame([head.as_row()])
    assert frame.loc[0, "Pattern over time"] == "not charted"


def test_rough_share_never_pins_down_a_hidden_count() -> None:
    # "about 95%" of 40 rows could only be 38: with 40 rows only "most" is said.
    assert q.rough_share(38, 40, 5) == "most"
    assert q.rough_share(3, 40, 5) == "fewer than half"
    assert q.rough_share(8, 10, 5) == "some"
    # 1,100 rows: a whole percent spans 11 counts, more than any hidden count from 1 to 5.
    assert q.rough_share(1097, 1100, 5) == "about 100%"
    assert q.rough_share(1070, 1100, 5) == "about 97%"
    for rows_in in range(1, 5000, 3):
        # whichever count from 1 to 5 is hidden (rows set aside, or rows used), the words are
        # the same, so they say nothing the "c" does not
        possible = range(1, min(5, rows_in) + 1)
        set_aside = {q.rough_share(rows_in - k, rows_in, 5) for k in possible}
        used = {q.rough_share(k, rows_in, 5) for k in possible}
        assert len(set_aside) == 1 and len(used) == 1, rows_in


def test_a_small_extract_gives_no_share_that_reveals_the_rows_set_aside(tmp_path) -> None:
    from conftest import cpp_rows

    frame = cpp_rows(40)
    frame.loc[[3, 7], "plan_start_date"] = "31/02/2012"  # two rows set aside: shown as c
    path = tmp_path / "cpp.csv"
    frame.to_csv(path, index=False)
    res = q.assess_extract("cpp", path, threshold=5)
    assert res.accounting["Rows"]["Set aside for errors (quarantined)"] == "c"
    words = " ".join(res.trust + res.care)
    assert "%" not in words and "Most of the rows read are clean" in words


def test_placeholders_read_as_blank_are_named_on_the_page(tmp_path) -> None:
    from conftest import cpp_rows

    frame = cpp_rows(20)
    frame.loc[:11, "plan_end_date"] = "NULL"
    path = tmp_path / "cpp.csv"
    frame.to_csv(path, index=False)
    res = q.assess_extract("cpp", path, threshold=5)
    line = next(t for t in res.trust if "placeholder" in t)
    assert "'NULL'" in line and "plan end date" in line
    assert res.accounting["Rows"]["Clean rows (used)"] == "20"

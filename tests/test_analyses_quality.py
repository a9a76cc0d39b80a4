"""Data-quality page (notebook 00): compute, one disclosure pass, words.

On the clean and messy synthetic extracts and crafted files. The leaks of finding 12.7 are
rebuilt: a set-aside count shown as ``c`` in one table while the rules table and the text gave
it; the rows to correct listed on the board page (their number is a count); duplicates shown
beside a withheld total. Then the auditor on tiny extracts with random faults, through the
cleaner.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import cpp_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sscb_analysis.analyses import quality as q
from sscb_analysis.disclose import (
    BOARD_RESTRICTED,
    disclose_page,
    disclosure_policy,
    page_ledger,
)
from sscb_analysis.disclose.audit import audit_page, recoverable_counts
from sscb_analysis.paths import NOTEBOOKS, SYNTHETIC

KINDS = ("cpp", "caf", "marac")
IDENTIFIERS = ["NHS Number", "Full Name", "Postcode"]
MESSY = SYNTHETIC / "messy"
FIXTURES = Path(__file__).parent / "fixtures" / "disclosure"
W = q.words


@pytest.fixture(scope="module")
def messy():
    paths = {k: MESSY / f"{k}.csv" for k in KINDS}
    facts = q.compute.compute(paths, IDENTIFIERS)
    return facts, disclose_page(facts, disclosure_policy())


def all_words(pg) -> str:
    """Every sentence and table of the board page."""
    f = pg.results
    parts = [W.overview(pg).to_string(), W.conclusion(pg)]
    for kind, e in f.extracts.items():
        parts.append(W.verdict(pg, kind))
        if not e.refused:
            parts += [W.accounting_table(pg, kind).to_string(), W.rules_table(pg, kind).to_string()]
            parts.append(W.basis_sentence(pg, kind) or "")
    parts += [h.value + " " + h.sentence for h in W.headlines(pg)]
    return "\n".join(parts)


def test_clean_extracts_are_used_whole() -> None:
    pg = q.page({k: SYNTHETIC / f"{k}.csv" for k in KINDS})
    for e in pg.results.extracts.values():
        assert not e.refused and e.rows_in.value == e.outcomes["clean"].value > 1000
        assert e.rules == ()
    assert "100.0% of their rows passed every check" in W.conclusion(pg)


def test_identifiers_refuse_the_extract_and_no_count_from_the_cleaner_reaches_the_page() -> None:
    pg = q.page({"cpp": MESSY / "cpp.csv"})
    e = pg.results.extracts["cpp"]
    assert e.refused and e.rows_in is None
    assert {"column 'NHS Number'", "column 'Full Name'", "column 'Postcode'"} <= set(
        e.refused_columns
    )
    assert "looks like NHS numbers" in e.refusal and "Nothing from it is used" in e.refusal
    assert "cells" not in e.refusal and "row" not in e.refusal.split("Nothing")[0]
    assert W.overview(pg).loc["child protection plans (CPP)", "Status"] == (
        "refused: holds identifiers"
    )


def test_the_numbers_add_up_on_the_messy_extracts(messy) -> None:
    facts, _ = messy
    expected = {  # rows_in, clean, quarantined, duplicates, blank (from the messy sidecars)
        "cpp": (2071, 2056, 5, 5, 5),
        "caf": (3314, 3292, 11, 6, 5),
        "marac": (1870, 1856, 7, 4, 3),
    }
    for kind, e in facts.extracts.items():
        o = e.outcomes
        got = (
            e.rows_in.value,
            *(o[k].value for k in ("clean", "quarantined", "duplicates", "blank")),
        )
        assert got == expected[kind]
        assert e.rows_in.value == sum(c.value for c in o.values())
        assert set(e.columns_dropped) == set(IDENTIFIERS)


def test_a_count_withheld_in_one_table_is_withheld_in_all(messy) -> None:
    """Finding 12.7: set-aside c in one table while the rules table and the text gave it."""
    facts, pg = messy
    assert recoverable_counts(page_ledger(facts), pg.disclosure) == []
    overview = W.overview(pg)
    for kind, e in pg.results.extracts.items():
        name = W.KIND_NAMES[kind]
        acc = W.accounting_table(pg, kind)["Rows"]
        assert overview.loc[name, "Set aside"] == acc["Set aside for errors (quarantined)"]
        assert overview.loc[name, "Duplicates"] == acc["Exact duplicates (removed)"]
        text = re.sub(r"between 1 and \d+", "", W.verdict(pg, kind), flags=re.I)
        for o in ("quarantined", "duplicates"):
            if e.outcomes[o].withheld:
                true = facts.extracts[kind].outcomes[o].value
                assert f"({true})" not in text and f" {true} rows" not in text
    # CPP: 5 + 5 + 5 withheld with 2,071 read and 2,056 clean would force each to 5
    cpp = W.accounting_table(pg, "cpp")["Rows"]
    assert cpp["Rows read"] == "2,071" and cpp["Clean rows (used)"] == "c"
    assert "About 99%" in W.verdict(pg, "cpp")
    caf_rules = W.rules_table(pg, "caf")["Rows"]
    assert set(caf_rules) == {"c"}  # each rule's rows beside the 11 set aside would give one back


def test_crafted_file_one_rule_small_counts_and_duplicates() -> None:
    """Finding 12.7 on a crafted file: one rule, so its rows are the rows set aside."""
    path = FIXTURES / "cpp_small_faults.csv"
    facts = q.compute.compute({"cpp": path})
    pg = disclose_page(facts, disclosure_policy())
    acc = W.accounting_table(pg, "cpp")["Rows"]
    rules = W.rules_table(pg, "cpp")["Rows"]
    assert acc["Set aside for errors (quarantined)"] == "c" and rules["CPP010"] == "c"
    assert acc["Exact duplicates (removed)"] == "c"
    assert audit_page(facts, pg, all_words(pg)) == []
    restricted = q.page({"cpp": path}, policy=disclosure_policy(BOARD_RESTRICTED))
    assert (
        W.accounting_table(restricted, "cpp")["Rows"]["Set aside for errors (quarantined)"] == "3"
    )


def test_rows_to_correct_never_reach_the_board_page() -> None:
    """Finding 12.7: a list of exactly k rows gives k back; it is on the analyst's page only."""
    nb = json.loads((NOTEBOOKS / "00_data_quality.ipynb").read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "rows_to_correct" in "".join(c["source"])]
    assert cells and all("remove_output" in c["metadata"].get("tags", []) for c in cells)
    rows = q.compute.rows_to_correct("cpp", MESSY / "cpp.csv", IDENTIFIERS)
    assert list(rows.columns) == ["Row", "Rule", "Problem", "Column", "What was done"]
    assert 374 in rows["Row"].tolist()  # the end date before the start date
    assert "15/04/2010" not in rows.to_string()  # the offending value in the log


def test_pooled_share_does_not_give_a_withheld_clean_count_back(messy) -> None:
    facts, pg = messy
    (h,) = W.headlines(pg)
    assert h.key == "data_completeness"
    assert recoverable_counts(page_ledger(facts), pg.disclosure) == []
    assert (
        audit_page(facts, pg, all_words(pg), others=[99, 24]) == []
    )  # 24: "DASH ticks outside 0 to 24"


def _with_faults(tmp_path: Path, kind: str, *, end_before_start=(), duplicates=()) -> Path:
    """The clean synthetic extract of ``kind`` with a few rows broken or repeated."""
    frame = pd.read_csv(SYNTHETIC / f"{kind}.csv", dtype=str, keep_default_na=False)
    for i in end_before_start:
        frame.loc[i, "plan_end_date"] = "01/01/2001"
    frame = pd.concat([frame, frame.iloc[list(duplicates)]], ignore_index=True)
    path = tmp_path / f"{kind}.csv"
    frame.to_csv(path, index=False)
    return path


def test_rows_not_used_are_a_count_the_headline_never_gives_back(tmp_path) -> None:
    """Review P1: "100.0% of rows used (7,226 of 7,229)" gave back the 3 rows not used (1 set
    aside in CPP, 2 MARAC duplicates: each c on the page) and read as none set aside."""
    paths = {
        "cpp": _with_faults(tmp_path, "cpp", end_before_start=[5]),
        "caf": SYNTHETIC / "caf.csv",
        "marac": _with_faults(tmp_path, "marac", duplicates=[3, 4]),
    }
    facts = q.compute.compute(paths)
    assert (facts.pooled_rows.value, facts.pooled_clean.value) == (7229, 7226)
    pg = disclose_page(facts, disclosure_policy())
    pooled = pg.results
    assert not pg.disclosure.allows([pooled.pooled_rows.key, pooled.pooled_clean.key])
    (h,) = W.headlines(pg)
    text = all_words(pg)
    assert "about 100%" not in text
    assert "100.0%" not in W.conclusion(pg) + W.verdict(pg, "cpp") + W.verdict(pg, "marac")
    assert "100.0% of the rows read" in W.verdict(pg, "caf")  # none left out there
    assert h.value == "more than 99% of rows used" and h.estimate is None
    assert not ("7,226" in text and "7,229" in text)
    assert audit_page(facts, pg, text, others=[99]) == []
    # within one extract too: 1 set aside and 2 duplicates, each c, never "2,061 of 2,064"
    one = {"cpp": _with_faults(tmp_path, "cpp", end_before_start=[5], duplicates=[7, 8])}
    facts = q.compute.compute(one)
    pg = disclose_page(facts, disclosure_policy())
    e = pg.results.extracts["cpp"]
    assert not pg.disclosure.allows([e.rows_in.key, e.outcomes["clean"].key])
    assert e.share_clean is None and "More than 99%" in W.verdict(pg, "cpp")
    # board-restricted shows the counts, and the share still never rounds up to the whole
    restricted = q.page(one, policy=disclosure_policy(BOARD_RESTRICTED))
    assert W.headlines(restricted)[0].value == "99.9% of rows used (2,060 of 2,063)"


def test_a_share_short_of_the_whole_is_never_printed_as_100_percent() -> None:
    from sscb_analysis.analyses.common import pct

    assert pct(1.0) == "100.0%" and pct(0.99996) == "99.9%" and pct(0.9995) == "99.9%"
    assert pct(0.9994) == "99.9%" and pct(0.996, 0) == "99%" and pct(0.31) == "31.0%"
    assert q.compute.rough_share(7226, 7229, 5) == "more than 99%"
    assert q.compute.rough_share(7229, 7229, 5) == "about 100%"
    assert q.compute.rough_share(3, 7229, 5) == "less than 1%"
    assert q.compute.rough_share(7000, 7229, 5) == "about 97%"


def test_bad_input_has_clear_messages() -> None:
    with pytest.raises(ValueError, match="Unknown extract kind"):
        q.compute.compute({"plans": MESSY / "cpp.csv"})


# --- the auditor on tiny extracts with random faults ------------------------------------------

FAULTS = st.lists(
    st.sampled_from(["ok", "end before start", "no child id", "duplicate", "blank"]),
    min_size=1,
    max_size=30,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FAULTS, st.integers(0, 40))
def test_auditor_on_tiny_extracts_with_faults(tmp_path_factory, faults, bulk) -> None:
    rows = cpp_rows(len(faults) + bulk)
    out = []
    for i, fault in enumerate(faults):
        row = rows.iloc[i].copy()
        if fault == "end before start":
            row["plan_end_date"] = "01/01/2011"
        elif fault == "no child id":
            row["child_id"] = ""
        out.append(row)
        if fault == "duplicate":
            out.append(row.copy())
        if fault == "blank":
            out.append(pd.Series("", index=rows.columns))
    frame = pd.concat([pd.DataFrame(out), rows.iloc[len(faults) :]], ignore_index=True)
    path = tmp_path_factory.mktemp("q") / "cpp.csv"
    frame.to_csv(path, index=False)
    facts = q.compute.compute({"cpp": path})
    pg = disclose_page(facts, disclosure_policy())
    rough = [
        float(w.strip("%"))
        for e in facts.extracts.values()
        for w in e.rough_share.split()
        if w.endswith("%")
    ]
    rough += [float(w.strip("%")) for w in facts.pooled_rough.split() if w.endswith("%")]
    assert audit_page(facts, pg, all_words(pg), others=rough) == []

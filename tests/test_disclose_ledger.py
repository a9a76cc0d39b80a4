"""One disclosure pass per page (sscb_analysis.disclose: ledger, reveal, policy, audit).

The leaks of issue 12 (findings 8 and 9) are rebuilt here from their numbers: a count and its
base shown while only the share was withheld, a second table giving back a total the first
hides, a threshold of 0 on published pages. The auditor (exact arithmetic) is tested against
planted leaks so that it is known to fail when it should, and then run over random pages.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sscb_analysis.disclose import (
    BOARD_RESTRICTED,
    RESTRICTED_MARKING,
    TOTAL,
    Count,
    CountTable,
    DisclosurePolicyError,
    Ledger,
    LedgerError,
    Relation,
    Rests,
    Shown,
    check_revealed,
    disclose_page,
    disclosure_policy,
    page_ledger,
)
from sscb_analysis.disclose.audit import recoverable_counts, unexplained_numbers

PUBLISHED = disclosure_policy()


def _disclose(*items):
    ledger = Ledger().collect(list(items))
    return ledger, ledger.disclose(PUBLISHED)


# --- policy (finding 12.9, issue 13) ---------------------------------------------------------


def test_published_policy_refuses_a_lower_threshold_with_a_sentence():
    assert disclosure_policy().threshold == 5
    assert disclosure_policy("published", 7).threshold == 7
    with pytest.raises(DisclosurePolicyError, match="below the minimum of 5 for published"):
        disclosure_policy("published", 0)
    with pytest.raises(DisclosurePolicyError, match="board-restricted"):
        disclosure_policy("published", "3")
    with pytest.raises(DisclosurePolicyError, match="must be one of published, board-restricted"):
        disclosure_policy("public")


def test_the_policy_owns_the_minimum_and_the_marking():
    """One owner (issue 12/13): the profile, the context and the index ask the policy."""
    published, restricted = disclosure_policy(), disclosure_policy(BOARD_RESTRICTED)
    assert (published.minimum, restricted.minimum) == (5, 0)
    assert published.protective_marking() == "OFFICIAL"
    assert restricted.protective_marking() == RESTRICTED_MARKING
    assert restricted.protective_marking("OFFICIAL-SENSITIVE: board") == "OFFICIAL-SENSITIVE: board"
    with pytest.raises(DisclosurePolicyError, match="must start with OFFICIAL-SENSITIVE"):
        restricted.protective_marking("OFFICIAL")
    assert "counts from 1 to 5 are hidden" in published.description


def test_board_restricted_policy_shows_counts_and_marks_the_page():
    policy = disclosure_policy(BOARD_RESTRICTED)
    assert policy.threshold == 0 and policy.marking == RESTRICTED_MARKING
    assert RESTRICTED_MARKING in policy.statement()
    assert "shown as they are" in policy.statement()
    assert disclosure_policy(BOARD_RESTRICTED, 2).threshold == 2
    assert "published" in disclosure_policy().statement()
    assert disclosure_policy().marking is None


# --- the leaks of finding 12.8 ---------------------------------------------------------------


def test_count_and_base_with_a_small_complement_are_not_both_shown():
    # "cases heard 43, children's social care present 38": 5 cases without them.
    _, d = _disclose(Count("heard", 43), Count("csc", 38), Relation.part_of("csc", "heard"))
    assert ("heard" in d.shown) != ("csc" in d.shown)
    # "DASH assessed 7, high risk 6": one referral assessed was not high risk.
    _, d = _disclose(Count("dash", 7), Count("high", 6), Relation.part_of("high", "dash"))
    assert d.shown == {"dash": 7} and "high" in d.withheld  # 7 alone does not give back 1


def test_a_total_hidden_in_one_table_is_hidden_in_the_other():
    volumes = CountTable("volumes", pd.DataFrame({"Q1": [3, 20], "Q2": [12, 30]}, index=["a", "b"]))
    repeats = Count("referrals_a", 15)
    ledger, d = _disclose(volumes, repeats, Relation.same(volumes.cell("a", TOTAL), "referrals_a"))
    assert volumes.cell("a", "Q1") not in d.shown
    assert recoverable_counts(ledger, d) == []
    # one number under two names is shown or withheld under both
    assert (volumes.cell("a", TOTAL) in d.shown) == ("referrals_a" in d.shown)
    # Without the relation the second table would give the total back: the auditor sees it.
    leaky = Ledger().collect([volumes])
    shown = leaky.disclose(PUBLISHED)
    assert volumes.cell("a", TOTAL) not in shown.shown


def test_the_same_key_twice_must_be_the_same_number():
    with pytest.raises(LedgerError, match="both 4 and 5"):
        Ledger().collect([Count("x", 4), Count("x", 5)])
    with pytest.raises(LedgerError, match="not the sum"):
        Ledger().collect([Count("t", 9), Count("a", 4), Count("b", 4), Relation.sum("t", "ab")])
    with pytest.raises(LedgerError, match="larger than its whole"):
        Ledger().collect([Count("w", 3), Count("p", 4), Relation.part_of("p", "w")])


def test_bounds_every_c_is_at_least_one():
    # total 2 of two hidden parts: each is 1.
    ledger, d = _disclose(
        Count("t", 12),
        Count("a", 1),
        Count("b", 1),
        Count("c", 10),
        Relation.sum("t", ["a", "b", "c"]),
    )
    assert "c" not in d.shown and recoverable_counts(ledger, d) == []


def test_shares_rest_on_their_counts_and_words_never_see_a_withheld_value():
    facts = {
        "n": Count("n", 40),
        "x": Count("x", 37),
        "rel": Relation.part_of("x", "n"),
        "share": Rests(37 / 40, ("x", "n")),
    }
    page = disclose_page(facts, PUBLISHED)
    assert page.results["share"] is None
    shown = [v for v in page.results.values() if isinstance(v, Shown)]
    assert any(s.withheld for s in shown)
    assert all(s.value is None or s.value == 40 for s in shown)
    check_revealed(page.results)
    with pytest.raises(TypeError, match="disclosed results only"):
        check_revealed(facts)
    restricted = disclose_page(facts, disclosure_policy(BOARD_RESTRICTED))
    assert restricted.results["share"] == 37 / 40 and str(restricted.results["x"]) == "37"


def test_shown_words():
    assert Shown("k", 1234).words() == "1,234" and str(Shown("k", None, True, 5)) == "c"
    assert Shown("k", None, True, 5).words() == "between 1 and 5"
    assert "withheld" in Shown("k", None, False, 5).words()
    assert Shown("k", None, False, 5).of("plans") == "a withheld number of plans"
    assert Shown("k", None, True, 5).of("plans") == "between 1 and 5 plans"
    assert Shown("k", 12).of("plans") == "12 plans"


# --- the auditor ------------------------------------------------------------------------------


def test_auditor_finds_planted_leaks():
    ledger = Ledger().collect(
        [Count("heard", 43), Count("csc", 38), Relation.part_of("csc", "heard")]
    )
    from sscb_analysis.disclose import Disclosure

    leaky = Disclosure(PUBLISHED, {"heard": 43, "csc": 38}, frozenset())
    # The complement (5) is latent: worked out from 43 - 38.
    assert [f.value for f in recoverable_counts(ledger, leaky)] == [5]
    table = CountTable("t", pd.DataFrame({"a": [3, 20], "b": [12, 30]}))
    ledger = Ledger().collect([table])
    only_primary = Disclosure(
        PUBLISHED,
        {k: v for k, v in ledger.values.items() if k != table.cell(0, "a")},
        frozenset({table.cell(0, "a")}),
    )
    assert [f.value for f in recoverable_counts(ledger, only_primary)] == [3]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 12), min_size=2, max_size=4), min_size=2, max_size=4).filter(
        lambda rows: len({len(r) for r in rows}) == 1
    ),
    st.lists(st.integers(0, 40), min_size=1, max_size=3),
)
def test_no_small_count_is_recoverable_on_random_pages(rows, extra):
    frame = pd.DataFrame(rows)
    table = CountTable("t", frame)
    items: list = [table]
    # A second statement of each row total, and parts of the grand total shown elsewhere.
    for i in frame.index:
        items += [
            Count(("row", i), int(frame.loc[i].sum())),
            Relation.same(table.cell(i, TOTAL), ("row", i)),
        ]
    grand = int(frame.to_numpy().sum())
    for j, x in enumerate(extra):
        x = min(x, grand)
        items += [Count(("part", j), x), Relation.part_of(("part", j), table.cell(TOTAL, TOTAL))]
    ledger = page_ledger(items)
    d = ledger.disclose(PUBLISHED)
    assert recoverable_counts(ledger, d) == []
    assert not any(1 <= v <= 5 for v in d.shown.values())


def test_unexplained_numbers_on_a_page():
    text = "In 2012-13 there were 43 referrals on 1 April 2012; 38 attended (88.4%). Q3: 5."
    assert unexplained_numbers(text, [43, 0.8837]) == ["38", "5"]
    assert unexplained_numbers(text, [43, 38, 0.8837], others=[5]) == []
    assert unexplained_numbers("between 1 and 5 of 40 (p = 0.56)", [40, 0.5612]) == []

"""Disclosure control (sscb_analysis.disclose): DfE-style suppression, rounding and safe counts."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sscb_analysis.disclose import (
    TOTAL,
    round_half_up,
    safe_count,
    suppress,
    suppress_percentages,
    suppression_mask,
)


def _table():
    return pd.DataFrame(
        {"neglect": [10, 3, 20], "physical": [12, 8, 0], "sexual": [0, 2, 7]},
        index=["Team A", "Team B", "Team C"],
    )


def test_primary_and_secondary_suppression_worked_example():
    out = suppress(_table())
    assert list(out.columns) == ["neglect", "physical", "sexual", TOTAL]
    assert list(out.index) == ["Team A", "Team B", "Team C", TOTAL]
    assert out.loc["Team B", "neglect"] == "c" and out.loc["Team B", "sexual"] == "c"
    # True zeros stay visible; the grand total (62) is safe to show.
    assert out.loc["Team C", "physical"] == 0 and out.loc["Team A", "sexual"] == 0
    assert out.loc[TOTAL, TOTAL] == 62
    # The smallest cell that protects the exposed "sexual" column is Team C's 7.
    assert out.loc["Team C", "sexual"] == "c"


def test_single_small_cell_in_a_row_needs_a_partner():
    t = pd.DataFrame({"a": [4, 50], "b": [30, 60]})
    out = suppress(t)
    mask = out == "c"
    # 4 is primary; its row and column each need a second suppression (the smallest: 30 and 50),
    # which then forces 60 to protect the second row and column.
    assert mask.loc[0, "a"] and mask.loc[0, "b"] and mask.loc[1, "a"] and mask.loc[1, "b"]
    assert out.loc[TOTAL, TOTAL] == 144


def test_all_suppressed_table_and_zero_table():
    out = suppress(pd.DataFrame({"a": [1, 2], "b": [3, 0]}))
    body = out.drop(index=TOTAL, columns=TOTAL)
    assert body.loc[1, "b"] == 0
    assert (body.drop(columns="b") == "c").all().all()
    zeros = suppress(pd.DataFrame({"a": [0, 0], "b": [0, 0]}))
    assert (zeros == 0).all().all()


def test_without_totals_applies_the_same_rule_to_the_body():
    out = suppress(_table(), totals=False)
    assert TOTAL not in out.columns and TOTAL not in out.index
    assert (out == "c").sum().sum() >= 2


def test_lonely_cell_without_totals_warns():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        suppress(pd.DataFrame({"a": [3], "b": [0]}), totals=False)
    assert any("no total" in str(x.message) for x in w)


def test_bad_tables_are_refused_clearly():
    with pytest.raises(ValueError, match="negative"):
        suppress(pd.DataFrame({"a": [1, -2]}))
    with pytest.raises(ValueError, match="missing"):
        suppress(pd.DataFrame({"a": [1, np.nan]}))
    with pytest.raises(ValueError, match="non-whole"):
        suppress(pd.DataFrame({"a": [1.5, 2]}))
    with pytest.raises(TypeError, match="not numeric"):
        suppress(pd.DataFrame({"a": ["x", "y"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        suppress([[1, 2]])
    with pytest.raises(ValueError, match="empty"):
        suppress(pd.DataFrame())


def test_suppress_percentages_follow_the_counts():
    pct = suppress_percentages(_table(), percent_of="row")
    mask = suppression_mask(_table())
    assert ((pct == "c") == mask).all().all()
    assert pct.loc[TOTAL, "neglect"] == pytest.approx(round(100 * 33 / 62, 1))
    pct_col = suppress_percentages(pd.DataFrame({"a": [10, 20], "b": [3, 30]}), percent_of="column")
    assert pct_col.loc[0, "b"] == "c"
    # When a denominator total is hidden, every non-zero percentage of it is hidden too.
    small = pd.DataFrame({"a": [2, 30], "b": [2, 40]})
    pr = suppress_percentages(small, percent_of="row")
    assert (pr.loc[0] == "c").all()
    with pytest.raises(ValueError, match="percent_of"):
        suppress_percentages(small, percent_of="cell")


@pytest.mark.parametrize(
    "x,expected",
    [
        (25, 30),
        (15, 20),
        (24, 20),
        (35, 40),
        (1234, 1230),
        (1235, 1240),
        (0, 0),
        (5, 10),
        (24.9, 20),
    ],
)
def test_round_half_up(x, expected):
    assert round_half_up(x) == expected


def test_round_half_up_other_inputs():
    assert round(25, -1) == 20  # why round() is not used
    assert round_half_up(pd.Series([25, "c", 135])).tolist() == [30, "c", 140]
    assert round_half_up(np.int64(45)) == 50
    assert round_half_up(1250, base=100) == 1300
    df = round_half_up(pd.DataFrame({"a": [15, 14]}))
    assert df["a"].tolist() == [20, 10]
    with pytest.raises(ValueError, match="base"):
        round_half_up(10, base=0)


def test_safe_count():
    assert safe_count(0) == "0"
    assert safe_count(1) == "c" and safe_count(5) == "c"
    assert safe_count(6) == "6" and safe_count(1234) == "1,234"
    assert safe_count(3, threshold=2) == "3"
    assert safe_count(np.int64(4), symbol="*") == "*"
    with pytest.raises(ValueError):
        safe_count(-1)
    with pytest.raises(ValueError):
        safe_count(2.5)
    with pytest.raises(TypeError):
        safe_count("7")


tables = arrays(
    dtype=np.int64,
    shape=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    elements=st.one_of(st.integers(0, 8), st.integers(0, 60)),
)


@settings(max_examples=150, deadline=None)
@given(tables, st.integers(1, 5), st.booleans())
def test_suppression_invariants(values, threshold, totals):
    raw = pd.DataFrame(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = suppress(raw, threshold=threshold, totals=totals)
    full = raw.copy()
    if totals:
        full[TOTAL] = full.sum(axis=1)
        full.loc[TOTAL] = full.sum(axis=0)
    hidden = (out == "c").to_numpy()
    true = full.to_numpy()
    # No count from 1 to the threshold is visible; true zeros are never hidden; visible cells
    # are the true counts.
    assert not (((true >= 1) & (true <= threshold)) & ~hidden).any()
    assert not (hidden & (true == 0)).any()
    shown = out.to_numpy()[~hidden]
    assert (shown.astype(np.int64) == true[~hidden]).all()
    # No suppressed cell recoverable from its line: every row and column (totals included, the
    # total being part of its line) has 0 or at least 2 hidden cells, unless (without published
    # totals) the lonely hidden cell sits among zeros only, where no total exists to subtract from.
    for lines in (hidden, hidden.T):
        vals = true if lines is hidden else true.T
        for line, v in zip(lines, vals, strict=True):
            k = line.sum()
            if k == 1 and not totals:
                assert (v[~line] == 0).all()
            else:
                assert k == 0 or k >= 2


def _recoverable(hidden: np.ndarray) -> bool:
    """Independent check by matrix rank: a hidden cell is recoverable from a table with totals
    when its unit vector lies in the row space of the line equations over the hidden cells."""
    nr, nc = hidden.shape
    cells = [tuple(c) for c in np.argwhere(hidden)]
    pos = {c: k for k, c in enumerate(cells)}
    rows = []
    for i in range(nr):
        rows.append([(i, j, -1 if j == nc - 1 else 1) for j in range(nc)])
    for j in range(nc):
        rows.append([(i, j, -1 if i == nr - 1 else 1) for i in range(nr)])
    a = np.zeros((len(rows), len(cells)))
    for r, eq in enumerate(rows):
        for i, j, coef in eq:
            if (i, j) in pos:
                a[r, pos[(i, j)]] = coef
    rank = np.linalg.matrix_rank(a)
    for k in range(len(cells)):
        e = np.zeros(len(cells))
        e[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            return True
    return False


def test_no_cell_recoverable_across_several_lines():
    # Found by a random audit: every line had 0 or 2+ hidden cells, yet rows 0 and 2 with
    # columns 1 and 2 pinned down the hidden cell at row 3, column 2. The whole-table check
    # must hide more.
    t = pd.DataFrame([[40, 5, 8, 8], [3, 0, 40, 4], [0, 1, 3, 8], [12, 20, 1, 5]])
    hidden = (suppress(t) == "c").to_numpy()
    assert not _recoverable(hidden)


@settings(max_examples=120, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(2, 5), st.integers(2, 5)), elements=st.integers(0, 25))
)
def test_no_cell_recoverable_by_linear_algebra(values):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hidden = (suppress(pd.DataFrame(values)) == "c").to_numpy()
    assert not _recoverable(hidden)

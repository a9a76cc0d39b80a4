"""Fuzzing the cleaner: random strings, blanks and numbers in every column never crash it and
never lose a row (hypothesis, small frames, few examples to keep the suite fast)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FIXED_TODAY, caf_rows, cpp_rows, marac_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sscb_analysis.cleaning import clean
from sscb_analysis.cleaning.protect import IdentifierError

ROWS = {"cpp": cpp_rows, "caf": caf_rows, "marac": marac_rows}

cell = st.one_of(
    st.just(""),
    st.just("   "),
    st.text(max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["31/02/2012", "2012-01-31", "40939", "Neglect", "N", "yes", "dash", "1.0"]),
)


@st.composite
def frames(draw, kind: str) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=8))
    frame = ROWS[kind](n)
    for column in frame.columns:
        for i in range(n):
            if draw(st.booleans()):
                frame.loc[i, column] = draw(cell)
    if draw(st.booleans()):  # exact copies of rows, too
        frame = pd.concat([frame, frame.iloc[: draw(st.integers(0, n))]], ignore_index=True)
    return frame


@pytest.mark.parametrize("kind", ["cpp", "caf", "marac"])
def test_fuzzed_extracts_never_crash_and_never_lose_a_row(kind):
    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(frames(kind))
    def check(frame: pd.DataFrame) -> None:
        try:
            result = clean(kind, frame, today=FIXED_TODAY)
        except IdentifierError as exc:  # a documented refusal, not a crash
            assert exc.findings
            return
        s = result.summary
        assert s["rows_in"] == len(frame)
        assert s["rows_in"] == s["clean"] + s["quarantined"] + s["duplicates"] + s["blank"]
        kept = pd.concat([result.data["source_row"], result.quarantine["source_row"]])
        assert kept.is_unique
        assert set(result.log.columns) == {
            "source_file",
            "source_row",
            "column",
            "rule",
            "severity",
            "value",
            "message",
            "action",
        }
        # every quarantined row names at least one error rule
        assert result.quarantine["rules"].notna().all()

    check()

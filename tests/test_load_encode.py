"""Encoding a million-row id column: the shortcuts give exactly the general path's result.

``Encoded.from_arrow`` hashes a column's text in general, but ids of one width
(``encoded._encode_fixed_width``) and plain whole numbers of any width (``encoded._encode_digits``) are
factorised as integers instead. Both must give the same codes and the same distinct values, in
the same (first-appearance) order, as hashing the text would.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sscb_analysis.cleaning import encoded
from sscb_analysis.cleaning.encoded import Encoded

N = encoded.FIXED_WIDTH_MIN_ROWS + 1000


def general(arr: pa.Array | pa.ChunkedArray) -> Encoded:
    return Encoded.from_dictionary(pc.dictionary_encode(arr))


def assert_same(a: Encoded, b: Encoded) -> None:
    assert np.array_equal(a.codes, b.codes)
    assert a.dictionary.equals(b.dictionary)


def numbers(seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 10 ** rng.integers(1, 12, size=N), size=N)  # widths 1 to 11
    values[::7] = values[::5][: len(values[::7])]  # repeats
    return [str(v) for v in values]


def test_plain_numbers_take_the_digit_shortcut_and_match_the_general_path():
    arr = pa.array(numbers())
    assert encoded._encode_digits(arr) is not None
    assert_same(Encoded.from_arrow(arr), general(arr))


def test_chunked_and_sliced_numbers_match_too():
    values = numbers(1)
    chunked = pa.chunked_array([pa.array(values[:30_000]), pa.array(values[30_000:])])
    assert_same(Encoded.from_arrow(chunked), general(chunked))
    sliced = pa.array(["x", *values])[1:]
    assert encoded._encode_digits(sliced) is not None
    assert_same(Encoded.from_arrow(sliced), general(sliced))


@pytest.mark.parametrize("odd", ["007", " 7", "7 ", "", "-7", "+7", "7.0", "1" * 19, "٣"], ids=repr)
def test_anything_but_plain_numbers_takes_the_general_path(odd):
    values = numbers(2)
    values[N // 2] = odd
    arr = pa.array(values)
    assert encoded._encode_digits(arr) is None
    assert_same(Encoded.from_arrow(arr), general(arr))
    # "007" and "7" stay two ids
    if odd == "007":
        enc = Encoded.from_arrow(pa.array([*values, "7"]))
        assert enc.values_at(np.array([N // 2, N])) == ["007", "7"]


@pytest.mark.parametrize("form", ["CPP{:07d}", "C{:08d}X", "ID-{:08X}"], ids=str)
def test_fixed_width_ids_match_the_general_path(form):
    rng = np.random.default_rng(3)
    values = [form.format(v) for v in rng.integers(0, 10**7, size=N)]
    values[::9] = values[::4][: len(values[::9])]  # repeats
    arr = pa.array(values)
    assert encoded._encode_fixed_width(arr) is not None
    assert_same(Encoded.from_arrow(arr), general(arr))

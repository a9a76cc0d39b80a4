"""Text columns held as integer codes into their distinct values (:class:`Encoded`).

Every cleaning step (blank and duplicate rows, parsing, identifier scans) works on the codes or on
the few distinct values, never on a million Python strings. Encoding is hashing, except for two
shortcuts that give exactly the same codes and values in the same order: ids of one width are
factorised as 8-byte integers, and ids that are plain whole numbers as their numbers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class Encoded:
    """A text column as integer codes into its distinct values (trimmed; code -1 = blank).

    Every step (blank and duplicate rows, parsing, identifier scans) works on the codes or on the
    few distinct values, never on a million Python strings.
    """

    codes: np.ndarray
    dictionary: pa.Array

    def __len__(self) -> int:
        return len(self.codes)

    @classmethod
    def from_arrow(cls, arr: pa.Array | pa.ChunkedArray) -> Encoded:
        """Encode a string array, trimming whitespace; empty or whitespace-only cells are blank."""
        if isinstance(arr, pa.ChunkedArray) and arr.num_chunks == 0:
            arr = arr.combine_chunks()
        if not pa.types.is_string(arr.type):
            arr = arr.cast(pa.string())
        fixed = _encode_fixed_width(arr)
        if fixed is None:
            fixed = _encode_digits(arr)
        if fixed is not None:
            return cls(*fixed)
        # A chunked column (as pyarrow reads a CSV) is encoded chunk by chunk against one shared
        # dictionary, in first-appearance order, so it is never copied into one block first.
        return cls.from_dictionary(pc.dictionary_encode(arr))

    @classmethod
    def from_dictionary(cls, enc: pa.DictionaryArray | pa.ChunkedArray) -> Encoded:
        """Encode a dictionary-typed string column whose chunks share one dictionary (as
        ``dictionary_encode`` or ``Table.unify_dictionaries`` leave them), trimming as
        :meth:`from_arrow` does."""
        chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
        if not chunks:
            return cls.nulls(0)
        codes = np.concatenate(
            [
                (c.indices if c.indices.null_count == 0 else pc.fill_null(c.indices, -1)).to_numpy(
                    zero_copy_only=False
                )
                for c in chunks
            ],
            dtype=np.int64,
        )
        dictionary = chunks[0].dictionary
        trimmed = pc.utf8_trim_whitespace(dictionary)
        if trimmed.equals(dictionary):
            # Nothing to trim (the usual case): the distinct values stay distinct, so skip hashing
            # them again; a million distinct ids would cost as much as the first pass.
            again, remap = dictionary, np.arange(len(trimmed), dtype=np.int64)
        else:
            encoded = pc.dictionary_encode(trimmed)
            again = encoded.dictionary
            remap = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        remap[pc.equal(trimmed, "").to_numpy(zero_copy_only=False)] = -1
        remap = np.append(remap, -1)  # code -1 stays -1
        return cls(remap[codes], again)

    @classmethod
    def nulls(cls, n: int) -> Encoded:
        """A column of ``n`` blanks."""
        return cls(np.full(n, -1, dtype=np.int64), pa.array([], pa.string()))

    @property
    def is_null(self) -> np.ndarray:
        """Mask of blank cells."""
        return self.codes < 0

    def to_arrow(self) -> pa.Array:
        """The column as a pyarrow string array (blank = null)."""
        n = len(self.codes)
        if len(self.dictionary) == n and n and np.array_equal(self.codes, np.arange(n)):
            return self.dictionary  # every row its own value, in order (a record id column)
        index = pa.array(np.where(self.codes < 0, 0, self.codes), mask=self.codes < 0)
        if not len(self.dictionary):
            return pa.nulls(len(self.codes), pa.string())
        return self.dictionary.take(index)

    def values_at(self, rows: np.ndarray) -> list[str | None]:
        """The text of the cells at positions ``rows`` (None for blanks)."""
        codes = self.codes[rows]
        if not len(self.dictionary):
            return [None] * len(rows)
        index = pa.array(np.where(codes < 0, 0, codes), mask=codes < 0)
        return self.dictionary.take(index).to_pylist()

    def map_distinct(self, values: pa.Array) -> Encoded:
        """A new column whose distinct value ``i`` is ``values[i]`` (null -> blank)."""
        null = values.is_null().to_numpy(zero_copy_only=False)
        remap = np.append(np.where(null, -1, np.arange(len(values))), -1)
        return Encoded(remap[self.codes], values)


def concat_encoded(columns: Sequence[Encoded]) -> Encoded:
    """One column of the rows of ``columns`` in turn, over one dictionary (equal text, equal
    code, whichever column it came from)."""
    if len(columns) == 1:
        return columns[0]
    dictionaries = [c.dictionary.cast(pa.string()) for c in columns]
    merged = pc.dictionary_encode(pa.concat_arrays(dictionaries))
    remap = merged.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    codes = []
    offset = 0
    for column, dictionary in zip(columns, dictionaries, strict=True):
        local = np.append(remap[offset : offset + len(dictionary)], -1)
        codes.append(local[column.codes])
        offset += len(dictionary)
    return Encoded(np.concatenate(codes), merged.dictionary)


#: Columns shorter than this are always encoded by hashing their text (the general path).
FIXED_WIDTH_MIN_ROWS = 65_536
_ASCII_ALNUM = np.zeros(256, dtype=bool)
for _lo, _hi in ((48, 57), (65, 90), (97, 122)):
    _ASCII_ALNUM[_lo : _hi + 1] = True
_MIX = np.uint64(0x9E3779B97F4A7C15)
_UNMIX = np.uint64(pow(int(_MIX), -1, 2**64))


def _string_buffers(
    arr: pa.Array | pa.ChunkedArray,
) -> tuple[pa.Array, np.ndarray, pa.Buffer] | None:
    """(the column in one piece, its offsets, its data buffer) when a shortcut may apply: a long
    string column with no missing value; None otherwise (the general path takes it)."""
    if len(arr) < max(FIXED_WIDTH_MIN_ROWS, 1) or arr.null_count:
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.string():
        return None
    _, offset_buffer, data_buffer = arr.buffers()
    count = len(arr) + 1
    offsets = np.frombuffer(offset_buffer, dtype=np.int32, count=count, offset=arr.offset * 4)
    return arr, offsets, data_buffer


def _encode_fixed_width(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array] | None:
    """(codes, distinct values in first-appearance order) of a column whose values all have the
    same byte length (at least 8) and differ only within 8 neighbouring bytes, as ids such as
    "CPP0040452" and full dates do; None for any other column (it takes the general path).

    Two such values are equal exactly when those 8 bytes are, so the bytes read as one 64-bit
    integer per row are factorised instead of hashing a million strings. Values starting and ending
    with an ASCII letter or digit need no trimming and are never blank, as the general path
    requires of the result.
    """
    buffers = _string_buffers(arr)
    if buffers is None:
        return None
    arr, offsets, data_buffer = buffers
    n = len(arr)
    begin = int(offsets[0])
    width, rest = divmod(int(offsets[-1]) - begin, n)
    if width < 8 or rest:
        return None
    if not np.array_equal(offsets, begin + width * np.arange(n + 1, dtype=np.int32)):
        return None
    cells = np.frombuffer(data_buffer, dtype=np.uint8, count=width * n, offset=begin).reshape(
        n, width
    )
    if not (_ASCII_ALNUM[cells[:, 0]].all() and _ASCII_ALNUM[cells[:, -1]].all()):
        return None
    varying = [j for j in range(width) if not (cells[:, j] == cells[0, j]).all()]
    if varying and varying[-1] - varying[0] >= 8:
        return None
    # The 8 bytes from ``window`` on cover every varying byte; read them as one integer per row,
    # multiplied by an odd constant (a bijection) so the hash table's buckets fill evenly.
    window = min(varying[0], width - 8) if varying else 0
    key = np.ndarray((n,), dtype="<u8", buffer=cells, offset=window, strides=(width,))
    codes, uniques = pd.factorize(key * _MIX)
    uniques = np.asarray(uniques, dtype=np.uint64) * _UNMIX
    distinct = np.repeat(cells[:1], len(uniques), axis=0)
    distinct[:, window : window + 8] = uniques.astype("<u8").view(np.uint8).reshape(-1, 8)
    dictionary = pa.Array.from_buffers(
        pa.string(),
        len(uniques),
        [
            None,
            pa.py_buffer(width * np.arange(len(uniques) + 1, dtype=np.int32)),
            pa.py_buffer(distinct),
        ],
    )
    return codes.astype(np.int64, copy=False), dictionary


def _encode_digits(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array] | None:
    """(codes, distinct values in first-appearance order) of a column of plain whole numbers of
    any width ("7", "40452", no sign, space or leading zero), as many case systems number their
    records; None for any other column.

    Such text is equal exactly when its number is, so the numbers are factorised instead of
    hashing a million strings (about half the time), and the distinct texts are taken from the
    rows where each first appears: the same result as the general path.
    """
    buffers = _string_buffers(arr)
    if buffers is None:
        return None
    arr, offsets, data_buffer = buffers
    lengths = np.diff(offsets)
    if lengths.min() < 1 or lengths.max() > 18:  # 18 digits always fit in an int64
        return None
    begin = int(offsets[0])
    data = np.frombuffer(data_buffer, dtype=np.uint8, count=int(offsets[-1]) - begin, offset=begin)
    if not (data - np.uint8(48) < 10).all():
        return None
    if ((data[offsets[:-1] - begin] == 48) & (lengths > 1)).any():
        return None  # "007" and "7" are different ids
    numbers = pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)
    codes, _ = pd.factorize(numbers)
    # Codes are numbered in order of first appearance, so a new one is a new running maximum.
    first = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)
    return codes.astype(np.int64, copy=False), arr.take(pa.array(first))


def encode_columns(arrays: Sequence[pa.Array | pa.ChunkedArray]) -> list[Encoded]:
    """Encode text columns on all cores: pyarrow releases the GIL while hashing, and the id
    columns (a million distinct values each) are most of the cost of reading."""
    if len(arrays) < 2 or (os.cpu_count() or 1) < 2 or sum(len(a) for a in arrays) < 100_000:
        return [Encoded.from_arrow(a) for a in arrays]
    with ThreadPoolExecutor(max_workers=min(len(arrays), os.cpu_count() or 1)) as pool:
        return list(pool.map(Encoded.from_arrow, arrays))

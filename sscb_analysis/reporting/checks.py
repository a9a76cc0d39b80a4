"""Checks on published HTML: no small count may reach a board member unsuppressed.

Notebooks pass every table through ``disclose`` first; this is the safety net that tests run over
the board pages. A cell whose whole text is a whole number from 1 to ``threshold`` (DfE disclosure
control: counts 1 to 5 are shown as ``c``) is reported. Header cells (``<th>``: pandas puts the
index there) and cells holding rates, decimals or percentages are not counts and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

_COUNT = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")


@dataclass(frozen=True)
class SmallCount:
    """One unsuppressed small count: where it is (0-based table, body row, column) and its text."""

    table: int
    row: int
    column: int
    header: str | None
    value: int
    text: str


def find_unsuppressed_small_counts(
    page: str, threshold: int = 5, ignore_columns: frozenset[str] | set[str] = frozenset()
) -> list[SmallCount]:
    """Every ``<td>`` in ``page``'s tables holding a count from 1 to ``threshold``.

    ``ignore_columns`` names header texts of columns that hold codes, not counts (e.g. ``quarter``).
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    parser = _TableCells()
    parser.feed(page)
    parser.close()
    found: list[SmallCount] = []
    for table, row, column, is_header, text in parser.cells:
        if is_header or not _COUNT.match(text):
            continue
        value = int(text.replace(",", ""))
        header = parser.header_for(table, column)
        if 1 <= value <= threshold and (header is None or header not in ignore_columns):
            found.append(SmallCount(table, row, column, header, value, text))
    return found


class _TableCells(HTMLParser):
    """Flattens HTML tables into (table, row, column, is_header, text) tuples."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[tuple[int, int, int, bool, str]] = []
        self.headers: dict[int, dict[int, str]] = {}
        self._stack: list[list[int]] = []  # per open table: [table index, row, column]
        self._tables = 0
        self._cell: list[str] | None = None
        self._cell_is_header = False
        self._in_thead = False

    def header_for(self, table: int, column: int) -> str | None:
        return self.headers.get(table, {}).get(column)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._stack.append([self._tables, -1, -1])
            self._tables += 1
        elif not self._stack:
            return
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr":
            self._stack[-1][1] += 1
            self._stack[-1][2] = -1
        elif tag in ("td", "th"):
            span = dict(attrs).get("colspan")
            self._stack[-1][2] += 1
            self._span = int(span) if span and span.isdigit() else 1
            self._cell = []
            self._cell_is_header = tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        if tag in ("td", "th") and self._cell is not None:
            table, row, column = self._stack[-1]
            text = " ".join("".join(self._cell).split())
            self.cells.append((table, row, column, self._cell_is_header, text))
            if self._cell_is_header and self._in_thead and text:
                self.headers.setdefault(table, {})[column] = text
            self._stack[-1][2] += self._span - 1
            self._cell = None
        elif tag == "thead":
            self._in_thead = False
        elif tag == "table":
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

"""Checks on published reports: no small count may reach a board member or a dashboard.

Notebooks pass every table through ``disclose`` first; this is the safety net that tests run over
the board pages. A cell whose whole text is a whole number from 1 to ``threshold`` (DfE disclosure
control: counts 1 to 5 are shown as ``c``) is reported. Header cells (``<th>``: pandas puts the
index there) and cells holding rates, decimals or percentages are not counts and are skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

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


# --------------------------------------------------------------------------------------------
# recorded figures (the JSON beside each report)

#: ``unit=`` meta values that mark a figure as a count (of children, plans, referrals, rows...).
COUNT_UNITS = frozenset(
    {"count", "children", "plans", "referrals", "assessments", "responses", "families", "rows"}
)
#: ``unit=`` meta values that mark a figure as a share (proportion 0 to 1, or percent).
SHARE_UNITS = frozenset({"proportion", "share", "percent"})
#: Last word of a figure or field name (split on ``_``) that says an integer is not a count.
NOT_COUNT_WORDS = frozenset(
    {
        "year",
        "years",
        "quarters",
        "periods",
        "code",
        "confidence",
        "threshold",
        "neighbours",
        "used",
        "decimals",
        "keys",
    }
)
#: Last word of a name that says a number in 0 to 1 is not a share of a count.
NOT_SHARE_WORDS = frozenset(
    {"p", "value", "lower", "upper", "confidence", "dispersion", "statistic", "ratio", "change"}
)
#: Fields of the stats result dataclasses (saved with their ``type``) that count periods.
PERIOD_FIELDS = {"TrendResult": frozenset({"n"}), "SPCResult": frozenset({"n"})}
#: Fields that must be empty when the figure they belong to is withheld.
WITHHELD_COMPANIONS = ("lower", "upper", "p_value", "observed", "top_box", "counts", "estimate")

_WHOLE = re.compile(r"^\s*\d{1,3}(,\d{3})+\s*$|^\s*\d+\s*$")
_BETWEEN = re.compile(r"\bbetween 1 and \d+\b")
_K_OF_N = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+) of (\d{1,3}(?:,\d{3})+|\d+)(?![\d.,%])")
_PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.(\d+))?)%")
_OF_N = re.compile(r"\bof (\d{1,3}(?:,\d{3})+|\d+)(?![\d.,%])")


def find_small_counts_in_figures(figures: Mapping[str, Any], threshold: int = 5) -> list[str]:
    """Every recorded figure that is, or gives back, a count from 1 to ``threshold``.

    ``figures`` is a report's JSON as written by ``record`` (``{"figures": {name: {"value": ...,
    "meta": {...}}}}``), its ``"figures"`` part, or a plain ``{name: value}`` (``recorded()``).
    Values are searched recursively (dicts, lists, the stats results saved as their fields).
    Each finding is one line naming the path (``name.field[0]``) and why.

    Conventions (how a value is judged a count or a share):

    - **Counts.** A figure whose ``unit`` meta is in :data:`COUNT_UNITS` is a count; any other
      ``unit`` (e.g. ``"year"``, ``"quarters"``, ``"percent"``) marks it as not a count. Without a
      unit, every whole number (an ``int``, or a string such as ``"4"`` or ``"1,234"``) is taken
      as a count unless the last word of its name or field (split on ``_``) is in
      :data:`NOT_COUNT_WORDS` (``repeat_series_quarters``, ``year``, ``la_code``...), or it is a
      field listed in :data:`PERIOD_FIELDS` for its result ``type`` (``TrendResult.n`` counts
      quarters). Booleans are never counts; zero is a true zero and may stay.
    - **Text.** In a string, ``"k of N"`` with ``k`` or ``N`` from 1 to the threshold is a small
      count, and a percentage with an ``"of N"`` in the same string gives back ``k`` when
      ``k / N`` rounds to it for a small ``k`` or ``N - k``.
    - **Shares.** A float from 0 to 1 (or a ``unit="percent"`` figure divided by 100) whose name
      does not end in a word of :data:`NOT_SHARE_WORDS` (p-values, bounds, ratios) is a possible
      share. It leaks when, with any count recorded in the same figures (``N`` above the
      threshold, including an ``n`` or ``base`` field), it equals ``k / N`` exactly (to 1e-9,
      as recorded shares carry full precision) for ``k`` or ``N - k`` from 1 to the threshold.
    - **Withheld values.** In a dict with ``suppressed: true``, or whose ``share`` is withheld
      (``None`` or ``"c"``), the fields of :data:`WITHHELD_COMPANIONS` must be empty; at the top
      level, ``<stem>_share`` withheld means ``<stem>_lower``, ``<stem>_upper``, ``<stem>_p`` and
      ``<stem>_p_value`` must be ``None`` too: a Wilson interval or an exact test's p-value with
      a published base gives the hidden count back.
    - **Fitted values.** A non-empty ``fitted`` field (a Poisson model's fitted counts, which
      add up to the observed counts) is always reported.

    Row counts of the data-quality report (``unit="rows"``) are judged like counts of children:
    each row is one child's plan, assessment or referral, and the board page suppresses them.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"threshold must be a whole number of at least 1, not {threshold!r}")
    if not isinstance(figures, Mapping):
        raise TypeError(f"figures must be a mapping of name to value, not {type(figures).__name__}")
    values, units = _unpack_figures(figures)
    walker = _FigureWalker(threshold)
    for name, value in values.items():
        walker.walk(name, name, value, units.get(name))
    walker.check_top_level_withheld(values)
    walker.check_shares()
    return walker.found


def _unpack_figures(figures: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Plain ``{name: value}`` and ``{name: unit}`` from any of the accepted shapes."""
    inner = figures.get("figures") if set(figures) == {"figures"} else figures
    if not isinstance(inner, Mapping):
        raise TypeError("figures['figures'] must be a mapping of name to recorded entry")
    values: dict[str, Any] = {}
    units: dict[str, str] = {}
    for name, entry in inner.items():
        if isinstance(entry, Mapping) and "value" in entry and set(entry) <= {"value", "meta"}:
            values[str(name)] = entry["value"]
            meta = entry.get("meta") or {}
            if isinstance(meta, Mapping) and meta.get("unit") is not None:
                units[str(name)] = str(meta["unit"])
        else:
            values[str(name)] = entry
    return values, units


def _last_word(key: str) -> str:
    return key.rsplit("_", 1)[-1].lower() if key else ""


def _whole(text: str) -> int:
    return int(text.replace(",", "").strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _FigureWalker:
    """Collects findings, and the counts and shares seen, while walking recorded values."""

    def __init__(self, threshold: int) -> None:
        self.t = threshold
        self.found: list[str] = []
        self.bases: dict[int, str] = {}  # count above the threshold -> where it was seen
        self.shares: list[tuple[str, float]] = []

    def small(self, k: int) -> bool:
        return 1 <= k <= self.t

    def walk(self, path: str, key: str, value: Any, unit: str | None, kind: str = "") -> None:
        if isinstance(value, Mapping):
            self._walk_dict(path, value, unit)
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                self.walk(f"{path}[{i}]", key, item, unit, kind)
        elif isinstance(value, str):
            self._string(path, key, value, unit, kind)
        elif _is_number(value):
            self._number(path, key, value, unit, kind)

    def _walk_dict(self, path: str, d: Mapping[str, Any], unit: str | None) -> None:
        kind = str(d.get("type", ""))
        fitted = d.get("fitted")
        if isinstance(fitted, list | tuple) and len(fitted) > 0:
            self.found.append(
                f"{path}.fitted: a Poisson model's fitted values add up to the observed counts "
                "(and per period nearly equal them), so they give suppressed counts back"
            )
        withheld = d.get("suppressed") is True or ("share" in d and d["share"] in (None, "c"))
        if withheld:
            for field in WITHHELD_COMPANIONS:
                if _present(d.get(field)):
                    self.found.append(
                        f"{path}.{field}: recorded although the figure it belongs to is withheld "
                        f"(suppressed), so it can give the hidden count back"
                    )
        for k, v in d.items():
            if k in ("fitted", "type") or (withheld and k in WITHHELD_COMPANIONS):
                continue
            self.walk(f"{path}.{k}", str(k), v, unit, kind)
        for field in ("n", "base"):
            n = d.get(field)
            if (
                isinstance(n, int)
                and not isinstance(n, bool)
                and field not in PERIOD_FIELDS.get(kind, ())
            ):
                self._remember_base(n, f"{path}.{field}")

    def _counts_here(self, key: str, unit: str | None, kind: str) -> bool:
        if unit is not None:
            return unit in COUNT_UNITS
        if key in PERIOD_FIELDS.get(kind, ()):
            return False
        return _last_word(key) not in NOT_COUNT_WORDS

    def _remember_base(self, n: int, where: str) -> None:
        if n > self.t:
            self.bases.setdefault(n, where)

    def _number(self, path: str, key: str, value: float, unit: str | None, kind: str) -> None:
        whole = isinstance(value, int) or (unit in COUNT_UNITS and float(value).is_integer())
        if whole and self._counts_here(key, unit, kind):
            k = int(value)
            if self.small(k):
                self.found.append(f"{path}: the count {k} is from 1 to {self.t}")
            self._remember_base(k, path)
            return
        if isinstance(value, float) and unit not in COUNT_UNITS:
            if unit == "percent":
                self.shares.append((path, value / 100))
            elif (
                (unit in SHARE_UNITS or unit is None)
                and _last_word(key) not in NOT_SHARE_WORDS
                and 0 < value < 1
            ):
                self.shares.append((path, value))

    def _string(self, path: str, key: str, text: str, unit: str | None, kind: str) -> None:
        if _WHOLE.match(text):
            if self._counts_here(key, unit, kind):
                k = _whole(text)
                if self.small(k):
                    self.found.append(f"{path}: the count {text.strip()!r} is from 1 to {self.t}")
                self._remember_base(k, path)
            return
        text = _BETWEEN.sub("c", text)  # "between 1 and 5 of 101": the disclosed form
        for m in _K_OF_N.finditer(text):
            k, n = _whole(m.group(1)), _whole(m.group(2))
            if self.small(k) or self.small(n):
                self.found.append(
                    f"{path}: the text {m.group(0)!r} gives a count from 1 to {self.t}"
                )
            self._remember_base(n, path)
        bases = [_whole(m.group(1)) for m in _OF_N.finditer(text)]
        for m in _PERCENT.finditer(text):
            share, decimals = float(m.group(1)), len(m.group(2) or "")
            for n in bases:
                k = self._small_count_behind(share, n, decimals)
                if k is not None:
                    self.found.append(
                        f"{path}: {m.group(0)} of {n} gives back a count from 1 to {self.t} ({k})"
                    )

    def _small_count_behind(self, percent: float, n: int, decimals: int) -> int | None:
        """The small count (``k`` or ``n - k``, 1 to the threshold) when ``k`` is the only count
        of ``n`` whose ``100 k / n`` rounds to ``percent`` (a rounded percentage that several
        counts fit, e.g. 100.0% of 7,227, gives none of them back)."""
        if n <= 0:
            return None
        half = 0.5 * 10.0**-decimals
        low = math.floor((percent - half) * n / 100) - 1
        high = math.ceil((percent + half) * n / 100) + 1
        fits = [
            k
            for k in range(max(low, 0), min(high, n) + 1)
            if round(100 * k / n, decimals) == round(percent, decimals)
        ]
        if len(fits) != 1:
            return None
        k = fits[0]
        return k if self.small(k) else n - k if self.small(n - k) else None

    def check_top_level_withheld(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            if not name.endswith("_share") or value not in (None, "c"):
                continue
            stem = name[: -len("_share")]
            for suffix in ("_lower", "_upper", "_p", "_p_value"):
                other = values.get(stem + suffix)
                if _present(other):
                    self.found.append(
                        f"{stem + suffix}: recorded although {name} is withheld; with the base it "
                        "gives the hidden count back"
                    )

    def check_shares(self) -> None:
        for path, share in self.shares:
            for n, where in sorted(self.bases.items()):
                k = round(share * n)
                if abs(share * n - k) > 1e-9 * n:
                    continue
                if self.small(k) or self.small(n - k):
                    small = k if self.small(k) else n - k
                    self.found.append(
                        f"{path}: the share {share:.6g} is {k} of {n} (the count at {where}), "
                        f"which gives back a count from 1 to {self.t} ({small})"
                    )
                    break


def _present(value: Any) -> bool:
    """Whether a recorded value carries information (not None, 'c', NaN or an empty list)."""
    if value is None or value == "c":
        return False
    if isinstance(value, list | tuple | Mapping):
        return any(_present(v) for v in (value.values() if isinstance(value, Mapping) else value))
    return True

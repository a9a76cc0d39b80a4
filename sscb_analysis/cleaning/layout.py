"""Layout files: one export shape described once, so the analyst never edits the raw export.

```yaml
# layouts/lcs_cpp.yml
kind: cpp
sheet: CP Plans          # optional
header_row: auto         # auto-detect (default) or a 1-based row number
columns:                 # canonical name: the header as the export spells it
  child_id: Person ID
  plan_start_date: CP Plan Start Date
codes:                   # extra spellings, per column: canonical value: [spellings]
  initial_category: {neglect: [N1, Neglect (N)]}
drop: [Allocated Worker]
pseudonymise: false
```

:func:`load_layout` reads and checks a file (every mistake is one sentence naming the key);
:meth:`Layout.apply` gives the extract spec with the layout's extra spellings. Options given on
the command line win over the file's.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sscb_analysis import yaml_safe
from sscb_analysis.cleaning import identifiers
from sscb_analysis.cleaning.headers import ExtractError
from sscb_analysis.cleaning.protect import vocabulary
from sscb_analysis.extracts import KINDS, ExtractSpec, compact, get_spec

KEYS = ("kind", "sheet", "header_row", "columns", "codes", "drop", "pseudonymise")
#: A layout file is a few lines; anything this large is not one.
MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class Layout:
    """A checked layout file (see the module docstring for the format)."""

    kind: str
    path: str = "<layout>"
    sheet: str | None = None
    header_row: int | None = None  # None: found automatically
    columns: Mapping[str, str] = field(default_factory=dict)
    codes: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    pseudonymise: bool | None = None

    def apply(self, spec: ExtractSpec) -> ExtractSpec:
        """``spec`` with the layout's extra spellings added to its category columns."""
        if not self.codes:
            return spec
        columns = []
        for col in spec.columns:
            extra = self.codes.get(col.name)
            if extra:
                values = {k: tuple(v) for k, v in (col.values or {}).items()}
                for canonical, spellings in extra.items():
                    values[canonical] = (*values[canonical], *spellings)
                col = dataclasses.replace(col, values=values)
                try:
                    col.category_lookup()
                except ValueError as exc:
                    raise ExtractError(f"{self.path}: codes.{col.name}: {exc}.") from None
            columns.append(col)
        return dataclasses.replace(spec, columns=tuple(columns))


def load_layout(path: str | os.PathLike[str], kind: str | None = None) -> Layout:
    """Read and check a layout file; ``kind`` (when given) must be the layout's kind."""
    path = Path(path)
    where = str(path)
    try:
        if path.exists() and not path.is_dir() and not path.is_file():
            raise ExtractError(f"The layout file {where} is not a regular file.")
        if path.stat().st_size > MAX_BYTES:
            raise ExtractError(f"{where} is too large to be a layout file (over 1 MB).")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExtractError(f"The layout file {where} does not exist.") from None
    except IsADirectoryError:
        raise ExtractError(f"The layout file {where} is a folder, not a file.") from None
    except UnicodeDecodeError:
        raise ExtractError(f"The layout file {where} is not UTF-8 text.") from None
    except OSError as exc:
        raise ExtractError(f"The layout file {where} could not be read: {exc.strerror}.") from None
    try:
        data = yaml_safe.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ExtractError(f"The layout file {where} is not valid YAML{at}: {problem}.") from None
    return parse_layout(data, where, kind)


def parse_layout(data: Any, where: str = "<layout>", kind: str | None = None) -> Layout:
    """A :class:`Layout` from the parsed YAML of a layout file (see :func:`load_layout`)."""
    if not isinstance(data, Mapping):
        raise ExtractError(
            f"{where} is not a layout: it must be a YAML mapping with the keys "
            f"{', '.join(KEYS)} (kind and columns at least)."
        )
    for key in data:
        if key not in KEYS:
            raise ExtractError(f"{where}: unknown key {key!r}{_did_you_mean(key, KEYS)}.")
    found = data.get("kind")
    if found not in KINDS:
        raise ExtractError(
            f"{where}: kind must be one of {', '.join(KINDS)}, not {found!r}"
            f"{_did_you_mean(found, KINDS)}."
        )
    if kind is not None and found != kind:
        raise ExtractError(
            f"{where} describes a {found.upper()} export, but a {kind.upper()} extract is being "
            f"cleaned: use a {kind} layout, or run `sscb clean {found} ...`."
        )
    spec = get_spec(found)
    sheet = data.get("sheet")
    if sheet is not None and (not isinstance(sheet, str) or not sheet.strip()):
        raise ExtractError(f"{where}: sheet must be the name of a sheet, not {sheet!r}.")
    return Layout(
        kind=found,
        path=where,
        sheet=sheet,
        header_row=_header_row(data.get("header_row", "auto"), where),
        columns=_columns(data.get("columns") or {}, spec, where),
        codes=_codes(data.get("codes") or {}, spec, where),
        drop=_dropped(data.get("drop") or [], where),
        pseudonymise=_flag(data.get("pseudonymise"), where),
    )


def _did_you_mean(word: object, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _header_row(value: Any, where: str) -> int | None:
    if value is None or value == "auto":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ExtractError(
            f"{where}: header_row must be auto or the number of the header row (1 or more), "
            f"not {value!r}."
        )
    return value


def _columns(value: Any, spec: ExtractSpec, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ExtractError(
            f"{where}: columns must map canonical names to headers (`child_id: Person ID`), "
            f"not {type(value).__name__}."
        )
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, header in value.items():
        if name not in spec.names:
            raise ExtractError(
                f"{where}: columns: {name!r} is not a column of a {spec.kind.upper()} extract"
                f"{_did_you_mean(name, spec.names)}; the columns are {', '.join(spec.names)}."
            )
        if isinstance(header, (int, float)) and not isinstance(header, bool):
            header = str(header)
        if not isinstance(header, str) or not header.strip():
            raise ExtractError(
                f"{where}: columns.{name} must be the header as the export spells it, not "
                f"{header!r}."
            )
        _refuse_identifiers([header], f"columns.{name}", where)
        key = compact(header)
        if key in seen:
            raise ExtractError(
                f"{where}: columns: {seen[key]} and {name} both name the header {header!r}."
            )
        seen[key] = name
        out[name] = header.strip()
    return out


def _codes(value: Any, spec: ExtractSpec, where: str) -> dict[str, dict[str, tuple[str, ...]]]:
    if not isinstance(value, Mapping):
        raise ExtractError(
            f"{where}: codes must map a column to its extra spellings "
            "(`initial_category: {neglect: [N1]}`)."
        )
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    coded = [c.name for c in spec.columns if c.values]
    for name, mapping in value.items():
        if name not in coded:
            raise ExtractError(
                f"{where}: codes: {name!r} is not a column with categories"
                f"{_did_you_mean(name, coded)}; those are {', '.join(coded)}."
            )
        categories = spec.column(name).categories
        if not isinstance(mapping, Mapping):
            raise ExtractError(
                f"{where}: codes.{name} must map each category to its spellings "
                f"(`{categories[0]}: [...]`)."
            )
        out[name] = {}
        for canonical, spellings in mapping.items():
            if canonical not in categories:
                raise ExtractError(
                    f"{where}: codes.{name}: {canonical!r} is not a category of {name}"
                    f"{_did_you_mean(canonical, categories)}; the categories are "
                    f"{', '.join(categories)}."
                )
            key = f"codes.{name}.{canonical}"
            out[name][canonical] = _strings(spellings, key, where)
            _refuse_identifiers(out[name][canonical], key, where, vocabulary(spec.column(name)))
    return out


def _refuse_identifiers(
    values: Any, key: str, where: str, vocabulary: set[str] | None = None
) -> None:
    """Refuse a layout value that holds a direct identifier (or, among a column's codes, a
    person's name): a layout spelling would otherwise clear that value in every export it
    reads, and the layout file itself is kept and shared. The value is never echoed."""
    for value in values:
        kind = identifiers.classify(value)
        if kind is None and vocabulary is not None:
            kind = "name" if identifiers.looks_like_name(value, vocabulary) else None
        if kind is not None:
            raise ExtractError(
                f"{where}: {key} holds a value that looks like "
                f"{identifiers.DESCRIPTIONS[kind]} (withheld): a layout names an export's "
                "headers and codes, never a person's details; remove it."
            )


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip() for v in value
    ):
        raise ExtractError(f"{where}: {key} must be a list of text values, not {value!r}.")
    return tuple(str(v).strip() for v in value)


def _dropped(value: Any, where: str) -> tuple[str, ...]:
    drop = _strings(value, "drop", where)
    _refuse_identifiers(drop, "drop", where)
    return drop


def _flag(value: Any, where: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ExtractError(f"{where}: pseudonymise must be true or false, not {value!r}.")

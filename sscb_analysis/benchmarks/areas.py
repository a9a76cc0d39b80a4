"""Local authorities in the published files, and finding one by old code, new code or name.

An authority is keyed by its old (three-digit) LA code, which the DfE keeps across boundary
changes that only renumber the new code (North Yorkshire 815 is E10000023 to 2023 and
E06000065 from 2024). Names follow the DfE tables; the neighbour file's spellings
("Bedford Borough", "Durham") are accepted too.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from dataclasses import dataclass

import pandas as pd

from sscb_analysis.benchmarks.codes import DfeDataError
from sscb_analysis.benchmarks.load import folder_stamps, load_neighbour_groups, load_stamped

__all__ = [
    "LONDON",
    "LocalAuthority",
    "UnknownLocalAuthorityError",
    "find_la",
    "local_authorities",
]

# Inner and Outer London are published as regions of their own; both sit inside London.
LONDON = ("E12000007", "London")
_LONDON_PARTS = {"E13000001", "E13000002"}


class UnknownLocalAuthorityError(LookupError):
    """No local authority matches; ``suggestions`` holds the closest names and codes."""

    def __init__(self, query: object, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = (
            f" Did you mean: {'; '.join(suggestions)}?"
            if suggestions
            else " Give an old LA code (210), a new code (E09000028) or a name (Southwark)."
        )
        super().__init__(f"No local authority matches {str(query)!r} in the DfE files.{hint}")


@dataclass(frozen=True)
class LocalAuthority:
    """One local authority as the DfE publishes it.

    ``new_la_code`` is the latest code; ``new_la_codes`` every code used over the years.
    ``london`` is True for the Inner and Outer London boroughs (compared with London too).
    """

    old_la_code: str
    new_la_code: str
    name: str
    region_code: str
    region_name: str
    first_year: int
    last_year: int
    new_la_codes: tuple[str, ...] = ()

    @property
    def london(self) -> bool:
        """True for a London borough (its published region is Inner or Outer London)."""
        return self.region_code in _LONDON_PARTS

    @property
    def label(self) -> str:
        """ "Southwark (210, E09000028)"."""
        return f"{self.name} ({self.old_la_code}, {self.new_la_code})"

    def __str__(self) -> str:
        return self.label


def _normalise(text: str) -> str:
    text = text.lower().replace("&", " and ")
    text = re.sub(r"\(pre lg\)", " pre lg ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=8)
def _register(stamps: tuple[tuple[str, tuple[str, int, int]], ...]) -> pd.DataFrame:
    tidy = load_stamped(stamps)
    la = tidy[tidy["geographic_level"] == "local_authority"]
    la = la[["year", "old_la_code", "new_la_code", "la_name", "region_code", "region_name"]]
    la = la.drop_duplicates().sort_values(["old_la_code", "year"])
    rows = []
    for code, group in la.groupby("old_la_code", sort=True):
        last = group.iloc[-1]
        rows.append(
            {
                "old_la_code": code,
                "new_la_code": last["new_la_code"],
                "la_name": last["la_name"],
                "region_code": last["region_code"],
                "region_name": last["region_name"],
                "first_year": int(group["year"].min()),
                "last_year": int(group["year"].max()),
                "new_la_codes": tuple(dict.fromkeys(group["new_la_code"])),
                "names": tuple(dict.fromkeys(group["la_name"])),
            }
        )
    return pd.DataFrame(rows)


def _neighbour_names(folder: str | os.PathLike[str] | None) -> dict[str, str]:
    try:
        groups = load_neighbour_groups(folder)
    except DfeDataError:  # the neighbour file is optional for name look-ups
        return {}
    return dict(zip(groups["old_la_code"], groups["sn_la_name"], strict=True))


def local_authorities(folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every authority in the files: codes, latest name, region and the years it appears."""
    table = _register(folder_stamps(folder))
    return table.drop(columns=["names"]).copy()


def _row_to_la(row: pd.Series) -> LocalAuthority:
    return LocalAuthority(
        old_la_code=str(row["old_la_code"]),
        new_la_code=str(row["new_la_code"]),
        name=str(row["la_name"]),
        region_code=str(row["region_code"]),
        region_name=str(row["region_name"]),
        first_year=int(row["first_year"]),
        last_year=int(row["last_year"]),
        new_la_codes=tuple(row["new_la_codes"]),
    )


def find_la(
    query: str | int | LocalAuthority, folder: str | os.PathLike[str] | None = None
) -> LocalAuthority:
    """The authority with this old code (210), new code (E09000028) or name ("Southwark").

    Names match ignoring case, punctuation and "&"/"and". Where a name was used by two
    authorities (Dorset 835 before 2019, 838 after) the most recent one is returned; use the
    code for the other. Raises :class:`UnknownLocalAuthorityError` listing close matches.
    """
    if isinstance(query, LocalAuthority):
        return query
    table = _register(folder_stamps(folder))
    text = str(query).strip()
    if re.fullmatch(r"\d{1,3}", text):
        hit = table[table["old_la_code"] == text.zfill(3)]
    elif re.fullmatch(r"[A-Za-z]\d{8}", text):
        code = text.upper()
        hit = table[table["new_la_codes"].map(lambda codes: code in codes)]
    else:
        wanted = _normalise(text)
        aliases = _aliases(table, folder)
        codes = [code for alias, code in aliases if alias == wanted]
        hit = table[table["old_la_code"].isin(codes)]
    if hit.empty:
        raise UnknownLocalAuthorityError(query, _suggest(text, table, folder))
    return _row_to_la(hit.sort_values("last_year").iloc[-1])


def _aliases(table: pd.DataFrame, folder: str | os.PathLike[str] | None) -> list[tuple[str, str]]:
    pairs = [
        (_normalise(name), code)
        for code, names in zip(table["old_la_code"], table["names"], strict=True)
        for name in names
    ]
    pairs += [(_normalise(name), code) for code, name in _neighbour_names(folder).items()]
    return pairs


def _suggest(text: str, table: pd.DataFrame, folder: str | os.PathLike[str] | None) -> list[str]:
    labels = {
        code: f"{name} ({code}, {new})"
        for code, name, new in zip(
            table["old_la_code"], table["la_name"], table["new_la_code"], strict=True
        )
    }
    by_key: dict[str, str] = {}
    for alias, code in _aliases(table, folder):
        by_key.setdefault(alias, code)
    for code, new_codes in zip(table["old_la_code"], table["new_la_codes"], strict=True):
        by_key.setdefault(code, code)
        for new in new_codes:
            by_key.setdefault(new.lower(), code)
    key = _normalise(text) if not re.fullmatch(r"[A-Za-z]\d{8}", text) else text.lower()
    contains = [k for k in by_key if len(key) >= 3 and re.search(rf"\b{re.escape(key)}\b", k)]
    close = contains + difflib.get_close_matches(key, list(by_key), n=8, cutoff=0.6)
    return list(dict.fromkeys(labels[by_key[c]] for c in close))[:5]

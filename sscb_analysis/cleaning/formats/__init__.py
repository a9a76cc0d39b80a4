"""The national formats every local authority holds, recognised and read as extracts.

- **CIN census XML** (:mod:`.cin_census`): the DfE children in need census return; its child
  protection plans are a CPP extract.
- **Ofsted Annex A** (:mod:`.annex_a`): the inspection workbook of lists; List 7 (children
  subject to a child protection plan) is a CPP extract.

The cleaner's read stage asks :func:`sniff` what a file is and, for a known format, takes the
table from :func:`read`: the file as text cells with headers the extract spec recognises, real
source row numbers (see ``docs/formats.md`` for what each number means) and nothing lost.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from sscb_analysis.cleaning.read import ExtractError, RawTable

__all__ = ["FORMATS", "in_date_order", "read", "reference_date", "sniff"]

#: Format names :func:`sniff` can return, and what each is called in messages. ``xml`` is any
#: other XML file: no extract reader can read it, and :func:`read` says why in a sentence.
FORMATS = {
    "cin_census": "a CIN census XML return",
    "annex_a": "an Ofsted Annex A workbook",
    "xml": "an XML file",
}

#: Bytes read from the start of a file to recognise it.
HEAD_BYTES = 65_536

_KIND_NAMES = {
    "cpp": "child protection plans",
    "caf": "early help (CAF) assessments",
    "marac": "MARAC referrals",
}


def sniff(path: str | Path) -> str | None:
    """What a file is, cheaply, from its first bytes (or an XLSX's sheet names).

    ``"cin_census"`` for a CIN census return (root ``Message`` whose ``Header/CollectionDetails/
    Collection`` is ``CIN``, whatever the namespace or year); ``"annex_a"`` for an Ofsted Annex A
    workbook (sheets named "List 1" .. "List 11", "List_7" ...); ``"xml"`` for any other XML file
    (the CSV reader would only misread it; :func:`read` refuses it with the reason); None for
    anything else, and for a file that cannot be opened (the ordinary readers report that).
    """
    from sscb_analysis.cleaning.formats import annex_a, cin_census

    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return None
    if head.startswith(annex_a.ZIP_MAGIC):
        return "annex_a" if annex_a.is_annex_a(path) else None
    header = cin_census.sniff_head(head)
    if header is None:
        return None
    return "cin_census" if cin_census.is_cin(header) else "xml"


def read(
    path: str | Path, kind: str, fmt: str | None = None, *, sheet: str | None = None
) -> RawTable:
    """Read a file that :func:`sniff` recognised as ``fmt`` (sniffed again if not given) as an
    extract of ``kind``; ``sheet`` names an Annex A sheet other than List 7.

    Raises :class:`~sscb_analysis.cleaning.read.ExtractError` with one sentence when the file is
    not what ``fmt`` says, cannot be read, or holds no records of ``kind`` (a CIN census return
    holds child protection plans, not CAF or MARAC records).
    """
    from sscb_analysis.cleaning import limits
    from sscb_analysis.cleaning.formats import annex_a, cin_census

    path = Path(path)
    if fmt is None:
        fmt = sniff(path)
    if fmt in ("cin_census", "xml"):
        if kind != "cpp":
            _wrong_kind(path, kind, "a CIN census XML return", "its child protection plans")
        if sheet is not None:
            raise ExtractError(f"--sheet only applies to Excel files, and {path.name} is XML.")
        table = cin_census.read_cpp(path)
    elif fmt == "annex_a":
        if kind != "cpp":
            _wrong_kind(
                path, kind, "an Ofsted Annex A workbook", "List 7, its child protection plans"
            )
        table = annex_a.read_cpp(path, sheet=sheet)
    else:
        raise ValueError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    # The limits every extract is held to (columns, headers, values), as read_extract applies them.
    limits.check_table(table.headers, [c.dictionary for c in table.columns], path)
    return table


def _wrong_kind(path: Path, kind: str, what: str, holds: str) -> None:
    raise ExtractError(
        f"{path} is {what}, which holds no {_KIND_NAMES.get(kind, kind)}: the cleaner reads "
        f"{holds}; run `sscb clean cpp {path}` for those."
    )


def reference_date(path: str | Path) -> dt.date | None:
    """The date a CIN census return describes (its ``ReferenceDate``, else 31 March of its
    ``Year``), or None for any other file."""
    from sscb_analysis.cleaning.formats import cin_census

    try:
        header = cin_census.census_header(path)
    except OSError:
        return None
    if header is None or not cin_census.is_cin(header):
        return None
    try:
        return dt.date.fromisoformat((header.reference_date or "").strip()[:10])
    except ValueError:
        pass
    try:
        return dt.date(int((header.year or "").strip()), 3, 31)
    except ValueError:
        return None


Source = TypeVar("Source")


def in_date_order(sources: Sequence[Source]) -> list[Source]:
    """Several returns with the latest last, when every one of them is a CIN census return
    (by its reference date; returns of the same date keep their order). When two returns hold
    the same plan, the later one wins: so the order they are given in must not decide which
    is later. Any other mix of inputs keeps the order given."""
    dates = [
        reference_date(s) if isinstance(s, str | os.PathLike) and Path(s).is_file() else None
        for s in sources
    ]
    if len(sources) < 2 or any(d is None for d in dates):
        return list(sources)
    order = sorted(range(len(sources)), key=lambda i: dates[i])  # type: ignore[arg-type,return-value]
    return [sources[i] for i in order]

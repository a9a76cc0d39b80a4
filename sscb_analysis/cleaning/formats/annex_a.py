"""The Ofsted Annex A workbook: List 7 (children subject to a child protection plan) as a table.

Annex A is the list of children a local authority gives Ofsted before an inspection of its
children's services (ILACS), one sheet per list: "List 1" .. "List 11" (some templates write
"List_7"). List 7 is child protection; List 8 is children looked after. A workbook is recognised
by its sheet names, read from the file's ``xl/workbook.xml`` without loading any sheet.

The List 7 columns are declared here, by the template's headers (Ofsted's Annex A template as
Social Finance's liia-tools-pipeline specifies it, ``annex_a_pipeline/spec/Annex_A_schema.yml``):

- read as they are (the CPP extract declares the headers as aliases): child id, gender,
  ethnicity, plan start and end dates, initial and latest category, number of previous plans,
  allocated team;
- kept so that the identifier guard sees and refuses them unless dropped or pseudonymised:
  ``Date of Birth`` and ``Allocated Worker`` (a name);
- left out, because no CPP measure uses them and their dates would read as possible dates of
  birth: age (at the time of the return, not at plan start), disability, last statutory visit,
  seen alone, latest review conference, emergency protection order.

Any other column a local version adds is passed on as it is, for the cleaner to judge.

The template's codes carry a letter: "b) Female", "s) NOBT", "e) Multiple/not recommended". The
letters differ between template versions ("s) NOBT" in one, "t) NOBT" in another), so they are
not read here: the cleaner's category parser reads any category value with a leading letter and
bracket as the code after it (``cleaning.parse``), and the value as written stays in the
quarantine. The age band at plan start is derived from ``Date of Birth`` (see :mod:`.common`).
Source rows are the sheet's own row numbers, as Excel shows them.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import replace
from pathlib import Path

from sscb_analysis.cleaning.encoded import Encoded
from sscb_analysis.cleaning.formats.common import AGE_BAND, age_bands, dates_of
from sscb_analysis.cleaning.read import ExtractError, RawTable
from sscb_analysis.extracts import compact

ZIP_MAGIC = b"PK\x03\x04"

#: A sheet of the Annex A lists: "List 7", "List_7", "list 7 ", "LIST-7".
LIST_SHEET = re.compile(r"^\s*list[\s_\-]*(\d{1,2})\s*$", re.IGNORECASE)
CPP_LIST = 7

#: Bytes of ``xl/workbook.xml`` read for the sheet names (a real one is a few kilobytes).
WORKBOOK_BYTES = 1 << 20
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"", re.DOTALL)

#: List 7 headers left out of the table (compact spelling), and why, for the docs and tests.
LEFT_OUT = {
    compact("Age of Child (Years)"): "age at the return date, not at plan start",
    compact("Age"): "age at the return date, not at plan start",
    compact("Does the Child have a Disability"): "not a CPP extract column",
    compact("Date of the Last Statutory Visit"): "not a CPP extract column",
    compact("Was the Child Seen Alone?"): "not a CPP extract column",
    compact("Date of latest review conference"): "a date, not a count of reviews",
    compact("Date of last review"): "a date, not a count of reviews",
}
#: Headers starting with this (compact) are the emergency protection order question, whose
#: wording varies between template versions.
EPO_PREFIX = compact("Subject to Emergency Protection Order")

BIRTH = compact("Date of Birth")
START = compact("Child Protection Plan Start Date")


def sheet_names(path: str | Path) -> list[str] | None:
    """The workbook's sheet names, in order, from ``xl/workbook.xml``; None if it is not a
    readable workbook. No sheet is loaded, and at most 1 MB of the index is read."""
    try:
        with zipfile.ZipFile(path) as book, book.open("xl/workbook.xml") as fh:
            index = fh.read(WORKBOOK_BYTES)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, RuntimeError):
        return None
    return [html.unescape(m.decode("utf-8", "replace")) for m in _SHEET_TAG.findall(index)]


def list_sheets(names: list[str]) -> dict[int, str]:
    """Annex A list number -> sheet name, for the sheets named like "List 7"."""
    out: dict[int, str] = {}
    for name in names:
        m = LIST_SHEET.match(name)
        if m:
            out.setdefault(int(m.group(1)), name)
    return out


def is_annex_a(path: str | Path) -> bool:
    """Whether a workbook is an Annex A: it has a List 7 sheet, or at least two list sheets."""
    names = sheet_names(path)
    if not names:
        return False
    lists = list_sheets(names)
    return CPP_LIST in lists or len(lists) >= 2


def read_cpp(path: str | Path, *, sheet: str | None = None) -> RawTable:
    """List 7 of an Annex A workbook (or the sheet named by ``sheet``) as a :class:`RawTable`.

    The sheet is read by the cleaner's own XLSX reader: title rows above the headers are
    skipped, a formula without a saved value is a cell problem with its reference, a totals row
    at the bottom is a footer.
    """
    from sscb_analysis.cleaning import read as _read
    from sscb_analysis.cleaning.headers import known_header
    from sscb_analysis.extracts import get_spec

    path = Path(path)
    names = sheet_names(path) or []
    if sheet is None:
        sheet = list_sheets(names).get(CPP_LIST)
        if sheet is None:
            raise ExtractError(
                f"{path} is an Ofsted Annex A workbook without a List 7 sheet, which holds the "
                f"child protection plans (its sheets are {', '.join(repr(n) for n in names)}); "
                "give the sheet with --sheet NAME if it is called something else."
            )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path} could not be read: {exc.strerror or exc}.") from None
    table = _read._read_xlsx(data, path, sheet, known_header(get_spec("cpp")))
    if table.n_rows == 0:
        raise ExtractError(f"{path}: the sheet {sheet!r} has a header row but no plans.")
    table = _list7(table)
    _read.mark_footers(table)
    return table


def _list7(table: RawTable) -> RawTable:
    """The declared List 7 treatment: columns left out (and their cell problems with them),
    the age band at plan start added."""
    kept = [
        i
        for i, header in enumerate(table.headers)
        if compact(header) not in LEFT_OUT and not compact(header).startswith(EPO_PREFIX)
    ]
    new_index = {old: new for new, old in enumerate(kept)}
    headers = [table.headers[i] for i in kept]
    columns = [table.columns[i] for i in kept]
    by_key = {}
    for header, column in zip(headers, columns, strict=True):
        by_key.setdefault(compact(header), column)
    if BIRTH in by_key and START in by_key and compact(AGE_BAND) not in by_key:
        headers.append(AGE_BAND)
        bands = age_bands(dates_of(by_key[BIRTH]), dates_of(by_key[START]))
        columns.append(Encoded.from_arrow(bands))
    problems = [
        replace(p, column=new_index[p.column]) for p in table.problems if p.column in new_index
    ]
    return replace(table, headers=headers, columns=columns, problems=problems)

"""Checks of the rules every extract shares that need a file or two (footers, spreadsheet
cells, several returns): one body, called by each kind's rule tests (``test_rules_<kind>.py``)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from conftest import FIXED_TODAY

from sscb_analysis.cleaning import CleanResult, clean


def rules_at(result: CleanResult, source_row: int) -> set[str]:
    log = result.log
    return set(log.loc[log["source_row"] == source_row, "rule"])


def footer_row(kind: str, frame: pd.DataFrame) -> None:
    """<KIND>021: a totals row below three records is a footer, not a record."""
    frame = pd.concat([frame, pd.DataFrame({frame.columns[0]: ["Total"]})], ignore_index=True)
    result = clean(kind, frame.fillna(""), today=FIXED_TODAY)
    assert rules_at(result, 5) == {f"{kind.upper()}021"} and result.quarantine.empty
    assert result.summary["footers"] == 1 and result.summary["balanced"]


def formula_without_value(kind: str, frame: pd.DataFrame, tmp_path: Path) -> None:
    """<KIND>022: a formula whose result was never saved (as openpyxl writes every formula)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.values.tolist():
        sheet.append(row)
    sheet.cell(row=3, column=3, value="=TODAY()")
    book.save(tmp_path / "x.xlsx")
    result = clean(kind, tmp_path / "x.xlsx", today=FIXED_TODAY)
    assert rules_at(result, 3) == {f"{kind.upper()}022"}
    assert result.quarantine["source_row"].tolist() == [3]


def two_returns(kind: str, frame: pd.DataFrame, tmp_path: Path):
    """The first two records in an earlier return, the last two in a later one, where the
    shared record has lost a date: (result, paths, the date column changed)."""
    earlier, later = frame.iloc[:2].copy(), frame.iloc[1:].copy()
    changed = next(c for c in later.columns if "date" in c and c != later.columns[2])
    later.loc[1, changed] = ""
    paths = [tmp_path / "2013.csv", tmp_path / "2014.csv"]
    earlier.to_csv(paths[0], index=False)
    later.to_csv(paths[1], index=False)
    return clean(kind, paths, today=FIXED_TODAY), paths, changed


def same_in_two_returns(kind: str, frame: pd.DataFrame, tmp_path: Path) -> None:
    """<KIND>023: a record in both returns is counted once, the later return's row kept."""
    result, paths, _ = two_returns(kind, frame, tmp_path)
    s = result.summary
    assert (s["rows_in"], s["clean"], s["same_in_later_return"]) == (4, 3, 1) and s["balanced"]
    same = result.log[result.log["rule"] == f"{kind.upper()}023"]
    assert same["source_file"].tolist() == [str(paths[0])] and same["source_row"].tolist() == [3]
    assert same["value"].iloc[0] == f"{paths[1]} row 2"
    assert result.data["source_file"].astype(str).tolist().count(str(paths[1])) == 2


def changed_between_returns(kind: str, frame: pd.DataFrame, tmp_path: Path) -> None:
    """<KIND>024: a value that changed is logged as earlier -> later, and the later one kept."""
    result, paths, changed = two_returns(kind, frame, tmp_path)
    change = result.log[result.log["rule"] == f"{kind.upper()}024"]
    assert change["column"].tolist() == [changed]
    assert change["value"].iloc[0].endswith("-> (blank)")
    later = result.data[result.data["source_file"].astype(str) == str(paths[1])]
    assert pd.isna(later.set_index("source_row").loc[2, changed])

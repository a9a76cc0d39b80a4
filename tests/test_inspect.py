"""``sscb inspect``: reads without writing, says how each header and value would be read, never
echoes an identifier, escapes what it prints, and gives the layout lines that fix the rest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from conftest import FIXED_TODAY, cpp_rows

from sscb_analysis.cleaning import clean
from sscb_analysis.commands.inspect import command


def case_system_export(tmp_path: Path) -> Path:
    """A workbook as a case system writes it: a title, its own headers, its own codes, a
    worker name column and a totals row."""
    frame = cpp_rows(4).rename(
        columns={
            "child_id": "Person ID",
            "plan_start_date": "CP Plan Start Date",
            "previous_plans": "Prev CP count",
            "category_of_abuse": "Category of Abuse",
        }
    )
    frame["Category of Abuse"] = ["Neglect (N)", "N1", "physical", "EMO"]
    frame["ethnicity"] = ["WBRI", "ZZZZ", "SE5 1PN", "BAFR"]
    frame["Allocated Worker"] = ["Sam Brown", "Ann Lee", "Jo Kaur", "Sam Brown"]
    path = tmp_path / "lcs.xlsx"
    rows = [
        ["CP plans - LCS report"],
        [],
        list(frame.columns),
        *frame.values.tolist(),
        ["Total", 4],
    ]
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def inspect(*args: str):
    return CliRunner().invoke(command, list(args), catch_exceptions=False)


def test_inspect_reports_the_mapping_and_writes_nothing(tmp_path):
    path = case_system_export(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = inspect("cpp", str(path))
    out = result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert result.exit_code == 1  # the previous-plans column must be mapped first
    assert "Header row: 3 (the 2 rows above it: titles)" in out
    assert "of which 1 totals or notes row at the bottom" in out
    assert "'Person ID'" in out and "-> child_id  (a known spelling)" in out
    assert "'Prev CP count'" in out and "looks like previous_plans" in out
    assert "IDENTIFIER: holds names" in out
    assert "'N1'" in out and "NOT KNOWN: an error" in out
    assert "'ZZZZ'" in out and "not known: a query" in out
    # Values the identifier scan does not clear are withheld; names never echoed.
    assert "SE5 1PN" not in out and "Sam Brown" not in out
    assert "previous_plans: Prev CP count" in out
    assert "- Allocated Worker" in out


def test_the_printed_layout_lines_make_the_export_clean(tmp_path):
    path = case_system_export(tmp_path)
    out = inspect("cpp", str(path)).output
    lines = out.split("Layout lines that fix what does not match")[1].split("\n")[1:]
    layout = "\n".join(line[2:] for line in lines if line.startswith("  "))
    import yaml

    parsed = yaml.safe_load(layout)
    assert parsed["codes"]["initial_category"] == {"neglect": ["Neglect (N)", "N1"]}
    assert parsed["codes"]["ethnicity"] == {"CATEGORY": ["ZZZZ"]}
    assert parsed["columns"] == {"previous_plans": "Prev CP count"}
    assert parsed["drop"] == ["Allocated Worker"]
    layout = layout.replace("CATEGORY", "unknown")
    layout_path = tmp_path / "lcs.yml"
    layout_path.write_text(layout, encoding="utf-8")
    again = inspect("cpp", str(path), "--map", str(layout_path))
    assert "previous_plans  (its columns: line in the layout)" in again.output
    # The postcode in the ethnicity column still stops cleaning: the export must be corrected.
    assert again.exit_code == 3 and "SE5 1PN" not in again.output
    fixed = pd.read_excel(path, header=None)
    fixed.iloc[5, list(fixed.iloc[2]).index("ethnicity")] = "WBRI"
    fixed.to_excel(path, header=False, index=False)
    done = inspect("cpp", str(path), "--map", str(layout_path))
    assert done.exit_code == 0
    # Once the layout holds every fix, no "lines that fix what does not match" are offered again
    # (they were, repeating the layout's own drop: list), and the clean command names the map.
    assert "Layout lines that fix" not in done.output
    assert f"--map {layout_path}` would read it as shown" in done.output
    result = clean("cpp", path, layout=layout_path, today=FIXED_TODAY)
    assert len(result.data) == 4 and result.summary["footers"] == 1
    assert result.data["initial_category"].tolist()[:2] == ["neglect", "neglect"]


def test_inspect_escapes_what_it_prints(tmp_path):
    frame = cpp_rows(2)
    frame["gender"] = ["\x1b[2Jmale", "female\u202e"]
    frame = frame.rename(columns={"team": "team\x07"})
    path = tmp_path / "x.csv"
    frame.to_csv(path, index=False)
    out = inspect("cpp", str(path)).output
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b" in out


def test_inspect_a_file_it_cannot_read(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Report\nnothing here\n")
    result = inspect("cpp", str(path))
    assert result.exit_code == 1 and "Cannot read it: No header row found" in result.output


def test_inspect_a_clean_export(tmp_path):
    path = tmp_path / "x.csv"
    cpp_rows(3).to_csv(path, index=False)
    result = inspect("cpp", str(path))
    assert result.exit_code == 0 and "Everything matches" in result.output


def test_inspect_a_cin_census_return_and_an_annex_a_workbook(tmp_path):
    import datetime as dt

    from sscb_analysis import synth, synth_formats

    frame = synth.generate_cpp(seed=synth.DEFAULT_SEED)
    census = synth_formats.write_cin_census(frame, 2013, tmp_path / "cin_2013.xml")
    out = inspect("cpp", str(census))
    assert "(a CIN census XML return)" in out.output and " records" in out.output
    assert "'CPPstartDate'" in out.output and "-> plan_start_date" in out.output
    assert "'LatestCategoryOfAbuse'" in out.output and "-> latest_category" in out.output
    assert "plan_id: derived from child_id and plan_start_date" in out.output
    assert "IDENTIFIER" in out.output and out.exit_code == 3
    annex = synth_formats.write_annex_a(frame, dt.date(2014, 3, 31), tmp_path / "annex_a.xlsx")
    out = inspect("cpp", str(annex))
    assert "Ofsted Annex A" in out.output and "-> initial_category" in out.output
    assert "Allocated Worker" in out.output and out.exit_code == 3


def test_one_record_is_one_record_and_the_summary_says_what_disagrees(tmp_path):
    # "1 records", and "they disagree on 0" beside a plan whose status rested on one source only.
    from sscb_analysis.paths import ROOT

    census = ROOT / "tests" / "fixtures" / "cin" / "CIN_Census_2024.xml"
    out = inspect("cpp", str(census)).output
    assert "\n1 record\n" in out
    layout = tmp_path / "cin.yml"
    layout.write_text("kind: cpp\ndrop: [UPN, FormerUPN, PersonBirthDate]\n", encoding="utf-8")
    from click.testing import CliRunner

    from sscb_analysis.cli import main

    done = CliRunner().invoke(
        main, ["clean", "cpp", str(census), "--map", str(layout), "--out", str(tmp_path)]
    )
    assert done.exit_code == 0, done.output
    assert "recorded number below the history for 0)" in done.output
    assert "disagree on" not in done.output


def test_a_header_or_file_name_holding_an_identifier_is_never_printed(tmp_path):
    """Issue 12 finding 3 for inspect: ``clean`` refuses such a header or file name without
    naming it; ``inspect`` printed them verbatim (and offered ``drop: - Jane Smith 9434765919``)."""
    frame = cpp_rows(3)
    frame["Jane Smith 9434765919"] = "x"
    frame["DOB 3 March 2008"] = "y"
    path = tmp_path / "cpp.csv"
    frame.to_csv(path, index=False)
    result = inspect("cpp", str(path))
    assert "9434765919" not in result.output and "Smith" not in result.output
    assert "March 2008" not in result.output
    assert "IDENTIFIER IN THE HEADER (withheld: it looks like an NHS number)" in result.output
    assert "rename that column in the export" in result.output
    assert result.exit_code == 3
    named = tmp_path / "plans jane.smith@example.org.csv"
    cpp_rows(3).to_csv(named, index=False)
    result = inspect("cpp", str(named))
    assert "jane.smith" not in result.output and "example.org" not in result.output
    assert "The file's name looks like it holds an email address" in result.output
    assert result.exit_code == 3


def test_a_layout_dropping_a_column_the_file_lacks_is_not_everything_matches(tmp_path):
    """inspect said "Everything matches" while ``sscb clean`` with the same layout stopped on
    the drop: line naming a column the export does not have."""
    path = tmp_path / "cpp.csv"
    cpp_rows(3).to_csv(path, index=False)
    layout = tmp_path / "lay.yml"
    layout.write_text("kind: cpp\ndrop: [Allocated Worker]\n", encoding="utf-8")
    result = inspect("cpp", str(path), "--map", str(layout))
    assert "Everything matches" not in result.output
    assert "'Allocated Worker': there is no such column" in result.output
    assert result.exit_code == 1

"""Layout files: one export shape described once; checked with a sentence for every mistake;
command-line options win over the file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FIXED_TODAY, cpp_rows

from sscb_analysis.cleaning import ExtractError, clean
from sscb_analysis.cleaning.layout import load_layout
from sscb_analysis.commands.clean import command

LAYOUT = """\
kind: cpp
sheet: CP Plans
header_row: auto
columns:
  plan_id: CP Ref
  child_id: Person ID
  plan_start_date: Date CP Plan Began
  previous_plans: Prev CP count
codes:
  initial_category: {neglect: [N1, Neglect (N)], sexual: [CSA]}
drop: [Allocated Worker]
pseudonymise: false
"""


def export(tmp_path: Path) -> Path:
    """A case-system export whose headers and codes only the layout explains."""
    frame = cpp_rows(3).rename(
        columns={
            "plan_id": "CP Ref",
            "child_id": "Person ID",
            "plan_start_date": "Date CP Plan Began",
            "previous_plans": "Prev CP count",
        }
    )
    frame["category_of_abuse"] = ["N1", "Neglect (N)", "CSA"]
    frame["previous_plans" if "previous_plans" in frame else "Prev CP count"] = ["0", "1", "0"]
    frame["Allocated Worker"] = ["Sam Brown", "Ann Lee", "Jo Kaur"]
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name="Summary", index=False)
        frame.to_excel(writer, sheet_name="CP Plans", index=False)
    return path


def write(tmp_path: Path, text: str, name: str = "lcs_cpp.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_layout_maps_headers_codes_sheet_and_drop(tmp_path):
    layout = write(tmp_path, LAYOUT)
    result = clean("cpp", export(tmp_path), layout=layout, today=FIXED_TODAY)
    data = result.data
    assert data["plan_id"].tolist() == ["CPP000000", "CPP000001", "CPP000002"]
    assert data["initial_category"].tolist() == ["neglect", "neglect", "sexual"]
    assert data["second_or_subsequent"].tolist() == [False, True, False]
    assert "Allocated Worker" in result.summary["columns_dropped"]
    assert result.summary["options"]["layout"] == str(layout)
    assert len(result.summary["options"]["layout_sha256"]) == 64


def test_without_the_layout_the_worker_names_are_refused(tmp_path):
    from sscb_analysis.cleaning import IdentifierError

    with pytest.raises((IdentifierError, ExtractError)):
        clean("cpp", export(tmp_path), sheet="CP Plans", today=FIXED_TODAY)


def test_command_line_options_win_over_the_layout(tmp_path):
    layout = write(tmp_path, LAYOUT.replace("sheet: CP Plans", "sheet: Nope"))
    with pytest.raises(ExtractError, match="no sheet called 'Nope'"):
        clean("cpp", export(tmp_path), layout=layout, today=FIXED_TODAY)
    result = clean("cpp", export(tmp_path), layout=layout, sheet="CP Plans", today=FIXED_TODAY)
    assert len(result.data) == 3
    env = {"SSCB_PSEUDONYM_KEY": "a-test-key-that-is-long-enough"}
    on = write(tmp_path, LAYOUT.replace("pseudonymise: false", "pseudonymise: true"), "on.yml")
    result = clean("cpp", export(tmp_path), layout=on, environ=env, today=FIXED_TODAY)
    assert result.summary["pseudonymised"] and "CPP000000" not in set(result.data["plan_id"])
    result = clean(
        "cpp", export(tmp_path), layout=on, pseudonymise=False, environ=env, today=FIXED_TODAY
    )
    assert not result.summary["pseudonymised"] and "CPP000000" in set(result.data["plan_id"])


def test_header_row_number_in_the_layout(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("Report\nChild protection plans\n" + cpp_rows(2).to_csv(index=False))
    layout = write(tmp_path, "kind: cpp\nheader_row: 3\n")
    result = clean("cpp", path, layout=layout, today=FIXED_TODAY)
    assert result.summary["header_row"] == 3 and len(result.data) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "must be a YAML mapping"),
        ("kind: cpp\ncolums: {}\n", "unknown key 'colums' (did you mean 'columns'?)"),
        ("kind: cp\n", "kind must be one of cpp, caf, marac, not 'cp' (did you mean 'cpp'?)"),
        ("kind: caf\n", "describes a CAF export, but a CPP extract is being cleaned"),
        ("kind: cpp\ncolumns: {child: Person ID}\n", "'child' is not a column of a CPP extract"),
        ("kind: cpp\ncolumns: {child_id: ''}\n", "columns.child_id must be the header"),
        (
            "kind: cpp\ncolumns: {child_id: Ref, plan_id: ref}\n",
            "child_id and plan_id both name the header 'ref'",
        ),
        ("kind: cpp\ncodes: {team: {a: [b]}}\n", "'team' is not a column with categories"),
        (
            "kind: cpp\ncodes: {initial_category: {neglet: [N1]}}\n",
            "'neglet' is not a category of initial_category (did you mean 'neglect'?)",
        ),
        (
            "kind: cpp\ncodes: {initial_category: {neglect: [P], physical: [P2]}}\n",
            "maps to two categories",
        ),
        ("kind: cpp\nheader_row: 0\n", "header_row must be auto or the number"),
        ("kind: cpp\npseudonymise: maybe\n", "pseudonymise must be true or false"),
        ("kind: cpp\ndrop: {a: 1}\n", "drop must be a list of text values"),
        ("kind: cpp\ncolumns: [\n", "is not valid YAML (line"),
    ],
)
def test_mistakes_in_a_layout_are_one_sentence_naming_the_key(tmp_path, text, message):
    layout = write(tmp_path, text)
    with pytest.raises(ExtractError) as info:
        spec_layout = load_layout(layout, "cpp")
        clean("cpp", cpp_rows(2), layout=spec_layout, today=FIXED_TODAY)
    assert message in str(info.value)


def _laughs(depth: int = 9) -> str:
    """A YAML list whose anchors nest nine lists of nine, ``depth`` deep ("billion laughs")."""
    parts = ['&a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    parts += [f"&a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, depth)]
    return "[" + ", ".join(parts) + "]"


@pytest.mark.parametrize(
    "where", ["drop: {}", "codes:\n  gender:\n    male: {}", "columns: {{team: {}}}"]
)
def test_aliases_in_a_layout_are_refused_before_anything_walks_them(tmp_path, where):
    # A 1 KB layout of nested aliases once kept `sscb inspect` and `sscb clean` busy past any
    # timeout (9**9 items walked); an alias is now a YAML mistake at its line and column.
    import time

    layout = write(tmp_path, "kind: cpp\n" + where.format(_laughs()) + "\n")
    began = time.perf_counter()
    with pytest.raises(ExtractError, match=r"not valid YAML \(line \d+, column \d+\): an alias"):
        load_layout(layout, "cpp")
    assert time.perf_counter() - began < 5


def test_a_layout_header_missing_from_the_file_is_named(tmp_path):
    layout = write(tmp_path, "kind: cpp\ncolumns: {child_id: Person Ref}\n")
    with pytest.raises(ExtractError, match=r"maps child_id to .Person Ref., but .* no such header"):
        clean("cpp", cpp_rows(2), layout=layout, today=FIXED_TODAY)


def test_missing_layout_file():
    with pytest.raises(ExtractError, match="does not exist"):
        load_layout("nowhere/layout.yml")


def test_cli_clean_with_a_map_and_several_inputs(tmp_path):
    layout = write(tmp_path, LAYOUT)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        command, ["cpp", str(export(tmp_path)), "--map", str(layout), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "cpp.parquet").is_file()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    cpp_rows(2).to_csv(a, index=False)
    cpp_rows(3).iloc[1:].to_csv(b, index=False)
    result = CliRunner().invoke(command, ["cpp", str(a), str(b), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 also in a later return" in result.output


def test_cli_escapes_hostile_text_from_the_file(tmp_path):
    path = tmp_path / "x.csv"
    frame = cpp_rows(2).rename(columns={"child_id": "child\x1b[31m_id"})
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(command, ["cpp", str(path), "--out", str(tmp_path / "o")])
    assert "\x1b" not in result.output and result.exit_code == 1


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[1] / "layouts").glob("*.yml")))
def test_every_example_layout_is_valid(path):
    layout = load_layout(path)
    assert layout.columns and layout.kind in ("cpp", "caf", "marac")
    from sscb_analysis.extracts import get_spec

    layout.apply(get_spec(layout.kind))  # its codes fit the extract's categories


def test_a_device_is_neither_a_layout_nor_an_export():
    with pytest.raises(ExtractError, match="not a regular file"):
        load_layout("/dev/zero")
    with pytest.raises(ExtractError, match="is a device"):
        clean("cpp", "/dev/zero")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("kind: cpp\ncodes: {gender: {male: [Jane Smith]}}\n", "a person's name"),
        ("kind: cpp\ncodes: {ethnicity: {white: ['943 476 5919']}}\n", "an NHS number"),
        ("kind: cpp\ncolumns: {team: 'jo@council.gov.uk'}\n", "an email address"),
        ("kind: cpp\ndrop: ['DOB 03/03/2008']\n", "a date of birth"),
    ],
)
def test_a_layout_holding_an_identifier_is_refused_without_echoing_it(tmp_path, text, kind):
    """A `codes:` spelling cleared a name in every export the layout read ("Jane Smith" as a
    spelling of male reached the quarantine of a row set aside); the layout file is kept and
    shared, so no value in it may hold a person's details."""
    with pytest.raises(ExtractError) as info:
        load_layout(write(tmp_path, text), "cpp")
    message = str(info.value)
    assert f"looks like {kind} (withheld)" in message
    for secret in ("Smith", "5919", "jo@", "2008"):
        assert secret not in message

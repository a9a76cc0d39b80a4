"""The board's indicator dataset: definitions, coded rules, nothing lost, the identifier scan, and
the shipped SYNTHETIC example (sscb_analysis.dataset, sscb_analysis.synth_indicators)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sscb_analysis.cleaning.protect import IdentifierError
from sscb_analysis.cleaning.read import ExtractError
from sscb_analysis.cleaning.validate import LOG_COLUMNS
from sscb_analysis.dataset import (
    DefinitionError,
    parse_definitions,
    read_definitions,
    read_indicators,
)
from sscb_analysis.dataset.processed import (
    balanced,
    load_dataset,
    read_processed_dataset,
    write_processed_dataset,
)
from sscb_analysis.paths import SYNTHETIC
from sscb_analysis.synth_indicators import MEASURES, generate_indicators, write_indicators

DEFS = {
    "indicators": {
        "visits": {
            "name": "Visits on time",
            "definition": "Visits made on time, of visits due.",
            "unit": "percent",
            "better": "higher",
            "target": 90,
            "source": "Case system",
            "owner": "Social care",
        },
        "lado": {
            "name": "LADO allegations",
            "definition": "Allegations referred to the LADO.",
            "unit": "count",
            "better": "neutral",
            "source": "LADO log",
            "owner": "LADO",
        },
        "rate": {
            "name": "Referrals per 10,000 children",
            "definition": "Referrals per 10,000 children under 18.",
            "unit": "rate",
            "per": 10000,
            "better": "neutral",
            "source": "Case system",
            "owner": "Social care",
        },
    }
}


def write(tmp_path: Path, text: str, name: str = "indicators.csv") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def read(tmp_path: Path, text: str):
    return read_indicators(write(tmp_path, text), parse_definitions(DEFS, "indicators.yml"))


def rules_of(data, row: int) -> list[str]:
    return data.log.loc[data.log["source_row"] == row, "rule"].tolist()


def test_a_clean_file_gives_values_in_the_units_scale(tmp_path):
    data = read(
        tmp_path,
        """
        indicator,period_start,period_end,numerator,denominator,value
        visits,01/04/2012,30/06/2012,45,50,
        visits,2012-07-01,2012-09-30,,,88.5%
        lado,01/04/2012,30/06/2012,7,,
        lado,01/07/2012,30/09/2012,,,9
        rate,01/04/2012,30/06/2012,120,60000,20
        """,
    )
    t = data.table
    assert len(t) == 5 and data.quarantine.empty and data.log.empty
    assert list(t.columns) == [
        "indicator",
        "period_start",
        "period_end",
        "numerator",
        "denominator",
        "value",
        "source_row",
    ]
    visits = data.series("visits")
    assert visits["value"].tolist() == [90.0, 88.5]
    assert str(visits["period_start"].iloc[1])[:10] == "2012-07-01"
    assert data.series("lado")["value"].tolist() == [7.0, 9.0]
    assert data.series("rate")["value"].tolist() == [20.0]


def test_every_rule_and_nothing_lost(tmp_path):
    data = read(
        tmp_path,
        """
        indicator,period_start,period_end,numerator,denominator,value
        ,01/04/2012,30/06/2012,1,2,
        nope,01/04/2012,30/06/2012,1,2,
        visits,31/02/2012,30/06/2012,1,2,
        visits,01/07/2012,30/06/2012,1,2,
        visits,01/04/2012,30/06/2012,-1,2,
        visits,01/04/2012,30/06/2012,1,0,
        visits,01/04/2012,30/06/2012,3,2,
        visits,01/04/2012,30/06/2012,,,
        visits,01/04/2012,30/06/2012,,,101
        visits,01/10/2012,31/12/2012,1,3,50
        lado,01/04/2012,30/06/2012,4,,
        lado,01/04/2012,30/06/2012,5,,
        lado,01/07/2012,30/09/2012,6,10,
        lado,01/07/2012,30/09/2012,6,10,
        ,,,,,
        lado,01/01/2013,31/03/2013,8,,
        lado,01/04/2012,31/03/2013,30,,
        visits,01/01/2013,31/03/2013,1,3,33.3
        """,
    )
    expect = {
        2: ["IND001"],
        3: ["IND002"],
        4: ["IND003"],
        5: ["IND004"],
        6: ["IND005"],
        7: ["IND006"],
        8: ["IND007"],
        9: ["IND008"],
        10: ["IND009"],
        11: ["IND010"],
        12: ["IND011"],
        13: ["IND011"],
        14: ["IND015"],
        15: ["IND016"],
        16: ["IND017"],
        17: ["IND014"],
        18: ["IND013"],
    }
    for row, codes in expect.items():
        assert rules_of(data, row) == codes, (row, data.log[data.log["source_row"] == row])
    # 33.3 is 1 of 3 rounded to one decimal: it agrees.
    assert rules_of(data, 19) == []
    # Nothing lost: every row is clean, quarantined, or logged as blank or duplicate.
    kept = set(data.table["source_row"].tolist())
    quarantined = set(data.quarantine["source_row"].tolist())
    logged_only = {15, 16}
    assert kept | quarantined | logged_only == set(range(2, 20))
    assert not kept & quarantined
    assert data.rows_read == 18
    assert list(data.log.columns) == LOG_COLUMNS
    assert (data.log.loc[data.log["severity"] == "error", "action"] == "quarantined").all()
    # The quarantine keeps the text as written, with the rules broken.
    q = data.quarantine.set_index("source_row")
    assert q.loc[4, "period_start"] == "31/02/2012" and q.loc[4, "rules"] == "IND003"
    # The gap row is kept, flagged; the count's denominator is dropped and said so.
    assert 17 in kept and 14 in kept
    assert pd.isna(data.series("lado").set_index("source_row").loc[14, "denominator"])
    # What a run keeps in the processed folder reads back as the same dataset, every row of it.
    assert balanced(data)
    path = write_processed_dataset(data, tmp_path / "processed", {"kind": "indicators"})
    back, summary = read_processed_dataset(path)
    assert summary == {"kind": "indicators"} and back.rows_read == 18
    assert back.definitions == data.definitions
    for name in ("table", "quarantine", "log"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(data, name), obj=name)
    assert load_dataset(path).source_file == data.source_file
    # the analysts' copies are spreadsheet-safe CSVs beside it
    assert (tmp_path / "processed" / "indicators_cleaning_log.csv").is_file()
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match=r"not a checked board dataset .* run `sscb run` again"):
        read_processed_dataset(path)


def test_identifiers_are_refused_like_an_extract(tmp_path):
    with pytest.raises(IdentifierError, match="Child name"):
        read(
            tmp_path,
            """
            indicator,period_start,period_end,numerator,Child name
            lado,01/04/2012,30/06/2012,4,Ann
            """,
        )
    with pytest.raises(IdentifierError, match="email"):
        read(
            tmp_path,
            """
            indicator,period_start,period_end,numerator,comment_x
            lado,01/04/2012,30/06/2012,4,ann.smith@example.org
            """,
        )
    with pytest.raises(IdentifierError, match="postcode"):
        read(
            tmp_path,
            """
            indicator,period_start,period_end,numerator
            SE1 7PB,01/04/2012,30/06/2012,4
            """,
        )
    # Dropped on request: logged, and the rest is read.
    data = read_indicators(
        write(
            tmp_path,
            """
            indicator,period_start,period_end,numerator,Child name
            lado,01/04/2012,30/06/2012,4,Ann
            """,
        ),
        parse_definitions(DEFS),
        drop=["Child name"],
    )
    assert len(data.table) == 1 and data.log["rule"].tolist() == ["IND018"]


def test_identifiers_in_the_file_name_headers_and_definitions_are_refused(tmp_path):
    # Found when tried as an attacker would: a header holding an NHS number was dropped and
    # logged (the log reaches the pages) with its text, and the definitions' words (printed on
    # every board page) were never scanned.
    text = """
        indicator,period_start,period_end,numerator,Jane Smith 943 476 5919
        lado,01/04/2012,30/06/2012,4,x
        """
    with pytest.raises(IdentifierError) as info:
        read(tmp_path, text)
    assert "column 5" in str(info.value) and "5919" not in str(info.value)
    named = tmp_path / "DOB 03-03-2008"
    named.mkdir()
    with pytest.raises(IdentifierError, match="the file's name") as info:
        read_indicators(
            write(
                named, "indicator,period_start,period_end,numerator\nlado,01/04/2012,30/06/2012,4\n"
            ),
            parse_definitions(DEFS),
        )
    assert "2008" not in str(info.value)
    # No --drop or --pseudonymise applies to this file: the message says to correct it.
    with pytest.raises(IdentifierError, match="correct the export") as info:
        read(
            tmp_path,
            "indicator,period_start,period_end,numerator,note\nlado,01/04/2012,30/06/2012,4,07700 900123\n",
        )
    assert "--drop" not in str(info.value)
    for field, value in [
        ("definition", "Visits on time (ask 07700 900123)."),
        ("owner", "Jo Bloggs, jo.bloggs@council.example.org"),
        ("source", "Case of NHS 943 476 5919"),
        ("name", "Visits for child born 03/03/2008"),
    ]:
        entry = {**DEFS["indicators"]["visits"], field: value}
        with pytest.raises(DefinitionError, match=f"'{field}' looks like it holds") as info:
            parse_definitions({"indicators": {"visits": entry}}, "my.yml")
        assert value not in str(info.value)
    # A definition may name the date it changed: only a date called a birth is refused.
    entry = {**DEFS["indicators"]["visits"], "definition": "Visits on time since 01/04/2012."}
    assert parse_definitions({"indicators": {"visits": entry}})["visits"].definition


def test_unknown_and_hostile_headers_are_logged_not_trusted(tmp_path):
    data = read(
        tmp_path,
        """
        indicator,period_start,period_end,numerator,<script>alert(1)</script>
        lado,01/04/2012,30/06/2012,4,x
        """,
    )
    assert data.log["rule"].tolist() == ["IND018"]
    assert data.log["column"].iloc[0] == "<script>alert(1)</script>"
    assert len(data.table) == 1


def test_missing_columns_and_unreadable_files(tmp_path):
    with pytest.raises(ExtractError, match="period_end"):
        read(tmp_path, "indicator,period_start,numerator\nlado,01/04/2012,4\n")
    with pytest.raises(ExtractError, match="neither"):
        read(tmp_path, "indicator,period_start,period_end\nlado,01/04/2012,30/06/2012\n")
    with pytest.raises(ExtractError, match="does not exist"):
        read_indicators(tmp_path / "none.csv", parse_definitions(DEFS))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit": "pounds"}, "unit"),
        ({"better": "up"}, "better"),
        ({"target": 120}, "0 to 100"),
        ({"target": "high"}, "number"),
        ({"colour": "red"}, "unknown field"),
        ({"name": ""}, "'name' is required"),
        ({"per": 100}, "only to unit: rate"),
        ({"chart": "c"}, "needs unit count"),
    ],
)
def test_definition_mistakes_are_sentences(change, message):
    entry = {**DEFS["indicators"]["visits"], **change}
    with pytest.raises(DefinitionError, match=message) as info:
        parse_definitions({"indicators": {"visits": entry}}, "my.yml")
    assert "my.yml, indicator 'visits'" in str(info.value)


@pytest.mark.parametrize("field", ["name", "definition", "source", "owner", "target_source"])
def test_control_characters_in_printed_fields_are_refused(field):
    # Review: an ANSI escape in an indicator's name reached the scorecard, page 07 and the
    # PDF as a raw ESC byte (the profile already refuses control characters in its texts).
    entry = {**DEFS["indicators"]["visits"], "target_source": "the plan"}
    entry[field] = "Visits \x1b[31mRED\x1b[0m"
    with pytest.raises(DefinitionError, match=f"'{field}' holds a control character") as info:
        parse_definitions({"indicators": {"visits": entry}}, "my.yml")
    assert "\x1b" not in str(info.value)


def test_a_target_may_say_where_it_is_set():
    entry = {**DEFS["indicators"]["visits"], "target_source": "  the  plan "}
    assert parse_definitions({"indicators": {"v": entry}})["v"].target_source == "the plan"
    no_target = {k: v for k, v in entry.items() if k != "target"}
    with pytest.raises(DefinitionError, match="'target_source' is given without a 'target'"):
        parse_definitions({"indicators": {"v": no_target}})


def test_definition_file_errors(tmp_path):
    with pytest.raises(DefinitionError, match="does not exist"):
        read_definitions(tmp_path / "indicators.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("indicators: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="not valid YAML"):
        read_definitions(bad)
    with pytest.raises(DefinitionError, match="'indicators:' block"):
        parse_definitions({"visits": {}})
    laughs = tmp_path / "laughs.yml"
    laughs.write_text("indicators:\n  a: &a {name: x}\n  b: *a\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"not valid YAML \(line 3\)"):
        read_definitions(laughs)
    with pytest.raises(DefinitionError, match="lower-case"):
        parse_definitions({"indicators": {"Bad Key": DEFS["indicators"]["lado"]}})
    rate = {**DEFS["indicators"]["rate"]}
    del rate["per"]
    with pytest.raises(DefinitionError, match="needs 'per'"):
        parse_definitions({"indicators": {"rate": rate}})


def test_the_synthetic_example_matches_the_seed_report(tmp_path):
    csv, yml = write_indicators(tmp_path)
    defs = read_definitions(yml)
    assert defs.synthetic and set(defs) == {m.key for m in MEASURES}
    assert all(d.source.startswith("SYNTHETIC") for d in defs.indicators.values())
    data = read_indicators(csv)
    assert data.quarantine.empty and data.log.empty
    t = data.table
    year = t["period_start"].dt.year.where(
        t["period_start"].dt.month > 3, t["period_start"].dt.year - 1
    )
    totals = t.assign(year=year).groupby(["indicator", "year"])[["numerator", "denominator"]].sum()
    pf = totals.loc["private_fostering_notifications", "numerator"]
    assert pf.loc[2012] / pf.loc[2011] == 1.25  # "an increase of 25% in notifications"
    s20 = totals.loc["section_20_entries_share"]
    assert f"{100 * s20.loc[2011, 'numerator'] / s20.loc[2011, 'denominator']:.1f}" == "32.6"
    assert f"{100 * s20.loc[2012, 'numerator'] / s20.loc[2012, 'denominator']:.1f}" == "23.7"
    # Seeded: the same seed gives the same bytes, another seed other figures.
    assert generate_indicators(2013).equals(generate_indicators(2013))
    assert not generate_indicators(7).equals(generate_indicators(2013))


def test_the_committed_example_is_the_generators_output():
    for name in ("indicators.csv", "indicators.yml"):
        assert (SYNTHETIC / name).is_file(), f"run `sscb synth` to write data/raw/synthetic/{name}"
    data = read_indicators(SYNTHETIC / "indicators.csv")
    assert data.definitions.synthetic and data.quarantine.empty


def test_a_header_that_reads_as_a_persons_name_is_refused(tmp_path):
    """The cleaner refuses a header such as "Jane Smith"; the dataset logged it as a dropped
    column with its text (the log reaches the pages)."""
    text = """
        indicator,period_start,period_end,numerator,Jane Smith
        lado,01/04/2012,30/06/2012,4,x
        """
    with pytest.raises(IdentifierError) as info:
        read(tmp_path, text)
    assert "column 5" in str(info.value) and "Smith" not in str(info.value)

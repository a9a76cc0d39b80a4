"""CIN census XML: recognising a return and reading its child protection plans.

Real example returns (Data to Insight's CIN validator, MIT; see tests/fixtures/cin/README.md) and
small hand-made files for each way a file can go wrong.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sscb_analysis.cleaning.formats import cin_census, read, sniff
from sscb_analysis.cleaning.read import ExtractError

FIXTURES = Path(__file__).parent / "fixtures" / "cin"
PLAN_HEADERS = [
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "NumberOfPreviousCPP",
]


def values(table, header: str) -> list[str | None]:
    """The text of one column, every row."""
    column = table.columns[table.headers.index(header)]
    return column.values_at(np.arange(table.n_rows))


def line_of(path: Path, text: str, nth: int = 0) -> int:
    """The 1-based line number of the ``nth`` line containing ``text`` (the test's own count)."""
    lines = [i + 1 for i, line in enumerate(path.read_text().splitlines()) if text in line]
    return lines[nth]


def child(
    lachildid: str = "C1",
    plans: str = "",
    identifiers: str = "<PersonBirthDate>2010-05-01</PersonBirthDate><Sex>F</Sex>",
) -> str:
    """One Child element with the given ChildProtectionPlans elements (as XML text)."""
    return (
        "<Child>\n<ChildIdentifiers>\n"
        f"<LAchildID>{lachildid}</LAchildID>\n{identifiers}\n</ChildIdentifiers>\n"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>\n"
        f"<CINdetails>\n<CINreferralDate>2012-01-01</CINreferralDate>\n{plans}</CINdetails>\n"
        "</Child>\n"
    )


def plan(start: str = "2012-05-01", end: str = "", extra: str = "") -> str:
    end_tag = f"<CPPendDate>{end}</CPPendDate>\n" if end else ""
    return (
        "<ChildProtectionPlans>\n"
        f"<CPPstartDate>{start}</CPPstartDate>\n{end_tag}"
        "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>\n"
        "<LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>\n"
        f"<NumberOfPreviousCPP>0</NumberOfPreviousCPP>\n{extra}"
        "<Reviews><CPPreviewDate>2012-08-01</CPPreviewDate></Reviews>\n"
        "</ChildProtectionPlans>\n"
    )


def message(children: str, collection: str = "CIN", root_attrs: str = "", prefix: str = "") -> str:
    """A whole return; ``prefix`` (e.g. ``"cin:"``) prefixes every element name."""
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Message{root_attrs}>\n<Header>\n'
        f"<CollectionDetails>\n<Collection>{collection}</Collection>\n<Year>2013</Year>\n"
        "<ReferenceDate>2013-03-31</ReferenceDate>\n</CollectionDetails>\n</Header>\n"
        f"<Children>\n{children}</Children>\n</Message>\n"
    )
    if prefix:
        body = body.replace("</", "\0").replace("<", f"<{prefix}").replace("\0", f"</{prefix}")
        body = body.replace(f"<{prefix}?xml", "<?xml")
    return body


def write(tmp_path: Path, text: str, name: str = "census.xml", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ---------------------------------------------------------------------------- real examples
@pytest.mark.parametrize(
    ("name", "sex_element"),
    [("CIN_Census_2021", "GenderCurrent"), ("CIN_Census_2024", "Sex"), ("CIN_Census_2026", "Sex")],
)
def test_example_returns_read_with_their_layout(name: str, sex_element: str) -> None:
    path = FIXTURES / f"{name}.xml"
    assert sniff(path) == "cin_census"
    table = read(path, "cpp", "cin_census")
    assert table.n_rows == 1  # DfEX0000001's one plan; the second child has none
    assert table.headers == [
        "LAchildID",
        "UPN",
        "FormerUPN",
        "PersonBirthDate",
        sex_element,
        "Ethnicity",
        *PLAN_HEADERS,
        "age_band",
    ]
    assert values(table, "LAchildID") == ["DfEX0000001"]
    assert values(table, "UPN") == ["A123456789123"]
    assert values(table, "InitialCategoryOfAbuse") == ["PHY"]
    assert values(table, "NumberOfPreviousCPP") == ["10"]
    # The source row is the line of the plan's start tag, as a text editor numbers it.
    assert table.source_rows.tolist() == [line_of(path, "<ChildProtectionPlans>")]
    assert table.source_file == str(path)
    assert table.malformed == {}


def test_dfe_example_child_keeps_its_1970_dates_as_written() -> None:
    """The DfE example child's implausible dates are passed on raw, for the rules to judge."""
    table = read(FIXTURES / "CIN_Census_2021.xml", "cpp", "cin_census")
    assert values(table, "CPPstartDate") == ["1970-02-17"]
    assert values(table, "CPPendDate") == ["1971-03-14"]
    assert values(table, "PersonBirthDate") == ["1965-03-27"]
    assert values(table, "age_band") == ["1-4"]  # 4 years old on 17 February 1970


def test_2026_pre_proceedings_module_is_not_read() -> None:
    t2024 = read(FIXTURES / "CIN_Census_2024.xml", "cpp", "cin_census")
    t2026 = read(FIXTURES / "CIN_Census_2026.xml", "cpp", "cin_census")
    assert t2024.headers == t2026.headers
    for header in t2024.headers:
        assert values(t2024, header) == values(t2026, header)


def test_census_header_says_which_year() -> None:
    header = cin_census.census_header(FIXTURES / "CIN_Census_2021.xml")
    assert (header.collection, header.year, header.reference_date) == ("CIN", "2023", "2023-03-31")


# ---------------------------------------------------------------------------- recognising
def test_sniff_tells_formats_apart(tmp_path: Path) -> None:
    assert sniff(write(tmp_path, message(child(plans=plan())))) == "cin_census"
    assert sniff(write(tmp_path, "<root><a/></root>", "other.xml")) == "xml"
    assert sniff(write(tmp_path, message("", collection="SSDA903"), "cla.xml")) == "xml"
    assert sniff(write(tmp_path, "child_id,plan_start_date\nC1,01/04/2012\n", "x.csv")) is None
    assert sniff(write(tmp_path, "", "empty.csv")) is None
    assert sniff(tmp_path / "missing.xml") is None
    assert sniff(tmp_path) is None  # a folder


def test_sniff_reads_only_the_head(tmp_path: Path) -> None:
    """The collection is known from the header: a broken end of the file does not matter yet."""
    text = message(child(plans=plan()) * 2000)
    path = write(tmp_path, text[: len(text) // 2])
    assert sniff(path) == "cin_census"
    with pytest.raises(ExtractError, match=r"not well-formed XML: .* at line \d+"):
        read(path, "cpp", "cin_census")


@pytest.mark.parametrize(
    ("attrs", "prefix"),
    [
        (' xmlns="http://www.example.org/cin"', ""),
        (' xmlns:cin="urn:dfe:cin:2014"', "cin:"),
        (' xmlns="urn:something-else-entirely"', ""),
    ],
)
def test_any_namespace_or_prefix(tmp_path: Path, attrs: str, prefix: str) -> None:
    plain = read(write(tmp_path, message(child(plans=plan()))), "cpp", "cin_census")
    path = write(tmp_path, message(child(plans=plan()), root_attrs=attrs, prefix=prefix), "ns.xml")
    assert sniff(path) == "cin_census"
    table = read(path, "cpp", "cin_census")
    assert table.headers == plain.headers
    for header in plain.headers:
        assert values(table, header) == values(plain, header)


@pytest.mark.parametrize("encoding", ["utf-16", "iso-8859-1"])
def test_declared_encodings(tmp_path: Path, encoding: str) -> None:
    text = message(child("Zoë-1", plans=plan())).replace(
        'encoding="UTF-8"', f'encoding="{encoding}"'
    )
    path = write(tmp_path, text, encoding=encoding)
    assert sniff(path) == "cin_census"
    assert values(read(path, "cpp", "cin_census"), "LAchildID") == ["Zoë-1"]


# ---------------------------------------------------------------------------- reading
def test_one_row_per_plan_with_the_child_repeated(tmp_path: Path) -> None:
    two = plan("2011-01-03", "2011-06-30") + plan("2012-05-01")
    text = message(child("C1", two) + child("C2", plan("2012-09-09")))
    path = write(tmp_path, text)
    table = read(path, "cpp", "cin_census")
    assert values(table, "LAchildID") == ["C1", "C1", "C2"]
    assert values(table, "CPPstartDate") == ["2011-01-03", "2012-05-01", "2012-09-09"]
    assert values(table, "CPPendDate") == ["2011-06-30", None, None]
    assert values(table, "LatestCategoryOfAbuse") == ["EMO"] * 3
    assert values(table, "Sex") == ["F"] * 3
    assert table.source_rows.tolist() == [
        line_of(path, "<ChildProtectionPlans>", i) for i in range(3)
    ]
    # No UPN in this file: no UPN column to drop.
    assert "UPN" not in table.headers


def test_a_child_in_several_cin_episodes(tmp_path: Path) -> None:
    episodes = (
        "<CINdetails><CINreferralDate>2010-01-01</CINreferralDate>"
        + plan("2010-02-01", "2010-09-01")
        + "</CINdetails>\n"
    )
    text = message(child("C1", plan("2012-05-01")).replace("</Child>", episodes + "</Child>"))
    table = read(write(tmp_path, text), "cpp", "cin_census")
    assert values(table, "CPPstartDate") == ["2012-05-01", "2010-02-01"]


def test_same_table_whatever_the_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Element names, text and line ends split across reads make no difference."""
    text = message("".join(child(f"C{i}", plan() * (i % 3 + 1)) for i in range(40)))
    path = write(tmp_path, text)
    whole = read(path, "cpp", "cin_census")
    monkeypatch.setattr(cin_census, "CHUNK", 7)
    pieces = read(path, "cpp", "cin_census")
    assert pieces.headers == whole.headers
    assert pieces.source_rows.tolist() == whole.source_rows.tolist()
    for header in whole.headers:
        assert values(pieces, header) == values(whole, header)


def test_unborn_and_expected_birth_dates_give_the_age_band(tmp_path: Path) -> None:
    born = "<PersonBirthDate>2012-06-10</PersonBirthDate><Sex>U</Sex>"
    due = "<ExpectedPersonBirthDate>2013-05-01</ExpectedPersonBirthDate><Sex>U</Sex>"
    none = "<Sex>U</Sex>"
    text = message(
        child("born", plan("2012-05-01"), born)
        + child("due", plan("2013-02-01"), due)
        + child("none", plan("2013-02-01"), none)
    )
    table = read(write(tmp_path, text), "cpp", "cin_census")
    assert values(table, "age_band") == ["unborn", "unborn", None]
    # The expected date of birth is used, not passed on.
    assert "ExpectedPersonBirthDate" not in table.headers


def test_a_repeated_element_marks_the_plan_malformed(tmp_path: Path) -> None:
    twice = plan(extra="<CPPstartDate>2012-06-01</CPPstartDate>\n")
    text = message(child("C1", plan()) + child("C2", twice))
    table = read(write(tmp_path, text), "cpp", "cin_census")
    assert list(table.malformed) == [1]
    assert "more than one CPPstartDate" in table.malformed[1]
    # Its cells are blank, as a row that cannot be read as one record is held.
    assert all(values(table, h)[1] is None for h in table.headers)
    assert values(table, "LAchildID")[0] == "C1"


def test_missing_required_elements_are_blank_cells(tmp_path: Path) -> None:
    """A plan without a category is still a row, for the rules to set aside with a reason."""
    bare = "<ChildProtectionPlans><CPPstartDate>2012-05-01</CPPstartDate></ChildProtectionPlans>\n"
    table = read(write(tmp_path, message(child("C1", bare))), "cpp", "cin_census")
    assert values(table, "InitialCategoryOfAbuse") == [None]
    assert values(table, "NumberOfPreviousCPP") == [None]


# ---------------------------------------------------------------------------- refusing
def test_no_child_protection_plans_module(tmp_path: Path) -> None:
    path = write(tmp_path, message(child("C1") + child("C2")))
    with pytest.raises(ExtractError, match="with 2 children but no ChildProtectionPlans"):
        read(path, "cpp", "cin_census")


@pytest.mark.parametrize("kind", ["caf", "marac"])
def test_wrong_kind_is_named(tmp_path: Path, kind: str) -> None:
    path = write(tmp_path, message(child(plans=plan())))
    with pytest.raises(
        ExtractError, match=r"CIN census XML return, which holds no .*sscb clean cpp"
    ):
        read(path, kind, "cin_census")


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    text = message(child(plans=plan())).replace("</CPPstartDate>", "</CPPstart>", 1)
    path = write(tmp_path, text)
    with pytest.raises(
        ExtractError, match=rf"mismatched tag at line {line_of(path, '</CPPstart>')}"
    ):
        read(path, "cpp", "cin_census")


def test_other_collection_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, message(child(plans=plan()), collection="SSDA903"))
    with pytest.raises(ExtractError, match="is a 'SSDA903' return, not a CIN census return"):
        read(path, "cpp", "xml")


def test_other_xml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "<?xml version='1.0'?>\n<Plans><Plan/></Plans>\n")
    with pytest.raises(ExtractError, match="root element is <Plans>"):
        read(path, "cpp", sniff(path))


def test_plans_outside_cindetails_are_refused(tmp_path: Path) -> None:
    text = message(child("C1").replace("</Child>", plan() + "</Child>"))
    with pytest.raises(ExtractError, match="outside Child/CINdetails at line"):
        read(write(tmp_path, text), "cpp", "cin_census")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Message [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Message><Header><CollectionDetails><Collection>CIN</Collection></CollectionDetails></Header>
<Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID></ChildIdentifiers>
<CINdetails><ChildProtectionPlans><CPPstartDate>2012-01-01</CPPstartDate></ChildProtectionPlans>
</CINdetails></Child></Children></Message>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&secret;</LAchildID></ChildIdentifiers>
</Child></Children></Message>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_dtds_are_refused_before_any_entity_is_expanded(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert sniff(path) == "xml"
    with pytest.raises(ExtractError, match=r"declares a DTD .* at line 2"):
        read(path, "cpp", sniff(path))


def test_undeclared_entity_is_not_well_formed(tmp_path: Path) -> None:
    path = write(tmp_path, message(child("&secret;", plan())))
    with pytest.raises(ExtractError, match="undefined entity at line"):
        read(path, "cpp", "cin_census")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="does not exist"):
        read(tmp_path / "nope.xml", "cpp", "cin_census")


def test_an_endless_value_is_refused_before_it_fills_memory(tmp_path: Path) -> None:
    long = "9" * (cin_census.MAX_VALUE_CHARS + 1)
    path = write(tmp_path, message(child(long, plan())))
    with pytest.raises(ExtractError, match=r"its LAchildID at line \d+ is longer than 32,767"):
        read(path, "cpp", "cin_census")
    # Text in elements that are not read is never kept, however long.
    padded = message(child("C1", plan())).replace(
        "<CINreferralDate>2012-01-01", "<CINreferralDate>" + "x" * 200_000
    )
    assert read(write(tmp_path, padded, "padded.xml"), "cpp", "cin_census").n_rows == 1


def test_returns_are_put_in_date_order(tmp_path: Path) -> None:
    from sscb_analysis.cleaning.formats import in_date_order, reference_date

    early = write(tmp_path, message(child(plans=plan())), "a.xml")
    late = write(
        tmp_path, message(child(plans=plan())).replace("2013-03-31", "2014-03-31"), "b.xml"
    )
    no_date = write(
        tmp_path,
        message(child(plans=plan())).replace("<ReferenceDate>2013-03-31</ReferenceDate>", ""),
        "c.xml",
    )
    csv = write(tmp_path, "child_id\nC1\n", "d.csv")
    assert reference_date(late) == dt.date(2014, 3, 31)
    assert reference_date(no_date) == dt.date(2013, 3, 31)  # from <Year>
    assert reference_date(csv) is None
    assert in_date_order([late, early]) == [early, late]
    assert in_date_order([late, no_date]) == [no_date, late]
    # A mix with another kind of input keeps the order given.
    assert in_date_order([late, csv, early]) == [late, csv, early]


def test_cdata_comments_and_entities_in_values(tmp_path: Path) -> None:
    text = message(
        child(
            "<![CDATA[C&1]]>",
            plan("2012<!-- keyed by hand -->-05-01").replace(
                "<InitialCategoryOfAbuse>NEG", "<InitialCategoryOfAbuse>N&#69;G"
            ),
        )
    )
    table = read(write(tmp_path, text), "cpp", "cin_census")
    assert values(table, "LAchildID") == ["C&1"]
    assert values(table, "CPPstartDate") == ["2012-05-01"]
    assert values(table, "InitialCategoryOfAbuse") == ["NEG"]

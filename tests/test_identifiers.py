"""The identifier scan (sscb_analysis.cleaning.identifiers): check digits against published
examples, every written form the brief names, the byte-level shortcuts held to the patterns, and
the decision about ten-digit numeric ids backed by the numbers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sscb_analysis.cleaning.identifiers import (
    KINDS,
    OWN_NUMBERING_MAX_SHARE,
    UPN_LETTERS,
    classify,
    column_label,
    looks_like_name,
    nhs_check_digit_valid,
    scan_column,
    scan_headers,
    scan_values,
    upn_check_letter,
    upn_valid,
    withheld,
)


# ---------------------------------------------------------------------------- check digits
def test_nhs_check_digit_on_the_published_example():
    # NHS Data Dictionary, "NHS Number": 943 476 5919 is its worked example (weights 10..2 on
    # the first nine digits, 11 - remainder, 11 -> 0, 10 -> no valid number).
    assert nhs_check_digit_valid(["9434765919"]).tolist() == [True]
    # Every other last digit fails; 401 023 2137 is worked by hand: 4*10+0*9+1*8+0*7+2*6+3*5
    # +2*4+1*3+3*2 = 92, 92 mod 11 = 4, 11 - 4 = 7.
    assert nhs_check_digit_valid([f"943476591{d}" for d in range(10)]).sum() == 1
    assert nhs_check_digit_valid(["4010232137", "4010232136"]).tolist() == [True, False]


def test_nhs_check_digit_ten_is_never_valid():
    # 000 000 001: sum = 1*2 = 2 -> check 9. 000 000 006: sum = 6*2 = 12, 12 mod 11 = 1,
    # 11 - 1 = 10: no digit makes a valid number of that body.
    assert nhs_check_digit_valid(["0000000019"]).tolist() == [True]
    assert not nhs_check_digit_valid([f"000000006{d}" for d in range(10)]).any()


# DfE, "Unique Pupil Numbers (UPNs): guidance" (gov.uk attachment 270560): its examples, also
# used by the DfE's own multiplication-tables-check service tests.
DFE_VALID_UPNS = ["H801200001001", "G80120000101A"]
DFE_WRONG_CHECK_LETTER = ["Z801200001001"]
# python-stdnum (stdnum.gb.upn doctest), an independent implementation: B801200005001 valid,
# A801200005001 wrong check letter.
STDNUM_VALID, STDNUM_INVALID = "B801200005001", "A801200005001"


def test_upn_check_letter_on_published_examples():
    for upn in [*DFE_VALID_UPNS, STDNUM_VALID]:
        assert upn_check_letter(upn[1:]) == upn[0]
        assert upn_valid(upn) and upn_valid(upn.lower())
    for upn in [*DFE_WRONG_CHECK_LETTER, STDNUM_INVALID]:
        assert not upn_valid(upn)


def test_upn_check_letter_worked_by_hand():
    # H801200001001: 8*2 + 0*3 + 1*4 + 2*5 + 0*6 + 0*7 + 0*8 + 0*9 + 1*10 + 0*11 + 0*12 + 1*13
    # = 53; 53 mod 23 = 7; the 8th of ABCDEFGHJKLMNPQRTUVWXYZ is H. Temporary G80120000101A:
    # the last letter A counts 0, so 52 mod 23 = 6 -> G.
    assert upn_check_letter("801200001001") == "H"
    assert upn_check_letter("80120000101A") == "G"
    assert not upn_valid("I801200001001")  # I, O and S are never check letters
    with pytest.raises(ValueError):
        upn_check_letter("8012000010")


# ---------------------------------------------------------------------------- one value
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("9434765919", "nhs_number"),
        ("943 476 5919", "nhs_number"),
        ("943-476-5919", "nhs_number"),
        ("Team A (NHS no 943 476 5919)", "nhs_number"),
        ("NHS 9434765919", "nhs_number"),
        ("Jane Smith 9434765919", "nhs_number"),
        ("943\u00a0476\u20115919", "nhs_number"),  # no-break space, non-breaking hyphen
        ("９４３４７６５９１９", "nhs_number"),  # full-width digits
        ("943 476\u200b 5919", "nhs_number"),  # a zero-width space
        ("943.476.5919", "nhs_number"),  # grouped with dots or slashes (passed before)
        ("NHS no: 943/476/5919", "nhs_number"),
        ("H801200001001", "upn"),
        ("pupil G80120000101A", "upn"),
        ("someone@example.org", "email"),
        ("contact jo.bloggs+sw@council.gov.uk today", "email"),
        ("call mum 07700 900123", "phone"),
        ("07700900123", "phone"),
        ("+44 (0)20 7946 0123", "phone"),
        ("+447700900123", "phone"),
        ("0044 7700 900123", "phone"),
        ("(020) 7946 0123", "phone"),
        ("tel: 01632 960 001", "phone"),
        ("SE1 7AB", "postcode"),
        ("se1 7ab", "postcode"),
        ("SE17AB", "postcode"),
        ("se1   7ab", "postcode"),
        ("lives at EC1A 1BB", "postcode"),
        ("GIR 0AA", "postcode"),
        ("DOB 03.03.2008", "date_of_birth"),
        ("born 3 March 2008", "date_of_birth"),
        ("D.O.B: 3/3/08", "date_of_birth"),
        ("Date of birth 2008-03-03", "date_of_birth"),
        ("03/03/2008", "date_of_birth"),
        ("3rd of March 2008", "date_of_birth"),
        ("March 3, 2008", "date_of_birth"),
        ("seen 29-Feb-2008", "date_of_birth"),
        ("Mar-03-2008", "date_of_birth"),  # month first with dashes (passed before)
        ("DOB 03032008", "date_of_birth"),  # digits in a row next to a birth word (passed)
        ("born 20080303", "date_of_birth"),
        ("DOB: 030308", "date_of_birth"),
    ],
)
def test_identifiers_found(text, kind):
    assert classify(text) == kind
    assert scan_values([text]).tolist() == [KINDS.index(kind)]


@pytest.mark.parametrize(
    "text",
    [
        "CPP0040452",  # ids: numbers glued to letters are codes
        "C10529495",
        "3fa9c0d1e2b4a5f6",  # a pseudonym
        "CPP0001",
        "40452",
        "9434765918",  # wrong check digit, and not a phone number (no leading 0)
        "12345678901234",  # longer than any of them
        "Z801200001001",  # wrong UPN check letter
        "Team A",
        "Team B2 4th floor",  # an ordinal is not a postcode's inward part
        "01-04",  # age bands
        "16-17",
        "31/02/2008",  # no such day
        "20080303",  # eight bare digits: ids look like that
        "0.325619834",  # a decimal is not an NHS number written with dots
        "DOB 99999999",  # digits that are no date
        "03-Mar-08",  # two-digit year without a word that says birth
        "12/2008",  # a month, not a full date
        "not known",
        "",
    ],
)
def test_not_identifiers(text):
    assert classify(text) is None
    assert scan_values([text]).tolist() == [-1]


def test_event_date_columns_hold_dates_that_are_not_dates_of_birth():
    for text in ["03/03/2008", "2008-03-03", "3 March 2008", "31-Jan-12"]:
        assert classify(text, event_dates=True) is None
        assert scan_values([text], event_dates=True).tolist() == [-1]
    # ...unless a word says birth, and other identifiers count there as anywhere.
    assert classify("DOB 03/03/2008", event_dates=True) == "date_of_birth"
    assert classify("943 476 5919", event_dates=True) == "nhs_number"


def test_withheld_wording():
    assert withheld("nhs_number") == "value withheld (looks like an NHS number)"
    assert withheld("name") == "value withheld (looks like a person's name)"


# ---------------------------------------------------------------------------- shortcuts
_ALPHABET = "0123456789 -./@()+:ABCDEFSsemjarMn\u00a0"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, max_size=24), max_size=30))
def test_scan_values_agrees_with_classify_on_any_text(texts):
    expected = [classify(t) for t in texts]
    got = [KINDS[k] if k >= 0 else None for k in scan_values(texts)]
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"0?[0-9]{9,11}", fullmatch=True),
            st.from_regex(r"(0044|44)?[0-9]{9,10}", fullmatch=True),
            st.from_regex(r"[A-Z][0-9]{11}[0-9A-Z]", fullmatch=True),
            st.from_regex(r"[A-Z]{1,2}[0-9]{1,2} ?[0-9][A-Z]{2}", fullmatch=True),
        ),
        max_size=40,
    )
)
def test_scan_values_agrees_with_classify_on_shapes(texts):
    expected = [classify(t) for t in texts]
    got = [KINDS[k] if k >= 0 else None for k in scan_values(pa.array(texts))]
    assert got == expected


def test_scan_values_on_big_columns_of_each_id_shape():
    rng = np.random.default_rng(7)
    n = 70_000
    columns = {
        "fixed": [f"CPP{i:07d}" for i in range(n)],
        "numbers": [str(i) for i in range(1, n + 1)],
        "hex": [f"{x:016x}" for x in rng.integers(0, 2**62, n)],
        "dashed": [f"CPP-{i:07d}" for i in range(n)],
    }
    for texts in columns.values():
        texts[n // 2] = "9434765919"
        kinds = scan_values(pa.array(texts))
        assert np.flatnonzero(kinds >= 0).tolist() == [n // 2]
        assert kinds[n // 2] == KINDS.index("nhs_number")


def test_null_and_sliced_arrays():
    arr = pa.array(["x", None, "SE1 7AB", "9434765919", "y"]).slice(1)
    assert scan_values(arr).tolist() == [-1, KINDS.index("postcode"), 0, -1]


# ---------------------------------------------------------------------------- ten-digit ids
def test_ten_digit_numbers_pass_the_nhs_check_one_in_eleven_by_chance():
    """The evidence behind OWN_NUMBERING_MAX_SHARE: random and sequential ten-digit numbers pass
    the check digit about 1 time in 11 (9.1%), NHS numbers always."""
    rng = np.random.default_rng(2026)
    random_ids = rng.integers(10**9, 10**10, 200_000).astype(str)
    sequential = np.arange(4_000_000_000, 4_000_200_000).astype(str)
    for ids in (random_ids, sequential):
        share = nhs_check_digit_valid(ids).mean()
        assert abs(share - 1 / 11) < 0.003
    assert OWN_NUMBERING_MAX_SHARE > 2 * (1 / 11)


def test_upn_shaped_codes_pass_the_check_one_in_twenty_three_by_chance():
    rng = np.random.default_rng(23)
    letters = np.array(list(UPN_LETTERS))
    codes = [
        f"{letters[a]}{b:011d}{c}"
        for a, b, c in zip(
            rng.integers(0, 23, 50_000),
            rng.integers(0, 10**11, 50_000),
            rng.integers(0, 10, 50_000),
            strict=True,
        )
    ]
    share = np.mean([upn_valid(c) for c in codes])
    assert abs(share - 1 / 23) < 0.004


def test_an_id_column_numbered_with_upn_shaped_codes_is_not_refused():
    rng = np.random.default_rng(5)
    ids = [
        f"A{n:011d}{d}"
        for n, d in zip(rng.integers(0, 10**11, 400), rng.integers(0, 10, 400), strict=True)
    ]
    assert any(upn_valid(i) for i in ids)
    scan = scan_column(*_column(ids), is_id=True)
    assert scan.findings == [] and "not UPNs" in scan.note


def _column(texts):
    dictionary = pa.array(texts)
    codes = np.arange(len(texts))
    return dictionary, codes, codes + 2


def _nhs_numbers(n, rng):
    out = []
    while len(out) < n:
        body = f"{int(rng.integers(0, 10**9)):09d}"
        for d in range(10):
            if nhs_check_digit_valid([body + str(d)])[0]:
                out.append(body + str(d))
                break
    return out


def test_an_id_column_numbered_with_ten_digits_is_not_refused():
    rng = np.random.default_rng(1)
    ids = np.unique(rng.integers(10**9, 10**10, 500)).astype(str)
    scan = scan_column(*_column(ids.tolist()), is_id=True)
    assert scan.findings == []
    assert "by chance" in scan.note and "not NHS numbers" in scan.note
    # Not in a column that is not an id column: there each one counts.
    assert scan_column(*_column(ids.tolist())).findings


def test_an_id_column_of_nhs_numbers_is_refused():
    rng = np.random.default_rng(2)
    scan = scan_column(*_column(_nhs_numbers(50, rng)), is_id=True)
    assert [f.kind for f in scan.findings] == ["nhs_number"]
    assert scan.findings[0].cells == 50 and scan.note is None


def test_one_nhs_number_among_other_ids_is_refused():
    ids = [f"CPP{i:07d}" for i in range(1000)]
    ids[600] = "943 476 5919"
    scan = scan_column(*_column(ids), is_id=True)
    assert [(f.kind, f.first_row, f.cells) for f in scan.findings] == [("nhs_number", 602, 1)]


def test_too_few_ten_digit_ids_to_judge_are_refused():
    ids = [str(4_000_000_000 + i) for i in range(12)]
    assert nhs_check_digit_valid(ids).any()
    assert scan_column(*_column(ids), is_id=True).findings


# ---------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("text", "vocab", "expected"),
    [
        ("Jane Smith", (), True),
        ("JANE SMITH", (), True),
        ("Smith, Jane", (), True),
        ("Mr Okafor", (), True),
        ("Jane White", ("white", "british"), True),
        ("jane", (), True),
        ("White British", ("white", "british"), False),
        ("Physical Abuse", (), False),
        ("Youth Offending", (), False),
        ("Not Known", (), False),
        ("F", (), False),
        ("Team 4", (), False),
        ("Grace", ("grace",), False),  # a category that happens to be a name is a category
    ],
)
def test_looks_like_name(text, vocab, expected):
    assert looks_like_name(text, vocab) is expected


def test_scan_column_names_only_with_a_vocabulary():
    dictionary = pa.array(["female", "Jane Smith", "male"])
    codes = np.array([0, 2, 1, 1, 0])
    rows = np.arange(2, 7)
    assert scan_column(dictionary, codes, rows).findings == []
    scan = scan_column(dictionary, codes, rows, vocabulary={"female", "male"})
    assert [(f.kind, f.first_row, f.cells) for f in scan.findings] == [("name", 4, 2)]
    assert scan.findings[0].description == "value withheld (looks like a person's name)"


def test_scan_column_reports_first_row_and_cells_per_kind():
    dictionary = pa.array(["Team A", "call 07700 900123", "SE1 7AB"])
    codes = np.array([0, -1, 2, 1, 2, 0])
    rows = np.array([2, 3, 4, 5, 9, 10])
    found = [(f.kind, f.first_row, f.cells) for f in scan_column(dictionary, codes, rows).findings]
    assert found == [("postcode", 4, 2), ("phone", 5, 1)]


# ---------------------------------------------------------------------------- headers
def test_headers_are_scanned_and_named_by_position():
    headers = ["plan_id", "Jane Smith 9434765919", "<img src=x onerror=alert(1)>", "jo@x.org"]
    assert scan_headers(headers) == {1: "nhs_number", 3: "email"}
    assert column_label(1) == "column 2"


def test_headers_that_read_as_names_count_with_a_vocabulary():
    headers = ["Child ID", "Jane Smith", "Team Leader", "Full Name", "Mr Okafor"]
    assert scan_headers(headers) == {}
    assert scan_headers(headers, {"child", "id", "team"}) == {1: "name", 4: "name"}


HOSTILE_LONG = [
    "'a' * 300_000 + '@'",
    "'a@' * 150_000",
    "'1 ' * 150_000",
    "'A1' + ' ' * 300_000 + 'x'",
    "'3-' * 150_000",
    "'March ' * 50_000",
    "'9' * 300_000",
]


@pytest.mark.parametrize("expression", HOSTILE_LONG)
def test_long_hostile_values_do_not_hang_the_scan(expression):
    """No pattern backtracks quadratically: on 300,000 characters a quadratic pattern runs for
    minutes and the child is stopped by the timeout (a hang guard, not a speed target)."""
    import subprocess
    import sys

    code = (
        "from sscb_analysis.cleaning.identifiers import classify, scan_values\n"
        f"text = {expression}\n"
        "classify(text); scan_values([text, text + 'x'])\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)

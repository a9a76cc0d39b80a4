"""The privacy guard: identifiers refused by header and by content, keyed pseudonyms, degrading."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest
from conftest import FIXED_TODAY, caf_rows, cpp_rows

from sscb_analysis.cleaning import clean
from sscb_analysis.cleaning.protect import (
    IdentifierError,
    PseudonymKeyError,
    nhs_check_digit_valid,
)

KEY = "a-test-key-that-is-long-enough"
ENV = {"SSCB_PSEUDONYM_KEY": KEY}

# NHS numbers with valid check digits, worked by hand from the NHS Data Dictionary's mod-11
# algorithm (weights 10..2; 11 - remainder; 11 -> 0; 10 -> invalid): 943 476 5919 is the NHS's own
# published example.
VALID_NHS = ["9434765919", "4010232137"]


def test_nhs_mod11_check_digit():
    assert nhs_check_digit_valid(VALID_NHS).tolist() == [True, True]
    assert nhs_check_digit_valid(["9434765918", "1234567890"]).tolist() == [False, False]


@pytest.mark.parametrize(
    ("header", "values", "label"),
    [
        ("Full Name", ["Tyler Khan", "Amy Green", "Sam Lee"], "names"),
        ("Forename", ["Tyler", "Amy", "Sam"], "names"),
        ("Home Address", ["1 High St", "2 Low Rd", "3 Mid Ln"], "addresses"),
        ("Postcode", ["SE5 1PN", "SE1 7AB", "SE22 6XY"], "postcodes"),
        ("NHS No", [*VALID_NHS, ""], "NHS numbers"),
        ("DOB", ["01/02/2010", "03/04/2011", "05/06/2012"], "dates of birth"),
        ("Email", ["a@b.org", "", ""], "email addresses"),
        ("Mobile", ["07700 900123", "", ""], "phone numbers"),
        ("Case Notes", ["seen at home", "", ""], "free-text notes"),
    ],
)
def test_refused_by_header(header, values, label):
    frame = cpp_rows(3)
    frame[header] = values
    with pytest.raises(IdentifierError) as info:
        clean("cpp", frame, today=FIXED_TODAY)
    message = str(info.value)
    assert repr(header) in message and label in message and "--drop" in message


@pytest.mark.parametrize(
    ("values", "label"),
    [
        (["9434765919", "", ""], "NHS numbers"),
        (["943 476 5919", "", ""], "NHS numbers"),
        (["", "SE1 7AB", ""], "full UK postcodes"),
        (["", "", "someone@example.org"], "email addresses"),
        (["+44 20 7946 0123", "", ""], "UK phone numbers"),
        (["12/03/2008", "01/01/2009", "15/06/2010"], "dates of birth"),
    ],
)
def test_refused_by_content_under_an_innocent_header(values, label):
    frame = cpp_rows(3)
    frame["Extra"] = values
    with pytest.raises(IdentifierError, match=label):
        clean("cpp", frame, today=FIXED_TODAY)


def test_identifier_content_in_a_declared_column_is_refused():
    frame = cpp_rows(3)
    frame.loc[1, "team"] = "contact jo@example.org"
    with pytest.raises(IdentifierError, match="team column, which must not hold identifiers"):
        clean("cpp", frame, today=FIXED_TODAY, pseudonymise=True, environ=ENV)


def test_event_dates_and_pseudonymous_ids_do_not_trip_the_guard():
    frame = cpp_rows(30)
    frame["child_id"] = [f"{i:010d}" for i in range(1000000000, 1000000030)]  # 10-digit pseudonyms
    frame["plan_id"] = [
        hmac.new(b"k", str(i).encode(), hashlib.sha256).hexdigest()[:16] for i in range(30)
    ]
    result = clean("cpp", frame, today=FIXED_TODAY)
    assert len(result.data) == 30


def test_drop_lets_the_extract_through(cpp):
    cpp["Full Name"] = ["Tyler Khan", "Amy Green", "Sam Lee"]
    result = clean("cpp", cpp, drop=["full name"], today=FIXED_TODAY)
    assert "Full Name" not in result.data.columns
    assert result.log.loc[result.log["rule"] == "LOAD003", "column"].tolist() == ["Full Name"]


def test_drop_of_unknown_column_is_an_error(cpp):
    from sscb_analysis.cleaning.read import ExtractError

    with pytest.raises(ExtractError, match="no such column"):
        clean("cpp", cpp, drop=["Shoe Size"])


def test_pseudonymise_needs_a_key(cpp):
    with pytest.raises(PseudonymKeyError, match="SSCB_PSEUDONYM_KEY"):
        clean("cpp", cpp, pseudonymise=True, environ={})
    with pytest.raises(PseudonymKeyError, match="shorter than 16"):
        clean("cpp", cpp, pseudonymise=True, environ={"SSCB_PSEUDONYM_KEY": "short"})


def test_pseudonyms_are_hmac_sha256_and_join_across_extracts():
    cpp = cpp_rows(2)
    caf = caf_rows(2)
    a = clean("cpp", cpp, pseudonymise=True, environ=ENV, today=FIXED_TODAY)
    b = clean("caf", caf, pseudonymise=True, environ=ENV, today=FIXED_TODAY)
    expected = hmac.new(KEY.encode(), b"C00000", hashlib.sha256).hexdigest()[:16]
    assert a.data["child_id"].iloc[0] == expected
    assert set(a.data["child_id"]) == set(b.data["child_id"])
    other = clean("cpp", cpp, pseudonymise=True, environ={"SSCB_PSEUDONYM_KEY": KEY + "x"})
    assert not set(other.data["child_id"]) & set(a.data["child_id"])
    # the key is never written anywhere in the outputs
    for frame in (a.data, a.log, a.quarantine):
        assert not frame.astype(str).apply(lambda c: c.str.contains(KEY)).any().any()
    assert KEY not in str(a.summary)


def test_pseudonymise_degrades_and_drops():
    frame = cpp_rows(2)
    frame["plan_start_date"] = ["01/04/2012", "10/06/2013"]
    frame["initial_conference_date"] = frame["plan_start_date"]
    frame["plan_end_date"] = ""
    frame["Date of Birth"] = ["15/05/2005", "09/06/2013"]
    frame["Postcode"] = ["se5 1pn", "SE22 6XY"]
    frame["Full Name"] = ["Tyler Khan", "Amy Green"]
    frame["NHS Number"] = VALID_NHS
    result = clean("cpp", frame, pseudonymise=True, environ=ENV, today=FIXED_TODAY)
    data = result.data
    assert data["birth_month"].tolist() == ["2005-05", "2013-06"]
    assert data["age_at_event"].tolist() == [6, 0]  # 15 May 2005 -> 1 Apr 2012 is 6 years
    assert data["postcode_sector"].tolist() == ["SE5 1", "SE22 6"]
    for gone in ("Date of Birth", "Postcode", "Full Name", "NHS Number"):
        assert gone not in data.columns and gone not in result.quarantine.columns
    actions = dict(zip(result.log["column"], result.log["rule"], strict=False))
    assert actions["Full Name"] == actions["NHS Number"] == "PRIV001"
    assert actions["Date of Birth"] == "PRIV003" and actions["Postcode"] == "PRIV004"


def test_quarantined_rows_are_pseudonymised_too():
    frame = cpp_rows(2)
    frame.loc[0, "plan_end_date"] = "01/01/2000"
    result = clean("cpp", frame, pseudonymise=True, environ=ENV, today=FIXED_TODAY)
    assert result.quarantine["child_id"].tolist() == [
        hmac.new(KEY.encode(), b"C00000", hashlib.sha256).hexdigest()[:16]
    ]
    assert "C00000" not in result.log["value"].astype(str).tolist()


def test_identifier_error_lists_every_column():
    frame = cpp_rows(2)
    frame["Full Name"] = ["a b", "c d"]
    frame["Email"] = ["a@b.org", "c@d.org"]
    with pytest.raises(IdentifierError) as info:
        clean("cpp", frame)
    assert [f.column for f in info.value.findings] == ["Full Name", "Email"]
    assert isinstance(pd.DataFrame([vars(f) for f in info.value.findings]), pd.DataFrame)


def test_protection_is_declared_in_the_extract_spec():
    """--pseudonymise follows the spec's declaration per identifier kind, not a policy in the
    pipeline: declaring postcodes "drop" drops the column instead of keeping its sector."""
    import dataclasses

    from sscb_analysis.cleaning.protect import protect
    from sscb_analysis.cleaning.read import table_from_frame
    from sscb_analysis.extracts import DEFAULT_PROTECTION, get_spec

    spec = get_spec("cpp")
    assert spec.protection_of("postcode") == "sector"
    assert spec.protection_of("date_of_birth") == "month"
    assert spec.column("child_id").protect == spec.column("plan_id").protect == "pseudonymise"
    assert spec.id_columns() == ["plan_id", "child_id"]
    frame = cpp_rows(2)
    frame["Postcode"] = ["SE5 1PN", "SE22 6XY"]
    strict = dataclasses.replace(spec, protection={**DEFAULT_PROTECTION, "postcode": "drop"})
    out = protect(table_from_frame(frame), strict, True, (), ENV)
    assert "postcode_sector" not in out.extras and "Postcode" in out.dropped
    out = protect(table_from_frame(frame), spec, True, (), ENV)
    assert out.extras["postcode_sector"].to_pylist() == ["SE5 1", "SE22 6"]
    assert "Postcode" not in out.dropped

"""The synthetic CPP extract written in the two national formats: a CIN census XML return per
collection year and an Ofsted Annex A workbook. For tests, benchmarks and trying the readers.

Both are made from the typed frame :func:`sscb_analysis.synth.generate_cpp` returns (one row per
plan), and hold what the real files hold for the period they cover:

- **CIN census** for collection year ``Y`` (1 April ``Y-1`` to 31 March ``Y``): every plan open at
  any time in the year; an end date after 31 March ``Y`` is not yet known, so the plan is open.
  From the 2024 to 2025 collection (``Y`` = 2025) the child's sex is ``Sex`` (M, F, U), before it
  ``GenderCurrent`` (1, 2, 0); ``layout`` picks either for any year.
- **Annex A**, List 7, as at a date: plans open on that date and those that ended in the
  ``months`` before it (six in Ofsted's request; a longer window makes a whole year comparable).

The child's identifiers are made up here, the same for every plan of a child and in every file
made from the same frame and seed: a UPN with a valid check letter (``UPNunknown`` for children
under 5), a date of birth in the age band of the child's first plan (after the plan start for an
unborn child; ``ExpectedPersonBirthDate`` while still unborn at the census date), an ethnicity
code within the child's major group and, in Annex A, a worker's name. All of it is synthetic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from sscb_analysis.synth import _FIRST_NAMES, _SURNAMES, DEFAULT_SEED

#: The first collection year (ending 31 March) whose return has ``Sex`` instead of
#: ``GenderCurrent`` (DfE CIN census 2024 to 2025 specification; liia-tools-pipeline's 2025 schema).
SEX_FROM = 2025

GENDER_CURRENT = {"male": "1", "female": "2", "unknown": "0"}
SEX = {"male": "M", "female": "F", "unknown": "U"}
CATEGORY_CODES = {
    "neglect": "NEG",
    "physical": "PHY",
    "emotional": "EMO",
    "sexual": "SAB",
    "multiple": "MUL",
}
#: CIN ethnicity codes within each major group (DfE CIN census; the synthetic extract holds
#: the group, so the code is drawn within it).
ETHNICITY_CODES = {
    "white": ("WBRI", "WIRI", "WIRT", "WOTH", "WROM"),
    "mixed": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "asian": ("AIND", "APKN", "ABAN", "AOTH"),
    "black": ("BCRB", "BAFR", "BOTH"),
    "other": ("CHNE", "OOTH"),
    "unknown": ("NOBT", "REFU"),
}
#: Whole years of age at the first plan start drawn for each age band (upper end excluded).
AGE_RANGES = {
    "under 1": (0.0, 1.0),
    "1-4": (1.0, 5.0),
    "5-9": (5.0, 10.0),
    "10-15": (10.0, 16.0),
    "16+": (16.0, 17.5),
}
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(twelve_digits: str) -> str:
    """The check letter of a UPN (DfE "Unique pupil numbers" guide: digits 2 to 13 weighted 2 to
    13, the sum modulo 23 indexes A-Z without I, O and S)."""
    total = sum(int(c) * w for c, w in zip(twelve_digits, range(2, 14), strict=True))
    return _UPN_LETTERS[total % 23]


@dataclass(frozen=True)
class Children:
    """Made-up identifiers and characteristics of each child, indexed by ``child_id``."""

    birth: pd.Series  # datetime64[D]
    upn: pd.Series
    former_upn: pd.Series  # "" for most children
    ethnicity: pd.Series
    gender: pd.Series
    worker: pd.Series


def children(cpp: pd.DataFrame, la_code: str = "201", seed: int = DEFAULT_SEED) -> Children:
    """Identifiers for every child in ``cpp``, stable for a given frame and seed."""
    rng = np.random.default_rng([seed, 10])
    first = (
        cpp.sort_values(["child_id", "plan_start_date"], kind="stable")
        .groupby("child_id", sort=True)
        .first()
    )
    n = len(first)
    start = first["plan_start_date"].to_numpy().astype("datetime64[D]")
    band = first["age_band"].astype(str).to_numpy()
    lo = np.array([AGE_RANGES.get(b, (0.0, 17.0))[0] for b in band])
    hi = np.array([AGE_RANGES.get(b, (0.0, 17.0))[1] for b in band])
    age_days = np.floor((lo + rng.random(n) * (hi - lo)) * 365.25).astype(np.int64)
    birth = start - age_days.astype("timedelta64[D]")
    unborn = (band == "under 1") & (first["gender"].astype(str).to_numpy() == "unknown")
    birth = np.where(unborn, start + rng.integers(1, 121, n).astype("timedelta64[D]"), birth)
    digits = [
        f"{la_code[-3:]:0>3}{int(rng.integers(1000, 10000))}{int(rng.integers(0, 100)):02d}"
        f"{int(rng.integers(0, 1000)):03d}"
        for _ in range(n)
    ]
    upn = [upn_check_letter(d) + d for d in digits]
    moved = rng.random(n) < 0.02
    former = [
        upn_check_letter(d) + d if m else ""
        for d, m in zip(
            (f"{999}{int(rng.integers(0, 10**9)):09d}" for _ in range(n)), moved, strict=True
        )
    ]
    groups = first["ethnicity"].astype(str).to_numpy()
    codes = [ETHNICITY_CODES.get(g, ("NOBT",)) for g in groups]
    ethnicity = [c[int(rng.integers(0, len(c)))] for c in codes]
    worker = [
        f"{_FIRST_NAMES[int(rng.integers(0, len(_FIRST_NAMES)))]} "
        f"{_SURNAMES[int(rng.integers(0, len(_SURNAMES)))]}"
        for _ in range(n)
    ]
    index = first.index
    return Children(
        birth=pd.Series(birth, index=index),
        upn=pd.Series(upn, index=index, dtype=object),
        former_upn=pd.Series(former, index=index, dtype=object),
        ethnicity=pd.Series(ethnicity, index=index, dtype=object),
        gender=first["gender"].astype(str),
        worker=pd.Series(worker, index=index, dtype=object),
    )


def _iso(day: np.datetime64 | pd.Timestamp | None) -> str:
    if day is None or pd.isna(day):
        return ""
    return str(np.datetime64(day, "D"))


# ---------------------------------------------------------------------------- CIN census
def census_plans(cpp: pd.DataFrame, year: int) -> pd.DataFrame:
    """The plans a CIN census return for collection ``year`` holds, as the return shows them:
    open at any time from 1 April ``year-1`` to 31 March ``year``, end dates after 31 March blank."""
    first = pd.Timestamp(year - 1, 4, 1)
    last = pd.Timestamp(year, 3, 31)
    end = cpp["plan_end_date"]
    held = (cpp["plan_start_date"] <= last) & (end.isna() | (end >= first))
    out = cpp.loc[held].copy()
    out["plan_end_date"] = out["plan_end_date"].where(out["plan_end_date"] <= last)
    return out


def cin_census_xml(
    cpp: pd.DataFrame,
    year: int,
    *,
    layout: int | None = None,
    la_code: str = "201",
    seed: int = DEFAULT_SEED,
    other_children: int = 0,
    kids: Children | None = None,
) -> Iterator[str]:
    """The CIN census return of collection ``year`` (ending 31 March) as XML text, in pieces.

    ``layout``: the collection year whose schema to follow (default ``year``): ``Sex`` from
    :data:`SEX_FROM`, ``GenderCurrent`` before. ``other_children``: children in need without a
    plan added after those with one (most children in a real return have none), for benchmarks.
    ``kids``: identifiers from :func:`children` (made from ``cpp`` and ``seed`` if not given).
    """
    layout = year if layout is None else layout
    kids = children(cpp, la_code, seed) if kids is None else kids
    rng = np.random.default_rng([seed, 11, year])
    ref = np.datetime64(f"{year}-03-31")
    year_start = np.datetime64(f"{year - 1}-04-01")
    plans = census_plans(cpp, year).sort_values(["child_id", "plan_start_date"], kind="stable")
    sex_element = "Sex" if layout >= SEX_FROM else "GenderCurrent"
    sex_codes = SEX if layout >= SEX_FROM else GENDER_CURRENT
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <Header>\n    <CollectionDetails>\n'
        f"      <Collection>CIN</Collection>\n      <Year>{year}</Year>\n"
        f"      <ReferenceDate>{year}-03-31</ReferenceDate>\n    </CollectionDetails>\n"
        f"    <Source>\n      <SourceLevel>L</SourceLevel>\n      <LEA>{escape(la_code)}</LEA>\n"
        "      <SoftwareCode>sscb-analysis synthetic</SoftwareCode>\n      <Release>1</Release>\n"
        f"      <SerialNo>001</SerialNo>\n      <DateTime>{year}-05-01T09:00:00</DateTime>\n"
        "    </Source>\n  </Header>\n  <Children>\n"
    )
    for child_id, group in plans.groupby("child_id", sort=False):
        birth = np.datetime64(kids.birth[child_id], "D")
        ident = [f"        <LAchildID>{escape(str(child_id))}</LAchildID>\n"]
        if birth <= ref - np.timedelta64(5 * 365, "D"):
            ident.append(f"        <UPN>{kids.upn[child_id]}</UPN>\n")
        else:
            ident.append("        <UPNunknown>UN1</UPNunknown>\n")
        if kids.former_upn[child_id]:
            ident.append(f"        <FormerUPN>{kids.former_upn[child_id]}</FormerUPN>\n")
        gender = kids.gender[child_id]
        if birth > ref:
            ident.append(
                f"        <ExpectedPersonBirthDate>{_iso(birth)}</ExpectedPersonBirthDate>\n"
            )
        else:
            ident.append(f"        <PersonBirthDate>{_iso(birth)}</PersonBirthDate>\n")
        ident.append(
            f"        <{sex_element}>{sex_codes.get(gender, sex_codes['unknown'])}</{sex_element}>\n"
        )
        parts = [
            "    <Child>\n      <ChildIdentifiers>\n",
            *ident,
            "      </ChildIdentifiers>\n      <ChildCharacteristics>\n",
            f"        <Ethnicity>{kids.ethnicity[child_id]}</Ethnicity>\n",
            "        <Disabilities>\n          <Disability>NONE</Disability>\n"
            "        </Disabilities>\n      </ChildCharacteristics>\n",
        ]
        for plan in group.itertuples(index=False):
            parts.append(_cin_details(plan, year_start, ref, rng))
        parts.append("    </Child>\n")
        yield "".join(parts)
    for i in range(other_children):
        yield _child_in_need(f"N{year}{i:07d}", year, rng)
    yield "  </Children>\n</Message>\n"


def _cin_details(
    plan: object, year_start: np.datetime64, ref: np.datetime64, rng: np.random.Generator
) -> str:
    """One ``CINdetails`` episode holding one plan, with the referral, assessment and section 47
    enquiry that led to it and the reviews held in the year."""
    start = np.datetime64(plan.plan_start_date, "D")  # type: ignore[attr-defined]
    end = plan.plan_end_date  # type: ignore[attr-defined]
    end = None if pd.isna(end) else np.datetime64(end, "D")
    conference = plan.initial_conference_date  # type: ignore[attr-defined]
    conference = start if pd.isna(conference) else np.datetime64(conference, "D")
    referral = conference - np.timedelta64(int(rng.integers(20, 60)), "D")
    s47 = referral + np.timedelta64(int(rng.integers(1, 10)), "D")
    category = CATEGORY_CODES.get(str(plan.category_of_abuse), "MUL")  # type: ignore[attr-defined]
    reviews = []
    due = start + np.timedelta64(91, "D")
    stop = ref if end is None else end
    while due <= stop:
        if due >= year_start:
            reviews.append(f"            <CPPreviewDate>{due}</CPPreviewDate>\n")
        due = due + np.timedelta64(182, "D")
    closed = end is not None
    lines = [
        "      <CINdetails>\n",
        f"        <CINreferralDate>{referral}</CINreferralDate>\n",
        "        <ReferralSource>6</ReferralSource>\n        <PrimaryNeedCode>N1</PrimaryNeedCode>\n",
    ]
    if closed:
        lines.append(f"        <CINclosureDate>{end}</CINclosureDate>\n")
        lines.append("        <ReasonForClosure>RC8</ReasonForClosure>\n")
    lines += [
        f"        <DateOfInitialCPC>{conference}</DateOfInitialCPC>\n",
        "        <Assessments>\n",
        f"          <AssessmentActualStartDate>{referral}</AssessmentActualStartDate>\n",
        f"          <AssessmentAuthorisationDate>{s47}</AssessmentAuthorisationDate>\n",
        "          <FactorsIdentifiedAtAssessment>\n",
        "            <AssessmentFactors>3A</AssessmentFactors>\n",
        "          </FactorsIdentifiedAtAssessment>\n        </Assessments>\n",
        "        <Section47>\n",
        f"          <S47ActualStartDate>{s47}</S47ActualStartDate>\n",
        f"          <InitialCPCtarget>{s47 + np.timedelta64(15, 'D')}</InitialCPCtarget>\n",
        f"          <DateOfInitialCPC>{conference}</DateOfInitialCPC>\n",
        "          <ICPCnotRequired>false</ICPCnotRequired>\n        </Section47>\n",
        "        <ReferralNFA>false</ReferralNFA>\n",
        "        <ChildProtectionPlans>\n",
        f"          <CPPstartDate>{start}</CPPstartDate>\n",
    ]
    if closed:
        lines.append(f"          <CPPendDate>{end}</CPPendDate>\n")
    lines += [
        f"          <InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse>\n",
        f"          <LatestCategoryOfAbuse>{category}</LatestCategoryOfAbuse>\n",
        f"          <NumberOfPreviousCPP>{int(plan.previous_plans)}</NumberOfPreviousCPP>\n",  # type: ignore[attr-defined]
    ]
    if reviews:
        lines += ["          <Reviews>\n", *reviews, "          </Reviews>\n"]
    lines.append("        </ChildProtectionPlans>\n      </CINdetails>\n")
    return "".join(lines)


def _child_in_need(child_id: str, year: int, rng: np.random.Generator) -> str:
    """A child in need with a referral and an assessment but no plan."""
    referral = np.datetime64(f"{year - 1}-04-01") + np.timedelta64(int(rng.integers(0, 365)), "D")
    birth = referral - np.timedelta64(int(rng.integers(0, 17 * 365)), "D")
    sex = ("1", "2")[int(rng.integers(0, 2))]
    return (
        "    <Child>\n      <ChildIdentifiers>\n"
        f"        <LAchildID>{child_id}</LAchildID>\n        <UPNunknown>UN2</UPNunknown>\n"
        f"        <PersonBirthDate>{birth}</PersonBirthDate>\n"
        f"        <GenderCurrent>{sex}</GenderCurrent>\n      </ChildIdentifiers>\n"
        "      <ChildCharacteristics>\n        <Ethnicity>WBRI</Ethnicity>\n"
        "      </ChildCharacteristics>\n      <CINdetails>\n"
        f"        <CINreferralDate>{referral}</CINreferralDate>\n"
        "        <ReferralSource>2A</ReferralSource>\n        <PrimaryNeedCode>N4</PrimaryNeedCode>\n"
        "        <Assessments>\n"
        f"          <AssessmentActualStartDate>{referral}</AssessmentActualStartDate>\n"
        "        </Assessments>\n        <ReferralNFA>false</ReferralNFA>\n"
        "      </CINdetails>\n    </Child>\n"
    )


def write_cin_census(cpp: pd.DataFrame, year: int, path: str | Path, **options: object) -> Path:
    """Write :func:`cin_census_xml` to ``path`` (UTF-8); returns the path."""
    path = Path(path)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for piece in cin_census_xml(cpp, year, **options):  # type: ignore[arg-type]
            fh.write(piece)
    return path


# ---------------------------------------------------------------------------- Annex A
#: List 7's headers in Ofsted's template (as liia-tools-pipeline's Annex A schema lists them).
LIST7_HEADERS = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Does the Child have a Disability",
    "Child Protection Plan Start Date",
    "Initial Category of Abuse",
    "Latest Category of Abuse",
    "Date of the Last Statutory Visit",
    "Was the Child Seen Alone?",
    "Date of latest review conference",
    "Child Protection Plan End Date",
    "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
    "Number of Previous Child Protection Plans",
    "Allocated Team",
    "Allocated Worker",
)
ANNEX_GENDER = {
    "male": "a) Male",
    "female": "b) Female",
    "unknown": "c) Not stated/recorded (or unborn)",
}
ANNEX_ETHNICITY = {
    code: f"{letter}) {code}"
    for letter, code in zip(
        "abcdefghijklmnopqrst",
        (
            "WBRI",
            "WIRI",
            "WIRT",
            "WOTH",
            "WROM",
            "MWBC",
            "MWBA",
            "MWAS",
            "MOTH",
            "AIND",
            "APKN",
            "ABAN",
            "AOTH",
            "BCRB",
            "BAFR",
            "BOTH",
            "CHNE",
            "OOTH",
            "REFU",
            "NOBT",
        ),
        strict=True,
    )
}
ANNEX_CATEGORY = {
    "neglect": "a) Neglect",
    "physical": "b) Physical abuse",
    "sexual": "c) Sexual abuse",
    "emotional": "d) Emotional abuse",
    "multiple": "e) Multiple/not recommended",
}


def annex_a_plans(cpp: pd.DataFrame, as_at: dt.date, months: int = 6) -> pd.DataFrame:
    """The plans List 7 holds on ``as_at``: open then, or ended in the ``months`` before it; end
    dates after ``as_at`` are not yet known."""
    day = pd.Timestamp(as_at)
    since = day - pd.DateOffset(months=months)
    end = cpp["plan_end_date"]
    held = (cpp["plan_start_date"] <= day) & (end.isna() | (end > since))
    out = cpp.loc[held].copy()
    out["plan_end_date"] = out["plan_end_date"].where(out["plan_end_date"] <= day)
    return out


def write_annex_a(
    cpp: pd.DataFrame,
    as_at: dt.date,
    path: str | Path,
    *,
    months: int = 6,
    sheet_name: str = "List 7",
    la_code: str = "201",
    seed: int = DEFAULT_SEED,
) -> Path:
    """An Annex A workbook: sheets "List 1" .. "List 11", List 7 filled from ``cpp``."""
    import openpyxl

    path = Path(path)
    kids = children(cpp, la_code, seed)
    plans = annex_a_plans(cpp, as_at, months).sort_values(["plan_start_date", "child_id"])
    day = np.datetime64(as_at, "D")
    book = openpyxl.Workbook(write_only=True)
    for number in range(1, 12):
        name = sheet_name if number == 7 else f"List {number}"
        sheet = book.create_sheet(name)
        sheet.append(
            list(LIST7_HEADERS) if number == 7 else ["Child Unique ID", "Gender", "Ethnicity"]
        )
        if number != 7:
            continue
        for plan in plans.itertuples(index=False):
            child = plan.child_id
            birth = np.datetime64(kids.birth[child], "D")
            end = plan.plan_end_date
            sheet.append(
                [
                    child,
                    ANNEX_GENDER.get(kids.gender[child], ANNEX_GENDER["unknown"]),
                    ANNEX_ETHNICITY[kids.ethnicity[child]],
                    pd.Timestamp(birth).to_pydatetime(),
                    round(float((day - birth).astype(np.int64)) / 365.25, 2),
                    "b) No",
                    pd.Timestamp(plan.plan_start_date).to_pydatetime(),
                    ANNEX_CATEGORY.get(str(plan.category_of_abuse), ANNEX_CATEGORY["multiple"]),
                    ANNEX_CATEGORY.get(str(plan.category_of_abuse), ANNEX_CATEGORY["multiple"]),
                    None,
                    "a) Yes",
                    None,
                    None if pd.isna(end) else pd.Timestamp(end).to_pydatetime(),
                    "b) No",
                    int(plan.previous_plans),
                    str(plan.team),
                    kids.worker[child],
                ]
            )
    book.save(path)
    return path

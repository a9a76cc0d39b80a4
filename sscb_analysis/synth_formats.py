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
class Child:
    """A child's made-up identifiers and characteristics."""

    birth: np.datetime64  # day
    upn: str
    former_upn: str  # "" for most children
    ethnicity: str  # CIN code
    gender: str  # male, female, unknown
    worker: str


def children(cpp: pd.DataFrame, la_code: str = "201", seed: int = DEFAULT_SEED) -> dict[str, Child]:
    """Identifiers for every child in ``cpp`` by ``child_id``, stable for a frame and seed."""
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
    gender = first["gender"].astype(str).to_numpy()
    unborn = (band == "under 1") & (gender == "unknown")
    birth = np.where(unborn, start + rng.integers(1, 121, n).astype("timedelta64[D]"), birth)
    school = rng.integers(1000, 10000, n)
    entry = rng.integers(0, 100, n)
    serial = rng.integers(0, 1000, n)
    moved = rng.random(n) < 0.02
    before = rng.integers(0, 10**9, n)
    pick = rng.random((n, 3))
    groups = first["ethnicity"].astype(str).tolist()
    out: dict[str, Child] = {}
    for i, child_id in enumerate(first.index.tolist()):
        digits = f"{la_code[-3:]:0>3}{school[i]}{entry[i]:02d}{serial[i]:03d}"
        former = f"999{before[i]:09d}"
        codes = ETHNICITY_CODES.get(groups[i], ("NOBT",))
        out[child_id] = Child(
            birth=birth[i],
            upn=upn_check_letter(digits) + digits,
            former_upn=upn_check_letter(former) + former if moved[i] else "",
            ethnicity=codes[int(pick[i, 0] * len(codes))],
            gender=str(gender[i]),
            worker=f"{_FIRST_NAMES[int(pick[i, 1] * len(_FIRST_NAMES))]} "
            f"{_SURNAMES[int(pick[i, 2] * len(_SURNAMES))]}",
        )
    return out


def _excel_day(day: np.datetime64 | str) -> dt.datetime:
    """A date as the datetime an Excel cell holds."""
    return dt.datetime.fromisoformat(str(np.datetime64(day, "D")))


def _iso_days(values: pd.Series) -> list[str]:
    """Dates as ISO text ("" for missing), for writing many of them."""
    days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    text = np.datetime_as_string(days)
    return np.where(np.isnat(days), "", text).tolist()


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
    kids: dict[str, Child] | None = None,
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
    school_age = ref - np.timedelta64(5 * 365, "D")
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
    rows = _Plan.rows(plans)
    for at, row in enumerate(rows):
        if at and rows[at - 1].child_id == row.child_id:
            continue  # written with the child's first plan
        kid = kids[row.child_id]
        ident = [f"        <LAchildID>{escape(row.child_id)}</LAchildID>\n"]
        if kid.birth <= school_age:
            ident.append(f"        <UPN>{kid.upn}</UPN>\n")
        else:
            ident.append("        <UPNunknown>UN1</UPNunknown>\n")
        if kid.former_upn:
            ident.append(f"        <FormerUPN>{kid.former_upn}</FormerUPN>\n")
        if kid.birth > ref:
            ident.append(
                f"        <ExpectedPersonBirthDate>{kid.birth}</ExpectedPersonBirthDate>\n"
            )
        else:
            ident.append(f"        <PersonBirthDate>{kid.birth}</PersonBirthDate>\n")
        code = sex_codes.get(kid.gender, sex_codes["unknown"])
        ident.append(f"        <{sex_element}>{code}</{sex_element}>\n")
        parts = [
            "    <Child>\n      <ChildIdentifiers>\n",
            *ident,
            "      </ChildIdentifiers>\n      <ChildCharacteristics>\n",
            f"        <Ethnicity>{kid.ethnicity}</Ethnicity>\n",
            "        <Disabilities>\n          <Disability>NONE</Disability>\n"
            "        </Disabilities>\n      </ChildCharacteristics>\n",
        ]
        for same in rows[at:]:
            if same.child_id != row.child_id:
                break
            parts.append(_cin_details(same, year, rng))
        parts.append("    </Child>\n")
        yield "".join(parts)
    yield from _children_in_need(f"N{year}", other_children, year, rng)
    yield "  </Children>\n</Message>\n"


@dataclass(frozen=True)
class _Plan:
    """One plan's values as the writers need them (dates as ISO text, "" when missing)."""

    child_id: str
    start: str
    end: str
    conference: str
    category: str
    previous: int
    team: str

    @classmethod
    def rows(cls, plans: pd.DataFrame) -> list[_Plan]:
        """The frame's plans, in order, converted column by column (not row by row)."""
        conference = _iso_days(plans["initial_conference_date"])
        start = _iso_days(plans["plan_start_date"])
        return [
            cls(*values)
            for values in zip(
                plans["child_id"].astype(str).tolist(),
                start,
                _iso_days(plans["plan_end_date"]),
                [c or s for c, s in zip(conference, start, strict=True)],
                plans["category_of_abuse"].astype(str).tolist(),
                plans["previous_plans"].astype("int64").tolist(),
                plans["team"].astype(str).tolist(),
                strict=True,
            )
        ]


def _cin_details(plan: _Plan, year: int, rng: np.random.Generator) -> str:
    """One ``CINdetails`` episode holding one plan, with the referral, assessment and section 47
    enquiry that led to it and the reviews held in the collection year (every six months after a
    first at three)."""
    start = np.datetime64(plan.start)
    conference = np.datetime64(plan.conference)
    referral = conference - np.timedelta64(int(rng.integers(20, 60)), "D")
    s47 = referral + np.timedelta64(int(rng.integers(1, 10)), "D")
    category = CATEGORY_CODES.get(plan.category, "MUL")
    year_start = np.datetime64(f"{year - 1}-04-01")
    stop = np.datetime64(plan.end) if plan.end else np.datetime64(f"{year}-03-31")
    reviews = []
    due = start + np.timedelta64(91, "D")
    while due <= stop:
        if due >= year_start:
            reviews.append(f"            <CPPreviewDate>{due}</CPPreviewDate>\n")
        due = due + np.timedelta64(182, "D")
    lines = [
        "      <CINdetails>\n",
        f"        <CINreferralDate>{referral}</CINreferralDate>\n",
        "        <ReferralSource>6</ReferralSource>\n        <PrimaryNeedCode>N1</PrimaryNeedCode>\n",
    ]
    if plan.end:
        lines.append(f"        <CINclosureDate>{plan.end}</CINclosureDate>\n")
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
        f"          <CPPstartDate>{plan.start}</CPPstartDate>\n",
    ]
    if plan.end:
        lines.append(f"          <CPPendDate>{plan.end}</CPPendDate>\n")
    lines += [
        f"          <InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse>\n",
        f"          <LatestCategoryOfAbuse>{category}</LatestCategoryOfAbuse>\n",
        f"          <NumberOfPreviousCPP>{plan.previous}</NumberOfPreviousCPP>\n",
    ]
    if reviews:
        lines += ["          <Reviews>\n", *reviews, "          </Reviews>\n"]
    lines.append("        </ChildProtectionPlans>\n      </CINdetails>\n")
    return "".join(lines)


_FACTORS = ("1A", "1B", "2A", "2B", "3A", "3B", "4A", "4B", "5A", "6A", "8B", "11A", "16A", "21")


def _children_in_need(prefix: str, n: int, year: int, rng: np.random.Generator) -> Iterator[str]:
    """``n`` children in need without a plan: one to three episodes each, with a referral, an
    assessment and its factors, and sometimes a CIN plan or a section 47 enquiry (as a real
    return's children mostly are; it gives a benchmark file a real return's size). Random numbers
    are drawn in blocks and dates looked up as text: a region's return is 200,000 children."""
    first = int(np.datetime64(f"{year - 1}-04-01", "D").astype(np.int64))
    lo = first - 18 * 366
    days = np.arange(lo, first + 3 * 366).astype("datetime64[D]").astype(str).tolist()
    block = 4096
    for offset in range(0, n, block):
        k = min(block, n - offset)
        birth = rng.integers(0, 17 * 365, k)
        sex = rng.integers(1, 3, k)
        episodes = rng.integers(1, 4, k)
        m = int(episodes.sum())
        referral = rng.integers(0, 365, m)
        took = rng.integers(5, 45, m)
        n_factors = rng.integers(1, 7, m)
        factor = rng.integers(0, len(_FACTORS), (m, 6))
        plan = rng.random(m) < 0.5
        s47 = rng.random(m) < 0.3
        e = 0
        for i in range(k):
            parts = [
                "    <Child>\n      <ChildIdentifiers>\n",
                f"        <LAchildID>{prefix}{offset + i:07d}</LAchildID>\n",
                "        <UPNunknown>UN2</UPNunknown>\n",
                f"        <PersonBirthDate>{days[first - lo - int(birth[i])]}</PersonBirthDate>\n",
                f"        <GenderCurrent>{sex[i]}</GenderCurrent>\n      </ChildIdentifiers>\n",
                "      <ChildCharacteristics>\n        <Ethnicity>WBRI</Ethnicity>\n",
                "        <Disabilities>\n          <Disability>NONE</Disability>\n",
                "        </Disabilities>\n      </ChildCharacteristics>\n",
            ]
            for _ in range(int(episodes[i])):
                r = first - lo + int(referral[e])
                d = r + int(took[e])
                parts += [
                    "      <CINdetails>\n",
                    f"        <CINreferralDate>{days[r]}</CINreferralDate>\n",
                    "        <ReferralSource>2A</ReferralSource>\n",
                    "        <PrimaryNeedCode>N4</PrimaryNeedCode>\n",
                    f"        <CINclosureDate>{days[d + 90]}</CINclosureDate>\n",
                    "        <ReasonForClosure>RC8</ReasonForClosure>\n        <Assessments>\n",
                    f"          <AssessmentActualStartDate>{days[r]}</AssessmentActualStartDate>\n",
                    f"          <AssessmentAuthorisationDate>{days[d]}</AssessmentAuthorisationDate>\n",
                    "          <FactorsIdentifiedAtAssessment>\n",
                    *(
                        f"            <AssessmentFactors>{_FACTORS[f]}</AssessmentFactors>\n"
                        for f in factor[e, : n_factors[e]]
                    ),
                    "          </FactorsIdentifiedAtAssessment>\n        </Assessments>\n",
                ]
                if plan[e]:
                    parts += [
                        "        <CINPlanDates>\n",
                        f"          <CINPlanStartDate>{days[d]}</CINPlanStartDate>\n",
                        f"          <CINPlanEndDate>{days[d + 90]}</CINPlanEndDate>\n",
                        "        </CINPlanDates>\n",
                    ]
                if s47[e]:
                    parts += [
                        "        <Section47>\n",
                        f"          <S47ActualStartDate>{days[r]}</S47ActualStartDate>\n",
                        f"          <InitialCPCtarget>{days[r + 15]}</InitialCPCtarget>\n",
                        "          <ICPCnotRequired>true</ICPCnotRequired>\n        </Section47>\n",
                    ]
                parts.append("        <ReferralNFA>false</ReferralNFA>\n      </CINdetails>\n")
                e += 1
            parts.append("    </Child>\n")
            yield "".join(parts)


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
        for plan in _Plan.rows(plans):
            kid = kids[plan.child_id]
            category = ANNEX_CATEGORY.get(plan.category, ANNEX_CATEGORY["multiple"])
            sheet.append(
                [
                    plan.child_id,
                    ANNEX_GENDER.get(kid.gender, ANNEX_GENDER["unknown"]),
                    ANNEX_ETHNICITY[kid.ethnicity],
                    _excel_day(kid.birth),
                    round(float((day - kid.birth).astype(np.int64)) / 365.25, 2),
                    "b) No",
                    _excel_day(plan.start),
                    category,
                    category,
                    None,
                    "a) Yes",
                    None,
                    _excel_day(plan.end) if plan.end else None,
                    "b) No",
                    plan.previous,
                    plan.team,
                    kid.worker,
                ]
            )
    book.save(path)
    return path

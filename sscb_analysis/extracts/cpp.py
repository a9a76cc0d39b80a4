"""Child protection plans (CPP): one row per plan, as the case system exports it.

Canonical columns and meanings are the shared extract contract (``docs/data_dictionary.md``);
aliases include the DfE children in need census item names (``CPPstartDate`` ...).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sscb_analysis.extracts import Column, ExtractSpec, Rule
from sscb_analysis.measures import (
    CPP_DERIVED,
    NAT_DAY,
    cpp_measures,
    day_numbers,
    group_codes,
    order_by_day,
    order_within,
    previous_in_group,
    rank_in_group,
    second_or_subsequent_basis,
    value_before,
)

CHILD_ID_ALIASES = (
    "Child ID",
    "LAchildID",
    "LA Child ID",
    "Child Ref",
    "Child Reference",
    "Child Pseudonym",
    "Person ID",
    "Client ID",
    "Child Unique ID",
    "Unique Child ID",
    "Individual ID",
)

#: CIN census ethnicity codes (DfE CIN census guide, the 2001 census-based list used since 2003,
#: with WIRT, WROM, REFU and NOBT) by their major group.
ETHNICITY = {
    "white": (
        "w",
        "white british",
        "white irish",
        "white other",
        "any other white background",
        "traveller of irish heritage",
        "gypsy/roma",
        "wbri",
        "wiri",
        "woth",
        "wrom",
        "wirt",
    ),
    "mixed": (
        "mixed/multiple",
        "mixed ethnic",
        "mwbc",
        "mwba",
        "mwas",
        "moth",
        "mixed other",
        "any other mixed background",
    ),
    "asian": (
        "asian british",
        "asian/asian british",
        "asian or asian british",
        "aind",
        "apkn",
        "aban",
        "aoth",
        "a",
    ),
    "black": (
        "black british",
        "black/black british",
        "black or black british",
        "bcrb",
        "bafr",
        "both",
        "b",
    ),
    "other": (
        "other ethnic group",
        "any other",
        "any other ethnic group",
        "ooth",
        "oeth",
        "chne",
        "chinese",
        "arab",
    ),
    "unknown": (
        "not known",
        "not stated",
        "nobt",
        "refu",
        "refused",
        "not obtained",
        "information not yet obtained",
    ),
}

#: Categories of abuse with the DfE codes (NEG, PHY, EMO, SAB, MUL) and common spellings.
CATEGORIES = {
    "neglect": ("n", "neg"),
    "physical": ("p", "physical abuse", "pa", "phy"),
    "emotional": ("e", "emotional abuse", "ea", "emo"),
    "sexual": ("s", "sexual abuse", "sa", "sex", "sab"),
    # "Multiple/not recommended": the DfE's MUL, as Ofsted's Annex A template words it.
    "multiple": ("m", "mixed", "multiple categories", "mul", "multiple/not recommended"),
}

COLUMNS = (
    Column(
        "plan_id",
        "id",
        required=False,
        nullable=False,
        aliases=("Plan ID", "CPP ID", "Plan Ref", "Plan Reference", "CP Plan ID", "CPP Ref"),
    ),
    Column("child_id", "id", nullable=False, aliases=CHILD_ID_ALIASES),
    Column(
        "plan_start_date",
        "date",
        nullable=False,
        aliases=(
            "Start Date",
            "Plan Start",
            "Plan Start Date",
            "CPP Start Date",
            "CPPstartDate",
            "Date Plan Started",
            "CP Plan Start Date",
            "Child Protection Plan Start Date",
            "CP Start Date",
        ),
        looks_like=(("start", "date"), ("start", "plan")),
    ),
    Column(
        "plan_end_date",
        "date",
        aliases=(
            "End Date",
            "Plan End",
            "Plan End Date",
            "CPP End Date",
            "CPPendDate",
            "Date Plan Ended",
            "CP Plan End Date",
            "Child Protection Plan End Date",
            "CP End Date",
        ),
        looks_like=(("end", "date"),),
    ),
    Column(
        "initial_category",
        "category",
        nullable=False,
        aliases=(
            "Initial Category",
            "Initial Category of Abuse",
            "InitialCategoryOfAbuse",
            "Category at Start",
            "Initial CP Category",
        ),
        values=CATEGORIES,
        looks_like=(("categor",),),
    ),
    Column(
        "latest_category",
        "category",
        required=False,
        aliases=(
            "Latest Category",
            "Latest Category of Abuse",
            "LatestCategoryOfAbuse",
            "Current Category",
            "Current Category of Abuse",
        ),
        values=CATEGORIES,
        stands_in="initial_category",
        looks_like=(("latest", "categor"), ("current", "categor")),
    ),
    Column(
        "age_band",
        "category",
        required=False,
        headline=False,
        aliases=("Age Band", "Age Group", "Age at Start", "Age Band at Start"),
        values={
            # DfE's "Unborn" age group: a plan that starts before the child's birth.
            "unborn": ("pre-birth", "prebirth"),
            "under 1": ("<1", "under one", "0", "less than 1"),
            "1-4": ("1 to 4", "01-04"),
            "5-9": ("5 to 9", "05-09"),
            "10-15": ("10 to 15",),
            "16+": ("16 and over", "16 plus", "16 or over", "16-17"),
        },
    ),
    Column(
        "gender",
        "category",
        required=False,
        headline=False,
        aliases=("Sex", "Gender", "GenderCurrent", "Gender Current"),
        values={
            "male": ("m", "boy", "1"),
            "female": ("f", "girl", "2"),
            "unknown": (
                *("u", "not known", "not stated", "indeterminate", "unborn", "0", "9"),
                # Ofsted's Annex A template: "c) Not stated/recorded (or unborn)", "d) Neither"
                *("not stated/recorded", "not stated/recorded (or unborn)", "neither"),
            ),
        },
    ),
    Column(
        "ethnicity",
        "category",
        required=False,
        headline=False,
        aliases=("Ethnic Group", "Ethnic Origin", "Ethnicity Code"),
        values=ETHNICITY,
    ),
    Column(
        "team",
        "text",
        required=False,
        aliases=("Team Name", "Social Work Team", "Allocated Team", "Team"),
    ),
    Column(
        "previous_plans",
        "int",
        required=False,
        minimum=0,
        aliases=(
            "Previous Plans",
            "NumberOfPreviousCPP",
            "Number of Previous CPP",
            "Previous CPPs",
            "Previous CP Plans",
            "No. of Previous CP Plans",
            "Number of Previous CP Plans",
            "Number of Previous Child Protection Plans",
        ),
        looks_like=(
            ("previous", "plan"),
            ("previous", "cp"),
            ("prev", "plan"),
            ("prev", "cp"),
            ("prior", "plan"),
        ),
    ),
    Column(
        "initial_conference_date",
        "date",
        required=False,
        aliases=(
            "ICPC Date",
            "Initial Conference",
            "Initial Conference Date",
            "DateOfInitialCPC",
            "Initial CP Conference Date",
            "Initial Child Protection Conference Date",
            "Date of Initial Child Protection Conference",
        ),
    ),
    Column(
        "review_conferences",
        "int",
        required=False,
        minimum=0,
        aliases=(
            "Review Conferences",
            "Number of Reviews",
            "Reviews",
            "RCPCs",
            "Number of Review Conferences",
            "No. of Review Conferences",
            "Number of Review CPCs",
            "No. of RCPCs",
        ),
        # A count of reviews under another spelling; not a review's date ("Date of latest
        # review conference", as Annex A has), which holds no "conferences", "number" or "count".
        looks_like=(
            ("review", "conferences"),
            ("number", "review"),
            ("noof", "review"),
            ("review", "count"),
        ),
    ),
)

#: Headers that name a category of abuse without saying which: the initial category, or the
#: latest when the file also has an initial category column ("Category of Abuse" beside
#: "Initial Category" is the latest).
SHARED_ALIASES = (
    (
        ("category_of_abuse", "Category of Abuse", "Category", "Abuse Category", "CPP Category"),
        ("initial_category", "latest_category"),
    ),
)

RULES = (
    Rule("CPP011", "query", "plan overlaps an earlier plan of the same child"),
    Rule(
        "CPP012",
        "query",
        "initial conference after the plan start, or more than 15 working days before it",
    ),
    Rule(
        "CPP013",
        "query",
        "recorded number of previous plans smaller than the child's earlier plans in the extract",
    ),
)


#: A conference this many calendar days or more before the start is always more than 15 working
#: days before it (3 weeks hold exactly 15 working days; any 3 more days hold at least one);
#: at 15 days or fewer it never is. Only the days between need counting.
ALWAYS_TOO_EARLY = 24
NEVER_TOO_EARLY = 15


def checks(
    frame: pd.DataFrame,
    person_codes: np.ndarray | None = None,
    *,
    order: np.ndarray | None = None,
) -> list[tuple[str, str, pd.Series, str]]:
    """CPP-specific checks on rows that passed the generic rules.

    ``person_codes`` (optional): integer codes of the person id, one per row, when the caller
    already has them (the cleaner does), so the ids are not hashed again. ``order`` (optional,
    with ``person_codes``): the rows' :func:`~sscb_analysis.measures.order_within` by those codes
    and the plan start, when the caller has it already.
    """
    start = frame["plan_start_date"]
    end = frame["plan_end_date"]
    icpc = frame["initial_conference_date"]
    start_days, end_days, icpc_days = (day_numbers(c) for c in (start, end, icpc))
    if start_days is None or end_days is None or icpc_days is None:
        return _checks_datetimes(frame, person_codes, order)
    hits: list[tuple[str, str, pd.Series, str]] = []
    start_known = start_days != NAT_DAY
    if len(frame):
        child = group_codes(frame["child_id"]) if person_codes is None else person_codes
        if order is None:
            order = order_by_day(child, start_days)
        prev = previous_in_group(child, order)
        prev_end = value_before(end_days, prev)
        # The earlier plan is still open (no end) or ends after this one starts.
        late_end = prev_end > start_days  # False where the earlier end is missing
        late_end &= start_known
        late_end |= prev_end == NAT_DAY
        late_end &= prev >= 0
        hits.append(
            (
                "CPP011",
                "plan_start_date",
                pd.Series(late_end, index=frame.index),
                "starts before the child's previous plan ended",
            )
        )
    both = icpc_days != NAT_DAY
    both &= start_known
    gap = start_days - icpc_days  # calendar days; wraps where a day is missing (not in ``both``)
    after = gap < 0
    after &= both
    busy = gap >= ALWAYS_TOO_EARLY
    busy &= both
    count = np.flatnonzero(both & (gap > NEVER_TOO_EARLY) & (gap < ALWAYS_TOO_EARLY))
    if len(count):
        busy[count] = (
            np.busday_count(
                icpc_days[count].view("datetime64[D]"), start_days[count].view("datetime64[D]")
            )
            > 15
        )
    hits.append(
        (
            "CPP012",
            "initial_conference_date",
            pd.Series(after, index=frame.index),
            "initial conference after the plan start",
        )
    )
    hits.append(
        (
            "CPP012",
            "initial_conference_date",
            pd.Series(busy, index=frame.index),
            "initial conference more than 15 working days before the plan start",
        )
    )
    hits.extend(_fewer_recorded(frame, person_codes, order))
    return hits


def _fewer_recorded(
    frame: pd.DataFrame, person_codes: np.ndarray | None, order: np.ndarray | None
) -> list[tuple[str, str, pd.Series, str]]:
    """CPP013: the recorded number of previous plans is smaller than the child's earlier plans
    in the extract (the DfE counts plans ever; the extract's own history then decides)."""
    if not len(frame) or "previous_plans" not in frame:
        return []
    child = group_codes(frame["child_id"]) if person_codes is None else person_codes
    if order is None:
        order = order_within(child, frame["plan_start_date"])
    rank = rank_in_group(child, order)
    recorded = frame["previous_plans"].to_numpy(dtype="float64", na_value=np.nan)
    fewer = ~np.isnan(recorded) & (np.nan_to_num(recorded) < rank - 1)
    return [
        (
            "CPP013",
            "previous_plans",
            pd.Series(fewer, index=frame.index),
            "fewer previous plans recorded than the child's earlier plans in this extract; the "
            "plan counts as second or subsequent by the extract's history",
        )
    ]


def _checks_datetimes(
    frame: pd.DataFrame, person_codes: np.ndarray | None, order: np.ndarray | None
) -> list[tuple[str, str, pd.Series, str]]:
    """:func:`checks` on dates that are not whole days (a time of day, a time zone)."""
    hits: list[tuple[str, str, pd.Series, str]] = []
    start = frame["plan_start_date"]
    end = frame["plan_end_date"]
    if len(frame):
        child = group_codes(frame["child_id"]) if person_codes is None else person_codes
        if order is None:
            order = order_within(child, start)
        prev = previous_in_group(child, order)
        has_prev = prev >= 0
        end_values = end.to_numpy(dtype="datetime64[s]")
        prev_end = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[s]")
        prev_end[has_prev] = end_values[prev[has_prev]]
        # The earlier plan is still open (no end) or ends after this one starts.
        open_prev = has_prev & np.isnat(prev_end)
        late_end = (
            has_prev & ~np.isnat(prev_end) & (prev_end > start.to_numpy(dtype="datetime64[s]"))
        )
        overlap = pd.Series(open_prev | late_end, index=frame.index)
        hits.append(
            ("CPP011", "plan_start_date", overlap, "starts before the child's previous plan ended")
        )
    icpc = frame["initial_conference_date"]
    both = icpc.notna() & start.notna()
    after = both & (icpc > start)
    busy = pd.Series(False, index=frame.index)
    if both.any():
        days = np.busday_count(
            icpc[both].to_numpy(dtype="datetime64[D]"), start[both].to_numpy(dtype="datetime64[D]")
        )
        busy.loc[both] = days > 15
    hits.append(
        ("CPP012", "initial_conference_date", after, "initial conference after the plan start")
    )
    hits.append(
        (
            "CPP012",
            "initial_conference_date",
            busy,
            "initial conference more than 15 working days before the plan start",
        )
    )
    hits.extend(_fewer_recorded(frame, person_codes, order))
    return hits


SPEC = ExtractSpec(
    kind="cpp",
    prefix="CPP",
    columns=COLUMNS,
    record_id="plan_id",
    person_id="child_id",
    event_date="plan_start_date",
    date_order=(("plan_start_date", "plan_end_date", "CPP010"),),
    shared_aliases=SHARED_ALIASES,
    record_key=("child_id", "plan_start_date"),
    specific_rules=RULES,
    checks=checks,
    derive=cpp_measures,
    derived_dtypes=CPP_DERIVED,
    describe=second_or_subsequent_basis,
)

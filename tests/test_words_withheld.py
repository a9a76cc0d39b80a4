"""Every sentence template of every page, with its numbers withheld, still reads as English.

Review P2: the data-quality page printed "Of the plans used, a withheld number of are second or
subsequent plans". A withheld count is written "a withheld number" (withheld to protect another)
or "between 1 and 5" (small), so a template that puts a count where a noun phrase must go breaks.
Here every page is computed on the synthetic extracts, then disclosed twice by hand, once with
every count withheld as small and once with every count withheld to protect another, and every
public words function runs on it; the text is searched for the broken forms.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import fields, is_dataclass
from types import SimpleNamespace

import pandas as pd
import pytest

from sscb_analysis.analyses import benchmark, caf, cpp_duration, cpp_repeats, marac, quality
from sscb_analysis.analyses.benchmark.compute import INDICATORS
from sscb_analysis.analyses.cpp_duration.compute import MEASURES
from sscb_analysis.cleaning import clean
from sscb_analysis.disclose import Disclosure, Page, disclosure_policy, page_ledger, reveal
from sscb_analysis.paths import SYNTHETIC

START, END = "2012-04-01", "2013-03-31"
EVENT = SimpleNamespace(date=pd.Timestamp("2012-06-01"), label="the practice review", source="x")
QUARTERS = SimpleNamespace(value={"2012Q1": 24, "2012Q4": 4}, text="from 24 to 4", source="x")
RATE = SimpleNamespace(value=0.31, label="the national repeat rate", source="x", year=2013)
AUDIT = SimpleNamespace(
    value="barnardos", text="more use of the tool", source="x", date=pd.Timestamp("2012-01-01")
)
CLAIMS = {
    "very_satisfied": SimpleNamespace(value=0.92, text="92% very satisfied", source="x"),
    "improved": SimpleNamespace(value=0.66, text="66% saw improvement", source="x"),
}
#: A withheld count, as words print it, where a noun phrase or a number must follow.
WITHHELD = r"(?:a withheld number|between 1 and \d+)"
NOUNS = (
    r"(?:plans?|referrals?|children|child|rows?|people|households?|assessments?|cases?|"
    r"MARAC|CAF|are|were|is|was|had|have)"
)
BROKEN = [
    re.compile(r"\bof (?:are|were|is|was)\b"),  # "a withheld number of are ..."
    re.compile(
        rf"\b(?:the|a|an|every one of the) {WITHHELD}", re.IGNORECASE
    ),  # "of the a withheld"
    re.compile(rf"\ba withheld number {NOUNS}\b"),  # "a withheld number plans started"
    re.compile(r"\bNone\b|\bnan\b|\bNaN\b"),
]


def _pages():
    cpp = clean("cpp", SYNTHETIC / "cpp.csv").data
    caf_data = clean("caf", SYNTHETIC / "caf.csv").data
    marac_data = clean("marac", SYNTHETIC / "marac.csv").data
    return {
        "quality": quality.compute.compute({k: SYNTHETIC / f"{k}.csv" for k in KINDS}),
        "cpp_repeats": cpp_repeats.compute.compute(
            cpp, START, END, review_event=EVENT, quarters_claim=QUARTERS, la_code="210"
        ),
        "cpp_duration": cpp_duration.compute.compute(
            cpp, START, END, review_event=EVENT, la_code="210"
        ),
        "caf": caf.compute.compute(caf_data, START, END, claims=CLAIMS),
        "marac": marac.compute.compute(
            marac_data, START, END, reference_rate=RATE, risk_tool_claim=AUDIT
        ),
        "benchmark": benchmark.compute.compute(cpp, "210", START, END, synthetic=True),
    }


KINDS = ("cpp", "caf", "marac")
MODULES = {
    "quality": quality.words,
    "cpp_repeats": cpp_repeats.words,
    "cpp_duration": cpp_duration.words,
    "caf": caf.words,
    "marac": marac.words,
    "benchmark": benchmark.words,
}
#: The values a words function's second argument takes.
SECOND = {"kind": KINDS, "key": tuple(MEASURES), "indicator": INDICATORS}


@pytest.fixture(scope="module")
def facts():
    return _pages()


def withheld_page(facts, small: bool | None) -> Page:
    """``facts`` with every count withheld (as small ones, or to protect others); with
    ``small=None``, every other count (in key order) withheld as small, the rest shown."""
    policy = disclosure_policy()
    values = page_ledger(facts).values
    keys = frozenset(values)
    shown = {}
    if small is None:
        ordered = sorted(keys, key=repr)
        shown = {k: values[k] for k in ordered[::2]}
        keys = frozenset(ordered[1::2])
    disclosure = Disclosure(policy, shown, keys, keys if small is not False else frozenset())
    return Page(reveal(facts, disclosure), policy, disclosure)


def texts(obj) -> list[str]:
    """Every piece of text in a words function's answer."""
    if obj is None or isinstance(obj, bool | int | float):
        return []
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, pd.DataFrame):
        return [obj.to_string()]
    if isinstance(obj, dict):
        return [t for k, v in obj.items() for t in texts(k) + texts(v)]
    if isinstance(obj, list | tuple):
        return [t for v in obj for t in texts(v)]
    if is_dataclass(obj):
        return [t for f in fields(obj) for t in texts(getattr(obj, f.name))]
    return []


def words_of(module, page: Page) -> dict[str, list[str]]:
    """Every public words function of ``module`` run on ``page`` (each value of its second
    argument), by name."""
    out: dict[str, list[str]] = {}
    for name in getattr(module, "__all__", ()):
        fn = getattr(module, name)
        if not inspect.isfunction(fn) or name == "facts_of":
            continue
        params = list(inspect.signature(fn).parameters)
        if not params or params[0] != "page":
            continue
        if len(params) == 1 or params[1] not in SECOND:
            out[name] = texts(fn(page))
            continue
        for value in SECOND[params[1]]:
            out[f"{name}({value})"] = texts(fn(page, value))
    return out


@pytest.mark.parametrize("small", [True, False, None], ids=["small", "secondary", "mixed"])
@pytest.mark.parametrize("name", list(MODULES))
def test_every_template_reads_with_its_counts_withheld(facts, name, small) -> None:
    page = withheld_page(facts[name], small)
    found = []
    for fn, parts in words_of(MODULES[name], page).items():
        for text in parts:
            for pattern in BROKEN:
                for m in pattern.finditer(text):
                    context = text[max(0, m.start() - 60) : m.end() + 40].replace("\n", " ")
                    found.append(f"{name}.{fn}: ...{context}...")
    assert found == []


def test_the_quality_basis_sentence_names_its_subject_when_withheld(facts) -> None:
    """Review P2, the reported sentence itself."""
    for small, count in ((True, "between 1 and 5"), (False, "a withheld number of")):
        text = quality.words.basis_sentence(withheld_page(facts["quality"], small), "cpp")
        assert text.startswith(f"Of the plans used, {count} plans are second or subsequent: ")

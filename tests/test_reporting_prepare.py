"""The clean step of ``sscb run``: freshness by content, exactly the configured options, missing
exports fail the run unless optional, pseudonymised sets are never undone."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import caf_rows, cpp_rows

from sscb_analysis.cleaning.headers import ExtractError
from sscb_analysis.dataset.processed import read_processed_dataset
from sscb_analysis.paths import SYNTHETIC
from sscb_analysis.reporting.config import CleanInput, ConfigError, DatasetInput, parse_config
from sscb_analysis.reporting.prepare import (
    PrepareError,
    ensure_dataset,
    ensure_processed,
    is_fresh,
    key_check,
    read_summary,
    recorded_key_check,
)


def _export(path: Path, rows: int = 4, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cpp_rows(rows).to_csv(path, index=False)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def _spec(path: Path, **options) -> CleanInput:
    return CleanInput("cpp", (path,), **options)


def _prepare(spec: CleanInput, processed: Path, **kw):
    (step,) = ensure_processed({spec.kind: spec}, processed, **kw)
    return step


def test_freshness_follows_content_not_file_times(tmp_path):
    processed = tmp_path / "processed"
    export = _export(tmp_path / "raw" / "cpp.csv", mtime=2_000_000_000)
    spec = _spec(export)
    assert _prepare(spec, processed).action == "cleaned"
    summary = read_summary(processed / "cpp.parquet")
    assert summary["inputs"][0]["sha256"] and summary["options"]["drop"] == []
    assert summary["package_version"] and summary["provenance"]["synthetic"] is False
    assert _prepare(spec, processed).action == "fresh"
    # the same bytes with a new time: still fresh
    os.utime(export, None)
    assert _prepare(spec, processed).action == "fresh"
    # a new export copied in with an OLDER time than the processed set: cleaned
    _export(export, rows=6, mtime=1_000_000_000)
    step = _prepare(spec, processed)
    assert step.action == "cleaned"
    assert read_summary(processed / "cpp.parquet")["rows_in"] == 6


def test_changed_options_clean_again_with_exactly_those_options(tmp_path):
    processed = tmp_path / "processed"
    export = _export(tmp_path / "raw" / "cpp.csv")
    assert _prepare(_spec(export), processed).action == "cleaned"
    dropping = _spec(export, drop=("team",))
    assert not is_fresh(dropping, processed / "cpp.parquet")
    assert _prepare(dropping, processed).action == "cleaned"
    summary = read_summary(processed / "cpp.parquet")
    assert summary["columns_dropped"] == ["team"] and summary["options"]["drop"] == ["team"]
    assert _prepare(dropping, processed).action == "fresh"


def test_synthetic_provenance_is_kept_in_the_summary(tmp_path):
    processed = tmp_path / "processed"
    step = _prepare(_spec(SYNTHETIC / "cpp.csv"), processed)
    assert step.synthetic and step.generated_by == "sscb synth --seed 2013"
    summary = read_summary(processed / "cpp.parquet")
    assert summary["provenance"]["synthetic"] is True


def test_a_missing_export_fails_unless_optional(tmp_path):
    processed = tmp_path / "processed"
    missing = tmp_path / "raw" / "cpp.csv"
    with pytest.raises(PrepareError) as info:
        _prepare(_spec(missing), processed)
    text = str(info.value)
    assert str(missing) in text and "does not exist" in text and "optional: true" in text
    # optional and never cleaned: left out
    step = _prepare(_spec(missing, optional=True), processed)
    assert step.action == "absent" and step.not_updated_since is None
    # optional with an earlier processed set: kept, dated
    _prepare(_spec(_export(missing)), processed)
    missing.unlink()
    step = _prepare(_spec(missing, optional=True), processed)
    assert step.action == "kept" and step.not_updated_since == dt.datetime.now(dt.UTC).date()
    # a folder where the export should be is "not a file"
    missing.mkdir()
    with pytest.raises(PrepareError, match="is not a file"):
        _prepare(_spec(missing), processed)


def test_a_pseudonymised_set_is_never_cleaned_again_without_pseudonymise(tmp_path, monkeypatch):
    processed = tmp_path / "processed"
    export = _export(tmp_path / "raw" / "cpp.csv")
    monkeypatch.setenv("SSCB_PSEUDONYM_KEY", "k" * 8 + "x" * 8 + "long-enough-key")
    assert _prepare(_spec(export, pseudonymise=True), processed).action == "cleaned"
    assert read_summary(processed / "cpp.parquet")["pseudonymised"] is True
    with pytest.raises(PrepareError, match=r"bring the real ids back.*pseudonymise: true"):
        _prepare(_spec(export), processed)
    # a new export and no key: a clear error, nothing undone
    _export(export, rows=5)
    monkeypatch.delenv("SSCB_PSEUDONYM_KEY")
    with pytest.raises(PrepareError, match="SSCB_PSEUDONYM_KEY"):
        _prepare(_spec(export, pseudonymise=True), processed)
    assert read_summary(processed / "cpp.parquet")["pseudonymised"] is True


def test_cleaner_failures_are_sentences_with_the_command_to_see_more(tmp_path):
    processed = tmp_path / "processed"
    export = _export(tmp_path / "raw" / "cpp.csv")

    def broken(spec: CleanInput, out: Path) -> None:
        raise ValueError("bad header")

    with pytest.raises(PrepareError) as info:
        _prepare(_spec(export, drop=("Full Name",)), processed, cleaner=broken)
    message = str(info.value)
    assert "ValueError" not in message and "bad header" in message
    assert "sscb clean cpp" in message and "--drop 'Full Name'" in message

    def refused(spec: CleanInput, out: Path) -> None:
        raise ExtractError("No header row found in cpp.csv: check the file.")

    with pytest.raises(PrepareError) as info:
        _prepare(_spec(export), processed, cleaner=refused)
    message = str(info.value)
    assert message.startswith(f"The CPP export ({export}, clean.inputs.cpp in the profile)")
    assert "cannot be cleaned: No header row found in cpp.csv: check the file. Correct" in message
    assert "ExtractError" not in message and ".." not in message
    with pytest.raises(PrepareError, match="did not leave a processed set"):
        _prepare(_spec(export), processed, cleaner=lambda spec, out: None)


def test_a_set_cleaned_by_an_older_cleaner_is_cleaned_again(tmp_path):
    processed = tmp_path / "processed"
    export = _export(tmp_path / "raw" / "cpp.csv")
    _prepare(_spec(export), processed)
    summary_path = processed / "cpp_summary.json"
    summary = json.loads(summary_path.read_text())
    summary["package_version"] = "0.0.1"
    summary_path.write_text(json.dumps(summary))
    assert _prepare(_spec(export), processed).action == "cleaned"
    shutil.rmtree(processed)
    assert _prepare(_spec(export), processed).action == "cleaned"


def test_a_layout_is_applied_and_its_pseudonymise_never_overruled(tmp_path, monkeypatch):
    """clean.inputs.cpp: {path, map}: the export's own headers mapped by the layout file; a
    layout that says pseudonymise is obeyed when the profile says nothing."""
    processed = tmp_path / "processed"
    rows = cpp_rows(4).rename(columns={"child_id": "Person ID", "plan_start_date": "CP Start"})
    export = tmp_path / "raw" / "cpp.csv"
    export.parent.mkdir()
    rows.to_csv(export, index=False)
    layout = tmp_path / "layouts" / "lcs.yml"
    layout.parent.mkdir()
    layout.write_text(
        "kind: cpp\ncolumns:\n  child_id: Person ID\n  plan_start_date: CP Start\n"
        "pseudonymise: true\n"
    )
    spec = _spec(export, layout=layout)
    monkeypatch.delenv("SSCB_PSEUDONYM_KEY", raising=False)
    with pytest.raises(PrepareError, match="SSCB_PSEUDONYM_KEY"):
        _prepare(spec, processed)
    monkeypatch.setenv("SSCB_PSEUDONYM_KEY", "a-long-and-random-test-key-0192")
    assert _prepare(spec, processed).action == "cleaned"
    summary = read_summary(processed / "cpp.parquet")
    assert summary["pseudonymised"] is True and summary["options"]["layout"] == str(layout)
    assert _prepare(spec, processed).action == "fresh"
    # the layout file edited: cleaned again
    layout.write_text(layout.read_text().replace("pseudonymise: true", "pseudonymise: true\n"))
    assert _prepare(spec, processed).action == "cleaned"
    # the profile saying "no" cannot quietly undo the pseudonymised set
    with pytest.raises(PrepareError, match="bring the real ids back"):
        _prepare(_spec(export, layout=layout, pseudonymise=False), processed)


def test_several_returns_are_cleaned_as_one_set(tmp_path):
    processed = tmp_path / "processed"
    first = _export(tmp_path / "raw" / "2013.csv", rows=3)
    second = _export(tmp_path / "raw" / "2014.csv", rows=5)
    spec = CleanInput("cpp", (first, second))
    assert _prepare(spec, processed).action == "cleaned"
    summary = read_summary(processed / "cpp.parquet")
    assert [i["path"] for i in summary["inputs"]] == [str(first), str(second)]
    assert _prepare(spec, processed).action == "fresh"
    assert not is_fresh(CleanInput("cpp", (second, first)), processed / "cpp.parquet")


# --- the board's dataset (clean.inputs.indicators) -------------------------------------------


def _dataset(tmp_path: Path, **options) -> DatasetInput:
    raw = tmp_path / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in ("indicators.csv", "indicators.yml"):
        if not (raw / name).exists():
            shutil.copy(SYNTHETIC / name, raw / name)
    return DatasetInput(raw / "indicators.csv", raw / "indicators.yml", **options)


def test_the_dataset_is_checked_once_and_again_only_when_its_bytes_change(tmp_path):
    processed = tmp_path / "processed"
    spec = _dataset(tmp_path)
    step = ensure_dataset(spec, processed)
    assert step.action == "cleaned" and step.processed == processed / "indicators.json"
    # copied without the generator's sidecar: not synthetic (provenance follows the bytes)
    assert step.synthetic is False
    summary = read_summary(step.processed)
    assert summary["rows_in"] == 112 and summary["balanced"] is True
    assert [Path(i["path"]).name for i in summary["inputs"]] == ["indicators.csv", "indicators.yml"]
    assert (processed / "indicators_cleaning_log.csv").is_file()
    assert ensure_dataset(spec, processed).action == "fresh"
    # a changed definitions file is a changed dataset
    text = spec.definitions.read_text(encoding="utf-8")
    spec.definitions.write_text(text.replace("per quarter.", "each quarter.", 1), encoding="utf-8")
    assert ensure_dataset(spec, processed).action == "cleaned"
    data, _ = read_processed_dataset(step.processed)
    assert "each quarter." in data.definitions["private_fostering_notifications"].definition
    assert ensure_dataset(None, processed) is None  # the profile gives none


def test_the_shipped_dataset_keeps_its_synthetic_provenance(tmp_path):
    spec = DatasetInput(SYNTHETIC / "indicators.csv", SYNTHETIC / "indicators.yml")
    step = ensure_dataset(spec, tmp_path)
    assert step.synthetic and step.generated_by == "sscb synth --seed 2013"
    assert read_summary(step.processed)["provenance"]["synthetic"] is True


def test_a_missing_dataset_fails_the_run_unless_optional(tmp_path):
    processed = tmp_path / "processed"
    spec = _dataset(tmp_path)
    spec.definitions.unlink()
    with pytest.raises(PrepareError) as info:
        ensure_dataset(spec, processed)
    text = str(info.value)
    assert "indicators.yml does not exist" in text and "optional: true" in text
    optional = DatasetInput(spec.path, spec.definitions, optional=True)
    assert ensure_dataset(optional, processed).action == "absent"
    shutil.copy(SYNTHETIC / "indicators.yml", spec.definitions)
    ensure_dataset(spec, processed)
    spec.path.unlink()
    kept = ensure_dataset(optional, processed)
    assert kept.action == "kept" and kept.not_updated_since == dt.datetime.now(dt.UTC).date()


def test_a_dataset_with_identifiers_or_bad_definitions_stops_the_run(tmp_path):
    processed = tmp_path / "processed"
    spec = _dataset(tmp_path)
    with spec.path.open("a", encoding="utf-8") as handle:
        handle.write("lado_allegations,01/04/2013,30/06/2013,3,,call 07700 900123\n")
    with pytest.raises(
        PrepareError,
        match=r"clean\.inputs\.indicators: .*\): Direct identifiers found, so nothing was written",
    ):
        ensure_dataset(spec, processed)
    assert not (processed / "indicators.json").exists()
    spec.definitions.write_text("indicators: {}\n", encoding="utf-8")
    with pytest.raises(PrepareError, match=r"cannot be used: .*defines no indicator"):
        ensure_dataset(_dataset(tmp_path), processed)


def test_dataset_inputs_in_the_profile(tmp_path):
    def parse(inputs):
        raw = {"area": {"name": "Anytown"}, "clean": {"inputs": inputs}}
        return parse_config(raw, tmp_path / "p.yml", check_la=False)

    config = parse({"indicators": "data/raw/anytown/indicators.csv"})
    assert config.clean_inputs == {} and config.dataset.definitions.name == "indicators.yml"
    assert config.dataset.definitions.parent == config.dataset.path.parent
    config = parse({"indicators": {"path": "a.csv", "definitions": "defs/b.yml", "optional": True}})
    assert config.dataset.definitions.name == "b.yml" and config.dataset.optional
    for bad, message in (
        ({"path": "a.csv", "pseudonymise": True}, "case-level extracts only"),
        ({"path": "a.csv", "definition": "b.yml"}, "did you mean|definitions"),
        ({"definitions": "b.yml"}, "'path' must be the file path of indicators.csv"),
        ({"path": "a.csv", "optional": "yes"}, "'optional' must be true or false"),
    ):
        with pytest.raises(ConfigError, match=message):
            parse({"indicators": bad})
    with pytest.raises(ConfigError, match="kinds are cpp, caf, marac and indicators"):
        parse({"indicator": "a.csv"})


# --- the pseudonymisation key's fingerprint ----------------------------------------------------

KEY_A = "0123456789abcdef-first-key"
KEY_B = "fedcba9876543210-second-key"


def test_a_changed_key_makes_a_pseudonymised_set_stale_and_the_run_says_so(
    tmp_path, monkeypatch, caplog
):
    import hashlib
    import hmac

    processed = tmp_path / "processed"
    spec = _spec(_export(tmp_path / "raw" / "cpp.csv"), pseudonymise=True)
    monkeypatch.setenv("SSCB_PSEUDONYM_KEY", KEY_A)
    assert _prepare(spec, processed).action == "cleaned"
    # the fingerprint as documented: HMAC-SHA256(key, "sscb-key-check"), first 16 hex
    expected = hmac.new(KEY_A.encode(), b"sscb-key-check", hashlib.sha256).hexdigest()[:16]
    assert key_check() == expected == recorded_key_check(processed / "cpp.parquet")
    ids_a = pd.read_parquet(processed / "cpp.parquet")["child_id"].tolist()
    assert _prepare(spec, processed).action == "fresh"
    summary_text = (processed / "cpp_summary.json").read_text(encoding="utf-8")
    assert KEY_A not in summary_text  # the key itself is never written

    monkeypatch.setenv("SSCB_PSEUDONYM_KEY", KEY_B)
    assert not is_fresh(spec, processed / "cpp.parquet")
    with caplog.at_level("WARNING", logger="sscb_analysis.reporting"):
        step = _prepare(spec, processed)
    assert step.action == "cleaned"
    assert "pseudonymised with another key than the one now in SSCB_PSEUDONYM_KEY" in step.note
    assert f"key check {expected}, now {key_check()}" in step.note
    assert "CPP and CAF join only when every extract is cleaned with the same key" in caplog.text
    assert step.as_dict()["note"] == step.note
    assert pd.read_parquet(processed / "cpp.parquet")["child_id"].tolist() != ids_a
    assert recorded_key_check(processed / "cpp.parquet") == key_check() != expected


def test_sets_made_with_different_keys_never_meet_in_one_run(tmp_path, monkeypatch):
    processed = tmp_path / "processed"
    cpp_path = _export(tmp_path / "raw" / "cpp.csv")
    caf_path = tmp_path / "raw" / "caf.csv"
    caf_rows(4).to_csv(caf_path, index=False)
    both = {
        "cpp": _spec(cpp_path, pseudonymise=True, optional=True),
        "caf": CleanInput("caf", (caf_path,), pseudonymise=True),
    }
    monkeypatch.setenv("SSCB_PSEUDONYM_KEY", KEY_A)
    assert [s.action for s in ensure_processed(both, processed)] == ["cleaned", "cleaned"]
    # the CPP export goes missing (optional: its old set is kept) and the key changes
    cpp_path.unlink()
    monkeypatch.setenv("SSCB_PSEUDONYM_KEY", KEY_B)
    with pytest.raises(PrepareError) as info:
        ensure_processed(both, processed)
    text = str(info.value)
    assert "made with different keys" in text and "stop joining across CPP, CAF" in text
    assert KEY_A not in text and KEY_B not in text


def test_sscb_clean_pseudonymise_records_the_key_check_as_the_run_does(tmp_path, monkeypatch):
    """A set made by `sscb clean --pseudonymise` records its key's fingerprint, so a later
    `sscb run` knows it was made with the same key (fresh, not cleaned again) or another one
    (said, and cleaned again), and can check it against the run's other sets."""
    from click.testing import CliRunner

    from sscb_analysis.commands.clean import command as clean_command

    processed = tmp_path / "processed"
    export = _export(tmp_path / "raw" / "cpp.csv")
    monkeypatch.setenv("SSCB_PSEUDONYM_KEY", KEY_A)
    args = ["cpp", str(export), "--pseudonymise", "--out", str(processed)]
    result = CliRunner().invoke(clean_command, args)
    assert result.exit_code == 0, result.output
    made_with_a = key_check()
    assert recorded_key_check(processed / "cpp.parquet") == made_with_a
    summary_text = (processed / "cpp_summary.json").read_text(encoding="utf-8")
    assert KEY_A not in summary_text and "cleaned_at" in summary_text
    spec = _spec(export, pseudonymise=True)
    assert _prepare(spec, processed).action == "fresh"  # the run takes it as it is

    # the CPP export goes missing (optional: the clean command's set is kept); CAF is cleaned
    # by the run with the same key: one key, so the run goes on
    caf_path = tmp_path / "raw" / "caf.csv"
    caf_rows(4).to_csv(caf_path, index=False)
    export.unlink()
    both = {
        "cpp": _spec(export, pseudonymise=True, optional=True),
        "caf": CleanInput("caf", (caf_path,), pseudonymise=True),
    }
    assert [s.action for s in ensure_processed(both, processed)] == ["kept", "cleaned"]

    monkeypatch.setenv("SSCB_PSEUDONYM_KEY", KEY_B)  # another key: the run says so
    _export(tmp_path / "raw" / "cpp.csv")
    step = _prepare(spec, processed)
    assert step.action == "cleaned" and f"key check {made_with_a}, now {key_check()}" in step.note

"""The ``sscb`` command lists and loads every sub-command the design promises."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from sscb_analysis.cli import COMMANDS, main


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("synth", "clean", "run", "dfe"):
        assert name in COMMANDS
        assert f"  {name} " in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_has_help(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.output


# --- sscb init ------------------------------------------------------------------------------


def test_init_writes_a_working_profile_for_any_authority(tmp_path) -> None:
    from sscb_analysis.reporting.config import load_config

    out = tmp_path / "config" / "areas" / "tower-hamlets.yml"
    result = CliRunner().invoke(main, ["init", "--la-code", "211", "--out", str(out)])
    assert result.exit_code == 0, result.output
    config = load_config(out)
    area = config.profile
    assert area is not None and area.name == "Tower Hamlets" and area.la_code == "211"
    assert area.region == "Inner London" and len(area.statistical_neighbours) == 10
    assert area.period.latest and area.disclosure == "published"
    assert not area.events and not area.claims and not area.reference_rates
    assert {k: [str(p) for p in v.paths] for k, v in config.clean_inputs.items()} == {
        kind: [str(config.root / "data" / "raw" / "tower-hamlets" / f"{kind}.csv")]
        for kind in ("cpp", "caf", "marac")
    }
    assert "00_data_quality_messy" not in [e.name for e in config.entries]
    assert "05_board_summary" in [e.name for e in config.entries]
    text = out.read_text()
    assert "Southwark" not in text and "Camden (202)" in text  # neighbours named in a comment
    for optional in ("events:", "claims:", "reference_rates:", "targets:", "optional: true"):
        assert f"# {optional}" in text or f"#         {optional}" in text, optional


def test_init_profile_switches_to_board_restricted_by_one_line(tmp_path) -> None:
    """The written profile names no marking of its own, so changing ``disclosure`` alone is
    enough: the marking follows it (it wrote OFFICIAL, and board-restricted was then refused)."""
    from sscb_analysis.reporting.config import load_config

    out = tmp_path / "config" / "areas" / "tower-hamlets.yml"
    assert CliRunner().invoke(main, ["init", "--la-code", "211", "--out", str(out)]).exit_code == 0
    text = out.read_text()
    assert load_config(out).profile.protective_marking == "OFFICIAL"
    out.write_text(text.replace("disclosure: published", "disclosure: board-restricted", 1))
    area = load_config(out).profile
    assert area.disclosure == "board-restricted"
    assert area.protective_marking.startswith("OFFICIAL-SENSITIVE")


def uncomment_dataset(text: str) -> str:
    """The profile ``sscb init`` wrote, with its commented board dataset lines switched on, as
    its comment says: the '# ' removed in front of the four lines."""
    return re.sub(r"(?m)^    # (indicators:|  path:|  definitions:|  optional:)", r"    \1", text)


def test_init_writes_the_board_dataset_commented_for_the_areas_folder(tmp_path) -> None:
    from sscb_analysis.reporting.config import load_config

    out = tmp_path / "p.yml"
    raw = tmp_path / "raw, with: odd chars"
    result = CliRunner().invoke(
        main, ["init", "--la-code", "211", "--out", str(out), "--raw-dir", str(raw)]
    )
    assert result.exit_code == 0, result.output
    assert load_config(out).dataset is None  # commented: no dataset until the area has one
    out.write_text(uncomment_dataset(out.read_text()), encoding="utf-8")
    dataset = load_config(out).dataset
    assert dataset.path == raw / "indicators.csv"
    assert dataset.definitions == raw / "indicators.yml" and dataset.optional is False


def test_init_takes_the_new_code_and_a_name(tmp_path) -> None:
    runner = CliRunner()
    new = runner.invoke(main, ["init", "--la-code", "E09000030", "--out", str(tmp_path / "a.yml")])
    assert new.exit_code == 0 and "Tower Hamlets (211, E09000030)" in new.output
    named = runner.invoke(main, ["init", "--la-code", "Camden", "--out", str(tmp_path / "b.yml")])
    assert named.exit_code == 0 and "la_code: 202" in (tmp_path / "b.yml").read_text()


def test_init_refuses_an_unknown_code_with_close_matches(tmp_path) -> None:
    result = CliRunner().invoke(main, ["init", "--la-code", "2110", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "No local authority matches '2110'" in result.stderr
    assert "Did you mean: Tower Hamlets (211, E09000030)" in result.stderr
    assert not (tmp_path / "x").exists()


def test_init_never_overwrites_by_accident_and_says_why_it_cannot_write(tmp_path) -> None:
    runner = CliRunner()
    out = tmp_path / "p.yml"
    out.write_text("mine\n")
    result = runner.invoke(main, ["init", "--la-code", "210", "--out", str(out)])
    assert result.exit_code == 2 and "exists" in result.stderr and out.read_text() == "mine\n"
    forced = runner.invoke(main, ["init", "--la-code", "210", "--out", str(out), "--force"])
    assert forced.exit_code == 0 and "name: Southwark" in out.read_text()
    blocked = runner.invoke(main, ["init", "--la-code", "210", "--out", str(out / "x.yml")])
    assert blocked.exit_code == 2 and "cannot write" in blocked.stderr
    assert "Traceback" not in blocked.output


def test_init_for_an_authority_without_a_neighbour_group(tmp_path) -> None:
    from sscb_analysis.reporting.config import load_config

    out = tmp_path / "cumberland.yml"
    result = CliRunner().invoke(main, ["init", "--la-code", "942", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "no group for this authority" in out.read_text()
    assert load_config(out).profile.statistical_neighbours == ()

"""The one reader of YAML from outside (sscb_analysis.yaml_safe): aliases, duplicate keys, size
and depth are refused as YAML errors with a line, and every YAML the package reads goes through
it (the report config and profile, ``-p`` values, layouts, indicator definitions)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sscb_analysis import yaml_safe
from sscb_analysis.commands.run import _parse_value, command
from sscb_analysis.reporting.config import ConfigError, load_config

PACKAGE = Path(yaml_safe.__file__).parent


def test_plain_yaml_reads_as_the_safe_loader_reads_it():
    text = "a: 1\nb: [x, 2013-03-31]\nc: {d: true}\n<<: {e: 5}\n"
    assert yaml_safe.load(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("period: 2012-13\nname: A\nperiod: latest\n", r"'period' is given twice \(line 1"),
        ("area:\n  events:\n    x: {}\n    x: {}\n", r"'x' is given twice \(line 3"),
        ("a: &x [1]\nb: *x\n", "an alias"),
        ("[" * 5000, "nested more than 50 levels deep"),
        ("a: " + "x" * (yaml_safe.MAX_CHARS + 1), "characters long"),
    ],
    ids=["duplicate", "nested-duplicate", "alias", "deep", "large"],
)
def test_refusals_are_yaml_errors_in_bounded_time(text, problem):
    began = time.perf_counter()
    with pytest.raises(yaml.YAMLError, match=problem):
        yaml_safe.load(text)
    assert time.perf_counter() - began < 5


def test_a_profile_with_a_key_given_twice_is_refused_at_its_line(tmp_path):
    """A copied profile edited at the bottom once kept the second `period:` silently."""
    profile = tmp_path / "p.yml"
    profile.write_text(
        "area:\n  name: Anytown\n  period: 2012-13\n  period: latest\n", encoding="utf-8"
    )
    with pytest.raises(
        ConfigError,
        match=r"not valid YAML \(line 4, column 3: the key 'period' is given twice \(line 3",
    ):
        load_config(profile)
    result = CliRunner().invoke(command, ["--config", str(profile), "--no-progress"])
    assert result.exit_code == 2 and "is given twice" in result.stderr
    assert "Traceback" not in result.output


def test_a_profile_too_large_or_too_deep_is_a_sentence(tmp_path):
    deep = tmp_path / "deep.yml"
    deep.write_text("area: " + "[" * 100_000, encoding="utf-8")
    with pytest.raises(ConfigError, match="nested more than"):
        load_config(deep)
    large = tmp_path / "large.yml"
    large.write_text("area: {name: A}\n#" + "x" * yaml_safe.MAX_CHARS * 4 + "\n")
    with pytest.raises(ConfigError, match="bytes long"):
        load_config(large)


def test_p_values_are_read_strictly_and_fall_back_to_text():
    assert _parse_value("0.9") == 0.9 and _parse_value("true") is True
    assert _parse_value("{a: 1, a: 2}") == "{a: 1, a: 2}"  # not silently {a: 2}
    assert _parse_value("[*x]") == "[*x]"


def test_no_module_reads_yaml_with_another_loader():
    pattern = re.compile(r"yaml\.(safe_load|load|full_load|unsafe_load|load_all|safe_load_all)\(")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "yaml_safe.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == [], "read YAML from outside with sscb_analysis.yaml_safe.load"

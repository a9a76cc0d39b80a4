"""The three dependency lists (pyproject, environment.yml, requirements.lock) must agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
NOT_PACKAGES = {"python", "pip"}


def _name(requirement: str) -> str:
    """Normalised distribution name of a requirement string (PEP 503)."""
    bare = re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def _pyproject_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs.extend(extra)
    return {_name(r) for r in reqs}


def _conda_names() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            names.add(_name(dep.split("=")[0]))
    return names - NOT_PACKAGES


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"requirements.lock line is not an exact pin: {line!r}"
        pins[_name(name)] = version
    return pins


def test_environment_yml_lists_the_same_packages_as_pyproject() -> None:
    pyproject, conda = _pyproject_names(), _conda_names()
    assert pyproject - conda == set(), f"missing from environment.yml: {sorted(pyproject - conda)}"
    assert conda - pyproject == set(), f"missing from pyproject.toml: {sorted(conda - pyproject)}"


def test_lock_pins_every_declared_dependency_exactly() -> None:
    pins = _lock()
    missing = _pyproject_names() - set(pins)
    assert not missing, f"not pinned in requirements.lock: {sorted(missing)}"


def test_installed_versions_match_the_lock() -> None:
    """Stored notebook outputs depend on exact versions: the running env must be the locked one."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = {}
    for name, pinned in _lock().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            wrong[name] = (pinned, "not installed")
            continue
        if installed != pinned:
            wrong[name] = (pinned, installed)
    assert not wrong, f"installed versions differ from requirements.lock: {wrong}"

"""Reading a reports config (an area profile, docs/profile.md): which area, which exports,
which notebooks ``sscb run`` executes, with which parameters.

The file is small YAML edited by analysts, so every mistake gets a message naming the key and the
fix rather than a ``KeyError`` from deep inside the runner. The ``area:`` block is read by
:mod:`sscb_analysis.reporting.profile`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sscb_analysis import paths, yaml_safe
from sscb_analysis.reporting.errors import ConfigError
from sscb_analysis.reporting.profile import AreaProfile, check_targets, parse_area

__all__ = [
    "CleanInput",
    "ConfigError",
    "DatasetInput",
    "NotebookEntry",
    "ReportsConfig",
    "load_config",
]

TOP_LEVEL_KEYS = {"root", "area", "defaults", "clean", "parameters", "notebooks"}
DEFAULT_KEYS = {"execution_timeout", "start_timeout", "jobs", "out"}
CLEAN_KEYS = {"processed_dir", "inputs"}
INPUT_KEYS = ("path", "map", "drop", "pseudonymise", "optional")
#: The board's wider dataset (docs/board_pack.md) is given as ``clean.inputs.indicators``; it is
#: not an extract (aggregate figures with a definitions file), so it has its own keys.
DATASET_KIND = "indicators"
DATASET_KEYS = ("path", "definitions", "drop", "optional")
ENTRY_KEYS = {"name", "notebook", "parameters", "depends_on", "after", "kernel_name", "title"}
EXTRACT_KINDS = ("cpp", "caf", "marac")
RESERVED_NAMES = frozenset({"manifest", "context", "run", "worker", "index", "latest"})

# The standard report set, run when a profile lists no notebooks (no area in it: every page
# takes its area from the profile).
STANDARD_NOTEBOOKS: tuple[dict[str, Any], ...] = (
    {"name": "00_data_quality", "title": "Data quality of the extracts"},
    {"name": "01_cpp_repeat_plans", "title": "Repeat child protection plans"},
    {"name": "02_cpp_duration", "title": "Duration of child protection plans"},
    {"name": "03_caf", "title": "Early help (CAF) assessments"},
    {"name": "04_marac", "title": "MARAC referrals"},
    {"name": "06_national_benchmark", "title": "Against England and statistical neighbours"},
    {"name": "07_board_indicators", "title": "The board's other indicators"},
    {
        # `after`, not `depends_on`: the summary waits for every report and still runs when one
        # fails, so its row says the report did not finish (the run still exits 1).
        "name": "05_board_summary",
        "title": "Summary for the board",
        "after": [
            "00_data_quality",
            "01_cpp_repeat_plans",
            "02_cpp_duration",
            "03_caf",
            "04_marac",
            "06_national_benchmark",
        ],
    },
)


@dataclass(frozen=True)
class CleanInput:
    """One configured export: ``clean.inputs.<kind>`` as a path or ``{path, map, drop, ...}``.

    The runner cleans it with exactly these options; ``optional`` lets a run go on without it
    (pages using it then say "not updated since <date>").
    """

    kind: str
    paths: tuple[Path, ...]
    layout: Path | None = None
    drop: tuple[str, ...] = ()
    pseudonymise: bool | None = None  # None: as the layout file says (else no)
    optional: bool = False


@dataclass(frozen=True)
class DatasetInput:
    """The board's wider dataset: ``clean.inputs.indicators`` as a path or ``{path,
    definitions, drop, optional}`` (definitions default to ``indicators.yml`` beside the file).

    Checked before any notebook runs, like an export; ``optional`` lets a run go on without it.
    """

    path: Path
    definitions: Path
    drop: tuple[str, ...] = ()
    optional: bool = False

    @property
    def paths(self) -> tuple[Path, Path]:
        """Both files the dataset is read from (its figures and its definitions)."""
        return (self.path, self.definitions)


@dataclass(frozen=True)
class NotebookEntry:
    """One notebook run: a notebook file, its parameters and what must run before it.

    ``depends_on``: entries that must succeed first (else this one is skipped); ``after``:
    entries that must finish first, successfully or not (a summary that reports failures).
    """

    name: str
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    kernel_name: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ReportsConfig:
    """The whole reports configuration, with relative paths resolved against ``root``."""

    path: Path | None
    root: Path
    entries: tuple[NotebookEntry, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    clean_inputs: dict[str, CleanInput] = field(default_factory=dict)
    processed_dir: Path | None = None
    execution_timeout: int = 600
    start_timeout: int = 60
    jobs: int = 2
    out: Path = paths.REPORTS
    profile: AreaProfile | None = None
    dataset: DatasetInput | None = None

    def entry(self, name: str) -> NotebookEntry:
        """The entry called ``name`` (``ConfigError`` listing the known names when absent)."""
        for item in self.entries:
            if item.name == name:
                return item
        known = ", ".join(e.name for e in self.entries)
        raise ConfigError(f"no notebook called {name!r} in the reports config (known: {known})")

    def parameters_for(self, entry: NotebookEntry) -> dict[str, Any]:
        """Common parameters overlaid with the entry's own, path-like values made absolute."""
        merged = {**self.parameters, **entry.parameters}
        return {key: resolve_parameter(key, value, self.root) for key, value in merged.items()}


def load_config(path: str | Path | None = None, *, check_la: bool = True) -> ReportsConfig:
    """Read and check a reports config (default ``config/reports.yml`` under the project root).

    ``check_la`` looks the area's LA code up in the DfE files (see :func:`parse_area`).
    """
    config_path = Path(path) if path is not None else paths.CONFIG / "reports.yml"
    if not config_path.is_absolute() and not config_path.exists():
        config_path = paths.ROOT / config_path  # notebooks run in notebooks/, not the root
    if not config_path.is_file():
        raise ConfigError(
            f"reports config not found: {config_path}. Create one with "
            "`sscb init --la-code CODE --out FILE`."
        )
    # Absolute, so the notebooks of a run (started in notebooks/) find the same file.
    config_path = config_path.resolve()
    try:
        raw = yaml_safe.load_path(config_path)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problem = yaml_safe.describe(exc) if isinstance(exc, yaml.YAMLError) else "not UTF-8"
        raise ConfigError(f"{config_path} is not valid YAML ({problem})") from None
    except OSError as exc:
        raise ConfigError(
            f"{config_path} cannot be read ({exc.strerror or exc}); check its permissions"
        ) from None
    return parse_config(raw, config_path, check_la=check_la)


def parse_config(
    raw: Any, config_path: Path | None = None, *, check_la: bool = True
) -> ReportsConfig:
    """Build a :class:`ReportsConfig` from parsed YAML, checking every key."""
    where = str(config_path) if config_path else "reports config"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: expected a mapping with an 'area' block at the top")
    _no_unknown(raw, TOP_LEVEL_KEYS, where)
    base = config_path.parent if config_path else Path.cwd()
    root = (base / raw["root"]).resolve() if raw.get("root") is not None else paths.ROOT

    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise ConfigError(f"{where}: 'defaults' must be a mapping")
    _no_unknown(defaults, DEFAULT_KEYS, f"{where}: defaults")
    execution_timeout = _positive_int(defaults.get("execution_timeout", 600), "execution_timeout")
    start_timeout = _positive_int(defaults.get("start_timeout", 60), "start_timeout")
    jobs = _positive_int(defaults.get("jobs", 2), "jobs")
    out = _resolve(root, defaults.get("out", "reports"))

    common = raw.get("parameters") or {}
    if not isinstance(common, Mapping):
        raise ConfigError(f"{where}: 'parameters' must be a mapping of name: value")

    clean_inputs, dataset, processed_dir = _parse_clean(raw.get("clean"), root, where)
    profile = parse_area(raw["area"], where, check_la=check_la) if "area" in raw else None
    if profile is not None:
        check_targets(profile, dataset, processed_dir, where)

    items = raw.get("notebooks")
    if items is None:
        items = [{**e, "notebook": f"notebooks/{e['name']}.ipynb"} for e in STANDARD_NOTEBOOKS]
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{where}: 'notebooks' must be a non-empty list of entries")
    entries = tuple(_parse_entry(item, i, root, where) for i, item in enumerate(items))
    _check_names_and_dependencies(entries, where)

    return ReportsConfig(
        path=config_path,
        root=root,
        entries=entries,
        parameters={str(k): normalise_value(v) for k, v in common.items()},
        clean_inputs=clean_inputs,
        processed_dir=processed_dir,
        execution_timeout=execution_timeout,
        start_timeout=start_timeout,
        jobs=jobs,
        out=out,
        profile=profile,
        dataset=dataset,
    )


def normalise_value(value: Any) -> Any:
    """Turn YAML dates into ISO strings (papermill can only inject plain Python literals)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [normalise_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): normalise_value(v) for k, v in value.items()}
    return value


def is_path_parameter(name: str) -> bool:
    """Parameters named ``*_path`` or ``*_dir`` hold file system paths."""
    return name.endswith(("_path", "_dir"))


def resolve_parameter(name: str, value: Any, root: Path) -> Any:
    """Make a relative path parameter absolute against ``root``; leave everything else alone."""
    if is_path_parameter(name) and isinstance(value, str) and value:
        return str(_resolve(root, value))
    return value


def _resolve(root: Path, value: Any) -> Path:
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else root / path


def _no_unknown(mapping: Mapping, allowed: set[str], where: str) -> None:
    unknown = sorted(set(map(str, mapping)) - allowed)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"defaults.{name} must be a whole number of at least 1, not {value!r}")
    return value


def _parse_clean(
    raw: Any, root: Path, where: str
) -> tuple[dict[str, CleanInput], DatasetInput | None, Path | None]:
    if raw is None:
        return {}, None, None
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: 'clean' must be a mapping with 'inputs' and 'processed_dir'")
    _no_unknown(raw, CLEAN_KEYS, f"{where}: clean")
    inputs = raw.get("inputs") or {}
    if not isinstance(inputs, Mapping):
        raise ConfigError(f"{where}: clean.inputs must map an extract kind to its raw file")
    bad = sorted(set(map(str, inputs)) - {*EXTRACT_KINDS, DATASET_KIND})
    if bad:
        raise ConfigError(
            f"{where}: clean.inputs has unknown kind(s) {', '.join(bad)}; "
            f"kinds are {', '.join(EXTRACT_KINDS)} and {DATASET_KIND} (the board's dataset)"
        )
    processed = _resolve(root, raw.get("processed_dir", "data/processed"))
    parsed = {
        str(k): _parse_input(str(k), v, root, where) for k, v in inputs.items() if k != DATASET_KIND
    }
    dataset = inputs.get(DATASET_KIND)
    return parsed, None if dataset is None else _parse_dataset(dataset, root, where), processed


def _parse_dataset(raw: Any, root: Path, where: str) -> DatasetInput:
    """``path`` or ``{path: indicators.csv, definitions: indicators.yml, drop: [COL], optional}``."""
    label = f"{where}: clean.inputs.{DATASET_KIND}"
    spec = {"path": raw} if isinstance(raw, str) else raw
    if not isinstance(spec, Mapping):
        raise ConfigError(
            f"{label} must be the path of the dataset's CSV or a mapping with 'path' and "
            "'definitions' (docs/board_pack.md)"
        )
    extract_only = sorted({"map", "pseudonymise"} & set(map(str, spec)))
    if extract_only:
        raise ConfigError(
            f"{label}: {', '.join(extract_only)} applies to case-level extracts only; the "
            "board's dataset holds aggregate figures (no ids to pseudonymise, no layout file)"
        )
    _no_unknown(spec, set(DATASET_KEYS), label)
    path, definitions = spec.get("path"), spec.get("definitions")
    if not isinstance(path, str) or not path.strip():
        raise ConfigError(f"{label}: 'path' must be the file path of indicators.csv")
    if definitions is not None and (not isinstance(definitions, str) or not definitions.strip()):
        raise ConfigError(f"{label}: 'definitions' must be the file path of indicators.yml")
    drop = _drop_list(spec, label)
    optional = _flag(spec, "optional", label)
    csv = _resolve(root, path)
    return DatasetInput(
        path=csv,
        definitions=_resolve(root, definitions) if definitions else csv.with_name("indicators.yml"),
        drop=tuple(drop),
        optional=bool(optional),
    )


def _drop_list(spec: Mapping[str, Any], label: str) -> list[str]:
    """An input's ``drop``: column headers to leave out before any check."""
    drop = spec.get("drop") or []
    if isinstance(drop, str):
        drop = [drop]
    if not isinstance(drop, list) or not all(isinstance(c, str) and c.strip() for c in drop):
        raise ConfigError(f"{label}: 'drop' must be a list of column headers")
    return drop


def _flag(spec: Mapping[str, Any], name: str, label: str) -> bool | None:
    """A true/false option of an input (None when not given)."""
    value = spec.get(name)
    if value is not None and not isinstance(value, bool):
        raise ConfigError(f"{label}: '{name}' must be true or false, not {value!r}")
    return value


def _parse_input(kind: str, raw: Any, root: Path, where: str) -> CleanInput:
    """``path`` or ``{path: PATH or [PATHS], map: LAYOUT, drop: [COL], pseudonymise, optional}``."""
    label = f"{where}: clean.inputs.{kind}"
    spec = {"path": raw} if isinstance(raw, str | list) else raw
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{label} must be a path or a mapping with 'path' (docs/profile.md)")
    _no_unknown(spec, set(INPUT_KEYS), label)
    given = spec.get("path")
    items = given if isinstance(given, list) else [given]
    if not items or not all(isinstance(p, str) and p.strip() for p in items):
        raise ConfigError(f"{label}: 'path' must be a file path or a list of file paths")
    layout = spec.get("map")
    if layout is not None and (not isinstance(layout, str) or not layout.strip()):
        raise ConfigError(f"{label}: 'map' must be the path of a layout file (layouts/x.yml)")
    drop = _drop_list(spec, label)
    flags = {flag: _flag(spec, flag, label) for flag in ("pseudonymise", "optional")}
    return CleanInput(
        kind=kind,
        paths=tuple(dict.fromkeys(_resolve(root, p) for p in items)),
        layout=_resolve(root, layout) if layout else None,
        drop=tuple(drop),
        pseudonymise=flags["pseudonymise"],
        optional=bool(flags["optional"]),
    )


def _parse_entry(item: Any, index: int, root: Path, where: str) -> NotebookEntry:
    label = f"{where}: notebooks[{index}]"
    if not isinstance(item, Mapping):
        raise ConfigError(f"{label} must be a mapping with 'name' and 'notebook'")
    _no_unknown(item, ENTRY_KEYS, label)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{label} needs a 'name' (used for the output file names)")
    if any(ch in name for ch in "/\\") or name.startswith("."):
        raise ConfigError(f"{label}: name {name!r} must be a plain file name (no slashes)")
    if name in RESERVED_NAMES:
        raise ConfigError(
            f"{label}: name {name!r} is taken by the run's own files ({name}.json or .log); "
            "choose another"
        )
    notebook = item.get("notebook")
    if not isinstance(notebook, str) or not notebook.endswith(".ipynb"):
        raise ConfigError(f"{label} ({name}): 'notebook' must be a path ending in .ipynb")
    params = item.get("parameters") or {}
    if not isinstance(params, Mapping):
        raise ConfigError(f"{label} ({name}): 'parameters' must be a mapping")
    order: dict[str, list[str]] = {}
    for key in ("depends_on", "after"):
        names = item.get(key) or []
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(d, str) for d in names):
            raise ConfigError(f"{label} ({name}): '{key}' must be a list of entry names")
        order[key] = names
    both = sorted(set(order["depends_on"]) & set(order["after"]))
    if both:
        raise ConfigError(
            f"{label} ({name}): {', '.join(both)} is under both depends_on (must succeed) and "
            "after (must finish, succeeded or not); keep one"
        )
    kernel = item.get("kernel_name")
    if kernel is not None and not isinstance(kernel, str):
        raise ConfigError(f"{label} ({name}): 'kernel_name' must be a string")
    return NotebookEntry(
        name=name,
        notebook=_resolve(root, notebook),
        parameters={str(k): normalise_value(v) for k, v in params.items()},
        depends_on=tuple(order["depends_on"]),
        after=tuple(order["after"]),
        kernel_name=kernel,
        title=item.get("title"),
    )


def _check_names_and_dependencies(entries: tuple[NotebookEntry, ...], where: str) -> None:
    names = [e.name for e in entries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{where}: entry names must be unique; repeated: {', '.join(duplicates)}")
    for entry in entries:
        for dep in (*entry.depends_on, *entry.after):
            if dep not in names:
                raise ConfigError(f"{where}: {entry.name} depends on {dep!r}, which is not listed")
            if dep == entry.name:
                raise ConfigError(f"{where}: {entry.name} depends on itself")
    graph = {e.name: {*e.depends_on, *e.after} for e in entries}
    done: set[str] = set()
    while graph:
        ready = [n for n, deps in graph.items() if deps <= done]
        if not ready:
            raise ConfigError(f"{where}: depends_on forms a cycle among {', '.join(sorted(graph))}")
        for n in ready:
            done.add(n)
            del graph[n]

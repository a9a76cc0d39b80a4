"""The parameters a notebook declares: the names assigned in its cell tagged ``parameters``.

Read with ``json`` and ``ast`` rather than papermill, so ``sscb run`` can refuse a mistyped
``-p NAME VALUE`` at once, before any kernel starts (papermill itself only warns and goes on).
"""

from __future__ import annotations

import ast
import json
from functools import lru_cache
from pathlib import Path


def notebook_parameter_names(path: str | Path) -> frozenset[str]:
    """Names assigned at the top level of ``path``'s ``parameters`` cell (empty if it has none)."""
    target = Path(path)
    return _names(str(target.resolve()), target.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _names(path: str, _mtime: int) -> frozenset[str]:
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    names: set[str] = set()
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code" or "parameters" not in cell.get("metadata", {}).get(
            "tags", []
        ):
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


def unknown_overrides(names: set[str] | frozenset[str], notebooks: list[Path]) -> list[str]:
    """The override names that no notebook in ``notebooks`` declares as a parameter."""
    declared: set[str] = {"run_dir"}
    for nb in notebooks:
        if nb.is_file():
            declared |= notebook_parameter_names(nb)
    return sorted(n for n in names if n not in declared)

"""Every parameter a notebook declares is one papermill can see and pass.

Papermill reads the cell tagged ``parameters`` line by line; a comment holding ``=`` made it skip a
line ("Unable to parse line 6": 01's ``series_start``), so papermill's own listing left the
parameter out. Each notebook's parameter names, as papermill reads them, must be every name the
cell assigns.
"""

from __future__ import annotations

import ast
import json

import papermill as pm
import pytest

from sscb_analysis.paths import NOTEBOOKS

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _assigned(path) -> set[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    tree = ast.parse("".join(cell["source"]))
    return {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.stem)
def test_papermill_sees_every_parameter(path) -> None:
    assert NOTEBOOK_FILES
    assert set(pm.inspect_notebook(str(path))) == _assigned(path)

"""Re-execute the committed notebooks in place so their stored outputs match the library.

nbval (in the test suite) replays every notebook and compares its outputs with the stored ones, so
after a change to the library or a notebook run ``sscb refresh-notebooks`` and commit the result.
Notebooks run with their default parameters (the built-in synthetic data) from ``notebooks/``,
as nbval runs them. Papermill's run metadata (timings, timestamps) is stripped so a refresh that
changes nothing leaves git clean.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sscb_analysis.paths import NOTEBOOKS

VOLATILE_CELL_KEYS = ("papermill", "execution")


def notebook_paths(names: Iterable[str] = ()) -> list[Path]:
    """The report notebooks to refresh: the named ones (with or without ``.ipynb``) or all."""
    wanted = [n.removesuffix(".ipynb") for n in names]
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not wanted:
        return found
    by_stem = {p.stem: p for p in found}
    unknown = [n for n in wanted if n not in by_stem]
    if unknown:
        raise ValueError(f"No notebook called {', '.join(unknown)}; have {', '.join(by_stem)}.")
    return [by_stem[n] for n in wanted]


def refresh(path: Path, timeout: int = 600) -> None:
    """Execute ``path`` in place with its defaults and strip run-specific metadata."""
    from sscb_analysis.reporting.fast_imports import skip_iri_grammar

    skip_iri_grammar()
    import nbformat
    import papermill as pm

    pm.execute_notebook(
        str(path),
        str(path),
        cwd=str(path.parent),
        execution_timeout=timeout,
        progress_bar=False,
        log_output=False,
    )
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
    nbformat.write(nb, path)

"""No real case data in the repository: every data file git tracks is synthetic or published.

Under data/raw/ only the generator's own output (byte for byte, see test_synth_messy) and the
published DfE statistics (by SHA-256) may be committed; data/processed/ and reports/ hold only
their READMEs. A real extract copied into a committed folder by mistake fails here, before it can
be pushed.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sscb_analysis import synth
from sscb_analysis.paths import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="needs a git checkout"
)


def tracked(folder: str) -> set[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", folder],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line for line in out.splitlines() if line}


def test_synthetic_folder_holds_only_generator_output(tmp_path):
    expected = set()
    for messy, sub in ((False, ""), (True, "messy/")):
        for path in synth.write_extracts(tmp_path / sub, messy=messy):
            expected.add(f"data/raw/synthetic/{sub}{Path(path).name}")
    expected |= {f"data/raw/synthetic/{p.relative_to(tmp_path)}" for p in tmp_path.rglob("*.md")}
    found = tracked("data/raw/synthetic")
    assert found - expected == set(), f"not made by `sscb synth`: {sorted(found - expected)}"


def test_dfe_folder_holds_only_the_published_files():
    readme = (ROOT / "data/raw/dfe/README.md").read_text(encoding="utf-8")
    published = dict(
        (name, digest) for digest, name in re.findall(r"\b([0-9a-f]{64})\s+(\S+\.csv)", readme)
    )
    found = tracked("data/raw/dfe") - {"data/raw/dfe/README.md"}
    for path in found:
        name = Path(path).name
        assert name in published, f"{path} is not one of the published DfE files"
        digest = hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
        assert digest == published[name], f"{path} differs from the published file"


def test_nothing_else_under_data_or_reports_is_committed():
    raw_top = {p for p in tracked("data/raw") if p.count("/") == 2}
    assert raw_top <= {"data/raw/README.md"}, sorted(raw_top)
    assert tracked("data/processed") <= {"data/processed/README.md"}
    assert tracked("reports") <= {"reports/README.md"}

"""``reports/index.html``: every run, newest first, with each notebook's status and pages.

Built from the runs' ``manifest.json`` files, so it can be rebuilt at any time and never disagrees
with what is on disk.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sscb_analysis.escape import html_text
from sscb_analysis.reporting.manifest import read_manifest, write_json_atomic, write_text_atomic
from sscb_analysis.reporting.sharing import ANALYST_ONLY, board_sentence

INDEX_NAME = "index.html"
LATEST_NAME = "latest"

_STYLE = """<style>
body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.ok{color:#1b5e20;font-weight:bold}.failed,.skipped{color:#b00020;font-weight:bold}
.running,.interrupted{color:#7a4d00;font-weight:bold}.latest{background:#e8f5e9}
.synthetic{background:#b00020;color:#fff;padding:0 .4em;font-size:.8em}
.partial{background:#7a4d00;color:#fff;padding:0 .4em;font-size:.8em}
.sharing{border-left:4px solid #1b5e20;padding:.3em .8em;background:#f4f8f4;max-width:60em}
.analyst{color:#555}
</style>"""


def list_runs(reports_dir: str | Path) -> list[dict[str, Any]]:
    """Manifests of every run folder under ``reports_dir``, newest run id first."""
    root = Path(reports_dir)
    runs = []
    for child in sorted(root.iterdir() if root.is_dir() else [], reverse=True):
        if child.is_dir() and not child.is_symlink() and not child.name.startswith("."):
            manifest = read_manifest(child)
            if manifest is not None:
                runs.append(manifest)
    return runs


def mark_interrupted_runs(reports_dir: str | Path) -> list[str]:
    """Mark runs still saying "running" as "interrupted"; return their ids.

    Call only while holding the reports lock: then no other run can be under way, so a manifest
    left at "running" belongs to a run that was killed before it could finish.
    """
    stale = []
    for manifest in list_runs(reports_dir):
        run_id = manifest.get("run_id")
        if manifest.get("status") != "running" or not isinstance(run_id, str):
            continue
        manifest["status"] = "interrupted"
        manifest["error"] = manifest.get("error") or "the run stopped before it finished"
        for item in manifest.get("notebooks", []):
            if item.get("status") in (None, "pending", "running"):
                item["status"] = "interrupted"
        write_json_atomic(Path(reports_dir) / run_id / "manifest.json", manifest)
        stale.append(run_id)
    return stale


def latest_run_id(reports_dir: str | Path) -> str | None:
    """The run that ``reports/latest`` points at, if any."""
    link = Path(reports_dir) / LATEST_NAME
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def point_latest_at(reports_dir: str | Path, run_id: str) -> None:
    """Make ``reports/latest`` a relative symlink to ``run_id``, replacing it atomically."""
    root = Path(reports_dir)
    link = root / LATEST_NAME
    if link.exists() and not link.is_symlink():
        raise RuntimeError(
            f"{link} exists and is not a symlink; move it away so runs can update it"
        )
    tmp = root / f".{LATEST_NAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(run_id, tmp, target_is_directory=True)
    os.replace(tmp, link)


def write_index(reports_dir: str | Path) -> Path:
    """Rebuild ``reports/index.html`` from the manifests and return its path."""
    root = Path(reports_dir)
    runs = list_runs(root)
    latest = latest_run_id(root)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Safeguarding board reports</title>",
        _STYLE,
        "</head><body><h1>Safeguarding board reports</h1>",
    ]
    if latest:
        newest = next((r for r in runs if r.get("run_id") == latest), {})
        pack = _pack_link(root, newest, f"{LATEST_NAME}/")
        parts.append(
            f"<p>Latest complete run: <a href='{LATEST_NAME}/'>{html_text(latest)}</a>"
            f"{f' · for the board: {pack}' if pack else ''}</p>"
        )
    else:
        parts.append("<p>No complete run has succeeded yet.</p>")
    parts.append(_sharing(runs, latest))
    if not runs:
        parts.append("<p>No runs yet: run <code>sscb run</code>.</p>")
    for run in runs:
        parts.append(_run_section(run, latest, _pack_link(root, run)))
    parts.append("</body></html>\n")
    path = root / INDEX_NAME
    write_text_atomic(path, "".join(parts))
    return path


def _sharing(runs: list[dict[str, Any]], latest: str | None) -> str:
    """Which files may go to the board and which stay with the analysts, in words."""
    newest = next((r for r in runs if r.get("run_id") == latest), runs[0] if runs else {})
    context = newest.get("context") or {}
    board = board_sentence(context.get("disclosure"), context.get("protective_marking"))
    return (
        "<div class='sharing'><p><strong>What may be shared.</strong> "
        f"{html_text(board)} In the tables below they are the links under "
        "<em>For the board</em>, and a complete run's board pack (one A4 PDF of its board "
        "pages) is linked beside it.</p>"
        f"<p>{html_text(ANALYST_ONLY)} They are the links under <em>Analyst only</em>.</p></div>"
    )


def _pack_link(root: Path, run: dict[str, Any], prefix: str | None = None) -> str:
    """The link to a complete run's ``board_pack.pdf`` (relative, escaped), or "" when the
    manifest records none or the file is not there: the index links only files that exist."""
    run_id, name = run.get("run_id"), run.get("board_pack")
    if not isinstance(run_id, str) or not isinstance(name, str) or "/" in name or "\\" in name:
        return ""
    if run.get("partial") or run.get("status") != "ok" or not (root / run_id / name).is_file():
        return ""
    href = quote(f"{prefix if prefix is not None else run_id + '/'}{name}")
    return f"<a href='{html_text(href)}'>board pack (PDF, A4)</a>"


def _run_section(run: dict[str, Any], latest: str | None, pack: str = "") -> str:
    run_id = str(run.get("run_id", "?"))
    status = str(run.get("status", "unknown"))
    commit = ((run.get("git") or {}).get("commit") or "unknown")[:12]
    klass = "latest" if run_id == latest else ""
    synthetic = (
        " <span class='synthetic'>SYNTHETIC DATA</span>" if run.get("data_are_synthetic") else ""
    )
    partial = (
        " <span class='partial'>PARTIAL RUN (--only): not a complete report set</span>"
        if run.get("partial")
        else ""
    )
    context = run.get("context") or {}
    about = ""
    if context:
        area = (context.get("area") or {}).get("name") or "?"
        about = (
            f"<p>{html_text(str(area))} · period under review "
            f"{html_text(str(context.get('period_label', '?')))} "
            f"({html_text(str(context.get('period_basis', '')))}) · "
            f"{html_text(str(context.get('protective_marking', '')))}</p>"
        )
    head = (
        f"<h2 id='{html_text(run_id)}' class='{klass}'>Run {html_text(run_id)}"
        f"{' (latest)' if run_id == latest else ''}{synthetic}{partial}</h2>{about}"
        f"<p>Started {html_text(str(run.get('started', '?')))} · commit {html_text(commit)}"
        f" · status <span class='{html_text(status)}'>{html_text(status)}</span>"
        f" · <a href='{html_text(run_id)}/manifest.json'>manifest</a>"
        f" · <a href='{html_text(run_id)}/run.log'>log</a></p>"
    )
    if pack:
        head += f"<p>For the board: {pack}, every board page of this run in one document.</p>"
    if run.get("error"):
        head += f"<p class='failed'>{html_text(str(run['error']))}</p>"
    rows = [
        "<table><tr><th>Report</th><th>Status</th><th>Seconds</th><th>For the board</th>"
        "<th>Analyst only (do not share)</th></tr>"
    ]
    for nb in run.get("notebooks", []):
        rows.append(_notebook_row(run_id, nb))
    rows.append("</table>")
    return head + "".join(rows)


def _notebook_row(run_id: str, nb: dict[str, Any]) -> str:
    name = str(nb.get("name", "?"))
    status = str(nb.get("status", "unknown"))
    outputs = nb.get("outputs") or {}
    board = _links(run_id, outputs, (("board_html", "board page"),))
    analyst = _links(
        run_id,
        outputs,
        (("analyst_html", "analyst page"), ("notebook", "notebook"), ("figures", "figures")),
    )
    error = nb.get("error")
    status_cell = f"<span class='{html_text(status)}'>{html_text(status)}</span>"
    if nb.get("data_are_synthetic"):
        status_cell += " <span class='synthetic'>SYNTHETIC</span>"
    if error:
        status_cell += f"<br><small>{html_text(str(error)[:300])}</small>"
    duration = nb.get("duration_s")
    seconds = f"{duration:.1f}" if isinstance(duration, int | float) else ""
    title = nb.get("title")
    label = f"{html_text(str(title))}<br><small>{html_text(name)}</small>" if title else ""
    return (
        f"<tr><td>{label or html_text(name)}</td><td>{status_cell}</td><td>{seconds}</td>"
        f"<td>{board}</td><td class='analyst'>{analyst}</td></tr>"
    )


def _links(run_id: str, outputs: dict[str, Any], labels: tuple[tuple[str, str], ...]) -> str:
    return " · ".join(
        f"<a href='{html_text(run_id)}/{html_text(str(outputs[key]))}'>{label}</a>"
        for key, label in labels
        if key in outputs
    )

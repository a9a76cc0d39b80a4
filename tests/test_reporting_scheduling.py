"""The scheduling recipes in docs/scheduling.md and .github/workflows work as written.

The cron line is run by /bin/sh against a stand-in ``sscb`` that exits 0, 1 or 4: a person hears
of every failure (cron mails any output) and of nothing else. The systemd units are checked by
``systemd-analyze verify``; the Actions workflow is read as YAML.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from sscb_analysis.commands.run import command as run_command
from sscb_analysis.paths import ROOT

DOC = ROOT / "docs" / "scheduling.md"
WORKFLOW = ROOT / ".github" / "workflows" / "reports.yml"
PROJECT = "/srv/sscb-analysis"


def blocks() -> dict[str, str]:
    """Fenced blocks of the doc whose info string names a file (```ini sscb-reports.service)."""
    text = DOC.read_text(encoding="utf-8")
    return {m[2]: m[3] for m in re.finditer(r"```(\w+) ([\w.@-]+)\n(.*?)```", text, re.S)}


def stand_in(project: Path, exit_code: int) -> None:
    """A fake ``.venv/bin/sscb`` that logs a line and exits with ``exit_code``."""
    path = project / ".venv" / "bin" / "sscb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"#!/bin/sh\necho \"sscb $*\"\necho 'run 2013: a line of the log' >&2\nexit {exit_code}\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def cron_job() -> tuple[dict[str, str], str]:
    """The crontab's variables and the job's command."""
    env, jobs = {}, []
    for line in blocks()["sscb-reports.cron"].splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^[A-Z_]+=", line):
            key, value = line.split("=", 1)
            env[key] = value
        else:
            jobs.append(line)
    (job,) = jobs
    fields = job.split(None, 5)
    assert len(fields) == 6, "a cron job is five time fields and a command"
    return env, fields[5]


def test_cron_mails_someone_on_failure_and_is_silent_on_success(tmp_path):
    env, command = cron_job()
    assert "@" in env["MAILTO"]
    assert "%" not in command  # cron would cut the line at an unescaped %
    assert command.startswith(f"cd {PROJECT} && ")
    project = tmp_path / "srv"
    (project / "reports").mkdir(parents=True)
    line = command.replace(PROJECT, str(project))
    for code, silent in ((0, True), (1, False), (2, False), (4, False)):
        stand_in(project, code)
        done = subprocess.run(
            ["/bin/sh", "-c", line], capture_output=True, text=True, env={"PATH": os.defpath}
        )
        mail = done.stdout + done.stderr
        if silent:
            assert mail == "" and done.returncode == 0, mail
        else:
            assert f"exit {code}" in mail and "a line of the log" in mail, mail
            assert done.returncode == code
    log = (project / "reports" / "cron-last.log").read_text()
    assert "sscb run --config" in log  # the full log is kept


def test_every_recipe_calls_sscb_run_with_options_that_exist():
    _, cron = cron_job()
    service = blocks()["sscb-reports.service"]
    exec_start = re.search(r"^ExecStart=(.*)$", service, re.M)[1]
    for line in (cron.split("&&", 1)[1].split(">", 1)[0], exec_start):
        args = shlex.split(line)
        assert args[0].endswith("sscb") and args[1] == "run", line
        run_command.make_context("run", args[2:])  # click refuses an unknown option


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_units_verify(tmp_path):
    project = tmp_path / "srv"
    stand_in(project, 0)
    units = tmp_path / "units"
    units.mkdir()
    names = ("sscb-reports.service", "sscb-reports-failed.service", "sscb-reports.timer")
    for name in names:
        text = blocks()[name].replace(PROJECT, str(project)).replace("User=sscb\n", "")
        (units / name).write_text(text)
    service = (units / "sscb-reports.service").read_text()
    assert "Type=oneshot" in service and "OnFailure=sscb-reports-failed.service" in service
    assert "SuccessExitStatus" not in service  # every non-zero exit is a failure
    done = subprocess.run(
        ["systemd-analyze", "verify", *[str(units / n) for n in names]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Unknown" not in output and "not executable" not in output, output
    calendar = re.search(r"^OnCalendar=(.*)$", blocks()["sscb-reports.timer"], re.M)[1]
    check = subprocess.run(
        ["systemd-analyze", "calendar", calendar], capture_output=True, text=True, timeout=30
    )
    assert check.returncode == 0 and "Mon" in check.stdout


def test_the_actions_workflow_fails_on_failure_and_keeps_the_reports():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert triggers["schedule"] == [{"cron": "30 6 * * 1"}]
    assert "Mondays at 06:30" in DOC.read_text() or "Monday at 06:30" in DOC.read_text()
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    scripts = "\n".join(s.get("run", "") for s in steps)
    assert "./run.sh setup" in scripts and "sscb run" in scripts
    assert "${{" not in scripts  # inputs reach scripts as environment variables, never spliced
    assert not any(s.get("continue-on-error") for s in steps)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload.get("if") == "always()"
    assert "reports/" in upload["with"]["path"]

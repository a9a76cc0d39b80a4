#!/usr/bin/env bash
# One entry point for people and CI.
#   ./run.sh report   set up (if needed) and run the main job: synthetic data -> clean -> all reports
#   ./run.sh test     set up (if needed) and run the whole test suite (lint, unit, notebooks)
#   ./run.sh setup    only set up the virtual environment and the Jupyter kernel
#   ./run.sh lab      open JupyterLab with the project's environment
# The virtual environment lives in .venv (override with SSCB_VENV). Setting up is skipped when
# requirements.lock and pyproject.toml have not changed since the last successful setup.
set -euo pipefail
cd "$(dirname "$0")"
VENV="${SSCB_VENV:-.venv}"
PY="${PYTHON:-python3}"

log() { printf '[run.sh] %s\n' "$*" >&2; }

setup() {
  local stamp="$VENV/.sscb-setup" want
  want="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
  log "setting up $VENV (first run, or the lock file changed): about a minute"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  # (Some machines' global pip config names local indexes that do not exist; pip then warns once
  # per package. Those lines are noise, so they are filtered; pip's own exit status still counts.)
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e . \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  "$VENV/bin/python" -m ipykernel install --sys-prefix --name sscb-analysis \
    --display-name "Python (sscb-analysis)" >/dev/null
  echo "$want" >"$stamp"
  log "environment ready"
}

cmd="${1:-report}"
shift || true
case "$cmd" in
  setup) setup ;;
  report)
    setup
    "$VENV/bin/sscb" synth --out data/raw/synthetic
    "$VENV/bin/sscb" synth --messy --out data/raw/synthetic/messy
    "$VENV/bin/sscb" run "$@"
    ;;
  test)
    setup
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    if [ "$#" -gt 0 ]; then
      "$VENV/bin/python" -m pytest "$@"
    else
      # Unit, property and runner tests, plus nbval: every committed notebook must reproduce its
      # stored outputs on the built-in synthetic data.
      "$VENV/bin/python" -m pytest tests notebooks --nbval \
        --nbval-sanitize-with tests/sanitize.cfg
    fi
    ;;
  lab)
    setup
    exec "$VENV/bin/jupyter" lab --notebook-dir=. "$@"
    ;;
  *)
    echo "usage: ./run.sh [report|test|setup|lab]" >&2
    exit 2
    ;;
esac

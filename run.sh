#!/usr/bin/env bash
# One entry point for people and CI.
#   ./run.sh report   set up (if needed) and run the main job: synthetic data -> clean -> all reports
#   ./run.sh test     set up (if needed) and run the whole test suite (lint, unit, notebooks)
#   ./run.sh setup    only set up the virtual environment and the Jupyter kernel
#   ./run.sh browser  install the browser test tools: Debian's chromium and npm's axe-core
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

# The accessibility test loads every board page in headless Chromium (Debian's package) with
# axe-core (npm, the version pinned in tests/browser/package-lock.json). Skipped when both are
# there; needs root for apt-get (as on CI and these machines). WeasyPrint's system libraries
# (pango, fonts) come with the same step.
browser() {
  local need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v npm >/dev/null 2>&1 || need+=(npm)
  dpkg -s libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null 2>&1 \
    || need+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
  if [ "${#need[@]}" -gt 0 ]; then
    log "installing ${need[*]} (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  # npm's own cache keeps the package; the stamp (the lock's hash) reinstalls it only when
  # tests/browser/package-lock.json changes.
  local stamp=tests/browser/node_modules/.sscb-lock want
  want="$(sha256sum tests/browser/package-lock.json | cut -d' ' -f1)"
  if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing axe-core (npm)"
    npm ci --prefix tests/browser --no-audit --no-fund --silent
    echo "$want" >"$stamp"
  fi
}

cmd="${1:-report}"
shift || true
case "$cmd" in
  setup) setup ;;
  browser) browser ;;
  report)
    setup
    "$VENV/bin/sscb" synth --out data/raw/synthetic
    "$VENV/bin/sscb" synth --messy --out data/raw/synthetic/messy
    "$VENV/bin/sscb" run "$@"
    ;;
  test)
    setup
    browser
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    if [ "$#" -gt 0 ]; then
      "$VENV/bin/python" -m pytest "$@"
    else
      # Unit, property and runner tests, plus nbval: every committed notebook must reproduce its
      # stored outputs on the built-in synthetic data. One session on every core (pytest-xdist,
      # at most 4 workers): --dist loadscope keeps each test module and each notebook on one
      # worker, so a notebook's cells share their kernel and a module's shared run is made once.
      "$VENV/bin/python" -m pytest -n auto --maxprocesses 4 --dist loadscope \
        tests notebooks --nbval --nbval-sanitize-with tests/sanitize.cfg
    fi
    ;;
  lab)
    setup
    exec "$VENV/bin/jupyter" lab --notebook-dir=. "$@"
    ;;
  *)
    echo "usage: ./run.sh [report|test|setup|browser|lab]" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Install what gjj-flow needs into .venv and build its local assets. Idempotent.
#   scripts/setup.sh          runtime dependencies
#   scripts/setup.sh test     plus the test dependencies
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [[ "${1:-}" == "test" ]]; then
  .venv/bin/python -m pip install --quiet -e '.[test]'
else
  .venv/bin/python -m pip install --quiet -e .
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "setup.sh: npm is required to vendor bpmn-js and Bootstrap (install Node.js 18+)" >&2
  exit 1
fi
bash scripts/vendor.sh
.venv/bin/pybabel compile --use-fuzzy -d app/translations >/dev/null

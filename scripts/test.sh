#!/usr/bin/env bash
# Set up and run the whole test suite: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set,
# and the browser tests in headless Chromium (installed from Debian's packages if missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh test

if [[ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium for the browser tests ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test.sh: headless Chromium is needed at ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)" >&2
    exit 1
  fi
fi

if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
  echo "tests run on SQLite and on ${TEST_DATABASE_URL%%@*}@…"
else
  echo "tests run on SQLite (set TEST_DATABASE_URL to a PostgreSQL database to run them there too)"
fi
exec .venv/bin/python -m pytest "$@"

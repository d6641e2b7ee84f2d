#!/usr/bin/env bash
# Set up and serve gjj-flow with SQLite and the demo data, plus the timer worker.
# DATABASE_URL (e.g. postgresql+psycopg://user@host/db) selects another database; BIND the address.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
.venv/bin/flask --app app init-db --demo
bind="${BIND:-127.0.0.1:5000}"
.venv/bin/flask --app app worker &          # fires due BPMN timers; stopped with the server
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "gjj-flow: open http://${bind} (demo users: clerk, reviewer, approver, director, cashier, supervisor, admin …)"
# Threaded workers (gunicorn.conf.py): slow clients hold a thread each, not a process.
BIND="$bind" .venv/bin/gunicorn --config gunicorn.conf.py 'app:create_app()'

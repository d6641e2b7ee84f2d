#!/usr/bin/env bash
# Set up and serve gjj-flow on http://127.0.0.1:5000 with SQLite and the demo data.
# DATABASE_URL (e.g. postgresql+psycopg://user@host/db) selects another database.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
.venv/bin/flask --app app init-db --demo
echo "gjj-flow: open http://127.0.0.1:5000 (demo users: clerk, reviewer, cashier, supervisor, admin …)"
exec .venv/bin/gunicorn --workers "${WORKERS:-2}" --bind "${BIND:-127.0.0.1:5000}" --access-logfile - 'app:create_app()'

#!/usr/bin/env bash
# Regenerate the initial Alembic revision from db/schema.py (only while the schema is unreleased).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f db/migrations/versions/0001_initial.py
.venv/bin/python - "$tmp" <<'PY'
import sys
from alembic import command
from alembic.config import Config
cfg = Config()
cfg.set_main_option("script_location", "db/migrations")
cfg.set_main_option("sqlalchemy.url", f"sqlite:///{sys.argv[1]}/empty.sqlite")
command.revision(cfg, message="initial catalog", autogenerate=True, rev_id="0001_initial")
PY
mv db/migrations/versions/0001_initial_initial_catalog.py db/migrations/versions/0001_initial.py
.venv/bin/ruff format -q db/migrations/versions/0001_initial.py
.venv/bin/ruff check -q --fix db/migrations/versions/0001_initial.py || true
rm -rf "$tmp"
echo "regenerated db/migrations/versions/0001_initial.py"

#!/usr/bin/env bash
# One command: install (with test extras), make sure Chromium and PostgreSQL 15 are there, lint, check the
# import layers and types, run the default test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${EXTRAS:-dev,ray}" scripts/install.sh
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x /usr/lib/postgresql/15/bin/initdb ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's PostgreSQL 15 (the suite starts a throwaway cluster of its own)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql-15 >/dev/null
fi
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> lint-imports (layers and no import circles, pyproject.toml [tool.importlinter])"
.venv/bin/lint-imports
echo "==> mypy (db, models, engine; pyproject.toml [tool.mypy])"
.venv/bin/mypy
echo "==> pytest"
exec .venv/bin/pytest "$@"

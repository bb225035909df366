#!/usr/bin/env bash
# One command: install, make the synthetic corpus if the catalog has none, open the workbench on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${EXTRAS:-dev}" scripts/install.sh
export GLIMPSE_HOME="${GLIMPSE_HOME:-$PWD/.glimpse}"
if [ ! -f "$GLIMPSE_HOME/datasets/synthetic/manifest.json" ]; then
  echo "==> generating and ingesting the synthetic corpus into $GLIMPSE_HOME"
  .venv/bin/glimpse synth
fi
exec .venv/bin/glimpse serve --host 127.0.0.1 --port "${PORT:-8501}"

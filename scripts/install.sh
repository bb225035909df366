#!/usr/bin/env bash
# Create .venv and install Glimpse into it. Idempotent: re-runs only when pyproject.toml changed.
#   EXTRAS   extras to install (default "dev,ray")
#   TORCH_SPEC  the torch requirement installed first (default "torch==2.13.0", the CPU wheel this
#               machine keeps on disk; resolving torch on its own would pull a multi-GB CUDA build)
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${EXTRAS:-dev,ray}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
PYTHON="${PYTHON:-python3}"

stamp=".venv/.glimpse-install-$(sha256sum pyproject.toml | cut -c1-16)-${EXTRAS//,/_}"
if [ -f "$stamp" ]; then
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
echo "==> installing ${TORCH_SPEC} (CPU) first"
.venv/bin/pip install --quiet "${TORCH_SPEC}"
echo "==> installing glimpse[${EXTRAS}]"
.venv/bin/pip install --quiet -e ".[${EXTRAS}]"
rm -f .venv/.glimpse-install-*
touch "$stamp"

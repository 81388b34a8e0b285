#!/usr/bin/env bash
# Installs node_modules when missing or older than package-lock.json. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
stamp=node_modules/.package-lock.json
if [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
  echo "[deps] installing node modules (npm ci) ..." >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

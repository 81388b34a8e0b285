#!/usr/bin/env bash
# Installs node_modules when missing or older than package-lock.json. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
stamp=node_modules/.package-lock.json
if [[ ! -f $stamp || package-lock.json -nt $stamp ]]; then
  echo "[deps] installing node modules ..." >&2
  # `npm install` rather than `npm ci`: it installs what the lock file pins,
  # but tolerates optional platform packages (swc's) that a registry mirror
  # does not carry, where `npm ci` refuses the whole lock file.
  npm install --no-audit --no-fund --loglevel=error
fi

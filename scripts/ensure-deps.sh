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

# bubblewrap: the OS sandbox the generation node (and the validator) run
# repository code in. The services fall back to rlimits without it, but the
# sandbox's own tests require it, as production hosts should.
if ! command -v bwrap >/dev/null && command -v apt-get >/dev/null; then
  echo "[deps] installing bubblewrap ..." >&2
  sudo_=""; [[ $(id -u) -ne 0 ]] && sudo_="sudo"
  $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null 2>&1 ||
    { $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }
fi

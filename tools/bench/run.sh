#!/usr/bin/env bash
# Runs one benchmark: bench/<name>.ts, bundled first. Infrastructure and the
# service bundles are brought up/built like the test command does.
#   bash tools/bench/run.sh task-core/throughput [args...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
name=${1:?usage: tools/bench/run.sh <bench name> [args...]}; shift
bash scripts/ensure-deps.sh
bash infra/local/infra.sh up >&2
npx nx run-many -t build --output-style=static >/dev/null
npx webpack --config tools/webpack/bench.config.js --env name="$name" >/dev/null
exec node --enable-source-maps "dist/bench/$name.js" "$@"

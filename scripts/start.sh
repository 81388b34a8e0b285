#!/usr/bin/env bash
# The main job: brings up Kafka, Redis and InfluxDB, builds and starts the
# five services against the target repository (the bundled sample unless
# TARGET_REPOSITORY is set), fires a first trigger, waits for its task to
# finish and prints where to look. Then the mesh keeps running until Ctrl-C.
#
#   npm start                 run in the foreground (Ctrl-C stops the services)
#   npm start -- --detach     leave the services running in the background
#   npm start -- --stop       stop services started with --detach
#
# Idempotent: services already running and ready are left alone.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SERVICES=(orchestrator planner generation-node validator deployer)
declare -A PORTS=([orchestrator]=8080 [planner]=8081 [generation-node]=8082 [validator]=8083 [deployer]=8084)
RUN="$ROOT/.autocode/run"
LOGS="$ROOT/.autocode/logs"
# Logs, pid files and the local keys are the operator's alone: they are made
# under umask 077 (and older ones closed). The builds and the services keep
# the caller's umask, since sandboxed runs under other uids read what they write.
private() { (umask 077 && "$@"); }
mkdir -p "$ROOT/.autocode"
private mkdir -p "$RUN" "$LOGS"
chmod -R go-rwx "$RUN" "$LOGS"
private touch "$LOGS/build.log"

say() { printf '[autocode] %s\n' "$*" >&2; }

ready() { curl -fsS -o /dev/null "http://127.0.0.1:${PORTS[$1]}/health/ready" 2>/dev/null; }
alive() { [[ -f $RUN/$1.pid ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

stop_services() {
  for svc in "${SERVICES[@]}"; do
    if alive "$svc"; then
      say "stopping $svc"
      kill "$(cat "$RUN/$svc.pid")" 2>/dev/null || true
    fi
  done
  for svc in "${SERVICES[@]}"; do
    for _ in $(seq 1 40); do alive "$svc" || break; sleep 0.5; done
    rm -f "$RUN/$svc.pid"
  done
}

case "${1:-}" in
  --stop) stop_services; exit 0 ;;
  --detach | "") ;;
  *) echo "usage: npm start [-- --detach | --stop]" >&2; exit 2 ;;
esac
DETACH=$([[ ${1:-} == --detach ]] && echo 1 || echo 0)

started_at=$(date +%s.%N)
bash scripts/ensure-deps.sh
bash infra/local/infra.sh up
say "building the services"
npx nx run-many -t build --output-style=static >"$LOGS/build.log" 2>&1 || { tail -40 "$LOGS/build.log"; exit 1; }

if [[ -z ${TARGET_REPOSITORY:-} ]]; then
  TARGET_REPOSITORY="$(bash scripts/init-sample-repo.sh)"
fi
export TARGET_REPOSITORY
# Without a model the generation nodes offer no `llm` generator: do not plan work only it could do.
if [[ -z ${LLM_BASE_URL:-} || -z ${LLM_MODEL:-} ]]; then
  export PLANNER_DISABLED_GENERATORS=${PLANNER_DISABLED_GENERATORS:-llm}
  say "no model configured (LLM_BASE_URL, LLM_MODEL): planning only for the deterministic generators"
fi

# A local admin key, made once and kept in the ignored .autocode folder, so
# the gateway (orchestrator) and the deployer can be used at once. The
# services read only its SHA-256 (api-keys.yaml); the key itself is in
# api-key (mode 600) for you and the first cycle. Never printed.
if [[ -z ${API_KEYS:-} && -z ${API_KEYS_FILE:-} ]]; then
  API_KEYS_FILE="$ROOT/.autocode/api-keys.yaml"
  AUTOCODE_API_KEY_FILE="$ROOT/.autocode/api-key"
  # An older checkout kept the plain key in the keys file: replace it.
  if [[ ! -s $AUTOCODE_API_KEY_FILE || ! -s $API_KEYS_FILE ]] || grep -q '^ *key:' "$API_KEYS_FILE"; then
    private node -e "require('node:fs').writeFileSync(process.argv[1], require('node:crypto').randomBytes(24).toString('base64url') + '\n', { mode: 0o600 })" "$AUTOCODE_API_KEY_FILE"
    digest=$(node -p "require('node:crypto').createHash('sha256').update(require('node:fs').readFileSync(process.argv[1], 'utf8').trim()).digest('hex')" "$AUTOCODE_API_KEY_FILE")
    private bash -c 'printf "keys:\n  - name: local-admin\n    role: admin\n    sha256: %s\n" "$1" >"$2"' _ "$digest" "$API_KEYS_FILE"
  fi
  chmod 600 "$AUTOCODE_API_KEY_FILE" "$API_KEYS_FILE"
  export API_KEYS_FILE AUTOCODE_API_KEY_FILE
fi

# The mesh secret every service signs and checks heartbeats with: made once,
# kept in .autocode/mesh-secret (mode 600), never printed.
if [[ -z ${MESH_SECRET:-} ]]; then
  MESH_SECRET_FILE="$ROOT/.autocode/mesh-secret"
  if [[ ! -s $MESH_SECRET_FILE ]]; then
    (umask 077 && node -p "require('node:crypto').randomBytes(32).toString('base64url')" >"$MESH_SECRET_FILE")
  fi
  chmod 600 "$MESH_SECRET_FILE"
  MESH_SECRET="$(cat "$MESH_SECRET_FILE")"
  export MESH_SECRET
fi

for svc in "${SERVICES[@]}"; do
  if alive "$svc" && ready "$svc"; then say "$svc already running"; continue; fi
  say "starting $svc on :${PORTS[$svc]} (log: .autocode/logs/$svc.log)"
  private touch "$LOGS/$svc.log"
  HTTP_PORT=${PORTS[$svc]} nohup node --enable-source-maps "dist/apps/$svc/main.js" >>"$LOGS/$svc.log" 2>&1 &
  echo $! >"$RUN/$svc.pid"
done

if [[ $DETACH == 0 ]]; then trap 'echo; stop_services; exit 0' INT TERM; fi

for svc in "${SERVICES[@]}"; do
  for _ in $(seq 1 240); do ready "$svc" && break; alive "$svc" || { say "$svc died:"; tail -20 "$LOGS/$svc.log"; exit 1; }; sleep 0.5; done
  ready "$svc" || { say "$svc did not become ready"; tail -20 "$LOGS/$svc.log"; exit 1; }
done
say "all five services are ready"

API=http://127.0.0.1:${PORTS[orchestrator]}
node scripts/first-cycle.mjs "$API" "$started_at"
say "from the start of this command to the end of the first cycle: $(node -pe "($(date +%s.%N) - $started_at).toFixed(1)")s"

if [[ $DETACH == 1 ]]; then
  say "services keep running; stop them with: npm start -- --stop"
  exit 0
fi
say "press Ctrl-C to stop the services"
while true; do
  for svc in "${SERVICES[@]}"; do alive "$svc" || { say "$svc exited; see .autocode/logs/$svc.log"; stop_services; exit 1; }; done
  sleep 2
done

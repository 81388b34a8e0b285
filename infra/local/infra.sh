#!/usr/bin/env bash
# Local infrastructure without Docker: Kafka 3.9.1 (KRaft), InfluxDB 1.x and
# Redis (primary + replica) on the same endpoints docker-compose.yml exposes.
#
#   infra/local/infra.sh up       install what is missing, start what is stopped
#   infra/local/infra.sh down     stop what this script started
#   infra/local/infra.sh status   one line per component
#
# Idempotent: running `up` twice starts nothing twice. Data and logs live in
# .autocode/infra (ignored by git); downloaded jars in $AUTOCODE_CACHE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/infra/local"
STATE="${AUTOCODE_INFRA_DIR:-$ROOT/.autocode/infra}"
CACHE="${AUTOCODE_CACHE:-$HOME/.cache/autocode}"

KAFKA_VERSION=3.9.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
INFLUX_PORT="${INFLUX_PORT:-8086}"
INFLUX_RPC_PORT="${INFLUX_RPC_PORT:-8088}"
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_REPLICA_PORT="${REDIS_REPLICA_PORT:-6380}"

KAFKA_LIB="$CACHE/kafka-$KAFKA_VERSION/lib"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 timeout=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if ((SECONDS >= deadline)); then die "$what did not come up within ${timeout}s"; fi
    sleep 0.5
  done
}

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# --- Kafka -------------------------------------------------------------------

kafka_fetch() {
  if compgen -G "$KAFKA_LIB/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null; then return; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka from Maven Central"
  log "fetching Kafka $KAFKA_VERSION from Maven Central (once) ..."
  local work; work="$(mktemp -d)"
  cp "$HERE/kafka/pom.xml" "$work/pom.xml"
  (cd "$work" && mvn -B -q -Dstyle.color=never package -Dkafka.lib.dir="$work/lib") || die "mvn could not fetch Kafka"
  mkdir -p "$(dirname "$KAFKA_LIB")"
  rm -rf "$KAFKA_LIB.tmp" && mv "$work/lib" "$KAFKA_LIB.tmp" && mv "$KAFKA_LIB.tmp" "$KAFKA_LIB"
  rm -rf "$work"
}

kafka_java() {
  java -Xms256m -Xmx1g -XX:+UseG1GC \
    -Dlog4j.configuration="file:$HERE/kafka/log4j.properties" \
    -cp "$KAFKA_LIB/*" "$@"
}

kafka_up() {
  local dir="$STATE/kafka" pidf="$STATE/kafka/kafka.pid"
  if pid_alive "$pidf" || port_open "$KAFKA_PORT"; then log "kafka: already running on 127.0.0.1:$KAFKA_PORT"; return; fi
  kafka_fetch
  mkdir -p "$dir/data"
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
      -e "s#@DATA_DIR@#$dir/data#g" "$HERE/kafka/server.properties.template" > "$dir/server.properties"
  if [[ ! -f $dir/data/meta.properties ]]; then
    local cluster_id; cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid)"
    kafka_java kafka.tools.StorageTool format -c "$dir/server.properties" -t "$cluster_id" --ignore-formatted >/dev/null
  fi
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT"
  nohup java -Xms512m -Xmx1g -XX:+UseG1GC \
    -Dlog4j.configuration="file:$HERE/kafka/log4j.properties" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
  echo $! >"$pidf"
  wait_for "kafka" 90 port_open "$KAFKA_PORT"
}

# --- InfluxDB ----------------------------------------------------------------

influx_install() {
  command -v influxd >/dev/null && return
  log "influxdb: installing Debian's influxdb + influxdb-client (once) ..."
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq influxdb influxdb-client >/dev/null
  # The package may start its own daemon with the system config; ours replaces it.
  as_root pkill -x influxd 2>/dev/null || true
  command -v influxd >/dev/null || die "influxd is still missing after apt-get install"
}

influx_ping() { curl -fsS -o /dev/null 2>/dev/null "http://127.0.0.1:$INFLUX_PORT/ping"; }

influx_up() {
  local dir="$STATE/influxdb" pidf="$STATE/influxdb/influxd.pid"
  if pid_alive "$pidf" || influx_ping 2>/dev/null; then log "influxdb: already running on 127.0.0.1:$INFLUX_PORT"; return; fi
  influx_install
  mkdir -p "$dir"
  sed -e "s#@HTTP_PORT@#$INFLUX_PORT#g" -e "s#@RPC_PORT@#$INFLUX_RPC_PORT#g" -e "s#@DATA_DIR@#$dir#g" \
      "$HERE/influxdb/influxdb.conf.template" > "$dir/influxdb.conf"
  log "influxdb: starting on 127.0.0.1:$INFLUX_PORT"
  nohup influxd -config "$dir/influxdb.conf" >"$dir/influxd.log" 2>&1 &
  echo $! >"$pidf"
  wait_for "influxdb" 60 influx_ping
}

# --- Redis -------------------------------------------------------------------

redis_ping() { redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; }

redis_up() {
  local dir="$STATE/redis"
  mkdir -p "$dir"
  if redis_ping "$REDIS_PORT"; then
    log "redis: primary answers on 127.0.0.1:$REDIS_PORT"
  else
    command -v redis-server >/dev/null || { as_root apt-get update -qq && as_root apt-get install -y -qq redis-server >/dev/null; }
    log "redis: starting primary on 127.0.0.1:$REDIS_PORT"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir "$dir" --pidfile "$dir/primary.pid" --logfile "$dir/primary.log"
    wait_for "redis primary" 20 redis_ping "$REDIS_PORT"
  fi
  if redis_ping "$REDIS_REPLICA_PORT"; then
    log "redis: replica answers on 127.0.0.1:$REDIS_REPLICA_PORT"
  else
    log "redis: starting replica of :$REDIS_PORT on 127.0.0.1:$REDIS_REPLICA_PORT"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_REPLICA_PORT" --save "" --appendonly no \
      --replicaof 127.0.0.1 "$REDIS_PORT" --replica-read-only yes \
      --dir "$dir" --pidfile "$dir/replica.pid" --logfile "$dir/replica.log"
    wait_for "redis replica" 20 redis_ping "$REDIS_REPLICA_PORT"
  fi
}

# --- commands ----------------------------------------------------------------

stop_pidfile() { # stop_pidfile <name> <pidfile>
  if pid_alive "$2"; then
    local pid; pid="$(cat "$2")"
    log "$1: stopping (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$2"
}

cmd_up() {
  redis_up
  influx_up
  kafka_up
  log "ready: kafka 127.0.0.1:$KAFKA_PORT, redis 127.0.0.1:$REDIS_PORT (replica :$REDIS_REPLICA_PORT), influxdb http://127.0.0.1:$INFLUX_PORT"
}

cmd_down() {
  stop_pidfile kafka "$STATE/kafka/kafka.pid"
  stop_pidfile influxdb "$STATE/influxdb/influxd.pid"
  stop_pidfile "redis replica" "$STATE/redis/replica.pid"
  # The primary is only ours to stop when this script started it.
  stop_pidfile "redis primary" "$STATE/redis/primary.pid"
}

cmd_status() {
  local rc=0
  if port_open "$KAFKA_PORT"; then echo "kafka     up    127.0.0.1:$KAFKA_PORT"; else echo "kafka     down"; rc=1; fi
  if influx_ping 2>/dev/null; then echo "influxdb  up    http://127.0.0.1:$INFLUX_PORT"; else echo "influxdb  down"; rc=1; fi
  if redis_ping "$REDIS_PORT"; then echo "redis     up    127.0.0.1:$REDIS_PORT"; else echo "redis     down"; rc=1; fi
  if redis_ping "$REDIS_REPLICA_PORT"; then echo "replica   up    127.0.0.1:$REDIS_REPLICA_PORT"; else echo "replica   down"; fi
  return $rc
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac

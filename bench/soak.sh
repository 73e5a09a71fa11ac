#!/usr/bin/env bash
# Soak test of the HTTPS sidecar on loopback. See bench/README.md.
#
#   bench/soak.sh [--quick] [--duration 10m] [--idle-conns N] [--jar PATH] [--native PATH]
#                 [--jvm-opts "FLAGS"] [--proxies LIST] [--parts idle,soak] [--out FILE]
#
# Part 1 (idle): memory per idle TLS connection of the sidecar, NGINX and HAProxy: RSS before and
# with N idle TLS connections open (full handshake and one request each, then held idle).
# Part 2 (soak): the sidecar alone (JVM, then native if given) under a light mixed load for the
# duration: HTTP/1.1 keep-alive, new TLS connections, WebSocket, SSE, 1 MiB uploads; its RSS and open
# file descriptors are sampled every 10 s. Proxies run on CPU 0, everything else on CPU 1, all
# under nice -n 10. Only 127.0.0.1 is targeted; every step and every wait is bounded.
set -Eeuo pipefail
trap 'echo "soak.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# Everything (proxies, upstreams, clients) runs niced: this measures memory, not speed.
if [[ ${SOAK_NICED:-} != 1 ]]; then
  export SOAK_NICED=1
  exec nice -n 10 bash "${BASH_SOURCE[0]}" "$@"
fi

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
source "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------
MODE=full
DURATION=""
IDLE_CONNS=""
JAR="$REPO_DIR/target/quarkus-app/quarkus-run.jar"
NATIVE=""
JVM_OPTS="-XX:+UseSerialGC -Xmx64m"
PROXIES=""
PARTS="idle,soak"
OUT=""
JAVA_HOME=${BENCH_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
PORT_BASE=${BENCH_PORT_BASE:-29400}

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
to_secs() { # 600 | 600s | 10m | 1h -> seconds
  case "$1" in
    *[0-9]h) echo $((${1%h} * 3600)) ;;
    *[0-9]m) echo $((${1%m} * 60)) ;;
    *[0-9]s) echo "${1%s}" ;;
    *[0-9]) echo "$1" ;;
    *) echo "bad duration: $1" >&2; return 2 ;;
  esac
}
while (($#)); do
  case "$1" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    --duration) DURATION=$(to_secs "$2"); shift ;;
    --idle-conns) IDLE_CONNS=$2; shift ;;
    --jar) JAR=$2; shift ;;
    --native) NATIVE=$2; shift ;;
    --jvm-opts) JVM_OPTS=$2; shift ;;
    --proxies) PROXIES=$2; shift ;;
    --parts) PARTS=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

JAR=$(realpath "$JAR" 2>/dev/null || echo "$JAR")
[[ -f "$JAR" ]] || { echo "sidecar jar not found: $JAR (build it, or pass --jar PATH)" >&2; exit 2; }
check_sidecar_args
# The soak runs the sidecar variants of the list only.
SOAK_LIST=()
for p in "${PROXY_LIST[@]}"; do [[ $p == sidecar-* ]] && SOAK_LIST+=("$p"); done
DO_IDLE=0; DO_SOAK=0
[[ ",$PARTS," == *,idle,* ]] && DO_IDLE=1
[[ ",$PARTS," == *,soak,* ]] && DO_SOAK=1
((DO_IDLE || DO_SOAK)) || { echo "--parts: idle, soak or both" >&2; exit 2; }

if [[ $MODE == quick ]]; then
  DURATION=${DURATION:-120}; IDLE_CONNS=${IDLE_CONNS:-1000}
  WARM=3; SETTLE=3; EXCLUDE=30; WINDOW=30
else
  DURATION=${DURATION:-600}; IDLE_CONNS=${IDLE_CONNS:-5000}
  WARM=10; SETTLE=5; EXCLUDE=60; WINDOW=60
fi
[[ $DURATION =~ ^[0-9]+$ ]] && ((DURATION >= 60 && DURATION <= 86400)) ||
  { echo "--duration must be between 60 s and 24 h" >&2; exit 2; }
[[ $IDLE_CONNS =~ ^[0-9]+$ ]] && ((IDLE_CONNS >= 1 && IDLE_CONNS <= 15000)) ||
  { echo "--idle-conns must be between 1 and 15000" >&2; exit 2; }
# EXCLUDE: samples of the first seconds of the soak (warm-up: JIT, heap sizing) are left out of the
# figures; WINDOW: "first" and "last minute" are the samples in the first and the last WINDOW seconds
# after that. Quick mode halves both so that two windows fit into 2 minutes.
if ((EXCLUDE + 2 * WINDOW > DURATION)); then EXCLUDE=$((DURATION / 4)); WINDOW=$((DURATION / 4)); fi
SAMPLE_EVERY=10

# The mixed load of the soak: light, so that the machine is never saturated.
WRK_CONNS=8          # HTTP/1.1 keep-alive connections (wrk -t1) ...
WRK_DELAY_MS=20      # ... each waiting this long between two requests (at most ~400 req/s)
HS_THREADS=2         # new TLS connections (tlsload rate): full handshake + 1 request + close ...
HS_RATE=20           # ... this many per second in total
WS_CLIENTS=20        # concurrent WebSocket connections, each ...
WS_INTERVAL_MS=200   # ... sending a 16 B-4 KiB message this often and checking the echo, ...
WS_LIFETIME=30       # ... closing after ~this many seconds (±25 %) and reconnecting
SSE_LOOPS=4          # curl loops, each reading one SSE stream after another ...
SSE_EVENTS=30        # ... of this many events, 100 ms apart (3 s per stream)
UPLOAD_LOOPS=1       # curl loops POSTing 1 MiB ...
UPLOAD_PAUSE=0.5     # ... with this pause (s) between two uploads
TLS13_SUITE=TLS_AES_128_GCM_SHA256
TLS_GROUP=X25519

UPSTREAM_PORT=$((PORT_BASE + 80))   # nginx upstream (part 1)
CHECK_PORT=$((PORT_BASE + 81))      # its TLS check listener (unused here, but in its config)
NODE_PORT=$((PORT_BASE + 82))       # Node.js upstream (part 2)
declare -A PORT=([sidecar-jvm]=$((PORT_BASE + 43)) [sidecar-native]=$((PORT_BASE + 44))
                 [nginx]=$((PORT_BASE + 45)) [haproxy]=$((PORT_BASE + 46)))
MGMT_PORT=$((PORT_BASE + 90))
declare -A NAME=([sidecar-jvm]="sidecar (JVM)" [sidecar-native]="sidecar (native)"
                 [nginx]="NGINX" [haproxy]="HAProxy")

DATE=$(date -u +%Y-%m-%d)
if [[ -z "$OUT" ]]; then
  OUT="$BENCH_DIR/results/$DATE-soak.md"
  [[ $MODE == full ]] || OUT="$BENCH_DIR/results/$DATE-soak-quick.md"
fi
OUT=$(realpath -m "$OUT")
T_START=$(date +%s)
CLK_TCK=$(getconf CLK_TCK)

log() { printf '[%s +%4ss] %s\n' "$(date +%H:%M:%S)" "$(($(date +%s) - T_START))" "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
install_missing() {
  local need=()
  command -v nginx >/dev/null || need+=(nginx)
  command -v haproxy >/dev/null || need+=(haproxy)
  command -v wrk >/dev/null || need+=(wrk)
  command -v openssl >/dev/null || need+=(openssl)
  command -v curl >/dev/null || need+=(curl)
  command -v cc >/dev/null || need+=(gcc libc6-dev)
  [[ -f /usr/include/openssl/ssl.h ]] || need+=(libssl-dev)
  command -v taskset >/dev/null || need+=(util-linux)
  command -v ss >/dev/null || need+=(iproute2)
  command -v timeout >/dev/null || need+=(coreutils)
  if ((DO_SOAK)); then
    command -v node >/dev/null || need+=(nodejs)
    command -v npm >/dev/null || need+=(npm)
  fi
  if ((${#need[@]})); then
    log "installing: ${need[*]}"
    [[ $(id -u) == 0 ]] || { echo "missing packages (${need[*]}) and not root: install them first" >&2; exit 1; }
    apt-get update -q >&2
    # RUNLEVEL=1: the packages' maintainer scripts must not start nginx/haproxy services.
    RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
  fi
}

# The `ws` module for the WebSocket client and the Node.js upstream, into the temp dir.
install_ws() {
  log "npm install ws (into $TMP/npm)"
  mkdir -p "$TMP/npm"
  if ! timeout -k 5 300 npm install --prefix "$TMP/npm" --no-audit --no-fund --no-save --loglevel=error ws@8 \
    >"$TMP/logs/npm.log" 2>&1; then
    echo "npm install ws failed:" >&2; tail -20 "$TMP/logs/npm.log" >&2; return 1
  fi
  export NODE_PATH="$TMP/npm/node_modules"
  WS_VERSION=$(node -p 'require("ws/package.json").version')
}

# ---------------------------------------------------------------------------------------------
# Processes: everything started is recorded and stopped by PID on exit.
# ---------------------------------------------------------------------------------------------
TMP=""
STARTED=()


# A started PID and its direct children (the curl of a client loop, nginx workers): the children are
# listed first, since they are re-parented once their parent is gone.
stop_tree() { # PID [grace seconds]
  local pid=$1 grace=${2:-10} kids k i
  kids=$(pgrep -P "$pid" 2>/dev/null || true)
  stop_pid "$pid" "$grace"
  for k in $kids; do
    kill -TERM "$k" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do kill -0 "$k" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$k" 2>/dev/null || true
  done
}

# Waits, bounded, for a started PID to exit by itself; stops it after SECONDS.
wait_exit() { # PID SECONDS
  local pid=$1 secs=$2 i
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  log "  pid $pid still running after ${secs}s: stopping it"
  stop_tree "$pid" 5
}

cleanup() {
  local rc=$?
  local i
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_tree "${STARTED[i]}" 5; done
  if [[ -n "$TMP" && -d "$TMP" ]]; then
    if ((rc != 0)); then echo "logs kept in $TMP" >&2; else rm -rf "$TMP"; fi
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


CLIENT_CNF="$BENCH_DIR/conf/openssl-client.cnf"
# curl with the benchmark's TLS offer, on CPU 1.
bcurl() { OPENSSL_CONF="$CLIENT_CNF" taskset -c 1 curl -sk "$@"; }

wait_https_200() { # PORT PID SECONDS
  local port=$1 pid=$2 secs=$3 i code
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    code=$(bcurl --max-time 3 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/" 2>/dev/null || true)
    [[ $code == 200 ]] && return 0
    sleep 0.1
  done
  return 1
}

rss_kib() { # sum of VmRSS over PIDs, KiB
  local total=0 pid v
  for pid in "$@"; do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || v=0
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
fd_count() { # open file descriptors summed over PIDs
  local total=0 pid v
  for pid in "$@"; do
    v=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l) || v=0
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
threads_of() { awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { # utime+stime (clock ticks) summed over PIDs
  local total=0 pid v
  for pid in "$@"; do
    v=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}') || v=0
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
cpu_busy() { awk '/^cpu[01] / {t = 0; for (i = 2; i <= NF; i++) t += $i; printf "%d %d ", t - $5 - $6, t}' /proc/stat; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
established() { ss -tnH state established "( sport = :$1 )" 2>/dev/null | wc -l; }

# Sidecar metrics (Prometheus text on the management port); empty when not available.
metric() { # TEXT NAME [LABEL-FILTER] -> sum of the samples (label values may contain spaces)
  awk -v n="$2" -v f="${3:-}" '/^#/ {next}
    {k = $0; sub(/[ \t]+[^ \t]+$/, "", k)}
    (k == n || index(k, n "{") == 1) && (f == "" || index(k, f)) {s += $NF; found = 1}
    END {if (found) printf "%.0f", s}' <<<"$1"
}
scrape() { curl -s --max-time 2 "http://127.0.0.1:$MGMT_PORT/q/metrics" 2>/dev/null || true; }

# ---------------------------------------------------------------------------------------------
# Set-up: certificate, upstreams, helper
# ---------------------------------------------------------------------------------------------
make_cert() { # ECDSA P-256, self-signed, PKCS#8 key; as run.sh does
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "keyUsage=critical,digitalSignature,keyEncipherment" -addext "extendedKeyUsage=serverAuth" \
    -keyout "$TMP/ecdsa.raw.key" -out "$TMP/ecdsa.crt" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$TMP/ecdsa.raw.key" -out "$TMP/ecdsa.key"
  rm -f "$TMP/ecdsa.raw.key"
  cat "$TMP/ecdsa.crt" "$TMP/ecdsa.key" >"$TMP/haproxy-ecdsa.pem"
}


SMALL_BODY=$(printf 'x%.0s' {1..99})   # 99 bytes + the newline below = 100 bytes
SMALL_BODY+='\\n'                      # nginx turns \n into a newline; sed needs it doubled

start_nginx_upstream() { # part 1: the upstream of bench/run.sh
  mkdir -p "$TMP/www"
  head -c 1048576 /dev/urandom >"$TMP/www/1m.bin"
  render "$BENCH_DIR/conf/upstream-nginx.conf" "$TMP/upstream-nginx.conf" TMP="$TMP" \
    UPSTREAM_PORT="$UPSTREAM_PORT" CHECK_PORT="$CHECK_PORT" SMALL_BODY="$SMALL_BODY"
  taskset -c 1 nginx -p "$TMP" -e stderr -c "$TMP/upstream-nginx.conf" >"$TMP/logs/upstream-nginx.out" 2>&1 &
  NGINX_UP_PID=$!
  STARTED+=("$NGINX_UP_PID")
  wait_http_up "http://127.0.0.1:$UPSTREAM_PORT/" "$NGINX_UP_PID" "upstream nginx" "$TMP/logs/upstream-nginx.out"
}

start_node_upstream() { # part 2: HTTP + SSE + upload + WebSocket echo
  taskset -c 1 node "$BENCH_DIR/soak/upstream.js" "$NODE_PORT" "$SSE_EVENTS" >"$TMP/logs/upstream-node.log" 2>&1 &
  NODE_UP_PID=$!
  STARTED+=("$NODE_UP_PID")
  wait_http_up "http://127.0.0.1:$NODE_PORT/_stats" "$NODE_UP_PID" "Node.js upstream" "$TMP/logs/upstream-node.log"
}
node_stat() { # KEY -> value from the Node.js upstream's /_stats
  curl -s --max-time 2 "http://127.0.0.1:$NODE_PORT/_stats" 2>/dev/null |
    sed -n "s/.*\"$1\":\([-0-9]*\).*/\1/p" || true
}

# ---------------------------------------------------------------------------------------------
# Proxies (as bench/run.sh starts them)
# ---------------------------------------------------------------------------------------------
PROXY_PID=""
PROXY_LOG=""

start_proxy() { # ID UPSTREAM-PORT LOG-TAG
  local id=$1 up=$2 tag=$3 port=${PORT[$1]}
  port_free "$port" || { echo "port $port is busy" >&2; return 1; }
  PROXY_LOG="$TMP/logs/$id-$tag.log"
  case "$id" in
    sidecar-jvm|sidecar-native)
      local cmd=("$NATIVE") extra=()
      # shellcheck disable=SC2206
      [[ $id == sidecar-jvm ]] && cmd=("$JAVA" $JVM_OPTS -jar "$JAR")
      # The default limit (10,000 connections) is enough unless more idle connections are asked for.
      ((IDLE_CONNS + 500 <= 10000)) || extra=(SIDECAR_LIMITS_MAX_CONNECTIONS=$((IDLE_CONNS + 1000)))
      (cd "$TMP" && exec env SIDECAR_PORT="$port" SIDECAR_MANAGEMENT_PORT="$MGMT_PORT" \
        SIDECAR_UPSTREAM="http://127.0.0.1:$up" \
        SIDECAR_TLS_CERT="$TMP/ecdsa.crt" SIDECAR_TLS_KEY="$TMP/ecdsa.key" \
        SIDECAR_ACCESS_LOG=off SIDECAR_SHUTDOWN_DRAIN_TIMEOUT=1s \
        QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 "${extra[@]}" \
        taskset -c 0 "${cmd[@]}") >"$PROXY_LOG" 2>&1 &
      PROXY_PID=$!
      ;;
    nginx)
      # conf/proxy-nginx.conf: worker_connections 8192, worker_rlimit_nofile 16384.
      render "$BENCH_DIR/conf/proxy-nginx.conf" "$TMP/proxy-nginx.conf" TMP="$TMP" PORT="$port" \
        UPSTREAM_PORT="$up" CERT="$TMP/ecdsa.crt" KEY="$TMP/ecdsa.key"
      if ((IDLE_CONNS + 500 > 8192)); then
        sed -i -e "s/worker_connections [0-9]*;/worker_connections $((IDLE_CONNS + 1000));/" \
          -e "s/worker_rlimit_nofile [0-9]*;/worker_rlimit_nofile $((2 * IDLE_CONNS + 2000));/" "$TMP/proxy-nginx.conf"
      fi
      taskset -c 0 nginx -p "$TMP" -e stderr -c "$TMP/proxy-nginx.conf" >"$PROXY_LOG" 2>&1 &
      PROXY_PID=$!
      ;;
    haproxy)
      # conf/proxy-haproxy.cfg has maxconn 4096: raised here so that the idle connections fit.
      render "$BENCH_DIR/conf/proxy-haproxy.cfg" "$TMP/proxy-haproxy.cfg" TMP="$TMP" PORT="$port" \
        UPSTREAM_PORT="$up" PEM="$TMP/haproxy-ecdsa.pem"
      sed -i "s/^\( *\)maxconn 4096$/\1maxconn $((IDLE_CONNS + 1000))/" "$TMP/proxy-haproxy.cfg"
      taskset -c 0 haproxy -db -f "$TMP/proxy-haproxy.cfg" >"$PROXY_LOG" 2>&1 &
      PROXY_PID=$!
      ;;
  esac
  STARTED+=("$PROXY_PID")
  if ! wait_https_200 "$port" "$PROXY_PID" 60; then
    echo "$id did not answer 200 on https://127.0.0.1:$port/ within 60 s; log:" >&2
    tail -40 "$PROXY_LOG" >&2
    return 1
  fi
}

proxy_pids() { # the proxy's processes (nginx: master and workers)
  echo "$PROXY_PID"
  pgrep -P "$PROXY_PID" 2>/dev/null || true
}

stop_proxy() { # ID
  stop_tree "$PROXY_PID" 15
  wait_port_free "${PORT[$1]}"
}

# Warnings and errors in a proxy's log, grouped by message (request ids and times cut).
log_problems() { # LOG
  { grep -h -E ' (ERROR|WARN) |\[(error|alert|crit|emerg|warn)\]|\[(ALERT|WARNING)\]' "$1" 2>/dev/null || true; } |
    sed -E 's/^[0-9T:.+Z/ -]+//; s/\[[0-9a-f]{16,}\] //; s/[0-9]+#[0-9]+: \*?[0-9]* ?//; s/client: [0-9.]+, //' | cut -c1-160 |
    sort | uniq -c | sort -rn | head -3 | awk '{n = $1; $1 = ""; printf "%s× `%s`; ", n, substr($0, 2)}' | tr '|' '/'
}

wrk_requests() { awk '/requests in/ {print $1; exit}' "$1" 2>/dev/null; }
wrk_errors() {
  awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$1" 2>/dev/null
}
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$2" 2>/dev/null | head -1; } # KEY FILE -> value of KEY=value

declare -A R=()   # R[proxy|figure]
NOTES=()

# ---------------------------------------------------------------------------------------------
# Part 1: memory per idle TLS connection
# ---------------------------------------------------------------------------------------------
idle_proxy() { # ID
  local id=$1 port=${PORT[$1]} pids holder out="$TMP/logs/$1-hold.txt" i t0 t1 held errs
  log "== idle: ${NAME[$id]}"
  start_proxy "$id" "$UPSTREAM_PORT" idle
  # Brief warm-up: keep-alive requests, then new connections.
  OPENSSL_CONF="$CLIENT_CNF" taskset -c 1 timeout -k 5 $((WARM + 30)) \
    wrk -t1 -c8 -d"${WARM}s" --timeout 5s "https://127.0.0.1:$port/" >"$TMP/logs/$id-warm-wrk.txt" 2>&1 || true
  taskset -c 1 timeout -k 5 $((WARM + 30)) "$TMP/tlsload" rate 127.0.0.1 "$port" "$WARM" 4 / \
    >"$TMP/logs/$id-warm-hs.txt" 2>&1 || true
  sleep "$SETTLE"
  mapfile -t pids < <(proxy_pids)
  R[$id|rss_before]=$(rss_kib "${pids[@]}")
  R[$id|fds_before]=$(fd_count "${pids[@]}")
  log "  warmed ($(wrk_requests "$TMP/logs/$id-warm-wrk.txt") keep-alive requests, $(kv conns "$TMP/logs/$id-warm-hs.txt") new connections); RSS $(mib "${R[$id|rss_before]}") MiB, ${R[$id|fds_before]} fds"

  t0=$(date +%s.%N)
  taskset -c 1 "$TMP/tlsload" hold 127.0.0.1 "$port" "$IDLE_CONNS" 900 >"$out" 2>&1 &
  holder=$!
  STARTED+=("$holder")
  for ((i = 0; i < 6000; i++)); do   # at most 10 min to open them
    grep -q '^held=' "$out" 2>/dev/null && break
    kill -0 "$holder" 2>/dev/null || break
    sleep 0.1
  done
  t1=$(date +%s.%N)
  held=$(kv held "$out"); held=${held:-0}
  errs=$(kv errors "$out"); errs=${errs:-?}
  sleep "$SETTLE"   # let the proxy settle (buffers, GC)
  mapfile -t pids < <(proxy_pids)
  R[$id|rss_with]=$(rss_kib "${pids[@]}")
  R[$id|fds_with]=$(fd_count "${pids[@]}")
  R[$id|held]=$held
  R[$id|hold_errors]=$errs
  R[$id|server_est]=$(established "$port")
  R[$id|open_secs]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
  R[$id|kib_per_conn]=$(awk -v a="${R[$id|rss_with]}" -v b="${R[$id|rss_before]}" -v n="$held" \
    'BEGIN {if (n > 0) printf "%.1f", (a - b) / n; else print "n/a"}')
  if [[ $id == sidecar-* ]]; then
    local m
    m=$(scrape)
    R[$id|rejected]=$(metric "$m" sidecar_connections_rejected_total)
    R[$id|active]=$(metric "$m" sidecar_connections_active)
  fi
  ((held == IDLE_CONNS)) || NOTES+=("${NAME[$id]}: only $held of $IDLE_CONNS idle connections could be opened ($(tr '\n' ' ' <"$out"))")
  stop_pid "$holder" 10
  sleep "$SETTLE"
  mapfile -t pids < <(proxy_pids)
  R[$id|rss_closed]=$(rss_kib "${pids[@]}")
  R[$id|fds_closed]=$(fd_count "${pids[@]}")
  log "  $held idle TLS connections held (errors $errs, $(printf %s "${R[$id|server_est]}") established server-side, opened in ${R[$id|open_secs]} s): RSS $(mib "${R[$id|rss_with]}") MiB, ${R[$id|fds_with]} fds -> ${R[$id|kib_per_conn]} KiB/conn; after closing them: RSS $(mib "${R[$id|rss_closed]}") MiB, ${R[$id|fds_closed]} fds"
  local problems
  problems=$(log_problems "$PROXY_LOG")
  [[ -z $problems ]] || NOTES+=("${NAME[$id]}, idle part: warnings/errors in its log (count × message): ${problems%; }")
  stop_proxy "$id"
}

# ---------------------------------------------------------------------------------------------
# Part 2: mixed soak of the sidecar
# ---------------------------------------------------------------------------------------------
sse_loop() { # FILE END PORT: one SSE stream after another; one line per stream
  local f=$1 end=$2 port=$3 out rc n code
  while (($(date +%s) < end)); do
    rc=0
    out=$(bcurl -N --max-time 15 -H 'Accept: text/event-stream' -w '\nHTTP %{http_code}' \
      "https://127.0.0.1:$port/sse" 2>&1) || rc=$?
    n=$(grep -c '^data:' <<<"$out" || true)
    code=${out##*HTTP }
    if [[ $rc == 0 && $code == 200 && $n == "$SSE_EVENTS" ]]; then echo "ok $n"; else echo "err rc=$rc code=${code:0:3} events=$n"; fi >>"$f"
  done
}

upload_loop() { # FILE END PORT: 1 MiB POSTs; one line per upload
  local f=$1 end=$2 port=$3 out rc len code t
  while (($(date +%s) < end)); do
    rc=0
    out=$(bcurl --max-time 30 -H 'Content-Type: application/octet-stream' --data-binary @"$TMP/upload.bin" \
      -w ' %{http_code} %{time_total}' "https://127.0.0.1:$port/upload" 2>&1) || rc=$?
    read -r len code t _ <<<"$(tr '\n' ' ' <<<"$out")" || true
    if [[ $rc == 0 && $code == 200 && $len == 1048576 ]]; then echo "ok $t"; else echo "err rc=$rc code=$code len=${len:0:20}"; fi >>"$f"
    sleep "$UPLOAD_PAUSE"
  done
}

# One CSV line: t_s,rss_kib,fds,threads,conns_active,heap_used_kib,upstream_conns,client_tcp
# (conns_active: the sidecar's gauge; client_tcp: TCP connections to its port established, from ss).
sample() { # T
  local t=$1 m heap
  m=$(scrape)
  heap=$(metric "$m" jvm_memory_used_bytes 'area="heap"')
  [[ -n $heap ]] && heap=$((heap / 1024))
  printf '%s,%s,%s,%s,%s,%s,%s,%s\n' "$t" "$(rss_kib "$PROXY_PID")" "$(fd_count "$PROXY_PID")" "$(threads_of "$PROXY_PID")" \
    "$(metric "$m" sidecar_connections_active)" "$heap" "$(node_stat openConnections)" "$(established "${PORT[$CUR]}")"
}

# Figures over the samples after the warm-up: COLUMN (2 = rss_kib, 3 = fds, ...) of CSV.
# -> "first last min max first-window-mean last-window-mean growth n"
csv_stats() { # CSV COLUMN
  awk -F, -v c="$2" -v ex="$EXCLUDE" -v w="$WINDOW" -v d="$DURATION" '
    $1 !~ /^[0-9]+$/ || $c == "" {next}
    $1 + 0 >= ex && $1 + 0 < d {
      v = $c + 0; n++
      if (n == 1) {first = v; min = v; max = v}
      last = v; if (v < min) min = v; if (v > max) max = v
      if ($1 < ex + w) {fs += v; fn++}
      if ($1 >= d - w) {ls += v; ln++}
    }
    END {
      if (!n) {print "n/a n/a n/a n/a n/a n/a n/a 0"; exit}
      fm = fs / fn; lm = ls / ln
      printf "%d %d %d %d %.0f %.0f %+.0f %d\n", first, last, min, max, fm, lm, lm - fm, n
    }' "$1"
}

stats_into() { # ID PREFIX CSV COLUMN -> R[ID|PREFIX_first] ... R[ID|PREFIX_growth], R[ID|n]
  local a
  read -r -a a <<<"$(csv_stats "$3" "$4")"
  R[$1|$2_first]=${a[0]}; R[$1|$2_last]=${a[1]}; R[$1|$2_min]=${a[2]}; R[$1|$2_max]=${a[3]}
  R[$1|$2_fm]=${a[4]}; R[$1|$2_lm]=${a[5]}; R[$1|$2_growth]=${a[6]}
  [[ $2 != rss ]] || R[$1|n]=${a[7]}
}

soak_variant() { # ID
  local id=$1 port=${PORT[$1]} csv pids end t next i c0 c1 b0 b1 w0 w1
  CUR=$id
  log "== soak: ${NAME[$id]}, $DURATION s"
  csv="${OUT%.md}-$id.csv"
  start_proxy "$id" "$NODE_PORT" soak

  # Smoke check of every path through the sidecar before the clock starts.
  local smoke=()
  [[ $(bcurl --max-time 5 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/" || true) == 200 ]] || smoke+=("GET / failed")
  [[ $({ bcurl -N --max-time 10 "https://127.0.0.1:$port/sse" || true; } | grep -c '^data:' || true) == "$SSE_EVENTS" ]] ||
    smoke+=("SSE: not $SSE_EVENTS events")
  [[ $(bcurl --max-time 10 --data-binary @"$TMP/upload.bin" -H 'Content-Type: application/octet-stream' \
    "https://127.0.0.1:$port/upload" || true) == 1048576 ]] ||
    smoke+=("upload: wrong length")
  local wsout
  wsout=$(taskset -c 1 timeout -k 5 30 node "$BENCH_DIR/soak/ws-client.js" "wss://127.0.0.1:$port/ws" 1 2 100 1 2>&1 || true)
  [[ $wsout == *" errors=0 "* && $wsout != *" echoed=0 "* ]] || smoke+=("WebSocket: $wsout")
  if ((${#smoke[@]})); then
    NOTES+=("${NAME[$id]}, soak smoke check before the load: ${smoke[*]}")
    log "  smoke check: ${smoke[*]}"
  else
    log "  smoke check ok (/, /sse, /upload, /ws)"
  fi
  sleep 5   # pooled upstream connections of the smoke check time out (4 s)
  R[$id|idle_rss]=$(rss_kib "$PROXY_PID"); R[$id|idle_fds]=$(fd_count "$PROXY_PID")
  R[$id|idle_threads]=$(threads_of "$PROXY_PID")

  # t_s: seconds since the load started; the row "idle" is before it, "after" 10 s after its end.
  echo "t_s,rss_kib,fds,threads,conns_active,heap_used_kib,upstream_conns,client_tcp" >"$csv"
  sample idle >>"$csv"
  local L="$TMP/logs/$id-soak"
  mkdir -p "$L"
  printf 'function delay()\n  return %d\nend\n' "$WRK_DELAY_MS" >"$TMP/delay.lua"
  local clients=()
  t=$(date +%s)
  end=$((t + DURATION))
  OPENSSL_CONF="$CLIENT_CNF" taskset -c 1 timeout -k 5 $((DURATION + 60)) \
    wrk -t1 -c"$WRK_CONNS" -d"${DURATION}s" --timeout 10s -s "$TMP/delay.lua" "https://127.0.0.1:$port/" >"$L/wrk.txt" 2>&1 &
  clients+=($!)
  taskset -c 1 timeout -k 5 $((DURATION + 60)) "$TMP/tlsload" rate 127.0.0.1 "$port" "$DURATION" "$HS_THREADS" / "$HS_RATE" \
    >"$L/tlsload.txt" 2>&1 &
  clients+=($!)
  taskset -c 1 timeout -k 5 $((DURATION + 60)) node "$BENCH_DIR/soak/ws-client.js" "wss://127.0.0.1:$port/ws" \
    "$WS_CLIENTS" "$DURATION" "$WS_INTERVAL_MS" "$WS_LIFETIME" >"$L/ws.txt" 2>&1 &
  clients+=($!)
  for ((i = 0; i < SSE_LOOPS; i++)); do sse_loop "$L/sse-$i.txt" "$end" "$port" & clients+=($!); done
  for ((i = 0; i < UPLOAD_LOOPS; i++)); do upload_loop "$L/upload-$i.txt" "$end" "$port" & clients+=($!); done
  STARTED+=("${clients[@]}")
  c0=$(cpu_ticks "$PROXY_PID"); b0=$(cpu_busy); w0=$(date +%s.%N)

  # Samples in the middle of each 10 s interval, so every one is under load.
  local last_log=0 line r f th a h u c
  for ((next = SAMPLE_EVERY / 2; next < DURATION; next += SAMPLE_EVERY)); do
    while (($(date +%s) < t + next)); do sleep 0.5; done
    kill -0 "$PROXY_PID" 2>/dev/null || { NOTES+=("${NAME[$id]}: the sidecar exited during the soak (at ${next}s)"); break; }
    line=$(sample "$next")
    echo "$line" >>"$csv"
    if ((next - last_log >= 60)); then
      IFS=, read -r _ r f th a h u c <<<"$line"
      log "  t=${next}s RSS $(mib "$r") MiB, $f fds, $th threads, ${a:-?} client conns counted (${c:-?} established), heap ${h:-?} KiB, ${u:-?} upstream conns"
      last_log=$next
    fi
  done
  while (($(date +%s) < end)); do sleep 0.5; done
  c1=$(cpu_ticks "$PROXY_PID"); b1=$(cpu_busy); w1=$(date +%s.%N)
  R[$id|cpu]=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v a="$w0" -v b="$w1" 'BEGIN {printf "%.1f", 100 * t / hz / (b - a)}')
  R[$id|busy]=$(awk -v a="$b0" -v b="$b1" 'BEGIN {split(a, x, " "); split(b, y, " ");
    printf "%.0f/%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2] + 1e-9), 100 * (y[3] - x[3]) / (y[4] - x[4] + 1e-9)}')

  log "  load done; waiting for the clients to finish (bounded)"
  for c in "${clients[@]}"; do wait_exit "$c" 45; done
  # After the load: pooled upstream connections (4 s idle timeout) and the tunnels are gone.
  sleep 10
  line=$(sample after)
  echo "$line" >>"$csv"
  IFS=, read -r _ r f th a h u _ <<<"$line"
  R[$id|after_rss]=$r; R[$id|after_fds]=$f; R[$id|after_threads]=$th; R[$id|after_active]=$a; R[$id|after_upstream]=$u
  R[$id|after_est]=$(established "$port")
  if [[ -n $a && $a != 0 ]]; then
    NOTES+=("${NAME[$id]}: 10 s after the load, \`sidecar_connections_active\` still counts $a client connections, while ${R[$id|after_est]} TCP connections to its port are established and it has ${f} fds open (${R[$id|idle_fds]} before the load). This counter is the one \`sidecar.limits.max-connections\` is enforced against.")
  fi
  if [[ -n $u && $u != 0 ]]; then
    NOTES+=("${NAME[$id]}: 10 s after the load, $u upstream connections are still open (the pool closes idle ones after 4 s; the upstream never closes them and sends no Keep-Alive timeout).")
  fi
  kill -0 "$PROXY_PID" 2>/dev/null || NOTES+=("${NAME[$id]}: the sidecar was not running at the end of the soak")

  # Client totals.
  R[$id|wrk_req]=$(wrk_requests "$L/wrk.txt"); R[$id|wrk_err]=$(wrk_errors "$L/wrk.txt")
  R[$id|hs_conns]=$(kv conns "$L/tlsload.txt"); R[$id|hs_err]=$(kv errors "$L/tlsload.txt")
  R[$id|hs_resumed]=$(kv resumed "$L/tlsload.txt")
  R[$id|ws_conns]=$(kv connections "$L/ws.txt"); R[$id|ws_clean]=$(kv closed_clean "$L/ws.txt")
  R[$id|ws_msgs]=$(kv messages "$L/ws.txt"); R[$id|ws_echoed]=$(kv echoed "$L/ws.txt")
  R[$id|ws_err]=$(kv errors "$L/ws.txt"); R[$id|ws_mism]=$(kv mismatched "$L/ws.txt"); R[$id|ws_lost]=$(kv lost "$L/ws.txt")
  R[$id|ws_kinds]=$(kv kinds "$L/ws.txt")
  R[$id|sse_ok]=$(cat "$L"/sse-*.txt 2>/dev/null | grep -c '^ok' || true)
  R[$id|sse_err]=$(cat "$L"/sse-*.txt 2>/dev/null | grep -c '^err' || true)
  R[$id|up_ok]=$(cat "$L"/upload-*.txt 2>/dev/null | grep -c '^ok' || true)
  R[$id|up_err]=$(cat "$L"/upload-*.txt 2>/dev/null | grep -c '^err' || true)
  R[$id|up_time]=$(cat "$L"/upload-*.txt 2>/dev/null | awk '/^ok/ {s += $2; n++} END {if (n) printf "%.0f", 1000 * s / n; else print "n/a"}')
  local e
  e=$(cat "$L"/sse-*.txt "$L"/upload-*.txt 2>/dev/null | grep '^err' | sort | uniq -c | sort -rn | head -3 | awk '{n = $1; $1 = ""; printf "%s× %s; ", n, substr($0, 2)}' || true)
  [[ -z $e ]] || NOTES+=("${NAME[$id]}, soak: curl failures (count × what): ${e%; }")
  [[ -s "$L/ws.txt" ]] || NOTES+=("${NAME[$id]}, soak: the WebSocket client printed nothing")
  [[ -z ${R[$id|ws_kinds]} ]] || NOTES+=("${NAME[$id]}, soak: WebSocket errors by kind: ${R[$id|ws_kinds]}")
  [[ ${R[$id|hs_resumed]:-0} == 0 ]] || NOTES+=("${NAME[$id]}, soak: ${R[$id|hs_resumed]} resumed handshakes in tlsload")
  R[$id|upstream_stats]=$(curl -s --max-time 2 "http://127.0.0.1:$NODE_PORT/_stats" || true)

  stats_into "$id" rss "$csv" 2
  stats_into "$id" fds "$csv" 3
  stats_into "$id" thr "$csv" 4
  stats_into "$id" act "$csv" 5
  stats_into "$id" heap "$csv" 6
  stats_into "$id" ups "$csv" 7
  stats_into "$id" tcp "$csv" 8
  log "  RSS (KiB) first/last/min/max ${R[$id|rss_first]}/${R[$id|rss_last]}/${R[$id|rss_min]}/${R[$id|rss_max]}, first-vs-last window ${R[$id|rss_growth]} KiB; fds ${R[$id|fds_first]}/${R[$id|fds_last]}/${R[$id|fds_min]}/${R[$id|fds_max]}, ${R[$id|fds_growth]}"
  log "  clients: wrk ${R[$id|wrk_req]:-?} req (${R[$id|wrk_err]:-?} errors); tlsload ${R[$id|hs_conns]:-?} conns (${R[$id|hs_err]:-?}); ws ${R[$id|ws_conns]:-?} conns ${R[$id|ws_echoed]:-?}/${R[$id|ws_msgs]:-?} echoed (${R[$id|ws_err]:-?}); sse ${R[$id|sse_ok]} ok (${R[$id|sse_err]}); uploads ${R[$id|up_ok]} ok (${R[$id|up_err]})"
  log "  after the load: RSS $(mib "${R[$id|after_rss]}") MiB, ${R[$id|after_fds]} fds (idle before: ${R[$id|idle_fds]}), ${R[$id|after_active]:-?} client conns, ${R[$id|after_upstream]:-?} upstream conns"

  local problems
  problems=$(log_problems "$PROXY_LOG")
  [[ -z $problems ]] || NOTES+=("${NAME[$id]}, soak: warnings/errors in its log (count × message): ${problems%; }")
  cp "$PROXY_LOG" "$TMP/logs/keep-$id-soak.log" 2>/dev/null || true
  stop_proxy "$id"
}

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
v() { local x=${R[$1|$2]:-}; echo "${x:-n/a}"; }
vm() { local x=${R[$1|$2]:-}; if [[ $x =~ ^-?[0-9]+$ ]]; then mib "$x"; else echo "${x:-n/a}"; fi; }
vgm() { local x=${R[$1|$2]:-}; if [[ $x =~ ^[-+]?[0-9]+$ ]]; then awk -v k="$x" 'BEGIN {printf "%+.1f", k / 1024}'; else echo "${x:-n/a}"; fi; }

report() {
  local p
  {
    echo "# Sidecar soak — $DATE ($MODE)"
    echo
    echo "Generated by \`bench/soak.sh$([[ $MODE == quick ]] && echo " --quick")\` (parts: $PARTS); see bench/README.md for what each figure means."
    echo
    echo "## Machine and software"
    echo
    echo "- CPUs: $(nproc) × $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); kernel $(uname -r); RAM $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "- Load average before the run: $LOADAVG_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg). Everything ran under \`nice -n 10\`; other processes on the machine do not change the memory figures much, but they make the soak's rates irregular."
    echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p)"
    echo "- Sidecar jar: \`$JAR\` ($JAR_VERSION); JVM flags: \`$JVM_OPTS\`"
    [[ -n "$NATIVE" ]] && echo "- Sidecar native executable: \`$NATIVE\`"
    echo "- $TOOL_VERSIONS"
    echo "- Pinning: proxy on CPU 0 (\`taskset -c 0\`); upstreams and all clients on CPU 1. TLS 1.3, $TLS13_SUITE, $TLS_GROUP, ECDSA P-256 certificate for every client and proxy."
    if ((DO_IDLE)); then
      echo
      echo "## Idle TLS connections"
      echo
      echo "Each proxy is started alone with the nginx upstream of bench/run.sh and the configuration bench/run.sh uses (HAProxy's \`maxconn\` raised to $((IDLE_CONNS + 1000)) for this test$( ((IDLE_CONNS + 500 > 8192)) && echo ", NGINX's \`worker_connections\` to $((IDLE_CONNS + 1000))")), warmed for ${WARM} s with \`wrk -t1 -c8\` and ${WARM} s of new TLS connections, then \`tlsload hold\` opens $IDLE_CONNS TLS connections one after another (full handshake each, one request, response read) and keeps them open and idle. RSS is the sum of VmRSS over the proxy's processes (NGINX: master + worker), read ${SETTLE} s after the warm-up and ${SETTLE} s after the last connection was opened. **KiB per connection = (RSS with the connections − RSS before) / connections held.**"
      echo
      echo "| Proxy | RSS before (MiB) | RSS with conns (MiB) | conns held (client) | established (server side) | open errors | time to open (s) | **KiB per idle conn** | fds before → with | RSS after closing them (MiB) |"
      echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"
      for p in "${PROXY_LIST[@]}"; do
        [[ -n ${R[$p|held]:-} ]] || continue
        echo "| ${NAME[$p]} | $(vm "$p" rss_before) | $(vm "$p" rss_with) | $(v "$p" held) | $(v "$p" server_est) | $(v "$p" hold_errors) | $(v "$p" open_secs) | **$(v "$p" kib_per_conn)** | $(v "$p" fds_before) → $(v "$p" fds_with) | $(vm "$p" rss_closed) |"
      done
      echo
      echo "For the JVM the figure includes whatever the heap grows by to hold the connections' objects (\`$JVM_OPTS\`: the heap starts smaller than its maximum and grows on demand); pages the heap had already touched during the warm-up are reused and do not count again. The sidecar's own counters while the connections were open:"
      echo
      for p in "${PROXY_LIST[@]}"; do
        [[ $p == sidecar-* && -n ${R[$p|held]:-} ]] || continue
        echo "- ${NAME[$p]}: \`sidecar_connections_active\` $(v "$p" active), \`sidecar_connections_rejected\` $(v "$p" rejected)"
      done
    fi
    if ((DO_SOAK)); then
      echo
      echo "## Mixed soak"
      echo
      echo "The sidecar alone, $DURATION s per variant, forwarding to one Node.js upstream (\`bench/soak/upstream.js\`, ws $WS_VERSION) that serves all of it. The load, all at once for the whole duration:"
      echo
      echo "- HTTP/1.1 keep-alive: \`wrk -t1 -c$WRK_CONNS\`, each connection waiting $WRK_DELAY_MS ms between requests, \`/\` (100 bytes)"
      echo "- New TLS connections: \`tlsload rate\`, $HS_THREADS threads, $HS_RATE connections/s in total, each a full handshake + one request + close"
      echo "- WebSocket: $WS_CLIENTS connections (\`bench/soak/ws-client.js\`), each sending a 16 B–4 KiB message every $WS_INTERVAL_MS ms and checking its echo; every connection closes cleanly after ~$WS_LIFETIME s (±25 %) and a new one is opened"
      echo "- SSE: $SSE_LOOPS curl loops, one stream after another (\`curl -N\`), each stream $SSE_EVENTS events 100 ms apart, then its end"
      echo "- Uploads: $UPLOAD_LOOPS curl loop(s) POSTing 1 MiB to \`/upload\` (the upstream answers the length it received), ${UPLOAD_PAUSE} s apart"
      echo
      echo "Every $SAMPLE_EVERY s (in the middle of each interval) the sidecar's RSS (VmRSS), open file descriptors (\`/proc/PID/fd\`), threads, open client connections as the sidecar counts them (\`sidecar_connections_active\`) and as the kernel sees them (established TCP connections to its port, \`ss\`), JVM heap in use (Micrometer, when available) and the upstream's open connections were recorded (CSV beside this report: \`$(basename "${OUT%.md}")-<variant>.csv\`). The figures below leave out the first $EXCLUDE s (warm-up: JIT, heap sizing). **Growth = mean of the last $WINDOW s − mean of the first $WINDOW s after that.**"
      for p in "${SOAK_LIST[@]}"; do
        [[ -n ${R[$p|n]:-} ]] || continue
        echo
        echo "### ${NAME[$p]}"
        echo
        echo "${R[$p|n]} samples after the warm-up. Sidecar CPU over the soak: ${R[$p|cpu]} % of one core (CPU0/CPU1 busy by anyone: ${R[$p|busy]} %)."
        echo
        echo "| | idle before the load | first | last | min | max | mean first ${WINDOW} s | mean last ${WINDOW} s | **growth** | 10 s after the load |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        echo "| RSS (MiB) | $(vm "$p" idle_rss) | $(vm "$p" rss_first) | $(vm "$p" rss_last) | $(vm "$p" rss_min) | $(vm "$p" rss_max) | $(vm "$p" rss_fm) | $(vm "$p" rss_lm) | **$(vgm "$p" rss_growth)** | $(vm "$p" after_rss) |"
        echo "| open fds | $(v "$p" idle_fds) | $(v "$p" fds_first) | $(v "$p" fds_last) | $(v "$p" fds_min) | $(v "$p" fds_max) | $(v "$p" fds_fm) | $(v "$p" fds_lm) | **$(v "$p" fds_growth)** | $(v "$p" after_fds) |"
        echo "| threads | $(v "$p" idle_threads) | $(v "$p" thr_first) | $(v "$p" thr_last) | $(v "$p" thr_min) | $(v "$p" thr_max) | $(v "$p" thr_fm) | $(v "$p" thr_lm) | $(v "$p" thr_growth) | $(v "$p" after_threads) |"
        echo "| client connections open (\`sidecar_connections_active\`) | | $(v "$p" act_first) | $(v "$p" act_last) | $(v "$p" act_min) | $(v "$p" act_max) | $(v "$p" act_fm) | $(v "$p" act_lm) | $(v "$p" act_growth) | $(v "$p" after_active) |"
        [[ ${R[$p|heap_first]:-n/a} != n/a ]] &&
          echo "| JVM heap in use (MiB) | | $(vm "$p" heap_first) | $(vm "$p" heap_last) | $(vm "$p" heap_min) | $(vm "$p" heap_max) | $(vm "$p" heap_fm) | $(vm "$p" heap_lm) | $(vgm "$p" heap_growth) | |"
        echo "| client TCP connections established (ss) | | $(v "$p" tcp_first) | $(v "$p" tcp_last) | $(v "$p" tcp_min) | $(v "$p" tcp_max) | $(v "$p" tcp_fm) | $(v "$p" tcp_lm) | $(v "$p" tcp_growth) | $(v "$p" after_est) |"
        echo "| upstream connections open (Node.js side) | | $(v "$p" ups_first) | $(v "$p" ups_last) | $(v "$p" ups_min) | $(v "$p" ups_max) | $(v "$p" ups_fm) | $(v "$p" ups_lm) | $(v "$p" ups_growth) | $(v "$p" after_upstream) |"
        echo
        echo "| Client | done | errors | |"
        echo "|---|---:|---:|---|"
        echo "| HTTP/1.1 keep-alive (wrk) | $(v "$p" wrk_req) requests | $(v "$p" wrk_err) | $(awk -v n="${R[$p|wrk_req]:-0}" -v d="$DURATION" 'BEGIN {printf "%.0f req/s", n / d}') |"
        echo "| New TLS connections (tlsload) | $(v "$p" hs_conns) connections | $(v "$p" hs_err) | $(v "$p" hs_resumed) resumed |"
        echo "| WebSocket | $(v "$p" ws_conns) connections, $(v "$p" ws_msgs) messages | $(v "$p" ws_err) | $(v "$p" ws_echoed) echoed, $(v "$p" ws_mism) mismatched, $(v "$p" ws_lost) unanswered, $(v "$p" ws_clean) closed cleanly |"
        echo "| SSE streams | $(v "$p" sse_ok) complete | $(v "$p" sse_err) | $SSE_EVENTS events each |"
        echo "| 1 MiB uploads | $(v "$p" up_ok) | $(v "$p" up_err) | mean $(v "$p" up_time) ms each |"
        echo
        echo "Upstream's counters at the end (cumulative over the run): \`$(v "$p" upstream_stats)\`"
      done
    fi
    echo
    echo "## Notes"
    echo
    if ((${#NOTES[@]})); then printf -- '- %s\n' "${NOTES[@]}"; else echo "- No failed requests or connections, no warnings in the proxies' logs."; fi
    echo "- Total run time: $(($(date +%s) - T_START)) s."
  } >"$OUT"
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
install_missing
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) >= IDLE_CONNS + 1000)) || { echo "ulimit -n is $(ulimit -n); need at least $((IDLE_CONNS + 1000))" >&2; exit 1; }
LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
TOOL_VERSIONS="$(nginx -v 2>&1 || true); $({ haproxy -v 2>/dev/null || true; } | head -1 | cut -d' ' -f1-3); $(openssl version | cut -d' ' -f1-2); wrk $({ wrk -v 2>&1 || true; } | head -1 | awk '{print $2}'); Node.js $(node --version 2>/dev/null || echo n/a); curl $(curl --version | head -1 | cut -d' ' -f2)"
JAR_VERSION=$(git -C "$(dirname "$JAR")" log -1 --format='commit %h, %cd' --date=short 2>/dev/null || echo "not in a git checkout")
WS_VERSION=n/a

for p in "$UPSTREAM_PORT" "$CHECK_PORT" "$NODE_PORT" "$MGMT_PORT" "${PORT[@]}"; do
  port_free "$p" || { echo "port $p is in use; set BENCH_PORT_BASE to another base" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/sidecar-soak.XXXXXX)
mkdir -p "$TMP/logs" "$(dirname "$OUT")"
log "mode $MODE, parts $PARTS, proxies ${PROXY_LIST[*]}, $IDLE_CONNS idle connections, soak $DURATION s; temp dir $TMP"
cc -O2 -pthread -o "$TMP/tlsload" "$BENCH_DIR/tlsload.c" -lssl -lcrypto
make_cert

if ((DO_IDLE)); then
  start_nginx_upstream
  for p in "${PROXY_LIST[@]}"; do idle_proxy "$p"; done
  stop_pid "$NGINX_UP_PID" 10
fi

if ((DO_SOAK)) && ((${#SOAK_LIST[@]})); then
  install_ws
  head -c 1048576 /dev/urandom >"$TMP/upload.bin"
  rm -f "${OUT%.md}"-sidecar-*.csv
  for p in "${SOAK_LIST[@]}"; do
    start_node_upstream   # a fresh upstream per variant: its counters are that variant's
    soak_variant "$p"
    stop_pid "$NODE_UP_PID" 10
    wait_port_free "$NODE_PORT"
  done
fi

report
cat "$OUT"
log "results written to $OUT"

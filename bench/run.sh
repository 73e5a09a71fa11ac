#!/usr/bin/env bash
# Benchmark of the HTTPS sidecar against NGINX and HAProxy on loopback. See bench/README.md.
#
#   bench/run.sh [--quick] [--jar PATH] [--aot-app DIR] [--native PATH] [--jvm-opts "FLAGS"]
#                [--proxies LIST] [--out FILE]
#
# Proxies run one at a time pinned to CPU 0; the upstream (nginx) and every load generator run on
# CPU 1. The primary figure is the proxy's CPU time (utime+stime of all its threads/processes) per
# unit of work. Only 127.0.0.1 is targeted; every step and every wait is bounded.
set -Eeuo pipefail
trap 'echo "run.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
source "$BENCH_DIR/lib.sh"

# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------
MODE=full
JAR="$REPO_DIR/target/quarkus-app/quarkus-run.jar"
AOT_APP=""
NATIVE=""
JVM_OPTS="-XX:+UseSerialGC -Xmx128m"
PROXIES=""
OUT=""
JAVA_HOME=${BENCH_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
PORT_BASE=${BENCH_PORT_BASE:-28400}

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    --jar) JAR=$2; shift ;;
    --aot-app) AOT_APP=$2; shift ;;
    --native) NATIVE=$2; shift ;;
    --jvm-opts) JVM_OPTS=$2; shift ;;
    --proxies) PROXIES=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *.jar) JAR=$1 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

JAR=$(realpath "$JAR" 2>/dev/null || echo "$JAR")
[[ -f "$JAR" ]] || { echo "sidecar jar not found: $JAR (build it, or pass --jar PATH)" >&2; exit 2; }
if [[ -z "$AOT_APP" && -f "$(dirname "$JAR")/app.aot" ]]; then AOT_APP=$(dirname "$JAR"); fi
if [[ -n "$AOT_APP" ]]; then AOT_APP=$(realpath "$AOT_APP"); fi
check_sidecar_args

# Step lengths (seconds) and load shapes.
# WARM_ROUND/WARM_MAX: warm-up rounds before each measured step (see warm_until_steady).
if [[ $MODE == quick ]]; then
  STEP=2; WARM_ROUND=2; WARM_MAX=2; WARM_STABLE=1; STARTUP_REPS=1; SETTLE=1; RATE_ROUNDS=1
else
  STEP=15; WARM_ROUND=5; WARM_MAX=12; WARM_STABLE=2; STARTUP_REPS=5; SETTLE=3; RATE_ROUNDS=3
fi
H1_CONNS=50          # wrk connections, HTTP/1.1 keep-alive
H2_CONNS=10          # h2load clients, HTTP/2 ...
H2_STREAMS=10        # ... with this many concurrent streams each
HS_THREADS=16        # concurrent new-connection clients
BIG_CONNS=8          # wrk connections for the 1 MiB downloads
IDLE_CONNS=1000      # idle TLS connections held open for the memory figure
RATE_CLIENTS=10      # fixed-rate latency step: HTTP/1.1 keep-alive clients ...
RATE_PER_CLIENT=500  # ... each sending this many requests/s (5,000 req/s in all, the same for every proxy)
TLS13_SUITE=TLS_AES_128_GCM_SHA256
TLS_GROUP=X25519

UPSTREAM_PORT=$((PORT_BASE + 80))
CHECK_PORT=$((PORT_BASE + 81))
declare -A PORT=([sidecar-jvm]=$((PORT_BASE + 43)) [sidecar-native]=$((PORT_BASE + 44))
                 [nginx]=$((PORT_BASE + 45)) [haproxy]=$((PORT_BASE + 46)))
MGMT_PORT=$((PORT_BASE + 90))
declare -A NAME=([sidecar-jvm]="sidecar (JVM)" [sidecar-native]="sidecar (native)"
                 [nginx]="NGINX" [haproxy]="HAProxy")

CLK_TCK=$(getconf CLK_TCK)
DATE=$(date -u +%Y-%m-%d)
[[ -n "$OUT" ]] || OUT="$BENCH_DIR/results/$DATE-$MODE.md"
T_START=$(date +%s)

log() { printf '[%s +%3ss] %s\n' "$(date +%H:%M:%S)" "$(($(date +%s) - T_START))" "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
install_missing() {
  local need=()
  command -v nginx >/dev/null || need+=(nginx)
  command -v haproxy >/dev/null || need+=(haproxy)
  command -v wrk >/dev/null || need+=(wrk)
  command -v h2load >/dev/null || need+=(nghttp2-client)
  command -v openssl >/dev/null || need+=(openssl)
  command -v curl >/dev/null || need+=(curl)
  command -v cc >/dev/null || need+=(gcc libc6-dev)
  [[ -f /usr/include/openssl/ssl.h ]] || need+=(libssl-dev)
  command -v taskset >/dev/null || need+=(util-linux)
  command -v ss >/dev/null || need+=(iproute2)
  command -v timeout >/dev/null || need+=(coreutils)
  if ((${#need[@]})); then
    log "installing: ${need[*]}"
    [[ $(id -u) == 0 ]] || { echo "missing packages (${need[*]}) and not root: install them first" >&2; exit 1; }
    apt-get update -q >&2
    # RUNLEVEL=1: the packages' maintainer scripts must not start nginx/haproxy services.
    RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
  fi
}

# ---------------------------------------------------------------------------------------------
# Processes: everything started is recorded and stopped by PID on exit.
# ---------------------------------------------------------------------------------------------
TMP=""
STARTED=()
KEEP_TMP=0


cleanup() {
  local rc=$?
  local i
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_pid "${STARTED[i]}" 5; done
  if [[ -n "$TMP" && -d "$TMP" ]]; then
    if ((rc != 0 || KEEP_TMP)); then
      echo "logs kept in $TMP" >&2
    else
      rm -rf "$TMP"
    fi
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


# curl with the benchmark's TLS offer.
bcurl() { OPENSSL_CONF="$BENCH_DIR/conf/openssl-client.cnf" taskset -c 1 curl -sk --max-time 3 "$@"; }

wait_https_200() { # PORT PID SECONDS
  local port=$1 pid=$2 secs=$3 i code
  for ((i = 0; i < secs * 20; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    code=$(bcurl -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/" 2>/dev/null || true)
    [[ $code == 200 ]] && return 0
    sleep 0.05
  done
  return 1
}

# utime+stime (clock ticks) summed over PIDs; fields 14 and 15 of /proc/PID/stat
# (12 and 13 once "pid (comm) " is cut, since comm may contain spaces).
cpu_ticks() {
  local total=0 pid v
  for pid in "$@"; do
    v=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}') || v=0
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

rss_mib() { # sum of VmRSS over PIDs, MiB with one decimal
  local total=0 pid v
  for pid in "$@"; do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || v=0
    total=$((total + ${v:-0}))
  done
  awk -v k="$total" 'BEGIN {printf "%.1f", k / 1024}'
}

# ---------------------------------------------------------------------------------------------
# Set-up: certificates, upstream, helper
# ---------------------------------------------------------------------------------------------
make_certs() {
  local kind
  for kind in ecdsa rsa; do
    local args=(-newkey rsa:2048)
    [[ $kind == ecdsa ]] && args=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    openssl req -x509 "${args[@]}" -nodes -sha256 -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -addext "keyUsage=critical,digitalSignature,keyEncipherment" -addext "extendedKeyUsage=serverAuth" \
      -keyout "$TMP/$kind.raw.key" -out "$TMP/$kind.crt" 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in "$TMP/$kind.raw.key" -out "$TMP/$kind.key"
    rm -f "$TMP/$kind.raw.key"
    mkdir -p "$TMP/certs-$kind"
    cp "$TMP/$kind.crt" "$TMP/certs-$kind/tls.crt"
    cp "$TMP/$kind.key" "$TMP/certs-$kind/tls.key"
    cat "$TMP/$kind.crt" "$TMP/$kind.key" >"$TMP/haproxy-$kind.pem"
  done
}


SMALL_BODY=$(printf 'x%.0s' {1..99})   # 99 bytes + the newline below = 100 bytes
SMALL_BODY+='\\n'                      # nginx turns \n into a newline; sed needs it doubled

start_upstream() {
  mkdir -p "$TMP/www"
  head -c 1048576 /dev/urandom >"$TMP/www/1m.bin"
  render "$BENCH_DIR/conf/upstream-nginx.conf" "$TMP/upstream-nginx.conf" TMP="$TMP" \
    UPSTREAM_PORT="$UPSTREAM_PORT" CHECK_PORT="$CHECK_PORT" SMALL_BODY="$SMALL_BODY"
  taskset -c 1 nginx -p "$TMP" -e stderr -c "$TMP/upstream-nginx.conf" >"$TMP/upstream-nginx.out" 2>&1 &
  UPSTREAM_PID=$!
  STARTED+=("$UPSTREAM_PID")
  wait_http_up "http://127.0.0.1:$UPSTREAM_PORT/" "$UPSTREAM_PID" "upstream nginx" "$TMP/upstream-nginx.out"
}

# ---------------------------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------------------------
PROXY_PID=""
PROXY_LOG=""

start_proxy() { # ID KIND(ecdsa|rsa)
  local id=$1 kind=$2 port=${PORT[$1]}
  port_free "$port" || { echo "port $port is busy" >&2; return 1; }
  PROXY_LOG="$TMP/logs/$id-$kind.log"
  case "$id" in
    sidecar-jvm|sidecar-native)
      local cmd=("$NATIVE")
      # shellcheck disable=SC2206
      [[ $id == sidecar-jvm ]] && cmd=("$JAVA" $JVM_OPTS -jar "$JAR")
      # MALLOC_ARENA_MAX=2 as in the JVM image and the README (fewer glibc malloc arenas for the JVM's threads).
      (cd "$TMP" && exec env MALLOC_ARENA_MAX=2 SIDECAR_PORT="$port" SIDECAR_MANAGEMENT_PORT="$MGMT_PORT" \
        SIDECAR_UPSTREAM="http://127.0.0.1:$UPSTREAM_PORT" \
        SIDECAR_TLS_CERT="$TMP/certs-$kind/tls.crt" SIDECAR_TLS_KEY="$TMP/certs-$kind/tls.key" \
        SIDECAR_ACCESS_LOG=off SIDECAR_SHUTDOWN_DRAIN_TIMEOUT=1s \
        QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
        taskset -c 0 "${cmd[@]}") >"$PROXY_LOG" 2>&1 &
      PROXY_PID=$!
      ;;
    nginx)
      render "$BENCH_DIR/conf/proxy-nginx.conf" "$TMP/proxy-nginx.conf" TMP="$TMP" PORT="$port" \
        UPSTREAM_PORT="$UPSTREAM_PORT" CERT="$TMP/$kind.crt" KEY="$TMP/$kind.key"
      taskset -c 0 nginx -p "$TMP" -e stderr -c "$TMP/proxy-nginx.conf" >"$PROXY_LOG" 2>&1 &
      PROXY_PID=$!
      ;;
    haproxy)
      render "$BENCH_DIR/conf/proxy-haproxy.cfg" "$TMP/proxy-haproxy.cfg" TMP="$TMP" PORT="$port" \
        UPSTREAM_PORT="$UPSTREAM_PORT" PEM="$TMP/haproxy-$kind.pem"
      taskset -c 0 haproxy -db -f "$TMP/proxy-haproxy.cfg" >"$PROXY_LOG" 2>&1 &
      PROXY_PID=$!
      ;;
  esac
  STARTED+=("$PROXY_PID")
  if ! wait_https_200 "$port" "$PROXY_PID" 60; then
    echo "$id ($kind) did not answer 200 on https://127.0.0.1:$port/ within 60 s; log:" >&2
    tail -40 "$PROXY_LOG" >&2
    return 1
  fi
}

# PIDs whose CPU and memory count for the running proxy (nginx: master and workers).
proxy_pids() {
  echo "$PROXY_PID"
  pgrep -P "$PROXY_PID" 2>/dev/null || true
}

stop_proxy() {
  stop_pid "$PROXY_PID" 15
  wait_port_free "${PORT[$CUR]}"
}

# ---------------------------------------------------------------------------------------------
# Load steps. Each sets M[...] figures for the current proxy $CUR.
# ---------------------------------------------------------------------------------------------
declare -A R=()   # R[proxy|metric]
NOTES=()

LG() { taskset -c 1 timeout -k 5 "$1" "${@:2}"; }   # load generator on CPU 1, bounded

run_wrk() { # SECONDS CONNS PATH -> output on stdout
  OPENSSL_CONF="$BENCH_DIR/conf/openssl-client.cnf" LG $(($1 + 30)) \
    wrk -t1 -c"$2" -d"$1"s --timeout 10s --latency "https://127.0.0.1:${PORT[$CUR]}$3"
}

run_h2load() { # SECONDS CLIENTS STREAMS
  LG $(($1 + 30)) h2load -t1 -c"$2" -m"$3" -D "$1" --tls13-ciphers="$TLS13_SUITE" --groups="$TLS_GROUP" \
    "https://127.0.0.1:${PORT[$CUR]}/"
}

run_h1_rate() { # SECONDS [h2load options...]: HTTP/1.1 keep-alive at the fixed offered load
  LG $(($1 + 30)) h2load --h1 -t1 -c"$RATE_CLIENTS" --rps="$RATE_PER_CLIENT" -D "$1" \
    --tls13-ciphers="$TLS13_SUITE" --groups="$TLS_GROUP" "${@:2}" "https://127.0.0.1:${PORT[$CUR]}/"
}

run_handshakes() { # SECONDS THREADS
  LG $(($1 + 30)) "$TMP/tlsload" rate 127.0.0.1 "${PORT[$CUR]}" "$1" "$2" /
}

# "busy total" jiffies of CPU 0 and CPU 1 from /proc/stat (busy = all but idle and iowait).
cpu_busy() { awk '/^cpu[01] / {t = 0; for (i = 2; i <= NF; i++) t += $i; printf "%d %d ", t - $5 - $6, t}' /proc/stat; }

# Measure: runs "$@" and records CPU ticks of the proxy and wall time around it.
# Sets OUT_TEXT, D_TICKS, D_WALL and BUSY ("CPU0%/CPU1%": how busy each core was, by anyone).
measure() {
  local pids t0 t1 c0 c1 b0 b1
  mapfile -t pids < <(proxy_pids)
  c0=$(cpu_ticks "${pids[@]}")
  b0=$(cpu_busy)
  t0=$(date +%s.%N)
  OUT_TEXT=$("$@" 2>&1) || true
  t1=$(date +%s.%N)
  b1=$(cpu_busy)
  c1=$(cpu_ticks "${pids[@]}")
  D_TICKS=$((c1 - c0))
  D_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  BUSY=$(awk -v a="$b0" -v b="$b1" 'BEGIN {split(a, x, " "); split(b, y, " ");
    printf "%.0f/%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2] + 1e-9), 100 * (y[3] - x[3]) / (y[4] - x[4] + 1e-9)}')
}

us_per() { awk -v t="$D_TICKS" -v hz="$CLK_TCK" -v n="$1" 'BEGIN {if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "n/a"}'; }
cpu_pct() { awk -v t="$D_TICKS" -v hz="$CLK_TCK" -v w="$D_WALL" -v b="$BUSY" 'BEGIN {printf "%.0f (%s)", 100 * t / hz / w, b}'; }

to_ms() { # wrk latency "1.23ms" / "456.78us" / "1.02s" -> ms
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.1f", v * 1000 }
    else print "n/a" }'
}

wrk_requests() { awk '/requests in/ {print $1; exit}' <<<"$1"; }
wrk_secs() { awk '/requests in/ {v = $4; sub(/s,?$/, "", v); print v; exit}' <<<"$1"; }
wrk_errors() {
  awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$1"
}

note_errors() { # WHAT COUNT
  if [[ ${2:-0} != 0 ]]; then NOTES+=("${NAME[$CUR]}, $1: $2 failed requests/connections"); fi
}

# The load of each kind of step, for SECONDS; and the units of work in its output.
run_kind() { # KIND SECONDS
  case "$1" in
    h1) run_wrk "$2" "$H1_CONNS" / ;;
    h2) run_h2load "$2" "$H2_CONNS" "$H2_STREAMS" ;;
    rate) run_h1_rate "$2" ;;
    hs) run_handshakes "$2" "$HS_THREADS" ;;
    big) run_wrk "$2" "$BIG_CONNS" /1m ;;
  esac
}
units_kind() { # KIND OUTPUT
  case "$1" in
    h1|big) wrk_requests "$2" ;;
    h2|rate) awk '/^requests:/ {for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^succeeded/) print $i}' <<<"$2" ;;
    hs) sed -n 's/.*conns=\([0-9]*\).*/\1/p' <<<"$2" ;;
  esac
}

# Warm-up before each measured step: rounds of the same load until the proxy's CPU per unit of work
# is steady (three consecutive rounds, each within 10 % of the one before), at most WARM_MAX rounds.
# A JIT needs this per code path (HTTP/1.1, HTTP/2, handshakes, large bodies), and it improves in
# steps, so one small change between two rounds is not enough; NGINX and HAProxy settle at once.
warm_until_steady() { # KIND
  local kind=$1 r cur n seq="" vals=() stable=0
  for ((r = 1; r <= WARM_MAX; r++)); do
    measure run_kind "$kind" "$WARM_ROUND"
    n=$(units_kind "$kind" "$OUT_TEXT")
    cur=$(us_per "${n:-0}")
    seq+="${seq:+ }$cur"
    vals+=("$cur")
    if ((r >= 2)) && [[ $cur != n/a && ${vals[r - 2]} != n/a ]] &&
      awk -v a="${vals[r - 2]}" -v b="$cur" 'BEGIN {d = (b - a) / a; exit !(d < 0.10 && d > -0.10)}'; then
      stable=$((stable + 1))
    else
      stable=0
    fi
    ((stable >= WARM_STABLE)) && break
  done
  ((r <= WARM_MAX)) || r=$WARM_MAX
  R[$CUR|warm_$kind]="$r×${WARM_ROUND}s ($seq µs)"
  log "  warm-up $kind: $r rounds of ${WARM_ROUND}s, CPU µs/unit: $seq"
}

step_h1() {
  warm_until_steady h1
  measure run_kind h1 "$STEP"
  local n s
  n=$(wrk_requests "$OUT_TEXT"); s=$(wrk_secs "$OUT_TEXT")
  echo "$OUT_TEXT" >"$TMP/logs/$CUR-h1.txt"
  R[$CUR|h1_rps]=$(awk -v n="${n:-0}" -v s="${s:-1}" 'BEGIN {printf "%.0f", n / s}')
  R[$CUR|h1_p50]=$(to_ms "$(awk '/^ +50%/ {print $2}' <<<"$OUT_TEXT")")
  R[$CUR|h1_p99]=$(to_ms "$(awk '/^ +99%/ {print $2}' <<<"$OUT_TEXT")")
  R[$CUR|h1_us]=$(us_per "${n:-0}")
  R[$CUR|h1_cpu]=$(cpu_pct)
  note_errors "HTTP/1.1" "$(wrk_errors "$OUT_TEXT")"
  log "  h1: ${R[$CUR|h1_rps]} req/s p50 ${R[$CUR|h1_p50]} ms p99 ${R[$CUR|h1_p99]} ms, ${R[$CUR|h1_us]} µs CPU/req (${R[$CUR|h1_cpu]}% CPU)"
}

# Latency at the same offered load for every proxy (a saturated proxy's p99 mostly measures its queue):
# h2load --h1 sends RATE_CLIENTS x RATE_PER_CLIENT requests/s and logs each request's duration. Warmed with
# the same load first: its requests differ from wrk's (more headers), and a JIT compiling beside the event
# loop on the one CPU shows in the tail. RATE_ROUNDS rounds of STEP seconds; each percentile is the median of
# the rounds' (one busy moment on the machine moves a single round's p99 by milliseconds).
step_h1_rate() {
  local r log rounds=() stats
  warm_until_steady rate
  for ((r = 1; r <= RATE_ROUNDS; r++)); do
    log="$TMP/logs/$CUR-h1-rate-$r.tsv"
    OUT_TEXT=$(run_h1_rate "$STEP" --log-file="$log" 2>&1) || true
    echo "$OUT_TEXT" >"$TMP/logs/$CUR-h1-rate-$r.txt"
    rounds+=("$(awk -F'\t' '$2 == 200 {print $3}' "$log" 2>/dev/null | sort -n |
      awk '{v[NR] = $1} END {if (NR == 0) {print "n/a n/a n/a 0"; exit}
           printf "%.2f %.2f %.2f %d", v[int(NR * 0.5) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000, v[int(NR * 0.999) + 1] / 1000, NR}')")
  done
  stats=$(for c in 1 2 3 4; do
    printf '%s\n' "${rounds[@]}" | awk -v c="$c" '{print $c}' | sort -g | sed -n "$(((RATE_ROUNDS + 1) / 2))p"
  done | paste -sd' ')
  read -r "R[$CUR|rate_p50]" "R[$CUR|rate_p99]" "R[$CUR|rate_p999]" "R[$CUR|rate_n]" <<<"$stats"
  R[$CUR|rate_p99_rounds]=$(printf '%s\n' "${rounds[@]}" | awk '{printf "%s%s", (NR > 1 ? " / " : ""), $2}')
  R[$CUR|rate_rps]=$(awk -v n="${R[$CUR|rate_n]}" -v s="$STEP" 'BEGIN {printf "%.0f", n / s}')
  log "  h1 at $((RATE_CLIENTS * RATE_PER_CLIENT)) req/s offered: ${R[$CUR|rate_rps]} req/s done, p50 ${R[$CUR|rate_p50]} ms p99 ${R[$CUR|rate_p99]} ms p99.9 ${R[$CUR|rate_p999]} ms (median of $RATE_ROUNDS rounds; p99 per round ${R[$CUR|rate_p99_rounds]} ms)"
}

step_h2() {
  warm_until_steady h2
  measure run_kind h2 "$STEP"
  echo "$OUT_TEXT" >"$TMP/logs/$CUR-h2.txt"
  local n s failed
  n=$(awk '/^requests:/ {for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^succeeded/) print $i}' <<<"$OUT_TEXT")
  failed=$(awk '/^requests:/ {for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^(failed|errored|timeout)/) f += $i} END {print f + 0}' <<<"$OUT_TEXT")
  s=$(awk '/^finished in/ {v = $3; sub(/s,$/, "", v); print v}' <<<"$OUT_TEXT")
  [[ -n $n ]] || { n=0; NOTES+=("${NAME[$CUR]}, HTTP/2: h2load failed: $(tail -3 <<<"$OUT_TEXT" | tr '\n' ' ')"); }
  R[$CUR|h2_rps]=$(awk -v n="$n" -v s="${s:-1}" 'BEGIN {printf "%.0f", n / s}')
  R[$CUR|h2_us]=$(us_per "$n")
  R[$CUR|h2_cpu]=$(cpu_pct)
  note_errors "HTTP/2" "$failed"
  log "  h2: ${R[$CUR|h2_rps]} req/s, ${R[$CUR|h2_us]} µs CPU/req (${R[$CUR|h2_cpu]}% CPU)"
}

step_handshakes() { # KIND
  local kind=$1 n err resumed rate
  warm_until_steady hs
  if [[ $kind == rsa ]]; then R[$CUR|warm_hs_rsa]=${R[$CUR|warm_hs]}; fi
  measure run_kind hs "$STEP"
  echo "$OUT_TEXT" >"$TMP/logs/$CUR-hs-$kind.txt"
  n=$(sed -n 's/.*conns=\([0-9]*\).*/\1/p' <<<"$OUT_TEXT"); n=${n:-0}
  err=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$OUT_TEXT")
  resumed=$(sed -n 's/.*resumed=\([0-9]*\).*/\1/p' <<<"$OUT_TEXT")
  rate=$(sed -n 's/.*rate=\([0-9.]*\).*/\1/p' <<<"$OUT_TEXT")
  R[$CUR|hs_${kind}_cps]=$(awk -v r="${rate:-0}" 'BEGIN {printf "%.0f", r}')
  R[$CUR|hs_${kind}_us]=$(us_per "$n")
  R[$CUR|hs_${kind}_cpu]=$(cpu_pct)
  R[$CUR|hs_${kind}_tls]=$(sed -n 's/.*cipher=\([^ ]*\) group=\([^ ]*\) sig=\([^ ]*\).*/\1 \/ \2 \/ \3/p' <<<"$OUT_TEXT")
  note_errors "new connections ($kind)" "${err:-?}"
  if [[ ${resumed:-1} != 0 ]]; then NOTES+=("${NAME[$CUR]}, new connections ($kind): ${resumed:-?} handshakes were resumed"); fi
  log "  new conns $kind: ${R[$CUR|hs_${kind}_cps]} conn/s, ${R[$CUR|hs_${kind}_us]} µs CPU/conn (${R[$CUR|hs_${kind}_cpu]}% CPU) [$OUT_TEXT]"
}

step_big() {
  warm_until_steady big
  measure run_kind big "$STEP"
  echo "$OUT_TEXT" >"$TMP/logs/$CUR-1m.txt"
  local n s
  n=$(wrk_requests "$OUT_TEXT"); s=$(wrk_secs "$OUT_TEXT")
  R[$CUR|big_mibs]=$(awk -v n="${n:-0}" -v s="${s:-1}" 'BEGIN {printf "%.0f", n / s}')
  R[$CUR|big_us]=$(us_per "${n:-0}")
  R[$CUR|big_cpu]=$(cpu_pct)
  note_errors "1 MiB downloads" "$(wrk_errors "$OUT_TEXT")"
  log "  1 MiB: ${R[$CUR|big_mibs]} MiB/s, ${R[$CUR|big_us]} µs CPU/MiB (${R[$CUR|big_cpu]}% CPU)"
}

step_idle_conns() {
  local holder out="$TMP/logs/$CUR-hold.txt" i pids
  taskset -c 1 "$TMP/tlsload" hold 127.0.0.1 "${PORT[$CUR]}" "$IDLE_CONNS" 120 >"$out" 2>&1 &
  holder=$!
  STARTED+=("$holder")
  for ((i = 0; i < 1200; i++)); do
    grep -q '^held=' "$out" 2>/dev/null && break
    kill -0 "$holder" 2>/dev/null || break
    sleep 0.1
  done
  sleep "$SETTLE"   # let the proxy settle (buffers, GC)
  mapfile -t pids < <(proxy_pids)
  R[$CUR|rss_idle_conns]=$(rss_mib "${pids[@]}")
  local held
  held=$(sed -n 's/^held=\([0-9]*\).*/\1/p' "$out"); held=${held:-0}
  R[$CUR|idle_held]=$held
  R[$CUR|kib_per_conn]=$(awk -v a="${R[$CUR|rss_idle_conns]}" -v b="${R[$CUR|rss_after]}" -v n="$held" \
    'BEGIN {if (n > 0) printf "%.1f", (a - b) * 1024 / n; else print "n/a"}')
  ((held == IDLE_CONNS)) || NOTES+=("${NAME[$CUR]}: only $held of $IDLE_CONNS idle connections could be opened ($(cat "$out"))")
  stop_pid "$holder" 5
  log "  RSS with $held idle TLS connections: ${R[$CUR|rss_idle_conns]} MiB (${R[$CUR|kib_per_conn]} KiB/conn)"
}

bench_proxy() { # ID
  CUR=$1
  log "== ${NAME[$CUR]}: RSA-2048 instance"
  start_proxy "$CUR" rsa
  step_handshakes rsa
  stop_proxy

  log "== ${NAME[$CUR]}: ECDSA P-256 instance"
  start_proxy "$CUR" ecdsa
  sleep 1
  local pids
  mapfile -t pids < <(proxy_pids)
  R[$CUR|rss_idle]=$(rss_mib "${pids[@]}")
  log "  RSS idle: ${R[$CUR|rss_idle]} MiB"
  step_h1
  step_h1_rate
  step_h2
  step_handshakes ecdsa
  step_big
  sleep 1
  mapfile -t pids < <(proxy_pids)
  R[$CUR|rss_after]=$(rss_mib "${pids[@]}")
  log "  RSS after load: ${R[$CUR|rss_after]} MiB"
  step_idle_conns
  # Warnings and errors in the proxy's own logs, grouped by message (request ids and times cut).
  local problems
  problems=$({ grep -h -E ' (ERROR|WARN) |\[(error|alert|crit|emerg|warn)\]|\[(ALERT|WARNING)\]' "$TMP/logs/$CUR-"*.log 2>/dev/null || true; } |
    sed -E 's/^[0-9T:.+Z/ -]+//; s/\[[0-9a-f]{16,}\] //; s/[0-9]+#[0-9]+: \*?[0-9]* ?//; s/client: [0-9.]+, //' | cut -c1-160 |
    sort | uniq -c | sort -rn | head -3 | awk '{n = $1; $1 = ""; printf "%s× `%s`; ", n, substr($0, 2)}' | tr '|' '/')
  if [[ -n $problems ]]; then NOTES+=("${NAME[$CUR]}: warnings/errors in its log (count × message): ${problems%; }"); fi
  stop_proxy
}

# ---------------------------------------------------------------------------------------------
# Start-up: exec to the first successful HTTPS response, pinned to CPU 0.
# ---------------------------------------------------------------------------------------------
declare -A SU=()   # SU[variant|ms], SU[variant|rss]...

startup_once() { # VARIANT DIR CMD... -> sets SU_MS and SU_RSS, returns 1 without a 200
  local variant=$1 dir=$2 cpus=${SU_CPUS:-0}
  shift 2
  local port=${PORT[sidecar-jvm]} t0 t1 pid i code ok=0
  port_free "$port" || { echo "port $port busy" >&2; return 1; }
  t0=$(date +%s%N)
  (cd "$dir" && exec env MALLOC_ARENA_MAX=2 SIDECAR_PORT="$port" SIDECAR_MANAGEMENT_PORT="$MGMT_PORT" \
    SIDECAR_UPSTREAM="http://127.0.0.1:$UPSTREAM_PORT" \
    SIDECAR_TLS_CERT="$TMP/certs-ecdsa/tls.crt" SIDECAR_TLS_KEY="$TMP/certs-ecdsa/tls.key" \
    SIDECAR_ACCESS_LOG=off SIDECAR_SHUTDOWN_DRAIN_TIMEOUT=1s \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    taskset -c "$cpus" "$@") >>"$TMP/logs/startup-$variant.log" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  for ((i = 0; i < 3000; i++)); do   # at most ~30 s
    kill -0 "$pid" 2>/dev/null || break
    code=$(OPENSSL_CONF="$BENCH_DIR/conf/openssl-client.cnf" taskset -c 1 curl -sk --max-time 2 -o /dev/null \
      -w '%{http_code}' "https://127.0.0.1:$port/" 2>/dev/null || true)
    if [[ $code == 200 ]]; then ok=1; break; fi
    (($(date +%s%N) - t0 < 30000000000)) || break
    sleep 0.01
  done
  t1=$(date +%s%N)
  local rss
  rss=$(rss_mib "$pid")
  stop_pid "$pid" 15
  wait_port_free "$port"
  SU_MS=$(((t1 - t0) / 1000000)); SU_RSS=$rss
  ((ok))
}

startup_variant() { # VARIANT LABEL DIR CMD...
  local variant=$1 label=$2 dir=$3 r times=() rsss=()
  shift 3
  log "== start-up: $label ($STARTUP_REPS runs)"
  for ((r = 0; r < STARTUP_REPS; r++)); do
    if startup_once "$variant" "$dir" "$@"; then
      times+=("$SU_MS"); rsss+=("$SU_RSS")
    else
      NOTES+=("start-up $label: run $((r + 1)) got no HTTPS 200 within 30 s; log: $(tail -3 "$TMP/logs/startup-$variant.log" | cut -c1-200 | tr '\n|`' ' /'"'")")
    fi
  done
  SU[$variant|label]=$label
  if ((${#times[@]})); then
    SU[$variant|median]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}')
    SU[$variant|min]=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
    SU[$variant|max]=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
    SU[$variant|rss]=$(printf '%s\n' "${rsss[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    SU[$variant|runs]=${#times[@]}
    log "  ${times[*]} ms (median ${SU[$variant|median]} ms), RSS ${SU[$variant|rss]} MiB"
  fi
}

# ---------------------------------------------------------------------------------------------
# Checks of what the clients offer, on the upstream's TLS check listener (client preference).
# ---------------------------------------------------------------------------------------------
CHECKS=()
tls_checks() {
  local logf="$TMP/tlscheck.log" url="https://127.0.0.1:$CHECK_PORT/"
  : >"$logf"
  OPENSSL_CONF="$BENCH_DIR/conf/openssl-client.cnf" LG 20 wrk -t1 -c2 -d1s -H "User-Agent: wrk" "$url" >/dev/null 2>&1 || true
  LG 20 h2load -t1 -c2 -m2 -n200 -H "user-agent: h2load" --tls13-ciphers="$TLS13_SUITE" --groups="$TLS_GROUP" "$url" >/dev/null 2>&1 || true
  LG 20 "$TMP/tlsload" rate 127.0.0.1 "$CHECK_PORT" 1 2 / >/dev/null 2>&1 || true
  bcurl -o /dev/null -A curl "$url" || true
  sleep 0.5
  local ua
  for ua in wrk h2load tlsload curl; do
    CHECKS+=("$(awk -v ua="\"$ua" 'index($0, ua) {
        k = $1 " " $2 " " $3 " " $5; kinds[k]++; n++; if ($4 == "reused=r") r++; conns[$6] = 1 }
      END { nc = 0; for (c in conns) nc++; s = ""; for (k in kinds) s = s (s ? "; " : "") k;
            printf "%s: %d requests on %d connections, %d resumed, negotiated: %s", substr(ua, 2), n, nc, r + 0, s }' "$logf")")
  done
  printf '  %s\n' "${CHECKS[@]}" >&2
}

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
fmt() { local v=${R[$1|$2]:-}; echo "${v:-n/a}"; }

ratio() { # PROXY METRIC -> value / nginx value
  local a=${R[$1|$2]:-} b=${R[nginx|$2]:-}
  awk -v a="$a" -v b="$b" 'BEGIN {if (a != "" && b != "" && a + 0 == a && b + 0 == b && b != 0) printf "%.2f", a / b; else print "n/a"}'
}

METRICS=(
  "h1_rps|HTTP/1.1 keep-alive, small: req/s|higher"
  "h1_p50|HTTP/1.1 keep-alive, small: p50 latency (ms)|lower"
  "h1_p99|HTTP/1.1 keep-alive, small: p99 latency (ms)|lower"
  "h1_us|**HTTP/1.1 keep-alive, small: CPU µs/request**|lower"
  "h1_cpu|HTTP/1.1: proxy CPU % (CPU0/CPU1 busy %)|"
  "rate_rps|HTTP/1.1 at a fixed offered load: req/s done|"
  "rate_p50|**HTTP/1.1 at a fixed offered load: p50 latency (ms)**|lower"
  "rate_p99|**HTTP/1.1 at a fixed offered load: p99 latency (ms)**|lower"
  "rate_p999|HTTP/1.1 at a fixed offered load: p99.9 latency (ms)|lower"
  "rate_p99_rounds|HTTP/1.1 at a fixed offered load: p99 of each round (ms)|"
  "h2_rps|HTTP/2, small: req/s|higher"
  "h2_us|**HTTP/2, small: CPU µs/request**|lower"
  "h2_cpu|HTTP/2: proxy CPU % (CPU0/CPU1 busy %)|"
  "hs_ecdsa_cps|New TLS connections, ECDSA P-256: conn/s|higher"
  "hs_ecdsa_us|**New TLS connections, ECDSA P-256: CPU µs/connection**|lower"
  "hs_ecdsa_cpu|New connections ECDSA: proxy CPU % (CPU0/CPU1 busy %)|"
  "hs_rsa_cps|New TLS connections, RSA-2048: conn/s|higher"
  "hs_rsa_us|**New TLS connections, RSA-2048: CPU µs/connection**|lower"
  "hs_rsa_cpu|New connections RSA: proxy CPU % (CPU0/CPU1 busy %)|"
  "big_mibs|1 MiB downloads: MiB/s|higher"
  "big_us|**1 MiB downloads: CPU µs/MiB**|lower"
  "big_cpu|1 MiB downloads: proxy CPU % (CPU0/CPU1 busy %)|"
  "rss_idle|RSS idle (MiB)|lower"
  "rss_after|RSS after load (MiB)|lower"
  "rss_idle_conns|RSS with $IDLE_CONNS idle TLS connections (MiB)|lower"
  "kib_per_conn|Memory per idle TLS connection (KiB)|lower"
  "warm_h1|Warm-up before HTTP/1.1 (rounds, CPU µs/unit per round)|"
  "warm_rate|Warm-up before the fixed offered load|"
  "warm_h2|Warm-up before HTTP/2|"
  "warm_hs|Warm-up before new connections (ECDSA)|"
  "warm_big|Warm-up before 1 MiB downloads|"
  "warm_hs_rsa|Warm-up before new connections (RSA)|"
)

report() {
  local p m key label better
  {
    echo "# Sidecar benchmark — $DATE ($MODE)"
    echo
    echo "Generated by \`bench/run.sh$([[ $MODE == quick ]] && echo " --quick")\`; see bench/README.md for what each figure means."
    echo
    echo "## Machine and software"
    echo
    echo "- CPUs: $(nproc) × $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); kernel $(uname -r)"
    echo "- Load average before the run: $LOADAVG_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)$(awk -v l="${LOADAVG_BEFORE%% *}" 'BEGIN {if (l > 0.5) print " — **other processes were using the CPUs: rates and latencies are noisy; CPU per unit of work less so**"}')"
    echo "- JDK: $("$JAVA" -version 2>&1 | sed -n 2p)"
    echo "- Sidecar jar: \`$JAR\` ($JAR_VERSION); JVM flags: \`$JVM_OPTS\`, environment \`MALLOC_ARENA_MAX=2\` (as in the JVM image)"
    [[ -n "$NATIVE" ]] && echo "- Sidecar native executable: \`$NATIVE\`"
    echo "- $TOOL_VERSIONS"
    echo "- Pinning: proxy on CPU 0 (\`taskset -c 0\`); upstream nginx (1 worker) and all load generators on CPU 1."
    echo "- TLS: TLS 1.3, $TLS13_SUITE, $TLS_GROUP for every client. Steps: ${STEP}s each, each preceded by warm-up rounds of ${WARM_ROUND}s of the same load until the proxy's CPU per unit of work is steady ($((WARM_STABLE + 1)) consecutive rounds each within ±10 % of the one before; at most $WARM_MAX rounds)."
    echo "- Load: HTTP/1.1 wrk -t1 -c$H1_CONNS; HTTP/2 h2load -t1 -c$H2_CONNS -m$H2_STREAMS; fixed offered load: h2load --h1 -c$RATE_CLIENTS --rps=$RATE_PER_CLIENT ($((RATE_CLIENTS * RATE_PER_CLIENT)) req/s, keep-alive), median of $RATE_ROUNDS rounds; new connections: $HS_THREADS concurrent clients (bench/tlsload.c), full handshake + 1 request + close each; 1 MiB: wrk -t1 -c$BIG_CONNS."
    echo
    echo "## Figures"
    echo
    echo "CPU time is utime+stime of the proxy process (all threads; NGINX: master + worker) over the step, divided by the work done. The \"proxy CPU %\" rows give the proxy's share of one core during the step and, in brackets, how busy CPU 0 (the proxy's core) and CPU 1 (load generator + upstream) were, by any process: a proxy well under 100 % while CPU 0 is at 100 % was competing with other processes; CPU 1 at 100 % means the client side was the limit, so the rate is a lower bound for that proxy (its CPU per unit of work is still valid)."
    echo
    printf '| Figure |'; for p in "${PROXY_LIST[@]}"; do printf ' %s |' "${NAME[$p]}"; done; echo
    printf '|---|'; for p in "${PROXY_LIST[@]}"; do printf -- '---:|'; done; echo
    for m in "${METRICS[@]}"; do
      IFS='|' read -r key label better <<<"$m"
      printf '| %s |' "$label"
      for p in "${PROXY_LIST[@]}"; do printf ' %s |' "$(fmt "$p" "$key")"; done
      echo
    done
    if [[ " ${PROXY_LIST[*]} " == *" nginx "* ]]; then
      echo
      echo "## Ratios to NGINX (same run)"
      echo
      echo "Value divided by NGINX's. For CPU per unit of work, latency and memory, lower is better (0.50 = half of NGINX's cost); for rates, higher is better."
      echo
      printf '| Figure | better |'; for p in "${PROXY_LIST[@]}"; do [[ $p == nginx ]] || printf ' %s |' "${NAME[$p]}"; done; echo
      printf '|---|---|'; for p in "${PROXY_LIST[@]}"; do [[ $p == nginx ]] || printf -- '---:|'; done; echo
      for m in "${METRICS[@]}"; do
        IFS='|' read -r key label better <<<"$m"
        [[ -n $better ]] || continue
        printf '| %s | %s |' "$label" "$better"
        for p in "${PROXY_LIST[@]}"; do [[ $p == nginx ]] || printf ' %s |' "$(ratio "$p" "$key")"; done
        echo
      done
    fi
    echo
    echo "## Start-up: exec to first successful HTTPS response"
    echo
    echo "Pinned to CPU 0 unless the row says otherwise, ECDSA certificate, polled with curl (on CPU 1) every ~10 ms (each poll costs a few ms, so figures are rounded up by that much). RSS taken right after the first 200."
    echo
    echo "| Variant | runs | median ms | min ms | max ms | RSS at first response (MiB) |"
    echo "|---|---:|---:|---:|---:|---:|"
    local v
    for v in jar aot aot2 native; do
      [[ -n ${SU[$v|label]:-} ]] || continue
      echo "| ${SU[$v|label]} | ${SU[$v|runs]:-0} | ${SU[$v|median]:-n/a} | ${SU[$v|min]:-n/a} | ${SU[$v|max]:-n/a} | ${SU[$v|rss]:-n/a} |"
    done
    [[ -n ${AOT_NOTE:-} ]] && { echo; echo "$AOT_NOTE"; }
    echo
    echo "## TLS checks"
    echo
    echo "What each client negotiated on a check listener that accepts every suite and group and follows the client's preference (protocol, cipher, group, HTTP version):"
    echo
    printf -- '- %s\n' "${CHECKS[@]}"
    echo
    echo "Negotiated by the new-connection client per proxy (cipher / group / server key):"
    echo
    for p in "${PROXY_LIST[@]}"; do
      echo "- ${NAME[$p]}: ECDSA instance ${R[$p|hs_ecdsa_tls]:-n/a}; RSA instance ${R[$p|hs_rsa_tls]:-n/a}"
    done
    echo
    echo "## Notes"
    echo
    if ((${#NOTES[@]})); then printf -- '- %s\n' "${NOTES[@]}"; else echo "- No failed requests, no resumed handshakes, no warnings in the proxies' logs."; fi
    echo "- Total run time: $(($(date +%s) - T_START)) s."
  } >"$OUT"
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
install_missing
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) >= IDLE_CONNS + 200)) || { echo "ulimit -n is $(ulimit -n); need at least $((IDLE_CONNS + 200))" >&2; exit 1; }
LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# wrk -v exits 1: collect versions with the ERR trap out of the way.
TOOL_VERSIONS="$(nginx -v 2>&1 || true); $({ haproxy -v 2>/dev/null || true; } | head -1 | cut -d' ' -f1-3); $(openssl version | cut -d' ' -f1-2); wrk $({ wrk -v 2>&1 || true; } | head -1 | awk '{print $2}'); h2load $(h2load --version 2>/dev/null | awk '{print $2}')"
JAR_VERSION=$(git -C "$(dirname "$JAR")" log -1 --format='commit %h, %cd' --date=short 2>/dev/null || echo "not in a git checkout")
if [[ $JAR_VERSION != "not in"* ]] && [[ -n $(git -C "$(dirname "$JAR")" status --porcelain -uno 2>/dev/null) ]]; then
  JAR_VERSION+=", with uncommitted changes"
fi

for p in "$UPSTREAM_PORT" "$CHECK_PORT" "$MGMT_PORT" "${PORT[@]}"; do
  port_free "$p" || { echo "port $p is in use; set BENCH_PORT_BASE to another base" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/sidecar-bench.XXXXXX)
mkdir -p "$TMP/logs" "$(dirname "$OUT")"
log "mode $MODE, proxies: ${PROXY_LIST[*]}, temp dir $TMP"
cc -O2 -pthread -o "$TMP/tlsload" "$BENCH_DIR/tlsload.c" -lssl -lcrypto
make_certs
start_upstream
log "TLS checks"
tls_checks

for p in "${PROXY_LIST[@]}"; do bench_proxy "$p"; done

# Start-up figures (the sidecar only).
startup_variant jar "jar (\`java $JVM_OPTS -jar quarkus-run.jar\`)" "$(dirname "$JAR")" "$JAVA" $JVM_OPTS -jar "$JAR"
if [[ -n "$AOT_APP" && -f "$AOT_APP/app.aot" ]]; then
  # AOTMode=on makes the JVM fail instead of silently running without the cache.
  startup_variant aot "jar + AOT cache (\`-XX:AOTCache=app.aot -XX:AOTMode=on\`)" "$AOT_APP" \
    "$JAVA" $JVM_OPTS -XX:AOTCache=app.aot -XX:AOTMode=on -jar quarkus-run.jar
  # A pod with a CPU limit of 2: the JIT compiles beside the application instead of taking turns with it.
  SU_CPUS=0,1 startup_variant aot2 "jar + AOT cache, CPUs 0 and 1 (\`taskset -c 0,1\`)" "$AOT_APP" \
    "$JAVA" $JVM_OPTS -XX:AOTCache=app.aot -XX:AOTMode=on -jar quarkus-run.jar
else
  AOT_NOTE="No AOT cache measured: no \`app.aot\` beside the jar and no \`--aot-app DIR\` given (see bench/README.md for how to build one)."
fi
if [[ -n "$NATIVE" ]]; then
  startup_variant native "native executable" "$TMP" "$NATIVE"
fi

report
cat "$OUT"
log "results written to $OUT"

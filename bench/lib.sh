# Shared by run.sh, soak.sh and testssl.sh (sourced, not run): argument checks and process/port helpers.

# Checks NATIVE, JAVA_HOME and PROXIES as the scripts' options left them; sets JAVA and PROXY_LIST.
check_sidecar_args() {
  local p
  if [[ -n "$NATIVE" ]]; then
    NATIVE=$(realpath "$NATIVE")
    [[ -x "$NATIVE" ]] || { echo "native executable not found or not executable: $NATIVE" >&2; exit 2; }
  fi
  [[ -x "$JAVA_HOME/bin/java" ]] || { echo "no JDK at $JAVA_HOME (set BENCH_JAVA_HOME)" >&2; exit 2; }
  JAVA="$JAVA_HOME/bin/java"

  if [[ -z "$PROXIES" ]]; then
    PROXIES="sidecar-jvm"
    [[ -n "$NATIVE" ]] && PROXIES+=",sidecar-native"
    PROXIES+=",nginx,haproxy"
  fi
  IFS=, read -r -a PROXY_LIST <<<"$PROXIES"
  for p in "${PROXY_LIST[@]}"; do
    case "$p" in
      sidecar-jvm|nginx|haproxy) ;;
      sidecar-native) [[ -n "$NATIVE" ]] || { echo "sidecar-native needs --native PATH" >&2; exit 2; } ;;
      *) echo "unknown proxy: $p (sidecar-jvm, sidecar-native, nginx, haproxy)" >&2; exit 2 ;;
    esac
  done
}

stop_pid() { # PID [grace seconds]
  local pid=$1 grace=${2:-10} i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 20; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}

port_free() { ! ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }

wait_port_free() { # PORT: after a stop, bounded
  local i
  for ((i = 0; i < 100; i++)); do port_free "$1" && return 0; sleep 0.1; done
  echo "port $1 still in use" >&2; return 1
}

wait_http_up() { # URL PID WHAT LOG: until URL answers over plain HTTP, at most ~10 s; gives up if PID exits
  local i
  for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "$3 did not start:" >&2; cat "$4" >&2; return 1
}

render() { # TEMPLATE OUTPUT VAR=VALUE...
  local tpl=$1 out=$2 kv expr=()
  shift 2
  for kv in "$@"; do expr+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  sed "${expr[@]}" "$tpl" >"$out"
}

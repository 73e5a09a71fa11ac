#!/usr/bin/env bash
# Builds the two jars the benchmark compares, from the committed HEAD of a repository, in clones under
# /tmp so that a working tree (and a Maven run in it) is never touched:
#
#   bench/build-jars.sh [REPO] [DEST]      # defaults: this repository, /tmp/sidecar-bench-build
#
#   DEST/plain/target/quarkus-app/quarkus-run.jar   the ordinary fast-jar
#   DEST/aot/target/quarkus-app/{quarkus-run.jar,app.aot}
#                                                   aot-jar packaging + JDK 25 AOT cache, trained by the
#                                                   integration test ProxyIT
#
# Then: bench/run.sh --jar DEST/plain/target/quarkus-app/quarkus-run.jar --aot-app DEST/aot/target/quarkus-app
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${1:-$(cd "$BENCH_DIR/.." && pwd)}
DEST=${2:-/tmp/sidecar-bench-build}
export JAVA_HOME=${BENCH_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

clone() { # NAME
  if [[ -d "$DEST/$1/.git" ]]; then
    git -C "$DEST/$1" fetch -q origin HEAD && git -C "$DEST/$1" reset -q --hard FETCH_HEAD
  else
    mkdir -p "$DEST"
    git clone -q "$REPO" "$DEST/$1"
  fi
  echo "$1: $(git -C "$DEST/$1" log -1 --format='%h %s')" >&2
}

clone plain
(cd "$DEST/plain" && timeout 1200 ./mvnw -B -q package -DskipTests)

clone aot
# The cache is written while ProxyIT (@QuarkusIntegrationTest: TLS handshakes, HTTP/1.1, HTTP/2, WebSocket,
# streaming through the packaged jar) runs against the application, so it holds the classes and profiles of
# the request path, not only those of start-up. That halves start-up against quarkus.package.jar.aot.phase=BUILD,
# which only records the static initialisation.
(cd "$DEST/aot" && timeout 1200 ./mvnw -B -q verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ProxyIT -Dquarkus.package.jar.aot.enabled=true -Dquarkus.package.jar.aot.type=aot)
[[ -f "$DEST/aot/target/quarkus-app/app.aot" ]] || { echo "no app.aot was produced" >&2; exit 1; }

echo "bench/run.sh --jar $DEST/plain/target/quarkus-app/quarkus-run.jar --aot-app $DEST/aot/target/quarkus-app"

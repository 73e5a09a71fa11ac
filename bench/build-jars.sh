#!/usr/bin/env bash
# Builds the two jars the benchmark compares, from the committed HEAD of a repository, in clones under
# /tmp so that a working tree (and a Maven run in it) is never touched:
#
#   bench/build-jars.sh [REPO] [DEST]      # defaults: this repository, /tmp/sidecar-bench-build
#
#   DEST/plain/target/quarkus-app/quarkus-run.jar   the ordinary fast-jar
#   DEST/aot/target/quarkus-app/{quarkus-run.jar,app.aot}
#                                                   aot-jar packaging + JDK 25 AOT cache, trained at build
#                                                   time (quarkus.package.jar.aot.phase=BUILD)
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
# Without aot.phase=BUILD the cache is only written while @QuarkusIntegrationTest tests run
# (verify -DskipITs=false); with it, the build starts the packaged application once with
# -XX:AOTCacheOutput and quarkus.appcds.generate=true (it exits right after start-up) and keeps app.aot.
(cd "$DEST/aot" && timeout 1200 ./mvnw -B -q package -DskipTests \
  -Dquarkus.package.jar.aot.enabled=true -Dquarkus.package.jar.aot.type=aot -Dquarkus.package.jar.aot.phase=BUILD)
[[ -f "$DEST/aot/target/quarkus-app/app.aot" ]] || { echo "no app.aot was produced" >&2; exit 1; }

echo "bench/run.sh --jar $DEST/plain/target/quarkus-app/quarkus-run.jar --aot-app $DEST/aot/target/quarkus-app"

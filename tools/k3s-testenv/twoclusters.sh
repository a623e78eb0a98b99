#!/usr/bin/env bash
# Runs dev.isthmus.testkit.k3s.TwoClustersCommand (up or down): the same Java code the tests use,
# so a person's clusters are the tests' clusters. Builds the test kit first (quietly, a few seconds
# when it is current).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command="${1:?up or down}"

cd "$root"
bin/maven -q -B -pl testkit -Dmaven.test.skip=true package >&2
bin/maven -q -B -pl testkit dependency:build-classpath -Dmdep.outputFile="$root/testkit/target/k3s-classpath.txt" >&2
# No registry: Testcontainers' reaper stays off (down removes what up started) and its helper
# image is the environment's local Debian base.
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_TINYIMAGE_CONTAINER_IMAGE=isthmus-testenv/debian:current
java=(java -cp "testkit/target/classes:$(cat testkit/target/k3s-classpath.txt)" dev.isthmus.testkit.k3s.TwoClustersCommand)
if [ "$command" != up ]; then
  exec "${java[@]}" "$command"
fi
# Testcontainers removes its containers when its JVM exits, so the JVM that starts the clusters
# stays in the background, holding them, until down stops it.
state="${ISTHMUS_K3S_CACHE:-$HOME/.cache/isthmus/k3s-testenv}/up"
mkdir -p "$state"
rm -f "$state/ready"
setsid nohup "${java[@]}" up >"$state/up.log" 2>&1 </dev/null &
pid=$!
echo "up: starting the clusters (log: $state/up.log)" >&2
until [ -f "$state/ready" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 40 "$state/up.log" >&2
    echo "up: failed (log: $state/up.log)" >&2
    exit 1
  fi
  sleep 1
done
sed -n '/^Two k3s clusters are up/,$p' "$state/up.log"

#!/usr/bin/env bash
# Runs dev.isthmus.testkit.k3s.TwoClustersCommand (up or down): the same Java code the tests use,
# so a person's clusters are the tests' clusters. Builds the test kit first (quietly, a few seconds
# when it is current).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command="${1:?up or down}"

cd "$root"
./mvnw -q -B -pl testkit -Dmaven.test.skip=true package >&2
./mvnw -q -B -pl testkit dependency:build-classpath -Dmdep.outputFile=testkit/target/k3s-classpath.txt >&2
# No registry: Testcontainers' reaper stays off (down removes what up started) and its helper
# image is the environment's local Debian base.
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_TINYIMAGE_CONTAINER_IMAGE=isthmus-testenv/debian:current
exec java -cp "testkit/target/classes:$(cat testkit/target/k3s-classpath.txt)" \
  dev.isthmus.testkit.k3s.TwoClustersCommand "$command"

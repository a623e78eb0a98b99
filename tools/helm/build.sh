#!/usr/bin/env bash
# Builds helm from the Go module beside this script, once, into a cache outside the repository, and
# prints the binary's path on the last line of stdout (see ../lib/go-tool.sh). The cache directory is
# named after a hash of go.mod and go.sum, so another helm version rebuilds; "<cache>/current" is where
# the chart's tests (HelmChartIT, HelmInstallE2EIT) look for the binary.
#
#   ISTHMUS_HELM_CACHE  cache root (default: $HOME/.cache/isthmus/helm)
#   GO                  go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/go-tool.sh
. "$here/../lib/go-tool.sh"

# The version go.mod pins, stamped into the binary as helm's own Makefile does (else `helm version`
# says only v4.3).
version="$(awk '$1 == "helm.sh/helm/v4" { print $2 }' "$here/go.mod")"
if [ -z "$version" ]; then
  echo "build.sh: tools/helm/go.mod requires no helm.sh/helm/v4 (expected: a pinned version, such as v4.3.2)" >&2
  exit 1
fi

go_tool_build helm "${ISTHMUS_HELM_CACHE:-$HOME/.cache/isthmus/helm}" go.mod go.sum \
  -- -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$version" helm.sh/helm/v4/cmd/helm

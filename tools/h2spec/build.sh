#!/usr/bin/env bash
# Builds h2spec from the Go module beside this script, once, into a cache outside the repository,
# and prints the binary's path on the last line of stdout (see ../lib/go-tool.sh). The cache directory
# is named after a hash of go.mod, go.sum and main.go; "<cache>/current" is where the gateway's H2specIT
# looks for the binary.
#
#   ISTHMUS_H2SPEC_CACHE  cache root (default: $HOME/.cache/isthmus/h2spec)
#   GO                    go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/go-tool.sh
. "$here/../lib/go-tool.sh"

go_tool_build h2spec "${ISTHMUS_H2SPEC_CACHE:-$HOME/.cache/isthmus/h2spec}" go.mod go.sum main.go \
  -- -ldflags="-s -w" .

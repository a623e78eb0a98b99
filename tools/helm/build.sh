#!/usr/bin/env bash
# Builds helm from the Go module beside this script, once, into a cache outside the repository, and
# prints the binary's path on the last line of stdout.
#
# The cache directory is named after a hash of go.mod and go.sum, so an unchanged module is a no-op and
# a changed one (another helm version) rebuilds. "<cache>/current" always points at the newest build,
# which is where the chart's tests (HelmChartTest, HelmInstallE2EIT) look for the binary.
#
#   ISTHMUS_HELM_CACHE  cache root (default: $HOME/.cache/isthmus/helm)
#   GO                  go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${ISTHMUS_HELM_CACHE:-$HOME/.cache/isthmus/helm}"

stamp="$(cd "$here" && sha256sum go.mod go.sum build.sh | sha256sum | cut -c1-16)"
target="$cache/$stamp"

publish_current() {
  # ln -sfn is not atomic; renaming a fresh link over the old one is.
  ln -s "$stamp" "$cache/.current.$$"
  mv -Tf "$cache/.current.$$" "$cache/current"
}

is_built() { [ -x "$target/bin/helm" ]; }

mkdir -p "$cache"
if is_built; then
  [ "$(readlink "$cache/current" 2>/dev/null || true)" = "$stamp" ] || publish_current
  echo "$target/bin/helm"
  exit 0
fi

# One build at a time: a second caller waits, then finds the first caller's result.
exec 9>"$cache/.lock"
flock 9
if is_built; then
  publish_current
  echo "$target/bin/helm"
  exit 0
fi

go_cmd="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if ! [ -x "$go_cmd" ] && ! command -v "$go_cmd" >/dev/null 2>&1; then
  echo "build.sh: Go is required to build helm, but '$go_cmd' was not found." >&2
  echo "build.sh: install Go 1.26 (or set GO=/path/to/go) and run this script again." >&2
  exit 1
fi

# The version go.mod pins, stamped into the binary as helm's own Makefile does (else `helm version`
# says only v4.3).
version="$(awk '$1 == "helm.sh/helm/v4" { print $2 }' "$here/go.mod")"
if [ -z "$version" ]; then
  echo "build.sh: tools/helm/go.mod requires no helm.sh/helm/v4 (expected: a pinned version, such as v4.3.2)" >&2
  exit 1
fi

work="$(mktemp -d "$cache/.build.XXXXXX")"
log="$work/build.log"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out/bin"

if ! (cd "$here" && CGO_ENABLED=0 "$go_cmd" build -trimpath -buildvcs=false -mod=readonly \
      -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$version" \
      -o "$work/out/bin/helm" helm.sh/helm/v4/cmd/helm) >>"$log" 2>&1; then
  echo "build.sh: building helm $version from tools/helm failed:" >&2
  cat "$log" >&2
  exit 1
fi

# Renaming the finished directory into place means a reader never sees half a build.
rm -rf "$target"
mv -T "$work/out" "$target"
publish_current
echo "$target/bin/helm"

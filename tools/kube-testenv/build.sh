#!/usr/bin/env bash
# Builds kube-apiserver, etcd and kubectl from the Go modules beside this script, once, into a cache
# outside the repository, and prints the bin directory on the last line of stdout.
#
# The cache directory is named after a hash of the modules' go.mod, go.sum and main.go, so an
# unchanged module is a no-op and a changed one rebuilds. "<cache>/current" always points at the
# newest build, which is where dev.isthmus.testkit.kube.KubeApiServer looks for the binaries.
#
#   ISTHMUS_KUBE_CACHE  cache root (default: $HOME/.cache/isthmus/kube-testenv)
#   GO                  go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${ISTHMUS_KUBE_CACHE:-$HOME/.cache/isthmus/kube-testenv}"
modules=(apiserver etcd kubectl)

# The stamp covers exactly what decides the binaries' contents; sorted for a stable order.
stamp="$(cd "$here" && for m in "${modules[@]}"; do
  printf '%s\n' "$m/go.mod" "$m/go.sum" "$m/main.go"
done | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
target="$cache/$stamp"

publish_current() {
  # ln -sfn is not atomic; renaming a fresh link over the old one is.
  ln -s "$stamp" "$cache/.current.$$"
  mv -Tf "$cache/.current.$$" "$cache/current"
}

is_built() {
  [ -x "$target/bin/kube-apiserver" ] && [ -x "$target/bin/etcd" ] && [ -x "$target/bin/kubectl" ]
}

mkdir -p "$cache"
if is_built; then
  [ "$(readlink "$cache/current" 2>/dev/null || true)" = "$stamp" ] || publish_current
  echo "$target/bin"
  exit 0
fi

# One build at a time: a second caller waits, then finds the first caller's result.
exec 9>"$cache/.lock"
flock 9
if is_built; then
  publish_current
  echo "$target/bin"
  exit 0
fi

# Only a build needs Go; a machine with a warm cache runs the tests without it.
go_cmd="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if ! [ -x "$go_cmd" ] && ! command -v "$go_cmd" >/dev/null 2>&1; then
  echo "build.sh: Go is required to build kube-apiserver, etcd and kubectl, but '$go_cmd' was not found." >&2
  echo "build.sh: install Go 1.26 (or set GO=/path/to/go) and run this script again." >&2
  exit 1
fi

work="$(mktemp -d "$cache/.build.XXXXXX")"
log="$work/build.log"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out/bin"

kube_version="$(sed -n 's/^[[:space:]]*k8s\.io\/kubernetes \(v[0-9][0-9.]*\).*/\1/p' "$here/apiserver/go.mod" | head -n1)"
kube_minor="$(echo "$kube_version" | cut -d. -f2)"
# Without these the server reports v0.0.0-master, which clients and /version would show.
version_pkg=k8s.io/component-base/version
apiserver_ldflags="-s -w -X $version_pkg.gitVersion=$kube_version -X $version_pkg.gitMajor=1 -X $version_pkg.gitMinor=$kube_minor -X $version_pkg.gitTreeState=clean"
# kubectl's own release: k8s.io/kubectl v0.34.N is Kubernetes v1.34.N. `kubectl version` reads
# component-base's version package; client-go's goes into the User-Agent sent to the server.
kubectl_version="$(sed -n 's/^[[:space:]]*k8s\.io\/kubectl v0\.\([0-9][0-9.]*\).*/v1.\1/p' "$here/kubectl/go.mod" | head -n1)"
kubectl_minor="$(echo "$kubectl_version" | cut -d. -f2)"
kubectl_ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version "$version_pkg"; do
  kubectl_ldflags+=" -X $pkg.gitVersion=$kubectl_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kubectl_minor -X $pkg.gitTreeState=clean"
done

build() { # module binary ldflags
  if ! (cd "$here/$1" && CGO_ENABLED=0 "$go_cmd" build -trimpath -buildvcs=false -mod=readonly \
        -ldflags="$3" -o "$work/out/bin/$2" .) >>"$log" 2>&1; then
    echo "build.sh: building $2 from tools/kube-testenv/$1 failed:" >&2
    cat "$log" >&2
    exit 1
  fi
}
build etcd etcd "-s -w"
build apiserver kube-apiserver "$apiserver_ldflags"
build kubectl kubectl "$kubectl_ldflags"

# Renaming the finished directory into place means a reader never sees half a build.
rm -rf "$target"
mv -T "$work/out" "$target"
publish_current
echo "$target/bin"

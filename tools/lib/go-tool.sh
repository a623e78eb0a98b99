# Sourced by tools/<name>/build.sh: builds one Go binary from the module beside the calling script, once,
# into a cache outside the repository, and prints the binary's path on the last line of stdout.
#
#   go_tool_build NAME CACHE STAMP_FILE... -- GO_BUILD_ARG...
#
# The cache directory is named after a hash of the STAMP_FILEs (in the calling script's folder), so an
# unchanged module is a no-op and a changed one rebuilds. "<CACHE>/current" always points at the newest
# build, which is where the tests look for the binary. The build runs `go build` in the script's folder
# with the GO_BUILD_ARGs (package and -ldflags included) and writes <build>/bin/NAME.
#
#   GO  go command (default: go on PATH, else /usr/local/go/bin/go)

go_tool_build() {
  local name=$1 cache=$2 here stamp target work log go_cmd
  shift 2
  local files=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do files+=("$1"); shift; done
  [ "${1:-}" = "--" ] || { echo "go_tool_build: no '--' before the go build arguments" >&2; return 2; }
  shift
  here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
  stamp="$(cd "$here" && sha256sum "${files[@]}" | sha256sum | cut -c1-16)"
  target="$cache/$stamp"

  mkdir -p "$cache"
  if [ -x "$target/bin/$name" ]; then
    [ "$(readlink "$cache/current" 2>/dev/null || true)" = "$stamp" ] || _go_tool_publish "$cache" "$stamp"
    echo "$target/bin/$name"
    return 0
  fi

  # One build at a time: a second caller waits, then finds the first caller's result.
  exec 9>"$cache/.lock"
  flock 9
  if [ -x "$target/bin/$name" ]; then
    _go_tool_publish "$cache" "$stamp"
    echo "$target/bin/$name"
    return 0
  fi

  go_cmd="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
  if ! [ -x "$go_cmd" ] && ! command -v "$go_cmd" >/dev/null 2>&1; then
    echo "build.sh: Go is required to build $name, but '$go_cmd' was not found." >&2
    echo "build.sh: install Go 1.26 (or set GO=/path/to/go) and run this script again." >&2
    return 1
  fi

  work="$(mktemp -d "$cache/.build.XXXXXX")"
  log="$work/build.log"
  mkdir -p "$work/out/bin"
  if ! (cd "$here" && CGO_ENABLED=0 "$go_cmd" build -trimpath -buildvcs=false -mod=readonly \
        -o "$work/out/bin/$name" "$@") >>"$log" 2>&1; then
    echo "build.sh: building $name from ${here#"$(cd "$here/../.." && pwd)/"} failed:" >&2
    cat "$log" >&2
    rm -rf "$work"
    return 1
  fi

  # Renaming the finished directory into place means a reader never sees half a build.
  rm -rf "$target"
  mv -T "$work/out" "$target"
  rm -rf "$work"
  _go_tool_publish "$cache" "$stamp"
  echo "$target/bin/$name"
}

# ln -sfn is not atomic; renaming a fresh link over the old one is.
_go_tool_publish() {
  ln -s "$2" "$1/.current.$$"
  mv -Tf "$1/.current.$$" "$1/current"
}

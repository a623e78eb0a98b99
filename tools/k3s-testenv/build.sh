#!/usr/bin/env bash
# Builds everything the two-cluster test environment needs, from Go modules and Debian packages,
# into a cache outside the repository, and prints the environment's directory on the last line.
#
#   build.sh            build what is missing (a no-op when everything is current)
#   build.sh part NAME  build one part only (k3s, shim, runc, flannel, coredns, podinfo, pause, rootfs)
#
# Parts (binaries, the Debian root file system) are cached per pinned version in
# <cache>/parts/<name>-<version>, so editing this script does not rebuild k3s. The images made from
# them are cached in <cache>/<stamp>, the stamp being a hash of versions.env and of every file of
# this directory that goes into an image; "<cache>/current" points at the newest one.
#
#   ISTHMUS_K3S_CACHE  cache root (default: $HOME/.cache/isthmus/k3s-testenv)
#   GO                 go command (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${ISTHMUS_K3S_CACHE:-$HOME/.cache/isthmus/k3s-testenv}"
# shellcheck source=versions.env
. "$here/versions.env"
mkdir -p "$cache/parts"

log() { echo "build.sh: $*" >&2; }
die() { log "$*"; exit 1; }

go_cmd() {
  local go="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
  [ -x "$go" ] || command -v "$go" >/dev/null 2>&1 \
    || die "Go is required to build the k3s test environment, but '$go' was not found (expected: Go 1.25+ on PATH or GO=/path/to/go)"
  echo "$go"
}

# Debian packages a build step needs; installed only when missing (the machine is root here).
need_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (expected: installed, or run as root so build.sh can install them)"
  log "installing ${missing[*]}"
  # policy-rc.d keeps the packages' daemons (docker.io's dockerd) from starting on install.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >"$cache/.apt.log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$cache/.apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$cache/.apt.log" 2>&1 \
      || { cat "$cache/.apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  fi
}

# A Go module copied out of the module cache into a writable tree (the cache is read-only).
module_tree() { # module@version destination
  local go; go="$(go_cmd)"
  local dir
  dir="$(cd /tmp && GOFLAGS=-mod=mod "$go" mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir" ] || die "go mod download $1 gave no directory"
  rm -rf "$2"; mkdir -p "$2"
  cp -a "$dir/." "$2/"
  chmod -R u+w "$2"
}

# --- parts ---------------------------------------------------------------------------------------
# Each part_X builds into "$out" (a fresh directory) and is published by part() as a whole.

part_k3s() {
  local go; go="$(go_cmd)"
  need_packages gcc libc6-dev libseccomp-dev pkg-config
  local src="$work/k3s"
  module_tree "github.com/k3s-io/k3s@$K3S_MODULE_VERSION" "$src"
  # What k3s's scripts/build does before compiling: the add-on manifests are embedded.
  cp -a "$src/manifests/." "$src/pkg/deploy/embed/"
  local commit="${K3S_MODULE_VERSION##*-}"
  local goversion; goversion="$("$go" env GOVERSION)"
  local version="${K3S_KUBE_VERSION}+k3s-${commit:0:8}"
  local pkg=github.com/k3s-io/k3s
  # Without UpstreamGolang k3s refuses to start ("Failed to validate golang version").
  local ldflags="-w -s -X $pkg/pkg/version.Version=$version -X $pkg/pkg/version.GitCommit=${commit:0:8}"
  ldflags+=" -X $pkg/pkg/version.UpstreamGolang=$goversion"
  local p
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $p.gitVersion=$version -X $p.gitCommit=$commit -X $p.gitTreeState=clean"
  done
  local tags="ctrd netcgo osusergo providerless urfave_cli_no_docs sqlite_omit_load_extension apparmor seccomp"
  (cd "$src" && CGO_ENABLED=1 CGO_CFLAGS="-DSQLITE_ENABLE_DBSTAT_VTAB=1 -DSQLITE_USE_ALLOCA=1" \
    "$go" build -tags "$tags" -buildvcs=false -ldflags "$ldflags" -o "$out/k3s" ./cmd/server)
  # The shim is built in the k3s tree so it uses the containerd version k3s pins.
  (cd "$src" && CGO_ENABLED=1 "$go" build -tags "${tags/netcgo/netgo}" -buildvcs=false -ldflags "-w -s" \
    -o "$out/containerd-shim-runc-v2" github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2)
  # k3s is also kubectl when called by that name: the kubectl that matches the clusters.
  ln -s k3s "$out/kubectl"
}

part_go_install() { # package@version [tags]
  local go; go="$(go_cmd)"
  GOBIN="$out" CGO_ENABLED="${CGO_ENABLED:-0}" GOFLAGS=-mod=mod "$go" install -trimpath -tags "${2:-}" -ldflags "-w -s" "$1"
}

part_runc() {
  need_packages gcc libc6-dev libseccomp-dev pkg-config
  # Debian's runc 1.1.5 fails under k3s's containerd ("can't get final child's PID from pipe: EOF").
  CGO_ENABLED=1 part_go_install "github.com/opencontainers/runc@$RUNC_VERSION" seccomp
}
part_flannel() { part_go_install "github.com/containernetworking/plugins/plugins/meta/flannel@$CNI_PLUGINS_VERSION"; }
part_coredns() { part_go_install "github.com/coredns/coredns@$COREDNS_VERSION"; }
part_podinfo() { part_go_install "github.com/stefanprodan/podinfo/cmd/podinfo@$PODINFO_MODULE_VERSION"; }

part_pause() {
  need_packages gcc libc6-dev
  gcc -static -Os -s -o "$out/pause" "$here/pause.c"
}

# The Debian mirror apt already uses on this machine (read at run time: nothing names a host here).
debian_mirror() {
  local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources) f
  for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    # one-line format: deb [options] URI suite components
    sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\)[[:space:]]\+'"$DEBIAN_SUITE"'[[:space:]].*/\2/p' "$f"
    # deb822 format: the URIs of a stanza whose Suites has the release itself
    awk -v suite="$DEBIAN_SUITE" '
      /^[[:space:]]*$/ { if (uris != "" && has) print uris; uris = ""; has = 0; next }
      /^URIs:/ { uris = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) has = 1 }
      END { if (uris != "" && has) print uris }' "$f"
  done | grep -v security | head -n1
}

part_rootfs() {
  need_packages debootstrap
  local mirror; mirror="$(debian_mirror)"
  [ -n "$mirror" ] || die "no Debian mirror for $DEBIAN_SUITE in /etc/apt/sources.list* (expected: a deb line or URIs: for suite $DEBIAN_SUITE)"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$work/rootfs" "$mirror"
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  # The image's own sources, so images built FROM it can apt-get install.
  echo "deb $mirror $DEBIAN_SUITE main" >"$work/rootfs/etc/apt/sources.list"
  tar --numeric-owner -C "$work/rootfs" -cf "$out/rootfs.tar" .
}

# part NAME VERSION: builds part_NAME once into <cache>/parts/NAME-VERSION and prints that path.
part() {
  local name="$1" version="$2"
  local dir="$cache/parts/$name-$version"
  if [ -f "$dir/.done" ]; then echo "$dir"; return 0; fi
  (
    exec 8>"$cache/parts/.$name.lock"
    flock 8
    [ -f "$dir/.done" ] && exit 0
    work="$(mktemp -d "$cache/parts/.build-$name.XXXXXX")"
    out="$work/out"; mkdir -p "$out"
    trap 'rm -rf "$work"' EXIT
    log "building $name $version (log: $cache/parts/$name.log)"
    start=$SECONDS
    if ! "part_$name" >"$cache/parts/$name.log" 2>&1; then
      tail -n 40 "$cache/parts/$name.log" >&2
      die "building $name $version failed (full log: $cache/parts/$name.log)"
    fi
    touch "$out/.done"
    rm -rf "$dir"; mv -T "$out" "$dir"
    log "built $name in $((SECONDS - start)) s"
  )
  echo "$dir"
}

part_version() {
  case "$1" in
    k3s) echo "$K3S_MODULE_VERSION" ;;
    runc) echo "$RUNC_VERSION" ;;
    flannel) echo "$CNI_PLUGINS_VERSION" ;;
    coredns) echo "$COREDNS_VERSION" ;;
    podinfo) echo "$PODINFO_MODULE_VERSION" ;;
    # The pause binary is our source: its version is its hash.
    pause) sha256sum "$here/pause.c" | cut -c1-12 ;;
    rootfs) echo "$DEBIAN_SUITE-minbase" ;;
    *) die "part: $1 (expected: k3s, runc, flannel, coredns, podinfo, pause or rootfs)" ;;
  esac
}
part_dir() { part "$1" "$(part_version "$1")"; }

# --- images --------------------------------------------------------------------------------------
# Built with the Docker engine (started here when none runs: engine.sh), saved as tars into the
# stamped directory, so a node or a fresh engine loads them without a registry.

# The names the clusters know the images by. podinfo and curl are the public names the
# walkthrough's manifests use (a tag, not latest, so IfNotPresent takes the loaded image); pause
# and CoreDNS are the names k3s asks for.
PODINFO_IMAGE="ghcr.io/stefanprodan/podinfo:$PODINFO_VERSION"
CLIENT_IMAGE="curlimages/curl:8.14.1"
PAUSE_IMAGE="rancher/mirrored-pause:3.6"
COREDNS_IMAGE="rancher/mirrored-coredns-coredns:${COREDNS_VERSION#v}"
ISTHMUS_IMAGE="$(sed -n 's/.*DEFAULT_IMAGE = "\([^"]*\)".*/\1/p' "$here/../../cli/src/main/java/dev/isthmus/cli/multicluster/LinkManifests.java")"

stamp() {
  (cd "$here" && { cat versions.env; sed -n '/^# --- images/,$p' build.sh; cat pause.c runc-without-sys-resource node/*; } | sha256sum | cut -c1-16)
}

docker_build() { # tag context-dir [docker build options...]
  local tag="$1" context="$2"; shift 2
  if ! docker build --force-rm -q -t "$tag" "$@" "$context" >>"$target.log" 2>&1; then
    tail -n 40 "$target.log" >&2
    die "docker build of $tag failed (full log: $target.log)"
  fi
}

image_tar() { # image file: saves the image when the tar is missing
  [ -f "$2" ] && return 0
  docker save -o "$2.tmp" "$1" && mv -f "$2.tmp" "$2"
}

# Loads a saved image into the engine when the engine lacks it (a fresh engine, a pruned one).
ensure_loaded() { # image file
  docker image inspect "$1" >/dev/null 2>&1 || docker load -q -i "$2" >/dev/null
}

build_images() {
  local images="$target.tmp/images"
  mkdir -p "$images"
  # Parts are built as they are needed, the base images first: they need only Debian's packages.
  local rootfs k3s runc flannel coredns podinfo pause
  rootfs="$(part_dir rootfs)"
  local tag="$stamp"

  log "building images (log: $target.log)"
  # Imported once per root file system: every import is a new image, and a new base would make
  # Docker rebuild every image on it instead of taking its layer cache.
  local base="isthmus-testenv/debian:rootfs-$(stat -c %Y "$rootfs/rootfs.tar")"
  docker image inspect "$base" >/dev/null 2>&1 || docker import "$rootfs/rootfs.tar" "$base" >>"$target.log"
  docker tag "$base" "isthmus-testenv/debian:$tag"
  local ctx="$target.tmp/context"

  # Debian's JDK and Maven, and Debian's JRE: the local stand-ins for the public base images the
  # project's Dockerfile names by default (no registry is reachable here).
  rm -rf "$ctx"; mkdir -p "$ctx"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM isthmus-testenv/debian:$tag
RUN apt-get update -q && apt-get install -y -q --no-install-recommends openjdk-17-jdk-headless maven ca-certificates \
 && rm -rf /var/lib/apt/lists/*
DOCKERFILE
  docker_build "isthmus-testenv/jdk-maven:$tag" "$ctx"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM isthmus-testenv/debian:$tag
RUN apt-get update -q && apt-get install -y -q --no-install-recommends openjdk-17-jre-headless passwd \
 && rm -rf /var/lib/apt/lists/*
DOCKERFILE
  docker_build "isthmus-testenv/jre:$tag" "$ctx"

  # The walkthrough's client (frontend and test pods): curl, and a shell to keep it running.
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM isthmus-testenv/debian:$tag
RUN apt-get update -q && apt-get install -y -q --no-install-recommends curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
USER 100:101
CMD ["sleep", "infinity"]
DOCKERFILE
  docker_build "$CLIENT_IMAGE" "$ctx"

  # Single static binaries: images from scratch.
  pause="$(part_dir pause)"; coredns="$(part_dir coredns)"; podinfo="$(part_dir podinfo)"
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp "$pause/pause" "$ctx/"
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$ctx/Dockerfile"
  docker_build "$PAUSE_IMAGE" "$ctx"
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp "$coredns/coredns" "$ctx/"
  printf 'FROM scratch\nCOPY coredns /coredns\nEXPOSE 53 53/udp\nENTRYPOINT ["/coredns"]\n' >"$ctx/Dockerfile"
  docker_build "$COREDNS_IMAGE" "$ctx"
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp "$podinfo/podinfo" "$ctx/"
  # podinfo serves its UI from ./ui; the walkthrough only needs its JSON API.
  printf 'FROM isthmus-testenv/debian:%s\nCOPY podinfo /home/app/podinfo\nWORKDIR /home/app\nUSER 100:101\nEXPOSE 9898\nCMD ["./podinfo"]\n' "$tag" >"$ctx/Dockerfile"
  docker_build "$PODINFO_IMAGE" "$ctx"

  image_tar "$PAUSE_IMAGE" "$images/pause.tar"
  image_tar "$COREDNS_IMAGE" "$images/coredns.tar"
  image_tar "$PODINFO_IMAGE" "$images/podinfo.tar"
  image_tar "$CLIENT_IMAGE" "$images/client.tar"

  # The node: k3s and what it runs, on the Debian base, as rancher/k3s is laid out.
  k3s="$(part_dir k3s)"; runc="$(part_dir runc)"; flannel="$(part_dir flannel)"
  rm -rf "$ctx"; mkdir -p "$ctx/bin" "$ctx/images"
  cp "$k3s/k3s" "$k3s/containerd-shim-runc-v2" "$runc/runc" "$flannel/flannel" "$ctx/bin/"
  cp "$here/node/entrypoint" "$here/node/containerd-config-v3.toml.tmpl" "$here/node/cni.conflist" "$ctx/"
  cp "$images/pause.tar" "$images/coredns.tar" "$ctx/images/"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM isthmus-testenv/debian:$tag
RUN apt-get update -q && apt-get install -y -q --no-install-recommends \
      iptables containernetworking-plugins ca-certificates iproute2 conntrack procps kmod \
 && rm -rf /var/lib/apt/lists/*
COPY bin/ /usr/local/bin/
# Without these links k3s would run a containerd found elsewhere, and kubectl/crictl/ctr are k3s.
RUN for tool in containerd kubectl crictl ctr; do ln -s k3s /usr/local/bin/\$tool; done \
 && ln -s /usr/local/bin/flannel /usr/lib/cni/flannel
COPY containerd-config-v3.toml.tmpl cni.conflist /etc/isthmus-node/
COPY images/ /opt/isthmus-node/images/
COPY entrypoint /usr/local/bin/isthmus-node-entrypoint
ENV PATH=/usr/local/bin:/usr/lib/cni:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
VOLUME /var/lib/kubelet
VOLUME /var/lib/rancher/k3s
VOLUME /var/lib/cni
VOLUME /var/log
ENTRYPOINT ["/usr/local/bin/isthmus-node-entrypoint"]
CMD ["server"]
DOCKERFILE
  docker_build "isthmus-testenv/k3s-node:$tag" "$ctx"
  docker tag "isthmus-testenv/k3s-node:$tag" "isthmus-testenv/k3s-node:current"
  docker tag "isthmus-testenv/debian:$tag" "isthmus-testenv/debian:current"
  image_tar "isthmus-testenv/k3s-node:$tag" "$images/k3s-node.tar"
  image_tar "isthmus-testenv/debian:$tag" "$images/debian.tar"
  image_tar "isthmus-testenv/jdk-maven:$tag" "$images/jdk-maven.tar"
  image_tar "isthmus-testenv/jre:$tag" "$images/jre.tar"
  rm -rf "$ctx"

  cat >"$target.tmp/env" <<ENV
# Written by tools/k3s-testenv/build.sh: what the test environment was built as.
STAMP=$stamp
NODE_IMAGE=isthmus-testenv/k3s-node:$tag
BASE_IMAGE=isthmus-testenv/debian:$tag
BUILD_BASE_IMAGE=isthmus-testenv/jdk-maven:$tag
RUNTIME_BASE_IMAGE=isthmus-testenv/jre:$tag
PODINFO_IMAGE=$PODINFO_IMAGE
CLIENT_IMAGE=$CLIENT_IMAGE
PAUSE_IMAGE=$PAUSE_IMAGE
COREDNS_IMAGE=$COREDNS_IMAGE
ISTHMUS_IMAGE=$ISTHMUS_IMAGE
KUBECTL=$k3s/kubectl
ENV
  [ -e "$k3s/kubectl" ] || ln -s k3s "$k3s/kubectl"
}

# Isthmus's own image, from the project's Dockerfile on the local base images, every run: the
# Docker layer cache makes an unchanged tree a no-op and unchanged poms skip Maven's downloads.
build_isthmus_image() {
  . "$target/env"
  : >"$target/isthmus-image.log"
  local root; root="$(cd "$here/../.." && pwd)"
  # Maven in the build container reaches the registry through whatever this host trusts: a host
  # with certificate authorities of its own (an intercepting proxy's) adds them to the build image.
  # They are this machine's, so they go into a layer built here every run, never into the cache.
  local build_image="$BUILD_BASE_IMAGE" cas
  cas="$(find /usr/local/share/ca-certificates -name '*.crt' 2>/dev/null | sort)"
  if [ -n "$cas" ]; then
    local ctx; ctx="$(mktemp -d)"
    mkdir "$ctx/cas"; cp $cas "$ctx/cas/"
    printf 'FROM %s\nCOPY cas/ /usr/local/share/ca-certificates/\nRUN update-ca-certificates\n' "$BUILD_BASE_IMAGE" >"$ctx/Dockerfile"
    build_image="isthmus-testenv/jdk-maven-host-cas:$STAMP"
    docker build -q -t "$build_image" "$ctx" >>"$target/isthmus-image.log" 2>&1 \
      || { rm -rf "$ctx"; tail -n 20 "$target/isthmus-image.log" >&2; die "adding this host's certificate authorities to $BUILD_BASE_IMAGE failed"; }
    rm -rf "$ctx"
  fi
  log "building $ISTHMUS_IMAGE from $root/Dockerfile"
  if ! docker build --force-rm -q -t "$ISTHMUS_IMAGE" --build-arg "BUILD_IMAGE=$build_image" \
        --build-arg "RUNTIME_IMAGE=$RUNTIME_BASE_IMAGE" "$root" >>"$target/isthmus-image.log" 2>&1; then
    tail -n 60 "$target/isthmus-image.log" >&2
    die "docker build of $ISTHMUS_IMAGE failed (full log: $target/isthmus-image.log)"
  fi
  # The tar the clusters load is named after the image's id, so a rebuilt image is loaded anew.
  local id; id="$(docker image inspect -f '{{.Id}}' "$ISTHMUS_IMAGE" | sed 's/^sha256://' | cut -c1-16)"
  if ! [ -f "$target/images/isthmus-$id.tar" ]; then
    rm -f "$target/images/"isthmus-*.tar
    docker save -o "$target/images/isthmus-$id.tar.tmp" "$ISTHMUS_IMAGE"
    mv -f "$target/images/isthmus-$id.tar.tmp" "$target/images/isthmus-$id.tar"
  fi
  ln -sfn "isthmus-$id.tar" "$target/images/isthmus.tar.tmp" && mv -Tf "$target/images/isthmus.tar.tmp" "$target/images/isthmus.tar"
}

# The engine must hold the images (a fresh engine, or one pruned since the build, does not).
load_images() {
  . "$target/env"
  ensure_loaded "$NODE_IMAGE" "$target/images/k3s-node.tar"
  ensure_loaded "$BASE_IMAGE" "$target/images/debian.tar"
  ensure_loaded "$BUILD_BASE_IMAGE" "$target/images/jdk-maven.tar"
  ensure_loaded "$RUNTIME_BASE_IMAGE" "$target/images/jre.tar"
  docker tag "$NODE_IMAGE" isthmus-testenv/k3s-node:current
  docker tag "$BASE_IMAGE" isthmus-testenv/debian:current
}

publish_current() {
  ln -s "$stamp" "$cache/.current.$$"
  mv -Tf "$cache/.current.$$" "$cache/current"
}

build_all() {
  stamp="$(stamp)"
  target="$cache/$stamp"
  # One build at a time: a second caller waits, then finds the first caller's result.
  exec 9>"$cache/.lock"
  flock 9
  # An engine started for the build alone is stopped after it (an engine already running stays).
  "$here/engine.sh" start "build-$$" >/dev/null
  trap '"$here/engine.sh" stop "build-$$"' EXIT
  if ! [ -f "$target/env" ]; then
    rm -rf "$target.tmp"
    build_images
    rm -rf "$target"; mv -T "$target.tmp" "$target"
  fi
  load_images
  [ "${ISTHMUS_SKIP_IMAGE:-}" = 1 ] || build_isthmus_image
  publish_current
  prune
  echo "$target"
}

# Older stamps' tars and images are ~3 GB each and nothing uses them once a newer one is current
# (an image a running container still uses is kept: docker refuses to remove it).
prune() {
  local entry name
  for entry in "$cache"/*; do
    name="${entry##*/}"
    [[ "$name" =~ ^[0-9a-f]{16}(\.log|\.tmp)?$ ]] || continue
    [ "${name%%.*}" = "$stamp" ] && continue
    rm -rf "$entry"
  done
  docker images --format '{{.Repository}}:{{.Tag}}' | grep '^isthmus-testenv/' \
    | grep -v -e ":$stamp\$" -e ':current$' -e ':rootfs-' | xargs -r docker rmi >/dev/null 2>&1 || true
}

case "${1:-all}" in
  part) part_dir "${2:?part NAME}" ;;
  all) build_all ;;
  *) die "argument: $1 (expected: nothing, or part NAME)" ;;
esac

#!/usr/bin/env bash
# The Docker engine for the test environment: Debian's dockerd, started when none runs, with the OCI
# runtime wrapper as its default runtime (see runc-without-sys-resource), and stopped again by the
# last of the holders that needed it, leaving the machine as it was.
#
#   engine.sh start HOLDER   make sure an engine runs; HOLDER (e.g. "build-<pid>", "up") holds it.
#                            Prints "started" when this call started it, else "running".
#   engine.sh stop HOLDER    let go; removes the test nodes' cgroups that no container uses; the
#                            engine stops when it was started here and no holder is left (a holder
#                            named NAME-<pid> whose process is gone no longer counts). Then checks.
#   engine.sh check          fails, listing what is left, when anything the environment made remains
#                            after the engine it started stopped (processes, docker0, iptables rules
#                            and policies, mounts, network namespaces, cgroups).
#
#   ISTHMUS_ENGINE_STATE  state directory (default: /run/isthmus-k3s-testenv)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="${ISTHMUS_ENGINE_STATE:-/run/isthmus-k3s-testenv}"
log() { echo "engine.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# iptables as it was, without counters, so a restore and a comparison see only rules and policies;
# a table with no rules and only ACCEPT policies is left out: it filters nothing, as if absent.
rules() {
  { "$1" 2>/dev/null || true; } | sed -e '/^#/d' -e 's/ \[[0-9]*:[0-9]*\]$//' | awk '
    /^\*/ { table = $0; body = ""; plain = 1; next }
    /^COMMIT/ { if (!plain) print table "\n" body "COMMIT"; next }
    /^:[A-Z]+ ACCEPT$/ { body = body $0 "\n"; next }
    { body = body $0 "\n"; plain = 0 }'
}

node_cgroups() { # the cgroup roots the test nodes' kubelets made (see node/entrypoint)
  find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name 'isthmus-k3s-*' 2>/dev/null || true
}

# Removes the cgroup trees of test nodes whose container is gone (rmdir, deepest first: a tree
# still in use cannot be removed, and is left alone).
remove_node_cgroups() {
  local live="" dir name
  if docker info >/dev/null 2>&1; then
    live="$(docker ps -q --no-trunc | cut -c1-12 | tr '\n' ' ')"
  fi
  for dir in $(node_cgroups); do
    name="${dir##*/isthmus-k3s-}"
    case " $live " in *" $name "*) continue ;; esac
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

live_holders() {
  local holder pid
  for holder in "$state"/holders/*; do
    [ -e "$holder" ] || continue
    pid="${holder##*-}"
    if [[ "$pid" =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$holder"
      continue
    fi
    echo "${holder##*/}"
  done
}

need_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (expected: installed, or run as root)"
  log "installing ${missing[*]}"
  # Debian's policy-rc.d keeps the package from starting dockerd itself.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  }
}

start() {
  local holder="${1:?start HOLDER}"
  mkdir -p "$state/holders"
  exec 9>"$state/.lock"
  flock 9
  touch "$state/holders/$holder"
  if docker info >/dev/null 2>&1; then
    echo running
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "no Docker engine runs and starting one needs root (uid: $(id -u))"
  need_packages docker.io iptables
  # What the engine will change, to put back when it stops.
  rules iptables-save >"$state/iptables.before"
  rules ip6tables-save >"$state/ip6tables.before"
  sysctl -n net.ipv4.ip_forward >"$state/ip_forward.before"
  ip link show docker0 >/dev/null 2>&1 && touch "$state/docker0.before" || rm -f "$state/docker0.before"
  find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name docker >"$state/cgroups.before" 2>/dev/null || true
  # Its own session, so it outlives the command that started it (`up` returns, the engine stays).
  # (Not holding the lock: fd 9 is closed for it.)
  setsid dockerd \
    --add-runtime "isthmus-runc=$here/runc-without-sys-resource" --default-runtime isthmus-runc \
    --pidfile "$state/dockerd.pid" >"$state/dockerd.log" 2>&1 </dev/null 9>&- &
  echo $! >"$state/dockerd.started"
  local i
  for i in $(seq 1 120); do
    docker info >/dev/null 2>&1 && { echo started; return 0; }
    kill -0 "$(cat "$state/dockerd.started")" 2>/dev/null || break
    sleep 0.5
  done
  tail -n 30 "$state/dockerd.log" >&2
  die "dockerd did not start (log: $state/dockerd.log)"
}

stop() {
  local holder="${1:?stop HOLDER}"
  mkdir -p "$state/holders"
  exec 9>"$state/.lock"
  flock 9
  rm -f "$state/holders/$holder"
  remove_node_cgroups
  if ! [ -f "$state/dockerd.started" ] || [ -n "$(live_holders)" ]; then
    return 0
  fi
  local pid; pid="$(cat "$state/dockerd.started")"
  if docker info >/dev/null 2>&1; then
    local ids; ids="$(docker ps -aq)"
    [ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && { log "dockerd ($pid) did not stop in 30 s; killing it"; kill -KILL "$pid" || true; sleep 1; }
  restore
  remove_node_cgroups
  rm -f "$state/dockerd.started"
  check
}

# dockerd's rules (they name its chains or its bridge) and its chains, as iptables-save prints them.
docker_rules() { { "$1-save" 2>/dev/null || true; } | grep -E '^[-:].*(DOCKER|docker0)' || true; }

forward_policy_before() {
  local policy
  policy="$(sed -n 's/^:FORWARD \([A-Z]*\).*/\1/p' "$state/$1.before" | head -n1)"
  echo "${policy:-ACCEPT}"
}

remove_docker_rules() { # family
  local family="$1" table="" line
  local -a chains=()
  while read -r line; do
    case "$line" in
      \**) table="${line#\*}" ;;
      :DOCKER*) chains+=("$table ${line%% *}") ;;
      -A*DOCKER*|-A*docker0*)
        # The rule as iptables-save wrote it, deleted by its specification (dockerd's rules carry no quotes).
        read -r -a spec <<<"${line#-A }"
        "$family" -t "$table" -D "${spec[@]}" 2>/dev/null || true ;;
    esac
  done < <({ "$family-save" 2>/dev/null || true; } | grep -E '^(\*|:DOCKER|-A.*(DOCKER|docker0))')
  local chain
  for chain in "${chains[@]}"; do "$family" -t "${chain% *}" -F "${chain#*:}" 2>/dev/null || true; done
  for chain in "${chains[@]}"; do "$family" -t "${chain% *}" -X "${chain#*:}" 2>/dev/null || true; done
}

restore() {
  # Mounts dockerd left (overlays, network namespaces), deepest first.
  local mount
  for mount in $(awk '{print $5}' /proc/self/mountinfo | grep -E '^(/var/lib/docker|/run/docker)(/|$)' | sort -r); do
    umount -l "$mount" 2>/dev/null || true
  done
  rm -rf /run/docker/netns
  [ -f "$state/docker0.before" ] || ip link delete docker0 2>/dev/null || true
  # Only what dockerd added goes: the machine is shared, and others' rules made meanwhile stay.
  local family
  for family in iptables ip6tables; do
    remove_docker_rules "$family"
    "$family" -P FORWARD "$(forward_policy_before "$family")" 2>/dev/null || true
  done
  sysctl -q -w "net.ipv4.ip_forward=$(cat "$state/ip_forward.before")"
  local dir
  for dir in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name docker 2>/dev/null); do
    grep -qx "$dir" "$state/cgroups.before" 2>/dev/null || find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

check() {
  local left=()
  if [ -f "$state/dockerd.started" ] && kill -0 "$(cat "$state/dockerd.started")" 2>/dev/null; then
    left+=("dockerd still runs (pid $(cat "$state/dockerd.started"))")
  fi
  if [ -f "$state/iptables.before" ] && ! [ -f "$state/dockerd.started" ]; then
    local family rules policy
    for family in iptables ip6tables; do
      rules="$(docker_rules "$family")"
      [ -z "$rules" ] || left+=("$family rules of dockerd: $(echo $rules)")
      policy="$({ "$family" -S FORWARD 2>/dev/null || true; } | sed -n 's/^-P FORWARD //p')"
      [ -z "$policy" ] || [ "$policy" = "$(forward_policy_before "$family")" ] \
        || left+=("$family FORWARD policy $policy (expected: $(forward_policy_before "$family"), as before the engine started)")
    done
    [ -f "$state/docker0.before" ] || ! ip link show docker0 >/dev/null 2>&1 || left+=("the docker0 interface")
    local mounts
    mounts="$(awk '{print $5}' /proc/self/mountinfo | grep -E '^(/var/lib/docker|/run/docker)(/|$)' || true)"
    [ -z "$mounts" ] || left+=("mounts: $(echo $mounts)")
    [ -z "$(ls -A /run/docker/netns 2>/dev/null)" ] || left+=("network namespaces in /run/docker/netns")
    local dir
    for dir in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name docker 2>/dev/null); do
      grep -qx "$dir" "$state/cgroups.before" 2>/dev/null || left+=("cgroup $dir")
    done
  fi
  local live="" dir name
  docker info >/dev/null 2>&1 && live="$(docker ps -q --no-trunc | cut -c1-12 | tr '\n' ' ')"
  for dir in $(node_cgroups); do
    name="${dir##*/isthmus-k3s-}"
    case " $live " in *" $name "*) continue ;; esac
    left+=("cgroup $dir (of a test node that is gone)")
  done
  if [ "${#left[@]}" -gt 0 ]; then
    log "the test environment left these behind (expected: nothing):"
    printf '  - %s\n' "${left[@]}" >&2
    return 1
  fi
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  check) check ;;
  *) die "command: ${1:-nothing} (expected: start HOLDER, stop HOLDER or check)" ;;
esac

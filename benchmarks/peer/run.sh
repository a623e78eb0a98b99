#!/usr/bin/env bash
# The peer benchmark: client → west proxy → mTLS → east proxy → backend, for
#   direct    the client straight at the backend (nginx returning a small JSON body)
#   haproxy   an HAProxy pair, HTTP/2 between the hops over mTLS, `http-reuse always`
#   nginx     an nginx pair, HTTP/1.1 keep-alive between the hops over mTLS
#   isthmus   an Isthmus pair, `isthmus gateway run` each: west's outbound listener → east's gateway
# or, with --mode tcp, pairs that relay bytes without reading HTTP, each client connection over an mTLS
# connection of its own (wrk only):
#   haproxy-tcp   an HAProxy pair in `mode tcp`
#   isthmus-tcp   an Isthmus pair: west's opaque outbound listener → east's gateway → an opaque service
# every proxy with one thread or worker, all with the same openssl-made certificates.
#
#   benchmarks/peer/run.sh [--mode http] [--duration 10s] [--warmup 40s] [--rounds 2] [--clients wrk,h2load]
#                          [--isthmus-jvm '-Xmx256m ...'] [--out DIR]
#
# Isthmus runs with the JVM flags of its Deployment (JAVA_TOOL_OPTIONS in deploy/multicluster/gateway.yaml),
# or those of --isthmus-jvm or ISTHMUS_JAVA_OPTS ('' for the JVM's own defaults).
#
# Run by hand, never in CI. Talks only to 127.0.0.1 on ports it picks, ends by itself and stops every
# process it started. Rounds alternate the order (direct, the pairs, then the reverse); Isthmus is
# warmed up first (the JIT), with the mode's load only. The table goes to stdout and to DIR/results-<time>.md
# (default DIR: benchmarks/target/peer). Missing tools are installed with apt-get when run as root.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../.." && pwd)
templates=$here/templates

mode=http
duration=10s
warmup=40s
rounds=2
clients=wrk,h2load
clients_given=false
# The gateway's JVM flags as deployed: JAVA_TOOL_OPTIONS of the Deployment in deploy/multicluster/gateway.yaml
# (a folded scalar under `value: >-`), so the pair runs with the collector and heap a cluster gives it.
manifest_jvm() {
  awk '/name: JAVA_TOOL_OPTIONS/ { found = 1; next }
       found && /value: >-/ { indent = match($0, /[^ ]/); folding = 1; next }
       folding { if (match($0, /[^ ]/) <= indent) exit; sub(/^ +/, ""); flags = flags (flags ? " " : "") $0 }
       END { print flags }' "$root/deploy/multicluster/gateway.yaml"
}
isthmus_jvm=${ISTHMUS_JAVA_OPTS-$(manifest_jvm)}
[ -n "${ISTHMUS_JAVA_OPTS+set}" ] || [ -n "$isthmus_jvm" ] \
  || { echo "run.sh: found no JAVA_TOOL_OPTIONS in $root/deploy/multicluster/gateway.yaml (expected the gateway's JVM flags there)" >&2; exit 1; }
out=$root/benchmarks/target/peer

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
seconds() {
  [[ $2 =~ ^[1-9][0-9]*s$ ]] || { echo "run.sh: $1: '$2' (expected whole seconds such as 10s)" >&2; exit 2; }
}
while [ $# -gt 0 ]; do
  case $1 in
    --mode) [[ ${2:-} =~ ^(http|tcp)$ ]] || { echo "run.sh: --mode: '${2:-}' (expected http or tcp)" >&2; exit 2; }
            mode=$2; shift 2 ;;
    --duration) seconds "$1" "${2:-}"; duration=$2; shift 2 ;;
    --warmup) seconds "$1" "${2:-}"; warmup=$2; shift 2 ;;
    --rounds) [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || { echo "run.sh: --rounds: '${2:-}' (expected 1 to 99)" >&2; exit 2; }
              rounds=$2; shift 2 ;;
    --clients) [[ ${2:-} =~ ^(wrk|h2load)(,(wrk|h2load))?$ ]] \
                 || { echo "run.sh: --clients: '${2:-}' (expected wrk, h2load or wrk,h2load)" >&2; exit 2; }
               clients=$2; clients_given=true; shift 2 ;;
    --isthmus-jvm) isthmus_jvm=${2:-}; shift 2 ;;
    --out) out=${2:?run.sh: --out needs a folder}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1 (expected one of --mode, --duration, --warmup, --rounds, --clients, --isthmus-jvm, --out)" >&2
       exit 2 ;;
  esac
done
if [ "$mode" = tcp ]; then
  # The TCP pairs relay to the backend's HTTP/1.1 port, where h2load's prior-knowledge HTTP/2 finds no server.
  [[ $clients != *h2load* ]] || [ "$clients_given" = false ] \
    || { echo "run.sh: --mode tcp measures HTTP/1.1 clients only (expected --clients wrk, got $clients)" >&2; exit 2; }
  clients=wrk
  pairs=(haproxy-tcp isthmus-tcp)
else
  pairs=(haproxy nginx isthmus)
fi

# --- tools -------------------------------------------------------------------------------------------
missing=()
for tool in haproxy:haproxy nginx:nginx-light wrk:wrk h2load:nghttp2-client openssl:openssl curl:curl; do
  command -v "${tool%%:*}" > /dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: missing packages: ${missing[*]} (expected them installed; run as root to have them installed)" >&2
    exit 1
  fi
  echo "run.sh: installing ${missing[*]} ..." >&2
  apt-get install -y -q "${missing[@]}" > /dev/null || { apt-get update -q > /dev/null && apt-get install -y -q "${missing[@]}" > /dev/null; }
fi
# bin/isthmus builds the CLI when it is missing or older than the sources; do that before any clock runs.
"$root/bin/isthmus" --version > /dev/null

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
run=$(mktemp -d "$out/run-$stamp-XXXX")
mkdir -p "$run/tmp" "$run/certs"
certs=$run/certs

# --- processes: every one started is stopped on the way out ------------------------------------------
started=()
stop_all() {
  local pid
  for pid in "${started[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${started[@]}"; do kill -0 "$pid" 2> /dev/null && alive=1; done
    [ $alive -eq 0 ] && return 0
    sleep 0.1
  done
  for pid in "${started[@]}"; do kill -KILL "$pid" 2> /dev/null || true; done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# start <name> <command...>: runs it in the background with its output in $run/<name>.log; sets $pid.
start() {
  local name=$1
  shift
  "$@" > "$run/$name.log" 2>&1 &
  pid=$!
  started+=("$pid")
}

# --- ports: free ones on 127.0.0.1, below the kernel's ephemeral range (where the clients' and the proxies'
# own connections take theirs), picked at random and checked against every socket using them -------------
read -r ephemeral _ < /proc/sys/net/ipv4/ip_local_port_range
lowest=10000
[ "$ephemeral" -gt $((lowest + 1000)) ] || lowest=1024
taken=" "
port() {
  local p
  for _ in $(seq 200); do
    p=$((lowest + RANDOM % (ephemeral - lowest)))
    if [[ $taken != *" $p "* ]] && [ -z "$(ss -Htan "sport = :$p")" ]; then
      echo "$p"
      return
    fi
  done
  echo "run.sh: found no free port between $lowest and $ephemeral (expected one in 200 tries)" >&2
  exit 1
}
backend_port=$(port); taken+="$backend_port "
backend_h2_port=$(port); taken+="$backend_h2_port "
declare -A west_port west_h2_port east_port
for pair in haproxy nginx isthmus haproxy-tcp; do
  west_port[$pair]=$(port); taken+="${west_port[$pair]} "
  west_h2_port[$pair]=$(port); taken+="${west_h2_port[$pair]} "
  east_port[$pair]=$(port); taken+="${east_port[$pair]} "
done
west_h2_port[isthmus]=${west_port[isthmus]}   # Isthmus's listener tells HTTP/1.1 from h2c by itself
west_tcp_port=$(port); taken+="$west_tcp_port "   # Isthmus's opaque listener, on the same west gateway
west_inbound_port=$(port); taken+="$west_inbound_port "
west_admin_port=$(port); taken+="$west_admin_port "
east_admin_port=$(port); taken+="$east_admin_port "

# --- certificates: an anchor, an issuer, a leaf per side (URI SAN: the gateway's identity) ------------
(
  cd "$certs"
  cnf=$templates/certs.cnf
  key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2> /dev/null; }
  key anchor.key
  openssl req -new -x509 -key anchor.key -subj /CN=root.isthmus.cluster.local -days 2 -config "$cnf" \
    -extensions anchor -out anchor.crt
  key issuer.key
  openssl req -new -key issuer.key -subj /CN=identity.isthmus.cluster.local -config "$cnf" \
    | openssl x509 -req -CA anchor.crt -CAkey anchor.key -CAcreateserial -days 2 -extfile "$cnf" -extensions issuer \
        -out issuer.crt 2> /dev/null
  for side in west east; do
    key "$side.key"
    SA=isthmus-gateway-$side openssl req -new -key "$side.key" -subj "/CN=isthmus-gateway-$side" -config "$cnf" \
      | SA=isthmus-gateway-$side openssl x509 -req -CA issuer.crt -CAkey issuer.key -CAcreateserial -days 1 \
          -extfile "$cnf" -extensions leaf -out "$side.crt" 2> /dev/null
    cat "$side.crt" issuer.crt > "$side-chain.crt"            # nginx, Isthmus: the chain, key apart
    cat "$side.crt" issuer.crt "$side.key" > "$side.pem"      # HAProxy: chain and key in one file
  done
  openssl verify -CAfile anchor.crt -untrusted issuer.crt west.crt east.crt > /dev/null
)

# render <template> <pair>: the template with its placeholders filled in, written into the run folder.
render() {
  local pair=${2:-none}
  sed -e "s#@RUN@#$run#g; s#@CERTS@#$certs#g" \
      -e "s#@BACKEND_PORT@#$backend_port#g; s#@BACKEND_H2_PORT@#$backend_h2_port#g" \
      -e "s#@WEST_PORT@#${west_port[$pair]:-}#g; s#@WEST_H2_PORT@#${west_h2_port[$pair]:-}#g" \
      -e "s#@EAST_PORT@#${east_port[$pair]:-}#g; s#@WEST_INBOUND_PORT@#$west_inbound_port#g" \
      -e "s#@WEST_ADMIN_PORT@#$west_admin_port#g; s#@EAST_ADMIN_PORT@#$east_admin_port#g" \
      -e "s#@WEST_TCP_PORT@#$west_tcp_port#g" \
      "$templates/$1" > "$run/$1"
  echo "$run/$1"
}

# ready <what> <url>: waits (at most 60 s) until a request to the url answers 200 with the backend's body.
ready() {
  for _ in $(seq 600); do
    if curl -fsS --max-time 1 "$2" 2> /dev/null | grep -q 'hello from east'; then return 0; fi
    for pid in "${started[@]}"; do
      kill -0 "$pid" 2> /dev/null || { echo "run.sh: process $pid ended early (expected it to serve; logs in $run)" >&2; exit 1; }
    done
    sleep 0.1
  done
  echo "run.sh: $1 did not answer $2 within 60 s (expected 200 from the backend; a port taken meanwhile? run again); logs in $run" >&2
  exit 1
}

# --- start everything ----------------------------------------------------------------------------------
declare -A pids
start backend nginx -p "$run" -e "$run/backend.err" -c "$(render backend.nginx.conf)"; backend_pid=$pid; pids[direct]=$pid
ready backend "http://127.0.0.1:$backend_port/"

if [ "$mode" = http ]; then
  start haproxy-east haproxy -db -f "$(render haproxy-east.cfg haproxy)"; east_pid=$pid
  start haproxy-west haproxy -db -f "$(render haproxy-west.cfg haproxy)"; pids[haproxy]="$pid $east_pid $backend_pid"

  start nginx-east nginx -p "$run" -e "$run/nginx-east.err" -c "$(render nginx-east.conf nginx)"; east_pid=$pid
  start nginx-west nginx -p "$run" -e "$run/nginx-west.err" -c "$(render nginx-west.conf nginx)"; pids[nginx]="$pid $east_pid $backend_pid"
else
  start haproxy-tcp-east haproxy -db -f "$(render haproxy-tcp-east.cfg haproxy-tcp)"; east_pid=$pid
  start haproxy-tcp-west haproxy -db -f "$(render haproxy-tcp-west.cfg haproxy-tcp)"; pids[haproxy-tcp]="$pid $east_pid $backend_pid"
fi

render isthmus-east-routes.yaml isthmus > /dev/null
render isthmus-west-routes.yaml isthmus > /dev/null
export ISTHMUS_JAVA_OPTS=$isthmus_jvm
start isthmus-east "$root/bin/isthmus" gateway run --config "$(render isthmus-east.yaml isthmus)"; east_pid=$pid
start isthmus-west "$root/bin/isthmus" gateway run --config "$(render isthmus-west.yaml isthmus)"; pids[isthmus]="$pid $east_pid $backend_pid"
pids[isthmus-tcp]=${pids[isthmus]}

declare -A url h2url
url[direct]=http://127.0.0.1:$backend_port/
h2url[direct]=http://127.0.0.1:$backend_h2_port/
for pair in haproxy nginx isthmus haproxy-tcp; do
  url[$pair]=http://127.0.0.1:${west_port[$pair]}/
  h2url[$pair]=http://127.0.0.1:${west_h2_port[$pair]}/
done
url[isthmus-tcp]=http://127.0.0.1:$west_tcp_port/
for pair in "${pairs[@]}"; do
  ready "the $pair pair" "${url[$pair]}"
done
isthmus=${pairs[-1]}   # the Isthmus pair of this mode

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "peer benchmark ($mode): $(nproc) cores, load average $load; $rounds round(s) of ${duration} per case;" \
     "Isthmus warmed up for $warmup; run folder $run" >&2
echo "warming up Isthmus ($warmup) ..." >&2
wrk -t1 -c32 -d"$warmup" "${url[$isthmus]}" > "$run/warmup.wrk" 2>&1
if [[ $clients == *h2load* ]]; then
  h2load -t1 -c4 -m8 -D 5 "${h2url[isthmus]}" > "$run/warmup.h2load" 2>&1
fi

# --- measure: rounds alternate the order --------------------------------------------------------------
results=$run/results.tsv
: > "$results"
order=(direct "${pairs[@]}")
reverse=()
for ((k = ${#order[@]} - 1; k >= 0; k--)); do reverse+=("${order[k]}"); done
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 0 ]; then cases=("${reverse[@]}"); else cases=("${order[@]}"); fi
  for client in ${clients//,/ }; do
    for c in "${cases[@]}"; do
      if [ "$client" = wrk ]; then target=${url[$c]}; else target=${h2url[$c]}; fi
      # shellcheck disable=SC2086 # the pids are a list
      line=$("$here/measure.sh" "$client" "$target" "$duration" "$run/$c-$client-$round" ${pids[$c]})
      printf '%s\t%s\t%s\t%s\n' "$client" "$round" "$c" "$line" >> "$results"
      echo "  round $round, $client, $c: $line" >&2
    done
  done
done

# --- the table: ranges over the rounds; ratios against HAProxy's figures of the same round -------------
table=$out/results-$stamp.md
{
  echo "## Peer benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "client → west → mTLS → east → backend on 127.0.0.1; $(nproc) cores, load average $load at the start;"
  echo "HAProxy $(haproxy -v | awk 'NR == 1 { print $3 }'), nginx $(nginx -v 2>&1 | sed 's#.*/##'), Isthmus at $(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo '?')" \
       "(JVM flags: ${isthmus_jvm:-none}, warmed up $warmup); ${duration} per case, $rounds round(s) in alternating order."
  echo "CPU per request: user + system time of the proxy processes, all their threads (west + east; direct: the backend), over the requests served;"
  echo "'kernel' is the part spent in system calls (mostly loopback TCP), the same work for every proxy that makes the same calls;"
  echo "'JIT' is the part the JVM's compiler threads took: well above 0, Isthmus was still warming up."
  echo "Ratios are against HAProxy in the same round (min–max over the rounds); 'others' is how many cores everything else on the machine kept busy during the case (above ~0.2 the machine was shared)."
  if [ "$mode" = tcp ]; then
    echo "--mode tcp: the pairs relay bytes without reading HTTP, one mTLS connection per client connection (no multiplexing between the hops)."
  fi
  for client in ${clients//,/ }; do
    echo
    if [ "$client" = wrk ]; then
      echo "### HTTP/1.1 clients: wrk, 1 thread, 32 keep-alive connections"
    else
      echo "### HTTP/2 clients (h2c): h2load, 1 thread, 4 connections × 8 streams"
    fi
    echo
    echo "| path | req/s | p50 ms | p99 ms | CPU µs/req (west + east) | req/s ÷ HAProxy | p99 ÷ HAProxy | CPU ÷ HAProxy | failed | others |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' -v client="$client" -v base="${pairs[0]}" '
      # "lo–hi" in the given format, or one figure when both print the same.
      function range(key, fmt) {
        if (!(key in lo)) return "–"
        return sprintf(fmt, lo[key]) (sprintf(fmt, lo[key]) == sprintf(fmt, hi[key]) ? "" : "–" sprintf(fmt, hi[key]))
      }
      function widen(key, v) { if (!(key in lo) || v < lo[key]) lo[key] = v; if (!(key in hi) || v > hi[key]) hi[key] = v }
      $1 == client {
        r = $2; c = $3; seen[c] = 1; rounds[r] = 1
        # direct: the backend; a pair: west, east (and the backend, left out: the same work in every case)
        n = split($8, cpu, ","); sum = n > 1 ? cpu[1] + cpu[2] : cpu[1]
        if (n > 1) { widen(c " west", cpu[1]); widen(c " east", cpu[2]) }
        n = split($11, sys, ","); widen(c " sys", n > 1 ? sys[1] + sys[2] : sys[1])
        widen(c " rps", $4); widen(c " p50", $5); widen(c " p99", $6); widen(c " cpu", sum); widen(c " busy", $9); widen(c " jit", $10)
        failed[c] += $7
        rps[c, r] = $4; p99[c, r] = $6; cost[c, r] = sum
      }
      END {
        for (c in seen) for (r in rounds) {
          if (!((c, r) in rps) || !((base, r) in rps) || rps[base, r] == 0) continue
          widen(c " rps/h", rps[c, r] / rps[base, r])
          if (p99[base, r] > 0) widen(c " p99/h", p99[c, r] / p99[base, r])
          if (cost[base, r] > 0) widen(c " cpu/h", cost[c, r] / cost[base, r])
        }
        name["direct"] = "direct to the backend"
        name["haproxy"] = "HAProxy pair (h2 between, http-reuse always)"
        name["nginx"] = "nginx pair (HTTP/1.1 keep-alive between)"
        name["isthmus"] = "**Isthmus pair** (gateway run, ioThreads: 1)"
        name["haproxy-tcp"] = "HAProxy TCP pair (mode tcp, a connection each)"
        name["isthmus-tcp"] = "**Isthmus TCP pair** (opaque, a connection each)"
        n = split("direct haproxy nginx isthmus haproxy-tcp isthmus-tcp", cases, " ")
        for (k = 1; k <= n; k++) {
          c = cases[k]
          if (!(c in seen)) continue
          cpu_col = range(c " cpu", "%.1f")
          if ((c " west") in lo) cpu_col = cpu_col " (" range(c " west", "%.1f") " + " range(c " east", "%.1f") ")"
          if ((c " sys") in lo) cpu_col = cpu_col ", kernel " range(c " sys", "%.1f")
          if (hi[c " jit"] > 0) cpu_col = cpu_col ", JIT " range(c " jit", "%.1f")
          printf "| %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |\n", name[c], range(c " rps", "%.0f"),
            range(c " p50", "%.2f"), range(c " p99", "%.2f"), cpu_col, range(c " rps/h", "%.2f"), range(c " p99/h", "%.2f"),
            range(c " cpu/h", "%.2f"), failed[c], range(c " busy", "%.2f")
        }
      }' "$results"
  done
  echo
  echo "Isthmus during its warm-up (wrk, the first $warmup after start): $(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$run/warmup.wrk") req/s."
  echo
  echo "Command: benchmarks/peer/run.sh --mode $mode --duration $duration --warmup $warmup --rounds $rounds --clients $clients"
} | tee "$table"
echo "run.sh: table written to $table; raw figures in $results" >&2

#!/usr/bin/env bash
# Measures one case of the peer benchmark: drives <url> with a load generator for <duration> and reads
# the CPU time of the given processes (/proc/<pid>/stat, all their threads) around the window.
#
#   measure.sh wrk|h2load <url> <duration> <log-prefix> <pid>...
#
# Prints one tab-separated line:
#   requests/s  p50 ms  p99 ms  failed requests  CPU µs per request of each pid (comma-separated)
#   cores kept busy by everything else (the machine's busy time less the pids' and the generator's)
#   CPU µs per request of the pids' JIT compiler threads, summed (part of their figures; 0 for C programs)
#   system (kernel) CPU µs per request of each pid, comma-separated (part of their figures): the socket
#   calls' share, which a proxy's own code cannot shrink below what its system calls cost
# The load is fixed here so every case gets the same: wrk with 1 thread and 32 keep-alive connections
# (HTTP/1.1); h2load with 1 thread, 4 connections and 8 streams in flight on each (HTTP/2 without TLS,
# prior knowledge): the same 32 requests in flight. The generator's own output is kept in <log-prefix>.*.
set -euo pipefail

if [ $# -lt 5 ]; then
  echo "usage: measure.sh wrk|h2load <url> <duration> <log-prefix> <pid>... (got $# arguments)" >&2
  exit 2
fi
client=$1 url=$2 duration=$3 log=$4
shift 4
pids=("$@")
ticks_per_s=$(getconf CLK_TCK)

# utime + stime of a process in clock ticks. The command name (field 2) may hold spaces, so the
# fields are counted after its closing parenthesis: utime and stime are the 12th and 13th there.
cpu_ticks() {
  local stat
  stat=$(< "/proc/$1/stat") || { echo "measure.sh: process $1 is gone (expected it to run during the case)" >&2; exit 1; }
  stat=${stat##*) }
  awk '{ print $12 + $13 }' <<< "$stat"
}

# stime alone: the ticks the process spent in the kernel.
sys_ticks() {
  local stat
  stat=$(< "/proc/$1/stat") || { echo "measure.sh: process $1 is gone (expected it to run during the case)" >&2; exit 1; }
  stat=${stat##*) }
  awk '{ print $13 }' <<< "$stat"
}

# CPU ticks of a JVM's JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre"): while they are busy,
# the JVM is still warming up. A process without them has none.
jit_ticks() {
  local task name stat sum=0
  for task in /proc/"$1"/task/*; do
    { read -r name < "$task/comm"; } 2> /dev/null || continue    # a thread may end meanwhile
    [[ $name == C[12]\ Compiler* ]] || continue
    { read -r stat < "$task/stat"; } 2> /dev/null || continue
    stat=${stat##*) }
    sum=$((sum + $(awk '{ print $12 + $13 }' <<< "$stat")))
  done
  echo "$sum"
}

# CPU ticks of this script's finished children: the load generator, mostly.
children_ticks() {
  local stat
  stat=$(< "/proc/$$/stat")
  stat=${stat##*) }
  awk '{ print $14 + $15 }' <<< "$stat"
}

# Busy and total jiffies of the whole machine, summed over its cores (first line of /proc/stat).
machine() {
  awk '/^cpu / { total = 0; for (i = 2; i <= NF; i++) total += $i; print total - $5 - $6, total; exit }' /proc/stat
}

# A wrk latency such as 812.00us, 1.23ms or 1.02s, in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else { sub(/s$/, "", v); printf "%.3f", v * 1000 }
  }'
}

before=()
sys_before=()
jit_before=0
for pid in "${pids[@]}"; do
  before+=("$(cpu_ticks "$pid")")
  sys_before+=("$(sys_ticks "$pid")")
  jit_before=$((jit_before + $(jit_ticks "$pid")))
done
generator0=$(children_ticks)
read -r busy0 total0 < <(machine)

case $client in
  wrk)
    wrk -t1 -c32 -d"$duration" --latency "$url" > "$log.wrk" 2>&1
    requests=$(awk '/requests in/ { print $1; exit }' "$log.wrk")
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$log.wrk")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$log.wrk")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$log.wrk")")
    # wrk counts a request that got no answer as a socket error, and any status but 2xx/3xx apart.
    failed=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
                  /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
                  END { print n + 0 }' "$log.wrk")
    ;;
  h2load)
    seconds=${duration%s}
    h2load -t1 -c4 -m8 -D "$seconds" --log-file="$log.requests" "$url" > "$log.h2load" 2>&1
    requests=$(awk '/^requests:/ { print $8; exit }' "$log.h2load")   # succeeded
    rps=$(awk '/^finished in/ { gsub(/,/, ""); printf "%.0f", $4; exit }' "$log.h2load")
    failed=$(awk '/^requests:/ { print $10 + $12 + $14; exit }' "$log.h2load")
    # h2load prints no percentiles; its per-request log has the duration (µs) in the third column.
    read -r p50 p99 < <(cut -f3 "$log.requests" | sort -n | awk '{ d[NR] = $1 }
        END { if (NR == 0) { print "nan nan"; exit }
              i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
              printf "%.3f %.3f\n", d[i50] / 1000, d[i99] / 1000 }')
    rm -f "$log.requests"
    ;;
  *)
    echo "measure.sh: client: $client (expected: wrk or h2load)" >&2
    exit 2
    ;;
esac

read -r busy1 total1 < <(machine)
generator=$(($(children_ticks) - generator0))
if [ -z "${requests:-}" ] || [ "$requests" -eq 0 ]; then
  echo "measure.sh: $client against $url completed no request (expected some; see $log.$client)" >&2
  exit 1
fi

cpu=()
sys=()
ours=$generator
jit=$((0 - jit_before))
for i in "${!pids[@]}"; do
  jit=$((jit + $(jit_ticks "${pids[$i]}")))
  after=$(cpu_ticks "${pids[$i]}")
  ours=$((ours + after - before[i]))
  cpu+=("$(awk -v d=$((after - before[i])) -v hz="$ticks_per_s" -v n="$requests" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')")
  sys+=("$(awk -v d=$(($(sys_ticks "${pids[$i]}") - sys_before[i])) -v hz="$ticks_per_s" -v n="$requests" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')")
done
# /proc/stat counts jiffies per core, so the busy share of the total times the cores is cores busy.
others=$(awk -v b=$((busy1 - busy0 - ours)) -v t=$((total1 - total0)) -v n="$(nproc)" 'BEGIN { v = t ? b / t * n : 0; printf "%.2f", v < 0 ? 0 : v }')

jit=$(awk -v d=$((jit < 0 ? 0 : jit)) -v hz="$ticks_per_s" -v n="$requests" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')

(IFS=,; printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rps" "$p50" "$p99" "$failed" "${cpu[*]}" "$others" "$jit" "${sys[*]}")

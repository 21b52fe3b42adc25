#!/usr/bin/env bash
# perfkit's token-bucket check against the gateway-style script on Boot's Lettuce client
# (observation kept), in alternated pairs so that drifts of a shared host fall on both
# sides alike. Prints one line per run (throughput and Redis µs per EVALSHA) and, per
# thread count, the ratio of the means and the median of the pairwise ratios.
#
#   perfkit-benchmarks/ratelimit-pairs.sh [pairs] [redis port]
#
# Expects perfkit-benchmarks/target/benchmarks.jar (mvn -q -pl perfkit-benchmarks -am
# package -DskipTests) and a Redis on the port (default 6379) whose statistics it resets.
set -euo pipefail
pairs=${1:-5}
port=${2:-6379}
jar=$(dirname "$0")/target/benchmarks.jar
jmh_args=${JMH_ARGS:--f 1 -wi 5 -i 5 -w 2s -r 2s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for threads in 1 64; do
  for ((pair = 1; pair <= pairs; pair++)); do
    for side in perfkit gatewayScript; do
      bench="${side}BootRedis${threads}Thread"
      [[ $threads == 64 ]] && bench="${bench}s"
      redis-cli -p "$port" config resetstat >/dev/null
      score=$(java -Dredis.port="$port" -jar "$jar" "RateLimitBenchmark.$bench\$" $jmh_args 2>&1 \
        | awk -v b="$bench" '$1 ~ "\\." b "$" { print $4 }')
      usec=$(redis-cli -p "$port" info commandstats | awk -F'[=,]' '/^cmdstat_evalsha:/ { print $6 }')
      echo "$threads $side $pair $score $usec $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out"
    done
  done
done
echo "threads side pair ops/s redis-usec-per-call load1 (above); summary:"
python3 - "$out" <<'PY'
import sys, statistics
rows = [line.split() for line in open(sys.argv[1])]
for threads in ("1", "64"):
    p = [(float(r[3]), float(r[4])) for r in rows if r[0] == threads and r[1] == "perfkit"]
    g = [(float(r[3]), float(r[4])) for r in rows if r[0] == threads and r[1] == "gatewayScript"]
    if not p or not g:
        continue
    ratios = [a[0] / b[0] for a, b in zip(p, g)]
    print(f"{threads} thread(s): perfkit {statistics.mean(x for x, _ in p):,.0f} ops/s, "
          f"gateway {statistics.mean(x for x, _ in g):,.0f} ops/s, ratio of means "
          f"{statistics.mean(x for x, _ in p) / statistics.mean(x for x, _ in g):.3f}, "
          f"median pairwise ratio {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f}); "
          f"Redis µs per call {statistics.mean(u for _, u in p):.2f} vs {statistics.mean(u for _, u in g):.2f}")
PY

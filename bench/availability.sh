#!/bin/sh
# Benchmark: GET /v1/offices/kasugai-main/availability for 31 days next to GET
# /healthz, on the same daemon in the same run (wrk, keep-alive connections on
# loopback). Reports requests/s, p50/p99 latency, the availability/healthz
# throughput ratio, and the daemon's peak RSS with every shipped config loaded.
#
#   bench/availability.sh [SECONDS] [CONNECTIONS]      (defaults: 10 s, 32)
#
# BENCH_MUNICIPALITIES=DIR loads DIR/*.yaml instead of the shipped municipality
# files (bench/scale.sh uses it; DIR must have kasugai.yaml).
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
conns=${2:-32}

bench_need_wrk
make -s all

bench_setup madoguchi-bench 2026-12-01T09:00:00+09:00
# The shipped offices without a rate limit: wrk comes from one address.
bench_config "$tmp/bench.yaml" "${BENCH_MUNICIPALITIES:-$(pwd)/config/municipalities}/*.yaml"
bench_migrate "$tmp/bench.yaml"
port=$(bench_port)
pid=
bench_daemon pid "$tmp/bench.yaml" "$port"

# Some places taken, so the counts query returns rows.
psql -q "$MADOGUCHI_DATABASE_URL" -c "INSERT INTO slot_usage (municipality, office, service,
  starts_at, capacity, booked) SELECT 'kasugai', 'kasugai-main', 'ecert_renewal',
  t, 2, 1 FROM generate_series('2026-12-02 08:30+09'::timestamptz,
  '2026-12-31 16:30+09', '30 minutes') t WHERE extract(hour FROM t) BETWEEN 8 AND 16"

avail="/v1/offices/kasugai-main/availability?service=ecert_renewal&from=2026-12-01&to=2026-12-31"
curl -sf "http://127.0.0.1:$port$avail" -o "$tmp/avail.json"
days=$(grep -o '"date"' "$tmp/avail.json" | wc -l)
slots=$(grep -o '"start"' "$tmp/avail.json" | wc -l)

# Runs wrk and prints "requests/s p50 p99 non-2xx daemon-us-per-request" (latencies in ms).
run() {
	c0=$(bench_ticks "$pid")
	wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port$1" >"$tmp/wrk.txt"
	c1=$(bench_ticks "$pid")
	bench_wrk "$tmp/wrk.txt" | awk -v c0="$c0" -v c1="$c1" \
	    '{ printf "%s %s %s %s %.0f\n", $1, $2, $3, $4, (c1 - c0) * 10000 / $5 }'
}

set -- $(run /healthz)
h_rps=$1 h_p50=$2 h_p99=$3 h_bad=$4 h_cpu=$5
set -- $(run "$avail")
a_rps=$1 a_p50=$2 a_p99=$3 a_bad=$4 a_cpu=$5
rss=$(bench_rss "$pid")
ratio=$(awk -v a="$a_rps" -v h="$h_rps" 'BEGIN { printf "%.2f", a / h }')

cratio=$(awk -v a="$a_cpu" -v h="$h_cpu" 'BEGIN { printf "%.2f", h / a }')
echo "madoguchi availability benchmark ($(nproc) cores, wrk -t1 -c$conns -d${secs}s, $(date -u +%Y-%m-%d))"
printf '%-44s %8s %8s %8s %8s %12s\n' endpoint "req/s" "p50 ms" "p99 ms" non-2xx "daemon us/req"
printf '%-44s %8s %8s %8s %8s %12s\n' "GET /healthz" "$h_rps" "$h_p50" "$h_p99" "$h_bad" "$h_cpu"
printf '%-44s %8s %8s %8s %8s %12s\n' "GET availability ($days days, $slots slots)" \
    "$a_rps" "$a_p50" "$a_p99" "$a_bad" "$a_cpu"
echo "ratio availability/healthz: $ratio in requests/s, $cratio in daemon CPU per request (goal >= 0.5)"
echo "daemon peak RSS (VmHWM), $(ls "${BENCH_MUNICIPALITIES:-config/municipalities}"/*.yaml | wc -l) municipality files loaded: $((rss / 1024)) MiB ($rss KiB)"

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
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}

command -v wrk >/dev/null 2>&1 || { ./deploy/deps.sh; apt-get install -y -qq wrk >/dev/null; }
make -s all

tmp=$(mktemp -d /tmp/madoguchi-bench.XXXXXX)
chmod 755 "$tmp"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	./deploy/devdb.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

export MADOGUCHI_DATABASE_URL="$(DEVDB_FSYNC=off ./deploy/devdb.sh start "$tmp/pg")"
export MADOGUCHI_NOW=2026-12-01T09:00:00+09:00
export MADOGUCHI_TOKEN_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# The shipped offices without a rate limit: wrk comes from one address.
cat >"$tmp/bench.yaml" <<EOF
ratelimit: {per_minute: 60000000, burst: 1000000}
include:
  - ${BENCH_MUNICIPALITIES:-$(pwd)/config/municipalities}/*.yaml
EOF
./server/madoguchid -c "$tmp/bench.yaml" --migrate 2>/dev/null
port=$(( 20000 + $$ % 20000 ))
./server/madoguchid -c "$tmp/bench.yaml" --listen 127.0.0.1:$port 2>"$tmp/daemon.log" &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# Some places taken, so the counts query returns rows.
psql -q "$MADOGUCHI_DATABASE_URL" -c "INSERT INTO slot_usage (municipality, office, service,
  starts_at, capacity, booked) SELECT 'kasugai', 'kasugai-main', 'ecert_renewal',
  t, 2, 1 FROM generate_series('2026-12-02 08:30+09'::timestamptz,
  '2026-12-31 16:30+09', '30 minutes') t WHERE extract(hour FROM t) BETWEEN 8 AND 16"

avail="/v1/offices/kasugai-main/availability?service=ecert_renewal&from=2026-12-01&to=2026-12-31"
curl -sf "http://127.0.0.1:$port$avail" -o "$tmp/avail.json"
days=$(grep -o '"date"' "$tmp/avail.json" | wc -l)
slots=$(grep -o '"start"' "$tmp/avail.json" | wc -l)

# Runs wrk and prints "requests/s p50 p99" (latencies in ms).
run() {
	c0=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
	wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port$1" >"$tmp/wrk.txt"
	c1=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
	awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	/Requests\/sec/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/Non-2xx/ { bad = $NF }
	/requests in/ { n = $1 }
	END { printf "%.0f %.2f %.2f %s %.0f\n", rps, p50, p99, bad == "" ? 0 : bad,
	    (c1 - c0) * 10000 / n }' c0="$c0" c1="$c1" "$tmp/wrk.txt"
}

set -- $(run /healthz)
h_rps=$1 h_p50=$2 h_p99=$3 h_bad=$4 h_cpu=$5
set -- $(run "$avail")
a_rps=$1 a_p50=$2 a_p99=$3 a_bad=$4 a_cpu=$5
rss=$(awk '/VmHWM/ { print $2 }' /proc/$pid/status)
ratio=$(awk -v a="$a_rps" -v h="$h_rps" 'BEGIN { printf "%.2f", a / h }')

cratio=$(awk -v a="$a_cpu" -v h="$h_cpu" 'BEGIN { printf "%.2f", h / a }')
echo "madoguchi availability benchmark ($(nproc) cores, wrk -t1 -c$conns -d${secs}s, $(date -u +%Y-%m-%d))"
printf '%-44s %8s %8s %8s %8s %12s\n' endpoint "req/s" "p50 ms" "p99 ms" non-2xx "daemon us/req"
printf '%-44s %8s %8s %8s %8s %12s\n' "GET /healthz" "$h_rps" "$h_p50" "$h_p99" "$h_bad" "$h_cpu"
printf '%-44s %8s %8s %8s %8s %12s\n' "GET availability ($days days, $slots slots)" \
    "$a_rps" "$a_p50" "$a_p99" "$a_bad" "$a_cpu"
echo "ratio availability/healthz: $ratio in requests/s, $cratio in daemon CPU per request (goal >= 0.5)"
echo "daemon peak RSS (VmHWM), $(ls "${BENCH_MUNICIPALITIES:-config/municipalities}"/*.yaml | wc -l) municipality files loaded: $((rss / 1024)) MiB ($rss KiB)"

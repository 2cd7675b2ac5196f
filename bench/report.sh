#!/bin/sh
# Benchmark: one year of one office's history (about 60,000 tickets, generated)
# imported through POST /v1/offices/kasugai-main/history, then the load report
# over the whole year, all services and one, JSON and CSV, timed from the client
# (best and median of RUNS), with the statement's own time from EXPLAIN ANALYZE.
#
#   bench/report.sh [RUNS]      (default 20)
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
runs=${1:-20}
make -s all

bench_setup madoguchi-bench 2027-01-05T09:00:00+09:00
bench_config "$tmp/bench.yaml" "$(pwd)/config/municipalities/*.yaml" "http: {request_deadline_s: 60}"
bench_migrate "$tmp/bench.yaml"
token=$(bench_token "$tmp/bench.yaml" manager kasugai-main)
port=$(bench_port)
bench_daemon pid "$tmp/bench.yaml" "$port"

# 2026: every weekday, about 240 tickets a day (Mondays busier), 9:00-17:00.
bench_history "$tmp/history.csv" 2026 7
rows=$(( $(wc -l <"$tmp/history.csv") - 1 ))
bytes=$(wc -c <"$tmp/history.csv")
url="http://127.0.0.1:$port"
imp=$(curl -s -o "$tmp/import.json" -w '%{time_total}' -H "Authorization: Bearer $token" \
	-H 'Content-Type: text/csv' --data-binary @"$tmp/history.csv" "$url/v1/offices/kasugai-main/history")
echo "import: $rows rows, $bytes bytes: $(cat "$tmp/import.json") in ${imp}s"
again=$(curl -s -o "$tmp/import2.json" -w '%{time_total}' -H "Authorization: Bearer $token" \
	-H 'Content-Type: text/csv' --data-binary @"$tmp/history.csv" "$url/v1/offices/kasugai-main/history")
echo "import again: $(cat "$tmp/import2.json") in ${again}s"
# While an import is checked, the loop keeps answering: GET /v1/offices (no database)
# during a third one.
quiet=$(for _ in $(seq 30); do curl -s -o /dev/null -w "%{time_total}\n" "$url/v1/offices"; done |
	sort -n | tail -1)
curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: text/csv' \
	--data-binary @"$tmp/history.csv" "$url/v1/offices/kasugai-main/history" &
cpid=$!
worst=$(for _ in $(seq 30); do curl -s -o /dev/null -w "%{time_total}\n" "$url/v1/offices"; done |
	sort -n | tail -1)
wait $cpid
echo "slowest of 30 GET /v1/offices: $(awk -v a="$quiet" -v b="$worst" \
	'BEGIN { printf "%.1f ms alone, %.1f ms during an import", a * 1000, b * 1000 }')"
psql -q "$MADOGUCHI_DATABASE_URL" -c "VACUUM ANALYZE tickets"

# Prints "best median" of RUNS client-side times of GET path (with extra curl args), in ms.
timeit() {
	path=$1; shift
	bench_timeit "$runs" "$url$path" -H "Authorization: Bearer $token" "$@"
}
year="/v1/reports/load?office=kasugai-main&from=2026-01-01&to=2026-12-31"
echo "load report, one year, all services (JSON): $(timeit "$year")"
echo "load report, one year, all services (CSV):  $(timeit "$year" -H 'Accept: text/csv')"
echo "load report, one year, pin_reset (JSON):    $(timeit "$year&service=pin_reset")"
echo "load report, one month (JSON):              $(timeit "/v1/reports/load?office=kasugai-main&from=2026-06-01&to=2026-06-30")"
curl -s -H "Authorization: Bearer $token" "$url$year" -o "$tmp/report.json"
echo "report: $(wc -c <"$tmp/report.json") bytes, $(grep -o '"date"' "$tmp/report.json" | wc -l) days"

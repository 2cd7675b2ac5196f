#!/bin/sh
# Benchmark: reports at scale. Two years (2025 and 2026) of ticket history for
# the first OFFICES shipped offices (default 13: about 230 tickets a weekday
# each, a million tickets in all), imported through POST
# /v1/offices/{office}/history a year at a time, then the load report over two
# years, one year and one month of one office, and the estimates report, timed
# from the client (best and median of RUNS) while the tickets table holds them all.
#
#   bench/report_scale.sh [RUNS] [OFFICES]      (defaults: 10, 13)
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
runs=${1:-10}
noffices=${2:-13}
make -s all

bench_setup madoguchi-bench 2027-01-05T09:00:00+09:00
bench_config "$tmp/bench.yaml" "$(pwd)/config/municipalities/*.yaml" "http: {request_deadline_s: 120}"
bench_migrate "$tmp/bench.yaml"
port=$(bench_port)
url="http://127.0.0.1:$port"
bench_daemon pid "$tmp/bench.yaml" "$port"

# The offices and their municipalities, in the configuration's order; a manager
# token for each municipality's offices.
# Only offices offering the five services the history has.
curl -sf "$url/v1/offices" | python3 -c '
import json, sys
want = {"ecert_renewal", "card_application", "card_pickup", "pin_reset", "address_change"}
for o in json.load(sys.stdin)["offices"]:
    ids = {s if isinstance(s, str) else s.get("id") for s in o["services"]}
    if want <= ids:
        print(o["id"] + "\t" + o["municipality"])' | head -n "$noffices" >"$tmp/offices"
for m in $(cut -f2 "$tmp/offices" | sort -u); do
	# shellcheck disable=SC2046
	bench_token "$tmp/bench.yaml" manager $(awk -v m="$m" '$2 == m { print $1 }' "$tmp/offices") \
	    >"$tmp/token.$m"
done

# One office-year of history a year: every weekday, about 225 tickets (Mondays 300), 9:00-17:00.
bench_history "$tmp/history.2025.csv" 2025 2025
bench_history "$tmp/history.2026.csv" 2026 2026

t0=$(bench_now)
while read -r office muni; do
	for year in 2025 2026; do
		code=$(curl -s -o "$tmp/import.json" -w '%{http_code}' \
		    -H "Authorization: Bearer $(cat "$tmp/token.$muni")" -H 'Content-Type: text/csv' \
		    --data-binary @"$tmp/history.$year.csv" "$url/v1/offices/$office/history")
		[ "$code" = 200 ] || [ "$code" = 201 ] ||
		    { echo "bench: import for $office $year: $code $(cat "$tmp/import.json")" >&2; exit 1; }
	done
done <"$tmp/offices"
t1=$(bench_now)
psql -qX "$MADOGUCHI_DATABASE_URL" -c "VACUUM ANALYZE tickets"
tickets=$(bench_sql "SELECT count(*) FROM tickets")
size=$(bench_sql "SELECT pg_size_pretty(pg_total_relation_size('tickets'))")

set -- $(head -n 1 "$tmp/offices")
office=$1 token=$(cat "$tmp/token.$2")
# Prints "best median" of RUNS client-side times of GET path (with extra curl args), in ms.
timeit() {
	path=$1; shift
	bench_timeit "$runs" "$url$path" -H "Authorization: Bearer $token" "$@"
}
echo "madoguchi reports at scale ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo "history: $(wc -l <"$tmp/offices") offices x 2 years imported in" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s", b - a }'); tickets table: $tickets rows, $size"
echo "load report of $office, two years (JSON): $(timeit "/v1/reports/load?office=$office&from=2025-01-01&to=2026-12-31")"
echo "load report of $office, one year (JSON):  $(timeit "/v1/reports/load?office=$office&from=2026-01-01&to=2026-12-31")"
echo "load report of $office, one year (CSV):   $(timeit "/v1/reports/load?office=$office&from=2026-01-01&to=2026-12-31" -H 'Accept: text/csv')"
echo "load report of $office, one month (JSON): $(timeit "/v1/reports/load?office=$office&from=2026-06-01&to=2026-06-30")"
echo "estimates report of $office, one month:   $(timeit "/v1/reports/estimates?office=$office&from=2026-06-01&to=2026-06-30")"

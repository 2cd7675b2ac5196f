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
cd "$(dirname "$0")/.."
runs=${1:-10}
noffices=${2:-13}
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
export MADOGUCHI_NOW=2027-01-05T09:00:00+09:00
export MADOGUCHI_TOKEN_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat >"$tmp/bench.yaml" <<CONFIG
ratelimit: {per_minute: 60000000, burst: 1000000}
http: {request_deadline_s: 120}
include:
  - $(pwd)/config/municipalities/*.yaml
CONFIG
./server/madoguchid -c "$tmp/bench.yaml" --migrate 2>/dev/null
port=$(( 20000 + $$ % 20000 ))
url="http://127.0.0.1:$port"
./server/madoguchid -c "$tmp/bench.yaml" --listen 127.0.0.1:$port 2>"$tmp/daemon.log" &
pid=$!
for _ in $(seq 50); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done

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
	./server/madoguchid -c "$tmp/bench.yaml" --create-token manager \
	    $(awk -v m="$m" '$2 == m { print $1 }' "$tmp/offices") 2>/dev/null | tail -n 1 >"$tmp/token.$m"
done

# One office-year of history: every weekday, about 225 tickets (Mondays 300), 9:00-17:00.
python3 - "$tmp" <<'GENERATE'
import datetime, random, sys
svcs = ["ecert_renewal", "card_application", "card_pickup", "pin_reset", "address_change"]
tz = datetime.timezone(datetime.timedelta(hours=9))
for year in (2025, 2026):
    random.seed(year)
    f = open("%s/history.%d.csv" % (sys.argv[1], year), "w", newline="")
    f.write("issued_at,service,kind,called_at,done_at,status\r\n")
    d = datetime.date(year, 1, 1)
    while d.year == year:
        if d.weekday() < 5:
            n = int(random.gauss(300 if d.weekday() == 0 else 225, 25))
            for _ in range(n):
                t = datetime.datetime(d.year, d.month, d.day, 9, tzinfo=tz) + \
                    datetime.timedelta(seconds=random.randrange(8 * 3600))
                if random.random() < 0.06:
                    f.write("%s,%s,walk_in,,,no_show\r\n" % (t.isoformat(), random.choice(svcs)))
                    continue
                c = t + datetime.timedelta(seconds=random.randrange(75 * 60))
                e = c + datetime.timedelta(seconds=random.randrange(180, 1500))
                f.write("%s,%s,%s,%s,%s,done\r\n" % (t.isoformat(), random.choice(svcs),
                    random.choice(["walk_in", "reservation"]), c.isoformat(), e.isoformat()))
        d += datetime.timedelta(days=1)
GENERATE

t0=$(date +%s.%N)
while read -r office muni; do
	for year in 2025 2026; do
		code=$(curl -s -o "$tmp/import.json" -w '%{http_code}' \
		    -H "Authorization: Bearer $(cat "$tmp/token.$muni")" -H 'Content-Type: text/csv' \
		    --data-binary @"$tmp/history.$year.csv" "$url/v1/offices/$office/history")
		[ "$code" = 200 ] || [ "$code" = 201 ] ||
		    { echo "bench: import for $office $year: $code $(cat "$tmp/import.json")" >&2; exit 1; }
	done
done <"$tmp/offices"
t1=$(date +%s.%N)
psql -qX "$MADOGUCHI_DATABASE_URL" -c "VACUUM ANALYZE tickets"
tickets=$(psql -qAtX "$MADOGUCHI_DATABASE_URL" -c "SELECT count(*) FROM tickets")
size=$(psql -qAtX "$MADOGUCHI_DATABASE_URL" -c "SELECT pg_size_pretty(pg_total_relation_size('tickets'))")

set -- $(head -n 1 "$tmp/offices")
office=$1 token=$(cat "$tmp/token.$2")
# Prints "best median" of RUNS client-side times of GET path (with extra curl args), in ms.
timeit() {
	path=$1; shift
	for _ in $(seq "$runs"); do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" \
		    "$@" "$url$path"
	done | awk '$1 != 200 { bad++ } { print $2 }
	    END { if (bad) print "bench: " bad " answers were not 200" > "/dev/stderr" }' |
	    sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "best %.1f ms, median %.1f ms\n", v[1], v[int((NR + 1) / 2)] }'
}
echo "madoguchi reports at scale ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo "history: $(wc -l <"$tmp/offices") offices x 2 years imported in" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s", b - a }'); tickets table: $tickets rows, $size"
echo "load report of $office, two years (JSON): $(timeit "/v1/reports/load?office=$office&from=2025-01-01&to=2026-12-31")"
echo "load report of $office, one year (JSON):  $(timeit "/v1/reports/load?office=$office&from=2026-01-01&to=2026-12-31")"
echo "load report of $office, one year (CSV):   $(timeit "/v1/reports/load?office=$office&from=2026-01-01&to=2026-12-31" -H 'Accept: text/csv')"
echo "load report of $office, one month (JSON): $(timeit "/v1/reports/load?office=$office&from=2026-06-01&to=2026-06-30")"
echo "estimates report of $office, one month:   $(timeit "/v1/reports/estimates?office=$office&from=2026-06-01&to=2026-06-30")"

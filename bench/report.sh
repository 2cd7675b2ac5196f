#!/bin/sh
# Benchmark: one year of one office's history (about 60,000 tickets, generated)
# imported through POST /v1/offices/kasugai-main/history, then the load report
# over the whole year, all services and one, JSON and CSV, timed from the client
# (best and median of RUNS), with the statement's own time from EXPLAIN ANALYZE.
#
#   bench/report.sh [RUNS]      (default 20)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-20}
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
http: {request_deadline_s: 60}
include:
  - $(pwd)/config/municipalities/*.yaml
CONFIG
./server/madoguchid -c "$tmp/bench.yaml" --migrate 2>/dev/null
token=$(./server/madoguchid -c "$tmp/bench.yaml" --create-token manager kasugai-main | tail -1)
port=$(( 20000 + $$ % 20000 ))
./server/madoguchid -c "$tmp/bench.yaml" --listen 127.0.0.1:$port 2>"$tmp/daemon.log" &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# 2026: every weekday, about 240 tickets a day (Mondays busier), 9:00-17:00.
python3 - "$tmp/history.csv" <<'GENERATE'
import datetime, random, sys
random.seed(7)
svcs = ["ecert_renewal", "card_application", "card_pickup", "pin_reset", "address_change"]
tz = datetime.timezone(datetime.timedelta(hours=9))
f = open(sys.argv[1], "w", newline="")
f.write("issued_at,service,kind,called_at,done_at,status\r\n")
d = datetime.date(2026, 1, 1)
while d.year == 2026:
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
	for _ in $(seq "$runs"); do
		curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$@" "$url$path"
	done | sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "best %.1f ms, median %.1f ms\n", v[1], v[int((NR + 1) / 2)] }'
}
year="/v1/reports/load?office=kasugai-main&from=2026-01-01&to=2026-12-31"
echo "load report, one year, all services (JSON): $(timeit "$year")"
echo "load report, one year, all services (CSV):  $(timeit "$year" -H 'Accept: text/csv')"
echo "load report, one year, pin_reset (JSON):    $(timeit "$year&service=pin_reset")"
echo "load report, one month (JSON):              $(timeit "/v1/reports/load?office=kasugai-main&from=2026-06-01&to=2026-06-30")"
curl -s -H "Authorization: Bearer $token" "$url$year" -o "$tmp/report.json"
echo "report: $(wc -c <"$tmp/report.json") bytes, $(grep -o '"date"' "$tmp/report.json" | wc -l) days"

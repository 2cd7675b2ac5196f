#!/bin/sh
# Integrity under load and failure: CLIENTS clients for SECONDS of mixed book /
# hold / reschedule / cancel / crosswise moves / walk-ins and calls on a small
# pool of slots (bench/integrity.c), against two daemons; a third of the way in
# one daemon is killed with SIGKILL (and started again 5 s later), half way
# PostgreSQL is restarted. Then it checks, from the rows:
#   - booked and held of every slot equal its live bookings and holds, and the
#     counter check never had to repair one;
#   - no slot holds more bookings than places;
#   - no answer was a 5xx other than 503;
#   - every booking answered 201 is stored, and every stored booking was
#     answered 201 (directly or by the replay of its Idempotency-Key);
#   - at most one ticket is called at each counter.
#
#   bench/integrity.sh [SECONDS] [CLIENTS]      (defaults: 60 s, 50)
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
secs=${1:-60}
clients=${2:-50}

make -s all
bench_setup madoguchi-integrity 2026-12-01T09:00:00+09:00

cflags="-std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow -Wwrite-strings"
# shellcheck disable=SC2046,SC2086
cc $cflags -o "$tmp/integrity" bench/integrity.c $(pkg-config --cflags --libs jansson) -pthread

cat >"$tmp/city.yaml" <<EOF
municipality: itcity
name: {ja: 試験市, en: Test City}
offices:
  - id: it-main
    name: {ja: 本庁, en: Main office}
    hours: {weekdays: [08:30-17:00]}
    services:
      ecert_renewal: {slot_minutes: 30, capacity: 3, horizon_days: 60, lead_minutes: 0}
    counters:
      - {id: 1, services: [ecert_renewal]}
      - {id: 2, services: [ecert_renewal]}
EOF
# Abuse limits opened up: every client is 127.0.0.1 here. Holds last 5 s, so
# they expire while the load runs.
bench_config "$tmp/bench.yaml" "$tmp/city.yaml" "database: {pool_size: 4}" \
    "http: {connections_per_client: 100000, streams_per_client: 100000}" \
    "bookings: {hold_seconds: 5, holds_per_client: 10000, per_contact: 10000}"
bench_migrate "$tmp/bench.yaml"
staff=$(bench_token "$tmp/bench.yaml" staff it-main)
port1=$(bench_port)
port2=$(( port1 + 1 ))
pid1=
bench_start pid1 "$tmp/bench.yaml" "$port1"
bench_daemon pid2 "$tmp/bench.yaml" "$port2"
bench_wait "$port1" "$pid1"

"$tmp/integrity" "$port1" "$port2" "$secs" "$clients" "$staff" "$tmp/created" \
	>"$tmp/summary" 2>"$tmp/load.log" &
load=$!
sleep $(( secs / 3 ))
echo "integrity: SIGKILL daemon on :$port1 at $(( secs / 3 )) s" >&2
kill -KILL "$pid1"
wait "$pid1" 2>/dev/null || true
sleep 5
bench_start pid1 "$tmp/bench.yaml" "$port1"
sleep $(( secs / 2 - secs / 3 - 5 ))
echo "integrity: restarting PostgreSQL at $(( secs / 2 )) s" >&2
bench_pg_restart
status=0
wait "$load" || status=1
cat "$tmp/summary"
grep -v '^$' "$tmp/load.log" | sort | uniq -c | sort -rn | head -5 >&2 || true

sort -u "$tmp/created" >"$tmp/created.sorted"
bench_sql "SELECT reference FROM bookings ORDER BY 1" | sort -u >"$tmp/stored"
drift=$(bench_sql "SELECT count(*) FROM slot_usage s WHERE s.booked <> (SELECT count(*) FROM bookings b
	WHERE (b.municipality, b.office, b.service, b.starts_at) = (s.municipality, s.office,
	s.service, s.starts_at) AND b.status <> 'cancelled') OR s.held <> (SELECT count(*) FROM
	holds h WHERE (h.municipality, h.office, h.service, h.starts_at) = (s.municipality,
	s.office, s.service, s.starts_at))")
repaired=$(bench_sql "SELECT count(*) FROM audit_log WHERE action = 'slot.repaired'")
oversold=$(bench_sql "SELECT count(*) FROM (SELECT starts_at FROM bookings WHERE status <> 'cancelled'
	GROUP BY starts_at HAVING count(*) > 3) x")
lost=$(comm -23 "$tmp/created.sorted" "$tmp/stored" | wc -l)
unanswered=$(comm -13 "$tmp/created.sorted" "$tmp/stored" | wc -l)
called=$(bench_sql "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM tickets
	WHERE status = 'called' GROUP BY counter) x")
echo "bookings answered 201: $(wc -l <"$tmp/created.sorted"); stored: $(wc -l <"$tmp/stored");" \
	"live: $(bench_sql "SELECT count(*) FROM bookings WHERE status = 'booked'")"
echo "slots whose counters disagree with their rows: $drift (repaired by the check: $repaired)"
echo "slots oversold: $oversold; 201s not stored: $lost; stored without a 201: $unanswered;" \
	"most tickets called at one counter: $called"
[ "$drift" = 0 ] && [ "$repaired" = 0 ] && [ "$oversold" = 0 ] && [ "$lost" = 0 ] &&
	[ "$unanswered" = 0 ] && [ "$called" -le 1 ] || status=1
[ "$status" = 0 ] && echo "integrity: PASS" || echo "integrity: FAIL"
exit $status

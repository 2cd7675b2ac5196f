#!/bin/sh
# Benchmark: POST /v1/bookings at CONNECTIONS keep-alive connections, each
# request for a distinct free place (bench/bookload.c), then pgbench running the
# daemon's own booking statement (stmt_create, extracted from
# server/api/bookings_create.c at run time) at as many clients, on the same cluster in
# the same run, each phase from empty tables. Reports bookings/s, p50/p99
# latency, the daemon/pgbench ratio, and the daemon's peak RSS and CPU share.
#
#   bench/bookings.sh [SECONDS] [CONNECTIONS]      (defaults: 10 s, 32)
#
# BENCH_MUNICIPALITIES=DIR loads DIR/*.yaml instead of the shipped municipality
# files (bench/scale.sh uses it; DIR must have kasugai.yaml); the bookings then
# go to its first 32 offices, as many as the shipped files have.
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
conns=${2:-32}
# Services booked: ecert_renewal alone has ~18,500 free places in its 60-day
# horizon, fewer than 10 s at full speed needs; the other three add ~36,000.
services=ecert_renewal,pin_reset,address_change,card_pickup

make -s all
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pgbench=$pgbin/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench)

bench_setup madoguchi-bench 2026-12-01T09:00:00+09:00

cflags="-std=c11 -O2 -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes -Wshadow -Wwrite-strings"
# shellcheck disable=SC2046,SC2086
cc $cflags -o "$tmp/bookload" bench/bookload.c $(pkg-config --cflags --libs libevent jansson) -lm

# The booking statement exactly as the daemon prepares it: TAKE_SLOT and
# INSERT_BOOKING (with the macros they use) run through the C preprocessor and
# printed by a two-line program, so the bench runs the daemon's very text.
grep -q 'stmt_create = { "WITH " TAKE_SLOT ", " INSERT_BOOKING, 25, 0 }' server/api/bookings_create.c ||
	{ echo "bench: stmt_create changed shape; update bench/bookings.sh" >&2; exit 1; }
{
	echo '#include "avail_cache.h"'
	echo '#include <stdio.h>'
	sed -n '/^#define CONTACT_ROOM/,/^static struct db_stmt stmt_create =/p' server/api/bookings_create.c |
	    sed '/^static struct db_stmt/d'
	echo 'int main(void) { fputs("WITH " TAKE_SLOT ", " INSERT_BOOKING, stdout); return 0; }'
} >"$tmp/stmt_create.c"
cc -std=c11 -Iserver -o "$tmp/stmt_create" "$tmp/stmt_create.c"
"$tmp/stmt_create" >"$tmp/stmt_create.sql"

# Room in pg_stat_activity for the whole statement, to compare it with ours.
psql -qX "$MADOGUCHI_DATABASE_URL" -c "ALTER SYSTEM SET track_activity_query_size = 8192"
# pg_stat_statements shows what each phase made PostgreSQL run, statement by
# statement, including those run inside functions (the per-contact count).
psql -qX "$MADOGUCHI_DATABASE_URL" -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
bench_pg_restart
psql -qX "$MADOGUCHI_DATABASE_URL" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
psql -qX "$MADOGUCHI_DATABASE_URL" -c "ALTER SYSTEM SET pg_stat_statements.track = 'all'" \
    -c "SELECT pg_reload_conf()" >/dev/null
# The shipped configuration, with the per-address rate limit opened up: all the
# load comes from loopback.
cp -r config "$tmp/config"
if [ -n "${BENCH_MUNICIPALITIES:-}" ]; then
	rm -r "$tmp/config/municipalities"
	cp -r "$BENCH_MUNICIPALITIES" "$tmp/config/municipalities"
fi
sed -i -e 's/^\( *per_minute:\) *[0-9]*/\1 100000/' -e 's/^\( *burst:\) *[0-9]*/\1 10000/' \
    -e 's/^\( *per_contact:\) *[0-9]*/\1 10000/' -e 's/^\( *holds_per_client:\) *[0-9]*/\1 10000/' \
    "$tmp/config/madoguchi.yaml"
bench_migrate "$tmp/config/madoguchi.yaml"
port=$(bench_port)
pid=
bench_daemon pid "$tmp/config/madoguchi.yaml" "$port"

# One renewal through the daemon gives pgbench the parameter values the daemon
# binds (answer, response, token hash), then every table is emptied.
start=$(curl -sf "http://127.0.0.1:$port/v1/offices/kasugai-main/availability?service=ecert_renewal&from=2026-12-02&to=2026-12-08" |
    grep -o '"start":"[^"]*"' | head -n 1 | cut -d'"' -f4)
curl -sf -X POST "http://127.0.0.1:$port/v1/bookings" -H 'Content-Type: application/json' -d '{
  "office": "kasugai-main", "service": "ecert_renewal", "start": "'"$start"'",
  "applicant": {"birth_date": "1980-02-10", "card": {"issued_on": "2022-01-15"},
                "certificates": {"issued_on": "2023-01-15"}},
  "contact": {"name": "Bench", "email": "bench@example.jp"}}' >"$tmp/sample.json"
sed 's/,"token":"[^"]*"}$/}/' "$tmp/sample.json" >"$tmp/response.json"
bench_sql "SELECT answer::text FROM bookings" >"$tmp/answer.json"
token_hash=$(bench_sql "SELECT token_hash FROM bookings")
set -- $(bench_sql "SELECT kind, window_opens, window_closes FROM bookings" | tr '|' ' ')
kind=$1 wopen=$2 wclose=$3
[ "$kind" = renewal ] || { echo "bench: the sample booking is a $kind, not a renewal" >&2; exit 1; }

# Empty tables, then bench/past_bookings.sql: a city's half-year of bookings.
reset() {
	bench_sql "TRUNCATE bookings, holds, idempotency_keys, audit_log, slot_usage"
	psql -qX "$MADOGUCHI_DATABASE_URL" -f bench/past_bookings.sql >/dev/null
	bench_sql "CHECKPOINT"
	bench_sql "SELECT pg_stat_statements_reset()" >/dev/null
}
# The statements of the phase that took the most time, per booking.
statements() {
	bench_sql "SELECT calls, round((total_exec_time * 1000 / greatest($1, 1))::numeric, 1),
	    round((total_plan_time * 1000 / greatest($1, 1))::numeric, 1),
	    round((shared_blks_hit::numeric / greatest(calls, 1)), 1),
	    regexp_replace(left(query, 60), '\\s+', ' ', 'g')
	    FROM pg_stat_statements WHERE calls > 0 ORDER BY total_exec_time DESC LIMIT 6" |
	    awk -F'|' '{ printf "  %8s %8s %8s %8s  %s\n", $1, $2, $3, $4, $5 }'
}
# CPU ticks of the whole cluster: the postmaster with the backends it has reaped,
# plus the live ones.
pgticks() {
	pm=$(head -n 1 "$tmp/pg/data/postmaster.pid")
	{ awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
	  for c in $(cat /proc/"$pm"/task/*/children); do
		awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || true
	  done; } | awk '{ s += $1 } END { print s }'
}
# Waits until the backends of a finished pgbench are gone and reaped (their CPU
# then counts in the postmaster's children's time), at most five seconds.
settle() {
	pm=$(head -n 1 "$tmp/pg/data/postmaster.pid")
	for _ in $(seq 50); do
		[ "$(cat /proc/"$pm"/task/*/children | wc -w)" -le "$1" ] && return
		sleep 0.1
	done
}
nkids() { pm=$(head -n 1 "$tmp/pg/data/postmaster.pid"); cat /proc/"$pm"/task/*/children | wc -w; }
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
# CPU seconds of the shell's finished children (run "times" in this shell, not a subshell).
kids() { awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } }
	END { print s }' "$1"; }
hz=$(getconf CLK_TCK)

# Phase 1: the daemon.
reset
max=${BENCH_MUNICIPALITIES:+-m 32}
bookload_cmd="bookload -u http://127.0.0.1:$port -c $conns -d $secs -L -S $services${max:+ $max}"
set -- $(busy); m0=$1 t0=$2
c0=$(bench_ticks "$pid") w0=$(bench_now) g0=$(pgticks)
# shellcheck disable=SC2086
"$tmp/bookload" -u "http://127.0.0.1:$port" -c "$conns" -d "$secs" -L -S "$services" $max \
    >"$tmp/load.txt"
kill -0 "$pid" 2>/dev/null || { echo "bench: the daemon died; see its log" >&2; tail "$(bench_log "$port")" >&2; exit 1; }
c1=$(bench_ticks "$pid") w1=$(bench_now) g1=$(pgticks)
set -- $(busy); m1=$1 t1=$2
val() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/load.txt"; }
d_rps=$(val bookings_per_s) d_p50=$(val p50_ms) d_p99=$(val p99_ms) d_n=$(val requests)
d_ok=$(val status_201) d_places=$(val places)
d_other=$(awk '/^status_/ && $1 != "status_201" { printf "%s%s=%s", s, substr($1, 8), $2; s = " " }' "$tmp/load.txt")
d_cpu=$(awk -v a="$c0" -v b="$c1" -v w0="$w0" -v w1="$w1" -v hz="$hz" \
    'BEGIN { printf "%.0f", (b - a) / hz / (w1 - w0) * 100 }')
d_us=$(awk -v a="$c0" -v b="$c1" -v n="$d_n" -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) / hz * 1e6 / n }')
d_cl=$(awk -v c="$(val bookload_cpu_s)" -v n="$d_n" 'BEGIN { printf "%.0f", c * 1e6 / n }')
d_pg=$(awk -v a="$g0" -v b="$g1" -v n="$d_n" -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) / hz * 1e6 / n }')
d_busy=$(awk -v a="$m0" -v b="$m1" -v c="$t0" -v d="$t1" 'BEGIN { printf "%.0f", (b - a) * 100 / (d - c) }')
rss=$(bench_rss "$pid")
d_rows=$(bench_sql "SELECT count(*) FROM bookings WHERE token_hash <> 'past'")
d_slots=$(bench_sql "SELECT count(*) FROM slot_usage WHERE service <> 'pin_reset' OR starts_at > '2026-11-30'")
d_fill=$(awk -v b="$d_rows" -v s="$d_slots" 'BEGIN { printf "%.2f", b / s }')
d_stmts=$(statements "$d_n")
# The daemon's connections last ran the booking statement: is it the same text?
same=$(bench_sql "SELECT count(*) FROM pg_stat_activity WHERE query = \$\$$(cat "$tmp/stmt_create.sql")\$\$")
[ "$same" -gt 0 ] || { echo "bench: the daemon's statement is not the one extracted" >&2; exit 1; }

# Phase 2: pgbench, the same statement from empty tables. Parameters the daemon
# sends as NULL for a renewal (first_visit $12, second_visit_earliest $13,
# phone $20, Idempotency-Key $21) are NULL literals (a pgbench variable cannot
# be NULL); each client books distinct slots, as many times each as the daemon
# filled its slots on average, so inserts and conflict-updates mix alike, and
# permute() scatters them over the key space as the daemon's shuffled places are.
# Each booking is a contact of its own, as through the daemon: the email ($19)
# is a number unique to the booking (pgbench makes only numbers), so the
# per-contact lock and count do the same work (contact window $24 and limit
# $25 as the daemon's configuration has them).
days=$(awk '/^ *contact_window_days:/ { print $2 }' "$tmp/config/madoguchi.yaml")
limit=$(awk '/^ *per_contact:/ { print $2 }' "$tmp/config/madoguchi.yaml")
reset
cap=$(awk -v f="$d_fill" 'BEGIN { c = int(f); print (c < f ? c + 1 : c) }')
sed -E -e 's/\$(12|13|20|21)([^0-9]|$)/NULL\2/g' -e 's/\$([0-9]+)/:p\1/g' \
    "$tmp/stmt_create.sql" >"$tmp/stmt.sql"
{
	echo '\set n :n + 1'
	echo "\\set p4 1796000000 + permute(:client_id * 1000000 + int(:n / $d_fill), 32000000) * 60"
	echo '\set p8 :p4 + 1800'
	echo '\set p6 :client_id * 100000000 + :n'
	echo '\set p19 :client_id * 100000000 + :n'
	cat "$tmp/stmt.sql"
	echo ';'
} >"$tmp/bookings.pgbench"
pgbench_cmd="pgbench -n -M prepared -c $conns -j 2 -T $secs -r -l -f bookings.pgbench -D n=0 \
-D p1=kasugai -D p2=kasugai-main -D p3=ecert_renewal -D p5=$cap -D p7=<token hash> -D p9=$kind \
-D p10=1 -D p11=1 -D p14=$wopen -D p15=$wclose -D p16=ja -D p17=<its answer> -D p18=Bench \
-D p22=<token hash> -D p23=<its 201 body less the token> -D p24=$days -D p25=$limit"
set -- $(busy); m0=$1 t0=$2
k0=$(nkids)
g0=$(pgticks)
times >"$tmp/times0"
"$pgbench" -n -M prepared -c "$conns" -j 2 -T "$secs" -r -l --log-prefix="$tmp/pgblog" \
    -f "$tmp/bookings.pgbench" -D n=0 -D p1=kasugai -D p2=kasugai-main -D p3=ecert_renewal \
    -D p5="$cap" -D p7="$token_hash" -D p9="$kind" -D p10=1 -D p11=1 -D p14="$wopen" \
    -D p15="$wclose" -D p16=ja -D p17="$(cat "$tmp/answer.json")" -D p18=Bench \
    -D p22="$token_hash" -D p23="$(cat "$tmp/response.json")" -D p24="$days" \
    -D p25="$limit" \
    "$MADOGUCHI_DATABASE_URL" >"$tmp/pgbench.txt" 2>"$tmp/pgbench.err" ||
	{ cat "$tmp/pgbench.err" >&2; exit 1; }
times >"$tmp/times1"
settle "$k0"
g1=$(pgticks)
set -- $(busy); m1=$1 t1=$2
p_busy=$(awk -v a="$m0" -v b="$m1" -v c="$t0" -v d="$t1" 'BEGIN { printf "%.0f", (b - a) * 100 / (d - c) }')
p_tps=$(awk '/^tps/ { printf "%.1f", $3 }' "$tmp/pgbench.txt")
p_avg=$(awk '/^latency average/ { print $4 }' "$tmp/pgbench.txt")
p_fail=$(awk '/failed transactions/ { print $5 }' "$tmp/pgbench.txt")
set -- $(cat "$tmp"/pgblog* | awk '{ print $3 }' | sort -n | awk '
	{ v[NR] = $1 } END { i = int(NR * 0.5 + 0.999999); j = int(NR * 0.99 + 0.999999)
	printf "%.2f %.2f %d\n", v[i] / 1000, v[j] / 1000, NR }')
p_p50=$1 p_p99=$2 p_n=$3
p_cl=$(awk -v a="$(kids "$tmp/times0")" -v b="$(kids "$tmp/times1")" -v n="$p_n" \
    'BEGIN { printf "%.0f", (b - a) * 1e6 / n }')
p_pg=$(awk -v a="$g0" -v b="$g1" -v n="$p_n" -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) / hz * 1e6 / n }')
p_stmts=$(statements "$p_n")
p_rows=$(bench_sql "SELECT count(*) FROM bookings WHERE token_hash <> 'past'")
p_slots=$(bench_sql "SELECT count(*) FROM slot_usage WHERE service <> 'pin_reset' OR starts_at > '2026-11-30'")
p_fill=$(awk -v b="$p_rows" -v s="$p_slots" 'BEGIN { printf "%.2f", b / s }')
ratio=$(awk -v a="$d_rps" -v b="$p_tps" 'BEGIN { printf "%.2f", a / b }')

# Phase 3: pgbench with as many clients as the daemon has connections: the
# booking statement notifies, and PostgreSQL lets notifying transactions commit
# one at a time, so fewer sessions may book faster than 32.
pool=$(awk '/^ *pool_size:/ { print $2 }' "$tmp/config/madoguchi.yaml")
reset
k0=$(nkids)
g0=$(pgticks)
"$pgbench" -n -M prepared -c "$pool" -j 2 -T "$secs" \
    -f "$tmp/bookings.pgbench" -D n=0 -D p1=kasugai -D p2=kasugai-main -D p3=ecert_renewal \
    -D p5="$cap" -D p7="$token_hash" -D p9="$kind" -D p10=1 -D p11=1 -D p14="$wopen" \
    -D p15="$wclose" -D p16=ja -D p17="$(cat "$tmp/answer.json")" -D p18=Bench \
    -D p22="$token_hash" -D p23="$(cat "$tmp/response.json")" -D p24="$days" \
    -D p25="$limit" \
    "$MADOGUCHI_DATABASE_URL" >"$tmp/pgbench4.txt" 2>"$tmp/pgbench.err" ||
	{ cat "$tmp/pgbench.err" >&2; exit 1; }
settle "$k0"
g1=$(pgticks)
q_tps=$(awk '/^tps/ { printf "%.1f", $3 }' "$tmp/pgbench4.txt")
q_n=$(awk '/number of transactions actually processed/ { split($NF, a, "/"); print a[1] }' "$tmp/pgbench4.txt")
q_pg=$(awk -v a="$g0" -v b="$g1" -v n="$q_n" -v hz="$hz" 'BEGIN { printf "%.0f", (b - a) / hz * 1e6 / n }')
q_ratio=$(awk -v a="$d_rps" -v b="$q_tps" 'BEGIN { printf "%.2f", a / b }')

echo "madoguchi booking benchmark ($(nproc) cores, $conns connections, ${secs}s each, $(date -u +%Y-%m-%d))"
row() { printf '%-26s %9s %7s %7s %7s %6s %6s %7s %7s %5s\n' "$@"; }
row "" "booked/s" "p50 ms" "p99 ms" "booked" "/slot" "PG us" "daemon" "client" "busy"
row "daemon: POST /v1/bookings" "$d_rps" "$d_p50" "$d_p99" "$d_rows" "$d_fill" "$d_pg" "$d_us" \
    "$d_cl" "$d_busy%"
row "pgbench: stmt_create" "$p_tps" "$p_p50" "$p_p99" "$p_rows" "$p_fill" "$p_pg" "-" "$p_cl" \
    "$p_busy%"
echo "daemon: $d_n requests, $d_ok 201${d_other:+, others: $d_other}; $d_places free places offered"
echo "pgbench: $p_n transactions logged, latency average $p_avg ms, failed ${p_fail:-0}"
echo "pgbench at $pool clients (the daemon's pool size): $q_tps bookings/s, PG $q_pg us CPU per booking"
echo "ratio daemon/pgbench: $ratio in bookings/s at $conns connections (goal >= 0.9); $q_ratio against pgbench at $pool clients"
echo "PostgreSQL CPU per booking, daemon/pgbench: $(awk -v a="$d_pg" -v b="$p_pg" 'BEGIN { printf "%.2f", a / b }') (goal <= 1.1)"
echo "daemon CPU during its phase: $d_cpu % of one core ($d_us us per request); peak RSS (VmHWM) $((rss / 1024)) MiB ($rss KiB)"
echo "/slot: bookings per slot_usage row; PG us, daemon, client: CPU microseconds per booking;"
echo "busy: the whole machine's CPU (other work on it included)"
echo "statement: the daemon's, extracted from server/api/bookings_create.c (checked against pg_stat_activity)"
echo "commands:"
echo "  $bookload_cmd"
echo "  $pgbench_cmd"
echo "  (<token hash>, <its answer>, <its 201 body>: from one renewal booked through the daemon first)"
echo "pg_stat_statements, each phase: calls, execution and planning us per booking, buffers per call"
echo " daemon:"
echo "$d_stmts"
echo " pgbench:"
echo "$p_stmts"
echo "bookings.pgbench, with per-statement latency (pgbench -r):"
awk '/statement latencies/ { on = 1; next } on && NF > 2 { c = $0; sub(/^ *[^ ]+ +[^ ]+ +/, "", c)
	printf "  %8s ms  %.70s\n", $1, c }' "$tmp/pgbench.txt"

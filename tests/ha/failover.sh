#!/bin/sh
# Failover under load: a PostgreSQL primary and a synchronous standby (streaming
# replication, synchronous_commit on, so an acknowledged commit is on both), two
# madoguchid behind nginx, both with a libpq multi-host URL and
# target_session_attrs=read-write. While tests/ha/load.py books through nginx,
# the primary is stopped hard (immediate) and the standby promoted. Then:
#   - every booking acknowledged with a 201 is on the new primary;
#   - every booking row on it was acknowledged (each request is retried with its
#     Idempotency-Key until it gets a final answer);
#   - slot counters equal the rows;
#   - the longest stretch without a 201 is printed (the outage).
# usage: tests/ha/failover.sh [CLIENTS] [SECONDS]      (make check-ha runs it)
set -eu
cd "$(dirname "$0")/../.."
clients=${1:-8}
seconds=${2:-20}

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
tmp=$(mktemp -d /tmp/madoguchi-ha.XXXXXX)
chmod 755 "$tmp"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
	./deploy/devdb.sh stop "$tmp/p1" >/dev/null 2>&1 || true
	./deploy/devdb.sh stop "$tmp/p2" >/dev/null 2>&1 || true
	if [ -z "${KEEP_TEST_DIR:-}" ]; then rm -rf "$tmp"; else echo "kept $tmp" >&2; fi
}
trap cleanup EXIT INT TERM
if [ "$(id -u)" -eq 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; else as_pg() { "$@"; }; fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sql() { as_pg "$pgbin/psql" -h "$1" -U madoguchi -d madoguchi -qtAc "$2"; }

# The primary, then a standby cloned from it that streams synchronously.
./deploy/devdb.sh start "$tmp/p1" >/dev/null
sql "$tmp/p1" "ALTER SYSTEM SET synchronous_standby_names = '*'" >/dev/null
sql "$tmp/p1" "SELECT pg_reload_conf()" >/dev/null
mkdir -p "$tmp/p2"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$tmp/p2"
as_pg "$pgbin/pg_basebackup" -h "$tmp/p1" -U madoguchi -D "$tmp/p2/data" -R -X stream
# The standby must not wait for a standby of its own once promoted.
sed -i '/synchronous_standby_names/d' "$tmp/p2/data/postgresql.auto.conf"
./deploy/devdb.sh start "$tmp/p2" >/dev/null
for i in $(seq 50); do
	[ "$(sql "$tmp/p1" "SELECT sync_state FROM pg_stat_replication")" = sync ] && break
	sleep 0.2
done
echo "ha: standby streaming: $(sql "$tmp/p1" "SELECT sync_state FROM pg_stat_replication")"

# Two daemons on one multi-host URL.
url="host=$tmp/p1,$tmp/p2 dbname=madoguchi user=madoguchi target_session_attrs=read-write"
cat >"$tmp/ha-city.yaml" <<YAML
municipality: hacity
name: {ja: 試験市, en: Test City}
offices:
  - id: ha-main
    name: {ja: 本庁, en: Main office}
    hours: {weekdays: [08:30-17:00]}
    rules:
      - {match: holiday, closed: true}
      - {match: annual, from: 12-29, until: 01-03, closed: true, reason: year_end}
    services:
      ecert_renewal: {slot_minutes: 15, capacity: 100, horizon_days: 90, lead_minutes: 0}
YAML
cat >"$tmp/madoguchi.yaml" <<YAML
database: {url: "$url", pool_size: 4, connect_timeout_s: 2}
ratelimit: {per_minute: 10000000, burst: 1000000}
log: {level: warn}
include: [ha-city.yaml]
YAML
export MADOGUCHI_TOKEN_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export MADOGUCHI_NOW=2026-12-01T09:00:00+09:00
./server/madoguchid -c "$tmp/madoguchi.yaml" --migrate 2>"$tmp/migrate.log"
ports=""
for n in 1 2; do
	port=$(free_port)
	./server/madoguchid -c "$tmp/madoguchi.yaml" --listen "127.0.0.1:$port" 2>"$tmp/daemon$n.log" &
	pids="$pids $!"
	ports="$ports $port"
done

# nginx in front of both (Debian's nginx, a private configuration).
front=$(free_port)
mkdir -p "$tmp/nginx"
{
	echo "pid $tmp/nginx.pid; error_log $tmp/nginx/error.log; worker_processes 1;"
	[ "$(id -u)" -eq 0 ] && echo "user root;"
	echo "events { worker_connections 1024; }"
	echo "http { access_log off; client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx;"
	echo "  fastcgi_temp_path $tmp/nginx; uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;"
	echo "  upstream madoguchi {"
	for p in $ports; do echo "    server 127.0.0.1:$p max_fails=0;"; done
	echo "    keepalive 32; }"
	echo "  server { listen 127.0.0.1:$front;"
	echo "    location / { proxy_pass http://madoguchi; proxy_http_version 1.1;"
	echo "      proxy_set_header Connection \"\"; proxy_set_header X-Forwarded-For \$remote_addr; } } }"
} >"$tmp/nginx.conf"
nginx -c "$tmp/nginx.conf" -p "$tmp/nginx" -g 'daemon on;'
for i in $(seq 100); do
	curl -fsS "http://127.0.0.1:$front/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done

# The load, and the failover a third of the way in.
python3 tests/ha/load.py "http://127.0.0.1:$front" "$clients" "$seconds" "$tmp/acked" >"$tmp/load.out" 2>&1 &
load=$!
sleep $((seconds / 3))
before=$(sql "$tmp/p1" "SELECT count(*) FROM bookings")
t0=$(date +%s%N)
as_pg "$pgbin/pg_ctl" -D "$tmp/p1/data" -m immediate -w stop >/dev/null
as_pg "$pgbin/pg_ctl" -D "$tmp/p2/data" -w promote >/dev/null
t1=$(date +%s%N)
echo "ha: primary stopped hard with $before bookings; standby promoted in $(( (t1 - t0) / 1000000 )) ms"
rc=0
wait "$load" || rc=$?
cat "$tmp/load.out"

# What the new primary holds against what was acknowledged.
sql "$tmp/p2" "SELECT reference FROM bookings ORDER BY 1" >"$tmp/stored"
cut -d' ' -f1 "$tmp/acked" | sort >"$tmp/acked.refs"
acked=$(wc -l <"$tmp/acked.refs")
stored=$(wc -l <"$tmp/stored")
lost=$(comm -23 "$tmp/acked.refs" "$tmp/stored" | wc -l)
extra=$(comm -13 "$tmp/acked.refs" "$tmp/stored" | wc -l)
drift=$(sql "$tmp/p2" "SELECT count(*) FROM slot_usage u WHERE booked <> (SELECT count(*) FROM bookings b
	WHERE b.municipality = u.municipality AND b.office = u.office AND b.service = u.service
	AND b.starts_at = u.starts_at AND b.status = 'booked')")
echo "ha: acknowledged $acked, stored on the new primary $stored, acknowledged but missing $lost, stored without a 201 $extra, slots whose count drifted $drift"
for n in 1 2; do
	grep -q 'database' "$tmp/daemon$n.log" && grep 'database' "$tmp/daemon$n.log" | tail -n 2 | sed "s/^/ha: daemon $n: /"
done
[ "$rc" -eq 0 ] && [ "$lost" -eq 0 ] && [ "$extra" -eq 0 ] && [ "$drift" -eq 0 ] && [ "$acked" -gt 0 ] || {
	echo "ha: FAILED" >&2; exit 1; }
echo "ha: passed"

#!/bin/sh
# The booking integration suite (and the queue's) through PgBouncer in session
# pooling mode: the daemon keeps named prepared statements per connection and a
# LISTEN connection, both of which need the same server session for the life of
# the client connection, which only session pooling guarantees (transaction
# pooling would hand the next statement another server). PgBouncer refuses the
# `options` startup parameter the daemon sends its time limits in, so it is
# ignored here and the same limits are set by connect_query instead. While the
# server is down PgBouncer keeps a query waiting (it does not fail it): it retries
# the server each second and gives up on the query after 5 s, which the daemon
# answers 503; its defaults (15 s and 120 s) would hold a resident that long.
# usage: tests/ha/pgbouncer.sh
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d /tmp/madoguchi-pgb.XXXXXX)
chmod 755 "$tmp"
cleanup() {
	[ -f "$tmp/pgbouncer.pid" ] && kill "$(cat "$tmp/pgbouncer.pid")" 2>/dev/null || true
	./deploy/devdb.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	if [ -z "${KEEP_TEST_DIR:-}" ]; then rm -rf "$tmp"; else echo "kept $tmp" >&2; fi
}
trap cleanup EXIT INT TERM

DEVDB_FSYNC=off ./deploy/devdb.sh start "$tmp/pg" >/dev/null
mkdir -p "$tmp/bouncer"
cat >"$tmp/pgbouncer.ini" <<INI
[databases]
madoguchi = host=$tmp/pg dbname=madoguchi user=madoguchi connect_query='SET statement_timeout = 15000; SET idle_in_transaction_session_timeout = 30000'
postgres = host=$tmp/pg dbname=postgres user=madoguchi
[pgbouncer]
listen_addr =
unix_socket_dir = $tmp/bouncer
listen_port = 6432
auth_type = trust
auth_file = $tmp/users.txt
pool_mode = session
max_client_conn = 500
default_pool_size = 100
logfile = $tmp/pgbouncer.log
pidfile = $tmp/pgbouncer.pid
admin_users = madoguchi
ignore_startup_parameters = extra_float_digits, options
server_login_retry = 1
query_wait_timeout = 5
INI
echo '"madoguchi" ""' >"$tmp/users.txt"
if [ "$(id -u)" -eq 0 ]; then
	chown -R postgres:postgres "$tmp/bouncer" "$tmp/pgbouncer.ini" "$tmp/users.txt"
	touch "$tmp/pgbouncer.log" && chown postgres "$tmp/pgbouncer.log" "$tmp"
	pgbouncer -d -u postgres "$tmp/pgbouncer.ini"
else
	pgbouncer -d "$tmp/pgbouncer.ini"
fi
for i in $(seq 50); do [ -S "$tmp/bouncer/.s.PGSQL.6432" ] && break; sleep 0.1; done

# The environment tests/integration/run.sh gives, with the bouncer's URL.
MADOGUCHI_TEST_DB_URL="host=$tmp/bouncer port=6432 dbname=madoguchi user=madoguchi"
MADOGUCHI_TEST_PGDIR="$tmp/pg"
MADOGUCHI_TEST_TMP="$tmp"
MADOGUCHI_TOKEN_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
MADOGUCHI_TEST_CONFIG="$tmp/madoguchi.yaml"
cat >"$MADOGUCHI_TEST_CONFIG" <<YAML
ratelimit: {per_minute: 100000, burst: 10000}
include:
  - $(pwd)/config/municipalities/*.yaml
YAML
export MADOGUCHI_TEST_DB_URL MADOGUCHI_TEST_PGDIR MADOGUCHI_TEST_TMP MADOGUCHI_TOKEN_KEY
export MADOGUCHI_TEST_CONFIG DEVDB_FSYNC=off CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60}
echo "pgbouncer: $(pgbouncer --version | head -n 1), pool_mode session"
status=0
for t in tests/integration/check_bookings tests/integration/check_queue; do
	"./$t" || status=1
done
exit $status

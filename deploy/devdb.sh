#!/bin/sh
# A private PostgreSQL cluster for development and tests: Unix socket only, no TCP,
# trust authentication for the local role "madoguchi".
#
#   devdb.sh start DIR   initdb on first use, then start; prints the libpq URL
#   devdb.sh stop DIR    fast shutdown (no error when it is not running)
#   devdb.sh url DIR     prints the libpq connection string
#   devdb.sh status DIR  exit 0 when running
#
# When run as root the cluster runs as the "postgres" system user, because the
# server refuses to run as root. DEVDB_FSYNC=off makes a throwaway test cluster
# faster; never use it for data you want to keep.
set -eu

usage() { echo "usage: $0 start|stop|url|status DIR" >&2; exit 64; }
[ $# -eq 2 ] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
data="$dir/data"
sock="$dir"
log="$dir/postgresql.log"

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pgbin" ] || { echo "devdb: PostgreSQL server binaries not found" >&2; exit 69; }

if [ "$(id -u)" -eq 0 ]; then
	chown postgres:postgres "$dir"
	as_pg() { runuser -u postgres -- "$@"; }
else
	as_pg() { "$@"; }
fi

url() { echo "host=$sock dbname=madoguchi user=madoguchi"; }

running() { as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
	if [ ! -f "$data/PG_VERSION" ]; then
		as_pg "$pgbin/initdb" -D "$data" -U madoguchi --auth=trust \
			--encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2; exit 70; }
	fi
	if ! running; then
		as_pg "$pgbin/pg_ctl" -D "$data" -l "$log" -w -t 30 \
			-o "-c listen_addresses='' -c unix_socket_directories='$sock' -c fsync=${DEVDB_FSYNC:-on}" \
			start >/dev/null || { tail -n 20 "$log" >&2; exit 70; }
	fi
	as_pg "$pgbin/psql" -h "$sock" -U madoguchi -d postgres -qtAc \
		"SELECT 1 FROM pg_database WHERE datname = 'madoguchi'" | grep -q 1 ||
		as_pg "$pgbin/createdb" -h "$sock" -U madoguchi madoguchi
	url
}

case $cmd in
start) start ;;
stop) if running; then as_pg "$pgbin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi ;;
url) url ;;
status) running ;;
*) usage ;;
esac

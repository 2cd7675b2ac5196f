#!/bin/sh
# make run: a private PostgreSQL under var/pg, migrations, then madoguchid in the
# foreground with the sample config. Ctrl-C stops the daemon, then the database.
#
# One instance per checkout: var/run.lock is held (flock) for as long as this
# script runs, so a second `make run` refuses before it touches the database.
set -eu
cd "$(dirname "$0")/.."

listen=${MADOGUCHI_LISTEN:-127.0.0.1:8080}
mkdir -p var
exec 9>>var/run.lock
if ! flock -n 9; then
	echo "run: another 'make run' is already running from this checkout" \
		"($(pwd)); it holds var/run.lock and owns var/pg." >&2
	echo "run: use that one (make token ROLE=staff OFFICE=kasugai-main works against" \
		"it), or stop it with Ctrl-C first." >&2
	exit 75
fi
# The database server is a daemon of its own: it must not inherit the lock.
url=$(./deploy/devdb.sh start var/pg 9>&-)
export MADOGUCHI_DATABASE_URL="$url"
# The key that hashes booking and staff tokens: made once, kept with the database.
if [ ! -s var/token.key ]; then
	(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > var/token.key)
fi
MADOGUCHI_TOKEN_KEY=$(cat var/token.key)
export MADOGUCHI_TOKEN_KEY

stop_db() {
	./deploy/devdb.sh stop var/pg 9>&- && echo "run: database stopped" >&2
}
trap stop_db EXIT
# A handler (not SIG_IGN) so the daemon, which inherits the default, gets Ctrl-C
# and drains; sh runs the trap only once the daemon has exited, then stops the
# database.
trap ':' INT TERM

./server/madoguchid -c config/madoguchi.yaml --migrate 9>&-
echo "run: madoguchid on http://$listen (database: var/pg); Ctrl-C stops both" >&2
echo "run: a staff token for this database: make token ROLE=staff OFFICE=kasugai-main" >&2
rc=0
./server/madoguchid -c config/madoguchi.yaml --listen "$listen" 9>&- || rc=$?
exit "$rc"

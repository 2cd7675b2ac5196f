#!/bin/sh
# make run: a private PostgreSQL under var/pg, migrations, then madoguchid in the
# foreground with the sample config. Ctrl-C stops the daemon, then the database.
set -eu
cd "$(dirname "$0")/.."

listen=${MADOGUCHI_LISTEN:-127.0.0.1:8080}
url=$(./deploy/devdb.sh start var/pg)
export MADOGUCHI_DATABASE_URL="$url"
# The key that hashes booking tokens: made once, kept with the database.
if [ ! -s var/token.key ]; then
	(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > var/token.key)
fi
MADOGUCHI_TOKEN_KEY=$(cat var/token.key)
export MADOGUCHI_TOKEN_KEY

stop_db() {
	./deploy/devdb.sh stop var/pg && echo "run: database stopped" >&2
}
trap stop_db EXIT
# A handler (not SIG_IGN) so the daemon, which inherits the default, gets Ctrl-C
# and drains; sh runs the trap only once the daemon has exited, then stops the
# database.
trap ':' INT TERM

./server/madoguchid -c config/madoguchi.yaml --migrate
echo "run: madoguchid on http://$listen (database: var/pg); Ctrl-C stops both" >&2
rc=0
./server/madoguchid -c config/madoguchi.yaml --listen "$listen" || rc=$?
exit "$rc"

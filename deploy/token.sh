#!/bin/sh
# make token ROLE=staff OFFICE=kasugai-main [EXPIRES_DAYS=N]: a token for the
# database of `make run` (var/pg, keyed with var/token.key). The database must be
# running, i.e. `make run` is running in another terminal.
#
#   deploy/token.sh ROLE "OFFICE [OFFICE...]" [EXPIRES_DAYS]
set -eu
cd "$(dirname "$0")/.."

[ $# -ge 2 ] && [ -n "$1" ] && [ -n "$2" ] || {
	echo "usage: make token ROLE=kiosk|staff|manager|admin OFFICE='office [office...]'" \
		"[EXPIRES_DAYS=N]" >&2
	exit 64
}
role=$1
offices=$2
days=${3:-365}
if [ ! -s var/token.key ] || ! ./deploy/devdb.sh status var/pg; then
	echo "token: the database of 'make run' is not running; start 'make run' in another" \
		"terminal first" >&2
	exit 69
fi
MADOGUCHI_DATABASE_URL=$(./deploy/devdb.sh url var/pg)
MADOGUCHI_TOKEN_KEY=$(cat var/token.key)
export MADOGUCHI_DATABASE_URL MADOGUCHI_TOKEN_KEY
# shellcheck disable=SC2086 # offices are words
exec ./server/madoguchid -c config/madoguchi.yaml --create-token "$role" \
	--expires-days "$days" $offices

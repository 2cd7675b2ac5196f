#!/bin/sh
# Integration tests: a throwaway PostgreSQL cluster in a temporary directory, then
# the Check programs, which start real madoguchid processes against it.
set -eu
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d /tmp/madoguchi-it.XXXXXX)
chmod 755 "$tmp"
cleanup() {
	./deploy/devdb.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	if [ "${KEEP_TEST_DIR:-}" = "" ]; then rm -rf "$tmp"; else echo "kept $tmp" >&2; fi
}
trap cleanup EXIT INT TERM

MADOGUCHI_TEST_DB_URL=$(DEVDB_FSYNC=off ./deploy/devdb.sh start "$tmp/pg")
MADOGUCHI_TEST_PGDIR="$tmp/pg"
MADOGUCHI_TEST_TMP="$tmp"
MADOGUCHI_TOKEN_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# The shipped offices, with a rate limit and per-client limits no test traffic from
# 127.0.0.1 reaches
# (check_system tests the limit itself against the sample configuration).
MADOGUCHI_TEST_CONFIG="$tmp/madoguchi.yaml"
cat >"$MADOGUCHI_TEST_CONFIG" <<EOF
ratelimit: {per_minute: 100000, burst: 10000}
http: {connections_per_client: 100000, streams_per_client: 100000}
bookings: {per_contact: 10000}
include:
  - $(pwd)/config/municipalities/*.yaml
EOF
export MADOGUCHI_TEST_DB_URL MADOGUCHI_TEST_PGDIR MADOGUCHI_TEST_TMP MADOGUCHI_TOKEN_KEY
export MADOGUCHI_TEST_CONFIG
export DEVDB_FSYNC=off CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60}

# With arguments (run.sh check_queue check_client), only those programs run.
status=0
for t in tests/integration/check_*; do
	case $t in *.c | *.h | *.o) continue ;; esac
	if [ $# -gt 0 ] && ! printf ' %s ' "$*" | grep -q " $(basename "$t") "; then continue; fi
	"./$t" || status=1
done

# The pages in headless Chromium against a daemon of their own (tests/e2e/).
node tests/e2e/pages.mjs || status=1

# Every answer the programs received must be one docs/openapi.yaml allows.
set -- "$tmp"/responses/*.jsonl
if [ -e "$1" ]; then
	node tests/openapi/validate.mjs "$@" || status=1
else
	echo "openapi: no answers were recorded" >&2
	status=1
fi

# No Individual Number may have been stored or logged, whatever the tests sent.
if [ -x tests/integration/inum_scan ]; then
	psql -X -q -At "$MADOGUCHI_TEST_DB_URL" -c "SELECT concat_ws(' ', contact_name,
		contact_email, contact_phone) FROM bookings UNION ALL SELECT key FROM idempotency_keys
		UNION ALL SELECT concat_ws(' ', actor, subject) FROM audit_log" |
		./tests/integration/inum_scan || status=1
	./tests/integration/inum_scan $(ls "$tmp" | grep -E '^[0-9]+$' | sed "s|^|$tmp/|") ||
		status=1
fi
exit $status

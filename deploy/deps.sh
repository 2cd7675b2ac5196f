#!/bin/sh
# Installs the Debian packages madoguchi needs to build, test and run, if any are
# missing, then the pinned npm tools (package-lock.json) that lint the contract,
# validate the tests' answers against it and drive the pages in a browser. Safe to run again: it does nothing when
# everything is present.
set -eu
cd "$(dirname "$0")/.."

# chromium and a Japanese font: the pages' browser tests (check_display, tests/e2e).
# prometheus: promtool checks /metrics and deploy/alerts.yml (check_reports).
# libical-dev and python3-icalendar: the calendar files' checkers (check_ics).
# man-db and groff: the manual pages' check; util-linux: flock for make run.
# clang and its runtimes (libFuzzer, ASan, UBSan): the fuzz targets (tests/fuzz).
# zbar-tools and qrencode: the ticket's QR code is decoded back in a test.
PKGS="build-essential pkg-config libevent-dev libpq-dev libyaml-dev check
libjansson-dev libsodium-dev libcurl4-openssl-dev postgresql curl
chromium fonts-noto-cjk prometheus libical-dev python3-icalendar man-db groff util-linux
zbar-tools qrencode
nginx-light pgbouncer python3 clang libclang-rt-14-dev"
# node and npm: Redocly CLI and ajv (docs/openapi.yaml). Any node >= 18.17 will do,
# so one installed another way (nodesource, nvm) is left alone.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

# The npm tools, when node_modules is missing or was installed from another lockfile.
npm_tools() {
	if cmp -s package-lock.json node_modules/.madoguchi-lock.json; then
		return 0
	fi
	echo "deps: installing the npm tools (package-lock.json)" >&2
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
	cp package-lock.json node_modules/.madoguchi-lock.json
}

if [ -z "$missing" ]; then
	npm_tools
	exit 0
fi

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
	command -v sudo >/dev/null 2>&1 || {
		echo "deps: missing packages:$missing (run as root or install sudo)" >&2
		exit 1
	}
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
npm_tools

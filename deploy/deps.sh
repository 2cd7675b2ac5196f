#!/bin/sh
# Installs the Debian packages madoguchi needs to build, test and run, if any are
# missing. Safe to run again: it does nothing when everything is present.
set -eu

# chromium and a Japanese font: the lobby display's browser test (check_display).
PKGS="build-essential pkg-config libevent-dev libpq-dev libyaml-dev check
libjansson-dev libsodium-dev libcurl4-openssl-dev postgresql curl
chromium fonts-noto-cjk"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

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

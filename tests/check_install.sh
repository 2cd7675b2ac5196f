#!/bin/sh
# make check-install: the manual pages render cleanly (groff in warning mode, and
# man's own rendering shows no stray option text), and `make install` into a
# staging directory puts every file where the operators' guide says.
set -eu
cd "$(dirname "$0")/.."

fail() { echo "check_install: $*" >&2; exit 1; }

for page in client/madoguchi.1 server/madoguchid.8; do
	warnings=$(groff -ww -z -mandoc "$page" 2>&1) || fail "$page: groff failed"
	[ -z "$warnings" ] || fail "$page: groff warnings:
$warnings"
	text=$(MANWIDTH=80 man -l "$page" 2>&1) || fail "$page: man -l failed"
	# An Fl macro swallowing prose shows up as words with a dash ("-default").
	if echo "$text" | grep -En -- '(^|[ (])-(default|standard|by|the|and|or)\b'; then
		fail "$page: stray option text above"
	fi
	echo "$text" | grep -q 'EXIT STATUS' || fail "$page: no EXIT STATUS section"
done

stage=$(mktemp -d /tmp/madoguchi-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT
make --no-print-directory install DESTDIR="$stage" PREFIX=/usr/local >/dev/null
for f in sbin/madoguchid bin/madoguchi share/man/man1/madoguchi.1 share/man/man8/madoguchid.8 \
	share/doc/madoguchi/README.md share/doc/madoguchi/config.md \
	share/madoguchi/config/madoguchi.yaml share/madoguchi/madoguchid.service; do
	[ -s "$stage/usr/local/$f" ] || fail "make install did not install $f"
done
for d in docs/*; do
	[ -s "$stage/usr/local/share/doc/madoguchi/$(basename "$d")" ] ||
		fail "make install did not install $d"
done
ls "$stage"/usr/local/share/madoguchi/config/municipalities/*.yaml >/dev/null 2>&1 ||
	fail "make install did not install the municipality files"
[ -x "$stage/usr/local/sbin/madoguchid" ] || fail "madoguchid is not executable"
"$stage/usr/local/sbin/madoguchid" --version | grep -q '^madoguchid ' ||
	fail "the installed madoguchid does not run"
# The installed sample configuration is valid as installed (its includes are relative).
MADOGUCHI_TOKEN_KEY=$(printf '%064d' 0) "$stage/usr/local/sbin/madoguchid" \
	-c "$stage/usr/local/share/madoguchi/config/madoguchi.yaml" --check-config >/dev/null ||
	fail "the installed sample configuration does not load"
# The installed pages render from where man finds them.
MANWIDTH=80 man -l "$stage/usr/local/share/man/man8/madoguchid.8" | grep -q -- '--revoke-token' ||
	fail "the installed madoguchid.8 does not render"
echo "check_install: manual pages clean, $(find "$stage" -type f | wc -l) files installed"

#!/bin/sh
# The layers hold: server/core/ includes no libevent, no libpq and nothing above
# it (only its own headers), and no two modules of server/ include each other
# (module = NAME.c with NAME.h). Run by make check.
set -eu
cd "$(dirname "$0")/.."
bad=0

# 1. The pure core.
if grep -n '#include' server/core/*.c server/core/*.h |
    grep -E '<event2/|libpq-fe\.h|"(api|\.\.)/|"[a-z_]+/' ; then
	echo "check_layers: server/core includes something above it (above)" >&2
	bad=1
fi
for f in server/core/*.c server/core/*.h; do
	for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		[ -f "server/core/$h" ] || {
			echo "check_layers: $f includes \"$h\", which is not a core header" >&2
			bad=1
		}
	done
done

# 2. No circles between two modules: the module of each quoted include, as a
# path under server/ ("core/x.h" from anywhere, "x.h" next to the file).
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in $(find server -name '*.c' -o -name '*.h'); do
	dir=$(dirname "$f")
	from=${f%.*}
	for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		if [ -f "$dir/$h" ]; then to="$dir/${h%.h}"; else to="server/${h%.h}"; fi
		to=$(echo "$to" | sed 's|/\./|/|g')
		[ "$to" = "$from" ] || echo "$from $to"
	done
done | sort -u >"$edges"
while read -r a b; do
	if grep -qx "$b $a" "$edges"; then
		echo "check_layers: $a and $b include each other" >&2
		bad=1
	fi
done <"$edges"

[ "$bad" -eq 0 ] || exit 1
echo "check_layers: server/core is pure; $(wc -l <"$edges") includes between modules, no two modules include each other"

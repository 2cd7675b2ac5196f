#!/bin/sh
# Every key the configuration parser accepts is documented: the keys of the
# municipality files (server/config_muni.c) in config/README.md, the settings of
# the main file (the table in server/config_load.c) in docs/operators.md, which
# config/README.md points to. Keys are read from the parser's own source, so a
# key added there without its line in the docs fails here.
set -eu
cd "$(dirname "$0")/.."

missing=0
# check KEY FILE: the key must appear as `KEY` (or `KEY:` / `KEY.`) in FILE.
check() {
	if ! grep -Eq "\`$1([:.\`]|\`)" "$2"; then
		echo "check_config_docs: $3 key '$1' is not documented in $2" >&2
		missing=$((missing + 1))
	fi
}

# Municipality files: every key compared with strcmp in config_muni.c, and the
# weekday names it accepts as keys of hours and peak.
muni_keys=$(sed -n 's/.*strcmp(\(key\|ydoc_scalar(k)\), "\([a-z_]*\)").*/\2/p' \
	server/config_muni.c | sort -u)
days=$(sed -n 's/.*day_names\[7\] = {\(.*\)};.*/\1/p' server/config_muni.c | tr -d '", ' |
	sed 's/\(...\)/\1 /g')
[ -n "$muni_keys" ] && [ -n "$days" ] || { echo "check_config_docs: no keys found" >&2; exit 1; }
for k in $muni_keys $days; do
	check "$k" config/README.md "municipality-file"
done

# The main file: each row { "section", "name", ... } of the key table, as
# section.name (or name at the top level), and the top-level keys.
main_keys=$(sed -n 's/^[[:space:]]*{ "\([a-z_]*\)", "\([a-z_]*\)", KEY_.*/\1.\2/p' \
	server/config_load.c | sed 's/^\.//')
[ -n "$main_keys" ] || { echo "check_config_docs: no main-file keys found" >&2; exit 1; }
for k in $main_keys include; do
	check "$k" docs/operators.md "main-file"
done

if [ "$missing" -ne 0 ]; then
	echo "check_config_docs: $missing undocumented key(s)" >&2
	exit 1
fi
echo "check_config_docs: $(echo $muni_keys $days | wc -w) municipality-file keys and" \
	"$(echo $main_keys include | wc -w) main-file keys documented"

#!/bin/sh
# Runs each fuzz target (build/fuzz/fuzz_NAME) for SECONDS seconds, one at a
# time, from its checked-in seeds (tests/fuzz/corpus/NAME) plus what earlier
# runs found (build/fuzz/corpus/NAME), and prints one line per target. Exits 1
# when any target finds a crash; the input is left in build/fuzz/crashes/.
# Usage: tests/fuzz/run.sh SECONDS NAME...
set -u
seconds=$1
shift
dir=build/fuzz
mkdir -p "$dir/crashes" "$dir/logs"
# A smaller quarantine than ASan's 256 MB: the machine is shared, and the query
# target's RSS otherwise climbs past 1 GB on freed libevent buffers alone.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:quarantine_size_mb=64}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=""
for t in "$@"; do
	log="$dir/logs/$t.log"
	mkdir -p "$dir/corpus/$t"
	case $t in
	config) dict=-dict=tests/fuzz/yaml.dict ;;
	eligibility | booking | ticket) dict=-dict=tests/fuzz/json.dict ;;
	*) dict="" ;;
	esac
	# The first directory takes new inputs; the seeds are only read.
	# shellcheck disable=SC2086
	"$dir/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/$t-" $dict \
		"$dir/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -E 's/^#([0-9]+)[[:space:]]+[A-Z]+[[:space:]]+/execs: \1 /')
	if [ $rc -ne 0 ]; then
		failed="$failed $t"
		echo "fuzz $t: FAILED (exit $rc), see $log"
		grep -E 'invariant failed|ERROR|runtime error|Test unit written' "$log" | head -n 5
		echo
	else
		echo "fuzz $t: ${seconds}s, $stats"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: crashes in:$failed" >&2
	exit 1
fi

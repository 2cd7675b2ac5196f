#!/bin/sh
# Runs each fuzz target (build/fuzz/fuzz_NAME) for SECONDS seconds, one at a
# time, from its checked-in seeds (tests/fuzz/corpus/NAME) plus what earlier
# runs found (build/fuzz/corpus/NAME), and prints one line per target (also
# appended, with the time, to build/fuzz/summary.txt). Exits 1
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

# One line for target $1 from its log $2 (libFuzzer's final stats; exit status $3):
# seconds run, executions and their rate, coverage (cov: edges, ft: features) and
# corpus size from the last status line, and the crashes (inputs written).
summary() {
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$2" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$2" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$2" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	crashes=$(grep -c 'Test unit written to' "$2")
	if [ -z "$execs" ]; then
		execs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
	fi
	status=ok
	[ "$3" -eq 0 ] || status="FAILED (exit $3), see $2"
	echo "fuzz $1: ${seconds}s, execs ${execs:-?} (${rate:-?}/s), cov ${cov:-?}, ft ${ft:-?}," \
		"corpus ${corp:-?}, crashes $crashes: $status"
}

for t in "$@"; do
	log="$dir/logs/$t.log"
	mkdir -p "$dir/corpus/$t"
	case $t in
	config) dict=-dict=tests/fuzz/yaml.dict ;;
	eligibility | booking | ticket | capacity | simulate) dict=-dict=tests/fuzz/json.dict ;;
	history | expiries) dict=-dict=tests/fuzz/csv.dict ;;
	forecast) dict=-dict=tests/fuzz/query.dict ;;
	*) dict="" ;;
	esac
	# The first directory takes new inputs; the seeds are only read.
	# shellcheck disable=SC2086
	"$dir/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/$t-" $dict \
		"$dir/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	line=$(summary "$t" "$log" "$rc")
	echo "$line"
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $line" >>"$dir/summary.txt"
	if [ $rc -ne 0 ]; then
		failed="$failed $t"
		grep -E 'invariant failed|ERROR|runtime error|Test unit written' "$log" | head -n 5
		echo
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: crashes in:$failed" >&2
	exit 1
fi

#!/bin/sh
# Benchmark: four simulated weeks with Monday and after-holiday peaks, without
# and with the manager's tools (capacity rules on forecast peak days, residents
# offered quieter days at take-up 10/30/50 %, counters per the Erlang C
# staffing plan), each day run on the daemon's simulation engine
# (server/core/qsim.c); the set-up is described at the top of bench/peaks.c.
# Deterministic: the same argument prints the same table (the engine timing aside).
#
#   bench/peaks.sh [REPLICATIONS]      (default 30)
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp /tmp/peaks_bench.XXXXXX)
trap 'rm -f "$out"' EXIT INT TERM

${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Iserver \
    bench/peaks.c server/core/forecast.c server/core/qsim.c server/core/staffing.c \
    server/core/cdate.c server/core/xmalloc.c -lm -o "$out"
"$out" "$@"
echo "command: bench/peaks.sh $*"

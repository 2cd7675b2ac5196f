#!/bin/sh
# Benchmark: a simulated Monday at one office, replayed through the daemon's
# wait estimator (server/core/waitest.c), simulated by the daemon's own engine
# (server/core/qsim.c) and the fixed-handling-time formula; prints
# each one's mean absolute error against the waits that happened, per seed and
# on average. Deterministic: the same arguments print the same table.
#
#   bench/queue_sim.sh [RUNS] [CONFIGURED_MIN]      (defaults: 5 runs, 10 minutes)
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp /tmp/queue_sim.XXXXXX)
trap 'rm -f "$out"' EXIT INT TERM

${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Iserver \
    bench/queue_sim.c server/core/qsim.c server/core/waitest.c \
    server/core/xmalloc.c -lm -o "$out"
"$out" "$@"
echo "command: bench/queue_sim.sh $*"

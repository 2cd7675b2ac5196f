#!/bin/sh
# Benchmark: two simulated years of one office (weekday, after-closure, season
# and expiry-wave effects, overdispersed noise; the generator is described at
# the top of bench/forecast.c), back-tested over the last three months at 1-4
# week horizons: daily MAPE and the share of hours whose level is within one,
# for the daemon's model (server/core/forecast.c) and two baselines.
# Deterministic: the same seed prints the same table.
#
#   bench/forecast.sh [SEED]
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp /tmp/forecast_bench.XXXXXX)
trap 'rm -f "$out"' EXIT INT TERM

${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Iserver \
    bench/forecast.c server/core/forecast.c server/core/qsim.c \
    server/core/holidays.c server/core/cdate.c server/core/xmalloc.c -lm -o "$out"
"$out" "$@"
echo "command: bench/forecast.sh $*"

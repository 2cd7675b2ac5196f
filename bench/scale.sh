#!/bin/sh
# Benchmark: all of Japan in one daemon. Generates 1,741 municipality files of
# 5 offices each (Kasugai's file and 1,740 renamed copies of it: 8,705
# offices), then reports
#   - start-up: --check-config time, and from exec to the first /healthz answer;
#   - memory: RSS once started, the peak (VmHWM) of start-up and the first
#     forecast fits, and the peak over three SIGHUP reloads under load (VmHWM
#     reset just before the first one through /proc/PID/clear_refs);
#   - SIGHUP: each reload's time (the daemon logs it) while wrk keeps asking
#     for availability, and how many of those requests failed (must be 0);
#   - the availability/healthz and daemon/pgbench booking ratios at that size
#     next to the shipped configuration's, each from bench/availability.sh and
#     bench/bookings.sh in this run (SKIP_RATIOS=1 leaves them out).
#
#   bench/scale.sh [SECONDS] [MUNICIPALITIES]      (defaults: 10 s, 1741)
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
nmuni=${2:-1741}

bench_need_wrk
make -s all

bench_setup madoguchi-scale 2026-12-01T09:00:00+09:00

# The municipalities: Kasugai as shipped, then copies k2..kN with their own ids.
mkdir "$tmp/munis"
cp config/municipalities/kasugai.yaml "$tmp/munis/"
i=2
while [ "$i" -le "$nmuni" ]; do
	sed -e "s/kasugai/k$i/g" -e "s/春日井市/春日井市$i/" config/municipalities/kasugai.yaml \
	    >"$tmp/munis/k$i.yaml"
	i=$((i + 1))
done
bench_config "$tmp/scale.yaml" "$tmp/munis/*.yaml"
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
bench_migrate "$tmp/scale.yaml"

t0=$(bench_now)
check=$(./server/madoguchid -c "$tmp/scale.yaml" --check-config)
t1=$(bench_now)
check_ms=$(ms "$t0" "$t1")

port=$(bench_port)
t0=$(bench_now)
pid=
bench_daemon pid "$tmp/scale.yaml" "$port"
t1=$(bench_now)
start_ms=$(ms "$t0" "$t1")
rss_start=$(bench_rss "$pid" VmRSS)

# Availability of offices spread over the country, while SIGHUP reloads run.
cat >"$tmp/spread.lua" <<'EOF'
local n = tonumber(os.getenv("NMUNI"))
local i = 0
request = function()
	i = i + 1
	local m = (i * 7919) % n + 1
	local office = m == 1 and "kasugai-main" or ("k" .. m .. "-main")
	return wrk.format("GET", "/v1/offices/" .. office ..
	    "/availability?service=ecert_renewal&from=2026-12-01&to=2026-12-14")
end
EOF
NMUNI=$nmuni wrk -t1 -c16 -d"$((secs + 2))s" -s "$tmp/spread.lua" "http://127.0.0.1:$port" \
    >"$tmp/wrk.txt" &
wrkpid=$!
sleep 1
rss_before=$(bench_rss "$pid" VmRSS)
rss_startpeak=$(bench_rss "$pid")
echo 5 >/proc/$pid/clear_refs	# VmHWM starts again from the RSS now
for _ in 1 2 3; do
	kill -HUP "$pid"
	sleep $((secs / 3 > 0 ? secs / 3 : 1))
done
wait "$wrkpid"
kill -0 "$pid" 2>/dev/null || { echo "scale: the daemon died" >&2; tail "$(bench_log "$port")" >&2; exit 1; }
reloads=$(grep -o 'configuration loaded in [0-9]* ms' "$(bench_log "$port")" | awk '{ print $4 }' | tr '\n' ' ')
set -- $(bench_wrk "$tmp/wrk.txt")
rps=$1 bad=$4 req=$5
sockerr=$(awk '/Socket errors/ { print }' "$tmp/wrk.txt")
rss_peak=$(bench_rss "$pid")
rss_after=$(bench_rss "$pid" VmRSS)
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=
bench_pg_stop

echo "madoguchi scale benchmark ($(nproc) cores, $(date -u +%Y-%m-%d))"
echo "config: $check"
echo "start-up: --check-config ${check_ms} ms; exec to first /healthz ${start_ms} ms (goal < 2000 ms)"
echo "memory: RSS $((rss_start / 1024)) MiB once started, peak $((rss_startpeak / 1024)) MiB" \
    "over start-up and the first fits (goal < 200 MiB)"
echo "memory over the reloads: RSS $((rss_before / 1024)) MiB before, peak $((rss_peak / 1024)) MiB," \
    "$((rss_after / 1024)) MiB after (goal < 200 MiB)"
echo "SIGHUP reloads under load: ${reloads}ms each; meanwhile $req availability requests" \
    "over offices across the country at $rps/s, ${bad:-0} non-2xx${sockerr:+, $sockerr}"
[ "${SKIP_RATIOS:-}" = 1 ] && exit 0

echo
echo "ratios, shipped configuration then $nmuni municipalities:"
./bench/availability.sh "$secs" 32 | grep '^ratio'
BENCH_MUNICIPALITIES="$tmp/munis" ./bench/availability.sh "$secs" 32 | grep '^ratio\|RSS'
./bench/bookings.sh "$secs" 32 | grep '^ratio\|^daemon:\|^pgbench:'
BENCH_MUNICIPALITIES="$tmp/munis" ./bench/bookings.sh "$secs" 32 | grep '^ratio\|^daemon:\|^pgbench:'

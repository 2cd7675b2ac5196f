#!/bin/sh
# Benchmark: a realistic mix on one daemon with the shipped offices, while 200
# event streams stay open (curl --parallel): of every 100 requests 70 ask for
# availability (every office, the default 14 days), 10 check eligibility, 10
# read an office's queue and 5 a booking's status, and 5 book a free place
# (distinct places, shuffled, from the 60-day horizon of Kasugai's offices).
# wrk runs closed-loop at growing connection counts; the figure is the highest
# rate whose p99 stays under 50 ms, with the daemon's CPU share and peak RSS.
#
#   bench/mixed.sh [SECONDS] [CONNECTIONS...]      (defaults: 10 s; 4 8 16 32 64)
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
secs=${1:-10}
[ $# -gt 0 ] && shift
steps=${*:-4 8 16 32 64}
streams=200

bench_need_wrk
make -s all

bench_setup madoguchi-mixed 2026-12-01T09:00:00+09:00
# All the load and all the streams come from one address: neither limit applies.
bench_config "$tmp/mixed.yaml" "$(pwd)/config/municipalities/*.yaml" \
    "http: {streams_per_client: 1000, connections_per_client: 10000}"
bench_migrate "$tmp/mixed.yaml"
psql -qX "$MADOGUCHI_DATABASE_URL" -f bench/past_bookings.sql >/dev/null
port=$(bench_port)
url=http://127.0.0.1:$port
pid=
bench_daemon pid "$tmp/mixed.yaml" "$port"

# Offices offering ecert_renewal; Kasugai's free places, one line per place.
curl -sf "$url/v1/offices" | grep -o '"id":"[a-z0-9-]*"' | cut -d'"' -f4 | sort -u >"$tmp/ids"
: >"$tmp/offices"
for o in $(cat "$tmp/ids"); do
	curl -sf "$url/v1/offices/$o/availability?service=ecert_renewal" >/dev/null &&
	    echo "$o" >>"$tmp/offices"
done
: >"$tmp/places"
for o in $(grep '^kasugai-' "$tmp/offices"); do
	for s in ecert_renewal pin_reset address_change card_pickup; do
		for range in "from=2026-12-02&to=2026-12-31" "from=2027-01-01&to=2027-01-30"; do
			curl -sf "$url/v1/offices/$o/availability?service=$s&$range" |
			    grep -o '"start":"[^"]*","end":"[^"]*","capacity":[0-9]*,"available":[0-9]*' |
			    awk -F'"' -v o="$o" -v s="$s" '{ split($0, a, "\"available\":");
				for (i = 0; i < a[2]; i++) print o, s, $4 }' >>"$tmp/places" || true
		done
	done
done
shuf "$tmp/places" -o "$tmp/places"
applicant='{"birth_date":"1980-02-10","card":{"issued_on":"2022-01-15"},"certificates":{"issued_on":"2023-01-15"}}'
set -- $(head -n 1 "$tmp/places")
sed -i 1d "$tmp/places"
curl -sf -X POST "$url/v1/bookings" -H 'Content-Type: application/json' -d "{\"office\":\"$1\",
  \"service\":\"$2\",\"start\":\"$3\",\"applicant\":$applicant,
  \"contact\":{\"name\":\"Bench\",\"email\":\"bench@example.jp\"}}" >"$tmp/booking.json"
ref=$(grep -o '"reference":"[^"]*"' "$tmp/booking.json" | cut -d'"' -f4)
token=$(grep -o '"token":"[^"]*"' "$tmp/booking.json" | cut -d'"' -f4)
[ -n "$ref" ] && [ -n "$token" ] || { echo "mixed: the sample booking failed" >&2; exit 1; }

cat >"$tmp/mixed.lua" <<'EOF'
local offices, places, n, p = {}, {}, 0, 0	-- each booking a resident of its own
local step = os.getenv("MIXED_STEP")
local ref, token, applicant = os.getenv("MIXED_REF"), os.getenv("MIXED_TOKEN"),
    os.getenv("MIXED_APPLICANT")
for l in io.lines(os.getenv("MIXED_OFFICES")) do offices[#offices + 1] = l end
for l in io.lines(os.getenv("MIXED_PLACES")) do places[#places + 1] = l end
local json = { ["Content-Type"] = "application/json" }
local elig = '{"service":"ecert_renewal","visit_date":"2026-12-16","language":"ja",' ..
    '"applicant":' .. applicant .. '}'
request = function()
	n = n + 1
	local k = n % 100
	local office = offices[(n * 7919) % #offices + 1]
	if k < 70 then
		return wrk.format("GET", "/v1/offices/" .. office .. "/availability?service=ecert_renewal")
	elseif k < 80 then
		return wrk.format("POST", "/v1/eligibility", json, elig)
	elseif k < 90 then
		return wrk.format("GET", "/v1/offices/" .. office .. "/queue")
	elseif k < 95 then
		return wrk.format("GET", "/v1/bookings/" .. ref, { Authorization = "Bearer " .. token })
	end
	p = p % #places + 1
	local o, s, start = places[p]:match("(%S+) (%S+) (%S+)")
	return wrk.format("POST", "/v1/bookings", json, '{"office":"' .. o .. '","service":"' ..
	    s .. '","start":"' .. start .. '","applicant":' .. applicant ..
	    ',"contact":{"name":"Bench","email":"bench' .. step .. '-' .. p .. '@example.jp"}}')
end
EOF

# The event streams, spread over the offices, kept open by one curl.
awk -v n="$streams" -v u="$url" '{ o[NR] = $1 } END { for (i = 0; i < n; i++)
	printf "url = \"%s/v1/offices/%s/events\"\noutput = \"/dev/null\"\n", u, o[i % NR + 1] }' \
    "$tmp/offices" >"$tmp/streams.curl"
curl -s -N -Z --parallel-immediate --parallel-max "$streams" -K "$tmp/streams.curl" 2>/dev/null &
spid=$!
bench_track spid
for _ in $(seq 100); do
	open=$(ss -tnH state established "( dport = :$port )" | wc -l)
	[ "$open" -ge "$streams" ] && break
	sleep 0.1
done

hz=$(getconf CLK_TCK)
export MIXED_OFFICES="$tmp/offices" MIXED_PLACES="$tmp/places" MIXED_REF="$ref"
export MIXED_TOKEN="$token" MIXED_APPLICANT="$applicant"
echo "madoguchi mixed benchmark ($(nproc) cores, wrk -t1 -d${secs}s, $(date -u +%Y-%m-%d))"
echo "$(wc -l <"$tmp/offices") offices, $(wc -l <"$tmp/places") free places (shared out among the steps), $open event streams open"
printf '%6s %9s %8s %8s %8s %9s\n' conns "req/s" "p50 ms" "p99 ms" non-2xx "daemon %"
best=
nsteps=$(echo $steps | wc -w)
split -n "l/$nsteps" -d "$tmp/places" "$tmp/places."
step=0
for c in $steps; do
	# Each step books places of its own: none was taken by the step before.
	MIXED_PLACES=$(ls "$tmp"/places.* | sed -n "$((step + 1))p")
	step=$((step + 1))
	MIXED_STEP=$step
	export MIXED_PLACES MIXED_STEP
	c0=$(bench_ticks "$pid")
	w0=$(bench_now)
	wrk -t1 -c"$c" -d"${secs}s" --latency -s "$tmp/mixed.lua" "$url" >"$tmp/wrk.txt"
	w1=$(bench_now)
	c1=$(bench_ticks "$pid")
	set -- $(bench_wrk "$tmp/wrk.txt" | awk -v c0="$c0" -v c1="$c1" -v w0="$w0" -v w1="$w1" -v hz="$hz" \
	    '{ printf "%s %s %s %s %.0f\n", $1, $2, $3, $4, (c1 - c0) / hz / (w1 - w0) * 100 }')
	printf '%6s %9s %8s %8s %8s %9s\n' "$c" "$1" "$2" "$3" "$4" "$5"
	if awk -v p="$3" 'BEGIN { exit !(p < 50) }'; then
		if [ -z "$best" ] || [ "$1" -gt "$(echo "$best" | cut -d' ' -f1)" ]; then
			best="$1 $c $3 $5"
		fi
	fi
done
kill -0 "$spid" 2>/dev/null || echo "mixed: the event streams ended early" >&2
still=$(ss -tnH state established "( dport = :$port )" | wc -l)
rss=$(bench_rss "$pid")
if [ -n "$best" ]; then
	set -- $best
	echo "highest rate with p99 < 50 ms: $1 req/s at $2 connections (p99 $3 ms); daemon CPU $4 % of one core"
else
	echo "no step kept p99 under 50 ms"
fi
echo "daemon peak RSS (VmHWM): $((rss / 1024)) MiB; event streams open at the end: $still"
echo "answers other than 2xx, from the daemon's log (count, method, route, status):"
grep -o '\(GET\|POST\) [^ ]* [3-5][0-9][0-9] ' "$(bench_log "$port")" | awk '{
	sub(/\/v1\/offices\/[^\/]*/, "/v1/offices/{office}", $2)
	sub(/\/v1\/bookings\/[A-Za-z0-9-]+/, "/v1/bookings/{reference}", $2); print $1, $2, $3 }' |
    sort | uniq -c | sed 's/^/  /'

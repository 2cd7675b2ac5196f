# What the benchmark scripts share: a throwaway PostgreSQL cluster, a config,
# daemons started and waited for, tokens, cleanup, and the daemon's CPU and RSS.
# A script sources it first (POSIX sh, after set -eu):
#
#   . "$(dirname "$0")/lib.sh"
#
# Sourcing it moves to the top of the tree (so ./server/madoguchid and
# ./deploy/devdb.sh resolve) and defines, running nothing else:
#
#   bench_need_wrk             installs wrk (and the project's dependencies) if missing
#   bench_setup NAME NOW       makes $tmp (/tmp/NAME.XXXXXX, removed on exit unless KEEP
#                              is set), starts a cluster in $tmp/pg (fsync off), exports
#                              MADOGUCHI_DATABASE_URL, MADOGUCHI_NOW=NOW and a random
#                              MADOGUCHI_TOKEN_KEY; on exit, interrupt or TERM, stops
#                              the processes named by bench_track and the cluster
#   bench_track VAR            on exit, kill and reap the process whose id is in $VAR,
#                              the last one tracked first
#                              (read then, so a VAR set empty or to a new id counts)
#   bench_pg_stop              stops the cluster; bench_pg_restart stops and starts it
#   bench_sql SQL              runs SQL, prints the rows unaligned (psql -qAtX)
#   bench_config FILE INCLUDE [LINE...]
#                              writes a daemon config: the per-address rate limit
#                              opened up (all the load comes from loopback), each LINE
#                              as given, and INCLUDE (a glob of municipality files)
#   bench_migrate CONFIG       migrates the cluster's schema
#   bench_token CONFIG ROLE OFFICE...
#                              prints a new token (madoguchid --create-token)
#   bench_port                 prints a port for this run (from the shell's pid)
#   bench_start VAR CONFIG PORT
#                              starts a daemon on 127.0.0.1:PORT, its log appended to
#                              $tmp/daemonPORT.log, its pid in $VAR (tracked)
#   bench_wait PORT PID        waits until /healthz answers; exits if PID dies first
#                              (or after 12,000 tries, two minutes at least)
#   bench_daemon VAR CONFIG PORT
#                              bench_start then bench_wait
#   bench_log PORT             prints the path of the daemon's log on PORT
#   bench_ticks PID            prints PID's CPU time in clock ticks (user + system)
#   bench_rss PID [FIELD]      prints PID's memory in KiB: FIELD of /proc/PID/status,
#                              VmHWM (peak RSS) unless given, e.g. VmRSS
#   bench_now                  prints the time in seconds, with nanoseconds
#   bench_wrk FILE             prints "req/s p50 p99 non-2xx requests" from a wrk
#                              --latency report (latencies in ms, 2 decimals)
#   bench_timeit RUNS URL [CURL ARGS...]
#                              GETs URL RUNS times, prints "best X ms, median Y ms"
#                              (client-side times; answers other than 200 counted
#                              on stderr)
#   bench_history FILE YEAR SEED
#                              writes a year of one office's ticket history as the
#                              history import takes it (CSV): every weekday about
#                              225 tickets (Mondays 300), 9:00-17:00, 6 % no-shows

cd "$(dirname "$0")/.." || exit
bench_tracked=

bench_need_wrk() {
	command -v wrk >/dev/null 2>&1 || { ./deploy/deps.sh; apt-get install -y -qq wrk >/dev/null; }
}

bench_track() {
	case " $bench_tracked " in
	*" $1 "*) ;;
	*) bench_tracked="$1 $bench_tracked" ;;
	esac
}

bench_cleanup() {
	for bench_v in $bench_tracked; do
		eval "bench_p=\${$bench_v:-}"
		[ -n "$bench_p" ] || continue
		if kill "$bench_p" 2>/dev/null; then wait "$bench_p" 2>/dev/null || true; fi
	done
	[ -n "${tmp:-}" ] || return 0
	./deploy/devdb.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	if [ -z "${KEEP:-}" ]; then rm -rf "$tmp"; else echo "kept $tmp" >&2; fi
}

bench_setup() {
	tmp=$(mktemp -d "/tmp/$1.XXXXXX")
	chmod 755 "$tmp"
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	MADOGUCHI_DATABASE_URL=$(DEVDB_FSYNC=off ./deploy/devdb.sh start "$tmp/pg")
	MADOGUCHI_NOW=$2
	MADOGUCHI_TOKEN_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	export MADOGUCHI_DATABASE_URL MADOGUCHI_NOW MADOGUCHI_TOKEN_KEY
}

bench_pg_stop() { ./deploy/devdb.sh stop "$tmp/pg" >/dev/null; }

bench_pg_restart() {
	bench_pg_stop
	DEVDB_FSYNC=off ./deploy/devdb.sh start "$tmp/pg" >/dev/null
}

bench_sql() { psql -qAtX "$MADOGUCHI_DATABASE_URL" -c "$1"; }

bench_config() {
	bench_f=$1 bench_inc=$2
	shift 2
	{
		echo 'ratelimit: {per_minute: 60000000, burst: 1000000}'
		for bench_l in "$@"; do echo "$bench_l"; done
		echo 'include:'
		echo "  - $bench_inc"
	} >"$bench_f"
}

bench_migrate() { ./server/madoguchid -c "$1" --migrate 2>/dev/null; }

bench_token() {
	bench_c=$1
	shift
	./server/madoguchid -c "$bench_c" --create-token "$@" 2>/dev/null | tail -n 1
}

bench_port() { echo $(( 20000 + $$ % 20000 )); }

bench_log() { echo "$tmp/daemon$1.log"; }

bench_start() {
	./server/madoguchid -c "$2" --listen "127.0.0.1:$3" 2>>"$(bench_log "$3")" &
	eval "$1=\$!"
	bench_track "$1"
}

bench_wait() {
	bench_i=0
	until curl -sf "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; do
		bench_i=$((bench_i + 1))
		if ! kill -0 "$2" 2>/dev/null || [ "$bench_i" -gt 12000 ]; then
			echo "${0##*/}: the daemon on :$1 died or did not answer /healthz" >&2
			tail "$(bench_log "$1")" >&2
			exit 1
		fi
		sleep 0.01
	done
}

bench_daemon() {
	bench_start "$@"
	eval "bench_wait \"\$3\" \"\$$1\""
}

bench_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

bench_rss() { awk -v f="${2:-VmHWM}:" '$1 == f { print $2 }' "/proc/$1/status"; }

bench_now() { date +%s.%N; }

bench_wrk() {
	awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	/Requests\/sec/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/Non-2xx/ { bad = $NF }
	/requests in/ { n = $1 }
	END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, bad, n }' "$1"
}

bench_timeit() {
	bench_n=$1 bench_u=$2
	shift 2
	for _ in $(seq "$bench_n"); do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$@" "$bench_u"
	done | awk '$1 != 200 { bad++ } { print $2 }
	    END { if (bad) print "bench: " bad " answers were not 200" > "/dev/stderr" }' |
	    sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "best %.1f ms, median %.1f ms\n", v[1], v[int((NR + 1) / 2)] }'
}

bench_history() {
	python3 - "$1" "$2" "$3" <<'GENERATE'
import datetime, random, sys
path, year, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(seed)
svcs = ["ecert_renewal", "card_application", "card_pickup", "pin_reset", "address_change"]
tz = datetime.timezone(datetime.timedelta(hours=9))
f = open(path, "w", newline="")
f.write("issued_at,service,kind,called_at,done_at,status\r\n")
d = datetime.date(year, 1, 1)
while d.year == year:
    if d.weekday() < 5:
        n = int(random.gauss(300 if d.weekday() == 0 else 225, 25))
        for _ in range(n):
            t = datetime.datetime(d.year, d.month, d.day, 9, tzinfo=tz) + \
                datetime.timedelta(seconds=random.randrange(8 * 3600))
            if random.random() < 0.06:
                f.write("%s,%s,walk_in,,,no_show\r\n" % (t.isoformat(), random.choice(svcs)))
                continue
            c = t + datetime.timedelta(seconds=random.randrange(75 * 60))
            e = c + datetime.timedelta(seconds=random.randrange(180, 1500))
            f.write("%s,%s,%s,%s,%s,done\r\n" % (t.isoformat(), random.choice(svcs),
                random.choice(["walk_in", "reservation"]), c.isoformat(), e.isoformat()))
    d += datetime.timedelta(days=1)
f.close()
GENERATE
}

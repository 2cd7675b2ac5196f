/* Unit tests for the per-client token buckets (ratelimit.c, xmalloc.c). */
#include <check.h>
#include <arpa/inet.h>
#include <malloc.h>
#include <math.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "ratelimit.h"

/* A monotonic start time well away from 0, so going back from it is possible. */
#define T0	((uint64_t)10000000)

/* A new limiter, failing the test when it is refused. */
static struct ratelimit *
limiter(double rate, double burst, size_t max)
{
	struct ratelimit *rl = ratelimit_new(rate, burst, max);

	ck_assert_ptr_nonnull(rl);
	return rl;
}

/* Whether one request of cost 1 from ip is allowed at now. */
static bool
take1(struct ratelimit *rl, const char *ip, uint64_t now)
{
	double retry;

	return ratelimit_take(rl, ip, 1, now, &retry);
}

/* How many cost-1 requests ip gets at now before the first refusal (at most 1000). */
static int
drain(struct ratelimit *rl, const char *ip, uint64_t now)
{
	int n = 0;

	while (n < 1000 && take1(rl, ip, now))
		n++;
	return n;
}

/* A full burst is allowed at once, and the next request is refused. */
START_TEST(burst_then_refused)
{
	struct ratelimit *rl = limiter(1, 5, 16);
	double retry = -1;

	for (int i = 0; i < 5; i++) {
		ck_assert(ratelimit_take(rl, "192.0.2.1", 1, T0, &retry));
		ck_assert_double_eq(retry, 0);
	}
	ck_assert(!ratelimit_take(rl, "192.0.2.1", 1, T0, &retry));
	ck_assert_double_gt(retry, 0);
	ck_assert(!take1(rl, "192.0.2.1", T0 + 500));
	ck_assert_uint_eq(ratelimit_size(rl), 1);
	ratelimit_free(rl);
}
END_TEST

/* Tokens come back at rate a second, never above burst. */
START_TEST(refill_over_time)
{
	struct ratelimit *rl = limiter(1, 5, 16);

	ck_assert_int_eq(drain(rl, "192.0.2.1", T0), 5);
	ck_assert(!take1(rl, "192.0.2.1", T0 + 999));
	ck_assert(take1(rl, "192.0.2.1", T0 + 1000));
	ck_assert(!take1(rl, "192.0.2.1", T0 + 1000));
	ck_assert_int_eq(drain(rl, "192.0.2.1", T0 + 3000), 2);
	/* An hour of idling refills to burst, not to 3600. */
	ck_assert_int_eq(drain(rl, "192.0.2.1", T0 + 3603000), 5);
	ratelimit_free(rl);
}
END_TEST

/* Ten refused tries a tenth of a second apart do not delay the token due after one second. */
START_TEST(refill_exact_after_many_touches)
{
	struct ratelimit *rl = limiter(1, 1, 16);

	ck_assert(take1(rl, "192.0.2.1", T0));
	for (uint64_t t = 100; t < 1000; t += 100)
		ck_assert(!take1(rl, "192.0.2.1", T0 + t));
	ck_assert(take1(rl, "192.0.2.1", T0 + 1000));
	ratelimit_free(rl);
}
END_TEST

/* retry_after is the exact wait until enough tokens exist, and waiting it is enough. */
START_TEST(retry_after_exact)
{
	struct ratelimit *rl = limiter(2, 3, 16);
	double retry = -1;
	uint64_t wait_ms;

	ck_assert_int_eq(drain(rl, "192.0.2.1", T0), 3);
	ck_assert(!ratelimit_take(rl, "192.0.2.1", 1, T0, &retry));
	ck_assert_double_eq_tol(retry, 0.5, 1e-9);
	ck_assert(!ratelimit_take(rl, "192.0.2.1", 1, T0 + 250, &retry));
	ck_assert_double_eq_tol(retry, 0.25, 1e-9);
	ck_assert(!ratelimit_take(rl, "192.0.2.1", 3, T0 + 250, &retry));
	ck_assert_double_eq_tol(retry, 1.25, 1e-9);
	wait_ms = (uint64_t)ceil(retry * 1000);
	ck_assert(!ratelimit_take(rl, "192.0.2.1", 3, T0 + 250 + wait_ms - 1, &retry));
	ck_assert(ratelimit_take(rl, "192.0.2.1", 3, T0 + 250 + wait_ms, &retry));
	ck_assert_double_eq(retry, 0);
	/* A NULL retry_after is allowed either way. */
	ck_assert(!ratelimit_take(rl, "192.0.2.1", 1, T0 + 250 + wait_ms, NULL));
	ck_assert(ratelimit_take(rl, "192.0.2.9", 1, T0, NULL));
	ratelimit_free(rl);
}
END_TEST

/* A request may cost several tokens; a cost above burst needs a full bucket. */
START_TEST(cost_above_one)
{
	struct ratelimit *rl = limiter(1, 10, 16);
	double retry = -1;

	ck_assert(ratelimit_take(rl, "192.0.2.1", 4, T0, &retry));
	ck_assert(ratelimit_take(rl, "192.0.2.1", 4, T0, &retry));
	ck_assert(!ratelimit_take(rl, "192.0.2.1", 4, T0, &retry));
	ck_assert_double_eq_tol(retry, 2.0, 1e-9);
	ck_assert(ratelimit_take(rl, "192.0.2.1", 2, T0, &retry));
	ck_assert(!take1(rl, "192.0.2.1", T0));

	/* Cost 50 with burst 10 is charged as 10: allowed only when full. */
	ck_assert(ratelimit_take(rl, "192.0.2.2", 50, T0, &retry));
	ck_assert(!take1(rl, "192.0.2.2", T0));
	ck_assert(!ratelimit_take(rl, "192.0.2.2", 50, T0 + 4000, &retry));
	ck_assert_double_eq_tol(retry, 6.0, 1e-9);
	ck_assert(ratelimit_take(rl, "192.0.2.2", 50, T0 + 10000, &retry));
	ratelimit_free(rl);
}
END_TEST

/* A cost of 0, below 0 or NaN is always allowed, charges nothing and tracks nothing. */
START_TEST(cost_not_positive)
{
	struct ratelimit *rl = limiter(1, 2, 16);
	double retry = -1;

	ck_assert_int_eq(drain(rl, "192.0.2.1", T0), 2);
	ck_assert(ratelimit_take(rl, "192.0.2.1", 0, T0, &retry));
	ck_assert_double_eq(retry, 0);
	ck_assert(ratelimit_take(rl, "192.0.2.1", -5, T0, &retry));
	ck_assert(ratelimit_take(rl, "192.0.2.1", NAN, T0, &retry));
	ck_assert(!take1(rl, "192.0.2.1", T0));	/* -5 did not add tokens */
	ck_assert(ratelimit_take(rl, "192.0.2.2", 0, T0, &retry));
	ck_assert_uint_eq(ratelimit_size(rl), 1);
	ratelimit_free(rl);
}
END_TEST

/* One client's empty bucket does not touch another's. */
START_TEST(clients_independent)
{
	struct ratelimit *rl = limiter(1, 5, 16);

	ck_assert_int_eq(drain(rl, "192.0.2.1", T0), 5);
	ck_assert_int_eq(drain(rl, "192.0.2.2", T0), 5);
	ck_assert_int_eq(drain(rl, "198.51.100.1", T0), 5);
	ck_assert_int_eq(drain(rl, "2001:db8::1", T0), 5);
	ck_assert_uint_eq(ratelimit_size(rl), 4);
	ratelimit_free(rl);
}
END_TEST

/* Addresses within one IPv6 /64 share a bucket, whatever their spelling; other /64s do not. */
START_TEST(ipv6_same_64_shared)
{
	struct ratelimit *rl = limiter(1, 5, 16);

	ck_assert_int_eq(drain(rl, "2001:db8:1:2::1", T0), 5);
	ck_assert(!take1(rl, "2001:db8:1:2:ffff:ffff:ffff:ffff", T0));
	ck_assert(!take1(rl, "2001:DB8:1:2::ABCD", T0));
	ck_assert(!take1(rl, "2001:0db8:0001:0002:0000:0000:0000:0099", T0));
	ck_assert(!take1(rl, "[2001:db8:1:2::7]", T0));
	ck_assert(!take1(rl, "2001:db8:1:2::1%eth0", T0));
	ck_assert_uint_eq(ratelimit_size(rl), 1);

	ck_assert_int_eq(drain(rl, "2001:db8:1:3::1", T0), 5);
	ck_assert_int_eq(drain(rl, "2001:db8:2:2::1", T0), 5);
	ck_assert_int_eq(drain(rl, "::1", T0), 5);
	ck_assert_uint_eq(ratelimit_size(rl), 4);
	ratelimit_free(rl);
}
END_TEST

/* IPv4-mapped IPv6 is normalised to the IPv4 client (dual-stack sockets report IPv4 so). */
START_TEST(ipv4_mapped_is_ipv4)
{
	struct ratelimit *rl = limiter(1, 5, 16);

	ck_assert_int_eq(drain(rl, "192.0.2.7", T0), 5);
	ck_assert(!take1(rl, "::ffff:192.0.2.7", T0));
	ck_assert(!take1(rl, "::FFFF:c000:207", T0));
	ck_assert(!take1(rl, "[::ffff:192.0.2.7]", T0));
	ck_assert_uint_eq(ratelimit_size(rl), 1);
	/* The neighbour and the deprecated IPv4-compatible form are other clients. */
	ck_assert_int_eq(drain(rl, "::ffff:192.0.2.8", T0), 5);
	ck_assert_int_eq(drain(rl, "::192.0.2.7", T0), 5);
	ck_assert_uint_eq(ratelimit_size(rl), 3);
	ratelimit_free(rl);
}
END_TEST

/* Socket addresses key exactly as their text forms do. */
START_TEST(sockaddr_matches_text)
{
	struct ratelimit *rl = limiter(1, 2, 16);
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	double retry;

	ck_assert_int_eq(drain(rl, "192.0.2.7", T0), 2);
	memset(&ss, 0, sizeof ss);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(40000);
	ck_assert_int_eq(inet_pton(AF_INET, "192.0.2.7", &sin->sin_addr), 1);
	ck_assert(!ratelimit_take_addr(rl, (struct sockaddr *)&ss, sizeof *sin, 1, T0, &retry));

	ck_assert_int_eq(drain(rl, "2001:db8:1:2::1", T0), 2);
	memset(&ss, 0, sizeof ss);
	sin6->sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:1:2::99", &sin6->sin6_addr), 1);
	ck_assert(!ratelimit_take_addr(rl, (struct sockaddr *)&ss, sizeof *sin6, 1, T0, &retry));
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:192.0.2.7", &sin6->sin6_addr), 1);
	ck_assert(!ratelimit_take_addr(rl, (struct sockaddr *)&ss, sizeof *sin6, 1, T0, &retry));
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:1:3::1", &sin6->sin6_addr), 1);
	ck_assert(ratelimit_take_addr(rl, (struct sockaddr *)&ss, sizeof *sin6, 1, T0, &retry));
	ck_assert_uint_eq(ratelimit_size(rl), 3);

	/* Unix-socket peers share one bucket; short or missing addresses do not crash. */
	memset(&ss, 0, sizeof ss);
	sun->sun_family = AF_UNIX;
	ck_assert(ratelimit_take_addr(rl, (struct sockaddr *)&ss, sizeof *sun, 2, T0, &retry));
	ck_assert(!ratelimit_take_addr(rl, (struct sockaddr *)&ss, sizeof *sun, 1, T0, &retry));
	sin->sin_family = AF_INET;
	ck_assert(ratelimit_take_addr(rl, (struct sockaddr *)&ss, 4, 1, T0, &retry));
	ck_assert(ratelimit_take_addr(rl, NULL, 0, 1, T0, &retry));
	ck_assert_uint_eq(ratelimit_size(rl), 6);
	ratelimit_free(rl);
}
END_TEST

/* Reconfiguring keeps every bucket's tokens; a smaller burst caps them; bad values change nothing. */
START_TEST(reconfigure_keeps_state)
{
	struct ratelimit *rl = limiter(1, 5, 16);

	ck_assert_int_eq(drain(rl, "192.0.2.1", T0), 5);
	ck_assert(take1(rl, "192.0.2.2", T0));
	ck_assert(ratelimit_configure(rl, 10, 20));
	ck_assert_uint_eq(ratelimit_size(rl), 2);
	ck_assert(!take1(rl, "192.0.2.1", T0));		/* still empty, not reset */
	ck_assert_int_eq(drain(rl, "192.0.2.1", T0 + 1000), 10);	/* new rate */
	ck_assert_int_eq(drain(rl, "192.0.2.3", T0), 20);	/* new burst */
	ck_assert_int_eq(drain(rl, "192.0.2.2", T0 + 10000), 20);

	ck_assert(take1(rl, "192.0.2.4", T0));	/* 19 left */
	ck_assert(ratelimit_configure(rl, 1, 3));
	ck_assert_int_eq(drain(rl, "192.0.2.4", T0), 3);

	ck_assert(!ratelimit_configure(rl, 0, 5));
	ck_assert(!ratelimit_configure(rl, -1, 5));
	ck_assert(!ratelimit_configure(rl, NAN, 5));
	ck_assert(!ratelimit_configure(rl, INFINITY, 5));
	ck_assert(!ratelimit_configure(rl, 1, 0.5));
	ck_assert(!ratelimit_configure(rl, 1, NAN));
	ck_assert(!ratelimit_configure(rl, 1, 1e12));
	/* Still rate 1, burst 3. */
	ck_assert(!take1(rl, "192.0.2.4", T0 + 999));
	ck_assert_int_eq(drain(rl, "192.0.2.4", T0 + 60000), 3);
	ratelimit_free(rl);
}
END_TEST

/* A full table drops a refilled bucket before any that still holds a debt. */
START_TEST(full_table_evicts_idle_first)
{
	struct ratelimit *rl = limiter(1, 5, 4);
	uint64_t t1 = T0 + 1000;

	/* B, C, D empty; A (most recently used) spent one token. */
	ck_assert_int_eq(drain(rl, "192.0.2.2", T0), 5);
	ck_assert_int_eq(drain(rl, "192.0.2.3", T0), 5);
	ck_assert_int_eq(drain(rl, "192.0.2.4", T0), 5);
	ck_assert(take1(rl, "192.0.2.1", T0));
	ck_assert_uint_eq(ratelimit_size(rl), 4);

	/* A second later A is full again, B, C, D hold one token each. */
	ck_assert_int_eq(drain(rl, "192.0.2.5", t1), 5);
	ck_assert_uint_eq(ratelimit_size(rl), 4);
	for (int i = 2; i <= 4; i++) {
		char ip[32];
		double retry;

		snprintf(ip, sizeof ip, "192.0.2.%d", i);
		ck_assert_msg(!ratelimit_take(rl, ip, 2, t1, &retry),
		    "%s lost its state, so it was evicted instead of the idle bucket", ip);
	}
	ck_assert_uint_eq(ratelimit_size(rl), 4);
	ratelimit_free(rl);
}
END_TEST

/*
 * Fills a 32-entry table at T0: every client empty except client idle_at, which
 * spent one token and so is full again a second later.
 */
static struct ratelimit *
full_table_with_idle(int idle_at)
{
	struct ratelimit *rl = limiter(1, 5, 32);
	char ip[32];

	for (int i = 0; i < 32; i++) {
		snprintf(ip, sizeof ip, "192.0.2.%d", i);
		if (i == idle_at)
			ck_assert(take1(rl, ip, T0));
		else
			ck_assert_int_eq(drain(rl, ip, T0), 5);
	}
	ck_assert_uint_eq(ratelimit_size(rl), 32);
	return rl;
}

/* Asserts that every client 0..31 but idle_at kept its empty bucket at now. */
static void
assert_debts_kept(struct ratelimit *rl, int idle_at, uint64_t now)
{
	char ip[32];
	double retry;

	for (int i = 0; i < 32; i++) {
		snprintf(ip, sizeof ip, "192.0.2.%d", i);
		if (i != idle_at)
			ck_assert_msg(!ratelimit_take(rl, ip, 2, now, &retry),
			    "%s lost its state instead of the idle client", ip);
	}
}

/* An idle bucket far from the LRU end is still found before anyone is evicted. */
START_TEST(full_table_idle_far_from_lru_end)
{
	struct ratelimit *rl = full_table_with_idle(20);

	ck_assert(take1(rl, "203.0.113.1", T0 + 1000));
	ck_assert_uint_eq(ratelimit_size(rl), 32);
	assert_debts_kept(rl, 20, T0 + 1000);
	ratelimit_free(rl);
}
END_TEST

/* Right after a sweep, an idle bucket near the LRU end still goes before the LRU one. */
START_TEST(full_table_idle_near_lru_end)
{
	struct ratelimit *rl = full_table_with_idle(3);

	ck_assert_uint_eq(ratelimit_sweep(rl, T0 + 500), 0);	/* nothing idle yet */
	ck_assert(take1(rl, "203.0.113.1", T0 + 1000));
	ck_assert_uint_eq(ratelimit_size(rl), 32);
	assert_debts_kept(rl, 3, T0 + 1000);
	/* 203.0.113.1 is now least recently used; with nothing idle it goes. */
	ck_assert(take1(rl, "203.0.113.2", T0 + 1000));
	ck_assert_int_eq(drain(rl, "203.0.113.1", T0 + 1000), 5);
	ck_assert_uint_eq(ratelimit_size(rl), 32);
	ratelimit_free(rl);
}
END_TEST

/* With no idle bucket the least recently used goes, and the new client is still served. */
START_TEST(full_table_then_lru)
{
	struct ratelimit *rl = limiter(1, 5, 4);
	const char *ips[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"};

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(drain(rl, ips[i], T0), 5);
	ck_assert(!take1(rl, ips[0], T0 + 1));	/* A is now most recent; B is LRU */
	ck_assert_int_eq(drain(rl, "192.0.2.5", T0 + 2), 5);
	ck_assert_uint_eq(ratelimit_size(rl), 4);
	/* A, C, D kept their empty buckets... */
	ck_assert(!take1(rl, ips[0], T0 + 2));
	ck_assert(!take1(rl, ips[2], T0 + 2));
	ck_assert(!take1(rl, ips[3], T0 + 2));
	/* ...and B, evicted, starts over. */
	ck_assert_int_eq(drain(rl, ips[1], T0 + 2), 5);
	ck_assert_uint_eq(ratelimit_size(rl), 4);
	ratelimit_free(rl);
}
END_TEST

/* Under churn through a small table, exactly the most recent clients keep their state. */
START_TEST(lru_keeps_most_recent)
{
	struct ratelimit *rl = limiter(1, 3, 64);
	char ip[32];

	for (int i = 0; i < 10000; i++) {
		snprintf(ip, sizeof ip, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		ck_assert_int_eq(drain(rl, ip, T0), 3);
		ck_assert_uint_le(ratelimit_size(rl), 64);
	}
	ck_assert_uint_eq(ratelimit_size(rl), 64);
	for (int i = 10000 - 64; i < 10000; i++) {
		snprintf(ip, sizeof ip, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		ck_assert_msg(!take1(rl, ip, T0), "%s was lost from the table", ip);
	}
	snprintf(ip, sizeof ip, "10.0.%d.%d", (10000 - 65) >> 8, (10000 - 65) & 255);
	ck_assert_int_eq(drain(rl, ip, T0), 3);
	ratelimit_free(rl);
}
END_TEST

/* A sweep drops exactly the buckets that have refilled to full. */
START_TEST(sweep_drops_full_buckets)
{
	struct ratelimit *rl = limiter(1, 5, 16);
	double retry;

	ck_assert_uint_eq(ratelimit_sweep(rl, T0), 0);
	ck_assert(take1(rl, "192.0.2.1", T0));			/* 4 left */
	ck_assert_int_eq(drain(rl, "192.0.2.2", T0), 5);	/* 0 left */
	ck_assert(ratelimit_take(rl, "192.0.2.3", 3, T0, &retry));	/* 2 left */
	ck_assert_uint_eq(ratelimit_sweep(rl, T0 + 999), 0);
	ck_assert_uint_eq(ratelimit_size(rl), 3);
	ck_assert_uint_eq(ratelimit_sweep(rl, T0 + 1000), 1);
	ck_assert_uint_eq(ratelimit_size(rl), 2);
	ck_assert(!ratelimit_take(rl, "192.0.2.2", 2, T0 + 1000, &retry));	/* kept */
	ck_assert_uint_eq(ratelimit_sweep(rl, T0 + 10000), 2);
	ck_assert_uint_eq(ratelimit_size(rl), 0);
	ck_assert_int_eq(drain(rl, "192.0.2.2", T0 + 10000), 5);
	ratelimit_free(rl);
}
END_TEST

/* Allocated bytes in the heap now, or 0 when a sanitizer owns malloc. */
static size_t
heap_in_use(void)
{
#ifdef __SANITIZE_ADDRESS__
	return 0;
#else
	return mallinfo2().uordblks;
#endif
}

/* 100k distinct clients through a 1000-entry table: all served, size bounded, no allocation. */
START_TEST(many_clients_bounded)
{
	struct ratelimit *rl = limiter(1, 5, 1000);
	char ip[64];
	size_t before = heap_in_use();

	for (int i = 0; i < 100000; i++) {
		/* Half at one instant (pure LRU), half a millisecond apart (idle buckets). */
		uint64_t now = i < 50000 ? T0 : T0 + (uint64_t)i;

		if (i % 2)
			snprintf(ip, sizeof ip, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		else
			snprintf(ip, sizeof ip, "2001:db8:%x:%x::1", i >> 16, i & 0xffff);
		ck_assert_msg(take1(rl, ip, now), "new client %d refused", i);
		ck_assert_uint_le(ratelimit_size(rl), 1000);
	}
	ck_assert_uint_eq(heap_in_use(), before);
	ck_assert_int_eq(drain(rl, "203.0.113.1", T0 + 100000), 5);
	ratelimit_free(rl);
}
END_TEST

/* Text that is not an address is its own key and never crashes. */
START_TEST(malformed_keys)
{
	struct ratelimit *rl = limiter(1, 2, 64);
	const char *bad[] = {"not an ip", "1.2.3.4.5", "999.1.1.1", "1.2.3", "127.1",
	    "::g", "[::1", "::1]", "[]", "%", " 192.0.2.1", "192.0.2.1 ",
	    "2001:db8::1::2", "\xff\xfe", "[192.0.2.1%x]"};
	size_t nbad = sizeof bad / sizeof bad[0];
	char *lng = malloc(10001);

	ck_assert_ptr_nonnull(lng);
	for (size_t i = 0; i < nbad; i++)
		ck_assert_msg(drain(rl, bad[i], T0) == 2, "\"%s\" did not get its own bucket", bad[i]);
	ck_assert_uint_eq(ratelimit_size(rl), nbad);
	/* Each is keyed by its exact text. */
	ck_assert(!take1(rl, "not an ip", T0));
	ck_assert_int_eq(drain(rl, "not an IP", T0), 2);
	ck_assert_int_eq(drain(rl, "127.0.0.1", T0), 2);	/* not "127.1" */
	ck_assert_int_eq(drain(rl, "192.0.2.1", T0), 2);	/* not " 192.0.2.1" */
	/* NULL counts as "". */
	ck_assert_int_eq(drain(rl, NULL, T0), 2);
	ck_assert(!take1(rl, "", T0));
	/* Long text is fine, and the whole of it counts. */
	memset(lng, 'a', 10000);
	lng[10000] = '\0';
	ck_assert_int_eq(drain(rl, lng, T0), 2);
	lng[9999] = 'b';
	ck_assert_int_eq(drain(rl, lng, T0), 2);
	ck_assert(!take1(rl, lng, T0));
	free(lng);
	ratelimit_free(rl);
}
END_TEST

/* A clock that goes back refills nothing, and the next refill counts from the latest time. */
START_TEST(clock_backwards)
{
	struct ratelimit *rl = limiter(1, 5, 16);
	double retry = -1;

	ck_assert_int_eq(drain(rl, "192.0.2.1", T0), 5);
	ck_assert(!ratelimit_take(rl, "192.0.2.1", 1, T0 - 5000, &retry));
	ck_assert_double_eq_tol(retry, 1.0, 1e-9);
	ck_assert(!take1(rl, "192.0.2.1", 0));
	ck_assert_int_eq(drain(rl, "192.0.2.1", T0 + 1000), 1);
	ratelimit_free(rl);
}
END_TEST

/* ratelimit_new refuses settings it cannot honour; ratelimit_free takes NULL. */
START_TEST(new_rejects_bad_settings)
{
	struct ratelimit *rl;

	ck_assert_ptr_null(ratelimit_new(0, 5, 16));
	ck_assert_ptr_null(ratelimit_new(-1, 5, 16));
	ck_assert_ptr_null(ratelimit_new(NAN, 5, 16));
	ck_assert_ptr_null(ratelimit_new(INFINITY, 5, 16));
	ck_assert_ptr_null(ratelimit_new(1, 0.5, 16));
	ck_assert_ptr_null(ratelimit_new(1, INFINITY, 16));
	ck_assert_ptr_null(ratelimit_new(1, 5, 0));
	ck_assert_ptr_null(ratelimit_new(1, 5, (size_t)RATELIMIT_MAX_CLIENTS + 1));
	rl = ratelimit_new(0.01, 1, 1);
	ck_assert_ptr_nonnull(rl);
	ck_assert(take1(rl, "192.0.2.1", T0));
	ck_assert(take1(rl, "192.0.2.2", T0));	/* one entry: the first is evicted */
	ck_assert_uint_eq(ratelimit_size(rl), 1);
	ck_assert(!take1(rl, "192.0.2.2", T0));
	ratelimit_free(rl);
	ratelimit_free(NULL);
}
END_TEST

/* All rate limiter tests in one suite. */
static Suite *
ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, burst_then_refused);
	tcase_add_test(tc, refill_over_time);
	tcase_add_test(tc, refill_exact_after_many_touches);
	tcase_add_test(tc, retry_after_exact);
	tcase_add_test(tc, cost_above_one);
	tcase_add_test(tc, cost_not_positive);
	tcase_add_test(tc, clients_independent);
	tcase_add_test(tc, ipv6_same_64_shared);
	tcase_add_test(tc, ipv4_mapped_is_ipv4);
	tcase_add_test(tc, sockaddr_matches_text);
	tcase_add_test(tc, reconfigure_keeps_state);
	tcase_add_test(tc, full_table_evicts_idle_first);
	tcase_add_test(tc, full_table_idle_far_from_lru_end);
	tcase_add_test(tc, full_table_idle_near_lru_end);
	tcase_add_test(tc, full_table_then_lru);
	tcase_add_test(tc, lru_keeps_most_recent);
	tcase_add_test(tc, sweep_drops_full_buckets);
	tcase_add_test(tc, many_clients_bounded);
	tcase_add_test(tc, malformed_keys);
	tcase_add_test(tc, clock_backwards);
	tcase_add_test(tc, new_rejects_bad_settings);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; the exit status is 0 when every test passed. */
int
main(void)
{
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	sr = srunner_create(ratelimit_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * Per-client token buckets for the public endpoints (429 rate_limited). Pure: no
 * libevent, no I/O, no global state; time comes in as monotonic milliseconds.
 *
 * Clients are keyed by address. IPv4 counts per /32; IPv6 per /64, because one
 * host usually owns a whole /64 and could otherwise rotate addresses to dodge
 * the limit. IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack socket
 * reports for an IPv4 peer) is the same client as a.b.c.d. Text that is not an
 * address is its own key, hashed, and never an error.
 *
 * Memory is fixed at ratelimit_new: at most max_clients buckets, no allocation
 * per request. When the table is full a new client still gets a bucket: a
 * bucket that has refilled to full carries no information and goes first, and
 * failing that the least recently used bucket is dropped (its client then
 * starts again with a full burst; bounded memory cannot do better).
 */
#ifndef MADOGUCHI_RATELIMIT_H
#define MADOGUCHI_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ratelimit;

/* Largest max_clients accepted (about 1 GiB of table at the limit). */
#define RATELIMIT_MAX_CLIENTS	(1u << 24)

/*
 * Creates a limiter refilling rate tokens a second up to burst, tracking at most
 * max_clients clients. Returns NULL when rate or burst is not a finite number
 * above 0 (rate at most 1e6, burst at least 1 and at most 1e9), max_clients is
 * 0 or above RATELIMIT_MAX_CLIENTS, or libsodium cannot start. The caller
 * frees it with ratelimit_free.
 */
struct ratelimit *ratelimit_new(double rate, double burst, size_t max_clients)
    __attribute__((warn_unused_result));
/* Frees a limiter; NULL is allowed. */
void ratelimit_free(struct ratelimit *rl);
/*
 * Changes rate and burst, keeping every client's bucket (a bucket above the new
 * burst is cut down to it). Returns false and changes nothing when the values
 * are out of the bounds ratelimit_new accepts.
 */
bool ratelimit_configure(struct ratelimit *rl, double rate, double burst)
    __attribute__((warn_unused_result));
/*
 * Charges cost tokens to the client at client_ip ("192.0.2.1", "2001:db8::1",
 * "[::1]", "fe80::1%eth0"; any other text is its own key, and NULL counts as
 * "") at now_ms. Returns true when allowed. When refused, *retry_after_s (if not
 * NULL) is the seconds until enough tokens exist; it is 0 when allowed. A cost
 * above burst is charged as burst (allowed only with a full bucket); a cost
 * that is not above 0 is always allowed and charges nothing.
 */
bool ratelimit_take(struct ratelimit *rl, const char *client_ip, double cost,
    uint64_t now_ms, double *retry_after_s) __attribute__((warn_unused_result));
/*
 * Like ratelimit_take for a socket address; AF_INET and AF_INET6 key as their
 * text forms would, any other family (a Unix socket) is one shared key.
 */
bool ratelimit_take_addr(struct ratelimit *rl, const struct sockaddr *sa,
    socklen_t salen, double cost, uint64_t now_ms, double *retry_after_s)
    __attribute__((warn_unused_result));
/* Drops every bucket that has refilled to full by now_ms; returns how many. */
size_t ratelimit_sweep(struct ratelimit *rl, uint64_t now_ms);
/* The number of clients tracked now. */
size_t ratelimit_size(const struct ratelimit *rl);

#endif

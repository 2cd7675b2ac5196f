/*
 * Per-client token buckets in a fixed-size open-addressing table (linear
 * probing, backward-shift deletion) keyed by a per-instance SipHash, with an
 * intrusive LRU list for eviction. Nothing is allocated after ratelimit_new.
 */
#include "ratelimit.h"

#include "core/xmalloc.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* No bucket: the end of the LRU and free lists. */
#define NIL		UINT32_MAX
/* Bytes in a key: a kind byte, then up to 16 bytes of address or digest. */
#define KEY_LEN		17
/* Buckets looked at from the LRU end for an idle one before dropping the last. */
#define TAIL_SCAN	8
/* Slack in token comparisons, so waiting exactly retry_after is enough. */
#define EPS		1e-9
/* Longest text tried as an address: "[" IPv6 with IPv4 tail "%" zone "]". */
#define ADDR_TEXT_MAX	80

/* What the bytes after the kind byte of a key hold. */
enum key_kind {
	KEY_TEXT = 1,	/* a keyed BLAKE2b digest of text that is not an address */
	KEY_FAMILY,	/* a socket address family other than IPv4 and IPv6 */
	KEY_V4,		/* an IPv4 address (IPv4-mapped IPv6 included) */
	KEY_V6,		/* the /64 prefix of an IPv6 address */
};

/* A normalised client identity, hashed and compared as bytes. */
struct key {
	uint8_t b[KEY_LEN];	/* enum key_kind, then the identity, zero-padded */
};

/* One client's token bucket. */
struct bucket {
	struct key key;		/* whose bucket this is */
	bool used;		/* false while on the free list */
	uint64_t hash;		/* SipHash of key, kept for moving slots */
	double tokens;		/* tokens at last_ms, never above burst then */
	uint64_t last_ms;	/* when tokens was last brought up to date */
	uint32_t prev;		/* more recently used neighbour, or NIL */
	uint32_t next;		/* less recently used neighbour (free list: next free) */
};

/* A limiter: settings, the bucket pool, the hash index and the LRU list. */
struct ratelimit {
	double rate;		/* tokens refilled per second */
	double burst;		/* bucket capacity */
	struct bucket *buckets;	/* pool of max buckets */
	uint32_t max;		/* pool size: most clients tracked */
	uint32_t n;		/* buckets in use */
	uint32_t *slots;	/* hash index: 0 empty, else bucket index + 1 */
	uint32_t mask;		/* slot count - 1; the count is a power of two >= 2 max */
	uint32_t head;		/* most recently used bucket, or NIL */
	uint32_t tail;		/* least recently used bucket, or NIL */
	uint32_t free;		/* first free bucket, or NIL */
	uint32_t inserts;	/* new buckets since the last full sweep */
	unsigned char hash_key[crypto_shorthash_KEYBYTES];	/* SipHash seed */
	unsigned char text_key[crypto_generichash_KEYBYTES];	/* digest key for text */
};

/* Whether rate and burst are settings a limiter accepts. */
static bool
settings_ok(double rate, double burst)
{
	return isfinite(rate) && rate > 0 && rate <= 1e6 &&
	    isfinite(burst) && burst >= 1 && burst <= 1e9;
}

struct ratelimit *
ratelimit_new(double rate, double burst, size_t max_clients)
{
	struct ratelimit *rl;
	size_t nslots = 2;

	if (!settings_ok(rate, burst) || max_clients == 0 ||
	    max_clients > RATELIMIT_MAX_CLIENTS || sodium_init() < 0)
		return NULL;
	while (nslots < 2 * max_clients)
		nslots *= 2;
	rl = xcalloc(1, sizeof *rl);
	rl->rate = rate;
	rl->burst = burst;
	rl->max = (uint32_t)max_clients;
	rl->buckets = xcalloc(max_clients, sizeof *rl->buckets);
	rl->slots = xcalloc(nslots, sizeof *rl->slots);
	rl->mask = (uint32_t)(nslots - 1);
	rl->head = rl->tail = NIL;
	for (uint32_t i = 0; i < rl->max; i++)
		rl->buckets[i].next = i + 1 < rl->max ? i + 1 : NIL;
	rl->free = 0;
	randombytes_buf(rl->hash_key, sizeof rl->hash_key);
	randombytes_buf(rl->text_key, sizeof rl->text_key);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->buckets);
	free(rl->slots);
	sodium_memzero(rl, sizeof *rl);
	free(rl);
}

/*
 * Tokens accrued since the last update are reckoned at the new rate when the
 * bucket is next touched; the difference is at most one refill's worth.
 */
bool
ratelimit_configure(struct ratelimit *rl, double rate, double burst)
{
	if (!settings_ok(rate, burst))
		return false;
	rl->rate = rate;
	rl->burst = burst;
	return true;
}

size_t
ratelimit_size(const struct ratelimit *rl)
{
	return rl->n;
}

/* Keys text that is not an address by its digest, so any length fits a key. */
static void
key_text(const struct ratelimit *rl, const char *s, struct key *k)
{
	if (s == NULL)
		s = "";
	memset(k, 0, sizeof *k);
	k->b[0] = KEY_TEXT;
	crypto_generichash(k->b + 1, KEY_LEN - 1, (const unsigned char *)s,
	    strlen(s), rl->text_key, sizeof rl->text_key);
}

/* Keys an IPv4 address in network order. */
static void
key_v4(const void *addr, struct key *k)
{
	memset(k, 0, sizeof *k);
	k->b[0] = KEY_V4;
	memcpy(k->b + 1, addr, 4);
}

/* Keys an IPv6 address by its /64, or as IPv4 when it is IPv4-mapped. */
static void
key_v6(const struct in6_addr *a, struct key *k)
{
	if (IN6_IS_ADDR_V4MAPPED(a)) {
		key_v4(a->s6_addr + 12, k);
		return;
	}
	memset(k, 0, sizeof *k);
	k->b[0] = KEY_V6;
	memcpy(k->b + 1, a->s6_addr, 8);
}

/* Parses s as an IPv4 or IPv6 address (brackets and a zone allowed) into k. */
static bool
key_parse(const char *s, struct key *k)
{
	char buf[ADDR_TEXT_MAX + 1];
	size_t len = strnlen(s, sizeof buf);
	struct in_addr a4;
	struct in6_addr a6;
	char *zone;

	if (len == sizeof buf)
		return false;
	memcpy(buf, s, len + 1);
	if (len >= 2 && buf[0] == '[' && buf[len - 1] == ']') {
		buf[len - 1] = '\0';
		memmove(buf, buf + 1, len - 1);
	}
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		key_v4(&a4, k);
		return true;
	}
	if ((zone = strchr(buf, '%')) != NULL && memchr(buf, ':', (size_t)(zone - buf)))
		*zone = '\0';
	if (inet_pton(AF_INET6, buf, &a6) == 1) {
		key_v6(&a6, k);
		return true;
	}
	return false;
}

/* Keys a client's text address, falling back to the text itself. */
static void
key_from_text(const struct ratelimit *rl, const char *s, struct key *k)
{
	if (s == NULL || !key_parse(s, k))
		key_text(rl, s, k);
}

/* Keys a socket address; families other than IPv4 and IPv6 key by family alone. */
static void
key_from_addr(const struct ratelimit *rl, const struct sockaddr *sa, socklen_t salen,
    struct key *k)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (sa == NULL || salen < (socklen_t)sizeof sa->sa_family) {
		key_text(rl, NULL, k);
	} else if (sa->sa_family == AF_INET && salen >= (socklen_t)sizeof sin) {
		memcpy(&sin, sa, sizeof sin);
		key_v4(&sin.sin_addr, k);
	} else if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof sin6) {
		memcpy(&sin6, sa, sizeof sin6);
		key_v6(&sin6.sin6_addr, k);
	} else {
		memset(k, 0, sizeof *k);
		k->b[0] = KEY_FAMILY;
		memcpy(k->b + 1, &sa->sa_family, sizeof sa->sa_family);
	}
}

/* The seeded SipHash of a key. */
static uint64_t
key_hash(const struct ratelimit *rl, const struct key *k)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	crypto_shorthash(out, k->b, KEY_LEN, rl->hash_key);
	memcpy(&h, out, sizeof h);
	return h;
}

/*
 * The slot holding key k, or the empty slot where it would go; *found says
 * which. The table is at most half full, so the probe ends.
 */
static uint32_t
slot_find(const struct ratelimit *rl, const struct key *k, uint64_t hash, bool *found)
{
	uint32_t s = (uint32_t)hash & rl->mask;

	for (;; s = (s + 1) & rl->mask) {
		uint32_t v = rl->slots[s];

		if (v == 0) {
			*found = false;
			return s;
		}
		if (rl->buckets[v - 1].hash == hash &&
		    memcmp(rl->buckets[v - 1].key.b, k->b, KEY_LEN) == 0) {
			*found = true;
			return s;
		}
	}
}

/* Empties slot s, shifting later entries of its probe run back so none is lost. */
static void
slot_remove(struct ratelimit *rl, uint32_t s)
{
	uint32_t i = s, j = s;

	for (;;) {
		uint32_t home;

		rl->slots[i] = 0;
		for (;;) {
			j = (j + 1) & rl->mask;
			if (rl->slots[j] == 0)
				return;
			home = (uint32_t)rl->buckets[rl->slots[j] - 1].hash & rl->mask;
			/* Entry j may fill hole i unless its home lies in (i, j]. */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		rl->slots[i] = rl->slots[j];
		i = j;
	}
}

/* Takes bucket i out of the LRU list. */
static void
lru_unlink(struct ratelimit *rl, uint32_t i)
{
	struct bucket *b = &rl->buckets[i];

	if (b->prev != NIL)
		rl->buckets[b->prev].next = b->next;
	else
		rl->head = b->next;
	if (b->next != NIL)
		rl->buckets[b->next].prev = b->prev;
	else
		rl->tail = b->prev;
	b->prev = b->next = NIL;
}

/* Puts bucket i at the most recently used end of the LRU list. */
static void
lru_push(struct ratelimit *rl, uint32_t i)
{
	struct bucket *b = &rl->buckets[i];

	b->prev = NIL;
	b->next = rl->head;
	if (rl->head != NIL)
		rl->buckets[rl->head].prev = i;
	else
		rl->tail = i;
	rl->head = i;
}

/* The tokens in bucket b at now_ms (a clock that went back refills nothing). */
static double
bucket_level(const struct ratelimit *rl, const struct bucket *b, uint64_t now_ms)
{
	double t = b->tokens;

	if (now_ms > b->last_ms)
		t += (double)(now_ms - b->last_ms) * rl->rate / 1000.0;
	return t < rl->burst ? t : rl->burst;
}

/* Whether bucket b has refilled to burst by now_ms, so it tells nothing. */
static bool
bucket_idle(const struct ratelimit *rl, const struct bucket *b, uint64_t now_ms)
{
	return bucket_level(rl, b, now_ms) >= rl->burst - EPS;
}

/* Forgets bucket i: its slot, its LRU place, and back onto the free list. */
static void
bucket_drop(struct ratelimit *rl, uint32_t i)
{
	struct bucket *b = &rl->buckets[i];
	uint32_t s = (uint32_t)b->hash & rl->mask;

	while (rl->slots[s] != i + 1)
		s = (s + 1) & rl->mask;
	slot_remove(rl, s);
	lru_unlink(rl, i);
	b->used = false;
	b->next = rl->free;
	rl->free = i;
	rl->n--;
}

size_t
ratelimit_sweep(struct ratelimit *rl, uint64_t now_ms)
{
	size_t dropped = 0;

	for (uint32_t i = 0; i < rl->max; i++) {
		if (rl->buckets[i].used && bucket_idle(rl, &rl->buckets[i], now_ms)) {
			bucket_drop(rl, i);
			dropped++;
		}
	}
	rl->inserts = 0;
	return dropped;
}

/*
 * Frees a bucket when all are in use: a full sweep of idle buckets when enough
 * clients arrived since the last one (so its cost spreads to O(1) each), else
 * an idle bucket near the LRU end, else the least recently used bucket.
 */
static void
make_room(struct ratelimit *rl, uint64_t now_ms)
{
	uint32_t i = rl->tail;

	if (rl->n < rl->max)
		return;
	if (rl->inserts >= rl->max / 8 && ratelimit_sweep(rl, now_ms) > 0)
		return;
	for (int k = 0; k < TAIL_SCAN && i != NIL; k++, i = rl->buckets[i].prev) {
		if (bucket_idle(rl, &rl->buckets[i], now_ms)) {
			bucket_drop(rl, i);
			return;
		}
	}
	bucket_drop(rl, rl->tail);
}

/* Finds the bucket for k, creating a full one (evicting if need be); brings it up to now_ms. */
static struct bucket *
bucket_get(struct ratelimit *rl, const struct key *k, uint64_t now_ms)
{
	uint64_t hash = key_hash(rl, k);
	bool found;
	uint32_t s = slot_find(rl, k, hash, &found);
	uint32_t i;
	struct bucket *b;

	if (found) {
		i = rl->slots[s] - 1;
		b = &rl->buckets[i];
		b->tokens = bucket_level(rl, b, now_ms);
		if (now_ms > b->last_ms)
			b->last_ms = now_ms;
		lru_unlink(rl, i);
	} else {
		make_room(rl, now_ms);
		s = slot_find(rl, k, hash, &found);	/* eviction may have moved slots */
		i = rl->free;
		b = &rl->buckets[i];
		rl->free = b->next;
		*b = (struct bucket){ .key = *k, .used = true, .hash = hash,
		    .tokens = rl->burst, .last_ms = now_ms };
		rl->slots[s] = i + 1;
		rl->n++;
		rl->inserts++;
	}
	lru_push(rl, i);
	return b;
}

/* Charges cost to the client keyed k; see ratelimit_take. */
static bool
take_key(struct ratelimit *rl, const struct key *k, double cost, uint64_t now_ms,
    double *retry_after_s)
{
	struct bucket *b;

	if (retry_after_s != NULL)
		*retry_after_s = 0;
	if (!(cost > 0))
		return true;
	if (cost > rl->burst)
		cost = rl->burst;
	b = bucket_get(rl, k, now_ms);
	if (b->tokens + EPS >= cost) {
		b->tokens = b->tokens > cost ? b->tokens - cost : 0;
		return true;
	}
	if (retry_after_s != NULL)
		*retry_after_s = (cost - b->tokens) / rl->rate;
	return false;
}

bool
ratelimit_take(struct ratelimit *rl, const char *client_ip, double cost,
    uint64_t now_ms, double *retry_after_s)
{
	struct key k;

	key_from_text(rl, client_ip, &k);
	return take_key(rl, &k, cost, now_ms, retry_after_s);
}

bool
ratelimit_take_addr(struct ratelimit *rl, const struct sockaddr *sa, socklen_t salen,
    double cost, uint64_t now_ms, double *retry_after_s)
{
	struct key k;

	key_from_addr(rl, sa, salen, &k);
	return take_key(rl, &k, cost, now_ms, retry_after_s);
}

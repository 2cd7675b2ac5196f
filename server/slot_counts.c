/* Places taken per slot, read once per request and looked up in order. */
#include "slot_counts.h"

#include "clock.h"

#include <stdio.h>
#include <stdlib.h>

static struct db_stmt stmt_taken = {
	"SELECT extract(epoch FROM starts_at)::bigint, booked + held FROM slot_usage "
	"WHERE municipality = $1 AND office = $2 AND service = $3 "
	"AND starts_at >= to_timestamp($4) AND starts_at < to_timestamp($5) "
	"ORDER BY starts_at", 5, 0
};

void
slot_counts_fetch(struct request *r, const char *municipality, const char *office,
    const char *service, cdate first, cdate end, request_db_fn *fn)
{
	char from[24], to[24];
	const char *p[5] = { municipality, office, service, from, to };

	snprintf(from, sizeof from, "%lld", (long long)clock_instant(first, 0));
	snprintf(to, sizeof to, "%lld", (long long)clock_instant(end, 0));
	if (!req_db(r, &stmt_taken, p, fn))
		return;	/* it answered 503 */
}

void
slot_counts_init(struct slot_counts *c, const PGresult *pg)
{
	c->pg = pg;
	c->row = 0;
	c->nrows = PQntuples(pg);
}

int
slot_counts_at(struct slot_counts *c, time_t t)
{
	while (c->row < c->nrows) {
		long long start = strtoll(PQgetvalue(c->pg, c->row, 0), NULL, 10);
		if (start > (long long)t)
			return 0;
		if (start == (long long)t)
			return atoi(PQgetvalue(c->pg, c->row, 1));
		c->row++;
	}
	return 0;
}

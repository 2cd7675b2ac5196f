/* Capacity rules held in memory, reloaded from the database when they change. */
#include "capacity.h"

#include "db.h"
#include "log.h"
#include "core/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct capacity {
	struct db_pool *pool;		/* where the rules are read */
	struct capacity_rule *rules;	/* every rule of every office */
	size_t n, cap;			/* used and allocated */
	bool loaded;			/* read at least once */
	bool loading;			/* a read is in flight */
	bool again;			/* a change was heard while it was */
	bool failed;			/* the last read failed: retry */
	unsigned long generation;	/* bumped by every change (availability's cache reads it) */
};

static struct db_stmt stmt_rules = {
	"SELECT id, office, service, coalesce(from_date - date '2000-01-01', 0), "
	"coalesce(to_date - date '2000-01-01', 0), "
	"coalesce((SELECT sum(1 << w) FROM unnest(weekdays) AS w), 0), coalesce(factor, -1), "
	"coalesce(day - date '2000-01-01', 0), coalesce(cap, -1) FROM capacity_rules", 0, 0 };

static void load(struct capacity *c);

/* Appends a rule. */
static void
push(struct capacity *c, const struct capacity_rule *rule)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->rules = xreallocarray(c->rules, c->cap, sizeof *c->rules);
	}
	c->rules[c->n++] = *rule;
	c->generation++;
}

/* A date column given as days since 2000-01-01. */
static cdate
date_col(const PGresult *pg, int row, int col)
{
	return cdate_add_days(cdate_make(2000, 1, 1), atoi(PQgetvalue(pg, row, col)));
}

/* The rules arrived: replace the set. */
static void
loaded(const struct db_result *res, void *arg)
{
	struct capacity *c = arg;

	c->loading = false;
	if (!res->ok) {
		log_warn("capacity: cannot read the rules: %s", res->error);
		c->failed = true;
		return;
	}
	c->n = 0;
	c->generation++;
	for (int i = 0; i < PQntuples(res->pg); i++) {
		struct capacity_rule r = { 0 };
		r.id = strtoll(PQgetvalue(res->pg, i, 0), NULL, 10);
		snprintf(r.office, sizeof r.office, "%s", PQgetvalue(res->pg, i, 1));
		snprintf(r.service, sizeof r.service, "%s", PQgetvalue(res->pg, i, 2));
		r.from = date_col(res->pg, i, 3);
		r.to = date_col(res->pg, i, 4);
		r.weekdays = (unsigned)strtoul(PQgetvalue(res->pg, i, 5), NULL, 10);
		r.factor = strtod(PQgetvalue(res->pg, i, 6), NULL);
		r.day = date_col(res->pg, i, 7);
		r.cap = atoi(PQgetvalue(res->pg, i, 8));
		push(c, &r);
	}
	c->loaded = true;
	c->failed = false;
	if (c->again) {
		c->again = false;
		load(c);
	}
}

/* Sends the read. */
static void
load(struct capacity *c)
{
	c->loading = true;
	if (!db_exec(c->pool, &stmt_rules, NULL, loaded, c)) {
		c->loading = false;
		c->failed = true;
	}
}

struct capacity *
capacity_new(struct db_pool *pool)
{
	struct capacity *c = xcalloc(1, sizeof *c);

	c->pool = pool;
	c->failed = true;	/* the first maintenance round loads if nothing else did */
	return c;
}

void
capacity_free(struct capacity *c)
{
	free(c->rules);
	free(c);
}

void
capacity_reload(struct capacity *c)
{
	if (c->loading)
		c->again = true;
	else
		load(c);
}

void
capacity_maintain(struct capacity *c)
{
	if (c->failed && !c->loading)
		load(c);
}

void
capacity_add(struct capacity *c, const struct capacity_rule *rule)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->rules[i].id == rule->id)
			return;
	}
	push(c, rule);
}

void
capacity_remove(struct capacity *c, long long id)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->rules[i].id == id) {
			c->rules[i] = c->rules[--c->n];
			c->generation++;
			return;
		}
	}
}

unsigned long
capacity_generation(const struct capacity *c)
{
	return c->generation;
}

bool
capacity_loaded(const struct capacity *c)
{
	return c->loaded;
}

double
capacity_factor(const struct capacity *c, const char *office, const char *service, cdate d)
{
	return caprule_factor(c->rules, c->n, office, service, d);
}

int
capacity_cap(const struct capacity *c, const char *office, const char *service, cdate d)
{
	return caprule_cap(c->rules, c->n, office, service, d);
}

int
capacity_places(int places, double factor)
{
	return caprule_places(places, factor);
}

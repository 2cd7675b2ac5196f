/*
 * Municipality files. Each office's calendar is parsed straight into the
 * calendar engine's structs, starting from the municipality's defaults; then
 * cal_validate_office checks it, and its findings are pinned to the YAML node
 * they came from so every message carries file:line:column.
 */
#include "config_muni.h"

#include "core/calendar.h"
#include "core/cdate.h"
#include "config.h"
#include "core/rules.h"
#include "core/xmalloc.h"
#include "ydoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where each part of an office came from, for calendar errors. */
struct where {
	const yaml_node_t *office;				/* the office mapping */
	const yaml_node_t *week[7];				/* the key that set each day */
	const yaml_node_t *week_iv[7][CAL_MAX_INTERVALS];	/* each day's intervals */
	const yaml_node_t *rule[CAL_MAX_RULES];			/* each rule mapping */
	const yaml_node_t *rule_iv[CAL_MAX_RULES][CAL_MAX_INTERVALS]; /* each rule's intervals */
	const yaml_node_t *service[CAL_MAX_SERVICES];		/* each service entry */
	const yaml_node_t *policy[CAL_MAX_SERVICES][CAL_MAX_POLICIES]; /* policy entries */
	const yaml_node_t *peak[8];				/* weekdays, after_closure */
};

/* An office (or the municipality's defaults) being parsed. */
struct office_parse {
	struct cal_office *cal;		/* filled in place */
	struct where *at;		/* node of each part */
	const struct cal_office *defaults; /* service settings to start from, or NULL */
	const struct where *defaults_at;   /* their nodes */
	bool defaults_only;		/* parsing the defaults block: no hours, no ids list */
};

/* A rule being parsed: the rule and which keys were given. */
struct rule_parse {
	struct cal_rule *rule;		/* filled in place */
	const yaml_node_t **hours_at;	/* node of each of its intervals */
	bool match, closed, hours, nth, weekday, weekdays, date, from, until;
};

/* State of one municipality file. */
struct muni_parse {
	struct config *cfg;		/* being filled */
	size_t muni;			/* index of this municipality */
	struct cal_office defaults;	/* the file's defaults block */
	struct where defaults_at;	/* its nodes */
	bool have_defaults;		/* a defaults block was given */
	bool offices_seen;		/* the offices list was read */
};

static const char *const day_names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

/* True for ids made of lower-case ASCII letters, digits and inner '-', 1..63 long. */
static bool
id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* Reads an id scalar into *out. */
static bool
parse_id(struct ydoc *y, const yaml_node_t *n, const char *what, char **out)
{
	if (!ydoc_want_scalar(y, n, "an id"))
		return false;
	if (!id_valid(ydoc_scalar(n)))
		return ydoc_fail(y, n, "%s: '%s' is not a valid id (lower-case letters, digits and "
		    "'-', at most 63)", what, ydoc_scalar(n));
	free(*out);
	*out = xstrdup(ydoc_scalar(n));
	return true;
}

/* Pair callback for {ja: ..., en: ...}. */
static bool
name_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct config_name *name = arg;
	const char *text;
	char **slot;

	if (strcmp(ydoc_scalar(k), "ja") == 0)
		slot = &name->ja;
	else if (strcmp(ydoc_scalar(k), "en") == 0)
		slot = &name->en;
	else
		return ydoc_fail(y, k, "unknown key '%s' in name (expected one of: ja, en)",
		    ydoc_scalar(k));
	if (!ydoc_want_scalar(y, v, "a string"))
		return false;
	if (strcmp(ydoc_scalar(k), "ja") == 0 ? !ydoc_string(y, v, "name.ja", &text) :
	    !ydoc_string(y, v, "name.en", &text))
		return false;
	*slot = xstrdup(text);
	return true;
}

/* Parses a name mapping; ja is required, en defaults to ja. */
static bool
parse_name(struct ydoc *y, const yaml_node_t *n, struct config_name *name)
{
	if (!ydoc_each_pair(y, n, "name", name_pair, name))
		return false;
	if (name->ja == NULL)
		return ydoc_fail(y, n, "name: 'ja' is required");
	if (name->en == NULL)
		name->en = xstrdup(name->ja);
	return true;
}

/* The weekday (0 = Sunday) named s ("sun".."sat"), or -1. */
static int
weekday_index(const char *s)
{
	for (int w = 0; w < 7; w++) {
		if (strcmp(s, day_names[w]) == 0)
			return w;
	}
	return -1;
}

/* Parses a weekday name ("sun".."sat"). */
static bool
parse_weekday(struct ydoc *y, const yaml_node_t *n, int *out)
{
	if (!ydoc_want_scalar(y, n, "a weekday (sun, mon, tue, wed, thu, fri, sat)"))
		return false;
	if ((*out = weekday_index(ydoc_scalar(n))) >= 0)
		return true;
	return ydoc_fail(y, n, "unknown weekday '%s' (expected sun, mon, tue, wed, thu, fri or "
	    "sat)", ydoc_scalar(n));
}

/* Parses "HH:MM" (00:00..24:00) into minutes since midnight. */
static bool
parse_hhmm(const char *s, int *out)
{
	if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' ||
	    s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return false;
	*out = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
	return *out <= CAL_DAY_MINUTES;
}

/* Parses one interval "HH:MM-HH:MM". */
static bool
parse_interval(struct ydoc *y, const yaml_node_t *n, struct cal_interval *iv)
{
	char from[6], to[6];
	const char *s;

	if (!ydoc_want_scalar(y, n, "an interval such as 08:30-17:00"))
		return false;
	s = ydoc_scalar(n);
	if (strlen(s) != 11 || s[5] != '-')
		return ydoc_fail(y, n, "expected an interval such as 08:30-17:00, found '%s'", s);
	memcpy(from, s, 5);
	memcpy(to, s + 6, 5);
	from[5] = to[5] = '\0';
	if (!parse_hhmm(from, &iv->from) || !parse_hhmm(to, &iv->to))
		return ydoc_fail(y, n, "'%s' is not a time interval between 00:00 and 24:00", s);
	return true;
}

/* A day's hours being parsed, with the node of each interval. */
struct hours_parse {
	struct cal_hours *h;		/* filled in place */
	const yaml_node_t **at;		/* CAL_MAX_INTERVALS nodes */
};

/* Item callback: one interval of a day's hours. */
static bool
hours_item(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	struct hours_parse *hp = arg;

	if (index >= CAL_MAX_INTERVALS)
		return ydoc_fail(y, n, "at most %d intervals a day", CAL_MAX_INTERVALS);
	hp->h->n = index + 1;
	hp->at[index] = n;
	return parse_interval(y, n, &hp->h->iv[index]);
}

/* Parses a list of intervals (an empty list means closed), noting their nodes in at. */
static bool
parse_hours(struct ydoc *y, const yaml_node_t *n, struct cal_hours *h,
    const yaml_node_t *at[CAL_MAX_INTERVALS])
{
	struct hours_parse hp = { h, at };

	memset(h, 0, sizeof *h);
	memset(at, 0, CAL_MAX_INTERVALS * sizeof at[0]);
	return ydoc_each_item(y, n, "hours", hours_item, &hp);
}

/* Pair callback for an office's weekly hours: sun..sat, weekdays (mon-fri), daily. */
static bool
week_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct office_parse *op = arg;
	const char *key = ydoc_scalar(k);
	struct cal_hours h;
	const yaml_node_t *iv[CAL_MAX_INTERVALS];
	int first, last;

	if (strcmp(key, "daily") == 0) {
		first = 0, last = 6;
	} else if (strcmp(key, "weekdays") == 0) {
		first = 1, last = 5;
	} else if ((first = weekday_index(key)) >= 0) {
		last = first;
	} else {
		return ydoc_fail(y, k, "unknown key '%s' in hours (expected one of: daily, "
		    "weekdays, sun, mon, tue, wed, thu, fri, sat)", key);
	}
	if (!parse_hours(y, v, &h, iv))
		return false;
	for (int w = first; w <= last; w++) {
		op->cal->week[w] = h;
		op->at->week[w] = k;
		memcpy(op->at->week_iv[w], iv, sizeof iv);
	}
	return true;
}

/* Parses a date scalar YYYY-MM-DD. */
static bool
parse_date(struct ydoc *y, const yaml_node_t *n, const char *key, cdate *out)
{
	if (!ydoc_want_scalar(y, n, "a date"))
		return false;
	if (!cdate_parse(ydoc_scalar(n), out))
		return ydoc_fail(y, n, "%s: expected a date such as 2026-12-29, found '%s'", key,
		    ydoc_scalar(n));
	return true;
}

/* Parses "MM-DD" for annual ranges. */
static bool
parse_month_day(struct ydoc *y, const yaml_node_t *n, const char *key, int *m, int *d)
{
	const char *s;

	if (!ydoc_want_scalar(y, n, "a month and day such as 12-29"))
		return false;
	s = ydoc_scalar(n);
	if (strlen(s) != 5 || s[2] != '-' || strspn(s, "0123456789") != 2 ||
	    strspn(s + 3, "0123456789") != 2 || sscanf(s, "%2d-%2d", m, d) != 2 || *m < 1 ||
	    *m > 12 || *d < 1 || *d > 31)
		return ydoc_fail(y, n, "%s: expected a month and day such as 12-29, found '%s'",
		    key, s);
	return true;
}

/* Rule kinds as the YAML names them, indexed by enum cal_match. */
static const char *const match_names[] = {
	[CAL_MATCH_WEEKDAYS] = "weekdays", [CAL_MATCH_NTH_WEEKDAY] = "nth_weekday",
	[CAL_MATCH_DAY_AFTER_NTH] = "day_after_nth", [CAL_MATCH_HOLIDAY] = "holiday",
	[CAL_MATCH_ANNUAL] = "annual", [CAL_MATCH_DATE] = "date",
};

/* Parses a rule's match kind. */
static bool
parse_match(struct ydoc *y, const yaml_node_t *n, enum cal_match *out)
{
	if (!ydoc_want_scalar(y, n, "a rule kind"))
		return false;
	for (size_t i = 0; i < sizeof match_names / sizeof match_names[0]; i++) {
		if (strcmp(ydoc_scalar(n), match_names[i]) == 0) {
			*out = (enum cal_match)i;
			return true;
		}
	}
	return ydoc_fail(y, n, "unknown rule kind '%s' (expected one of: date, annual, holiday, "
	    "nth_weekday, day_after_nth, weekdays)", ydoc_scalar(n));
}

/* Item callback: one weekday of a rule's weekday set. */
static bool
weekday_item(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	unsigned *mask = arg;
	int w;

	(void)index;
	if (!parse_weekday(y, n, &w))
		return false;
	*mask |= 1u << w;
	return true;
}

/* Parses a reason or policy name through the calendar's parser. */
static bool
parse_name_enum(struct ydoc *y, const yaml_node_t *n, const char *key, int *out)
{
	enum cal_reason r;
	enum cal_policy p;

	if (!ydoc_want_scalar(y, n, "a name"))
		return false;
	if (strcmp(key, "reason") == 0 && cal_reason_parse(ydoc_scalar(n), &r)) {
		*out = (int)r;
		return true;
	}
	if (strcmp(key, "policy") == 0 && cal_policy_parse(ydoc_scalar(n), &p)) {
		*out = (int)p;
		return true;
	}
	return ydoc_fail(y, n, "%s: unknown value '%s' (expected %s)", key, ydoc_scalar(n),
	    strcmp(key, "reason") == 0 ? "weekly, holiday, year_end, nth_weekday or special" :
	    "required, optional or walk_in_only");
}

/* Pair callback for one rule mapping. */
static bool
rule_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct rule_parse *rp = arg;
	struct cal_rule *r = rp->rule;
	const char *key = ydoc_scalar(k);
	long nth;
	int e;
	bool closed;

	if (strcmp(key, "match") == 0)
		return (rp->match = true) && parse_match(y, v, &r->match);
	if (strcmp(key, "closed") == 0) {
		if (!ydoc_bool(y, v, key, &closed))
			return false;
		if (!closed)
			return ydoc_fail(y, v, "closed: write 'closed: true', or give 'hours' to open");
		return (rp->closed = true);
	}
	if (strcmp(key, "hours") == 0)
		return (rp->hours = r->open = true) && parse_hours(y, v, &r->hours, rp->hours_at);
	if (strcmp(key, "date") == 0)
		return (rp->date = true) && parse_date(y, v, key, &r->date);
	if (strcmp(key, "from") == 0)
		return (rp->from = true) && parse_month_day(y, v, key, &r->from_month, &r->from_day);
	if (strcmp(key, "until") == 0)
		return (rp->until = true) &&
		    parse_month_day(y, v, key, &r->until_month, &r->until_day);
	if (strcmp(key, "nth") == 0) {
		rp->nth = true;
		if (!ydoc_long(y, v, key, 1, 5, &nth))
			return false;
		r->nth = (int)nth;
		return true;
	}
	if (strcmp(key, "weekday") == 0)
		return (rp->weekday = true) && parse_weekday(y, v, &r->weekday);
	if (strcmp(key, "weekdays") == 0)
		return (rp->weekdays = true) &&
		    ydoc_each_item(y, v, "weekdays", weekday_item, &r->weekdays);
	if (strcmp(key, "reason") == 0 || strcmp(key, "policy") == 0) {
		if (!parse_name_enum(y, v, key, &e))
			return false;
		if (strcmp(key, "reason") == 0)
			r->reason = (enum cal_reason)e;
		else
			r->policy = (enum cal_policy)e;
		return true;
	}
	if (strcmp(key, "effective_from") == 0)
		return parse_date(y, v, key, &r->effective_from);
	if (strcmp(key, "effective_until") == 0)
		return parse_date(y, v, key, &r->effective_until);
	if (strcmp(key, "note") == 0)
		return ydoc_want_scalar(y, v, "a note");
	return ydoc_fail(y, k, "unknown key '%s' in rule (expected one of: match, closed, hours, "
	    "date, from, until, nth, weekday, weekdays, reason, policy, effective_from, "
	    "effective_until, note)", key);
}

/* Checks that a rule gave what its kind needs and nothing it does not use. */
static bool
rule_complete(struct ydoc *y, const yaml_node_t *n, const struct rule_parse *rp)
{
	const struct cal_rule *r = rp->rule;
	bool want_date = r->match == CAL_MATCH_DATE, want_range = r->match == CAL_MATCH_ANNUAL;
	bool want_nth = r->match == CAL_MATCH_NTH_WEEKDAY || r->match == CAL_MATCH_DAY_AFTER_NTH;
	bool want_set = r->match == CAL_MATCH_WEEKDAYS;

	if (!rp->match)
		return ydoc_fail(y, n, "rule: 'match' is required (date, annual, holiday, "
		    "nth_weekday, day_after_nth or weekdays)");
	if (rp->closed == rp->hours)
		return ydoc_fail(y, n, "rule: give either 'closed: true' or 'hours', not %s",
		    rp->closed ? "both" : "neither");
	if (rp->date != want_date || rp->from != want_range || rp->until != want_range ||
	    rp->nth != want_nth || rp->weekday != want_nth || rp->weekdays != want_set)
		return ydoc_fail(y, n, "rule: match '%s' takes %s", match_names[r->match],
		    want_date ? "'date'" : want_range ?
		    "'from' and 'until' (MM-DD)" : want_nth ? "'nth' and 'weekday'" : want_set ?
		    "'weekdays'" : "no day fields");
	return true;
}

/* Item callback: one rule, appended to the office's rules. */
static bool
rule_item(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	struct office_parse *op = arg;
	struct cal_office *cal = op->cal;
	struct rule_parse rp = { 0 };

	(void)index;
	if (cal->nrules >= CAL_MAX_RULES)
		return ydoc_fail(y, n, "at most %d rules per office, defaults included",
		    CAL_MAX_RULES);
	rp.rule = &cal->rules[cal->nrules];
	rp.hours_at = op->at->rule_iv[cal->nrules];
	cal_rule_init(rp.rule, CAL_MATCH_DATE);
	if (!ydoc_each_pair(y, n, "rule", rule_pair, &rp) || !rule_complete(y, n, &rp))
		return false;
	op->at->rule[cal->nrules++] = n;
	return true;
}

/* Pair callback for one dated policy entry {from, policy}. */
static bool
policy_entry_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct cal_policy_entry *e = arg;
	int p;

	if (strcmp(ydoc_scalar(k), "from") == 0)
		return parse_date(y, v, "from", &e->from);
	if (strcmp(ydoc_scalar(k), "policy") == 0) {
		if (!parse_name_enum(y, v, "policy", &p))
			return false;
		e->policy = (enum cal_policy)p;
		return true;
	}
	return ydoc_fail(y, k, "unknown key '%s' in policy entry (expected one of: from, "
	    "policy)", ydoc_scalar(k));
}

/* What a service's policy list is filled into. */
struct policy_parse {
	struct cal_service *svc;	/* its policies */
	const yaml_node_t **at;		/* node of each entry */
};

/* Item callback: one dated policy entry. */
static bool
policy_item(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	struct policy_parse *pp = arg;
	struct cal_policy_entry *e;

	if (index >= CAL_MAX_POLICIES)
		return ydoc_fail(y, n, "at most %d policy entries", CAL_MAX_POLICIES);
	e = &pp->svc->policies[index];
	e->from = CDATE_NONE;
	e->policy = CAL_POLICY_NONE;
	if (!ydoc_each_pair(y, n, "policy", policy_entry_pair, e))
		return false;
	if (e->policy == CAL_POLICY_NONE)
		return ydoc_fail(y, n, "policy entry: 'policy' is required");
	pp->svc->npolicies = index + 1;
	pp->at[index] = n;
	return true;
}

/* Parses policy: a name (for every date) or a list of {from, policy}. */
static bool
parse_policy(struct ydoc *y, const yaml_node_t *n, struct cal_service *svc,
    const yaml_node_t **at)
{
	struct policy_parse pp = { svc, at };
	int p;

	svc->npolicies = 0;
	if (n->type == YAML_SEQUENCE_NODE)
		return ydoc_each_item(y, n, "policy", policy_item, &pp);
	if (!parse_name_enum(y, n, "policy", &p))
		return false;
	svc->policies[0].from = CDATE_NONE;
	svc->policies[0].policy = (enum cal_policy)p;
	svc->npolicies = 1;
	at[0] = n;
	return true;
}

/* A service's settings being parsed. */
struct service_parse {
	struct cal_service *svc;	/* filled in place */
	const yaml_node_t **policy_at;	/* node of each policy entry */
};

/* Pair callback for one service's settings. */
static bool
service_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct service_parse *sp = arg;
	struct cal_service *s = sp->svc;
	const char *key = ydoc_scalar(k);
	long val;

	if (strcmp(key, "policy") == 0)
		return parse_policy(y, v, s, sp->policy_at);
	if (strcmp(key, "slot_minutes") == 0 && ydoc_long(y, v, key, 5, 480, &val))
		return (s->slot_minutes = (int)val) > 0;
	if (strcmp(key, "capacity") == 0 && ydoc_long(y, v, key, 1, 100, &val))
		return (s->capacity = (int)val) > 0;
	if (strcmp(key, "horizon_days") == 0 && ydoc_long(y, v, key, 0, 366, &val))
		return (s->horizon_days = (int)val) >= 0;
	if (strcmp(key, "lead_minutes") == 0 && ydoc_long(y, v, key, 0, 7 * 24 * 60, &val))
		return (s->lead_minutes = (int)val) >= 0;
	if (y->cause != NULL)
		return false;
	return ydoc_fail(y, k, "unknown key '%s' in service (expected one of: slot_minutes, "
	    "capacity, policy, horizon_days, lead_minutes)", key);
}

/* Adds service id at node n (its settings in v, or NULL) to the office being parsed. */
static bool
add_service(struct ydoc *y, struct office_parse *op, const yaml_node_t *n,
    const yaml_node_t *v)
{
	struct cal_office *cal = op->cal;
	const struct cal_service *def;
	enum rules_service id;
	struct service_parse sp;
	size_t i = cal->nservices;

	if (!ydoc_want_scalar(y, n, "a service id"))
		return false;
	if (!rules_service_parse(ydoc_scalar(n), &id))
		return ydoc_fail(y, n, "unknown service '%s' (expected one of: ecert_renewal, "
		    "card_application, card_pickup, pin_reset, address_change, residence_update, "
		    "card_reissue_lost)", ydoc_scalar(n));
	if (cal_service_find(cal, ydoc_scalar(n)) != NULL)
		return ydoc_fail(y, n, "service '%s' listed twice", ydoc_scalar(n));
	if (i >= CAL_MAX_SERVICES)
		return ydoc_fail(y, n, "at most %d services per office", CAL_MAX_SERVICES);
	def = op->defaults ? cal_service_find(op->defaults, ydoc_scalar(n)) : NULL;
	if (def != NULL)
		cal->services[i] = *def;
	else
		cal_service_init(&cal->services[i], ydoc_scalar(n));
	cal->nservices++;
	op->at->service[i] = n;
	sp.svc = &cal->services[i];
	sp.policy_at = op->at->policy[i];
	if (def != NULL)
		memcpy(op->at->policy[i], op->defaults_at->policy[def - op->defaults->services],
		    sizeof op->at->policy[i]);
	if (v == NULL || (v->type == YAML_SCALAR_NODE && ydoc_scalar(v)[0] == '\0'))
		return true;
	return ydoc_each_pair(y, v, ydoc_scalar(n), service_pair, &sp);
}

/* Item callback: a service listed by id. */
static bool
service_item(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	(void)index;
	return add_service(y, arg, n, NULL);
}

/* Pair callback: a service with its settings. */
static bool
service_map_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	return add_service(y, arg, k, v);
}

/* Parses services: a list of ids, or a mapping of id to settings. */
static bool
parse_services(struct ydoc *y, const yaml_node_t *n, struct office_parse *op)
{
	if (n->type == YAML_SEQUENCE_NODE && !op->defaults_only)
		return ydoc_each_item(y, n, "services", service_item, op) &&
		    (op->cal->nservices > 0 ||
		    ydoc_fail(y, n, "services: an office must offer at least one service"));
	if (n->type == YAML_MAPPING_NODE)
		return ydoc_each_pair(y, n, "services", service_map_pair, op);
	return ydoc_fail(y, n, "services: expected %s, found %s", op->defaults_only ?
	    "a mapping of service id to settings" :
	    "a list of service ids or a mapping of id to settings", ydoc_kind(n));
}

/* Pair callback for peak factors: sun..sat and after_closure, each in (0, 1]. */
static bool
peak_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct office_parse *op = arg;
	const char *key = ydoc_scalar(k);
	double f;
	int w = strcmp(key, "after_closure") == 0 ? 7 : weekday_index(key);

	if (w < 0)
		return ydoc_fail(y, k, "unknown key '%s' in peak (expected one of: sun, mon, tue, "
		    "wed, thu, fri, sat, after_closure)", key);
	if (!ydoc_double(y, v, key, 0.05, 1.0, &f))
		return false;
	if (w == 7)
		op->cal->peak_after_closure = f;
	else
		op->cal->peak_weekday[w] = f;
	op->at->peak[w] = v;
	return true;
}

/* Pair callback for the calendar keys an office and the defaults share. */
static bool
calendar_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct office_parse *op = arg;
	const char *key = ydoc_scalar(k);

	if (strcmp(key, "hours") == 0 && !op->defaults_only)
		return ydoc_each_pair(y, v, "hours", week_pair, op);
	if (strcmp(key, "rules") == 0)
		return ydoc_each_item(y, v, "rules", rule_item, op);
	if (strcmp(key, "services") == 0)
		return parse_services(y, v, op);
	if (strcmp(key, "peak") == 0)
		return ydoc_each_pair(y, v, "peak", peak_pair, op);
	return ydoc_fail(y, k, "unknown key '%s' in %s (expected one of: %s)", key,
	    op->defaults_only ? "defaults" : "office", op->defaults_only ?
	    "rules, services, peak" :
	    "id, name, note, address, phone, hours, rules, services, peak, counters");
}

/* The node a calendar validation error points at. */
static const yaml_node_t *
error_node(const struct where *at, const struct cal_error *e)
{
	const yaml_node_t *n = NULL;
	bool iv = e->interval >= 0 && e->interval < CAL_MAX_INTERVALS;

	switch (e->where) {
	case CAL_AT_WEEK:
		if (e->index >= 0 && e->index < 7)
			n = iv && at->week_iv[e->index][e->interval] != NULL ?
			    at->week_iv[e->index][e->interval] : at->week[e->index];
		break;
	case CAL_AT_RULE:
		if (e->index >= 0 && e->index < CAL_MAX_RULES)
			n = iv && at->rule_iv[e->index][e->interval] != NULL ?
			    at->rule_iv[e->index][e->interval] : at->rule[e->index];
		break;
	case CAL_AT_SERVICE: n = e->index >= 0 ? at->service[e->index] : NULL; break;
	case CAL_AT_POLICY:
		n = e->service >= 0 && e->index >= 0 ? at->policy[e->service][e->index] : NULL;
		break;
	case CAL_AT_PEAK: n = e->index >= 0 && e->index < 8 ? at->peak[e->index] : NULL; break;
	case CAL_AT_OFFICE: break;
	}
	if (n == NULL && e->service >= 0)
		n = at->service[e->service];
	return n != NULL ? n : at->office;
}

/* Validates a parsed calendar, reporting its first problem at its node. */
static bool
validate_calendar(struct ydoc *y, const char *id, const struct cal_office *cal,
    const struct where *at)
{
	struct cal_error e;

	if (cal_validate_office(cal, &e, 1) == 0)
		return true;
	return ydoc_fail(y, error_node(at, &e), "office %s: %s", id, e.message);
}

/* Reads a non-empty string into *out. */
static bool
parse_text(struct ydoc *y, const yaml_node_t *n, const char *key, char **out)
{
	const char *text;

	if (!ydoc_want_scalar(y, n, "a string") || !ydoc_string(y, n, key, &text))
		return false;
	if (text[0] == '\0')
		return ydoc_fail(y, n, "%s: must not be empty", key);
	free(*out);
	*out = xstrdup(text);
	return true;
}

/* Reads a telephone number: digits in groups joined by '-', 6 to 20 characters. */
static bool
parse_phone(struct ydoc *y, const yaml_node_t *n, char **out)
{
	const char *s;
	size_t len;

	if (!ydoc_want_scalar(y, n, "a telephone number"))
		return false;
	s = ydoc_scalar(n);
	len = strlen(s);
	if (len < 6 || len > 20 || strspn(s, "0123456789-") != len || s[0] == '-' ||
	    s[len - 1] == '-' || strstr(s, "--") != NULL)
		return ydoc_fail(y, n, "phone: '%s' is not a telephone number such as "
		    "011-205-3238", s);
	return parse_text(y, n, "phone", out);
}

/* An office being parsed, with where its parts came from. */
struct office_ctx {
	struct config_office *o;	/* the office */
	struct office_parse op;		/* its calendar */
	struct where at;		/* nodes */
	bool hours;			/* hours were given */
	const yaml_node_t *counters;	/* the counters list, or NULL */
};

/* Pair callback for one office mapping. */
static bool
office_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct office_ctx *oc = arg;
	const char *key = ydoc_scalar(k);

	if (strcmp(key, "id") == 0)
		return parse_id(y, v, "id", &oc->o->id);
	if (strcmp(key, "name") == 0)
		return parse_name(y, v, &oc->o->name);
	if (strcmp(key, "note") == 0)
		return ydoc_want_scalar(y, v, "a note");
	if (strcmp(key, "address") == 0)
		return parse_text(y, v, "address", &oc->o->address);
	if (strcmp(key, "phone") == 0)
		return parse_phone(y, v, &oc->o->phone);
	if (strcmp(key, "counters") == 0) {
		oc->counters = v;	/* read once the services are known */
		return true;
	}
	if (strcmp(key, "hours") == 0)
		oc->hours = true;
	return calendar_pair(y, k, v, &oc->op);
}

/* Starts an office's calendar from the municipality's defaults. */
static void
office_from_defaults(struct office_ctx *oc, const struct muni_parse *mp)
{
	struct cal_office *cal = &oc->o->cal;

	cal_office_init(cal);
	oc->op.cal = cal;
	oc->op.at = &oc->at;
	if (!mp->have_defaults)
		return;
	oc->op.defaults = &mp->defaults;
	oc->op.defaults_at = &mp->defaults_at;
	cal->nrules = mp->defaults.nrules;
	memcpy(cal->rules, mp->defaults.rules, sizeof cal->rules);
	memcpy(oc->at.rule, mp->defaults_at.rule, sizeof oc->at.rule);
	memcpy(oc->at.rule_iv, mp->defaults_at.rule_iv, sizeof oc->at.rule_iv);
	memcpy(cal->peak_weekday, mp->defaults.peak_weekday, sizeof cal->peak_weekday);
	cal->peak_after_closure = mp->defaults.peak_after_closure;
	memcpy(oc->at.peak, mp->defaults_at.peak, sizeof oc->at.peak);
}

/* Checks the required keys of an office and that its id is new. */
static bool
office_complete(struct ydoc *y, const yaml_node_t *n, struct config *cfg,
    const struct office_ctx *oc)
{
	const struct config_office *o = oc->o;
	long i;

	if (o->id == NULL)
		return ydoc_fail(y, n, "office: 'id' is required");
	if (o->name.ja == NULL)
		return ydoc_fail(y, n, "office %s: 'name' is required", o->id);
	if (o->cal.nservices == 0)
		return ydoc_fail(y, n, "office %s: 'services' is required", o->id);
	if (!oc->hours)
		return ydoc_fail(y, n, "office %s: 'hours' is required (e.g. weekdays: "
		    "[08:30-17:00])", o->id);
	if ((i = config_index_office(cfg, cfg->noffices - 1)) >= 0)
		return ydoc_fail(y, n, "office id '%s' is already defined at %s:%d", o->id,
		    cfg->offices[i].file, cfg->offices[i].line);
	return true;
}

/* A counter being parsed. */
struct counter_parse {
	struct config_office *o;	/* its office */
	struct config_counter *c;	/* it */
	bool services;			/* services were given */
};

/* Item callback: one service a counter serves. */
static bool
counter_service_item(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	struct counter_parse *cp = arg;
	const struct cal_office *cal = &cp->o->cal;

	(void)index;
	if (!ydoc_want_scalar(y, n, "a service id"))
		return false;
	for (size_t i = 0; i < cal->nservices; i++) {
		if (strcmp(cal->services[i].id, ydoc_scalar(n)) == 0) {
			cp->c->services |= 1u << i;
			return true;
		}
	}
	return ydoc_fail(y, n, "counter %d: '%s' is not a service this office offers",
	    cp->c->id, ydoc_scalar(n));
}

/* Pair callback for one counter {id, services}. */
static bool
counter_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct counter_parse *cp = arg;
	long id;

	if (strcmp(ydoc_scalar(k), "id") == 0) {
		if (!ydoc_long(y, v, "id", 1, 99, &id))
			return false;
		cp->c->id = (int)id;
		return true;
	}
	if (strcmp(ydoc_scalar(k), "services") == 0) {
		cp->services = true;
		return ydoc_each_item(y, v, "services", counter_service_item, cp);
	}
	return ydoc_fail(y, k, "unknown key '%s' in counter (expected one of: id, services)",
	    ydoc_scalar(k));
}

/* Item callback: one counter of an office. */
static bool
counter_item(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	struct config_office *o = arg;
	struct counter_parse cp = { o, NULL, false };

	if (index >= CONFIG_MAX_COUNTERS)
		return ydoc_fail(y, n, "at most %d counters per office", CONFIG_MAX_COUNTERS);
	cp.c = &o->counters[o->ncounters];
	memset(cp.c, 0, sizeof *cp.c);
	if (!ydoc_each_pair(y, n, "counter", counter_pair, &cp))
		return false;
	if (cp.c->id == 0 || !cp.services)
		return ydoc_fail(y, n, "counter: 'id' and 'services' are required");
	if (config_counter(o, cp.c->id) != NULL)
		return ydoc_fail(y, n, "counter %d is defined twice", cp.c->id);
	o->ncounters++;
	return true;
}

/*
 * Reads the office's counters; without a list, as many counters as its
 * busiest service's capacity, each serving everything.
 */
static bool
office_counters(struct ydoc *y, struct office_ctx *oc)
{
	struct config_office *o = oc->o;
	int n = 1;

	if (oc->counters != NULL)
		return ydoc_each_item(y, oc->counters, "counters", counter_item, o) &&
		    (o->ncounters > 0 || ydoc_fail(y, oc->counters, "counters: list at least one"));
	for (size_t i = 0; i < o->cal.nservices; i++)
		n = o->cal.services[i].capacity > n ? o->cal.services[i].capacity : n;
	for (int i = 0; i < n && i < CONFIG_MAX_COUNTERS; i++) {
		o->counters[i].id = i + 1;
		o->counters[i].services = (1u << o->cal.nservices) - 1;
	}
	o->ncounters = (size_t)(n < CONFIG_MAX_COUNTERS ? n : CONFIG_MAX_COUNTERS);
	return true;
}

/* Item callback: one office of the municipality. */
static bool
office_item(struct ydoc *y, const yaml_node_t *n, size_t index, void *arg)
{
	struct muni_parse *mp = arg;
	struct config *cfg = mp->cfg;
	struct office_ctx *oc = xcalloc(1, sizeof *oc);
	bool ok;

	(void)index;
	cfg->offices = xreallocarray(cfg->offices, cfg->noffices + 1, sizeof *cfg->offices);
	oc->o = &cfg->offices[cfg->noffices++];
	memset(oc->o, 0, sizeof *oc->o);
	oc->o->municipality = mp->muni;
	oc->o->file = xstrdup(y->file);
	oc->o->line = ydoc_line(n);
	oc->at.office = n;
	office_from_defaults(oc, mp);
	ok = ydoc_each_pair(y, n, "office", office_pair, oc) &&
	    office_complete(y, n, cfg, oc) &&
	    validate_calendar(y, oc->o->id, &oc->o->cal, &oc->at) && office_counters(y, oc);
	free(oc);
	return ok;
}

/* Parses the defaults block: rules, service settings and peak factors. */
static bool
parse_defaults(struct ydoc *y, const yaml_node_t *v, struct muni_parse *mp)
{
	struct office_parse op = { &mp->defaults, &mp->defaults_at, NULL, NULL, true };

	if (mp->offices_seen)
		return ydoc_fail(y, v, "defaults: must come before the offices");
	mp->have_defaults = true;
	return ydoc_each_pair(y, v, "defaults", calendar_pair, &op);
}

/* Pair callback for a fee {card, certificate} (yen, 0..100000 each). */
static bool
fee_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct rules_fee *fee = arg;
	const char *key = ydoc_scalar(k);
	long yen;

	if (strcmp(key, "card") != 0 && strcmp(key, "certificate") != 0)
		return ydoc_fail(y, k, "unknown key '%s' in fee (expected one of: card, "
		    "certificate)", key);
	if (!ydoc_long(y, v, key, 0, 100000, &yen))
		return false;
	if (strcmp(key, "card") == 0)
		fee->card_yen = (int)yen;
	else
		fee->certificate_yen = (int)yen;
	return true;
}

/* Reads a named choice with parse into *out, explaining the names on failure. */
static bool
parse_choice(struct ydoc *y, const yaml_node_t *n, const char *key, const char *names,
    bool (*parse)(const char *, void *), void *out)
{
	if (!ydoc_want_scalar(y, n, names))
		return false;
	if (parse(ydoc_scalar(n), out))
		return true;
	return ydoc_fail(y, n, "%s: unknown value '%s' (expected %s)", key, ydoc_scalar(n),
	    names);
}

/* Adapters from the rules parsers to parse_choice. */
static bool
list_a(const char *s, void *out)
{
	return rules_id_list_a_parse(s, out);
}

static bool
list_b(const char *s, void *out)
{
	return rules_id_list_b_parse(s, out);
}

static bool
pin_ids(const char *s, void *out)
{
	return rules_pin_ids_parse(s, out);
}

/* Pair callback for the municipality's rule settings (RULES.md §6). */
static bool
settings_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct rules_settings *s = arg;
	const char *key = ydoc_scalar(k);
	long val;

	if (strcmp(key, "lost_card_fee") == 0)
		return ydoc_each_pair(y, v, key, fee_pair, &s->lost_card_fee);
	if (strcmp(key, "damaged_card_fee") == 0)
		return ydoc_each_pair(y, v, key, fee_pair, &s->damaged_card_fee);
	if (strcmp(key, "mail_turnaround_days") == 0 && ydoc_long(y, v, key, 1, 60, &val))
		return (s->mail_turnaround_days = (int)val) > 0;
	if (strcmp(key, "pin_reset_extra_minutes") == 0 && ydoc_long(y, v, key, 0, 120, &val)) {
		for (int i = 0; i < RULES_SVC_COUNT; i++)
			s->pin_reset_extra_minutes[i] = (int)val;
		return true;
	}
	if (strcmp(key, "pin_reset_same_visit") == 0)
		return ydoc_bool(y, v, key, &s->pin_reset_same_visit);
	if (strcmp(key, "id_list_a") == 0)
		return parse_choice(y, v, key, "national or sapporo", list_a, &s->id_list_a);
	if (strcmp(key, "id_list_b") == 0)
		return parse_choice(y, v, key, "national or oita", list_b, &s->id_list_b);
	if (strcmp(key, "pin_reset_ids") == 0)
		return parse_choice(y, v, key, "one_a_or_two_b or one_a_or_one_b", pin_ids,
		    &s->pin_reset_ids);
	if (y->cause != NULL)
		return false;
	return ydoc_fail(y, k, "unknown key '%s' in settings (expected one of: lost_card_fee, "
	    "damaged_card_fee, mail_turnaround_days, pin_reset_extra_minutes, "
	    "pin_reset_same_visit, id_list_a, id_list_b, pin_reset_ids)", key);
}

/* Parses the settings block over the defaults of RULES.md. */
static bool
parse_settings(struct ydoc *y, const yaml_node_t *v, struct muni_parse *mp)
{
	struct config_municipality *m = &mp->cfg->municipalities[mp->muni];

	return ydoc_each_pair(y, v, "settings", settings_pair, &m->settings);
}

/* Pair callback for a municipality file's top level. */
static bool
muni_pair(struct ydoc *y, const yaml_node_t *k, const yaml_node_t *v, void *arg)
{
	struct muni_parse *mp = arg;
	struct config_municipality *m = &mp->cfg->municipalities[mp->muni];
	const char *key = ydoc_scalar(k);

	if (strcmp(key, "municipality") == 0)
		return parse_id(y, v, "municipality", &m->id);
	if (strcmp(key, "name") == 0)
		return parse_name(y, v, &m->name);
	if (strcmp(key, "defaults") == 0)
		return parse_defaults(y, v, mp);
	if (strcmp(key, "settings") == 0)
		return parse_settings(y, v, mp);
	if (strcmp(key, "offices") != 0)
		return ydoc_fail(y, k, "unknown key '%s' (expected one of: municipality, name, "
		    "settings, defaults, offices)", key);
	if (m->id == NULL)
		return ydoc_fail(y, k, "offices: 'municipality' must come before the offices");
	if (v->type != YAML_SEQUENCE_NODE)
		return ydoc_fail(y, v, "offices: expected a list, found %s", ydoc_kind(v));
	mp->offices_seen = true;
	return ydoc_each_item(y, v, "offices", office_item, mp);
}

/* Checks the municipality's required keys and that its id is new. */
static bool
muni_complete(struct ydoc *y, struct config *cfg, size_t muni)
{
	const struct config_municipality *m = &cfg->municipalities[muni];
	long i;

	if (m->id == NULL)
		return ydoc_fail(y, NULL, "'municipality' (its id) is required");
	if (m->name.ja == NULL)
		return ydoc_fail(y, NULL, "'name' is required");
	if ((i = config_index_municipality(cfg, muni)) >= 0)
		return ydoc_fail(y, NULL, "municipality '%s' is already defined in %s", m->id,
		    cfg->municipalities[i].file);
	return true;
}

bool
config_muni_load(struct ydoc *y, struct config *cfg, const char *file)
{
	struct muni_parse *mp;
	bool ok;

	if (!ydoc_load(y, file))
		return false;
	mp = xcalloc(1, sizeof *mp);
	mp->cfg = cfg;
	mp->muni = cfg->nmunicipalities;
	cal_office_init(&mp->defaults);
	cfg->municipalities = xreallocarray(cfg->municipalities, cfg->nmunicipalities + 1,
	    sizeof *cfg->municipalities);
	memset(&cfg->municipalities[cfg->nmunicipalities], 0, sizeof *cfg->municipalities);
	cfg->municipalities[cfg->nmunicipalities].settings = rules_settings_default();
	cfg->municipalities[cfg->nmunicipalities++].file = xstrdup(file);
	ok = ydoc_each_pair(y, ydoc_root(y), "the municipality file", muni_pair, mp) &&
	    muni_complete(y, cfg, mp->muni);
	ydoc_close(y);
	free(mp);
	return ok;
}

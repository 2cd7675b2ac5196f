/*
 * GET /v1/bookings/{reference}/calendar.ics: the booking as an iCalendar
 * (RFC 5545) event, in the booking's language.
 *
 * The UID is the reference, and SEQUENCE is the booking's revision (0 when
 * made, one more with each reschedule and with the cancel), so a calendar that
 * imports the file again replaces its event instead of adding one. A booked
 * booking is METHOD:PUBLISH with STATUS:CONFIRMED; a cancelled one is
 * METHOD:CANCEL with STATUS:CANCELLED (RFC 5546 3.2.5), so importing it removes
 * the event. RFC 5546 wants an ORGANIZER in both: the office, named in CN, with
 * a URN for an address (the daemon sends no mail and takes no replies).
 */
#include "api/bookings.h"

#include "api/booking_manage.h"
#include "api/booking_request.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "core/rules.h"
#include "core/xmalloc.h"
#include "ics.h"
#include "request.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An epoch as an iCalendar UTC time (20261216T003000Z). */
static void
ics_utc(time_t t, char out[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* An epoch column as an iCalendar UTC time. */
static void
col_utc(const PGresult *pg, int c, char out[17])
{
	ics_utc((time_t)strtoll(PQgetvalue(pg, 0, c), NULL, 10), out);
}

/*
 * The DESCRIPTION: service, reference, then the documents to bring as the
 * booking was answered (in its language; optional ones say so in their label).
 */
static char *
description(const PGresult *pg, bool en, const char *service)
{
	json_t *answer = json_loads(PQgetvalue(pg, 0, B_ANSWER), 0, NULL);
	json_t *docs = json_object_get(answer, "documents"), *d;
	char *text = xasprintf(en ? "%s\nReference: %s\n" : "%s\n予約番号: %s\n", service,
	    PQgetvalue(pg, 0, B_REF)), *next;
	size_t i;

	if (json_array_size(docs) > 0) {
		next = xasprintf("%s\n%s\n", text, en ? "Please bring:" : "持ち物:");
		free(text);
		text = next;
	}
	json_array_foreach(docs, i, d) {
		const char *label = json_string_value(json_object_get(d, "label"));

		if (label == NULL)
			continue;
		next = xasprintf("%s- %s\n", text, label);
		free(text);
		text = next;
	}
	json_decref(answer);
	return text;
}

/* .ics: the row arrived. */
static void
ics_done(struct request *r, const struct db_result *res)
{
	const PGresult *pg = res->pg;
	const struct config_office *o;
	const struct config_name *office_name, *muni_name = NULL;
	enum rules_service svc;
	bool en, cancelled;
	char start[17], end[17], stamp[17], uid[64], disp[96], *where, *summary, *desc, *text;
	const char *service;
	struct ics w;
	size_t len;

	if (!manage_owns(r, res))
		return;
	en = strcmp(PQgetvalue(pg, 0, B_LANG), "en") == 0;
	cancelled = strcmp(PQgetvalue(pg, 0, B_STATUS), "cancelled") == 0;
	o = config_office(r->cfg, PQgetvalue(pg, 0, B_OFFICE));
	office_name = o != NULL ? &o->name : NULL;
	if (o != NULL)
		muni_name = &r->cfg->municipalities[o->municipality].name;
	service = rules_service_parse(PQgetvalue(pg, 0, B_SERVICE), &svc) ?
	    rules_service_label(svc, en ? RULES_LANG_EN : RULES_LANG_JA) : PQgetvalue(pg, 0, B_SERVICE);
	col_utc(pg, B_START, start);
	col_utc(pg, B_END, end);
	ics_utc(clock_now(), stamp);
	snprintf(uid, sizeof uid, "%s@madoguchi", PQgetvalue(pg, 0, B_REF));

	/* LOCATION: the office's name, then its address where configured. */
	if (office_name == NULL)
		where = xstrdup(PQgetvalue(pg, 0, B_OFFICE));
	else if (o->address != NULL)
		where = xasprintf(en ? "%s, %s" : "%s %s", en ? office_name->en : office_name->ja,
		    o->address);
	else
		where = xstrdup(en ? office_name->en : office_name->ja);
	summary = xasprintf("%s: %s (%s)", muni_name != NULL ? (en ? muni_name->en :
	    muni_name->ja) : (en ? "Appointment" : "窓口予約"), service, PQgetvalue(pg, 0, B_REF));
	desc = description(pg, en, service);

	ics_init(&w);
	ics_raw(&w, "BEGIN", "VCALENDAR");
	ics_raw(&w, "VERSION", "2.0");
	ics_raw(&w, "PRODID", "-//madoguchi//madoguchid " MADOGUCHI_VERSION "//EN");
	ics_raw(&w, "CALSCALE", "GREGORIAN");
	ics_raw(&w, "METHOD", cancelled ? "CANCEL" : "PUBLISH");
	ics_raw(&w, "BEGIN", "VEVENT");
	ics_raw(&w, "UID", uid);
	ics_raw(&w, "DTSTAMP", stamp);
	ics_raw(&w, "SEQUENCE", PQgetvalue(pg, 0, B_SEQUENCE));
	ics_raw(&w, "DTSTART", start);
	ics_raw(&w, "DTEND", end);
	{
		char *org = xasprintf("urn:madoguchi:office:%s", PQgetvalue(pg, 0, B_OFFICE));
		ics_param_raw(&w, "ORGANIZER", "CN", office_name != NULL ? (en ? office_name->en :
		    office_name->ja) : PQgetvalue(pg, 0, B_OFFICE), org);
		free(org);
	}
	ics_text(&w, "SUMMARY", summary);
	ics_text(&w, "LOCATION", where);
	ics_text(&w, "DESCRIPTION", desc);
	ics_raw(&w, "STATUS", cancelled ? "CANCELLED" : "CONFIRMED");
	ics_raw(&w, "TRANSP", "OPAQUE");
	ics_raw(&w, "END", "VEVENT");
	ics_raw(&w, "END", "VCALENDAR");
	text = ics_finish(&w, &len);
	free(where);
	free(summary);
	free(desc);

	/* The reference is [A-Z0-9-] (normalised on the way in): no quoting issues. */
	snprintf(disp, sizeof disp, "attachment; filename=\"madoguchi-%s.ics\"",
	    PQgetvalue(pg, 0, B_REF));
	req_header(r, "Content-Disposition", disp);
	req_text(r, 200, "text/calendar; charset=utf-8", text, len);
	free(text);
}

void
api_booking_ics(struct request *r)
{
	manage_read(r, ics_done);
}

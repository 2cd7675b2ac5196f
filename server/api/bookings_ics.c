/*
 * GET /v1/bookings/{reference}/calendar.ics: the booking as an iCalendar event.
 */
#include "api/bookings.h"

#include "api/booking_manage.h"
#include "api/booking_request.h"
#include "app.h"
#include "clock.h"
#include "config.h"
#include "core/calendar.h"
#include "core/cdate.h"
#include "core/eligibility.h"
#include "core/problem.h"
#include "core/rules.h"
#include "core/xmalloc.h"
#include "log.h"
#include "request.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Appends text to an iCalendar property value, escaped per RFC 5545. */
static void
ics_text(char *out, size_t len, const char *s)
{
	size_t o = strlen(out);

	for (; *s != '\0' && o + 3 < len; s++) {
		if (*s == '\\' || *s == ';' || *s == ',') {
			out[o++] = '\\';
			out[o++] = *s;
		} else if (*s == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if ((unsigned char)*s >= 0x20) {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/* Formats an epoch column as an iCalendar UTC time (20261216T003000Z). */
static void
ics_time(const PGresult *pg, int c, char out[17])
{
	time_t t = (time_t)strtoll(PQgetvalue(pg, 0, c), NULL, 10);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* .ics: the row arrived. */
static void
ics_done(struct request *r, const struct db_result *res)
{
	const PGresult *pg = res->pg;
	const struct config_office *o;
	char start[17], end[17], stamp[17], summary[512] = "", where[512] = "", text[2048];
	struct tm tm;
	time_t now = clock_now();
	int n;

	if (!manage_owns(r, res))
		return;
	o = config_office(r->cfg, PQgetvalue(pg, 0, B_OFFICE));
	ics_time(pg, B_START, start);
	ics_time(pg, B_END, end);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	ics_text(summary, sizeof summary, "マイナンバー窓口 / My Number counter: ");
	ics_text(summary, sizeof summary, PQgetvalue(pg, 0, B_REF));
	ics_text(where, sizeof where, o ? o->name.ja : PQgetvalue(pg, 0, B_OFFICE));
	n = snprintf(text, sizeof text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//madoguchi//madoguchid//EN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
	    "UID:%s@madoguchi\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\n"
	    "LOCATION:%s\r\nDESCRIPTION:%s %s\r\nSTATUS:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	    PQgetvalue(pg, 0, B_REF), stamp, start, end, summary, where,
	    PQgetvalue(pg, 0, B_SERVICE), PQgetvalue(pg, 0, B_REF),
	    strcmp(PQgetvalue(pg, 0, B_STATUS), "cancelled") == 0 ? "CANCELLED" : "CONFIRMED");
	req_header(r, "Content-Disposition", "attachment; filename=\"madoguchi.ics\"");
	req_text(r, 200, "text/calendar; charset=utf-8", text,
	    n > 0 && (size_t)n < sizeof text ? (size_t)n : strlen(text));
}

void
api_booking_ics(struct request *r)
{
	manage_read(r, ics_done);
}

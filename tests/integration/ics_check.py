#!/usr/bin/python3
"""Checks a booking's .ics with python3-icalendar (the Debian package).

usage: ics_check.py FILE KEY=VALUE...

Each KEY=VALUE is a property of the one VEVENT (or METHOD, of the calendar)
that must equal VALUE once decoded; KEY~VALUE wants VALUE inside it. Also:
every physical line is at most 75 octets and valid UTF-8 on its own (folding
never splits a character), lines end in CRLF, and the parser reports no errors.
Exits 1 with a message on the first failure.
"""
import sys

from icalendar import Calendar


def fail(msg):
    print("ics_check: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    raw = open(sys.argv[1], "rb").read()
    if not raw.endswith(b"\r\n"):
        fail("the text does not end with CRLF")
    for n, line in enumerate(raw[:-2].split(b"\r\n"), 1):
        if len(line) > 75:
            fail("line %d has %d octets" % (n, len(line)))
        if b"\n" in line or b"\r" in line:
            fail("line %d has a bare CR or LF" % n)
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            fail("line %d is not UTF-8 on its own (a fold split a character)" % n)
    cal = Calendar.from_ical(raw)
    events = cal.walk("VEVENT")
    if len(events) != 1:
        fail("%d VEVENTs" % len(events))
    ev = events[0]
    for comp in (cal, ev):
        if comp.errors:
            fail("parser errors: %r" % comp.errors)
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "ORGANIZER", "STATUS"):
        if prop not in ev:
            fail("no " + prop)
    if str(cal.get("VERSION")) != "2.0" or "PRODID" not in cal:
        fail("VERSION or PRODID missing")
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    if start.tzinfo is None or end <= start:
        fail("DTSTART/DTEND: %r %r" % (start, end))
    for arg in sys.argv[2:]:
        sep = "~" if "~" in arg.split("=")[0] else "="
        key, want = arg.split(sep, 1)
        comp = cal if key in ("METHOD",) else ev
        if key not in comp:
            fail("no " + key)
        got = comp.decoded(key)
        got = got.decode("utf-8") if isinstance(got, bytes) else str(got)
        if sep == "=" and got != want:
            fail("%s is %r, not %r" % (key, got, want))
        if sep == "~" and want not in got:
            fail("%s is %r, without %r" % (key, got, want))
    print("ics_check: ok (%d lines)" % raw.count(b"\r\n"))


main()

-- A half-year of past bookings (20,000 residents, June to November 2026, before
-- the dates the benchmarks book), analysed, as a city's database has them:
-- statements are planned for tables of that size, not for empty ones (an
-- empty table's plan for the per-contact count scans the whole table later).
INSERT INTO slot_usage (municipality, office, service, starts_at, capacity, booked)
SELECT 'kasugai', 'kasugai-main', 'pin_reset', '2026-06-01 09:00+09'::timestamptz
    + g * interval '2 hours', 100, 10
FROM generate_series(0, 1999) g;
INSERT INTO bookings (municipality, reference, token_hash, office, service, starts_at, ends_at,
    kind, visits, visit, window_opens, window_closes, language, answer, contact_name,
    contact_email)
SELECT 'kasugai', 'PAST-' || g, 'past', 'kasugai-main', 'pin_reset',
    '2026-06-01 09:00+09'::timestamptz + (g % 2000) * interval '2 hours',
    '2026-06-01 09:15+09'::timestamptz + (g % 2000) * interval '2 hours', 'renewal', 1, 1,
    '2026-06-01', '2026-12-31', 'ja', '{}', 'Past', 'past' || g || '@example.jp'
FROM generate_series(1, 20000) g;
ANALYZE;

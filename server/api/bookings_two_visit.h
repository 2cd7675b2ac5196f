/*
 * The two-visit route: checks of visit 2 against visit 1. Internal to the
 * booking handlers.
 */
#ifndef MADOGUCHI_API_BOOKINGS_TWO_VISIT_H
#define MADOGUCHI_API_BOOKINGS_TWO_VISIT_H

struct request;

/*
 * A new visit 2 (r->ctx a struct bk with first_visit set): checks the
 * Authorization token is visit 1's, reads visit 1 and goes on with then(r)
 * when visit 2 may follow it; otherwise answers 401 or 422.
 */
void two_visit_check_first(struct request *r, void (*then)(struct request *));
#endif

/*
 * The two-visit route: checks of visit 2 against visit 1. Internal to the
 * booking handlers.
 */
#ifndef MADOGUCHI_API_BOOKINGS_TWO_VISIT_H
#define MADOGUCHI_API_BOOKINGS_TWO_VISIT_H

struct request;

/*
 * A new visit 2 (r->ctx a struct bk with first_visit set): reads visit 1 and
 * goes on with then(r) when visit 2 may follow it; otherwise answers 422.
 */
void two_visit_check_first(struct request *r, void (*then)(struct request *));
/*
 * A visit 2 being moved (r->ctx a struct manage): reads visit 1 (reference
 * first) and goes on with then(r) when the new date may follow it; else 422.
 */
void two_visit_check_move(struct request *r, const char *first, void (*then)(struct request *));

#endif

/* Bookable slots of an office's service over a range of days. */
#ifndef MADOGUCHI_API_AVAILABILITY_H
#define MADOGUCHI_API_AVAILABILITY_H

struct request;

/* GET /v1/offices/{office}/availability?service=S&from=D&to=D (at most 93 days). */
void api_availability(struct request *r);

#endif

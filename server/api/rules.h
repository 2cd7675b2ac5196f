/* The domain-rule endpoints: national holidays and eligibility verdicts. */
#ifndef MADOGUCHI_API_RULES_H
#define MADOGUCHI_API_RULES_H

struct request;

/* GET /v1/holidays?year=YYYY (default: this year in Tokyo). */
void api_holidays(struct request *r);
/* POST /v1/eligibility: the verdict for a service, visit date and applicant. */
void api_eligibility(struct request *r);

#endif

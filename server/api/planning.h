/*
 * What managers plan with: expiry counts, the demand forecast, staffing
 * advice, what-if simulations and capacity rules for online booking.
 */
#ifndef MADOGUCHI_API_PLANNING_H
#define MADOGUCHI_API_PLANNING_H

struct request;

/* PUT /v1/municipalities/{municipality}/expiries (manager of an office of it): CSV counts. */
void api_expiries_put(struct request *r);
/* GET /v1/offices/{office}/forecast?from&to[&service] (anyone). */
void api_forecast(struct request *r);
/* GET /v1/offices/{office}/staffing?date[&target_wait_min&target_share] (manager). */
void api_staffing(struct request *r);
/* POST /v1/offices/{office}/simulate (manager): a day run on the worker. */
void api_simulate(struct request *r);
/* GET /v1/offices/{office}/capacity (manager): the rules in force. */
void api_capacity_list(struct request *r);
/* POST /v1/offices/{office}/capacity (manager): a factor or cap rule. */
void api_capacity_create(struct request *r);
/* DELETE /v1/offices/{office}/capacity/{id} (manager). */
void api_capacity_delete(struct request *r);

#endif

/*
 * What managers see: history imports, load and estimate-accuracy reports,
 * all computed from the tickets table (live and imported rows alike).
 */
#ifndef MADOGUCHI_API_REPORTS_H
#define MADOGUCHI_API_REPORTS_H

struct request;

/* POST /v1/offices/{office}/history (manager): past tickets from CSV. */
void api_history_import(struct request *r);
/* GET /v1/reports/load?office&from&to[&service] (manager): JSON, or CSV by day. */
void api_report_load(struct request *r);
/* GET /v1/reports/estimates?office&from&to (manager): promised waits against real ones. */
void api_report_estimates(struct request *r);
/* GET /metrics (admin token or metrics.allow): Prometheus text format. */
void api_metrics(struct request *r);

#endif

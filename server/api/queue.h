/* The queue: tickets, calling numbers, ticket state changes and the queue view. */
#ifndef MADOGUCHI_API_QUEUE_H
#define MADOGUCHI_API_QUEUE_H

struct request;

/* POST /v1/offices/{office}/tickets {"service"} or {"booking"} (kiosk or staff). */
void api_ticket_create(struct request *r);
/* POST /v1/offices/{office}/counters/{counter}/next (staff): 200 the ticket, 204 none. */
void api_counter_next(struct request *r);
/* POST /v1/tickets/{id}/done, /no-show, /recall, /transfer (staff). */
void api_ticket_done(struct request *r);
void api_ticket_no_show(struct request *r);
void api_ticket_recall(struct request *r);
void api_ticket_transfer(struct request *r);
/* GET /v1/offices/{office}/queue (anyone): called numbers, waiting and waits. */
void api_queue(struct request *r);
/* GET /v1/offices/{office}/tickets/{number} (anyone): one ticket of today, followed. */
void api_ticket_view(struct request *r);

#endif

/*
 * The queue view for staff and lobby terminals: per service how many wait,
 * the expected wait and the crowding flag, and the numbers being called.
 * Pure: JSON of GET /v1/offices/{office}/queue in, text out.
 */
#ifndef MADOGUCHI_CLIENT_QUEUE_H
#define MADOGUCHI_CLIENT_QUEUE_H

#include "buf.h"
#include "lang.h"

#include <jansson.h>

/* Appends the view to out; -1 with *cause (caller frees) when the answer is not a queue. */
int queue_render(const json_t *queue, enum lang lang, struct buf *out, char **cause)
    __attribute__((warn_unused_result));

#endif

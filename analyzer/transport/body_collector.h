/* body_collector.h - whole-body framing: buffers a non-streaming body and emits it at its end.
 *
 * Used for bodies the upper layer wants whole (negotiate, start, send, abort, long-poll JSON,
 * form posts). For responses, leading 0x20 bytes are counted and reported as BODY_SPACES events
 * as they arrive (each with the frame that carried them: long-polling keepalive ticks) and
 * excluded from the body. The collector owns its buffer: body_collector_free() releases it.
 *
 * Most bodies arrive in one piece inside the segment that also ends them: such a piece can be
 * lent (body_collector_lend) instead of copied, and is emitted from where it lies if the body
 * ends while the lender still holds it; body_collector_settle() copies it before the lender
 * lets go.
 */
#ifndef LIFELINE_BODY_COLLECTOR_H
#define LIFELINE_BODY_COLLECTOR_H

#include "transport/capped_buf.h"
#include "transport/wire_tag.h"

typedef struct body_collector {
    wire_tag tag;
    capped_buf buf;
    const uint8_t *lent; /* body bytes not copied yet (NULL: none); come before nothing in buf */
    size_t lent_len;
    bool track_spaces;
    bool past_spaces;
    uint32_t spaces;
} body_collector;

void body_collector_init(body_collector *b, wire_tag tag, size_t max_body, bool track_spaces);
void body_collector_feed(body_collector *b, const uint8_t *data, size_t len,
                         const lf_frame_ref *at);
/* As body_collector_feed(), for bytes that stay valid until body_collector_settle(). */
void body_collector_lend(body_collector *b, const uint8_t *data, size_t len,
                         const lf_frame_ref *at);
/* Copies lent bytes into the collector's buffer: the lender is about to reuse them. */
void body_collector_settle(body_collector *b);
/* Emits LF_WIRE_HTTP_BODY; `flags` come from the HTTP layer, TRUNCATED is added when needed. */
void body_collector_end(body_collector *b, unsigned flags, uint64_t wire_len,
                        const lf_frame_ref *at);
void body_collector_free(body_collector *b);

#endif

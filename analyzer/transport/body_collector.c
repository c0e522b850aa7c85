/* body_collector.c - whole-body buffering with leading-space tracking. */
#include "transport/body_collector.h"

void body_collector_init(body_collector *b, wire_tag tag, size_t max_body, bool track_spaces)
{
    *b = (body_collector){.tag = tag, .track_spaces = track_spaces, .past_spaces = !track_spaces};
    capped_buf_init(&b->buf, max_body);
}

/* Reports leading spaces; returns how many of data[0..len) they were. */
static size_t leading_spaces(body_collector *b, const uint8_t *data, size_t len,
                             const lf_frame_ref *at)
{
    size_t run = 0;
    while (!b->past_spaces && run < len && data[run] == ' ')
        run++;
    if (run > 0) {
        lf_wire_event ev;
        wire_tag_event(&ev, &b->tag, LF_WIRE_BODY_SPACES, at);
        ev.u.spaces.count = (uint32_t)run;
        b->spaces += (uint32_t)run;
        wire_tag_emit(&b->tag, &ev);
    }
    if (run < len)
        b->past_spaces = true;
    return run;
}

void body_collector_settle(body_collector *b)
{
    if (b->lent == NULL)
        return;
    capped_buf_append(&b->buf, b->lent, b->lent_len);
    b->lent = NULL;
    b->lent_len = 0;
}

void body_collector_feed(body_collector *b, const uint8_t *data, size_t len, const lf_frame_ref *at)
{
    size_t run = leading_spaces(b, data, len, at);
    if (run < len) {
        body_collector_settle(b);
        capped_buf_append(&b->buf, data + run, len - run);
    }
}

void body_collector_lend(body_collector *b, const uint8_t *data, size_t len, const lf_frame_ref *at)
{
    size_t run = leading_spaces(b, data, len, at);
    if (run == len)
        return;
    if (b->lent == NULL && b->buf.len == 0 && b->buf.max > 0) {
        b->lent = data + run;
        b->lent_len = len - run;
        return;
    }
    body_collector_settle(b);
    capped_buf_append(&b->buf, data + run, len - run);
}

void body_collector_end(body_collector *b, unsigned flags, uint64_t wire_len,
                        const lf_frame_ref *at)
{
    lf_wire_event ev;
    wire_tag_event(&ev, &b->tag, LF_WIRE_HTTP_BODY, at);
    /* the whole body was lent: the cap applies as if it had been appended to the empty buffer */
    bool whole_lent = b->lent != NULL;
    bool cut = whole_lent && b->lent_len > b->buf.max;
    ev.u.body = (lf_wire_body){
        .data = whole_lent ? b->lent : b->buf.data,
        .len = whole_lent ? (cut ? b->buf.max : b->lent_len) : b->buf.len,
        .wire_len = wire_len,
        .leading_spaces = b->spaces,
        .flags = flags | (cut || b->buf.truncated ? LF_WIRE_TRUNCATED : 0),
    };
    wire_tag_emit(&b->tag, &ev);
    b->lent = NULL;
    b->lent_len = 0;
    capped_buf_clear(&b->buf);
    b->spaces = 0;
    b->past_spaces = !b->track_spaces;
}

void body_collector_free(body_collector *b)
{
    capped_buf_free(&b->buf);
}

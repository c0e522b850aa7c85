/* sse_reader.c - incremental event-stream parsing. */
#include "transport/sse_reader.h"

#include <string.h>

static void reset_event(sse_reader *r)
{
    capped_buf_clear(&r->data);
    capped_buf_clear(&r->event);
    capped_buf_clear(&r->id);
    r->has_data = false;
    r->truncated = false;
}

void sse_reader_init(sse_reader *r, wire_tag tag, size_t max_event)
{
    *r = (sse_reader){.tag = tag, .at_stream_start = true};
    /* a line holds a field name and its value: room for the longest value plus a name */
    capped_buf_init(&r->line, max_event + SSE_MAX_FIELD);
    capped_buf_init(&r->data, max_event);
    capped_buf_init(&r->event, SSE_MAX_FIELD);
    capped_buf_init(&r->id, SSE_MAX_FIELD);
}

static lf_wire_str field_str(const capped_buf *b, bool present)
{
    if (!present)
        return (lf_wire_str){NULL, 0};
    return (lf_wire_str){b->data ? (const char *)b->data : "", b->len};
}

static void dispatch(sse_reader *r, const lf_frame_ref *at)
{
    if (r->has_data) {
        lf_wire_event ev;
        wire_tag_event(&ev, &r->tag, LF_WIRE_SSE_EVENT, at);
        bool truncated = r->truncated || r->data.truncated;
        ev.u.sse.data = field_str(&r->data, true);
        ev.u.sse.event = field_str(&r->event, r->event.len > 0);
        ev.u.sse.id = field_str(&r->id, r->id.len > 0);
        ev.u.sse.flags = truncated ? LF_WIRE_TRUNCATED : 0;
        wire_tag_emit(&r->tag, &ev);
    }
    reset_event(r);
}

static void set_field(capped_buf *b, const uint8_t *v, size_t n)
{
    capped_buf_clear(b);
    capped_buf_append(b, v, n);
}

/* One line p[0..n); `cut` says the line outgrew the line cap (p holds its first bytes). */
static void process_line(sse_reader *r, const uint8_t *p, size_t n, bool cut,
                         const lf_frame_ref *at)
{
    r->truncated = r->truncated || cut;
    if (n == 0) {
        dispatch(r, at);
        return;
    }
    if (p[0] == ':')
        return; /* comment */
    const uint8_t *colon = memchr(p, ':', n);
    size_t name_len = colon ? (size_t)(colon - p) : n;
    const uint8_t *v = colon ? colon + 1 : p + n;
    size_t vlen = (size_t)(p + n - v);
    if (vlen > 0 && v[0] == ' ') {
        v++;
        vlen--;
    }
    if (name_len == 4 && memcmp(p, "data", 4) == 0) {
        static const uint8_t lf = '\n';
        if (r->has_data)
            capped_buf_append(&r->data, &lf, 1);
        capped_buf_append(&r->data, v, vlen);
        r->has_data = true;
    } else if (name_len == 5 && memcmp(p, "event", 5) == 0) {
        set_field(&r->event, v, vlen);
    } else if (name_len == 2 && memcmp(p, "id", 2) == 0) {
        set_field(&r->id, v, vlen);
    }
}

/* A UTF-8 byte order mark may open the stream; it is not part of the first line. */
static size_t skip_bom(sse_reader *r, const uint8_t *data, size_t len)
{
    static const uint8_t bom[3] = {0xEF, 0xBB, 0xBF};
    if (!r->at_stream_start)
        return 0;
    size_t have = r->line.len;
    size_t i = 0;
    while (i < len && have + i < 3 && data[i] == bom[have + i])
        i++;
    if (have + i == 3) {
        r->at_stream_start = false;
        capped_buf_clear(&r->line);
        return i;
    }
    if (i == len) {
        capped_buf_append(&r->line, data, len);
        return len;
    }
    r->at_stream_start = false;
    return 0;
}

/* The last bytes of a line: processed where they lie when nothing of the line was buffered
 * (capped as the line buffer would have capped them), else after the buffered start. */
static void end_line(sse_reader *r, const uint8_t *p, size_t n, const lf_frame_ref *at)
{
    if (r->line.len == 0) {
        bool cut = n > r->line.max;
        process_line(r, p, cut ? r->line.max : n, cut, at);
        return;
    }
    capped_buf_append(&r->line, p, n);
    process_line(r, r->line.data, r->line.len, r->line.truncated, at);
    capped_buf_clear(&r->line);
}

void sse_reader_feed(sse_reader *r, const uint8_t *data, size_t len, const lf_frame_ref *at)
{
    size_t i = skip_bom(r, data, len);
    size_t start = i;
    for (; i < len; i++) {
        uint8_t c = data[i];
        if (c != '\r' && c != '\n') {
            r->after_cr = false;
            continue;
        }
        bool lf_of_crlf = c == '\n' && r->after_cr && i == start;
        r->after_cr = c == '\r';
        if (!lf_of_crlf)
            end_line(r, data + start, i - start, at);
        start = i + 1;
    }
    capped_buf_append(&r->line, data + start, len - start);
}

void sse_reader_gap(sse_reader *r)
{
    capped_buf_clear(&r->line);
    reset_event(r);
    r->after_cr = false;
}

void sse_reader_free(sse_reader *r)
{
    capped_buf_free(&r->line);
    capped_buf_free(&r->data);
    capped_buf_free(&r->event);
    capped_buf_free(&r->id);
}

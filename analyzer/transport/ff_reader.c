/* ff_reader.c - forever-frame prelude and <script> message extraction. */
#include "transport/ff_reader.h"

#include <string.h>

/* None of these tags has a proper prefix that is also a suffix, so a mismatch can simply
 * restart the match at the current byte. */
static const char PRELUDE_END[] = "<body>";
static const char SCRIPT_OPEN[] = "<script>";
static const char SCRIPT_CLOSE[] = "</script>";
/* The call shape the server writes around each payload: r(c, <json>); */
static const char CALL_OPEN[] = "r(c, ";
static const char CALL_CLOSE[] = ");";

void ff_reader_init(ff_reader *r, wire_tag tag, size_t max_message)
{
    *r = (ff_reader){.tag = tag, .state = FF_PRELUDE};
    capped_buf_init(&r->buf, max_message);
}

static const char *awaited(const ff_reader *r)
{
    switch (r->state) {
    case FF_PRELUDE:
        return PRELUDE_END;
    case FF_BETWEEN:
        return SCRIPT_OPEN;
    case FF_IN_SCRIPT:
        return SCRIPT_CLOSE;
    }
    return SCRIPT_OPEN;
}

static char lower(uint8_t c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* Advances the tag matcher by one byte; true when the whole tag was just matched. */
static bool match_byte(ff_reader *r, uint8_t c)
{
    const char *tag = awaited(r);
    if (lower(c) == tag[r->matched])
        r->matched++;
    else
        r->matched = lower(c) == tag[0] ? 1 : 0;
    if (tag[r->matched] != '\0')
        return false;
    r->matched = 0;
    return true;
}

static void emit_prelude(ff_reader *r, unsigned flags, const lf_frame_ref *at)
{
    lf_wire_event ev;
    wire_tag_event(&ev, &r->tag, LF_WIRE_FF_PRELUDE, at);
    ev.u.ff_prelude.html = (lf_wire_str){r->buf.data ? (const char *)r->buf.data : "", r->buf.len};
    ev.u.ff_prelude.flags = flags | (r->buf.truncated ? LF_WIRE_TRUNCATED : 0);
    wire_tag_emit(&r->tag, &ev);
}

static lf_wire_str call_argument(const char *s, size_t n)
{
    size_t open = sizeof(CALL_OPEN) - 1, close = sizeof(CALL_CLOSE) - 1;
    if (n < open + close || memcmp(s, CALL_OPEN, open) != 0 ||
        memcmp(s + n - close, CALL_CLOSE, close) != 0)
        return (lf_wire_str){NULL, 0};
    return (lf_wire_str){s + open, n - open - close};
}

/* The buffer holds the script content followed by `</script>` unless the cap cut it. */
static void emit_script(ff_reader *r, const lf_frame_ref *at)
{
    size_t tag_len = sizeof(SCRIPT_CLOSE) - 1;
    uint64_t content = r->taken - tag_len;
    size_t n = content < r->buf.len ? (size_t)content : r->buf.len;
    bool truncated = content > r->buf.len;
    const char *s = r->buf.data ? (const char *)r->buf.data : "";
    lf_wire_event ev;
    wire_tag_event(&ev, &r->tag, LF_WIRE_FF_MESSAGE, at);
    ev.u.ff_message.script = (lf_wire_str){s, n};
    ev.u.ff_message.json = truncated ? (lf_wire_str){NULL, 0} : call_argument(s, n);
    ev.u.ff_message.flags = truncated ? LF_WIRE_TRUNCATED : 0;
    wire_tag_emit(&r->tag, &ev);
}

static void finish_unit(ff_reader *r, const lf_frame_ref *at)
{
    if (r->state == FF_PRELUDE)
        emit_prelude(r, 0, at);
    else if (r->state == FF_IN_SCRIPT)
        emit_script(r, at);
    r->state = r->state == FF_BETWEEN ? FF_IN_SCRIPT : FF_BETWEEN;
    capped_buf_clear(&r->buf);
    r->taken = 0;
}

/* Every awaited tag opens with '<': with nothing matched, bytes up to the next '<' leave the
 * matcher where it is and can be skipped in one go. */
static size_t next_candidate(const ff_reader *r, const uint8_t *data, size_t i, size_t len)
{
    if (r->matched > 0)
        return i;
    const uint8_t *lt = memchr(data + i, '<', len - i);
    return lt ? (size_t)(lt - data) : len;
}

void ff_reader_feed(ff_reader *r, const uint8_t *data, size_t len, const lf_frame_ref *at)
{
    size_t start = 0;
    for (size_t i = next_candidate(r, data, 0, len); i < len;
         i = next_candidate(r, data, i + 1, len)) {
        if (!match_byte(r, data[i]))
            continue;
        if (r->state != FF_BETWEEN) {
            capped_buf_append(&r->buf, data + start, i + 1 - start);
            r->taken += i + 1 - start;
        }
        finish_unit(r, at);
        start = i + 1;
    }
    if (r->state != FF_BETWEEN && start < len) {
        capped_buf_append(&r->buf, data + start, len - start);
        r->taken += len - start;
    }
    /* a prelude that never ends must not hide the scripts behind it */
    if (r->state == FF_PRELUDE && r->buf.truncated) {
        r->matched = 0;
        finish_unit(r, at);
    }
}

void ff_reader_gap(ff_reader *r)
{
    if (r->state == FF_IN_SCRIPT)
        r->state = FF_BETWEEN;
    if (r->state == FF_PRELUDE)
        return; /* keep the prelude: it still tells the transport started */
    capped_buf_clear(&r->buf);
    r->taken = 0;
    r->matched = 0;
}

void ff_reader_end(ff_reader *r, const lf_frame_ref *at)
{
    if (r->state == FF_PRELUDE && r->taken > 0)
        emit_prelude(r, LF_WIRE_INCOMPLETE, at);
    capped_buf_clear(&r->buf);
    r->taken = 0;
}

void ff_reader_free(ff_reader *r)
{
    capped_buf_free(&r->buf);
}

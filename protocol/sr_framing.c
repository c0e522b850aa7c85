/* Transport framing and keepalive bytes (the Core/Transports sources, via sec. 8). */
#include "protocol/sr_framing.h"

#include <stdint.h>
#include <string.h>

#define LIT(s) (s), (sizeof(s) - 1)

static bool bytes_are(const char *b, size_t len, const char *lit, size_t lit_len)
{
    return len == lit_len && memcmp(b, lit, lit_len) == 0;
}

/* SR_OK if b starts with lit, SR_ERR_NEED_MORE if b is a proper prefix of lit. */
static sr_status starts_with(const char *b, size_t len, const char *lit, size_t lit_len)
{
    size_t n = len < lit_len ? len : lit_len;
    if (n > 0 && memcmp(b, lit, n) != 0)
        return SR_ERR_NO_MATCH;
    return len >= lit_len ? SR_OK : SR_ERR_NEED_MORE;
}

bool sr_ws_is_keepalive(const char *payload, size_t len)
{
    return bytes_are(payload, len, LIT("{}"));
}

sr_sse_data_kind sr_sse_classify_data(const char *data, size_t len)
{
    if (bytes_are(data, len, LIT("{}")))
        return SR_SSE_DATA_KEEPALIVE;
    if (bytes_are(data, len, LIT("initialized")))
        return SR_SSE_DATA_INITIALIZED;
    return SR_SSE_DATA_MESSAGE;
}

sr_status sr_sse_match_fixed_event(const char *bytes, size_t len, sr_sse_data_kind *kind,
                                   size_t *consumed)
{
    static const struct {
        const char *text;
        size_t len;
        sr_sse_data_kind kind;
    } events[] = {
        {LIT("data: {}\n\n"), SR_SSE_DATA_KEEPALIVE},
        {LIT("data: {}\r\n\r\n"), SR_SSE_DATA_KEEPALIVE},
        {LIT("data: initialized\n\n"), SR_SSE_DATA_INITIALIZED},
        {LIT("data: initialized\r\n\r\n"), SR_SSE_DATA_INITIALIZED},
    };
    sr_status result = SR_ERR_NO_MATCH;
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        sr_status s = starts_with(bytes, len, events[i].text, events[i].len);
        if (s == SR_OK) {
            *kind = events[i].kind;
            *consumed = events[i].len;
            return SR_OK;
        }
        if (s == SR_ERR_NEED_MORE)
            result = SR_ERR_NEED_MORE;
    }
    return result;
}

/* Finds needle in the first len bytes of hay; returns its offset or SIZE_MAX. */
static size_t find(const char *hay, size_t len, const char *needle, size_t needle_len)
{
    size_t i = 0;
    while (len >= needle_len && i <= len - needle_len) {
        const char *p = memchr(hay + i, needle[0], len - needle_len - i + 1);
        if (p == NULL)
            break;
        i = (size_t)(p - hay);
        if (memcmp(p, needle, needle_len) == 0)
            return i;
        i++;
    }
    return SIZE_MAX;
}

static sr_span frame_id_in(const char *prelude, size_t len)
{
    sr_span id = {NULL, 0};
    size_t open = find(prelude, len, LIT("getConnection('"));
    if (open == SIZE_MAX)
        return id;
    open += sizeof("getConnection('") - 1;
    size_t close = find(prelude + open, len - open, LIT("')"));
    if (close != SIZE_MAX) {
        id.ptr = prelude + open;
        id.len = close;
    }
    return id;
}

sr_status sr_ff_match_prelude(const char *bytes, size_t len, size_t *consumed, sr_span *frame_id)
{
    sr_status s = starts_with(bytes, len, LIT("<!DOCTYPE html>"));
    if (s != SR_OK)
        return s;
    size_t window = len < SR_FF_PRELUDE_MAX ? len : SR_FF_PRELUDE_MAX;
    size_t started = find(bytes, window, LIT("ff.started(c)"));
    size_t body = started == SIZE_MAX ? SIZE_MAX
                                      : find(bytes + started, window - started, LIT("<body>"));
    if (body == SIZE_MAX)
        return len < SR_FF_PRELUDE_MAX ? SR_ERR_NEED_MORE : SR_ERR_NO_MATCH;
    size_t end = started + body + sizeof("<body>") - 1;
    if (end == len || (end + 1 == len && bytes[end] == '\r'))
        return SR_ERR_NEED_MORE; /* the line ending may still be on its way */
    if (bytes[end] == '\r' && bytes[end + 1] == '\n')
        end += 2;
    else if (bytes[end] == '\n')
        end += 1;
    *consumed = end;
    *frame_id = frame_id_in(bytes, end);
    return SR_OK;
}

sr_status sr_ff_match_script(const char *bytes, size_t len, size_t *consumed, sr_span *json,
                             bool *is_keepalive)
{
    size_t i = 0;
    while (i < len && (bytes[i] == '\r' || bytes[i] == '\n' || bytes[i] == ' ' || bytes[i] == '\t'))
        i++;
    if (i == len)
        return SR_ERR_NEED_MORE;
    static const char open[] = "<script>r(c, ";
    sr_status s = starts_with(bytes + i, len - i, LIT(open));
    if (s != SR_OK)
        return s;
    size_t start = i + sizeof(open) - 1;
    /* The server escapes '<' as \u003c inside the JSON, and a browser's HTML parser ends the
     * script at the first "</script>" anyway, so the first terminator is the one the client saw. */
    size_t close = find(bytes + start, len - start, LIT(");</script>"));
    if (close == SIZE_MAX)
        return SR_ERR_NEED_MORE;
    json->ptr = bytes + start;
    json->len = close;
    *is_keepalive = bytes_are(json->ptr, json->len, LIT("{}"));
    *consumed = start + close + sizeof(");</script>") - 1;
    return SR_OK;
}

size_t sr_lp_keepalive_spaces(const char *body, size_t len)
{
    size_t n = 0;
    while (n < len && body[n] == ' ')
        n++;
    return n;
}

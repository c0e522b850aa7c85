/* wire_heads.c - selected header fields of HTTP heads, and body framing selection. */
#include "transport/wire_heads.h"

#include <string.h>

static lf_wire_str header(const http_message *m, const char *name)
{
    const http_header *h = http_head_find(m->head, name);
    return h ? (lf_wire_str){h->value, h->value_len} : (lf_wire_str){NULL, 0};
}

void wire_heads_request(const http_message *m, lf_wire_request *out)
{
    const http_head *h = m->head;
    *out = (lf_wire_request){
        .method = {h->method, h->method_len},
        .target = {h->target, h->target_len},
        .version_minor = h->version_minor,
        .host = header(m, "Host"),
        .content_type = header(m, "Content-Type"),
        .upgrade = header(m, "Upgrade"),
        .user_agent = header(m, "User-Agent"),
        .x_requested_with = header(m, "X-Requested-With"),
        .accept = header(m, "Accept"),
        .connection = header(m, "Connection"),
        .sec_websocket_key = header(m, "Sec-WebSocket-Key"),
        .has_cookie = http_head_find(h, "Cookie") != NULL,
        .has_authorization = http_head_find(h, "Authorization") != NULL,
        .has_body = m->has_body,
    };
}

void wire_heads_response(const http_message *m, lf_wire_response *out)
{
    const http_head *h = m->head;
    *out = (lf_wire_response){
        .status = h->status,
        .reason = {h->reason, h->reason_len},
        .version_minor = h->version_minor,
        .content_type = header(m, "Content-Type"),
        .transfer_encoding = header(m, "Transfer-Encoding"),
        .content_encoding = header(m, "Content-Encoding"),
        .connection = header(m, "Connection"),
        .sec_websocket_extensions = header(m, "Sec-WebSocket-Extensions"),
        .sec_websocket_accept = header(m, "Sec-WebSocket-Accept"),
        .answers_head = m->request && m->request->is_head,
    };
}

/* Media type without parameters, e.g. "text/html" from "text/html; charset=UTF-8". */
static bool media_type_is(lf_wire_str ct, const char *type)
{
    if (!ct.ptr)
        return false;
    size_t n = 0;
    while (n < ct.len && ct.ptr[n] != ';')
        n++;
    while (n > 0 && (ct.ptr[n - 1] == ' ' || ct.ptr[n - 1] == '\t'))
        n--;
    return http_str_ieq(ct.ptr, n, type);
}

/* Whether the query of `target` has the parameter `param` (name=value, exact). */
static bool query_has(const char *target, size_t len, const char *param)
{
    const char *q = target ? memchr(target, '?', len) : NULL;
    if (!q)
        return false;
    size_t plen = strlen(param);
    const char *end = target + len;
    const char *p = q + 1;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) == plen && memcmp(p, param, plen) == 0)
            return true;
        p = stop + 1;
    }
    return false;
}

wire_framing wire_heads_framing(const http_message *m)
{
    if (m->dir == TCP_DIR_TO_SERVER)
        return WIRE_FRAMING_WHOLE;
    lf_wire_str ct = header(m, "Content-Type");
    if (media_type_is(ct, "text/event-stream"))
        return WIRE_FRAMING_SSE;
    if (media_type_is(ct, "text/html") && m->request &&
        query_has(m->request->target, m->request->target_len, "transport=foreverFrame"))
        return WIRE_FRAMING_FF;
    return WIRE_FRAMING_WHOLE;
}

bool wire_heads_is_websocket(const http_message *m)
{
    lf_wire_str up = header(m, "Upgrade");
    return m->switches && up.ptr && http_str_ieq(up.ptr, up.len, "websocket");
}

/* wire_heads.c - selected header fields of HTTP heads, and body framing selection. */
#include "transport/wire_heads.h"

#include <string.h>

static lf_wire_str header(const http_message *m, http_known_field field)
{
    const http_header *h = m->head->known[field];
    return h ? (lf_wire_str){h->value, h->value_len} : (lf_wire_str){NULL, 0};
}

void wire_heads_request(const http_message *m, lf_wire_request *out)
{
    const http_head *h = m->head;
    *out = (lf_wire_request){
        .method = {h->method, h->method_len},
        .target = {h->target, h->target_len},
        .version_minor = h->version_minor,
        .host = header(m, HTTP_F_HOST),
        .content_type = header(m, HTTP_F_CONTENT_TYPE),
        .upgrade = header(m, HTTP_F_UPGRADE),
        .user_agent = header(m, HTTP_F_USER_AGENT),
        .x_requested_with = header(m, HTTP_F_X_REQUESTED_WITH),
        .accept = header(m, HTTP_F_ACCEPT),
        .connection = header(m, HTTP_F_CONNECTION),
        .sec_websocket_key = header(m, HTTP_F_SEC_WEBSOCKET_KEY),
        .has_cookie = h->known[HTTP_F_COOKIE] != NULL,
        .has_authorization = h->known[HTTP_F_AUTHORIZATION] != NULL,
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
        .content_type = header(m, HTTP_F_CONTENT_TYPE),
        .transfer_encoding = header(m, HTTP_F_TRANSFER_ENCODING),
        .content_encoding = header(m, HTTP_F_CONTENT_ENCODING),
        .connection = header(m, HTTP_F_CONNECTION),
        .sec_websocket_extensions = header(m, HTTP_F_SEC_WEBSOCKET_EXTENSIONS),
        .sec_websocket_accept = header(m, HTTP_F_SEC_WEBSOCKET_ACCEPT),
        .answers_head = m->request && m->request->is_head,
    };
}

/* Length of a media type without its parameters: "text/html" in "text/html; charset=UTF-8". */
static size_t media_type_len(lf_wire_str ct)
{
    const char *semi = memchr(ct.ptr, ';', ct.len);
    size_t n = semi ? (size_t)(semi - ct.ptr) : ct.len;
    while (n > 0 && (ct.ptr[n - 1] == ' ' || ct.ptr[n - 1] == '\t'))
        n--;
    return n;
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
    lf_wire_str ct = header(m, HTTP_F_CONTENT_TYPE);
    if (!ct.ptr)
        return WIRE_FRAMING_WHOLE;
    size_t type_len = media_type_len(ct);
    if (http_str_ieq_n(ct.ptr, type_len, "text/event-stream", 17))
        return WIRE_FRAMING_SSE;
    if (http_str_ieq_n(ct.ptr, type_len, "text/html", 9) && m->request &&
        query_has(m->request->target, m->request->target_len, "transport=foreverFrame"))
        return WIRE_FRAMING_FF;
    return WIRE_FRAMING_WHOLE;
}

bool wire_heads_is_websocket(const http_message *m)
{
    lf_wire_str up = header(m, HTTP_F_UPGRADE);
    return m->switches && up.ptr && http_str_ieq(up.ptr, up.len, "websocket");
}

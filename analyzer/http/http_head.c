/* http_head.c - HTTP/1.x start line and header field parsing (RFC 9112 sections 2-5). */
#include "http/http_head.h"

#include <string.h>

/* A bounded cursor over the head: every read goes through cur_peek/cur_take. */
typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')
        return true;
    return c != 0 && strchr("!#$%&'*+.^_`|~", c) != NULL;
}

static bool is_vchar_or_ws(unsigned char c)
{
    return c == '\t' || c >= 0x20;
}

static int cur_peek(const cursor *c)
{
    return c->p < c->end ? (unsigned char)*c->p : -1;
}

static bool cur_take(cursor *c, char ch)
{
    if (cur_peek(c) != (unsigned char)ch)
        return false;
    c->p++;
    return true;
}

/* Consumes a line end (CRLF or bare LF). */
static bool cur_eol(cursor *c)
{
    cur_take(c, '\r');
    return cur_take(c, '\n');
}

static size_t span_token(cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && is_tchar((unsigned char)*c->p))
        c->p++;
    return (size_t)(c->p - start);
}

/* Whether [p, end) holds a byte <= 0x20 or DEL. Branch-free over the whole range, so that the
 * compiler can vectorise it: request targets run to hundreds of bytes. */
static bool has_ctl_or_space(const char *p, const char *end)
{
    unsigned bad = 0;
    for (; p < end; p++)
        bad |= ((unsigned char)*p <= 0x20) | (*p == 0x7f);
    return bad != 0;
}

/* Whether [p, end) holds a control byte other than HTAB (what ends a field value). */
static bool has_value_ctl(const char *p, const char *end)
{
    unsigned bad = 0;
    for (; p < end; p++)
        bad |= ((unsigned char)*p < 0x20) & (*p != '\t');
    return bad != 0;
}

static size_t span_until_ws(cursor *c)
{
    const char *start = c->p;
    if (c->p >= c->end)
        return 0;
    const char *sp = memchr(c->p, ' ', (size_t)(c->end - c->p));
    const char *stop = sp ? sp : c->end;
    if (!has_ctl_or_space(c->p, stop)) {
        c->p = stop; /* the first byte the loop below would stop at */
        return (size_t)(c->p - start);
    }
    while (c->p < c->end && (unsigned char)*c->p > 0x20 && *c->p != 0x7f)
        c->p++;
    return (size_t)(c->p - start);
}

/* Moves to the end of a field value: the first control byte other than HTAB (normally the
 * line's CR or LF). */
static void skip_value(cursor *c)
{
    if (c->p >= c->end)
        return;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    const char *stop = nl ? nl : c->end;
    if (stop > c->p && stop[-1] == '\r')
        stop--;
    if (!has_value_ctl(c->p, stop)) {
        c->p = stop;
        return;
    }
    while (c->p < c->end && is_vchar_or_ws((unsigned char)*c->p))
        c->p++;
}

static bool parse_version(cursor *c, int *minor)
{
    if ((size_t)(c->end - c->p) < 8 || memcmp(c->p, "HTTP/1.", 7) != 0)
        return false;
    if (c->p[7] < '0' || c->p[7] > '9')
        return false;
    *minor = c->p[7] - '0';
    c->p += 8;
    return true;
}

static bool parse_request_line(cursor *c, http_head *out)
{
    out->method = c->p;
    out->method_len = span_token(c);
    if (out->method_len == 0 || !cur_take(c, ' '))
        return false;
    out->target = c->p;
    out->target_len = span_until_ws(c);
    if (out->target_len == 0 || !cur_take(c, ' '))
        return false;
    return parse_version(c, &out->version_minor) && cur_eol(c);
}

static bool parse_status_line(cursor *c, http_head *out)
{
    if (!parse_version(c, &out->version_minor) || !cur_take(c, ' '))
        return false;
    if ((size_t)(c->end - c->p) < 3)
        return false;
    int status = 0;
    for (int i = 0; i < 3; i++) {
        if (c->p[i] < '0' || c->p[i] > '9')
            return false;
        status = status * 10 + (c->p[i] - '0');
    }
    c->p += 3;
    out->status = status;
    out->reason = c->p;
    if (cur_take(c, ' ')) {
        out->reason = c->p;
        while (c->p < c->end && is_vchar_or_ws((unsigned char)*c->p))
            c->p++;
    }
    out->reason_len = (size_t)(c->p - out->reason);
    return cur_eol(c);
}

/* Obsolete line folding (a line starting with SP/HT) is skipped rather than rejected: a
 * forensic reader should keep going where a server could legitimately refuse. */
static void skip_line(cursor *c)
{
    while (c->p < c->end && *c->p != '\n')
        c->p++;
    cur_take(c, '\n');
}

static bool parse_field(cursor *c, http_header *h)
{
    h->name = c->p;
    h->name_len = span_token(c);
    if (h->name_len == 0 || !cur_take(c, ':'))
        return false;
    while (cur_peek(c) == ' ' || cur_peek(c) == '\t')
        c->p++;
    h->value = c->p;
    skip_value(c);
    const char *vend = c->p;
    while (vend > h->value && (vend[-1] == ' ' || vend[-1] == '\t'))
        vend--;
    h->value_len = (size_t)(vend - h->value);
    return cur_eol(c);
}

static bool at_blank_line(const cursor *c)
{
    if (cur_peek(c) == '\n')
        return true;
    return cur_peek(c) == '\r' && c->p + 1 < c->end && c->p[1] == '\n';
}

/* Whether buf holds a complete head (a blank line after at least one non-empty line). */
static bool head_complete(const char *buf, size_t len)
{
    bool seen_text = false;
    const char *p = buf, *end = buf + len;
    const char *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        bool empty = true; /* nothing but CRs before the LF */
        for (const char *q = p; q < nl && empty; q++)
            empty = *q == '\r';
        if (empty && seen_text)
            return true;
        seen_text = seen_text || !empty;
        p = nl + 1;
    }
    return false;
}

int64_t http_head_parse(const char *buf, size_t len, bool is_request, http_head *out,
                        http_header *slots, size_t max_slots)
{
    if (!head_complete(buf, len))
        return HTTP_HEAD_INCOMPLETE;
    cursor c = {buf, buf + len};
    memset(out, 0, sizeof(*out));
    out->is_request = is_request;
    out->headers = slots;
    while (at_blank_line(&c))
        cur_eol(&c);
    bool ok = is_request ? parse_request_line(&c, out) : parse_status_line(&c, out);
    if (!ok)
        return HTTP_HEAD_ERROR;
    while (!at_blank_line(&c)) {
        if (cur_peek(&c) == ' ' || cur_peek(&c) == '\t') {
            skip_line(&c);
            continue;
        }
        if (out->header_count == max_slots)
            return HTTP_HEAD_TOO_MANY;
        if (!parse_field(&c, &slots[out->header_count]))
            return HTTP_HEAD_ERROR;
        out->header_count++;
    }
    cur_eol(&c);
    return (int64_t)(c.p - buf);
}

bool http_str_ieq(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (n != len)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

const http_header *http_head_find(const http_head *head, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < head->header_count; i++) {
        const http_header *h = &head->headers[i];
        if (h->name_len == n && http_str_ieq(h->name, h->name_len, name))
            return h;
    }
    return NULL;
}

bool http_value_has_token(const char *value, size_t len, const char *token)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
            i++;
        size_t start = i;
        while (i < len && value[i] != ',' && value[i] != ';')
            i++;
        size_t end = i;
        while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
            end--;
        if (end > start && http_str_ieq(value + start, end - start, token))
            return true;
        while (i < len && value[i] != ',')
            i++;
    }
    return false;
}

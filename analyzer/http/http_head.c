/* http_head.c - HTTP/1.x start line and header field parsing (RFC 9112 sections 2-5). */
#include "http/http_head.h"

#include <string.h>

/* A bounded cursor over the head: every read goes through cur_peek/cur_take. */
typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

/* RFC 9110 tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~" (bytes 0-127; none above). */
static const bool TCHAR[128] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
};

static bool is_tchar(unsigned char c)
{
    return c < 128 && TCHAR[c];
}

/* The scans below go eight bytes at a time over words read in host byte order. */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static uint64_t load_word(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return w;
}

/* Flags (high bit) the bytes of w below n, n <= 0x80. A borrow can flag a byte above a true one
 * spuriously, never below: a word with no flag holds no such byte, and the lowest flag is
 * always a true one. */
static uint64_t bytes_below(uint64_t w, unsigned n)
{
    return (w - ONES * n) & ~w & HIGHS;
}

/* How many bytes of a word precede its first flagged one, for flags whose lowest flag is a
 * true one (as above, where a spurious flag only sits above a true one). On little-endian
 * hosts the lowest flag is also the first byte in memory; elsewhere 0, leaving the word to the
 * caller's byte loop. */
static size_t bytes_before_flag(uint64_t flags)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return (size_t)__builtin_ctzll(flags) / 8;
#else
    (void)flags;
    return 0;
#endif
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

/* Flags the bytes of an ASCII word that are not letters or '-', the bytes of nearly every field
 * name; exact per byte. Setting bit 0x20 sends exactly the letters of either case into
 * 'a'..'z'; adding 0x1f or 0x05 to a 7-bit byte sets its high bit when it is >= 'a' or > 'z',
 * carrying into no other byte. */
static uint64_t non_name_bytes(uint64_t w)
{
    uint64_t x = w | ONES * 0x20;
    uint64_t letters = ((x + ONES * 0x1f) & ~(x + ONES * 0x05)) & HIGHS;
    uint64_t y = w ^ ONES * '-';
    uint64_t dashes = ~(((y & ~HIGHS) + ~HIGHS) | y) & HIGHS;
    return ~(letters | dashes) & HIGHS;
}

static size_t span_token(cursor *c)
{
    const char *start = c->p, *p = c->p, *end = c->end;
    while (p < end && is_tchar((unsigned char)*p))
        p++;
    c->p = p;
    return (size_t)(p - start);
}

/* span_token() for field names: whole words of letters and dashes first, then from the first
 * other byte (normally the ':') byte by byte. */
static size_t span_field_name(cursor *c)
{
    const char *p = c->p, *end = c->end;
    while (end - p >= 8) {
        uint64_t w = load_word(p);
        if (w & HIGHS)
            break;
        uint64_t other = non_name_bytes(w);
        if (other != 0) {
            p += bytes_before_flag(other);
            break;
        }
        p += 8;
    }
    size_t words = (size_t)(p - c->p);
    c->p = p;
    return words + span_token(c);
}

/* Moves to the first byte <= 0x20 or DEL (what ends a request target), whole words first. */
static size_t span_until_ws(cursor *c)
{
    const char *start = c->p, *p = c->p, *end = c->end;
    while (end - p >= 8) {
        uint64_t w = load_word(p);
        uint64_t stop = bytes_below(w, 0x21) | bytes_below(w ^ (ONES * 0x7f), 1);
        if (stop != 0) {
            p += bytes_before_flag(stop);
            break;
        }
        p += 8;
    }
    while (p < end && (unsigned char)*p > 0x20 && *p != 0x7f)
        p++;
    c->p = p;
    return (size_t)(p - start);
}

/* Moves to the end of a field value: the first control byte other than HTAB (normally the
 * line's CR or LF), whole words first: a tab sends the scan on byte by byte. */
static void skip_value(cursor *c)
{
    const char *p = c->p, *end = c->end;
    while (end - p >= 8) {
        uint64_t ctl = bytes_below(load_word(p), 0x20);
        if (ctl != 0) {
            p += bytes_before_flag(ctl);
            break;
        }
        p += 8;
    }
    while (p < end && is_vchar_or_ws((unsigned char)*p))
        p++;
    c->p = p;
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

/* Names of the known fields, in http_known_field order. */
static const struct {
    const char *name;
    size_t len;
} KNOWN_NAMES[HTTP_KNOWN_FIELDS] = {
#define KNOWN(id, lit) [id] = {lit, sizeof(lit) - 1}
    KNOWN(HTTP_F_CONTENT_LENGTH, "Content-Length"),
    KNOWN(HTTP_F_TRANSFER_ENCODING, "Transfer-Encoding"),
    KNOWN(HTTP_F_CONTENT_ENCODING, "Content-Encoding"),
    KNOWN(HTTP_F_CONTENT_TYPE, "Content-Type"),
    KNOWN(HTTP_F_UPGRADE, "Upgrade"),
    KNOWN(HTTP_F_CONNECTION, "Connection"),
    KNOWN(HTTP_F_HOST, "Host"),
    KNOWN(HTTP_F_USER_AGENT, "User-Agent"),
    KNOWN(HTTP_F_X_REQUESTED_WITH, "X-Requested-With"),
    KNOWN(HTTP_F_ACCEPT, "Accept"),
    KNOWN(HTTP_F_COOKIE, "Cookie"),
    KNOWN(HTTP_F_AUTHORIZATION, "Authorization"),
    KNOWN(HTTP_F_SEC_WEBSOCKET_KEY, "Sec-WebSocket-Key"),
    KNOWN(HTTP_F_SEC_WEBSOCKET_ACCEPT, "Sec-WebSocket-Accept"),
    KNOWN(HTTP_F_SEC_WEBSOCKET_EXTENSIONS, "Sec-WebSocket-Extensions"),
#undef KNOWN
};

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The known field a name could be, from its length and first letter: at most one candidate,
 * confirmed by a full comparison. HTTP_KNOWN_FIELDS when none. */
static http_known_field known_candidate(const char *name, size_t len)
{
    char first = ascii_lower(name[0]);
    switch (len) {
    case 4:
        return HTTP_F_HOST;
    case 6:
        return first == 'c' ? HTTP_F_COOKIE : HTTP_F_ACCEPT;
    case 7:
        return HTTP_F_UPGRADE;
    case 10:
        return first == 'c' ? HTTP_F_CONNECTION : HTTP_F_USER_AGENT;
    case 12:
        return HTTP_F_CONTENT_TYPE;
    case 13:
        return HTTP_F_AUTHORIZATION;
    case 14:
        return HTTP_F_CONTENT_LENGTH;
    case 16:
        return first == 'x' ? HTTP_F_X_REQUESTED_WITH : HTTP_F_CONTENT_ENCODING;
    case 17:
        return first == 't' ? HTTP_F_TRANSFER_ENCODING : HTTP_F_SEC_WEBSOCKET_KEY;
    case 20:
        return HTTP_F_SEC_WEBSOCKET_ACCEPT;
    case 24:
        return HTTP_F_SEC_WEBSOCKET_EXTENSIONS;
    default:
        return HTTP_KNOWN_FIELDS;
    }
}

/* Case-insensitive equality of a field name (a token) with a known name of the same length.
 * Setting bit 0x20 lower-cases letters; a token byte lands on a letter or '-' (all the known
 * names hold) under it only when it is that letter in either case or '-' itself, so comparing
 * with the bit set is exact here, eight bytes at a time. */
static bool known_name_eq(const char *name, const char *lit, size_t len)
{
    const uint64_t case_bits = ONES * 0x20;
    if (len < 8) {
        for (size_t i = 0; i < len; i++)
            if ((name[i] | 0x20) != (lit[i] | 0x20))
                return false;
        return true;
    }
    /* whole words, the last one overlapping the one before when len is not a multiple of 8 */
    for (size_t i = 0;; i += 8) {
        size_t at = i + 8 <= len ? i : len - 8;
        if ((load_word(name + at) | case_bits) != (load_word(lit + at) | case_bits))
            return false;
        if (at + 8 == len)
            return true;
    }
}

static void index_field(http_head *head, const http_header *h)
{
    http_known_field id = known_candidate(h->name, h->name_len);
    if (id == HTTP_KNOWN_FIELDS || h->name_len != KNOWN_NAMES[id].len ||
        !known_name_eq(h->name, KNOWN_NAMES[id].name, h->name_len))
        return;
    if (head->known[id] == NULL)
        head->known[id] = h;
    if (id == HTTP_F_CONTENT_LENGTH)
        head->content_length_fields++;
}

static bool parse_field(cursor *c, http_header *h)
{
    h->name = c->p;
    h->name_len = span_field_name(c);
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

/* Parses a head known to start at buf; fails on anything malformed or cut short. */
static int64_t parse_head(const char *buf, size_t len, http_head *out, size_t max_slots)
{
    cursor c = {buf, buf + len};
    while (at_blank_line(&c))
        cur_eol(&c);
    bool ok = out->is_request ? parse_request_line(&c, out) : parse_status_line(&c, out);
    if (!ok)
        return HTTP_HEAD_ERROR;
    while (!at_blank_line(&c)) {
        if (cur_peek(&c) == ' ' || cur_peek(&c) == '\t') {
            skip_line(&c);
            continue;
        }
        if (out->header_count == max_slots)
            return HTTP_HEAD_TOO_MANY;
        http_header *h = &out->headers[out->header_count];
        if (!parse_field(&c, h))
            return HTTP_HEAD_ERROR;
        index_field(out, h);
        out->header_count++;
    }
    cur_eol(&c);
    return (int64_t)(c.p - buf);
}

/* A head that parses ends with a blank line after its start line, so it is complete; only a
 * failure needs the completeness scan to tell a cut head from a malformed one. */
int64_t http_head_parse(const char *buf, size_t len, bool is_request, http_head *out,
                        http_header *slots, size_t max_slots)
{
    memset(out, 0, sizeof(*out));
    out->is_request = is_request;
    out->headers = slots;
    int64_t n = parse_head(buf, len, out, max_slots);
    if (n < 0 && !head_complete(buf, len))
        return HTTP_HEAD_INCOMPLETE;
    return n;
}

bool http_str_ieq_n(const char *s, size_t len, const char *lit, size_t lit_len)
{
    if (len != lit_len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (ascii_lower(s[i]) != ascii_lower(lit[i]))
            return false;
    return true;
}

bool http_str_ieq(const char *s, size_t len, const char *lit)
{
    return http_str_ieq_n(s, len, lit, strlen(lit));
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

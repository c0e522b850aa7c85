/* Strict, allocation-free JSON walking for the fast paths (see sr_jscan.h for the subset). */
#include "protocol/sr_jscan.h"

#include <glib.h>
#include <string.h>

#include "protocol/sr_json.h"

/* Digits of a "plain" integer: 15 keep it below 2^53, so its text is also what "%.0f" prints
 * for the double json-glib or a JavaScript client would hold. */
#define PLAIN_INTEGER_DIGITS 15

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void skip_ws(sr_jscan *s)
{
    size_t pos = s->pos; /* a local: stores through the struct would be reloaded per byte */
    /* Compact JSON has no whitespace: one comparison settles the usual case. */
    if (pos < s->len && (unsigned char)s->bytes[pos] > ' ')
        return;
    while (pos < s->len && is_ws(s->bytes[pos]))
        pos++;
    s->pos = pos;
}

/* \uXXXX at p (after the backslash): four hex digits, not a surrogate (json-glib refuses lone
 * ones, and pairs are left to it). */
static bool unicode_escape(const char *p, size_t avail)
{
    if (avail < 5)
        return false;
    unsigned v = 0;
    for (size_t i = 1; i <= 4; i++) {
        int h = sr_hex_digit_value((unsigned char)p[i]);
        if (h < 0)
            return false;
        v = v * 16 + (unsigned)h;
    }
    return v < 0xD800 || v > 0xDFFF;
}

/* String bytes that need a look: the quote, the backslash, control characters (refused) and
 * bytes >= 0x80 (owed a UTF-8 check). Every other byte is skipped by a single table load. */
#define STOP_16 true, true, true, true, true, true, true, true, \
                true, true, true, true, true, true, true, true
#define PASS_16 false, false, false, false, false, false, false, false, \
                false, false, false, false, false, false, false, false
static const bool STRING_STOP[256] = {
    STOP_16, STOP_16, /* 0x00-0x1f */
    false,   false,   true,    false,   false,   false,   false,   false, /* 0x20-0x27: '"' */
    false,   false,   false,   false,   false,   false,   false,   false,
    PASS_16, PASS_16, /* 0x30-0x4f */
    false,   false,   false,   false,   false,   false,   false,   false, /* 0x50-0x57 */
    false,   false,   false,   false,   true,    false,   false,   false, /* 0x58-0x5f: '\\' */
    PASS_16, PASS_16, /* 0x60-0x7f */
    STOP_16, STOP_16, STOP_16, STOP_16, STOP_16, STOP_16, STOP_16, STOP_16 /* 0x80-0xff */
};

/* A string at pos (on its opening quote). */
static bool scan_string(sr_jscan *s, sr_jscan_value *v)
{
    size_t start = ++s->pos;
    bool plain = true;
    while (s->pos < s->len) {
        size_t pos = s->pos; /* a local: stores through the struct would be reloaded per byte */
        while (pos < s->len && !STRING_STOP[(unsigned char)s->bytes[pos]])
            pos++;
        s->pos = pos;
        if (pos >= s->len)
            break;
        unsigned char c = (unsigned char)s->bytes[s->pos];
        if (c == '"') {
            *v = (sr_jscan_value){.type = SR_JSCAN_STRING,
                                  .text = {s->bytes + start, s->pos - start},
                                  .plain = plain};
            s->pos++;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c >= 0x80)
            s->high_bytes = true;
        if (c != '\\') {
            s->pos++;
            continue;
        }
        plain = false;
        if (s->pos + 1 >= s->len)
            return false;
        char e = s->bytes[s->pos + 1];
        if (e == 'u') {
            if (!unicode_escape(s->bytes + s->pos + 1, s->len - s->pos - 1))
                return false;
            s->pos += 6;
        } else if (e != '\0' && strchr("\"\\/bfnrt", e) != NULL) {
            s->pos += 2;
        } else {
            return false;
        }
    }
    return false;
}

static size_t digits(sr_jscan *s)
{
    size_t start = s->pos;
    while (s->pos < s->len && is_digit(s->bytes[s->pos]))
        s->pos++;
    return s->pos - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at pos. */
static bool scan_number(sr_jscan *s, sr_jscan_value *v)
{
    size_t start = s->pos;
    bool negative = s->bytes[s->pos] == '-';
    s->pos += negative;
    if (s->pos >= s->len || !is_digit(s->bytes[s->pos]))
        return false;
    size_t int_digits = s->bytes[s->pos] == '0' ? (s->pos++, 1) : digits(s);
    bool fraction = s->pos < s->len && s->bytes[s->pos] == '.';
    if (fraction) {
        s->pos++;
        if (digits(s) == 0)
            return false;
    }
    bool exponent = s->pos < s->len && (s->bytes[s->pos] == 'e' || s->bytes[s->pos] == 'E');
    if (exponent) {
        s->pos++;
        if (s->pos < s->len && (s->bytes[s->pos] == '+' || s->bytes[s->pos] == '-'))
            s->pos++;
        if (digits(s) == 0)
            return false;
    }
    *v = (sr_jscan_value){
        .type = SR_JSCAN_NUMBER,
        .text = {s->bytes + start, s->pos - start},
        .plain = !negative && !fraction && !exponent && int_digits <= PLAIN_INTEGER_DIGITS};
    return true;
}

static bool scan_literal(sr_jscan *s, const char *word, sr_jscan_type type, sr_jscan_value *v)
{
    size_t n = strlen(word);
    if (s->len - s->pos < n || memcmp(s->bytes + s->pos, word, n) != 0)
        return false;
    *v = (sr_jscan_value){.type = type, .text = {s->bytes + s->pos, n}};
    s->pos += n;
    return true;
}

static bool scan_value(sr_jscan *s, sr_jscan_value *v);
static int next_item(sr_jscan *s, sr_span *key, sr_jscan_value *value, bool plain_keys);

/* A nested container at pos (on its opening bracket), walked to its end. */
static bool scan_container(sr_jscan *s, sr_jscan_value *v)
{
    sr_jscan inner = {.bytes = s->bytes, .len = s->len, .pos = s->pos + 1,
                      .depth = s->depth + 1, .close = s->bytes[s->pos] == '{' ? '}' : ']'};
    if (inner.depth > SR_JSON_MAX_DEPTH)
        return false;
    int more;
    sr_span key;
    sr_jscan_value element;
    while ((more = next_item(&inner, &key, &element, false)) == 1)
        continue;
    if (more < 0)
        return false;
    *v = (sr_jscan_value){.type = inner.close == '}' ? SR_JSCAN_OBJECT : SR_JSCAN_ARRAY,
                          .text = {s->bytes + s->pos, inner.pos - s->pos},
                          .count = inner.items};
    s->pos = inner.pos;
    s->high_bytes |= inner.high_bytes;
    return true;
}

static bool scan_value(sr_jscan *s, sr_jscan_value *v)
{
    if (s->pos >= s->len)
        return false;
    switch (s->bytes[s->pos]) {
    case '"': return scan_string(s, v);
    case '{':
    case '[': return scan_container(s, v);
    case 't': return scan_literal(s, "true", SR_JSCAN_TRUE, v);
    case 'f': return scan_literal(s, "false", SR_JSCAN_FALSE, v);
    case 'n': return scan_literal(s, "null", SR_JSCAN_NULL, v);
    default: return s->bytes[s->pos] == '-' || is_digit(s->bytes[s->pos]) ? scan_number(s, v)
                                                                           : false;
    }
}

static bool accept(sr_jscan *s, char c)
{
    skip_ws(s);
    if (s->pos >= s->len || s->bytes[s->pos] != c)
        return false;
    s->pos++;
    return true;
}

/* Member key and ':' at pos (whitespace skipped); with `plain`, a key holding an escape is
 * unsure (it could decode to a key the caller looks for). */
static bool scan_key(sr_jscan *s, sr_span *key, bool plain)
{
    sr_jscan_value k;
    skip_ws(s);
    if (s->pos >= s->len || s->bytes[s->pos] != '"' || !scan_string(s, &k) || (plain && !k.plain))
        return false;
    *key = k.text;
    return accept(s, ':');
}

/* One member or element; nested containers walked only to be skipped accept any key. */
static int next_item(sr_jscan *s, sr_span *key, sr_jscan_value *value, bool plain_keys)
{
    *key = (sr_span){NULL, 0};
    skip_ws(s);
    if (s->pos >= s->len)
        return -1;
    if (s->bytes[s->pos] == s->close) {
        s->pos++;
        return 0;
    }
    if (s->items > 0) {
        if (s->bytes[s->pos] != ',')
            return -1;
        s->pos++;
    }
    if (s->close == '}' && !scan_key(s, key, plain_keys))
        return -1;
    skip_ws(s);
    if (!scan_value(s, value))
        return -1;
    s->items++;
    return 1;
}

int sr_jscan_next(sr_jscan *s, sr_span *key, sr_jscan_value *value)
{
    return next_item(s, key, value, true);
}

bool sr_jscan_begin(sr_jscan *s, const char *bytes, size_t len, char open)
{
    *s = (sr_jscan){.bytes = bytes, .len = len, .depth = 1, .close = open == '{' ? '}' : ']'};
    return (open == '{' || open == '[') && accept(s, open);
}

bool sr_jscan_enter(sr_jscan *s, const sr_jscan *parent, const sr_jscan_value *container)
{
    if (container->type != SR_JSCAN_OBJECT && container->type != SR_JSCAN_ARRAY)
        return false;
    *s = (sr_jscan){.bytes = container->text.ptr,
                    .len = container->text.len,
                    .pos = 1,
                    .depth = parent->depth + 1,
                    .close = container->type == SR_JSCAN_OBJECT ? '}' : ']'};
    return true;
}

bool sr_jscan_finish(sr_jscan *s)
{
    skip_ws(s);
    if (s->pos != s->len)
        return false;
    return !s->high_bytes || g_utf8_validate_len(s->bytes, s->len, NULL);
}

bool sr_jscan_is(sr_span text, const char *lit)
{
    if (text.ptr == NULL)
        return false;
    /* Byte by byte: most keys differ from lit at the first one. */
    for (size_t i = 0; i < text.len; i++) {
        if (lit[i] == '\0' || lit[i] != text.ptr[i])
            return false;
    }
    return lit[text.len] == '\0';
}

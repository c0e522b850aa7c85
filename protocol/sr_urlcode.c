/* Percent-decoding per RFC 3986 with the form-body '+' rule as a mode. */
#include "protocol/sr_urlcode.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

/* Decodes into dst (at least len bytes); returns the decoded length or SIZE_MAX on bad '%'. */
static size_t decode_into(const char *src, size_t len, sr_decode_mode mode, char *dst,
                          size_t *bad_offset)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (mode == SR_DECODE_QUERY && c != '%') {
            /* Query values are long tokens with a few escapes: copy up to the next '%'. */
            const char *pct = memchr(src + i, '%', len - i);
            size_t run = (pct != NULL ? (size_t)(pct - src) : len) - i;
            memcpy(dst + o, src + i, run);
            o += run;
            i += run - 1;
            continue;
        }
        if (c == '%') {
            int hi = i + 2 < len ? sr_hex_digit_value((unsigned char)src[i + 1]) : -1;
            int lo = hi >= 0 ? sr_hex_digit_value((unsigned char)src[i + 2]) : -1;
            if (lo < 0) {
                if (bad_offset != NULL)
                    *bad_offset = i;
                return SIZE_MAX;
            }
            dst[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            dst[o++] = (mode == SR_DECODE_FORM && c == '+') ? ' ' : c;
        }
    }
    return o;
}

sr_status sr_percent_decode(const char *bytes, size_t len, sr_decode_mode mode, sr_string *out,
                            size_t *bad_offset)
{
    char *buf = g_malloc(len + 1);
    size_t n = decode_into(bytes, len, mode, buf, bad_offset);
    if (n == SIZE_MAX) {
        g_free(buf);
        out->data = NULL;
        out->len = 0;
        return SR_ERR_BAD_PERCENT_ENCODING;
    }
    buf[n] = '\0';
    out->data = buf;
    out->len = n;
    return SR_OK;
}

bool sr_urlencoded_next(const char *bytes, size_t len, size_t *pos, sr_span *name, sr_span *value)
{
    size_t i = *pos;
    while (i < len && bytes[i] == '&')
        i++;
    if (i >= len) {
        *pos = len;
        return false;
    }
    const char *seg = bytes + i;
    const char *amp = memchr(seg, '&', len - i);
    size_t seg_len = amp != NULL ? (size_t)(amp - seg) : len - i;
    const char *eq = memchr(seg, '=', seg_len);
    name->ptr = seg;
    name->len = eq != NULL ? (size_t)(eq - seg) : seg_len;
    value->ptr = eq != NULL ? eq + 1 : seg + seg_len;
    value->len = eq != NULL ? seg_len - name->len - 1 : 0;
    *pos = i + seg_len;
    return true;
}

bool sr_urlencoded_name_is(sr_span name, sr_decode_mode mode, const char *expected)
{
    size_t want = strlen(expected);
    if (name.len < want)
        return false; /* decoding never lengthens a name */
    if (memchr(name.ptr, '%', name.len) == NULL && memchr(name.ptr, '+', name.len) == NULL)
        return name.len == want && sr_ascii_caseeq(name.ptr, expected, want);
    /* Encoded names are rare. Each decoded byte takes one to three encoded bytes, so the length
     * check keeps a huge hostile name from being decoded at all. */
    if (name.len > 3 * want)
        return false;
    sr_string decoded = {0};
    bool same = sr_percent_decode(name.ptr, name.len, mode, &decoded, NULL) == SR_OK &&
                decoded.len == want && sr_ascii_caseeq(decoded.data, expected, want);
    sr_string_clear(&decoded);
    return same;
}

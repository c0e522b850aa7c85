/* Percent-decoding per RFC 3986 with the form-body '+' rule as a mode. */
#include "protocol/sr_urlcode.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Hex digit value plus one, zero for any other byte: one load per escape digit. */
static const unsigned char HEX_PLUS_ONE[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,
    ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14,
    ['E'] = 15, ['F'] = 16, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
    ['f'] = 16};

/* The bytes the decoder looks at; every other byte is copied as it is. */
static const bool SPECIAL[256] = {['%'] = true, ['+'] = true, [';'] = true};

/* Plain bytes from src[i] on copied to dst[o], sixteen at a time where the vector unit allows
 * (a token is long runs between a few escapes), while sixteen remain to be looked at, up to the
 * first special byte. Returns how many were copied (0: do it byte by byte); dst has room, as
 * o <= i and it holds len bytes. */
static size_t copy_plain_run(const char *src, size_t i, size_t len, char *dst, size_t o)
{
    size_t start = i;
#if defined(__SSE2__)
    const __m128i pct = _mm_set1_epi8('%'), plus = _mm_set1_epi8('+'), semi = _mm_set1_epi8(';');
    while (len - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, pct), _mm_cmpeq_epi8(v, plus)),
                                   _mm_cmpeq_epi8(v, semi));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        /* All sixteen are stored; only those before the special byte count. */
        _mm_storeu_si128((__m128i *)(void *)(dst + o + (i - start)), v);
        if (mask != 0)
            return i - start + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#else
    (void)src;
    (void)len;
    (void)dst;
    (void)o;
#endif
    return i - start;
}

size_t sr_percent_decode_into(const char *bytes, size_t len, sr_decode_mode mode, char *dst,
                              size_t *bad_offset, unsigned *raw)
{
    unsigned seen = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (!SPECIAL[c]) {
            size_t run = copy_plain_run(bytes, i, len, dst, o);
            if (run > 0) {
                i += run - 1;
                o += run;
            } else {
                dst[o++] = (char)c;
            }
        } else if (c == '%') {
            unsigned hi = i + 2 < len ? HEX_PLUS_ONE[(unsigned char)bytes[i + 1]] : 0;
            unsigned lo = hi != 0 ? HEX_PLUS_ONE[(unsigned char)bytes[i + 2]] : 0;
            if (lo == 0) {
                if (bad_offset != NULL)
                    *bad_offset = i;
                return SIZE_MAX;
            }
            dst[o++] = (char)((hi - 1) * 16 + (lo - 1));
            i += 2;
        } else if (c == '+') {
            seen |= SR_RAW_PLUS;
            dst[o++] = mode == SR_DECODE_FORM ? ' ' : '+';
        } else {
            seen |= SR_RAW_SEMICOLON;
            dst[o++] = ';';
        }
    }
    if (raw != NULL)
        *raw = seen;
    return o;
}

sr_status sr_percent_decode(const char *bytes, size_t len, sr_decode_mode mode, sr_string *out,
                            size_t *bad_offset)
{
    char *buf = g_malloc(len + 1);
    size_t n = sr_percent_decode_into(bytes, len, mode, buf, bad_offset, NULL);
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

/* http_inflate.c - gzip/deflate body decoding, bounded per call and per message. */
#include "http/http_inflate.h"

#include <string.h>

#include "http/http_head.h"

http_coding http_coding_from_header(const char *value, size_t len)
{
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    if (len == 0 || http_str_ieq(value, len, "identity"))
        return HTTP_CODING_IDENTITY;
    if (http_str_ieq(value, len, "gzip") || http_str_ieq(value, len, "x-gzip"))
        return HTTP_CODING_GZIP;
    if (http_str_ieq(value, len, "deflate"))
        return HTTP_CODING_DEFLATE;
    return HTTP_CODING_UNKNOWN;
}

void http_inflate_init(http_inflate *d, http_coding coding, uint64_t max_out, uint32_t max_ratio)
{
    memset(d, 0, sizeof(*d));
    d->coding = coding;
    d->max_out = max_out;
    d->max_ratio = max_ratio;
}

/* "deflate" should be zlib-wrapped, but some servers send raw deflate: the first two bytes
 * tell (a zlib header is CM=8 and a multiple of 31). */
static int window_bits_for(const http_inflate *d, const uint8_t *first, size_t len)
{
    if (d->coding == HTTP_CODING_GZIP)
        return 15 + 16;
    if (len >= 2 && (first[0] & 0x0f) == 8 && ((first[0] << 8) | first[1]) % 31 == 0)
        return 15;
    return -15;
}

static uint64_t output_allowance(const http_inflate *d)
{
    uint64_t by_ratio = d->in_total * d->max_ratio + HTTP_INFLATE_BLOCK;
    uint64_t cap = by_ratio < d->max_out ? by_ratio : d->max_out;
    return cap > d->out_total ? cap - d->out_total : 0;
}

static http_inflate_status inflate_run(http_inflate *d, const uint8_t *in, size_t len,
                                       http_inflate_out_fn out, void *ctx)
{
    d->in_total += len;
    d->z.next_in = (Bytef *)(uintptr_t)in;
    d->z.avail_in = (uInt)len;
    uint8_t block[HTTP_INFLATE_BLOCK];
    for (;;) {
        uint64_t allowance = output_allowance(d);
        if (allowance == 0)
            return HTTP_INFLATE_TOO_LARGE;
        size_t room = allowance < sizeof(block) ? (size_t)allowance : sizeof(block);
        d->z.next_out = block;
        d->z.avail_out = (uInt)room;
        int rc = inflate(&d->z, Z_NO_FLUSH);
        size_t produced = room - d->z.avail_out;
        d->out_total += produced;
        if (produced > 0)
            out(ctx, block, produced);
        if (rc == Z_STREAM_END) {
            d->finished = true;
            return HTTP_INFLATE_END;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return HTTP_INFLATE_CORRUPT;
        if (d->z.avail_in == 0 && d->z.avail_out > 0)
            return HTTP_INFLATE_OK;
        if (rc == Z_BUF_ERROR && produced == 0)
            return HTTP_INFLATE_OK;
    }
}

/* The wrapper sniff needs two bytes: a lone first byte is held until the second arrives. */
http_inflate_status http_inflate_feed(http_inflate *d, const uint8_t *in, size_t len,
                                      http_inflate_out_fn out, void *ctx)
{
    if (d->finished || len == 0)
        return d->finished ? HTTP_INFLATE_END : HTTP_INFLATE_OK;
    if (d->started)
        return inflate_run(d, in, len, out, ctx);
    if (!d->has_held && len == 1 && d->coding == HTTP_CODING_DEFLATE) {
        d->held = in[0];
        d->has_held = true;
        return HTTP_INFLATE_OK;
    }
    uint8_t head[2] = {d->has_held ? d->held : in[0], d->has_held ? in[0] : (len > 1 ? in[1] : 0)};
    if (inflateInit2(&d->z, window_bits_for(d, head, d->has_held || len > 1 ? 2 : 1)) != Z_OK)
        return HTTP_INFLATE_CORRUPT;
    d->started = true;
    if (d->has_held) {
        http_inflate_status st = inflate_run(d, &d->held, 1, out, ctx);
        if (st != HTTP_INFLATE_OK)
            return st;
    }
    return inflate_run(d, in, len, out, ctx);
}

void http_inflate_end(http_inflate *d)
{
    if (d->started)
        inflateEnd(&d->z);
    d->started = false;
}

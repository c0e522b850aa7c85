/* http_inflate.h - incremental Content-Encoding (gzip, deflate) decoding with zlib.
 *
 * Output is produced in bounded blocks (HTTP_INFLATE_BLOCK) handed to a callback, so memory
 * does not depend on the body size. The total output is capped relative to the input to stop
 * decompression bombs. The decoder owns a zlib stream: http_inflate_end() releases it.
 */
#ifndef LIFELINE_HTTP_INFLATE_H
#define LIFELINE_HTTP_INFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

/* Output block size: one stack buffer per call, independent of the body size. */
#define HTTP_INFLATE_BLOCK 16384

typedef enum http_coding {
    HTTP_CODING_IDENTITY,
    HTTP_CODING_GZIP,
    HTTP_CODING_DEFLATE, /* zlib-wrapped per RFC 9110, raw deflate tolerated (old IIS) */
    HTTP_CODING_UNKNOWN  /* e.g. br: bodies are passed through undecoded */
} http_coding;

typedef enum http_inflate_status {
    HTTP_INFLATE_OK,
    HTTP_INFLATE_END,      /* the compressed stream ended; later input is ignored */
    HTTP_INFLATE_CORRUPT,  /* zlib rejected the data */
    HTTP_INFLATE_TOO_LARGE /* output cap reached: decompression bomb or over the limit */
} http_inflate_status;

typedef struct http_inflate {
    z_stream z;
    http_coding coding;
    bool started; /* zlib stream initialised (deferred until the first byte, see .c) */
    bool finished;
    bool has_held; /* first byte of a "deflate" body kept until the wrapper can be sniffed */
    uint8_t held;
    uint64_t in_total, out_total;
    uint64_t max_out;   /* absolute cap on output */
    uint32_t max_ratio; /* output may not exceed max_ratio * input + HTTP_INFLATE_BLOCK */
} http_inflate;

http_coding http_coding_from_header(const char *value, size_t len);

void http_inflate_init(http_inflate *d, http_coding coding, uint64_t max_out, uint32_t max_ratio);

typedef void (*http_inflate_out_fn)(void *ctx, const uint8_t *data, size_t len);

http_inflate_status http_inflate_feed(http_inflate *d, const uint8_t *in, size_t len,
                                      http_inflate_out_fn out, void *ctx);

void http_inflate_end(http_inflate *d);

#endif

/* sse_reader.h - Server-Sent Events framing over a de-chunked, decoded response body.
 *
 * Splits the stream into lines (LF, CRLF or CR), keeps `data`, `event` and `id` fields, ignores
 * comments and other fields, and emits one LF_WIRE_SSE_EVENT per blank line that ends a non-empty
 * event, stamped with the frame that carried that blank line. Reference: WHATWG HTML, "Server-sent
 * events", event stream interpretation. The reader owns its buffers: sse_reader_free().
 */
#ifndef LIFELINE_SSE_READER_H
#define LIFELINE_SSE_READER_H

#include "transport/capped_buf.h"
#include "transport/wire_tag.h"

/* `event:` and `id:` values are short by nature; longer ones are truncated to this. */
#define SSE_MAX_FIELD 256

typedef struct sse_reader {
    wire_tag tag;
    capped_buf line; /* the start of a line cut by the end of an input, capped at max_event +
                        SSE_MAX_FIELD (a line whole in one input is read where it lies) */
    capped_buf data; /* data lines joined with \n */
    capped_buf event, id;
    bool has_data;
    bool after_cr; /* a CR ended the last line: an LF right after it is part of that ending */
    bool at_stream_start;
    bool truncated;
} sse_reader;

void sse_reader_init(sse_reader *r, wire_tag tag, size_t max_event);
void sse_reader_feed(sse_reader *r, const uint8_t *data, size_t len, const lf_frame_ref *at);
/* Bytes lost inside the stream: the event being built is dropped. */
void sse_reader_gap(sse_reader *r);
void sse_reader_free(sse_reader *r);

#endif

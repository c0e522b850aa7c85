/* ff_reader.h - forever-frame framing over a de-chunked, decoded text/html response body.
 *
 * The body is an HTML prelude ending with `<body>` (emitted as LF_WIRE_FF_PRELUDE: loading it
 * is what tells the client the transport started) followed by `<script>...</script>` blocks, each
 * emitted as LF_WIRE_FF_MESSAGE with the frame that carried its `</script>`. Tags are matched
 * case-insensitively across segment and chunk boundaries; text between scripts is ignored.
 * A prelude outgrowing the cap is emitted truncated and the reader moves on to scripts.
 * The reader owns its buffer: ff_reader_free().
 */
#ifndef LIFELINE_FF_READER_H
#define LIFELINE_FF_READER_H

#include "transport/capped_buf.h"
#include "transport/wire_tag.h"

typedef enum ff_state { FF_PRELUDE, FF_BETWEEN, FF_IN_SCRIPT } ff_state;

typedef struct ff_reader {
    wire_tag tag;
    ff_state state;
    size_t matched; /* bytes of the awaited tag matched so far */
    uint64_t taken; /* bytes of the current prelude or script seen, tags included */
    capped_buf buf;
} ff_reader;

void ff_reader_init(ff_reader *r, wire_tag tag, size_t max_message);
void ff_reader_feed(ff_reader *r, const uint8_t *data, size_t len, const lf_frame_ref *at);
/* Bytes lost: a script being read is dropped, the reader waits for the next one. */
void ff_reader_gap(ff_reader *r);
/* The body ended: a prelude never closed by `<body>` is still emitted (flagged incomplete). */
void ff_reader_end(ff_reader *r, const lf_frame_ref *at);
void ff_reader_free(ff_reader *r);

#endif

/* sr_framing: byte-level recognition of how each transport frames SignalR messages and
 * keepalives (wire reference sec. 8). No JSON parsing and no allocation: these run on every
 * keepalive of every connection, millions of times per capture.
 *
 * Every span returned points into the caller's buffer. Matchers that work on a growing stream
 * return SR_ERR_NEED_MORE when the bytes so far are a proper prefix of the construct.
 */
#ifndef LIFELINE_PROTOCOL_SR_FRAMING_H
#define LIFELINE_PROTOCOL_SR_FRAMING_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

/* WebSocket text payload of a server keepalive: exactly "{}" (frame 81 02 7B 7D). */
bool sr_ws_is_keepalive(const char *payload, size_t len);

typedef enum {
    SR_SSE_DATA_MESSAGE = 0, /* anything else: JSON for the payload parsers */
    SR_SSE_DATA_KEEPALIVE,   /* "{}" */
    SR_SSE_DATA_INITIALIZED  /* "initialized", written first on every connect and reconnect */
} sr_sse_data_kind;

/* Classifies the data of one SSE event (the event splitter lives with the caller). */
sr_sse_data_kind sr_sse_classify_data(const char *data, size_t len);

/* Recognises a whole fixed SSE event at the start of bytes: "data: {}" or "data: initialized"
 * followed by "\n\n" or "\r\n\r\n". SR_OK sets *kind and *consumed (10, 12, 19 or 21 bytes). */
sr_status sr_sse_match_fixed_event(const char *bytes, size_t len, sr_sse_data_kind *kind,
                                   size_t *consumed);

/* The real prelude is about 330 bytes; a few kilobytes leaves room for longer frame ids and
 * whitespace while keeping the search bounded when a stream is not a forever frame at all. */
#define SR_FF_PRELUDE_MAX 4096

/* Recognises the forever-frame HTML prelude (<!DOCTYPE html>...ff.started(c)...<body>) at the
 * start of bytes. SR_OK sets *consumed (through "<body>" and one optional CRLF or LF) and
 * *frame_id to the getConnection('...') argument (absent span if not found). */
sr_status sr_ff_match_prelude(const char *bytes, size_t len, size_t *consumed, sr_span *frame_id);

/* Recognises one forever-frame message "<script>r(c, <json>);</script>" after optional
 * whitespace (the newlines that end the previous message). SR_OK sets *consumed (through
 * "</script>"), *json (with \u003c escapes left as they are) and *is_keepalive (json is "{}").
 * There is no cap: a message is as long as its JSON; callers bound their own buffering. */
sr_status sr_ff_match_script(const char *bytes, size_t len, size_t *consumed, sr_span *json,
                             bool *is_keepalive);

/* Number of leading 0x20 bytes in a long-poll body: one per server keepalive tick (2.1+). */
size_t sr_lp_keepalive_spaces(const char *body, size_t len);

#endif

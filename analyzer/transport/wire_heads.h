/* wire_heads.h - HTTP heads as wire events, and the body framing a response calls for.
 *
 * Pure functions over a parsed http_message; the events point into the message's buffers.
 */
#ifndef LIFELINE_WIRE_HEADS_H
#define LIFELINE_WIRE_HEADS_H

#include "http/http_conn.h"
#include "pipeline/wire_event.h"

typedef enum wire_framing {
    WIRE_FRAMING_WHOLE, /* buffered and emitted as one LF_WIRE_HTTP_BODY */
    WIRE_FRAMING_SSE,
    WIRE_FRAMING_FF
} wire_framing;

void wire_heads_request(const http_message *m, lf_wire_request *out);
void wire_heads_response(const http_message *m, lf_wire_response *out);
wire_framing wire_heads_framing(const http_message *m);
/* A 101 whose Upgrade header names websocket. */
bool wire_heads_is_websocket(const http_message *m);

#endif

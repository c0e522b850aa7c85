/* wire_consumer.h - the tcp_consumer that turns TCP byte streams into wire events.
 *
 * Pipeline: TCP reassembly -> this consumer -> HTTP/1.1 (http_conn) -> transport framing
 * (whole bodies, SSE, forever frame, WebSocket) -> lf_wire_event to the sink, in stream order.
 * Which framing a response body gets is decided from the response: Content-Type
 * text/event-stream -> SSE; text/html answering a request whose target has
 * transport=foreverFrame -> forever frame; anything else -> whole body with leading-space
 * tracking. A 101 answer to a websocket upgrade switches both directions to WebSocket.
 *
 * Ownership: the caller owns the wire_consumer (plain struct, nothing allocated by init) and
 * must keep it alive while the tcp_consumer it returns is in use; per-stream state is
 * allocated in open() and freed in close(), as the tcp_consumer contract requires.
 */
#ifndef LIFELINE_WIRE_CONSUMER_H
#define LIFELINE_WIRE_CONSUMER_H

#include "http/http_conn.h"
#include "pipeline/wire_event.h"
#include "tcp/tcp_consumer.h"

typedef struct wire_config {
    http_config http;
    size_t max_whole_body; /* bodies delivered whole (negotiate, send, poll...) */
    size_t max_ws_message; /* one reassembled (and inflated) WebSocket message */
    size_t max_sse_event;  /* one SSE event's data (and one line) */
    size_t max_ff_message; /* one forever-frame script or the prelude */
} wire_config;

/* Default for every message cap: 16 times the 64 KiB a SignalR server accepts from a client
 * (MaxIncomingWebSocketMessageSize), far above what servers send in one message. */
#define WIRE_DEFAULT_MAX_MESSAGE (1024 * 1024)

/* HTTP defaults (see http_conn.h) and WIRE_DEFAULT_MAX_MESSAGE for every message cap. */
void wire_config_defaults(wire_config *cfg);

typedef struct wire_consumer {
    wire_config cfg;
    lf_wire_sink sink;
} wire_consumer;

/* `cfg` NULL means defaults. */
void wire_consumer_init(wire_consumer *wc, const wire_config *cfg, lf_wire_sink sink);

/* The tcp_consumer to hand to TCP reassembly; its ctx is `wc`. */
tcp_consumer wire_consumer_tcp(wire_consumer *wc);

#endif

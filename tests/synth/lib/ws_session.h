/* A WebSocket (RFC 6455) session over a synthetic TCP connection: the HTTP upgrade with a real
 * Sec-WebSocket-Accept, frames masked from the client and unmasked from the server,
 * fragmentation, control frames, close, and permessage-deflate (RFC 7692) with or without
 * context takeover. The caller owns the session (synth_ws_free) but not the connection. */
#ifndef LIFELINE_SYNTH_WS_SESSION_H
#define LIFELINE_SYNTH_WS_SESSION_H

#include "tcp_conn.h"

typedef struct synth_ws synth_ws;

#define WS_OP_CONTINUATION 0x0
#define WS_OP_TEXT 0x1
#define WS_OP_BINARY 0x2
#define WS_OP_CLOSE 0x8
#define WS_OP_PING 0x9
#define WS_OP_PONG 0xA

typedef struct {
    bool deflate;             /* negotiate permessage-deflate */
    bool no_context_takeover; /* both sides reset their compressor after each message */
} synth_ws_options;

/* GET uri with Upgrade headers (plus extra_headers), then 101 from the server. options NULL:
 * no extension. */
synth_ws *synth_ws_upgrade(synth_conn *c, synth_time t, const char *uri,
                           const char *const *extra_headers, const synth_ws_options *options);

/* Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)). Returns a g_malloc'd string. */
char *synth_ws_accept_for_key(const char *key);

/* One message in one frame (compressed when deflate was negotiated and op is data). */
synth_status synth_ws_send(synth_ws *ws, synth_dir dir, synth_time t, int opcode, const void *data,
                           size_t len);
synth_status synth_ws_send_text(synth_ws *ws, synth_dir dir, synth_time t, const char *text);
/* One message split into frames of at most fragment_size payload bytes each. */
synth_status synth_ws_send_fragmented(synth_ws *ws, synth_dir dir, synth_time t, int opcode,
                                      const void *data, size_t len, size_t fragment_size);
/* One raw frame exactly as given (no compression): for control frames and odd cases. */
synth_status synth_ws_frame(synth_ws *ws, synth_dir dir, synth_time t, bool fin, bool rsv1,
                            int opcode, const void *payload, size_t len);
/* Close frame; code 0 sends no status payload. */
synth_status synth_ws_close(synth_ws *ws, synth_dir dir, synth_time t, uint16_t code,
                            const char *reason);

synth_conn *synth_ws_conn(synth_ws *ws);
void synth_ws_free(synth_ws *ws);

#endif

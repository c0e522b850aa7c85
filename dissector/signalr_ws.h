/* signalr_ws: SignalR messages carried in WebSocket text frames, and Close frames.
 *
 * A heuristic in WebSocket's "ws" list claims a message when its TCP connection was opened by
 * a SignalR /connect or /reconnect with transport=webSockets. WebSocket has already unmasked
 * and reassembled the message. Close frames never reach heuristics in Wireshark 4.0, so the
 * postdissector asks for WebSocket's `websocket.opcode` field and reads it from the frame's
 * tree. The field id is looked up once at handoff; no other state.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_WS_H
#define LIFELINE_DISSECTOR_SIGNALR_WS_H

#include <wireshark.h>
#include <epan/proto.h>

/* From proto_reg_handoff. */
void signalr_ws_handoff(void);

/* The WebSocket fields the postdissector needs kept in the tree (a new array of hf ids, or
 * NULL when the WebSocket dissector is absent), for signalr_http_want_fields(). */
GArray *signalr_ws_wanted_fields(void);

/* True when the frame's tree holds a WebSocket Close frame (opcode 8). */
gboolean signalr_ws_close_in_frame(proto_tree *tree);

#endif

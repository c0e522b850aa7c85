/* signalr_ws: SignalR messages carried in WebSocket text frames, and Close frames.
 *
 * A heuristic in WebSocket's "ws" list claims a message when its TCP connection was opened by
 * a SignalR /connect or /reconnect with transport=webSockets. WebSocket has already unmasked
 * and reassembled the message.
 *
 * Close frames never reach heuristics in Wireshark 4.0. HTTP hands an upgraded connection to
 * WebSocket through the handle it keeps in its conversation (`http_conv_t.next_handle`); on a
 * SignalR WebSocket transport that handle is swapped for a relay that notes the Close frames
 * passing through (first pass) and calls WebSocket unchanged; frames in the same segment as
 * the upgrading answer are checked by the relay between TCP and HTTP (signalr_http.h).
 * Reading the Close from WebSocket's tree instead would make Wireshark build a tree for every
 * frame.
 *
 * Handles are looked up once at handoff; the per-frame note lives in packet scope.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_WS_H
#define LIFELINE_DISSECTOR_SIGNALR_WS_H

#include <wireshark.h>
#include <epan/dissectors/packet-http.h>
#include <epan/packet.h>

/* From proto_reg_handoff. */
void signalr_ws_handoff(void);

/* First pass, at the answer that upgraded a SignalR WebSocket transport: routes the rest of
 * the connection through the Close relay (nothing when HTTP did not hand it to WebSocket). */
void signalr_ws_relay_upgrade(http_conv_t *http);

/* First pass: notes a whole Close frame among the WebSocket frames that start at the start of
 * `tvb` (used by the relay, and for frames that share a segment with the upgrading answer,
 * which HTTP hands to WebSocket before the relay is in place). */
void signalr_ws_notice_close(tvbuff_t *tvb, packet_info *pinfo);

/* True when a WebSocket Close frame was completed in this frame (first pass only). */
gboolean signalr_ws_close_in_frame(packet_info *pinfo);

#endif

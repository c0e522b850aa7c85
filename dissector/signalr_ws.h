/* signalr_ws: SignalR messages carried in WebSocket text frames.
 *
 * A heuristic in WebSocket's "ws" list claims a message when its TCP connection was opened by
 * a SignalR /connect or /reconnect with transport=webSockets. WebSocket has already unmasked
 * and reassembled the message. No state of its own.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_WS_H
#define LIFELINE_DISSECTOR_SIGNALR_WS_H

/* From proto_reg_handoff. */
void signalr_ws_handoff(void);

#endif

/* signalr_http: the hooks into Wireshark's HTTP dissector.
 *
 * - a postdissector that sees every frame: it classifies each HTTP request (HTTP keeps the
 *   request line in its conversation data, the frame's role in its per-frame data), records
 *   it, starts the stream takeover for Server-Sent Events and forever frame, and runs the
 *   per-frame lifecycle tick;
 * - on a TCP connection that carries a receive request left to HTTP, a relay between TCP and
 *   HTTP that sees where the answer starts (HTTP may hold it for reassembly), and on a
 *   WebSocket transport the Close relay of signalr_ws.h. Neither needs a protocol tree, so
 *   the plugin never makes Wireshark build one;
 * - "media_type" handlers for the bodies SignalR uses (JSON answers, form-encoded sends,
 *   finished event streams), each chaining to the handler it replaces.
 *
 * Handles and the previous media handlers are looked up once, at handoff.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_HTTP_H
#define LIFELINE_DISSECTOR_SIGNALR_HTTP_H

#include <wireshark.h>
#include <epan/packet.h>

/* From proto_register: the postdissector. */
void signalr_http_register(void);

/* From proto_reg_handoff: media_type handlers and HTTP's handles. */
void signalr_http_handoff(void);

/* HTTP's TCP handle, for code that hands a connection back to HTTP. */
dissector_handle_t signalr_http_tcp_handle(void);

#endif

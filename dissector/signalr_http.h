/* signalr_http: the hooks into Wireshark's HTTP dissector.
 *
 * - a postdissector that sees every frame: it classifies each HTTP request (HTTP keeps the
 *   request line in its conversation data, the frame's role in its per-frame data), records
 *   it, starts the stream takeover for Server-Sent Events and forever frame, and runs the
 *   per-frame lifecycle tick;
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

/* From proto_reg_handoff: fields of other protocols the postdissector reads from the tree
 * (`extra`, taken and freed; may be NULL) besides TCP's own. Wireshark then builds a tree for
 * every frame; the lifecycle needs them, so they are wanted only while
 * `signalr.track_lifecycle` is on. */
void signalr_http_want_fields(GArray *extra);

/* Preferences changed: asks for the wanted fields, or for none. */
void signalr_http_apply_preferences(void);

/* TCP's view of this frame, read from the tree: its sequence number, the one after its
 * payload, and whether TCP saw a previous segment missing from the capture. FALSE when the
 * frame has no TCP header in the tree. */
gboolean signalr_http_tcp_numbers(proto_tree *tree, guint32 *seq, guint32 *next_seq,
                                  gboolean *lost_before);

/* HTTP's TCP handle, for code that hands a connection back to HTTP. */
dissector_handle_t signalr_http_tcp_handle(void);

#endif

/* signalr_message: one SignalR message in a frame (a request, a negotiate answer, a persistent
 * response, a hub message, a keepalive), from the hooks' point of view.
 *
 * signalr_message_begin() adds the SignalR subtree with what every message shows (token,
 * ConnectionId, link to the negotiate, time since the previous server frame) and, on the first
 * pass, runs the lifecycle rules and stores the outcome per frame; later passes replay it, so
 * single-pass, two-pass and GUI dissection show the same thing. Payload decoders may add
 * findings between begin and end (first pass only); signalr_message_end() adds the expert
 * items and queues the tap record. Stored records live in file scope; nothing to free.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_MESSAGE_H
#define LIFELINE_DISSECTOR_SIGNALR_MESSAGE_H

#include <wireshark.h>
#include <epan/packet.h>

#include "signalr_state.h"

typedef struct {
    signalr_conn *conn;          /* NULL when the message cannot be tied to a connection */
    sr_request_kind request;     /* the request this message is, or belongs to */
    sr_transport transport;
    gboolean from_server;
    gboolean is_request;         /* the message is the HTTP request itself */
    signalr_tcp_state *receive;  /* set for frames on a receive transport's TCP connection */
} signalr_origin;

/* Outcome of the first pass for one message. */
typedef struct {
    signalr_conn *conn;
    gboolean has_gap;
    nstime_t gap;                /* since the previous server frame of the connection */
    gboolean keepalive;
    signalr_findings findings;
} signalr_verdict;

typedef struct {
    proto_tree *tree;            /* the SignalR subtree (NULL when no tree is built) */
    proto_item *item;
    signalr_verdict *verdict;
    gboolean first_pass;         /* payload decoders may add findings only when TRUE */
    gboolean sign_of_life;       /* the client's keepalive watch counts this frame (hub results
                                    on a WebSocket do not); payload decoders may clear it */
    tvbuff_t *tvb;
    signalr_origin origin;
} signalr_message;

void signalr_message_begin(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                           const signalr_origin *origin, signalr_message *msg);
void signalr_message_end(packet_info *pinfo, signalr_message *msg);

/* Number of SignalR messages emitted in this frame so far (this pass). */
guint signalr_message_count(packet_info *pinfo);

/* Appends " [SignalR <label>]" to the Info column and sets the protocol column. */
void signalr_message_set_info(packet_info *pinfo, const char *label);

/* Postdissector duty on every frame, before its requests and responses: on the first pass,
 * notices receive transports that end here (WebSocket Close, FIN, RST), segments the capture
 * lost before this one (from TCP's analysis state, no tree needed) and deadlines that pass by
 * now. */
void signalr_message_tick(packet_info *pinfo);

/* Postdissector duty on every frame, last: shows the findings that became evident at this
 * frame outside any message (every pass). */
void signalr_message_show_frame_findings(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);

/* First pass: the answer to the receive request that tcp carries starts in this frame (its
 * status line is in the TCP payload, before HTTP has the whole answer). */
void signalr_receive_started(packet_info *pinfo, signalr_tcp_state *tcp);

/* First pass: HTTP dissected the answer to the receive request `rec` at this frame (refused:
 * with an HTTP error status); a long poll ends with it. Findings are appended to `out`, for
 * the caller to show with the answer. */
void signalr_receive_answered(packet_info *pinfo, signalr_request_rec *rec, gboolean refused,
                              signalr_findings *out);

/* First pass: findings of a connection that became evident at this frame outside any message
 * (a transport's end, a deadline, an answer, a gap), kept with the frame and shown by
 * signalr_message_show_frame_findings() on every pass; nothing when `found` is empty. */
void signalr_message_queue_findings(packet_info *pinfo, signalr_conn *conn,
                                    const signalr_findings *found);

/* The receive transport of tcp ended at this frame (first pass only). */
void signalr_transport_ended(packet_info *pinfo, signalr_tcp_state *tcp, gboolean by_client);

/* Registers the tap ("signalr") that signalr_message_end() feeds. */
void signalr_message_register_tap(void);

/* What the tap receives per message. */
typedef struct {
    sr_request_kind request;
    sr_transport transport;
    gboolean from_server;
    gboolean is_request;
    gboolean keepalive;
    gboolean has_gap;
    double gap_s;
    const signalr_findings *findings;
} signalr_tap_record;

#endif

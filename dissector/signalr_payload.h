/* signalr_payload: puts what the protocol model (protocol/sr_*.h) decodes into the tree.
 *
 * Every function decodes bytes of a tvb with the lifeline_protocol library and adds fields under
 * msg->tree; on the first pass it also reports the lifecycle facts a payload carries (disconnect
 * command, cursor prefix changes, keepalives) into msg->verdict. Temporary decode results are
 * freed before returning; strings put in the tree are copied by Wireshark.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_PAYLOAD_H
#define LIFELINE_DISSECTOR_SIGNALR_PAYLOAD_H

#include <wireshark.h>
#include <epan/packet.h>

#include "protocol/sr_request.h"
#include "protocol/sr_status.h"
#include "signalr_message.h"

/* The longest request-target or form body decoded. Real SignalR URLs stay under 2 KB
 * (the token is ~200 bytes, connectionData a few hub names); 64 KiB is IIS's default
 * maxQueryString ceiling for the whole request and bounds the work spent on hostile input. */
#define SIGNALR_MAX_REQUEST_TEXT 65536

/* The largest JSON text decoded. The server refuses WebSocket messages over 64 KiB by default;
 * server-to-client payloads are application data and may be larger, 4 MiB bounds the copy and
 * the json-glib tree made for one message. */
#define SIGNALR_MAX_JSON_TEXT (4u * 1024u * 1024u)

/* Decodes a request line (method and target) and its form body (may be NULL) into *req;
 * err says what did not decode. The caller calls sr_request_clear(req) afterwards in every
 * case. */
sr_status signalr_parse_request(packet_info *pinfo, const char *method, const char *target,
                                tvbuff_t *form, sr_request *req, sr_error *err);

/* Adds a "malformed" expert item naming what failed to decode and why. */
void signalr_add_malformed(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb, int off, int len,
                           const char *what, const sr_error *err);

/* Adds the request subtree (kind, transport, decoded parameters, form data and the hub
 * invocation inside it). */
void signalr_show_request(tvbuff_t *tvb, packet_info *pinfo, signalr_message *msg,
                          const sr_request *req, tvbuff_t *form);

/* Dissects a negotiate response body as one SignalR message. On the first pass the token's
 * connection learns its ConnectionId, timeouts and negotiate frame (and the negotiate request
 * record `rec` its connection). */
void signalr_dissect_negotiate(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                               signalr_request_rec *rec);

/* Decodes one JSON text of a receive channel, a WebSocket message or a response body
 * (bytes [offset, offset+len) of tvb) and returns a short label for the Info column. Without
 * a tree, the common shapes are read by the tree-free summaries (protocol/sr_summary.h), which
 * give the same label and lifecycle facts; the rest, and every text when a tree is built, by
 * the JSON tree readers. */
const char *signalr_show_json(tvbuff_t *tvb, packet_info *pinfo, signalr_message *msg,
                              int offset, int len);

#endif

/* signalr_stream: Server-Sent Events and forever-frame responses, decoded event by event as
 * the segments arrive.
 *
 * Wireshark 4.0's HTTP holds a chunked body until its final chunk, so a stream that is still
 * open when the capture ends would never be decoded. When a /connect or /reconnect asks for
 * one of these transports, the plugin takes the TCP connection over from the next frame: the
 * response headers still go to HTTP (shown at once), the body is de-chunked here with TCP
 * reassembly, one PDU per complete event (or script message), and HTTP gets the connection
 * back when the response ends or when the answer is not a stream (an error status).
 * Reassembled bytes live in the packet scope; nothing to free.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_STREAM_H
#define LIFELINE_DISSECTOR_SIGNALR_STREAM_H

#include <wireshark.h>
#include <epan/packet.h>

#include "signalr_state.h"

/* From proto_register: creates the stream handle. */
void signalr_stream_register(void);

/* First pass, on the receive request's frame: the TCP connection's later frames come here. */
void signalr_stream_take_over(packet_info *pinfo);

/* A finished stream body delivered whole by HTTP (takeover switched off). */
void signalr_stream_dissect_body(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                 signalr_request_rec *rec);

#endif

/* ws_reader.h - WebSocket (RFC 6455) framing for one direction of an upgraded stream, with
 * permessage-deflate (RFC 7692).
 *
 * Frames are parsed incrementally (7/16/64-bit lengths, masking, fragmentation, control frames
 * between fragments) and reassembled into messages emitted as LF_WIRE_WS_MESSAGE with the frame
 * that completed them; ping/pong become LF_WIRE_WS_CONTROL and close frames LF_WIRE_WS_CLOSE.
 * Payloads are buffered up to a cap (larger messages are truncated, their frames still tracked).
 * A framing violation produces one LF_WIRE_ERROR and the direction is ignored from then on.
 * Capture loss inside a payload is skipped with the frame length; loss reaching past a frame
 * drops the message in progress and the reader waits for a segment that starts with a frame
 * header this direction could send.
 * The reader owns its buffers and zlib stream: ws_reader_free().
 */
#ifndef LIFELINE_WS_READER_H
#define LIFELINE_WS_READER_H

#include <zlib.h>

#include "transport/capped_buf.h"
#include "transport/wire_tag.h"

/* What the server accepted in Sec-WebSocket-Extensions (the response decides, not the offer). */
typedef struct ws_deflate_params {
    bool enabled;
    bool server_no_context_takeover; /* server->client messages each start a fresh window */
    bool client_no_context_takeover; /* client->server messages each start a fresh window */
} ws_deflate_params;

ws_deflate_params ws_parse_extensions(const char *value, size_t len);

/* Largest control frame payload (RFC 6455 section 5.5). */
#define WS_MAX_CONTROL 125

typedef struct ws_reader {
    wire_tag tag;
    bool deflate;           /* permessage-deflate active */
    bool reset_per_message; /* no context takeover for this direction */
    bool lost;
    bool resync; /* framing lost in a capture gap: waiting for a segment starting a frame */
    /* frame header being read */
    uint8_t hdr[14];
    size_t hdr_len, hdr_need;
    /* current frame */
    bool in_payload;
    bool fin, rsv1, masked;
    uint8_t opcode;
    uint8_t mask[4];
    uint64_t remaining, offset;
    /* current data message */
    bool in_message;
    uint8_t msg_opcode;
    bool msg_compressed, msg_masked;
    uint32_t fragments;
    uint64_t wire_len;
    unsigned msg_flags;
    capped_buf msg;
    /* current control frame */
    uint8_t ctl[WS_MAX_CONTROL];
    size_t ctl_len;
    /* permessage-deflate */
    z_stream z;
    bool z_ready;
    bool z_broken; /* context lost (gap, cap, corruption): later messages cannot be inflated */
} ws_reader;

void ws_reader_init(ws_reader *r, wire_tag tag, ws_deflate_params params, size_t max_message);
void ws_reader_feed(ws_reader *r, const uint8_t *data, size_t len, const lf_frame_ref *at);
void ws_reader_gap(ws_reader *r, uint64_t missing, const lf_frame_ref *at);
void ws_reader_free(ws_reader *r);

#endif

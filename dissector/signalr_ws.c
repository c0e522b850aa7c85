/* WebSocket heuristic: SignalR persistent responses, hub messages and keepalives; the relay
 * that notes Close frames (see signalr_ws.h). */
#include "signalr_ws.h"

#include <epan/proto_data.h>

#include "signalr_fields.h"
#include "signalr_message.h"
#include "signalr_payload.h"
#include "signalr_state.h"

/* RFC 6455, 5.2: opcode of a Close frame, and the header bytes that extend the 2-byte base. */
#define WS_OPCODE_CLOSE 8
#define WS_OPCODE_MASK 0x0f
#define WS_MASKED 0x80
#define WS_MASKING_KEY_LEN 4
#define WS_LEN7_MASK 0x7f
#define WS_LEN7_16BIT 126
#define WS_LEN7_64BIT 127

/* Set once at handoff and only read afterwards. */
static struct {
    dissector_handle_t websocket;
    dissector_handle_t relay;
} ws = {NULL, NULL};

static gboolean dissect_ws_message(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                   void *data)
{
    (void)data;
    signalr_tcp_state *tcp = signalr_tcp_get(pinfo);
    const signalr_request_rec *rec = tcp != NULL ? tcp->last_request : NULL;
    if (rec == NULL || rec->transport != SR_TRANSPORT_WEBSOCKETS ||
        (rec->kind != SR_REQUEST_CONNECT && rec->kind != SR_REQUEST_RECONNECT)) {
        return FALSE;
    }
    gboolean from_server = signalr_tcp_from_server(tcp, pinfo);
    signalr_origin origin = {.conn = rec->conn, .request = rec->kind, .transport = rec->transport,
                             .from_server = from_server, .receive = from_server ? tcp : NULL};
    signalr_message msg;
    signalr_message_begin(tvb, pinfo, tree, &origin, &msg);
    const char *label = signalr_show_json(tvb, pinfo, &msg, 0, (int)tvb_captured_length(tvb));
    signalr_message_end(pinfo, &msg);
    signalr_message_set_info(pinfo, label);
    return TRUE;
}

/* Whether the WebSocket frames lined up from the start of `tvb` include a whole Close frame.
 * HTTP hands WebSocket data that starts on a frame boundary (TCP reassembles a frame split
 * over segments before it comes back); a frame cut off at the end is counted, like
 * WebSocket dissects it, when its reassembled bytes arrive. */
static gboolean holds_close(tvbuff_t *tvb)
{
    guint64 avail = tvb_captured_length(tvb);
    guint64 offset = 0;
    while (offset + 2 <= avail) {
        guint8 first = tvb_get_guint8(tvb, (gint)offset);
        guint8 second = tvb_get_guint8(tvb, (gint)offset + 1);
        guint64 header = 2 + ((second & WS_MASKED) ? WS_MASKING_KEY_LEN : 0);
        guint64 len = second & WS_LEN7_MASK;
        if (len == WS_LEN7_16BIT) {
            if (offset + 4 > avail) {
                return FALSE;
            }
            len = tvb_get_ntohs(tvb, (gint)offset + 2);
            header += 2;
        } else if (len == WS_LEN7_64BIT) {
            if (offset + 10 > avail) {
                return FALSE;
            }
            len = tvb_get_ntoh64(tvb, (gint)offset + 2);
            header += 8;
        }
        if (header > avail - offset || len > avail - offset - header) {
            return FALSE;
        }
        if ((first & WS_OPCODE_MASK) == WS_OPCODE_CLOSE) {
            return TRUE;
        }
        offset += header + len;
    }
    return FALSE;
}

void signalr_ws_notice_close(tvbuff_t *tvb, packet_info *pinfo)
{
    if (!PINFO_FD_VISITED(pinfo) && holds_close(tvb)) {
        p_add_proto_data(pinfo->pool, pinfo, signalr_hf.proto, KEY_WS_CLOSE,
                         GUINT_TO_POINTER(1));
    }
}

static int relay_to_websocket(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    signalr_ws_notice_close(tvb, pinfo);
    /* Every call_dissector hop takes one from can_desegment: give it back so that WebSocket
     * can still ask TCP for the rest of a frame, as HTTP does for its own hop. */
    guint16 saved = pinfo->can_desegment;
    pinfo->can_desegment = saved > 0 ? saved + 1 : 0;
    int used = call_dissector_only(ws.websocket, tvb, pinfo, tree, data);
    pinfo->can_desegment = saved;
    return used;
}

void signalr_ws_relay_upgrade(http_conv_t *http)
{
    if (http != NULL && ws.websocket != NULL && http->next_handle == ws.websocket) {
        http->next_handle = ws.relay;
    }
}

gboolean signalr_ws_close_in_frame(packet_info *pinfo)
{
    return p_get_proto_data(pinfo->pool, pinfo, signalr_hf.proto, KEY_WS_CLOSE) != NULL;
}

void signalr_ws_handoff(void)
{
    ws.websocket = find_dissector("websocket");
    /* No protocol of its own: the relay adds no layer to the frame's protocol stack. */
    ws.relay = create_dissector_handle(relay_to_websocket, -1);
    heur_dissector_add("ws", dissect_ws_message, "SignalR over WebSocket", "signalr_ws",
                       signalr_hf.proto, HEURISTIC_ENABLE);
}

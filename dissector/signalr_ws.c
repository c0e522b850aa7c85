/* WebSocket heuristic: SignalR persistent responses, hub messages and keepalives. */
#include "signalr_ws.h"

#include <epan/packet.h>

#include "signalr_fields.h"
#include "signalr_message.h"
#include "signalr_payload.h"
#include "signalr_state.h"

/* WebSocket opcode of a Close frame (RFC 6455, 5.5.1). */
#define WS_OPCODE_CLOSE 8

/* websocket.opcode; set once at handoff, -1 when WebSocket is not registered. */
static int hf_ws_opcode = -1;

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

GArray *signalr_ws_wanted_fields(void)
{
    if (hf_ws_opcode < 0) {
        return NULL;
    }
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    g_array_append_val(wanted, hf_ws_opcode);
    return wanted;
}

gboolean signalr_ws_close_in_frame(proto_tree *tree)
{
    if (tree == NULL || hf_ws_opcode < 0) {
        return FALSE;
    }
    GPtrArray *found = proto_get_finfo_ptr_array(tree, hf_ws_opcode);
    for (guint i = 0; found != NULL && i < found->len; i++) {
        field_info *fi = g_ptr_array_index(found, i);
        if (fvalue_get_uinteger(&fi->value) == WS_OPCODE_CLOSE) {
            return TRUE;
        }
    }
    return FALSE;
}

void signalr_ws_handoff(void)
{
    hf_ws_opcode = proto_registrar_get_id_byname("websocket.opcode");
    heur_dissector_add("ws", dissect_ws_message, "SignalR over WebSocket", "signalr_ws",
                       signalr_hf.proto, HEURISTIC_ENABLE);
}

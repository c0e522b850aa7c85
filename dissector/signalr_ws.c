/* WebSocket heuristic: SignalR persistent responses, hub messages and keepalives. */
#include "signalr_ws.h"

#include <epan/packet.h>

#include "signalr_fields.h"
#include "signalr_message.h"
#include "signalr_payload.h"
#include "signalr_state.h"

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

void signalr_ws_handoff(void)
{
    heur_dissector_add("ws", dissect_ws_message, "SignalR over WebSocket", "signalr_ws",
                       signalr_hf.proto, HEURISTIC_ENABLE);
}

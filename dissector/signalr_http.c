/* HTTP hooks: request classification in a postdissector, bodies through media_type handlers
 * (see signalr_http.h). */
#include "signalr_http.h"

#include <epan/conversation.h>
#include <epan/dissectors/packet-http.h>
#include <epan/proto_data.h>

#include "protocol/sr_request.h"
#include "signalr_fields.h"
#include "signalr_message.h"
#include "signalr_payload.h"
#include "signalr_state.h"
#include "signalr_stream.h"
#include "signalr_ws.h"

/* Content types whose bodies SignalR uses; each handler chains to the one it replaces. */
static const char *const media_types[] = {
    "application/json",  "application/x-www-form-urlencoded", "text/event-stream",
    "text/html",         "application/javascript",
};
#define MEDIA_TYPE_COUNT G_N_ELEMENTS(media_types)

/* Set once at handoff and only read afterwards. */
static struct {
    int proto_http;
    int proto_tcp;
    dissector_handle_t post;
    dissector_handle_t http_tcp;
    dissector_handle_t receive_relay;
    dissector_handle_t previous[MEDIA_TYPE_COUNT];
} hooks = {.proto_http = -1, .proto_tcp = -1};

typedef struct {
    const char *method;
    const char *target;
} request_line;

dissector_handle_t signalr_http_tcp_handle(void)
{
    return hooks.http_tcp;
}

static http_conv_t *http_conversation(packet_info *pinfo)
{
    conversation_t *conv = signalr_frame_conversation(pinfo);
    return conv != NULL ? conversation_get_proto_data(conv, hooks.proto_http) : NULL;
}

static http_req_res_t *http_exchange(packet_info *pinfo)
{
    return p_get_proto_data(wmem_file_scope(), pinfo, hooks.proto_http, 0);
}

/* HTTP's conversation holds the latest request line, which is rewritten whenever frames are
 * revisited: keep this frame's copy from the first pass. */
static const request_line *frame_request_line(packet_info *pinfo)
{
    request_line *line = p_get_proto_data(wmem_file_scope(), pinfo, signalr_hf.proto,
                                          KEY_REQUEST_LINE);
    if (line != NULL || PINFO_FD_VISITED(pinfo)) {
        return line;
    }
    http_conv_t *http = http_conversation(pinfo);
    if (http == NULL || http->request_uri == NULL || http->request_method == NULL) {
        return NULL;
    }
    line = wmem_new(wmem_file_scope(), request_line);
    line->method = wmem_strdup(wmem_file_scope(), http->request_method);
    line->target = wmem_strdup(wmem_file_scope(), http->request_uri);
    p_add_proto_data(wmem_file_scope(), pinfo, signalr_hf.proto, KEY_REQUEST_LINE, line);
    return line;
}

static signalr_conn *request_connection(const sr_request *req)
{
    const sr_param *p = &req->params[SR_PARAM_CONNECTION_TOKEN];
    if (!(p->present && p->status == SR_OK)) {
        p = &req->params[SR_PARAM_CONNECTION_ID];
    }
    if (!(p->present && p->status == SR_OK) || p->value.len == 0) {
        return NULL;
    }
    return signalr_conn_for_token(p->value.data, p->value.len);
}

static gboolean is_receive(sr_request_kind kind)
{
    return kind == SR_REQUEST_CONNECT || kind == SR_REQUEST_RECONNECT || kind == SR_REQUEST_POLL;
}

/* "HTTP/1.x 2" or "HTTP/1.x 1": the start of an answer that takes the request. */
#define STATUS_LINE_START 10

/* Whether the segment opens with the status line of an answer that takes its request. */
static gboolean opens_taking_answer(tvbuff_t *tvb)
{
    if (tvb_captured_length(tvb) < STATUS_LINE_START || tvb_strneql(tvb, 0, "HTTP/1.", 7) != 0) {
        return FALSE;
    }
    guint8 status = tvb_get_guint8(tvb, STATUS_LINE_START - 1);
    return status == '1' || status == '2';
}

/* First pass, after HTTP: the answer to the receive request of this TCP connection started in
 * this frame although HTTP may hold it for reassembly (a long poll answered in chunks). An
 * answer HTTP completed in this frame was already taken by dissect_response(). */
static void notice_answer_start(packet_info *pinfo)
{
    if (PINFO_FD_VISITED(pinfo) ||
        p_get_proto_data(pinfo->pool, pinfo, signalr_hf.proto, KEY_ANSWER_START) == NULL) {
        return;
    }
    signalr_tcp_state *tcp = signalr_tcp_get(pinfo);
    if (tcp == NULL || tcp->opened || tcp->ended || tcp->last_request == NULL ||
        !is_receive(tcp->last_request->kind) || !signalr_tcp_from_server(tcp, pinfo)) {
        return;
    }
    signalr_receive_started(pinfo, tcp);
}

/* "HTTP/1.x 101": an answer that upgrades the connection (to WebSocket, for SignalR). */
static gboolean opens_upgrade(tvbuff_t *tvb)
{
    return tvb_captured_length(tvb) >= STATUS_LINE_START + 2 &&
           tvb_strneql(tvb, 0, "HTTP/1.", 7) == 0 &&
           tvb_strneql(tvb, STATUS_LINE_START - 1, "101", 3) == 0;
}

/* First pass: WebSocket frames that follow an upgrading answer's header block in the same
 * segment reach WebSocket before the Close relay is in place; look at them here. */
static void notice_close_after_upgrade(tvbuff_t *tvb, packet_info *pinfo)
{
    gint offset = 0, next = 0, end = (gint)tvb_captured_length(tvb);
    while (offset < end) {
        gint len = tvb_find_line_end(tvb, offset, -1, &next, FALSE);
        if (len < 0 || next <= offset) {
            return;
        }
        offset = next;
        if (len == 0) { /* the empty line that ends the header block */
            if (offset < end) {
                signalr_ws_notice_close(tvb_new_subset_remaining(tvb, offset), pinfo);
            }
            return;
        }
    }
}

/* TCP's handler of a connection that carries a receive request: notes an answer's status line
 * in each segment before HTTP sees it (HTTP may keep the answer for reassembly), then calls
 * HTTP as TCP would have. */
static int relay_to_http(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (!PINFO_FD_VISITED(pinfo) && opens_taking_answer(tvb)) {
        p_add_proto_data(pinfo->pool, pinfo, signalr_hf.proto, KEY_ANSWER_START,
                         GUINT_TO_POINTER(1));
        if (opens_upgrade(tvb)) {
            notice_close_after_upgrade(tvb, pinfo);
        }
    }
    /* Every call_dissector hop takes one from can_desegment: give it back so that HTTP can
     * still ask TCP for more segments. */
    guint16 saved = pinfo->can_desegment;
    pinfo->can_desegment = saved > 0 ? saved + 1 : 0;
    int used = call_dissector_only(hooks.http_tcp, tvb, pinfo, tree, data);
    pinfo->can_desegment = saved;
    return used;
}

/* Whether the protocol is one of this frame's layers (by id: cheaper than by name). */
static gboolean frame_has_layer(packet_info *pinfo, int proto)
{
    for (wmem_list_frame_t *it = wmem_list_head(pinfo->layers); it != NULL && proto >= 0;
         it = wmem_list_frame_next(it)) {
        if (GPOINTER_TO_INT(wmem_list_frame_data(it)) == proto) {
            return TRUE;
        }
    }
    return FALSE;
}

/* True when HTTP sits right on TCP in this frame (not on TLS or a proxy tunnel), so that
 * TCP's handler of the connection may be replaced by one that calls HTTP. */
static gboolean http_on_tcp(packet_info *pinfo)
{
    wmem_list_frame_t *it = wmem_list_head(pinfo->layers);
    while (it != NULL && GPOINTER_TO_INT(wmem_list_frame_data(it)) != hooks.proto_tcp) {
        it = wmem_list_frame_next(it);
    }
    it = it != NULL ? wmem_list_frame_next(it) : NULL;
    return it != NULL && GPOINTER_TO_INT(wmem_list_frame_data(it)) == hooks.proto_http;
}

/* First pass, at a receive request that the stream takeover leaves to HTTP: the following
 * segments of its TCP connection pass through relay_to_http(). */
static void relay_answer(packet_info *pinfo)
{
    if (hooks.http_tcp != NULL && http_on_tcp(pinfo)) {
        conversation_set_dissector_from_frame_number(find_or_create_conversation(pinfo),
                                                     pinfo->num + 1, hooks.receive_relay);
    }
}

/* First pass: remember the request and pin a receive transport to its TCP connection. */
static signalr_request_rec *record_request(packet_info *pinfo, const sr_request *req)
{
    signalr_request_rec *rec =
        signalr_request_add(pinfo->num, req->kind, req->transport, request_connection(req));
    signalr_tcp_state *tcp = signalr_tcp_get_or_create(pinfo);
    tcp->last_request = rec;
    tcp->server_port = pinfo->destport;
    if (is_receive(req->kind)) {
        tcp->ended = FALSE;
        tcp->opened = FALSE;
        tcp->stream_mode = 0;
    }
    if (!is_receive(req->kind)) {
        return rec;
    }
    if (signalr_prefs.stream_takeover && (req->transport == SR_TRANSPORT_SERVER_SENT_EVENTS ||
                                          req->transport == SR_TRANSPORT_FOREVER_FRAME)) {
        signalr_stream_take_over(pinfo);
    } else if (signalr_prefs.track_lifecycle) {
        relay_answer(pinfo);
    }
    return rec;
}

static void dissect_request(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    const request_line *line = frame_request_line(pinfo);
    if (line == NULL) {
        return;
    }
    tvbuff_t *form = p_get_proto_data(pinfo->pool, pinfo, signalr_hf.proto, KEY_FORM_BODY);
    sr_request req;
    sr_error err = {0};
    sr_status status = signalr_parse_request(pinfo, line->method, line->target, form, &req, &err);
    if (req.kind == SR_REQUEST_NOT_SIGNALR) {
        sr_request_clear(&req);
        return;
    }
    signalr_request_rec *rec = PINFO_FD_VISITED(pinfo) ? signalr_request_lookup(pinfo->num)
                                                       : record_request(pinfo, &req);
    signalr_origin origin = {.conn = rec != NULL ? rec->conn : NULL, .request = req.kind,
                             .transport = req.transport, .is_request = TRUE};
    signalr_message msg;
    signalr_message_begin(tvb, pinfo, tree, &origin, &msg);
    proto_item_set_len(msg.item, 0);
    signalr_show_request(tvb, pinfo, &msg, &req, form);
    if (status != SR_OK) {
        signalr_add_malformed(pinfo, msg.tree, tvb, 0, 0, "request", &err);
    }
    signalr_message_end(pinfo, &msg);
    signalr_message_set_info(pinfo, sr_request_kind_name(req.kind));
    sr_request_clear(&req);
}

/* On the first pass: whether this response refuses its request (HTTP 4xx/5xx), remembered
 * for later passes. */
static gboolean response_refused(packet_info *pinfo, unsigned *status)
{
    if (PINFO_FD_VISITED(pinfo)) {
        return p_get_proto_data(wmem_file_scope(), pinfo, signalr_hf.proto, KEY_REFUSAL) != NULL;
    }
    http_conv_t *http = http_conversation(pinfo);
    *status = http != NULL ? http->response_code : 0;
    if (*status < 400) {
        return FALSE;
    }
    p_add_proto_data(wmem_file_scope(), pinfo, signalr_hf.proto, KEY_REFUSAL, GUINT_TO_POINTER(1));
    return TRUE;
}

/* Responses without a SignalR body still belong to their connection (the 101 of a WebSocket
 * connect, the headers of a stream, an empty /abort answer), so they get a SignalR item too.
 * A refusal of a request that carried a token is a finding of its own. */
static void dissect_response(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                             const http_req_res_t *rr)
{
    signalr_request_rec *rec = signalr_request_lookup(rr->req_framenum);
    if (rec == NULL || rec->conn == NULL) {
        return;
    }
    unsigned status = 0;
    gboolean refused = response_refused(pinfo, &status);
    signalr_findings answered = {.scope = wmem_file_scope()};
    if (!PINFO_FD_VISITED(pinfo) && is_receive(rec->kind)) {
        signalr_receive_answered(pinfo, rec, refused, &answered);
        if (rec->transport == SR_TRANSPORT_WEBSOCKETS && signalr_prefs.track_lifecycle) {
            signalr_ws_relay_upgrade(http_conversation(pinfo));
        }
    }
    if (!refused && signalr_message_count(pinfo) > 0) {
        signalr_message_queue_findings(pinfo, rec->conn, &answered);
        return;
    }
    signalr_origin origin = {.conn = rec->conn, .request = rec->kind,
                             .transport = rec->transport, .from_server = TRUE};
    signalr_message msg;
    signalr_message_begin(tvb, pinfo, tree, &origin, &msg);
    proto_item_set_len(msg.item, 0);
    const char *label = refused ? "refused" : "response";
    proto_tree_add_string(msg.tree, signalr_hf.message_type, tvb, 0, 0, label);
    if (msg.first_pass && refused && signalr_prefs.track_lifecycle) {
        signalr_life_rejected(rec->kind, status, &msg.verdict->findings);
    }
    if (msg.first_pass) {
        signalr_findings_append(&msg.verdict->findings, &answered);
    }
    signalr_message_end(pinfo, &msg);
    if (refused || signalr_message_count(pinfo) == 1) {
        signalr_message_set_info(pinfo, label);
    }
}

static int dissect_postdissector(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    (void)data;
    signalr_message_tick(pinfo);
    http_req_res_t *rr = frame_has_layer(pinfo, hooks.proto_http) ? http_exchange(pinfo) : NULL;
    if (rr != NULL && rr->req_framenum == pinfo->num) {
        dissect_request(tvb, pinfo, tree);
    } else if (rr != NULL && rr->res_framenum == pinfo->num) {
        dissect_response(tvb, pinfo, tree, rr);
    }
    notice_answer_start(pinfo);
    signalr_message_show_frame_findings(tvb, pinfo, tree);
    return 0;
}

/* A response body: what it is depends on the request it answers. */
static void dissect_response_body(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    http_req_res_t *rr = http_exchange(pinfo);
    signalr_request_rec *rec = rr != NULL ? signalr_request_lookup(rr->req_framenum) : NULL;
    if (rec == NULL || rec->kind == SR_REQUEST_HUBS || tvb_captured_length(tvb) == 0) {
        return;
    }
    if (rec->kind == SR_REQUEST_NEGOTIATE) {
        signalr_dissect_negotiate(tvb, pinfo, tree, rec);
        return;
    }
    if (is_receive(rec->kind) && (rec->transport == SR_TRANSPORT_SERVER_SENT_EVENTS ||
                                  rec->transport == SR_TRANSPORT_FOREVER_FRAME)) {
        signalr_stream_dissect_body(tvb, pinfo, tree, rec);
        return;
    }
    signalr_origin origin = {.conn = rec->conn, .request = rec->kind,
                             .transport = rec->transport, .from_server = TRUE};
    signalr_message msg;
    signalr_message_begin(tvb, pinfo, tree, &origin, &msg);
    const char *label = signalr_show_json(tvb, pinfo, &msg, 0, (int)tvb_captured_length(tvb));
    signalr_message_end(pinfo, &msg);
    signalr_message_set_info(pinfo, label);
}

static int dissect_media(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data,
                         size_t which)
{
    const http_message_info_t *mi = data;
    if (mi != NULL && frame_has_layer(pinfo, hooks.proto_http)) {
        if (mi->type == HTTP_REQUEST) {
            p_add_proto_data(pinfo->pool, pinfo, signalr_hf.proto, KEY_FORM_BODY, tvb);
        } else if (mi->type == HTTP_RESPONSE) {
            dissect_response_body(tvb, pinfo, tree);
        }
    }
    if (hooks.previous[which] != NULL) {
        call_dissector_with_data(hooks.previous[which], tvb, pinfo, tree, data);
    }
    return (int)tvb_captured_length(tvb);
}

/* One entry point per content type, so each knows which previous handler to chain to. */
#define MEDIA_ENTRY(n)                                                                       \
    static int dissect_media_##n(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,        \
                                 void *data)                                                 \
    {                                                                                        \
        return dissect_media(tvb, pinfo, tree, data, n);                                     \
    }
MEDIA_ENTRY(0)
MEDIA_ENTRY(1)
MEDIA_ENTRY(2)
MEDIA_ENTRY(3)
MEDIA_ENTRY(4)
#undef MEDIA_ENTRY

static dissector_t const media_entries[MEDIA_TYPE_COUNT] = {
    dissect_media_0, dissect_media_1, dissect_media_2, dissect_media_3, dissect_media_4,
};

void signalr_http_register(void)
{
    hooks.post = create_dissector_handle(dissect_postdissector, signalr_hf.proto);
    register_postdissector(hooks.post);
}

void signalr_http_handoff(void)
{
    hooks.proto_http = proto_get_id_by_filter_name("http");
    hooks.proto_tcp = proto_get_id_by_filter_name("tcp");
    hooks.http_tcp = find_dissector("http-over-tcp");
    /* No protocol of its own: the relay adds no layer to the frame's protocol stack. */
    hooks.receive_relay = create_dissector_handle(relay_to_http, -1);
    for (size_t i = 0; i < MEDIA_TYPE_COUNT; i++) {
        hooks.previous[i] = dissector_get_string_handle(
            find_dissector_table("media_type"), media_types[i]);
        dissector_add_string("media_type", media_types[i],
                             create_dissector_handle(media_entries[i], signalr_hf.proto));
    }
}

/* Tree rendering of requests, negotiate answers, persistent responses and hub messages, over
 * the lifeline_protocol decoders (see signalr_payload.h). */
#include "signalr_payload.h"

#include <epan/expert.h>

#include "protocol/sr_cursor.h"
#include "protocol/sr_framing.h"
#include "protocol/sr_hub.h"
#include "protocol/sr_json.h"
#include "protocol/sr_negotiate.h"
#include "protocol/sr_payload.h"
#include "protocol/sr_persistent.h"
#include "protocol/sr_summary.h"
#include "protocol/sr_timing.h"
#include "protocol/sr_urlcode.h"
#include "signalr_fields.h"

/* ------------------------------------------------------------------ small helpers */

static const char *str_or_empty(const sr_string *s)
{
    return s->data != NULL ? s->data : "";
}

static void add_sr_string(proto_tree *tree, int hf, tvbuff_t *tvb, int off, int len,
                          const sr_string *s)
{
    if (s->data != NULL) {
        proto_tree_add_string(tree, hf, tvb, off, len, s->data);
    }
}

/* JSON text of a node for display; NULL node -> nothing added. */
static void add_json_node(proto_tree *tree, int hf, tvbuff_t *tvb, int off, int len,
                          JsonNode *node)
{
    if (node == NULL || tree == NULL) { /* serialising is the costly part: skip it unseen */
        return;
    }
    char *text = json_to_string(node, FALSE);
    proto_tree_add_string(tree, hf, tvb, off, len, text);
    g_free(text);
}

void signalr_add_malformed(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb, int off, int len,
                           const char *what, const sr_error *err)
{
    proto_tree_add_expert_format(tree, pinfo, &signalr_hf.ei_malformed, tvb, off, len,
                                 "%s: %s%s%s", what, sr_status_message(err->status),
                                 err->field != NULL ? " at " : "",
                                 err->field != NULL ? err->field : "");
}

/* Bytes of the tvb range, NUL-terminated, in packet scope; NULL when longer than cap. */
static char *copy_bytes(packet_info *pinfo, tvbuff_t *tvb, int off, int len, guint cap)
{
    if (len < 0 || (guint)len > cap) {
        return NULL;
    }
    char *buf = wmem_alloc(pinfo->pool, (size_t)len + 1);
    tvb_memcpy(tvb, buf, off, len);
    buf[len] = '\0';
    return buf;
}

/* ------------------------------------------------------------------ requests */

sr_status signalr_parse_request(packet_info *pinfo, const char *method, const char *target,
                                tvbuff_t *form, sr_request *req, sr_error *err)
{
    size_t target_len = strnlen(target, SIGNALR_MAX_REQUEST_TEXT + 1);
    const char *form_bytes = NULL;
    size_t form_len = 0;
    if (target_len > SIGNALR_MAX_REQUEST_TEXT) {
        memset(req, 0, sizeof *req);
        return sr_error_set(err, SR_ERR_FIELD_RANGE, "request-target", SR_NO_OFFSET);
    }
    if (form != NULL) {
        guint n = tvb_captured_length(form);
        if (n <= SIGNALR_MAX_REQUEST_TEXT) {
            form_bytes = (const char *)tvb_memdup(pinfo->pool, form, 0, n);
            form_len = n;
        }
    }
    return sr_request_parse(method, strlen(method), target, target_len, form_bytes, form_len, req,
                            err);
}

static const sr_string *param(const sr_request *req, sr_param_id id)
{
    const sr_param *p = &req->params[id];
    return p->present && p->status == SR_OK ? &p->value : NULL;
}

static void add_param(proto_tree *tree, int hf, tvbuff_t *tvb, const sr_request *req,
                      sr_param_id id)
{
    const sr_string *s = param(req, id);
    if (s != NULL) {
        add_sr_string(tree, hf, tvb, 0, 0, s);
    }
}

static void show_hub_invocation(proto_tree *tree, tvbuff_t *tvb, int off, int len,
                                const sr_hub_invocation *inv)
{
    add_sr_string(tree, signalr_hf.hub, tvb, off, len, &inv->hub);
    add_sr_string(tree, signalr_hf.method, tvb, off, len, &inv->method);
    add_json_node(tree, signalr_hf.arguments, tvb, off, len, inv->args);
    add_sr_string(tree, signalr_hf.invocation_id, tvb, off, len, &inv->invocation_id);
}

static void show_form_data(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                           const sr_string *data)
{
    proto_tree_add_string(tree, signalr_hf.form_data, tvb, 0, 0, str_or_empty(data));
    sr_hub_invocation inv = {0};
    sr_error err = {0};
    if (sr_hub_invocation_parse(data->data, data->len, &inv, &err) == SR_OK) {
        proto_item *pi;
        proto_tree *hub = proto_tree_add_subtree(tree, tvb, 0, 0, signalr_hf.ett_hub, &pi,
                                                 "Hub invocation");
        show_hub_invocation(hub, tvb, 0, 0, &inv);
    } else if (err.status != SR_ERR_MISSING_FIELD) {
        signalr_add_malformed(pinfo, tree, tvb, 0, 0, "send data", &err);
    }
    sr_hub_invocation_clear(&inv);
}

static void add_tid(proto_tree *tree, tvbuff_t *tvb, const sr_request *req)
{
    const sr_string *tid = param(req, SR_PARAM_TID);
    guint64 value;
    if (tid != NULL && g_ascii_string_to_unsigned(tid->data, 10, 0, G_MAXUINT32, &value, NULL)) {
        proto_tree_add_uint(tree, signalr_hf.tid, tvb, 0, 0, (guint32)value);
    }
}

/* First pass: a hub call sent with /send (its form's data=) awaits its result. Only the end of
 * a WebSocket transport turns pending calls into a finding, and a connection never moves to
 * WebSockets after another transport (the client tries it first), so calls sent under any
 * other transport are not worth parsing the form for. */
static void note_sent_call(const signalr_message *msg, const sr_string *data)
{
    signalr_conn *conn = msg->verdict->conn;
    if (!msg->first_pass || conn == NULL || data == NULL || !signalr_prefs.track_lifecycle ||
        conn->life.receive_transport != SR_TRANSPORT_WEBSOCKETS) {
        return;
    }
    sr_hub_invocation inv = {0};
    sr_error err = {0};
    if (sr_hub_invocation_parse(data->data, data->len, &inv, &err) == SR_OK &&
        inv.invocation_id.data != NULL) {
        signalr_life_call(&conn->life, inv.invocation_id.data, inv.invocation_id.len);
    }
    sr_hub_invocation_clear(&inv);
}

void signalr_show_request(tvbuff_t *tvb, packet_info *pinfo, signalr_message *msg,
                          const sr_request *req, tvbuff_t *form)
{
    if (req->kind == SR_REQUEST_SEND) {
        const sr_string *sent = param(req, SR_PARAM_FORM_DATA);
        note_sent_call(msg, sent != NULL ? sent : param(req, SR_PARAM_DATA));
    }
    if (msg->tree == NULL) {
        return;
    }
    proto_item *ri = proto_tree_add_item(msg->tree, signalr_hf.request, tvb, 0, 0, ENC_NA);
    proto_tree *tree = proto_item_add_subtree(ri, signalr_hf.ett_request);
    proto_item_append_text(ri, ": %s", sr_request_kind_name(req->kind));
    proto_tree_add_string(tree, signalr_hf.request_kind, tvb, 0, 0,
                          sr_request_kind_name(req->kind));
    if (req->transport != SR_TRANSPORT_NONE) {
        proto_tree_add_string(tree, signalr_hf.transport, tvb, 0, 0,
                              sr_transport_name(req->transport));
    }
    add_param(tree, signalr_hf.client_protocol, tvb, req, SR_PARAM_CLIENT_PROTOCOL);
    add_param(tree, signalr_hf.connection_data, tvb, req, SR_PARAM_CONNECTION_DATA);
    const sr_string *cursor = sr_request_message_id(req);
    if (cursor != NULL) {
        add_sr_string(tree, signalr_hf.message_id, tvb, 0, 0, cursor);
    }
    const sr_string *groups = param(req, SR_PARAM_FORM_GROUPS_TOKEN);
    add_param(tree, signalr_hf.groups_token, tvb, req,
              groups != NULL ? SR_PARAM_FORM_GROUPS_TOKEN : SR_PARAM_GROUPS_TOKEN);
    add_tid(tree, tvb, req);
    if (req->params[SR_PARAM_FRAME_ID].present && req->params[SR_PARAM_FRAME_ID].status == SR_OK) {
        proto_tree_add_uint(tree, signalr_hf.frame_id, tvb, 0, 0, req->frame_id);
    }
    const sr_string *data = param(req, SR_PARAM_FORM_DATA);
    if (data == NULL) {
        data = param(req, SR_PARAM_DATA);
    }
    if (data != NULL && form != NULL) {
        show_form_data(tree, form, pinfo, data);
    } else if (data != NULL) {
        show_form_data(tree, tvb, pinfo, data);
    }
}

/* ------------------------------------------------------------------ negotiate */

static void learn_connection(signalr_conn *conn, const sr_negotiate *neg, guint32 frame,
                             const nstime_t *now)
{
    if (neg->connection_id.data != NULL) {
        conn->connection_id = wmem_strdup(wmem_file_scope(), neg->connection_id.data);
    }
    conn->negotiate_frame = frame;
    sr_timing_from_negotiate(neg, &conn->settings);
    conn->settings_assumed = FALSE;
    if (signalr_prefs.track_lifecycle) {
        signalr_life_negotiated(&conn->life, now);
        signalr_watch_add(conn);
    }
}

static void add_duration(proto_tree *tree, int hf, tvbuff_t *tvb, int len, const sr_duration *d)
{
    if (d->present && !d->is_null) {
        proto_tree_add_double(tree, hf, tvb, 0, len, (double)d->ms / 1000.0);
    }
}

static void show_negotiate(proto_tree *parent, tvbuff_t *tvb, const sr_negotiate *neg)
{
    int len = (int)tvb_captured_length(tvb);
    proto_item *ni = proto_tree_add_item(parent, signalr_hf.negotiate, tvb, 0, len, ENC_NA);
    proto_tree *tree = proto_item_add_subtree(ni, signalr_hf.ett_negotiate);
    add_sr_string(tree, signalr_hf.negotiate_url, tvb, 0, len, &neg->url);
    add_sr_string(tree, signalr_hf.protocol_version, tvb, 0, len, &neg->protocol_version);
    add_duration(tree, signalr_hf.keepalive_timeout, tvb, len, &neg->keep_alive_timeout);
    add_duration(tree, signalr_hf.disconnect_timeout, tvb, len, &neg->disconnect_timeout);
    add_duration(tree, signalr_hf.connection_timeout, tvb, len, &neg->connection_timeout);
    add_duration(tree, signalr_hf.transport_connect_timeout, tvb, len,
                 &neg->transport_connect_timeout);
    add_duration(tree, signalr_hf.long_poll_delay, tvb, len, &neg->long_poll_delay);
    if (neg->fields & SR_NEG_TRY_WEBSOCKETS) {
        proto_tree_add_boolean(tree, signalr_hf.try_websockets, tvb, 0, len,
                               neg->try_websockets);
    }
    add_duration(tree, signalr_hf.keepalive_period, tvb, len, &neg->keep_alive);
    add_sr_string(tree, signalr_hf.websocket_server_url, tvb, 0, len, &neg->websocket_server_url);
    add_sr_string(tree, signalr_hf.redirect_url, tvb, 0, len, &neg->redirect_url);
    add_sr_string(tree, signalr_hf.access_token, tvb, 0, len, &neg->access_token);
    add_sr_string(tree, signalr_hf.negotiate_error, tvb, 0, len, &neg->error);
}

void signalr_dissect_negotiate(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                               signalr_request_rec *rec)
{
    int len = (int)tvb_captured_length(tvb);
    char *bytes = copy_bytes(pinfo, tvb, 0, len, SIGNALR_MAX_JSON_TEXT);
    sr_negotiate neg = {0};
    sr_error err = {0};
    sr_status st = bytes != NULL ? sr_negotiate_parse(bytes, (size_t)len, &neg, &err)
                                 : sr_error_set(&err, SR_ERR_FIELD_RANGE, NULL, SR_NO_OFFSET);
    if (st == SR_OK && !PINFO_FD_VISITED(pinfo) && neg.connection_token.data != NULL) {
        rec->conn = signalr_conn_for_token(neg.connection_token.data, neg.connection_token.len);
        learn_connection(rec->conn, &neg, pinfo->num, &pinfo->abs_ts);
    }
    signalr_origin origin = {.conn = rec->conn, .request = SR_REQUEST_NEGOTIATE,
                             .from_server = TRUE};
    signalr_message msg;
    signalr_message_begin(tvb, pinfo, tree, &origin, &msg);
    proto_tree_add_string(msg.tree, signalr_hf.message_type, tvb, 0, len, "negotiate-response");
    if (st == SR_OK) {
        show_negotiate(msg.tree, tvb, &neg);
    } else {
        signalr_add_malformed(pinfo, msg.tree, tvb, 0, len, "negotiate response", &err);
    }
    sr_negotiate_clear(&neg);
    signalr_message_end(pinfo, &msg);
    signalr_message_set_info(pinfo, "negotiate response");
}

/* ------------------------------------------------------------------ JSON payloads */

static void show_hub_result(proto_tree *tree, tvbuff_t *tvb, int off, int len,
                            const sr_hub_result *res)
{
    add_sr_string(tree, signalr_hf.invocation_id, tvb, off, len, &res->invocation_id);
    add_json_node(tree, signalr_hf.result, tvb, off, len, res->result);
    add_sr_string(tree, signalr_hf.hub_error, tvb, off, len, &res->error);
    if (res->fields & SR_HUB_RESULT_H) {
        proto_tree_add_boolean(tree, signalr_hf.hub_exception, tvb, off, len,
                               res->is_hub_exception);
    }
}

static void show_hub_progress(proto_tree *tree, tvbuff_t *tvb, int off, int len,
                              const sr_hub_progress *prog)
{
    add_sr_string(tree, signalr_hf.invocation_id, tvb, off, len, &prog->invocation_id);
    add_json_node(tree, signalr_hf.progress, tvb, off, len, prog->data);
}

/* One hub-level value (an element of M, or a whole WebSocket message / /send response). */
static void show_hub_value(proto_tree *parent, packet_info *pinfo, tvbuff_t *tvb, int off,
                           int len, JsonNode *value)
{
    if (parent == NULL) { /* hub messages carry no lifecycle facts: decode them only to show */
        return;
    }
    sr_message_kind kind = sr_hub_classify(value);
    proto_item *pi;
    proto_tree *tree = proto_tree_add_subtree(parent, tvb, off, len, signalr_hf.ett_hub, &pi,
                                              sr_message_kind_name(kind));
    sr_error err = {0};
    switch (kind) {
    case SR_MESSAGE_HUB_INVOCATION: {
        sr_hub_invocation inv = {0};
        if (sr_hub_invocation_from_node(value, &inv, &err) == SR_OK) {
            show_hub_invocation(tree, tvb, off, len, &inv);
        } else {
            signalr_add_malformed(pinfo, tree, tvb, off, len, "hub invocation", &err);
        }
        sr_hub_invocation_clear(&inv);
        break;
    }
    case SR_MESSAGE_HUB_RESULT: {
        sr_hub_result res = {0};
        if (sr_hub_result_from_node(value, &res, &err) == SR_OK) {
            show_hub_result(tree, tvb, off, len, &res);
        } else {
            signalr_add_malformed(pinfo, tree, tvb, off, len, "hub result", &err);
        }
        sr_hub_result_clear(&res);
        break;
    }
    case SR_MESSAGE_HUB_PROGRESS: {
        sr_hub_progress prog = {0};
        if (sr_hub_progress_from_node(value, &prog, &err) == SR_OK) {
            show_hub_progress(tree, tvb, off, len, &prog);
        } else {
            signalr_add_malformed(pinfo, tree, tvb, off, len, "hub progress", &err);
        }
        sr_hub_progress_clear(&prog);
        break;
    }
    case SR_MESSAGE_PERSISTENT_PAYLOAD:
        add_json_node(tree, signalr_hf.payload, tvb, off, len, value);
        break;
    }
}

static char *cursor_prefix_text(const sr_cursor *c)
{
    switch (c->prefix) {
    case SR_CURSOR_PREFIX_D: return g_strdup_printf("d-%X", c->prefix_id);
    case SR_CURSOR_PREFIX_S: return g_strdup("s");
    case SR_CURSOR_PREFIX_NONE: break;
    }
    return NULL;
}

static void show_cursor(signalr_message *msg, tvbuff_t *tvb, int off, int len,
                        const sr_persistent_response *resp)
{
    add_sr_string(msg->tree, signalr_hf.cursor, tvb, off, len, &resp->cursor_text);
    if (resp->cursor_status != SR_OK) {
        return;
    }
    char *prefix = cursor_prefix_text(&resp->cursor);
    if (prefix == NULL) {
        return;
    }
    proto_tree_add_string(msg->tree, signalr_hf.cursor_prefix, tvb, off, len, prefix);
    if (msg->first_pass && msg->verdict->conn != NULL && signalr_prefs.track_lifecycle) {
        signalr_life_cursor_prefix(&msg->verdict->conn->life, prefix, &msg->verdict->findings);
    }
    g_free(prefix);
}

static const char *show_persistent(signalr_message *msg, packet_info *pinfo, tvbuff_t *tvb,
                                   int off, int len, JsonNode *root)
{
    sr_persistent_response resp = {0};
    sr_error err = {0};
    const char *label = "message";
    if (sr_persistent_from_node(root, &resp, &err) != SR_OK) {
        signalr_add_malformed(pinfo, msg->tree, tvb, off, len, "persistent response", &err);
        sr_persistent_clear(&resp);
        return "malformed";
    }
    show_cursor(msg, tvb, off, len, &resp);
    proto_tree *t = msg->tree;
    if (resp.fields & SR_PERSISTENT_S) {
        proto_tree_add_uint(t, signalr_hf.init, tvb, off, len, (guint32)resp.initialized);
        label = "init";
    }
    if (resp.fields & SR_PERSISTENT_D) {
        proto_tree_add_uint(t, signalr_hf.disconnect, tvb, off, len, (guint32)resp.disconnect);
        label = "disconnect";
        signalr_conn *conn = msg->verdict->conn;
        if (msg->first_pass && resp.disconnect == 1 && conn != NULL &&
            signalr_prefs.track_lifecycle) {
            signalr_life_disconnect_command(&conn->life, &conn->settings, msg->origin.request,
                                            &msg->verdict->findings);
        }
    }
    if (resp.fields & SR_PERSISTENT_T) {
        proto_tree_add_uint(t, signalr_hf.shutdown, tvb, off, len, (guint32)resp.timed_out);
    }
    add_sr_string(t, signalr_hf.groups_token, tvb, off, len, &resp.groups_token);
    if (resp.fields & SR_PERSISTENT_L) {
        proto_tree_add_uint(t, signalr_hf.poll_delay_ms, tvb, off, len,
                            (guint32)MIN(resp.long_poll_delay_ms, G_MAXUINT32));
    }
    add_sr_string(t, signalr_hf.global_error, tvb, off, len, &resp.error);
    if (resp.fields & SR_PERSISTENT_M) {
        proto_tree_add_uint(t, signalr_hf.message_count, tvb, off, len,
                            (guint32)MIN(resp.message_count, G_MAXUINT32));
    }
    for (size_t i = 0; i < resp.message_count; i++) {
        show_hub_value(t, pinfo, tvb, off, len, sr_persistent_message(&resp, i));
    }
    sr_persistent_clear(&resp);
    return label;
}

static void show_response_text(proto_tree *tree, tvbuff_t *tvb, int off, int len, JsonNode *root)
{
    sr_string text = {0};
    sr_field_state state = SR_FIELD_ABSENT;
    if (JSON_NODE_HOLDS_OBJECT(root) &&
        sr_json_get_string(json_node_get_object(root), "Response", FALSE, &text, &state, NULL) ==
            SR_OK &&
        state == SR_FIELD_PRESENT) {
        proto_tree_add_string(tree, signalr_hf.response_text, tvb, off, len, text.data);
    }
    sr_string_clear(&text);
}

static const char *show_keepalive(signalr_message *msg, tvbuff_t *tvb, int offset, int len)
{
    proto_tree_add_string(msg->tree, signalr_hf.message_type, tvb, offset, len, "keepalive");
    proto_tree_add_boolean(msg->tree, signalr_hf.keepalive, tvb, offset, len, TRUE);
    if (msg->first_pass) {
        msg->verdict->keepalive = TRUE;
    }
    return "keepalive";
}

/* First pass: a hub call the client sent over the WebSocket, or the result of one. */
static void note_call(const signalr_message *msg, JsonNode *root, gboolean is_call)
{
    signalr_conn *conn = msg->verdict->conn;
    if (!msg->first_pass || conn == NULL || !signalr_prefs.track_lifecycle) {
        return;
    }
    sr_error err = {0};
    if (is_call) {
        sr_hub_invocation inv = {0};
        if (sr_hub_invocation_from_node(root, &inv, &err) == SR_OK &&
            inv.invocation_id.data != NULL) {
            signalr_life_call(&conn->life, inv.invocation_id.data, inv.invocation_id.len);
        }
        sr_hub_invocation_clear(&inv);
        return;
    }
    sr_hub_result res = {0};
    if (sr_hub_result_from_node(root, &res, &err) == SR_OK && res.invocation_id.data != NULL) {
        signalr_life_result(&conn->life, res.invocation_id.data, res.invocation_id.len);
    }
    sr_hub_result_clear(&res);
}

/* ------------------------------------------------------------------ without a tree
 *
 * With no tree to fill, a message only has to yield its Info label and, on the first pass,
 * its lifecycle facts. The common shapes give both without a JSON tree (sr_summary.h), with
 * the same answers as the tree readers below; whatever the summaries decline goes to those. */

static gboolean tracks_lifecycle(const signalr_message *msg)
{
    return msg->first_pass && msg->verdict->conn != NULL && signalr_prefs.track_lifecycle;
}

/* The cursor prefix check of show_cursor(): only for a cursor whose whole text parses. */
static void quick_cursor(signalr_message *msg, sr_span text)
{
    sr_cursor cursor = {0};
    if (sr_cursor_parse(text.ptr, text.len, &cursor, NULL) == SR_OK) {
        char *prefix = cursor_prefix_text(&cursor);
        if (prefix != NULL) {
            signalr_life_cursor_prefix(&msg->verdict->conn->life, prefix,
                                       &msg->verdict->findings);
        }
        g_free(prefix);
    }
    sr_cursor_clear(&cursor);
}

/* show_persistent() for a summarised response, in the same order (cursor, then D). */
static const char *quick_persistent(signalr_message *msg, const sr_server_summary *sum)
{
    signalr_conn *conn = msg->verdict->conn;
    if ((sum->fields & SR_PERSISTENT_C) && tracks_lifecycle(msg)) {
        quick_cursor(msg, sum->cursor);
    }
    if ((sum->fields & SR_PERSISTENT_D) && sum->disconnect == 1 && tracks_lifecycle(msg)) {
        signalr_life_disconnect_command(&conn->life, &conn->settings, msg->origin.request,
                                        &msg->verdict->findings);
    }
    if (sum->fields & SR_PERSISTENT_D) {
        return "disconnect";
    }
    return (sum->fields & SR_PERSISTENT_S) ? "init" : "message";
}

static const char *quick_server(signalr_message *msg, const sr_server_summary *sum)
{
    switch (sum->kind) {
    case SR_PAYLOAD_KEEPALIVE:
        if (msg->first_pass) {
            msg->verdict->keepalive = TRUE;
        }
        break;
    case SR_PAYLOAD_PERSISTENT_RESPONSE:
        return quick_persistent(msg, sum);
    case SR_PAYLOAD_HUB_RESULT:
        msg->sign_of_life = FALSE; /* as in signalr_show_json() */
        if (tracks_lifecycle(msg)) {
            signalr_life_result(&msg->verdict->conn->life, sum->invocation_id.ptr,
                                sum->invocation_id.len);
        }
        break;
    default: /* responses to /start or /ping, other JSON: nothing but the label */
        break;
    }
    return sr_payload_kind_name(sum->kind);
}

/* A hub call the client sent, as signalr_show_json() reads it; NULL when declined. */
static const char *quick_client(signalr_message *msg, const char *bytes, size_t len)
{
    sr_invocation_summary inv;
    if (sr_summary_payload_invocation(bytes, len, &inv) != SR_OK) {
        return NULL;
    }
    if (inv.invocation_id.ptr != NULL && tracks_lifecycle(msg)) {
        signalr_life_call(&msg->verdict->conn->life, inv.invocation_id.ptr,
                          inv.invocation_id.len);
    }
    return sr_payload_kind_name(SR_PAYLOAD_HUB_INVOCATION);
}

/* The label of a message summarised without a tree, its lifecycle facts noted; NULL when the
 * summaries decline it. */
static const char *quick_json(signalr_message *msg, const char *bytes, size_t len)
{
    if (!msg->origin.from_server) {
        return quick_client(msg, bytes, len);
    }
    sr_server_summary sum;
    return sr_summary_server(bytes, len, &sum) == SR_OK ? quick_server(msg, &sum) : NULL;
}

/* ------------------------------------------------------------------ one JSON text */

const char *signalr_show_json(tvbuff_t *tvb, packet_info *pinfo, signalr_message *msg,
                              int offset, int len)
{
    char *bytes = copy_bytes(pinfo, tvb, offset, len, SIGNALR_MAX_JSON_TEXT);
    JsonNode *root = NULL;
    sr_error err = {0};
    if (bytes == NULL) {
        sr_error_set(&err, SR_ERR_FIELD_RANGE, NULL, SR_NO_OFFSET);
        signalr_add_malformed(pinfo, msg->tree, tvb, offset, len, "payload too large", &err);
        return "oversized";
    }
    if (sr_ws_is_keepalive(bytes, (size_t)len)) { /* "{}" on every transport: no JSON needed */
        return show_keepalive(msg, tvb, offset, len);
    }
    size_t spaces = sr_lp_keepalive_spaces(bytes, (size_t)len);
    if (spaces > 0) {
        proto_tree_add_uint(msg->tree, signalr_hf.keepalive_count, tvb, offset, (int)spaces,
                            (guint32)spaces);
    }
    const char *quick = msg->tree == NULL ? quick_json(msg, bytes, (size_t)len) : NULL;
    if (quick != NULL) {
        return quick;
    }
    if (sr_payload_parse(bytes, (size_t)len, &root, NULL, &err) != SR_OK) {
        signalr_add_malformed(pinfo, msg->tree, tvb, offset, len, "JSON", &err);
        return "malformed";
    }
    sr_payload_kind kind = sr_payload_classify_node(root);
    const char *label = sr_payload_kind_name(kind);
    proto_tree_add_string(msg->tree, signalr_hf.message_type, tvb, offset, len, label);
    switch (kind) {
    case SR_PAYLOAD_KEEPALIVE:
        proto_tree_add_boolean(msg->tree, signalr_hf.keepalive, tvb, offset, len, TRUE);
        if (msg->first_pass) {
            msg->verdict->keepalive = TRUE;
        }
        break;
    case SR_PAYLOAD_PERSISTENT_RESPONSE:
        label = show_persistent(msg, pinfo, tvb, offset, len, root);
        break;
    case SR_PAYLOAD_HUB_RESULT:
        msg->sign_of_life = FALSE; /* the JS client does not count results as activity */
        note_call(msg, root, FALSE);
        show_hub_value(msg->tree, pinfo, tvb, offset, len, root);
        break;
    case SR_PAYLOAD_HUB_INVOCATION:
        if (!msg->origin.from_server) {
            note_call(msg, root, TRUE);
        }
        show_hub_value(msg->tree, pinfo, tvb, offset, len, root);
        break;
    case SR_PAYLOAD_HUB_PROGRESS:
        show_hub_value(msg->tree, pinfo, tvb, offset, len, root);
        break;
    case SR_PAYLOAD_START_RESPONSE:
    case SR_PAYLOAD_PONG_RESPONSE:
    case SR_PAYLOAD_OTHER_RESPONSE:
        show_response_text(msg->tree, tvb, offset, len, root);
        break;
    case SR_PAYLOAD_OTHER:
        add_json_node(msg->tree, signalr_hf.payload, tvb, offset, len, root);
        break;
    }
    json_node_unref(root);
    return label;
}

/* Common header, first-pass lifecycle bookkeeping, expert items and tap feed of every SignalR
 * message (see signalr_message.h). */
#include "signalr_message.h"

#include <epan/dissectors/packet-tcp.h>
#include <epan/expert.h>
#include <epan/proto_data.h>
#include <epan/tap.h>

#include "signalr_fields.h"
#include "signalr_ws.h"

guint signalr_message_count(packet_info *pinfo)
{
    return GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, signalr_hf.proto,
                                             KEY_MESSAGE_COUNT));
}

static guint next_message_index(packet_info *pinfo)
{
    guint n = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, signalr_hf.proto,
                                                KEY_MESSAGE_COUNT));
    p_add_proto_data(pinfo->pool, pinfo, signalr_hf.proto, KEY_MESSAGE_COUNT,
                     GUINT_TO_POINTER(n + 1));
    return n;
}

static void note_server_frame(packet_info *pinfo, const signalr_origin *o, signalr_verdict *v)
{
    signalr_conn *conn = o->conn;
    if (conn->life.have_server_frame) {
        nstime_delta(&v->gap, &pinfo->abs_ts, &conn->life.last_server_frame);
        v->has_gap = TRUE;
    }
    conn->life.last_server_frame = pinfo->abs_ts;
    conn->life.have_server_frame = TRUE;
}

static void note_request(packet_info *pinfo, const signalr_origin *o, signalr_verdict *v)
{
    signalr_conn *conn = o->conn;
    if (!signalr_prefs.track_lifecycle) {
        return;
    }
    if (conn->settings_assumed && !conn->assumed_reported) {
        conn->assumed_reported = TRUE;
        signalr_life_settings_assumed(&conn->settings, &v->findings);
    }
    signalr_life_request(&conn->life, &conn->settings, o->request, o->transport,
                         &pinfo->abs_ts, &v->findings);
}

/* Data on a receive transport: the server took its request, whether its answer was
 * recognised or not. Runs before the payload's own rules (a disconnect command that answers
 * a late /reconnect refers to it). */
static void note_opened(packet_info *pinfo, const signalr_origin *o, signalr_verdict *v)
{
    if (o->receive == NULL || o->receive->opened || !signalr_prefs.track_lifecycle) {
        return;
    }
    o->receive->opened = TRUE;
    signalr_life_transport_opened(&o->conn->life, &o->conn->settings, &pinfo->abs_ts,
                                  &v->findings);
}

static signalr_verdict *first_pass_verdict(packet_info *pinfo, const signalr_origin *o)
{
    signalr_verdict *v = wmem_new0(wmem_file_scope(), signalr_verdict);
    v->conn = o->conn;
    v->findings.scope = wmem_file_scope();
    if (o->conn == NULL) {
        return v;
    }
    if (o->from_server) {
        note_server_frame(pinfo, o, v);
        note_opened(pinfo, o, v);
    } else if (o->is_request) {
        note_request(pinfo, o, v);
    }
    return v;
}

static void add_connection_items(tvbuff_t *tvb, proto_tree *tree, const signalr_verdict *v)
{
    const signalr_conn *conn = v->conn;
    proto_item *pi;
    if (conn == NULL) {
        return;
    }
    pi = proto_tree_add_string(tree, signalr_hf.token, tvb, 0, 0, conn->token);
    proto_item_set_generated(pi);
    if (conn->connection_id != NULL) {
        pi = proto_tree_add_string(tree, signalr_hf.connection_id, tvb, 0, 0,
                                   conn->connection_id);
        proto_item_set_generated(pi);
    }
    if (conn->negotiate_frame != 0) {
        pi = proto_tree_add_uint(tree, signalr_hf.negotiate_frame, tvb, 0, 0,
                                 conn->negotiate_frame);
        proto_item_set_generated(pi);
    }
    if (conn->settings_assumed) {
        pi = proto_tree_add_boolean(tree, signalr_hf.settings_assumed, tvb, 0, 0, TRUE);
        proto_item_set_generated(pi);
    }
    if (v->has_gap) {
        pi = proto_tree_add_time(tree, signalr_hf.gap, tvb, 0, 0, &v->gap);
        proto_item_set_generated(pi);
    }
}

void signalr_message_begin(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                           const signalr_origin *origin, signalr_message *msg)
{
    guint key = KEY_MESSAGE_BASE + next_message_index(pinfo);
    msg->first_pass = !PINFO_FD_VISITED(pinfo);
    msg->verdict = p_get_proto_data(wmem_file_scope(), pinfo, signalr_hf.proto, key);
    if (msg->verdict == NULL) {
        msg->verdict = msg->first_pass ? first_pass_verdict(pinfo, origin)
                                       : wmem_new0(wmem_file_scope(), signalr_verdict);
        p_add_proto_data(wmem_file_scope(), pinfo, signalr_hf.proto, key, msg->verdict);
    } else {
        msg->first_pass = FALSE;
    }
    msg->tvb = tvb;
    msg->origin = *origin;
    msg->sign_of_life = TRUE;
    msg->item = proto_tree_add_item(tree, signalr_hf.proto, tvb, 0, -1, ENC_NA);
    msg->tree = proto_item_add_subtree(msg->item, signalr_hf.ett_signalr);
    add_connection_items(tvb, msg->tree, msg->verdict);
}

static void add_findings(packet_info *pinfo, proto_tree *tree, proto_item *item, tvbuff_t *tvb,
                         const signalr_findings *f)
{
    for (int i = 0; i < f->count; i++) {
        proto_item *pi = proto_tree_add_string(tree, signalr_hf.finding, tvb, 0, 0,
                                               sr_finding_name(f->type[i]));
        proto_item_set_generated(pi);
        expert_add_info_format(pinfo, item, &signalr_hf.ei_finding[f->type[i]], "%s",
                               f->text[i]);
    }
}

static void queue_tap(packet_info *pinfo, const signalr_origin *o, const signalr_verdict *v)
{
    if (!have_tap_listener(signalr_hf.tap)) {
        return;
    }
    signalr_tap_record *rec = wmem_new0(pinfo->pool, signalr_tap_record);
    if (o != NULL) {
        rec->request = o->request;
        rec->transport = o->transport;
        rec->from_server = o->from_server;
        rec->is_request = o->is_request;
    }
    rec->keepalive = v->keepalive;
    rec->has_gap = v->has_gap;
    rec->gap_s = nstime_to_sec(&v->gap);
    rec->findings = &v->findings;
    tap_queue_packet(signalr_hf.tap, pinfo, rec);
}

/* First pass, once the payload is known: a frame on a receive transport ends the silence the
 * client's keepalive watch measures, unless the client does not count it. */
static void note_receive_frame(packet_info *pinfo, const signalr_message *msg)
{
    signalr_conn *conn = msg->origin.conn;
    if (!msg->first_pass || conn == NULL || !msg->origin.from_server ||
        msg->origin.receive == NULL || !msg->sign_of_life || !signalr_prefs.track_lifecycle) {
        return;
    }
    signalr_life_server_frame(&conn->life, &conn->settings, msg->origin.transport,
                              &pinfo->abs_ts, &msg->verdict->findings);
}

void signalr_message_end(packet_info *pinfo, signalr_message *msg)
{
    note_receive_frame(pinfo, msg);
    add_findings(pinfo, msg->tree, msg->item, msg->tvb, &msg->verdict->findings);
    queue_tap(pinfo, &msg->origin, msg->verdict);
}

void signalr_message_set_info(packet_info *pinfo, const char *label)
{
    col_set_str(pinfo->cinfo, COL_PROTOCOL, "SignalR");
    col_append_fstr(pinfo->cinfo, COL_INFO, " [SignalR %s]", label);
}

/* packet-tcp.c's TCP_COMPLETENESS_RST bit of tcp_analysis.conversation_completeness (the value
 * is not in the public header of 4.0). */
#define TCP_CONVERSATION_RST_SEEN 0x20

/* The receive transport of this TCP connection ends at its first WebSocket Close, FIN or RST.
 * The Close relay of signalr_ws.h notes a Close. TCP marks the flow whose FIN came first as
 * the closing initiator and records an RST in the conversation's completeness; seen frame by
 * frame on the first pass, the first frame that shows either is the one that carried it, and
 * `fwd` is this frame's flow. */
static void notice_transport_end(packet_info *pinfo, signalr_tcp_state *tcp,
                                 struct tcp_analysis *tcpd)
{
    if (tcp->ended || tcp->last_request == NULL || tcp->last_request->conn == NULL) {
        return;
    }
    sr_request_kind kind = tcp->last_request->kind;
    if (kind != SR_REQUEST_CONNECT && kind != SR_REQUEST_RECONNECT && kind != SR_REQUEST_POLL) {
        return;
    }
    gboolean client_sent = !signalr_tcp_from_server(tcp, pinfo);
    if (tcp->last_request->transport == SR_TRANSPORT_WEBSOCKETS &&
        signalr_ws_close_in_frame(pinfo)) {
        signalr_transport_ended(pinfo, tcp, client_sent);
        return;
    }
    if (tcpd->fwd == NULL || tcpd->rev == NULL) {
        return;
    }
    gboolean fin = tcpd->fwd->closing_initiator || tcpd->rev->closing_initiator;
    gboolean rst = (tcpd->conversation_completeness & TCP_CONVERSATION_RST_SEEN) != 0;
    if (!fin && !rst) {
        return;
    }
    gboolean by_client = fin ? tcpd->fwd->closing_initiator == client_sent : client_sent;
    signalr_transport_ended(pinfo, tcp, by_client);
}

void signalr_message_queue_findings(packet_info *pinfo, signalr_conn *conn,
                                    const signalr_findings *found)
{
    if (found->count == 0) {
        return;
    }
    wmem_list_t *list = p_get_proto_data(wmem_file_scope(), pinfo, signalr_hf.proto, KEY_TICK);
    if (list == NULL) {
        list = wmem_list_new(wmem_file_scope());
        p_add_proto_data(wmem_file_scope(), pinfo, signalr_hf.proto, KEY_TICK, list);
    }
    signalr_verdict *v = wmem_new0(wmem_file_scope(), signalr_verdict);
    v->conn = conn;
    v->findings = *found;
    wmem_list_append(list, v);
}

static void end_transport(packet_info *pinfo, signalr_tcp_state *tcp, gboolean by_client,
                          signalr_findings *out)
{
    signalr_conn *conn = tcp->last_request->conn;
    sr_transport transport = tcp->last_request->transport;
    tcp->ended = TRUE;
    if (!tcp->opened) {
        signalr_life_attempt_failed(&conn->life); /* an attempt, not a transport */
        return;
    }
    if (!signalr_prefs.stream_takeover && (transport == SR_TRANSPORT_SERVER_SENT_EVENTS ||
                                           transport == SR_TRANSPORT_FOREVER_FRAME)) {
        /* Without the takeover the stream's events were not timed: no silence to judge. */
        conn->life.have_receive_frame = FALSE;
    }
    signalr_life_transport_end(&conn->life, &conn->settings, transport, by_client,
                               &pinfo->abs_ts, out);
    if (signalr_life_has_deadline(&conn->life)) {
        signalr_watch_add(conn);
    }
}

void signalr_transport_ended(packet_info *pinfo, signalr_tcp_state *tcp, gboolean by_client)
{
    signalr_findings found = {.scope = wmem_file_scope()};
    end_transport(pinfo, tcp, by_client, &found);
    signalr_message_queue_findings(pinfo, tcp->last_request->conn, &found);
}

/* Walks the connections waiting for a deadline; drops those that resolved. */
static void expire_connections(packet_info *pinfo)
{
    wmem_list_frame_t *it = wmem_list_head(signalr_watch_list());
    while (it != NULL) {
        wmem_list_frame_t *next = wmem_list_frame_next(it);
        signalr_conn *conn = wmem_list_frame_data(it);
        signalr_findings found = {.scope = wmem_file_scope()};
        signalr_life_tick(&conn->life, &conn->settings, &pinfo->abs_ts, &found);
        signalr_message_queue_findings(pinfo, conn, &found);
        if (!signalr_life_has_deadline(&conn->life)) {
            conn->watched = FALSE;
            wmem_list_remove_frame(signalr_watch_list(), it);
        }
        it = next;
    }
}

static void show_expired(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                         const signalr_verdict *v)
{
    proto_item *item = proto_tree_add_item(tree, signalr_hf.proto, tvb, 0, 0, ENC_NA);
    proto_tree *sub = proto_item_add_subtree(item, signalr_hf.ett_signalr);
    proto_item_append_text(item, ", lifecycle findings");
    signalr_verdict shown = {.conn = v->conn, .findings = v->findings};
    add_connection_items(tvb, sub, &shown);
    add_findings(pinfo, sub, item, tvb, &v->findings);
    signalr_origin none = {.request = SR_REQUEST_NOT_SIGNALR};
    queue_tap(pinfo, &none, v);
}

/* packet-tcp.c's TCP_A_LOST_PACKET bit of a flow's lastsegmentflags, the analysis flags of
 * its latest segment: "previous segment not captured" (not in the public header of 4.0). */
#define TCP_ANALYSIS_LOST_PACKET 0x0002

/* Where this frame's segment starts, from TCP's sequence analysis of its flow: a segment
 * with data (or SYN/FIN) heads the flow's list of unacknowledged segments; one without data
 * that moved the number expected next (an ACK after a hole) is the flow's nextseqframe. FALSE
 * for anything else: a segment that moved nothing opened no hole. */
static gboolean segment_start(packet_info *pinfo, const tcp_analyze_seq_flow_info_t *info,
                              guint32 *seq)
{
    if (info->segments != NULL && info->segments->frame == pinfo->num) {
        *seq = info->segments->seq;
        return TRUE;
    }
    /* A full list keeps no new segment, whose start is then unknown. */
    if (info->nextseqframe == pinfo->num && info->segment_count < TCP_MAX_UNACKED_SEGMENTS) {
        *seq = info->nextseq;
        return TRUE;
    }
    return FALSE;
}

/* Bytes the capture lost on a TCP connection of a SignalR connection: TCP's analysis flags
 * the segment after the hole, which starts past the number TCP expected after the flow's
 * previous segment (kept here frame by frame); the hole is the distance between the two. */
static void notice_capture_gap(packet_info *pinfo, signalr_tcp_state *tcp,
                               const struct tcp_analysis *tcpd)
{
    const tcp_analyze_seq_flow_info_t *info =
        tcpd->fwd != NULL ? tcpd->fwd->tcp_analyze_seq_info : NULL;
    if (info == NULL) {
        return; /* TCP's sequence analysis is off */
    }
    int from = signalr_tcp_from_server(tcp, pinfo) ? 1 : 0;
    signalr_conn *conn = tcp->last_request != NULL ? tcp->last_request->conn : NULL;
    guint32 seq;
    if ((tcpd->fwd->lastsegmentflags & TCP_ANALYSIS_LOST_PACKET) && conn != NULL &&
        tcp->have_next_seq[from] && segment_start(pinfo, info, &seq)) {
        guint32 missing = seq - tcp->next_seq[from]; /* modulo 2^32, like TCP */
        if (missing > 0 && missing < G_MAXINT32) {
            signalr_findings found = {.scope = wmem_file_scope()};
            signalr_life_capture_gap(missing, &found);
            signalr_message_queue_findings(pinfo, conn, &found);
        }
    }
    tcp->next_seq[from] = info->nextseq;
    tcp->have_next_seq[from] = TRUE;
}

/* First pass, a TCP frame: the end of a receive transport, a capture gap. */
static void notice_tcp_frame(packet_info *pinfo)
{
    conversation_t *conv = signalr_frame_conversation(pinfo);
    signalr_tcp_state *tcp = conv ? conversation_get_proto_data(conv, signalr_hf.proto) : NULL;
    struct tcp_analysis *tcpd = tcp != NULL ? get_tcp_conversation_data(conv, pinfo) : NULL;
    if (tcpd == NULL) {
        return;
    }
    notice_capture_gap(pinfo, tcp, tcpd);
    notice_transport_end(pinfo, tcp, tcpd);
}

void signalr_message_tick(packet_info *pinfo)
{
    if (!PINFO_FD_VISITED(pinfo) && signalr_prefs.track_lifecycle && signalr_state_active()) {
        if (pinfo->ptype == PT_TCP) {
            notice_tcp_frame(pinfo);
        }
        expire_connections(pinfo);
    }
}

/* The server took the receive request that tcp carries (first time only). */
static void receive_opened(packet_info *pinfo, signalr_tcp_state *tcp, signalr_findings *out)
{
    signalr_conn *conn = tcp->last_request->conn;
    if (tcp->opened || conn == NULL) {
        return;
    }
    tcp->opened = TRUE;
    signalr_life_transport_opened(&conn->life, &conn->settings, &pinfo->abs_ts, out);
}

void signalr_receive_started(packet_info *pinfo, signalr_tcp_state *tcp)
{
    if (!signalr_prefs.track_lifecycle || PINFO_FD_VISITED(pinfo)) {
        return;
    }
    signalr_findings found = {.scope = wmem_file_scope()};
    receive_opened(pinfo, tcp, &found);
    signalr_message_queue_findings(pinfo, tcp->last_request->conn, &found);
}

void signalr_receive_answered(packet_info *pinfo, signalr_request_rec *rec, gboolean refused,
                              signalr_findings *out)
{
    if (!signalr_prefs.track_lifecycle || rec->conn == NULL) {
        return;
    }
    signalr_tcp_state *tcp = signalr_tcp_get(pinfo);
    if (tcp == NULL || tcp->last_request != rec) {
        return;
    }
    if (refused) {
        signalr_life_attempt_failed(&rec->conn->life);
        return;
    }
    receive_opened(pinfo, tcp, out);
    /* A poll ends with its answer; streams end later (Close, FIN, final chunk). */
    if (rec->transport == SR_TRANSPORT_LONG_POLLING && !tcp->ended) {
        end_transport(pinfo, tcp, FALSE, out);
    }
}


void signalr_message_show_frame_findings(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    wmem_list_t *expired = p_get_proto_data(wmem_file_scope(), pinfo, signalr_hf.proto, KEY_TICK);
    if (expired == NULL) {
        return;
    }
    for (wmem_list_frame_t *it = wmem_list_head(expired); it; it = wmem_list_frame_next(it)) {
        show_expired(tvb, pinfo, tree, wmem_list_frame_data(it));
    }
}

void signalr_message_register_tap(void)
{
    signalr_hf.tap = register_tap("signalr");
}

/* Stream takeover for Server-Sent Events and forever frame (see signalr_stream.h). */
#include "signalr_stream.h"

#include <epan/conversation.h>
#include <epan/expert.h>

#include "protocol/sr_framing.h"
#include "signalr_fields.h"
#include "signalr_http.h"
#include "signalr_message.h"
#include "signalr_payload.h"

/* Response headers of a SignalR stream are a few hundred bytes; 16 KiB (IIS's default header
 * limit) bounds the scan for the blank line when the bytes are not what we expect. */
#define SIGNALR_MAX_HEADER_BLOCK 16384

/* One SSE event or forever-frame script carries one persistent response; 1 MiB holds any
 * realistic one and bounds what a hostile stream can make us reassemble and copy. */
#define SIGNALR_MAX_STREAM_PDU (1024 * 1024)

/* A chunk-size line is hex digits plus optional extensions; 64 bytes is far more than a
 * 64-bit size needs. */
#define SIGNALR_MAX_CHUNK_LINE 64

/* One server flush is one event; hosts may coalesce a few dozen. 1000 per reassembled PDU
 * bounds the tree items and per-frame records a hostile stream can make us create. */
#define SIGNALR_MAX_EVENTS_PER_PDU 1000

/* What dissect_pdu() reports besides a consumed byte count. */
enum { PDU_NEED_MORE = -1, PDU_HAND_BACK = -2 };

/* Bits of signalr_tcp_state.stream_mode. */
enum {
    STREAM_CHUNKED = 1 << 0,     /* the response uses chunked transfer coding */
    STREAM_HANDED_BACK = 1 << 1  /* HTTP owns the connection again (first pass) */
};

/* Set once at registration. */
static dissector_handle_t stream_handle;

typedef struct {
    signalr_tcp_state *tcp;
    signalr_request_rec *rec;
    void *tcp_data;             /* TCP's per-segment info, passed on to HTTP */
    gboolean ended;             /* the final chunk was in this frame */
} stream_ctx;

/* ------------------------------------------------------------------ emitting events */

typedef enum {
    EVENT_JSON,        /* a payload for the JSON decoders */
    EVENT_INITIALIZED, /* SSE "data: initialized" */
    EVENT_PRELUDE,     /* forever-frame HTML prelude */
    EVENT_UNKNOWN      /* stream bytes that are none of the above */
} event_kind;

static const char *show_fixed_event(signalr_message *msg, tvbuff_t *ev, int data_off,
                                    int data_len, event_kind kind)
{
    static const char *const names[] = {"message", "initialized", "prelude", "unknown"};
    static const char *const labels[] = {"message", "SSE initialized", "forever frame prelude",
                                         "unrecognised stream data"};
    proto_tree_add_string(msg->tree, signalr_hf.message_type, ev, data_off, data_len,
                          names[kind]);
    return labels[kind];
}

static void emit_event(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const stream_ctx *c,
                       int ev_off, int ev_len, int data_off, int data_len, event_kind kind)
{
    signalr_origin origin = {.conn = c->rec->conn, .request = c->rec->kind,
                             .transport = c->rec->transport, .from_server = TRUE,
                             .receive = c->tcp};
    tvbuff_t *ev = tvb_new_subset_length(tvb, ev_off, ev_len);
    signalr_message msg;
    signalr_message_begin(ev, pinfo, tree, &origin, &msg);
    const char *label = kind == EVENT_JSON
                            ? signalr_show_json(ev, pinfo, &msg, data_off - ev_off, data_len)
                            : show_fixed_event(&msg, ev, data_off - ev_off, data_len, kind);
    signalr_message_end(pinfo, &msg);
    signalr_message_set_info(pinfo, label);
}

/* The data of one SSE event, classified by the protocol model. */
static void emit_sse_event(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                           const stream_ctx *c, int ev_start, int ev_end, int data_off,
                           int data_len)
{
    const char *data = (const char *)tvb_get_ptr(tvb, data_off, data_len);
    event_kind kind = sr_sse_classify_data(data, (size_t)data_len) == SR_SSE_DATA_INITIALIZED
                          ? EVENT_INITIALIZED
                          : EVENT_JSON;
    emit_event(tvb, pinfo, tree, c, ev_start, ev_end - ev_start, data_off, data_len, kind);
}

/* SSE: events end at a blank line; a "data:" line carries the payload (SignalR sends one per
 * event). Other fields and comments are shown as part of the event only. */
static void emit_sse_events(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                            const stream_ctx *c)
{
    int end = (int)tvb_captured_length(tvb);
    int ev_start = 0, data_off = -1, data_len = 0, pos = 0, next, emitted = 0;
    while (pos < end && emitted < SIGNALR_MAX_EVENTS_PER_PDU) {
        int len = tvb_find_line_end(tvb, pos, end - pos, &next, FALSE);
        if (len == 0) {
            if (data_off >= 0) {
                emit_sse_event(tvb, pinfo, tree, c, ev_start, next, data_off, data_len);
                emitted++;
            }
            ev_start = next;
            data_off = -1;
        } else if (len >= 5 && data_off < 0 && tvb_strneql(tvb, pos, "data:", 5) == 0) {
            data_off = pos + 5;
            data_len = len - 5;
            if (data_len > 0 && tvb_get_guint8(tvb, data_off) == ' ') {
                data_off++;
                data_len--;
            }
        }
        pos = next;
    }
}

static gboolean only_line_space(const char *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] != '\r' && bytes[i] != '\n' && bytes[i] != ' ' && bytes[i] != '\t') {
            return FALSE;
        }
    }
    return TRUE;
}

/* Forever frame: the HTML prelude, then one <script>r(c, JSON);</script> per message, as the
 * protocol model's matchers recognise them. */
static void emit_forever_frame(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                               const stream_ctx *c)
{
    int end = (int)tvb_captured_length(tvb), pos = 0, emitted = 0;
    const char *bytes = (const char *)tvb_get_ptr(tvb, 0, end);
    while (pos < end && emitted++ < SIGNALR_MAX_EVENTS_PER_PDU) {
        size_t used = 0, left = (size_t)(end - pos);
        sr_span frame_id, json;
        bool keepalive;
        if (sr_ff_match_prelude(bytes + pos, left, &used, &frame_id) == SR_OK) {
            emit_event(tvb, pinfo, tree, c, pos, (int)used, pos, (int)used, EVENT_PRELUDE);
        } else if (sr_ff_match_script(bytes + pos, left, &used, &json, &keepalive) == SR_OK) {
            emit_event(tvb, pinfo, tree, c, pos, (int)used, (int)(json.ptr - bytes),
                       (int)json.len, EVENT_JSON);
        } else if (only_line_space(bytes + pos, left)) {
            return; /* line ends after the last message */
        } else {
            emit_event(tvb, pinfo, tree, c, pos, end - pos, pos, end - pos, EVENT_UNKNOWN);
            return;
        }
        pos += (int)used;
    }
}

static void emit_body(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const stream_ctx *c)
{
    if (c->rec->transport == SR_TRANSPORT_FOREVER_FRAME) {
        emit_forever_frame(tvb, pinfo, tree, c);
    } else {
        emit_sse_events(tvb, pinfo, tree, c);
    }
}

/* ------------------------------------------------------------------ HTTP framing */

/* True when the header line at off is `name` (case-insensitive, colon included) and its value
 * contains `value` (lower case), ignoring case. */
static gboolean header_is(tvbuff_t *tvb, int off, int len, const char *name, const char *value)
{
    int n = (int)strlen(name);
    if (len <= n || tvb_strncaseeql(tvb, off, name, n) != 0) {
        return FALSE;
    }
    char *rest = (char *)tvb_get_string_enc(wmem_packet_scope(), tvb, off + n, len - n, ENC_ASCII);
    for (char *p = rest; *p != '\0'; p++) {
        *p = g_ascii_tolower(*p);
    }
    return strstr(rest, value) != NULL;
}

/* HTTP dissects bytes from offset on as if TCP had called it directly: it may ask TCP for
 * more segments, which our own nesting level would otherwise forbid. */
static void call_http(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *tcp_data,
                      int offset)
{
    guint16 saved = pinfo->can_desegment;
    pinfo->can_desegment = saved > 0 ? saved + 1 : 0;
    call_dissector_with_data(signalr_http_tcp_handle(), tvb_new_subset_remaining(tvb, offset),
                             pinfo, tree, tcp_data);
    pinfo->can_desegment = saved;
    if (pinfo->desegment_len > 0) {
        pinfo->desegment_offset += offset;
    }
}

static void hand_back_to_http(packet_info *pinfo, signalr_tcp_state *tcp, guint32 from_frame)
{
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    tcp->stream_mode |= STREAM_HANDED_BACK;
    if (conv != NULL) {
        conversation_set_dissector_from_frame_number(conv, from_frame, signalr_http_tcp_handle());
    }
}

/* A response header block: HTTP shows it now, without waiting for the body. A response that
 * is not a 200 event stream or HTML page goes back to HTTP whole. */
static int dissect_headers(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                           const stream_ctx *c, int offset)
{
    int end = (int)tvb_captured_length(tvb), pos = offset, next;
    gboolean chunked = FALSE, stream_type = FALSE;
    for (;;) {
        int len = tvb_find_line_end(tvb, pos, end - pos, &next, TRUE);
        if (len < 0) {
            return end - offset > SIGNALR_MAX_HEADER_BLOCK ? PDU_HAND_BACK : PDU_NEED_MORE;
        }
        if (len == 0) {
            pos = next;
            break;
        }
        chunked |= header_is(tvb, pos, len, "transfer-encoding:", "chunked");
        stream_type |= header_is(tvb, pos, len, "content-type:", "text/event-stream") ||
                       header_is(tvb, pos, len, "content-type:", "text/html");
        pos = next;
        if (pos - offset > SIGNALR_MAX_HEADER_BLOCK) {
            return PDU_HAND_BACK;
        }
    }
    gboolean ok = pos - offset >= 12 && tvb_strneql(tvb, offset + 8, " 200", 4) == 0;
    if (!ok || !stream_type) {
        return PDU_HAND_BACK;
    }
    if (!PINFO_FD_VISITED(pinfo) && chunked) {
        c->tcp->stream_mode |= STREAM_CHUNKED;
    }
    guint16 saved = pinfo->can_desegment;
    pinfo->can_desegment = 0; /* HTTP must show the headers now, not wait for the body */
    call_dissector_with_data(signalr_http_tcp_handle(),
                             tvb_new_subset_length(tvb, offset, pos - offset), pinfo, tree,
                             c->tcp_data);
    pinfo->can_desegment = saved;
    return pos - offset;
}

static void show_stream_problem(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, int off,
                                int len, const char *what)
{
    proto_item *item = proto_tree_add_item(tree, signalr_hf.proto, tvb, off, len, ENC_NA);
    expert_add_info_format(pinfo, item, &signalr_hf.ei_malformed, "%s", what);
}

static gboolean ends_event(const guint8 *data, guint len, sr_transport transport)
{
    if (transport == SR_TRANSPORT_FOREVER_FRAME) {
        return len >= 1 && data[len - 1] == '\n';
    }
    return (len >= 2 && data[len - 2] == '\n' && data[len - 1] == '\n') ||
           (len >= 3 && memcmp(data + len - 3, "\n\r\n", 3) == 0);
}

static void emit_dechunked(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                           const stream_ctx *c, wmem_array_t *bytes)
{
    guint len = wmem_array_get_count(bytes);
    if (len == 0) {
        return;
    }
    tvbuff_t *child = tvb_new_child_real_data(tvb, wmem_array_get_raw(bytes), len, len);
    add_new_data_source(pinfo, child, "De-chunked SignalR stream");
    emit_body(child, pinfo, tree, c);
}

static void end_of_stream(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, stream_ctx *c,
                          int off, int len)
{
    proto_item *item = proto_tree_add_item(tree, signalr_hf.proto, tvb, off, len, ENC_NA);
    proto_item_append_text(item, ", end of stream");
    signalr_message_set_info(pinfo, "end of stream");
    c->ended = TRUE;
    if (!PINFO_FD_VISITED(pinfo)) {
        if (!c->tcp->ended && c->rec->conn != NULL) {
            signalr_transport_ended(pinfo, c->tcp, FALSE);
        }
        hand_back_to_http(pinfo, c->tcp, pinfo->num + 1);
    }
}

/* Size of the chunk announced by the line at off (extensions after ';' ignored); -1 when the
 * line is not a chunk size. */
static gint64 chunk_size(tvbuff_t *tvb, int off, int len)
{
    gint64 size = 0;
    int digits = 0;
    for (int i = 0; i < len; i++) {
        int v = g_ascii_xdigit_value((gchar)tvb_get_guint8(tvb, off + i));
        if (v < 0) {
            break;
        }
        if (++digits > 15) {
            return -1;
        }
        size = size * 16 + v;
    }
    return digits > 0 ? size : -1;
}

/* Trailer section after the last chunk: lines up to an empty one. */
static int skip_trailers(tvbuff_t *tvb, int pos, int end)
{
    int next;
    for (;;) {
        int len = tvb_find_line_end(tvb, pos, end - pos, &next, TRUE);
        if (len < 0) {
            return PDU_NEED_MORE;
        }
        pos = next;
        if (len == 0) {
            return pos;
        }
    }
}

/* Whole chunks from offset until the de-chunked bytes complete an event (or the final chunk). */
static int dissect_chunks(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, stream_ctx *c,
                          int offset)
{
    int end = (int)tvb_captured_length(tvb), pos = offset, next;
    wmem_array_t *bytes = wmem_array_new(pinfo->pool, 1);
    for (;;) {
        int len = tvb_find_line_end(tvb, pos, end - pos, &next, TRUE);
        if (len < 0) {
            return end - pos > SIGNALR_MAX_CHUNK_LINE ? PDU_HAND_BACK : PDU_NEED_MORE;
        }
        gint64 size = chunk_size(tvb, pos, len);
        if (size < 0 || size > SIGNALR_MAX_STREAM_PDU - (gint64)wmem_array_get_count(bytes)) {
            show_stream_problem(tvb, pinfo, tree, pos, end - pos, "Bad or oversized chunk");
            return PDU_HAND_BACK;
        }
        if (size == 0) {
            int stop = skip_trailers(tvb, next, end);
            if (stop < 0) {
                return stop;
            }
            emit_dechunked(tvb, pinfo, tree, c, bytes);
            end_of_stream(tvb, pinfo, tree, c, pos, stop - pos);
            return stop - offset;
        }
        if (end - next < size + 2) {
            return PDU_NEED_MORE;
        }
        wmem_array_append(bytes, tvb_get_ptr(tvb, next, (gint)size), (guint)size);
        pos = next + (int)size + 2;
        if (ends_event(wmem_array_get_raw(bytes), wmem_array_get_count(bytes),
                       c->rec->transport)) {
            break;
        }
        if (pos >= end) {
            return PDU_NEED_MORE;
        }
    }
    emit_dechunked(tvb, pinfo, tree, c, bytes);
    return pos - offset;
}

/* Identity body (no chunking): an event ends at its terminator in the raw bytes. */
static int dissect_identity(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                            const stream_ctx *c, int offset)
{
    int end = (int)tvb_captured_length(tvb);
    for (int i = offset; i < end; i++) {
        i = tvb_find_guint8(tvb, i, end - i, '\n');
        if (i < 0 || i - offset > SIGNALR_MAX_STREAM_PDU) {
            break;
        }
        guint n = (guint)(i + 1 - offset);
        if (ends_event(tvb_get_ptr(tvb, offset, (gint)n), n, c->rec->transport)) {
            emit_body(tvb_new_subset_length(tvb, offset, (gint)n), pinfo, tree, c);
            return (int)n;
        }
    }
    return end - offset > SIGNALR_MAX_STREAM_PDU ? PDU_HAND_BACK : PDU_NEED_MORE;
}

static int dissect_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, stream_ctx *c,
                       int offset)
{
    if (tvb_captured_length_remaining(tvb, offset) < 5) {
        return PDU_NEED_MORE;
    }
    if (tvb_strneql(tvb, offset, "HTTP/", 5) == 0) {
        return dissect_headers(tvb, pinfo, tree, c, offset);
    }
    if (c->tcp->stream_mode & STREAM_CHUNKED) {
        return dissect_chunks(tvb, pinfo, tree, c, offset);
    }
    return dissect_identity(tvb, pinfo, tree, c, offset);
}

static int dissect_stream(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    signalr_tcp_state *tcp = signalr_tcp_get(pinfo);
    int end = (int)tvb_captured_length(tvb);
    gboolean first_pass = !PINFO_FD_VISITED(pinfo);
    if (tcp == NULL || tcp->last_request == NULL || !signalr_tcp_from_server(tcp, pinfo) ||
        (first_pass && (tcp->stream_mode & STREAM_HANDED_BACK))) {
        call_http(tvb, pinfo, tree, data, 0);
        return end;
    }
    stream_ctx c = {.tcp = tcp, .rec = tcp->last_request, .tcp_data = data};
    int offset = 0;
    if (tvb_strneql(tvb, 0, "HTTP/", 5) != 0) {
        col_set_str(pinfo->cinfo, COL_PROTOCOL, "SignalR");
        col_add_fstr(pinfo->cinfo, COL_INFO, "%s stream", sr_transport_name(c.rec->transport));
    }
    while (offset < end && !c.ended) {
        /* An event's length is unknown until its terminator arrives, so TCP is asked for one
         * more segment at a time; SIGNALR_MAX_STREAM_PDU bounds the rescans. */
        int used = dissect_pdu(tvb, pinfo, tree, &c, offset);
        if (used == PDU_NEED_MORE && pinfo->can_desegment) {
            pinfo->desegment_offset = offset;
            pinfo->desegment_len = DESEGMENT_ONE_MORE_SEGMENT;
            return end;
        }
        if (used == PDU_NEED_MORE) {
            show_stream_problem(tvb, pinfo, tree, offset, end - offset,
                                "Incomplete event (TCP reassembly is off)");
            return end;
        }
        if (used == PDU_HAND_BACK) {
            /* From the next frame on: this one keeps coming here, so later passes show what
             * the first showed before HTTP took the rest. */
            if (first_pass) {
                hand_back_to_http(pinfo, tcp, pinfo->num + 1);
            }
            call_http(tvb, pinfo, tree, data, offset);
            return end;
        }
        offset += used;
    }
    if (offset < end) {
        call_http(tvb, pinfo, tree, data, offset);
    }
    return end;
}

/* ------------------------------------------------------------------ entry points */

void signalr_stream_register(void)
{
    stream_handle = create_dissector_handle(dissect_stream, signalr_hf.proto);
}

void signalr_stream_take_over(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    conversation_set_dissector_from_frame_number(conv, pinfo->num + 1, stream_handle);
}

void signalr_stream_dissect_body(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                 signalr_request_rec *rec)
{
    /* HTTP delivers the body when the response ended: the events' own arrival times are
     * unknown, so they are not treated as receive-transport frames (no keepalive timing). */
    stream_ctx c = {.tcp = NULL, .rec = rec};
    emit_body(tvb, pinfo, tree, &c);
}

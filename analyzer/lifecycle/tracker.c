/* Per-connection handling of requests, responses, server data and hub calls, and the end of
 * the capture. The receive transport's own life is in tracker_transport.c. */
#include "lifecycle/tracker.h"

#include <glib.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lifecycle/detail_text.h"
#include "lifecycle/legs.h"

#define NS_PER_S 1000000000.0

double lf_tracker_seconds(lf_time_ns ns)
{
    return (double)ns / NS_PER_S;
}

/* A negotiate may announce absurd timeouts (the parser accepts up to 1e12 s); durations are
 * clamped to about 30 years so that adding one to a capture time cannot overflow. */
#define LF_MAX_DURATION 1e18

static lf_time_ns round_to_int64(double v)
{
    if (!(v > -LF_MAX_DURATION)) {
        v = -LF_MAX_DURATION;
    } else if (!(v < LF_MAX_DURATION)) {
        v = LF_MAX_DURATION;
    }
    return (lf_time_ns)(v >= 0 ? v + 0.5 : v - 0.5);
}

lf_time_ns lf_tracker_nanos(double s)
{
    return round_to_int64(s * NS_PER_S);
}

double lf_tracker_since(const lf_frame_ref *from, lf_time_ns to)
{
    return lf_tracker_seconds(to - from->time);
}

lf_finding *lf_tracker_finding(lf_tracker *c, sr_finding_type type, lf_time_ns time,
                               const lf_time_ns *end, const sr_finding_values *v,
                               const lf_frame_ref *ev1, const lf_frame_ref *ev2)
{
    lf_frame_ref evidence[2];
    size_t n = 0;
    if (ev1 != NULL) {
        evidence[n++] = *ev1;
    }
    if (ev2 != NULL) {
        evidence[n++] = *ev2;
    }
    return lf_record_add_finding(&c->rec, type, time, end, v, evidence, n);
}

bool lf_tracker_streaming(sr_transport t)
{
    return t != SR_TRANSPORT_LONG_POLLING;
}

/* ---- lifetime ---------------------------------------------------------------------------- */

/* The cache line layout lf_tracker and lf_connection describe. */
_Static_assert(offsetof(lf_tracker, th) == LF_CACHE_LINE, "tracker line 0 holds the hot fields");
_Static_assert(offsetof(lf_tracker, rec) % LF_CACHE_LINE == 0, "the record starts a line");
_Static_assert(offsetof(lf_connection, last_seen) == LF_CACHE_LINE, "record line 0");
_Static_assert(offsetof(lf_connection, legs) == 2 * LF_CACHE_LINE, "record line 1");
_Static_assert(offsetof(lf_leg, last_request_kind) == LF_CACHE_LINE, "a leg's matching fields");

/* Bytes reserved in front of a tracker for its token, so that the token ends where the
 * tracker's hot fields begin: the token compare of the lookup and the first reads of the event
 * then fall on neighbouring cache lines. Whole lines keep the tracker on a line boundary. */
static size_t token_lead(size_t token_len)
{
    return (token_len + 1 + LF_CACHE_LINE - 1) / LF_CACHE_LINE * LF_CACHE_LINE;
}

lf_tracker *lf_tracker_new(const lf_signalr_event *ev, const sr_timing_settings *assumed)
{
    size_t lead = token_lead(ev->token.len);
    char *storage = g_aligned_alloc0(1, lead + sizeof(lf_tracker), LF_CACHE_LINE);
    lf_tracker *c = (lf_tracker *)(void *)(storage + lead);
    c->rec.token = storage + lead - (ev->token.len + 1);
    memcpy(c->rec.token, ev->token.ptr, ev->token.len);
    c->rec.token[ev->token.len] = '\0';
    c->rec.token_len = ev->token.len;
    c->rec.client = ev->client;
    c->rec.server = ev->server;
    c->rec.first_seen = ev->at.time;
    c->timing = *assumed;
    lf_settings_from_timing(&c->timing, LF_SETTINGS_ASSUMED, &c->rec.settings);
    lf_thresholds_derive(&c->timing, &c->th);
    return c;
}

void lf_tracker_free(lf_tracker *c)
{
    if (c == NULL) {
        return;
    }
    char *storage = (char *)c - token_lead(c->rec.token_len);
    c->rec.token = NULL; /* lives in storage, not in an allocation of its own */
    lf_record_clear(&c->rec);
    g_free(c->calls);
    g_aligned_free(storage);
}

bool lf_tracker_accept(lf_tracker *c, const lf_signalr_event *ev)
{
    if (!lf_legs_accept(&c->rec, ev)) {
        return false;
    }
    c->rec.last_seen = ev->at.time;
    lf_record_note_stream(&c->rec, ev->stream);
    if (c->silence_open && ev->at.time >= c->silence_deadline) {
        lf_tracker_settle_silence(c, &ev->at);
    }
    lf_tracker_settle_expiry(c, ev->at.time);
    return true;
}

/* ---- requests ----------------------------------------------------------------------------- */

static lf_tl_type request_tl_type(sr_request_kind kind)
{
    switch (kind) {
    case SR_REQUEST_CONNECT:
        return LF_TL_CONNECT;
    case SR_REQUEST_RECONNECT:
        return LF_TL_RECONNECT;
    case SR_REQUEST_POLL:
        return LF_TL_POLL;
    case SR_REQUEST_START:
        return LF_TL_START;
    case SR_REQUEST_ABORT:
        return LF_TL_ABORT;
    case SR_REQUEST_PING:
        return LF_TL_PING;
    case SR_REQUEST_NEGOTIATE:
        return LF_TL_NEGOTIATE;
    case SR_REQUEST_SEND:
        return LF_TL_SEND;
    default:
        return LF_TL_REQUEST;
    }
}

static void note_identity(lf_tracker *c, const lf_sr_request *r)
{
    if (c->rec.client_protocol == NULL) {
        c->rec.client_protocol = lf_record_text(r->client_protocol.ptr, r->client_protocol.len);
    }
    if (c->rec.url_prefix == NULL) {
        c->rec.url_prefix = lf_record_text(r->url_prefix.ptr, r->url_prefix.len);
    }
    if (c->rec.hub_count == 0 && r->hubs != NULL) {
        size_t n = r->hub_count < LF_MAX_HUBS ? r->hub_count : LF_MAX_HUBS;
        c->rec.hubs = n > 0 ? g_new(char *, n) : NULL;
        for (size_t i = 0; i < n; i++) {
            c->rec.hubs[i] = lf_record_text(r->hubs[i].ptr, r->hubs[i].len);
        }
        c->rec.hub_count = n;
    }
}

static void on_request(lf_tracker *c, const lf_signalr_event *ev)
{
    note_identity(c, &ev->u.request);
    switch (ev->request_kind) {
    case SR_REQUEST_CONNECT:
    case SR_REQUEST_RECONNECT:
    case SR_REQUEST_POLL:
        lf_tracker_settle_silence(c, &ev->at);
        lf_tracker_receive_request(c, ev);
        break;
    case SR_REQUEST_ABORT:
        lf_tracker_settle_silence(c, &ev->at);
        if (!c->aborted) {
            c->aborted = true;
            c->abort_at = ev->at;
        }
        break;
    default:
        break;
    }
    lf_tl_type type = request_tl_type(ev->request_kind);
    lf_timeline_event *t;
    if (type == LF_TL_SEND || type == LF_TL_POLL) {
        t = lf_record_extend_run(&c->rec, type, ev) != NULL ? NULL
                                                           : lf_record_add_routine(&c->rec, type, ev);
    } else {
        t = lf_record_add_event(&c->rec, type, ev);
    }
    if (t != NULL && ev->u.request.message_id.ptr != NULL) {
        lf_record_set_detail(&c->rec, t, ev->u.request.message_id.ptr,
                             ev->u.request.message_id.len);
    }
}

/* ---- responses ---------------------------------------------------------------------------- */

static bool is_request_entry(lf_tl_type t)
{
    return t == LF_TL_NEGOTIATE || t == LF_TL_CONNECT || t == LF_TL_RECONNECT || t == LF_TL_POLL ||
           t == LF_TL_START || t == LF_TL_SEND || t == LF_TL_PING || t == LF_TL_ABORT ||
           t == LF_TL_REQUEST;
}

/* Responses pair with the oldest unanswered request on their stream (HTTP/1.1 order); the
 * search looks back a bounded distance so a flood of entries cannot make it quadratic. */
#define LF_RESPONSE_LOOKBACK 256

static lf_timeline_event *unanswered_request(lf_connection *r, uint64_t stream)
{
    lf_timeline_event *found = NULL;
    size_t stop = r->event_count > LF_RESPONSE_LOOKBACK ? r->event_count - LF_RESPONSE_LOOKBACK : 0;
    for (size_t i = r->event_count; i > stop; i--) {
        lf_timeline_event *t = &r->events[i - 1];
        if (t->stream == stream && is_request_entry(t->type)) {
            if (t->status != 0) {
                break;
            }
            found = t;
        }
    }
    return found;
}

static bool is_receive(sr_request_kind k)
{
    return k == SR_REQUEST_CONNECT || k == SR_REQUEST_RECONNECT || k == SR_REQUEST_POLL;
}

static void on_response(lf_tracker *c, const lf_signalr_event *ev)
{
    const lf_sr_response *r = &ev->u.response;
    lf_timeline_event *t = unanswered_request(&c->rec, ev->stream);
    if (t != NULL) {
        t->status = r->status;
        t->response_at = ev->at;
        if (r->text.ptr != NULL) {
            lf_record_set_detail(&c->rec, t, r->text.ptr, r->text.len);
        }
    }
    if (r->status < 400) {
        return;
    }
    char *text = lf_record_text(r->text.ptr, r->text.len);
    sr_finding_values v = {
        .status = r->status, .what = sr_request_kind_name(ev->request_kind), .what2 = text};
    lf_tracker_finding(c, SR_FINDING_REQUEST_REJECTED, ev->at.time, NULL, &v, t ? &t->at : NULL,
                       &ev->at);
    g_free(text);
    if (is_receive(ev->request_kind) && c->rx_open && c->rx_stream == ev->stream) {
        /* The transport never came up: a loss in progress goes on. */
        c->rx_open = false;
    }
}

static void on_started(lf_tracker *c, const lf_signalr_event *ev)
{
    lf_record_add_event(&c->rec, LF_TL_STARTED, ev);
    if (!ev->u.started.ok) {
        sr_finding_values v = {.status = 200,
                               .what = "start",
                               .what2 = "Response was not \"started\": the client stops"};
        lf_tracker_finding(c, SR_FINDING_REQUEST_REJECTED, ev->at.time, NULL, &v, &ev->at, NULL);
    }
}

/* ---- negotiate, server data, hub calls ------------------------------------------------------ */

void lf_tracker_negotiate(lf_tracker *c, const lf_signalr_event *ev, const lf_frame_ref *request_at,
                          char *stale_token)
{
    const sr_negotiate *n = ev->u.negotiate.parsed;
    if (n == NULL) {
        g_free(stale_token);
        return;
    }
    sr_timing_from_negotiate(n, &c->timing);
    lf_settings_from_timing(&c->timing, LF_SETTINGS_NEGOTIATE, &c->rec.settings);
    lf_thresholds_derive(&c->timing, &c->th);

    g_free(c->rec.connection_id);
    c->rec.connection_id = lf_record_text(n->connection_id.data, n->connection_id.len);
    g_free(c->rec.protocol_version);
    c->rec.protocol_version = lf_record_text(n->protocol_version.data, n->protocol_version.len);
    if (c->rec.url_prefix == NULL) {
        c->rec.url_prefix = lf_record_text(n->url.data, n->url.len);
    }

    if (stale_token != NULL && c->rec.previous_token == NULL) {
        c->rec.previous_token = stale_token;
    } else {
        g_free(stale_token);
    }
    c->negotiated = true;
    c->negotiate_at = request_at != NULL ? *request_at : ev->at;
    if (c->negotiate_at.time < c->rec.first_seen) {
        c->rec.first_seen = c->negotiate_at.time;
    }
    lf_timeline_event *t = lf_record_add_event(&c->rec, LF_TL_NEGOTIATE, ev);
    if (t != NULL) {
        t->at = c->negotiate_at;
        t->status = 200;
        t->response_at = ev->at;
    }
}

static void check_prefix(lf_tracker *c, const lf_signalr_event *ev)
{
    const lf_wire_str *p = &ev->u.message.cursor_prefix;
    if (p->ptr == NULL || p->len == 0) {
        return;
    }
    size_t len = p->len < LF_PREFIX_MAX - 1 ? p->len : LF_PREFIX_MAX - 1;
    char now[LF_PREFIX_MAX];
    memcpy(now, p->ptr, len);
    now[len] = '\0';
    if (c->has_prefix && strcmp(now, c->prefix) != 0) {
        char *old = lf_record_text(c->prefix, strlen(c->prefix));
        char *new_ = lf_record_text(now, len);
        sr_finding_values v = {.what = old, .what2 = new_};
        lf_tracker_finding(c, SR_FINDING_SERVER_CHANGED, ev->at.time, NULL, &v, &ev->at, NULL);
        g_free(old);
        g_free(new_);
    }
    memcpy(c->prefix, now, len + 1);
    c->has_prefix = true;
}

static const char *open_evidence_name(lf_sr_open_evidence e)
{
    switch (e) {
    case LF_SR_OPENED_WS_101:
        return "101 Switching Protocols";
    case LF_SR_OPENED_SSE_HEADERS:
        return "event stream headers";
    case LF_SR_OPENED_FF_PRELUDE:
        return "forever-frame prelude";
    case LF_SR_OPENED_LP_ACCEPTED:
        return "poll accepted";
    }
    return "opened";
}

static void on_opened(lf_tracker *c, const lf_signalr_event *ev)
{
    lf_tracker_opened(c, ev);
    /* A poll accepted is part of long polling's routine cycle. */
    lf_timeline_event *t;
    if (ev->u.opened.evidence != LF_SR_OPENED_LP_ACCEPTED) {
        t = lf_record_add_event(&c->rec, LF_TL_TRANSPORT_OPENED, ev);
    } else if (lf_record_extend_run(&c->rec, LF_TL_TRANSPORT_OPENED, ev) == NULL) {
        t = lf_record_add_routine(&c->rec, LF_TL_TRANSPORT_OPENED, ev);
    } else {
        t = NULL;
    }
    if (t != NULL) {
        const char *how = open_evidence_name(ev->u.opened.evidence);
        lf_record_set_detail(&c->rec, t, how, strlen(how));
    }
}

/* The cursor, then the flags a reader needs to see: "d-1A2B-B,4|C,0 T:1 G E". */
static void describe_message(lf_connection *r, lf_timeline_event *t, const lf_sr_message *m)
{
    size_t len = m->cursor.ptr != NULL ? m->cursor.len : 0;
    if (len > LF_CURSOR_SHOWN_MAX) {
        len = LF_CURSOR_SHOWN_MAX;
    }
    lf_detail_text d;
    lf_detail_text_init(&d);
    lf_detail_text_add(&d, m->cursor.ptr, len);
    lf_detail_text_add_str(&d, m->shutting_down ? " T:1 (server shutting down)" : "");
    lf_detail_text_add_str(&d, m->has_groups_token ? " G" : "");
    lf_detail_text_add_str(&d, m->has_error ? " E (error)" : "");
    lf_record_set_detail(r, t, d.bytes, d.len);
}

static void on_persistent(lf_tracker *c, const lf_signalr_event *ev, lf_tl_type type)
{
    lf_tracker_server_data(c, ev);
    check_prefix(c, ev);
    lf_timeline_event *run = lf_record_extend_run(&c->rec, type, ev);
    if (run != NULL) {
        uint32_t n = ev->u.message.message_count;
        run->elements = n <= UINT32_MAX - run->elements ? run->elements + n : UINT32_MAX;
    } else {
        lf_timeline_event *t = type == LF_TL_MESSAGE ? lf_record_add_routine(&c->rec, type, ev)
                                                     : lf_record_add_event(&c->rec, type, ev);
        if (t != NULL) {
            t->elements = ev->u.message.message_count;
            describe_message(&c->rec, t, &ev->u.message);
        }
    }
    if (type != LF_TL_DISCONNECT_COMMAND) {
        return;
    }
    c->disconnect_command = true;
    c->disconnect_at = ev->at.time;
    lf_tracker_finding(c, SR_FINDING_DISCONNECT_COMMAND, ev->at.time, NULL, NULL, &ev->at, NULL);
    if (ev->request_kind == SR_REQUEST_RECONNECT && !c->last_reconnect_late) {
        sr_finding_values v = {.observed = c->last_reconnect_delay,
                               .setting = c->th.disconnect_timeout,
                               .what = "answered with the disconnect command"};
        lf_tracker_finding(c, SR_FINDING_RECONNECT_LATE, ev->at.time, NULL, &v, &ev->at, NULL);
        c->last_reconnect_late = true;
    }
}

static void on_keepalive(lf_tracker *c, const lf_signalr_event *ev)
{
    lf_tracker_server_data(c, ev);
    c->rec.keepalives++;
    if (lf_record_extend_run(&c->rec, LF_TL_KEEPALIVE, ev) == NULL) {
        lf_record_add_routine(&c->rec, LF_TL_KEEPALIVE, ev);
    }
}

static size_t capped(size_t len, size_t max)
{
    return len < max ? len : max;
}

static void copy_id(char *dst, const lf_wire_str *id)
{
    size_t len = id->len < LF_CALL_ID_MAX - 1 ? id->len : LF_CALL_ID_MAX - 1;
    memcpy(dst, id->ptr, len);
    dst[len] = '\0';
}

static void on_invocation(lf_tracker *c, const lf_signalr_event *ev)
{
    const lf_sr_invocation *inv = &ev->u.invocation;
    lf_timeline_event *t = lf_record_extend_run(&c->rec, LF_TL_INVOCATION, ev) != NULL
                               ? NULL
                               : lf_record_add_routine(&c->rec, LF_TL_INVOCATION, ev);
    if (t != NULL && inv->hub.ptr != NULL && inv->method.ptr != NULL) {
        size_t id = inv->id.ptr == NULL ? 0 : inv->id.len;
        lf_detail_text d;
        lf_detail_text_init(&d);
        lf_detail_text_add(&d, inv->hub.ptr, capped(inv->hub.len, LF_CALL_NAME_MAX));
        lf_detail_text_add_str(&d, ".");
        lf_detail_text_add(&d, inv->method.ptr, capped(inv->method.len, LF_CALL_NAME_MAX));
        if (id > 0) {
            lf_detail_text_add_str(&d, " I ");
            lf_detail_text_add(&d, inv->id.ptr, capped(id, LF_CALL_ID_MAX));
        }
        lf_record_set_detail(&c->rec, t, d.bytes, d.len);
    }
    if (inv->id.ptr == NULL || c->call_count == LF_MAX_PENDING_CALLS) {
        return;
    }
    if (c->call_count == c->call_capacity) {
        c->call_capacity = c->call_capacity == 0 ? 4 : c->call_capacity * 2;
        c->calls = g_renew(lf_pending_call, c->calls, c->call_capacity);
    }
    lf_pending_call *p = &c->calls[c->call_count++];
    memset(p, 0, sizeof *p);
    copy_id(p->id, &inv->id);
    p->at = ev->at;
}

void lf_tracker_show_call(lf_tracker *c, const lf_pending_call *call)
{
    lf_timeline_event *t = lf_record_show_frame(&c->rec, LF_TL_INVOCATION, &call->at);
    if (t != NULL) {
        char text[LF_CALL_ID_MAX + 2];
        snprintf(text, sizeof text, "I %s", call->id);
        lf_record_set_detail(&c->rec, t, text, strlen(text));
    }
}

static void on_result(lf_tracker *c, const lf_signalr_event *ev)
{
    lf_timeline_event *t = lf_record_extend_run(&c->rec, LF_TL_RESULT, ev) != NULL
                               ? NULL
                               : lf_record_add_routine(&c->rec, LF_TL_RESULT, ev);
    if (t != NULL && ev->u.result.id.ptr != NULL) {
        lf_detail_text d;
        lf_detail_text_init(&d);
        lf_detail_text_add_str(&d, "I ");
        lf_detail_text_add(&d, ev->u.result.id.ptr, capped(ev->u.result.id.len, LF_CALL_ID_MAX));
        lf_detail_text_add_str(&d, ev->u.result.is_error ? " error" : "");
        lf_detail_text_add_str(&d, ev->u.result.is_progress ? " progress" : "");
        lf_record_set_detail(&c->rec, t, d.bytes, d.len);
    }
    if (ev->u.result.is_progress || ev->u.result.id.ptr == NULL) {
        return;
    }
    char id[LF_CALL_ID_MAX];
    copy_id(id, &ev->u.result.id);
    for (size_t i = 0; i < c->call_count; i++) {
        if (strcmp(c->calls[i].id, id) == 0) {
            c->calls[i] = c->calls[--c->call_count];
            return;
        }
    }
}

static void on_gap(lf_tracker *c, const lf_signalr_event *ev)
{
    lf_record_add_event(&c->rec, LF_TL_GAP, ev);
    sr_finding_values v = {.count = ev->u.gap.missing};
    lf_tracker_finding(c, SR_FINDING_CAPTURE_GAP, ev->at.time, NULL, &v, &ev->at, NULL);
}

static void on_error(lf_tracker *c, const lf_signalr_event *ev)
{
    lf_timeline_event *t = lf_record_add_event(&c->rec, LF_TL_ERROR, ev);
    if (t != NULL && ev->u.error.text != NULL) {
        lf_record_set_detail(&c->rec, t, ev->u.error.text, strlen(ev->u.error.text));
    }
}

/* ---- dispatch and end of capture --------------------------------------------------------- */

void lf_tracker_feed(lf_tracker *c, const lf_signalr_event *ev)
{
    switch (ev->type) {
    case LF_SR_REQUEST:
        on_request(c, ev);
        break;
    case LF_SR_RESPONSE:
        on_response(c, ev);
        break;
    case LF_SR_NEGOTIATE_RESULT:
        break; /* lf_tracker_negotiate() */
    case LF_SR_TRANSPORT_OPENED:
        on_opened(c, ev);
        break;
    case LF_SR_INIT:
        on_persistent(c, ev, LF_TL_INIT);
        break;
    case LF_SR_STARTED:
        on_started(c, ev);
        break;
    case LF_SR_MESSAGE:
        on_persistent(c, ev, LF_TL_MESSAGE);
        break;
    case LF_SR_DISCONNECT_COMMAND:
        on_persistent(c, ev, LF_TL_DISCONNECT_COMMAND);
        break;
    case LF_SR_KEEPALIVE:
        on_keepalive(c, ev);
        break;
    case LF_SR_HUB_INVOCATION:
        on_invocation(c, ev);
        break;
    case LF_SR_HUB_RESULT:
        on_result(c, ev);
        break;
    case LF_SR_TRANSPORT_CLOSED:
        lf_tracker_on_closed(c, ev);
        break;
    case LF_SR_GAP:
        on_gap(c, ev);
        break;
    case LF_SR_ERROR:
        on_error(c, ev);
        break;
    }
}

static void settle_calls(lf_tracker *c)
{
    size_t dropped = 0;
    const lf_pending_call *first = NULL;
    for (size_t i = 0; i < c->call_count; i++) {
        if (c->calls[i].dropped) {
            dropped++;
            if (first == NULL || c->calls[i].drop_at.time < first->drop_at.time) {
                first = &c->calls[i];
            }
        }
    }
    if (first != NULL) {
        sr_finding_values v = {.count = dropped, .what = sr_transport_name(first->drop_transport)};
        lf_tracker_show_call(c, first);
        lf_tracker_finding(c, SR_FINDING_INVOCATION_UNANSWERED, first->drop_at.time, NULL, &v,
                           &first->at, &first->drop_at);
    }
}

static void settle_setup(lf_tracker *c, lf_time_ns capture_end)
{
    if (c->negotiated && !c->saw_connect && c->aborted) {
        /* The JS client stops this way when no transport is usable (e.g. forever frame asked
         * for in a browser with EventSource) or the protocol version does not match. */
        sr_finding_values v = {.observed = lf_tracker_since(&c->negotiate_at, c->abort_at.time),
                               .what = "the client sent /abort instead"};
        lf_tracker_finding(c, SR_FINDING_NEGOTIATE_NOT_FOLLOWED, c->abort_at.time, NULL, &v,
                           &c->negotiate_at, &c->abort_at);
    } else if (c->negotiated && !c->saw_connect) {
        double waited = lf_tracker_since(&c->negotiate_at, capture_end);
        if (waited > c->th.transport_connect_timeout) {
            sr_finding_values v = {.observed = waited,
                                   .threshold = c->th.transport_connect_timeout};
            lf_tracker_finding(c, SR_FINDING_NEGOTIATE_NOT_FOLLOWED,
                               c->negotiate_at.time +
                                   lf_tracker_nanos(c->th.transport_connect_timeout),
                               NULL, &v, &c->negotiate_at, NULL);
        }
    }
    if (c->rec.settings.source == LF_SETTINGS_ASSUMED) {
        sr_finding_values v = {.setting = c->rec.settings.keepalive_timeout,
                               .setting2 = c->rec.settings.disconnect_timeout};
        lf_tracker_finding(c, SR_FINDING_SETTINGS_ASSUMED, c->rec.first_seen, NULL, &v, NULL, NULL);
    }
}

static void settle_end(lf_tracker *c, lf_time_ns capture_end)
{
    lf_connection *r = &c->rec;
    if (c->negotiated && !c->any_open) {
        r->end = LF_END_FAILED; /* a start that never got a transport, aborted or not */
        r->end_time = c->aborted ? c->abort_at.time : r->last_seen;
    } else if (c->aborted) {
        r->end = LF_END_STOPPED;
        r->end_time = c->abort_at.time;
    } else if (c->disconnect_command) {
        r->end = LF_END_SERVER_DISCONNECT;
        r->end_time = c->disconnect_at;
    } else if (c->expired) {
        r->end = LF_END_TIMED_OUT;
        r->end_time = c->expired_at;
    } else if (!c->any_open) {
        r->end = LF_END_FAILED;
        r->end_time = r->last_seen;
    } else {
        r->end = LF_END_CAPTURE_ENDED;
        r->end_time = capture_end;
    }
}

/* Margin over the longest quiet spell of a live connection. */
#define LF_QUIET_FACTOR 2.0

bool lf_tracker_quiet_for_good(const lf_tracker *c, lf_time_ns now)
{
    double longest = c->th.connection_timeout + c->th.disconnect_timeout + c->th.keepalive_timeout;
    return lf_tracker_seconds(now - c->rec.last_seen) > LF_QUIET_FACTOR * longest;
}

void lf_tracker_finish(lf_tracker *c, lf_time_ns capture_end)
{
    lf_time_ns end = capture_end > c->rec.last_seen ? capture_end : c->rec.last_seen;
    lf_frame_ref capture_over = {.time = end}; /* no frame: the capture just stops */
    lf_tracker_settle_silence(c, &capture_over);
    lf_tracker_settle_transport(c, end);
    lf_tracker_settle_expiry(c, end);
    if (c->client_dropped && !c->aborted) {
        sr_finding_values v = {.what = sr_transport_name(c->client_drop_transport),
                               .setting = c->th.disconnect_timeout};
        lf_tracker_finding(c, SR_FINDING_ABORT_MISSING, c->client_drop_at.time, NULL, &v,
                           &c->client_drop_at, NULL);
    }
    settle_calls(c);
    settle_setup(c, end);
    settle_end(c, end);
    lf_record_sort_findings(&c->rec);
}

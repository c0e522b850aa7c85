/* signalr_classifier.c - wire events -> SignalR events, with the protocol model. */
#include "pipeline/signalr_classifier.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "protocol/sr_cursor.h"
#include "protocol/sr_framing.h"
#include "protocol/sr_hub.h"
#include "protocol/sr_negotiate.h"
#include "protocol/sr_payload.h"
#include "protocol/sr_persistent.h"
#include "protocol/sr_request.h"
#include "protocol/sr_summary.h"

/* Requests remembered per stream while their responses are outstanding. Browsers do not
 * pipeline, so one is in flight at a time; eight covers any client that does. */
#define REQUEST_RING 8

/* Largest token or head buffer kept for reuse by the next request: browsers' tokens and heads
 * are well under it, and an outsized one should not stay pinned for the stream's lifetime. */
#define KEEP_BUFFER_MAX 4096

/* What an error response event needs of its head while the body is awaited. */
typedef struct held_response {
    uint64_t stream;
    tcp_dir dir;
    lf_frame_ref at;
    int status;
} held_response;

typedef struct request_record {
    /* What every event of the request reads comes first, to share a cache line. */
    uint32_t index; /* LF_WIRE_NO_REQUEST when the slot is free */
    sr_request_kind kind;
    sr_transport transport;
    bool signalr;
    bool awaiting_body;
    bool response_held;
    bool has_token;
    char *token_buf; /* percent-decoded connection token (token_len bytes) when has_token */
    size_t token_len;
    uint64_t token_id; /* the events' token_id, numbered per token read */
    /* The token buffer is reused by every request of this slot, so that a stream's requests
     * cost no allocation once it has grown to its token size; freed with the stream. */
    size_t token_cap;
    char *head; /* method then target, kept while awaiting the form body */
    size_t method_len, target_len;
    bool head_owned; /* head is the record's own copy, not the stream's head_buf */
    held_response response; /* an error response head held until its body gives the text */
} request_record;

typedef struct stream_state {
    /* The stream's own facts first: with `info` they fill the line every event reads. */
    tcp_stream_info info;
    uint32_t live;     /* request index of the receive transport this stream carries */
    bool live_ended;   /* that transport's end was already reported */
    bool ws_open;      /* a 101 answered the live request */
    /* The head of the request awaiting its form body, reused request after request; a second
     * request awaiting at the same time (pipelining) gets its own copy. */
    bool head_busy;
    char *head_buf;
    size_t head_cap;
    request_record ring[REQUEST_RING];
} stream_state;

/* Live streams by id: open addressing with linear probing over a power-of-two array, at most
 * three quarters full; a removal shifts the entries after it back, so no tombstones build up.
 * It grows with the number of live streams and never shrinks below its peak. */
typedef struct stream_slot {
    uint64_t id;
    stream_state *state; /* NULL: the slot is free */
} stream_slot;

typedef struct stream_map {
    stream_slot *slots;
    size_t mask; /* slot count - 1 */
    size_t count;
} stream_map;

/* Slots of a new map: a power of two, so that masking replaces a modulo. */
#define STREAM_MAP_FIRST_SLOTS 64

struct lf_signalr_classifier {
    lf_signalr_sink sink;
    stream_map streams;
    /* The stream of the previous event (NULL: none): events come in runs per stream. Reset
     * whenever a stream is added or removed. */
    stream_state *last;
    uint64_t last_id;
    uint64_t tokens_read; /* the last token_id given */
};

static bool is_receive(sr_request_kind k)
{
    return k == SR_REQUEST_CONNECT || k == SR_REQUEST_RECONNECT || k == SR_REQUEST_POLL;
}

static lf_wire_str wstr(const char *p, size_t len)
{
    return (lf_wire_str){.ptr = p, .len = len};
}

static lf_wire_str wstr_of(const sr_string *s)
{
    return s != NULL && s->data != NULL ? wstr(s->data, s->len) : wstr(NULL, 0);
}

/* ---- per-stream records ------------------------------------------------------------------- */

/* Frees a stream record and its slot buffers. NULL is fine. */
static void stream_free(stream_state *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < REQUEST_RING; i++) {
        g_free(s->ring[i].token_buf);
        if (s->ring[i].head_owned)
            g_free(s->ring[i].head);
    }
    g_free(s->head_buf);
    g_free(s);
}

/* Room for n bytes in a reused buffer; what it held before is dropped. */
static char *reserve(char **buf, size_t *cap, size_t n)
{
    if (n > *cap) {
        g_free(*buf);
        *buf = g_malloc(n);
        *cap = n;
    }
    return *buf;
}

/* Drops a reused buffer that grew beyond what is worth keeping. */
static void trim(char **buf, size_t *cap)
{
    if (*cap > KEEP_BUFFER_MAX) {
        g_clear_pointer(buf, g_free);
        *cap = 0;
    }
}

/* ---- the stream map ---------------------------------------------------------------------- */

/* Fibonacci hashing: consecutive ids spread over the whole table. */
static size_t home_slot(const stream_map *m, uint64_t id)
{
    uint64_t h = id * 0x9E3779B97F4A7C15u;
    return (size_t)(h ^ (h >> 32)) & m->mask;
}

/* The slot holding id, or the free slot where it would go. */
static size_t find_slot(const stream_map *m, uint64_t id)
{
    size_t i = home_slot(m, id);
    while (m->slots[i].state != NULL && m->slots[i].id != id)
        i = (i + 1) & m->mask;
    return i;
}

static void map_init(stream_map *m, size_t slots)
{
    m->slots = g_new0(stream_slot, slots);
    m->mask = slots - 1;
    m->count = 0;
}

static void map_grow(stream_map *m)
{
    stream_map bigger;
    map_init(&bigger, 2 * (m->mask + 1));
    for (size_t i = 0; i <= m->mask; i++) {
        if (m->slots[i].state != NULL)
            bigger.slots[find_slot(&bigger, m->slots[i].id)] = m->slots[i];
    }
    bigger.count = m->count;
    g_free(m->slots);
    *m = bigger;
}

static stream_state *map_get(const stream_map *m, uint64_t id)
{
    return m->slots[find_slot(m, id)].state;
}

/* Stores s under id; returns what id held before (NULL if nothing), for the caller to free. */
static stream_state *map_put(stream_map *m, uint64_t id, stream_state *s)
{
    if (4 * (m->count + 1) > 3 * (m->mask + 1))
        map_grow(m);
    stream_slot *slot = &m->slots[find_slot(m, id)];
    stream_state *old = slot->state;
    m->count += old == NULL;
    *slot = (stream_slot){.id = id, .state = s};
    return old;
}

/* Whether home slot k lies cyclically in (i, j]: an entry there must stay after i. */
static bool between(size_t i, size_t k, size_t j)
{
    return i <= j ? i < k && k <= j : i < k || k <= j;
}

/* Takes id out; returns what it held (NULL if nothing), for the caller to free. */
static stream_state *map_remove(stream_map *m, uint64_t id)
{
    size_t i = find_slot(m, id);
    stream_state *old = m->slots[i].state;
    if (old == NULL)
        return NULL;
    /* Close the gap: move back every following entry whose home is not after the hole. */
    for (size_t j = (i + 1) & m->mask; m->slots[j].state != NULL; j = (j + 1) & m->mask) {
        if (between(i, home_slot(m, m->slots[j].id), j))
            continue;
        m->slots[i] = m->slots[j];
        i = j;
    }
    m->slots[i] = (stream_slot){0};
    m->count--;
    return old;
}

static void map_free(stream_map *m)
{
    for (size_t i = 0; m->slots != NULL && i <= m->mask; i++) {
        if (m->slots[i].state != NULL)
            stream_free(m->slots[i].state);
    }
    g_free(m->slots);
    *m = (stream_map){0};
}

static stream_state *stream_get(lf_signalr_classifier *c, uint64_t id)
{
    if (c->last == NULL || c->last_id != id) {
        c->last = map_get(&c->streams, id);
        c->last_id = id;
    }
    return c->last;
}

static request_record *record_for(stream_state *s, uint32_t index)
{
    if (s == NULL || index == LF_WIRE_NO_REQUEST)
        return NULL;
    request_record *r = &s->ring[index % REQUEST_RING];
    return r->index == index ? r : NULL;
}

/* Lets go of the head a record kept for its form body. */
static void release_head(stream_state *s, request_record *r)
{
    if (r->head_owned) {
        g_free(r->head);
    } else if (r->head != NULL) {
        s->head_busy = false;
        trim(&s->head_buf, &s->head_cap);
    }
    r->head = NULL;
    r->head_owned = false;
}

static request_record *record_new(stream_state *s, uint32_t index)
{
    request_record *r = &s->ring[index % REQUEST_RING];
    release_head(s, r);
    trim(&r->token_buf, &r->token_cap);
    *r = (request_record){.index = index, .token_buf = r->token_buf, .token_cap = r->token_cap};
    return r;
}

/* ---- emission ----------------------------------------------------------------------------- */

static lf_signalr_event event_for(const stream_state *s, const request_record *r,
                                  lf_sr_event_type type, const lf_wire_event *w)
{
    /* Returned as a literal, so that it is built right in the caller's variable. */
    return (lf_signalr_event){.type = type,
                              .at = w->at,
                              .stream = w->stream,
                              .dir = w->dir,
                              .client = s->info.client,
                              .server = s->info.server,
                              .token = r->has_token ? wstr(r->token_buf, r->token_len)
                                                    : wstr(NULL, 0),
                              .token_id = r->has_token ? r->token_id : 0,
                              .transport = r->transport,
                              .request_kind = r->kind};
}

static void emit(lf_signalr_classifier *c, const lf_signalr_event *ev)
{
    c->sink.emit(c->sink.ctx, ev);
}

static void emit_simple(lf_signalr_classifier *c, const stream_state *s, const request_record *r,
                        lf_sr_event_type type, const lf_wire_event *w)
{
    lf_signalr_event ev = event_for(s, r, type, w);
    emit(c, &ev);
}

static void emit_error(lf_signalr_classifier *c, const stream_state *s, const request_record *r,
                       const lf_wire_event *w, const char *what, sr_status status)
{
    char text[160];
    snprintf(text, sizeof text, "%s: %s", what, sr_status_message(status));
    lf_signalr_event ev = event_for(s, r, LF_SR_ERROR, w);
    ev.u.error.text = text;
    emit(c, &ev);
}

/* ---- requests ----------------------------------------------------------------------------- */

static const sr_string *param(const sr_request *q, sr_param_id id)
{
    const sr_param *p = &q->params[id];
    return p->present && p->status == SR_OK ? &p->value : NULL;
}

static void remember_token(lf_signalr_classifier *c, request_record *r, const sr_request *q)
{
    const sr_string *t = param(q, SR_PARAM_CONNECTION_TOKEN);
    if (t == NULL)
        t = param(q, SR_PARAM_CONNECTION_ID);
    if (t == NULL || q->kind == SR_REQUEST_NEGOTIATE)
        return;
    memcpy(reserve(&r->token_buf, &r->token_cap, t->len + 1), t->data, t->len + 1);
    r->token_len = t->len;
    r->token_id = ++c->tokens_read;
    r->has_token = true;
}

static void fill_request(lf_sr_request *out, const sr_request *q, const lf_wire_str *hubs)
{
    const sr_string *groups = param(q, SR_PARAM_FORM_GROUPS_TOKEN);
    if (groups == NULL)
        groups = param(q, SR_PARAM_GROUPS_TOKEN);
    out->url_prefix = wstr(q->prefix.ptr, q->prefix.len);
    out->client_protocol = wstr_of(param(q, SR_PARAM_CLIENT_PROTOCOL));
    out->message_id = wstr_of(sr_request_message_id(q));
    out->groups_token = wstr_of(groups);
    if (q->kind == SR_REQUEST_NEGOTIATE)
        out->stale_token = wstr_of(param(q, SR_PARAM_CONNECTION_TOKEN));
    out->hubs = hubs;
    out->hub_count = q->hub_count;
    out->has_tid = q->params[SR_PARAM_TID].present;
    out->has_frame_id = param(q, SR_PARAM_FRAME_ID) != NULL;
    out->frame_id = q->frame_id;
}

/* A client->server hub call carried by a /send form body or a WebSocket frame; the common
 * shape is read without a JSON tree, anything else by the protocol model's tree reader. */
static void emit_invocation(lf_signalr_classifier *c, const stream_state *s,
                            const request_record *r, const lf_wire_event *w, const char *json,
                            size_t len)
{
    sr_invocation_summary quick;
    if (sr_summary_invocation(json, len, &quick) == SR_OK) {
        lf_signalr_event ev = event_for(s, r, LF_SR_HUB_INVOCATION, w);
        ev.u.invocation = (lf_sr_invocation){.hub = wstr(quick.hub.ptr, quick.hub.len),
                                             .method = wstr(quick.method.ptr, quick.method.len),
                                             .id = wstr(quick.invocation_id.ptr,
                                                        quick.invocation_id.len)};
        emit(c, &ev);
        return;
    }
    sr_hub_invocation inv = {0};
    if (sr_hub_invocation_parse(json, len, &inv, NULL) == SR_OK) {
        lf_signalr_event ev = event_for(s, r, LF_SR_HUB_INVOCATION, w);
        ev.u.invocation = (lf_sr_invocation){.hub = wstr_of(&inv.hub),
                                             .method = wstr_of(&inv.method),
                                             .id = wstr_of(&inv.invocation_id)};
        emit(c, &ev);
    }
    sr_hub_invocation_clear(&inv);
}

/* Hub names handed out on the stack before the list needs the heap: clients name a handful. */
#define HUBS_ON_STACK 16

/* Classifies a request head (method and target as the head gave them, each cut at its first
 * NUL like the copies kept while a form body is awaited) with its form body, if any. */
static void classify_request(lf_signalr_classifier *c, stream_state *s, request_record *r,
                             const lf_wire_event *w, lf_wire_str method, lf_wire_str target,
                             const char *form, size_t form_len)
{
    sr_request q;
    sr_error err = {0};
    sr_status st = sr_request_parse(method.ptr, method.len, target.ptr, target.len, form,
                                    form_len, &q, &err);
    r->awaiting_body = false;
    r->signalr = q.kind != SR_REQUEST_NOT_SIGNALR;
    r->kind = q.kind;
    r->transport = q.transport;
    if (r->signalr) {
        remember_token(c, r, &q);
        lf_wire_str stack_hubs[HUBS_ON_STACK];
        lf_wire_str *hubs = q.hub_count <= HUBS_ON_STACK ? stack_hubs
                                                         : g_new0(lf_wire_str, q.hub_count);
        for (size_t i = 0; i < q.hub_count; i++)
            hubs[i] = wstr_of(&q.hubs[i]);
        lf_signalr_event ev = event_for(s, r, LF_SR_REQUEST, w);
        ev.dir = TCP_DIR_TO_SERVER;
        ev.u.request.method = method;
        fill_request(&ev.u.request, &q, hubs);
        emit(c, &ev);
        if (hubs != stack_hubs)
            g_free(hubs);
        if (st != SR_OK)
            emit_error(c, s, r, w, err.field ? err.field : "request", st);
        const sr_string *data = param(&q, SR_PARAM_FORM_DATA);
        if (q.kind == SR_REQUEST_SEND && data != NULL)
            emit_invocation(c, s, r, w, data->data, data->len);
    }
    sr_request_clear(&q);
}

/* A request whose form body was awaited: classified with the head kept in the record. */
static void classify_kept_request(lf_signalr_classifier *c, stream_state *s, request_record *r,
                                  const lf_wire_event *w, const char *form, size_t form_len)
{
    classify_request(c, s, r, w, wstr(r->head, r->method_len),
                     wstr(r->head + r->method_len, r->target_len), form, form_len);
    release_head(s, r);
}

static lf_wire_str cut_at_nul(lf_wire_str s)
{
    const char *nul = s.ptr != NULL ? memchr(s.ptr, '\0', s.len) : NULL;
    return nul != NULL ? wstr(s.ptr, (size_t)(nul - s.ptr)) : s;
}

/* Keeps method and target (each cut at its first NUL) until the form body comes. */
static void keep_head(stream_state *s, request_record *r, lf_wire_str method,
                      lf_wire_str target)
{
    size_t n = method.len + target.len + 1;
    r->head_owned = s->head_busy;
    char *head = r->head_owned ? g_malloc(n) : reserve(&s->head_buf, &s->head_cap, n);
    s->head_busy = true;
    if (method.len > 0)
        memcpy(head, method.ptr, method.len);
    if (target.len > 0)
        memcpy(head + method.len, target.ptr, target.len);
    r->head = head;
    r->method_len = method.len;
    r->target_len = target.len;
}

static void on_request(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w)
{
    const lf_wire_request *q = &w->u.request;
    request_record *r = record_new(s, w->request_index);
    lf_wire_str method = cut_at_nul(q->method), target = cut_at_nul(q->target);
    if (!q->has_body) {
        classify_request(c, s, r, w, method, target, NULL, 0);
        return;
    }
    keep_head(s, r, method, target);
    r->awaiting_body = true;
}

/* ---- server -> client payloads ------------------------------------------------------------ */

static lf_wire_str cursor_prefix(const char *cursor, size_t len)
{
    if (cursor == NULL)
        return wstr(NULL, 0);
    sr_span prefix = sr_cursor_prefix_text(cursor, len);
    return wstr(prefix.ptr, prefix.len);
}

/* One persistent response: emitted once, as INIT ("S"), DISCONNECT_COMMAND ("D") or MESSAGE. */
static void emit_message(lf_signalr_classifier *c, const stream_state *s, const request_record *r,
                         const lf_wire_event *w, uint64_t initialized, uint64_t disconnect,
                         const lf_sr_message *m)
{
    lf_sr_event_type type = initialized  ? LF_SR_INIT
                            : disconnect ? LF_SR_DISCONNECT_COMMAND
                                         : LF_SR_MESSAGE;
    lf_signalr_event ev = event_for(s, r, type, w);
    ev.u.message = *m;
    emit(c, &ev);
}

static void emit_persistent(lf_signalr_classifier *c, const stream_state *s,
                            const request_record *r, const lf_wire_event *w, JsonNode *root)
{
    sr_persistent_response p = {0};
    sr_status st = sr_persistent_from_node(root, &p, NULL);
    if (st != SR_OK) {
        emit_error(c, s, r, w, "persistent response", st);
    } else {
        lf_sr_message m = {
            .cursor = wstr_of(&p.cursor_text),
            .cursor_prefix = cursor_prefix(p.cursor_text.data, p.cursor_text.len),
            .message_count = (uint32_t)MIN(p.message_count, UINT32_MAX),
            .has_groups_token = (p.fields & SR_PERSISTENT_G) != 0,
            .shutting_down = p.timed_out != 0,
            .has_long_poll_delay = (p.fields & SR_PERSISTENT_L) != 0,
            .long_poll_delay_ms = (uint32_t)MIN(p.long_poll_delay_ms, UINT32_MAX),
            .has_error = (p.fields & SR_PERSISTENT_E) != 0};
        emit_message(c, s, r, w, p.initialized, p.disconnect, &m);
    }
    sr_persistent_clear(&p);
}

static void emit_result(lf_signalr_classifier *c, const stream_state *s, const request_record *r,
                        const lf_wire_event *w, JsonNode *root, bool progress)
{
    lf_signalr_event ev = event_for(s, r, LF_SR_HUB_RESULT, w);
    if (progress) {
        sr_hub_progress p = {0};
        if (sr_hub_progress_from_node(root, &p, NULL) == SR_OK) {
            ev.u.result = (lf_sr_result){.id = wstr_of(&p.invocation_id), .is_progress = true};
            emit(c, &ev);
        }
        sr_hub_progress_clear(&p);
        return;
    }
    sr_hub_result res = {0};
    if (sr_hub_result_from_node(root, &res, NULL) == SR_OK) {
        ev.u.result = (lf_sr_result){.id = wstr_of(&res.invocation_id),
                                     .is_error = (res.fields & SR_HUB_RESULT_E) != 0};
        emit(c, &ev);
    }
    sr_hub_result_clear(&res);
}

static void emit_started(lf_signalr_classifier *c, const stream_state *s, const request_record *r,
                         const lf_wire_event *w, sr_payload_kind kind)
{
    if (r->kind != SR_REQUEST_START)
        return;
    lf_signalr_event ev = event_for(s, r, LF_SR_STARTED, w);
    ev.u.started.ok = kind == SR_PAYLOAD_START_RESPONSE;
    emit(c, &ev);
}

/* The events of a server JSON text read without a tree (sr_summary.h): the same ones
 * classify_server_json() emits from the tree. */
static void emit_summary(lf_signalr_classifier *c, const stream_state *s, const request_record *r,
                         const lf_wire_event *w, const sr_server_summary *sum)
{
    switch (sum->kind) {
    case SR_PAYLOAD_KEEPALIVE: emit_simple(c, s, r, LF_SR_KEEPALIVE, w); break;
    case SR_PAYLOAD_PERSISTENT_RESPONSE: {
        lf_sr_message m = {
            .cursor = wstr(sum->cursor.ptr, sum->cursor.len),
            .cursor_prefix = cursor_prefix(sum->cursor.ptr, sum->cursor.len),
            .message_count = (uint32_t)MIN(sum->message_count, UINT32_MAX),
            .has_groups_token = (sum->fields & SR_PERSISTENT_G) != 0,
            .shutting_down = sum->timed_out != 0,
            .has_long_poll_delay = (sum->fields & SR_PERSISTENT_L) != 0,
            .long_poll_delay_ms = (uint32_t)MIN(sum->long_poll_delay_ms, UINT32_MAX)};
        emit_message(c, s, r, w, sum->initialized, sum->disconnect, &m);
        break;
    }
    case SR_PAYLOAD_HUB_RESULT: {
        lf_signalr_event ev = event_for(s, r, LF_SR_HUB_RESULT, w);
        ev.u.result = (lf_sr_result){
            .id = wstr(sum->invocation_id.ptr, sum->invocation_id.len), .is_error = sum->is_error};
        emit(c, &ev);
        break;
    }
    case SR_PAYLOAD_START_RESPONSE:
    case SR_PAYLOAD_OTHER_RESPONSE: emit_started(c, s, r, w, sum->kind); break;
    default: break;
    }
}

/* One JSON text the server sent: a WebSocket frame, SSE data, a forever-frame script argument,
 * a long-poll body, a /send or /start response. The common shapes are read without a JSON tree
 * (sr_summary.h); the rest, and anything doubtful, by the protocol model's tree readers. */
static void classify_server_json(lf_signalr_classifier *c, const stream_state *s,
                                 const request_record *r, const lf_wire_event *w,
                                 const char *json, size_t len)
{
    if (sr_ws_is_keepalive(json, len)) {
        emit_simple(c, s, r, LF_SR_KEEPALIVE, w);
        return;
    }
    sr_server_summary sum;
    if (sr_summary_server(json, len, &sum) == SR_OK) {
        emit_summary(c, s, r, w, &sum);
        return;
    }
    JsonNode *root = NULL;
    sr_status st = sr_payload_parse(json, len, &root, NULL, NULL);
    if (st != SR_OK) {
        emit_error(c, s, r, w, "server message", st);
        return;
    }
    switch (sr_payload_classify_node(root)) {
    case SR_PAYLOAD_KEEPALIVE: emit_simple(c, s, r, LF_SR_KEEPALIVE, w); break;
    case SR_PAYLOAD_PERSISTENT_RESPONSE: emit_persistent(c, s, r, w, root); break;
    case SR_PAYLOAD_HUB_RESULT: emit_result(c, s, r, w, root, false); break;
    case SR_PAYLOAD_HUB_PROGRESS: emit_result(c, s, r, w, root, true); break;
    case SR_PAYLOAD_START_RESPONSE:
    case SR_PAYLOAD_OTHER_RESPONSE: emit_started(c, s, r, w, sr_payload_classify_node(root)); break;
    default: break;
    }
    json_node_unref(root);
}

static void classify_negotiate(lf_signalr_classifier *c, const stream_state *s,
                               const request_record *r, const lf_wire_event *w)
{
    sr_negotiate n = {0};
    sr_status st = sr_negotiate_parse((const char *)w->u.body.data, w->u.body.len, &n, NULL);
    if (st != SR_OK) {
        emit_error(c, s, r, w, "negotiate response", st);
    } else if (n.variant != SR_NEGOTIATE_CLASSIC) {
        emit_error(c, s, r, w, "negotiate response is not a classic SignalR answer", SR_ERR_NO_MATCH);
    } else {
        lf_signalr_event ev = event_for(s, r, LF_SR_NEGOTIATE_RESULT, w);
        ev.token = wstr_of(&n.connection_token);
        ev.u.negotiate.parsed = &n;
        emit(c, &ev);
    }
    sr_negotiate_clear(&n);
}

/* ---- responses ---------------------------------------------------------------------------- */

static void mark_live(stream_state *s, const request_record *r)
{
    s->live = r->index;
    s->live_ended = false;
}

static void emit_opened(lf_signalr_classifier *c, stream_state *s, const request_record *r,
                        const lf_wire_event *w, lf_sr_open_evidence how)
{
    mark_live(s, r);
    lf_signalr_event ev = event_for(s, r, LF_SR_TRANSPORT_OPENED, w);
    ev.u.opened.evidence = how;
    emit(c, &ev);
}

static void emit_response(lf_signalr_classifier *c, const stream_state *s,
                          const request_record *r, const lf_wire_event *head,
                          const lf_wire_body *body)
{
    lf_signalr_event ev = event_for(s, r, LF_SR_RESPONSE, head);
    ev.u.response.status = head->u.response.status;
    if (body != NULL && body->data != NULL && body->len > 0)
        ev.u.response.text = wstr((const char *)body->data, MIN(body->len, (size_t)200));
    emit(c, &ev);
}

static void on_response(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w)
{
    request_record *r = record_for(s, w->request_index);
    if (r == NULL || !r->signalr)
        return;
    int status = w->u.response.status;
    if (status >= 400 && !w->u.response.answers_head) {
        r->response = (held_response){.stream = w->stream, .dir = w->dir, .at = w->at,
                                      .status = status};
        r->response_held = true;
        return;
    }
    emit_response(c, s, r, w, NULL);
    if (!is_receive(r->kind) || (status >= 300 && status != 101))
        return;
    if (status == 101) {
        s->ws_open = true;
        emit_opened(c, s, r, w, LF_SR_OPENED_WS_101);
    } else if (r->transport == SR_TRANSPORT_SERVER_SENT_EVENTS) {
        emit_opened(c, s, r, w, LF_SR_OPENED_SSE_HEADERS);
    } else if (r->transport == SR_TRANSPORT_LONG_POLLING) {
        emit_opened(c, s, r, w, LF_SR_OPENED_LP_ACCEPTED);
    } else if (r->transport == SR_TRANSPORT_FOREVER_FRAME) {
        mark_live(s, r); /* opened by the prelude */
    }
}

static void release_held_response(lf_signalr_classifier *c, stream_state *s, request_record *r,
                                  const lf_wire_body *body)
{
    if (!r->response_held)
        return;
    r->response_held = false;
    lf_wire_event head = {.kind = LF_WIRE_HTTP_RESPONSE,
                          .stream = r->response.stream,
                          .dir = r->response.dir,
                          .at = r->response.at,
                          .request_index = r->index};
    head.u.response.status = r->response.status;
    emit_response(c, s, r, &head, body);
}

static void emit_closed(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w,
                        lf_sr_close_how how, lf_sr_party by)
{
    request_record *r = record_for(s, s->live);
    if (r == NULL || s->live_ended)
        return;
    s->live_ended = true;
    lf_signalr_event ev = event_for(s, r, LF_SR_TRANSPORT_CLOSED, w);
    ev.u.closed = (lf_sr_closed){.how = how, .by = by};
    if (w->kind == LF_WIRE_WS_CLOSE) {
        ev.u.closed.has_ws_code = w->u.ws_close.has_code;
        ev.u.closed.ws_code = w->u.ws_close.code;
    }
    emit(c, &ev);
}

static lf_sr_party party_of(tcp_dir sender)
{
    return sender == TCP_DIR_TO_SERVER ? LF_SR_PARTY_CLIENT : LF_SR_PARTY_SERVER;
}

static void on_body(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w)
{
    request_record *r = record_for(s, w->request_index);
    if (r == NULL)
        return;
    const lf_wire_body *b = &w->u.body;
    if (w->dir == TCP_DIR_TO_SERVER) {
        if (r->awaiting_body)
            classify_kept_request(c, s, r, w, (const char *)b->data, b->len);
        return;
    }
    if (!r->signalr)
        return;
    if (r->response_held) {
        release_held_response(c, s, r, b);
        return;
    }
    if (r->kind == SR_REQUEST_NEGOTIATE)
        classify_negotiate(c, s, r, w);
    else if (b->len > 0 && r->kind != SR_REQUEST_PING && r->kind != SR_REQUEST_HUBS &&
             r->kind != SR_REQUEST_ABORT)
        classify_server_json(c, s, r, w, (const char *)b->data, b->len);
    if (r->transport == SR_TRANSPORT_LONG_POLLING && is_receive(r->kind) && s->live == r->index)
        emit_closed(c, s, w, LF_SR_CLOSED_RESPONSE_END, LF_SR_PARTY_SERVER);
}

/* ---- transports --------------------------------------------------------------------------- */

static request_record *live_record(stream_state *s, const lf_wire_event *w)
{
    request_record *r = record_for(s, w->request_index);
    return r != NULL && r->signalr ? r : NULL;
}

static void on_ws_message(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w)
{
    request_record *r = live_record(s, w);
    const lf_wire_ws_message *m = &w->u.ws_message;
    if (r == NULL || m->opcode != LF_WS_TEXT)
        return;
    if (w->dir == TCP_DIR_TO_SERVER)
        emit_invocation(c, s, r, w, (const char *)m->payload, m->len);
    else
        classify_server_json(c, s, r, w, (const char *)m->payload, m->len);
}

static void on_sse(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w)
{
    request_record *r = live_record(s, w);
    if (r == NULL)
        return;
    const lf_wire_str *d = &w->u.sse.data;
    switch (sr_sse_classify_data(d->ptr, d->len)) {
    case SR_SSE_DATA_KEEPALIVE: emit_simple(c, s, r, LF_SR_KEEPALIVE, w); break;
    case SR_SSE_DATA_INITIALIZED: break; /* clients ignore it (sec. 8) */
    case SR_SSE_DATA_MESSAGE: classify_server_json(c, s, r, w, d->ptr, d->len); break;
    }
}

static void on_ff_message(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w)
{
    request_record *r = live_record(s, w);
    const lf_wire_str *json = &w->u.ff_message.json;
    if (r != NULL && json->ptr != NULL)
        classify_server_json(c, s, r, w, json->ptr, json->len);
}

static void on_spaces(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w)
{
    request_record *r = live_record(s, w);
    if (r != NULL && r->transport == SR_TRANSPORT_LONG_POLLING && is_receive(r->kind))
        emit_simple(c, s, r, LF_SR_KEEPALIVE, w);
}

static void on_gap(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w)
{
    request_record *r = record_for(s, s->live);
    if (r == NULL || s->live_ended)
        return;
    lf_signalr_event ev = event_for(s, r, LF_SR_GAP, w);
    ev.u.gap.missing = w->u.gap.missing;
    emit(c, &ev);
}

static lf_sr_close_how close_how(tcp_end_reason why)
{
    switch (why) {
    case TCP_END_FIN: return LF_SR_CLOSED_TCP_FIN;
    case TCP_END_RST: return LF_SR_CLOSED_TCP_RST;
    case TCP_END_REUSED: return LF_SR_CLOSED_TCP_FIN;
    case TCP_END_EVICTED: return LF_SR_CLOSED_EVICTED;
    case TCP_END_CAPTURE_ENDED: break;
    }
    return LF_SR_CLOSED_CAPTURE_END;
}

static void on_stream_close(lf_signalr_classifier *c, stream_state *s, const lf_wire_event *w)
{
    for (size_t i = 0; i < REQUEST_RING; i++) {
        request_record *r = &s->ring[i];
        if (r->index == LF_WIRE_NO_REQUEST)
            continue;
        if (r->awaiting_body)
            classify_kept_request(c, s, r, w, NULL, 0);
        if (r->signalr)
            release_held_response(c, s, r, NULL);
    }
    lf_sr_party by = w->u.close.why == TCP_END_CAPTURE_ENDED ? LF_SR_PARTY_UNKNOWN
                                                              : party_of(w->u.close.by);
    emit_closed(c, s, w, close_how(w->u.close.why), by);
    c->last = NULL;
    stream_free(map_remove(&c->streams, w->stream));
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static void on_open(lf_signalr_classifier *c, const lf_wire_event *w)
{
    stream_state *s = g_new0(stream_state, 1);
    s->info = w->u.open;
    s->live = LF_WIRE_NO_REQUEST;
    for (size_t i = 0; i < REQUEST_RING; i++)
        s->ring[i].index = LF_WIRE_NO_REQUEST;
    c->last = NULL;
    stream_free(map_put(&c->streams, w->stream, s)); /* a reused id's stale record, if any */
}

void lf_signalr_classifier_feed(lf_signalr_classifier *c, const lf_wire_event *w)
{
    if (w->kind == LF_WIRE_STREAM_OPEN) {
        on_open(c, w);
        return;
    }
    stream_state *s = stream_get(c, w->stream);
    if (s == NULL)
        return;
    switch (w->kind) {
    case LF_WIRE_HTTP_REQUEST: on_request(c, s, w); break;
    case LF_WIRE_HTTP_RESPONSE: on_response(c, s, w); break;
    case LF_WIRE_HTTP_BODY: on_body(c, s, w); break;
    case LF_WIRE_BODY_SPACES: on_spaces(c, s, w); break;
    case LF_WIRE_WS_MESSAGE: on_ws_message(c, s, w); break;
    case LF_WIRE_WS_CLOSE:
        if (record_for(s, w->request_index) != NULL && w->request_index == s->live)
            emit_closed(c, s, w, LF_SR_CLOSED_WS_CLOSE, party_of(w->dir));
        break;
    case LF_WIRE_SSE_EVENT: on_sse(c, s, w); break;
    case LF_WIRE_FF_PRELUDE: {
        request_record *r = live_record(s, w);
        if (r != NULL && is_receive(r->kind))
            emit_opened(c, s, r, w, LF_SR_OPENED_FF_PRELUDE);
        break;
    }
    case LF_WIRE_FF_MESSAGE: on_ff_message(c, s, w); break;
    case LF_WIRE_STREAM_BODY_END:
        if (w->request_index == s->live)
            emit_closed(c, s, w, LF_SR_CLOSED_RESPONSE_END, LF_SR_PARTY_SERVER);
        break;
    case LF_WIRE_STREAM_FIN:
        if (!s->live_ended && s->live != LF_WIRE_NO_REQUEST)
            emit_closed(c, s, w, LF_SR_CLOSED_TCP_FIN, party_of(w->dir));
        break;
    case LF_WIRE_GAP: on_gap(c, s, w); break;
    case LF_WIRE_STREAM_CLOSE: on_stream_close(c, s, w); break;
    default: break;
    }
}

static void feed_thunk(void *ctx, const lf_wire_event *ev)
{
    lf_signalr_classifier_feed(ctx, ev);
}

lf_wire_sink lf_signalr_classifier_wire_sink(lf_signalr_classifier *c)
{
    return (lf_wire_sink){.ctx = c, .emit = feed_thunk};
}

lf_signalr_classifier *lf_signalr_classifier_new(lf_signalr_sink sink)
{
    lf_signalr_classifier *c = g_new0(lf_signalr_classifier, 1);
    c->sink = sink;
    map_init(&c->streams, STREAM_MAP_FIRST_SLOTS);
    return c;
}

void lf_signalr_classifier_free(lf_signalr_classifier *c)
{
    if (c == NULL)
        return;
    map_free(&c->streams);
    g_free(c);
}

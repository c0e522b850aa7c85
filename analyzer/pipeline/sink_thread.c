/* sink_thread.c - the caller's sinks called on a thread of their own, in the order sent. */
#include "pipeline/sink_thread.h"

#include <glib.h>
#include <pthread.h>
#include <string.h>

#include "pipeline/batch_ring.h"

typedef enum item_kind { ITEM_EVENT, ITEM_DIAG, ITEM_PROGRESS } item_kind;

typedef struct item {
    item_kind kind;
    union {
        lf_signalr_event event;
        lf_diag diag;
        lf_pipeline_progress progress;
    } u;
} item;

struct lf_sink_thread {
    lf_signalr_sink signalr;
    lf_diag_sink diag;
    void (*progress)(void *ctx, const lf_pipeline_progress *p);
    void *progress_ctx;
    lf_batch_ring *ring;
    pthread_t thread;
    bool running;
};

/* Copies the bytes an item points to into a batch, or (batch NULL) counts the arena room
 * they take: one description of what an item points to serves both. */
typedef struct copier {
    lf_batch *batch;
    size_t room;
} copier;

static const void *keep(copier *c, const void *p, size_t len)
{
    if (c->batch == NULL) {
        c->room += p != NULL ? lf_batch_room(len) : 0;
        return p;
    }
    return lf_batch_keep(c->batch, p, len);
}

static lf_wire_str dup_str(copier *c, lf_wire_str s)
{
    return (lf_wire_str){.ptr = keep(c, s.ptr, s.len), .len = s.len};
}

static sr_string dup_sr_string(copier *c, sr_string s)
{
    return (sr_string){.data = (char *)keep(c, s.data, s.data != NULL ? s.len + 1 : 0),
                       .len = s.len};
}

static const char *dup_cstr(copier *c, const char *s)
{
    return keep(c, s, s != NULL ? strlen(s) + 1 : 0);
}

static void copy_request(copier *c, lf_sr_request *r)
{
    r->method = dup_str(c, r->method);
    r->url_prefix = dup_str(c, r->url_prefix);
    r->client_protocol = dup_str(c, r->client_protocol);
    r->message_id = dup_str(c, r->message_id);
    r->groups_token = dup_str(c, r->groups_token);
    r->stale_token = dup_str(c, r->stale_token);
    const lf_wire_str *hubs = r->hubs;
    lf_wire_str *copies = (lf_wire_str *)keep(c, hubs, r->hub_count * sizeof *hubs);
    for (size_t i = 0; hubs != NULL && i < r->hub_count; i++) {
        lf_wire_str hub = dup_str(c, hubs[i]);
        if (c->batch != NULL)
            copies[i] = hub;
    }
    r->hubs = copies;
}

static void copy_negotiate(copier *c, lf_sr_negotiate *n)
{
    const sr_negotiate *in = n->parsed;
    sr_negotiate *out = (sr_negotiate *)keep(c, in, sizeof *in);
    sr_negotiate scratch;
    if (c->batch == NULL)
        out = &scratch;
    out->url = dup_sr_string(c, in->url);
    out->connection_token = dup_sr_string(c, in->connection_token);
    out->connection_id = dup_sr_string(c, in->connection_id);
    out->protocol_version = dup_sr_string(c, in->protocol_version);
    out->websocket_server_url = dup_sr_string(c, in->websocket_server_url);
    out->redirect_url = dup_sr_string(c, in->redirect_url);
    out->access_token = dup_sr_string(c, in->access_token);
    out->error = dup_sr_string(c, in->error);
    out->jsonp_callback = dup_sr_string(c, in->jsonp_callback);
    if (c->batch != NULL)
        n->parsed = out;
}

/* Makes `ev` (a copy of the event sent) point into the batch, or counts the room it needs. */
static void copy_event(copier *c, lf_signalr_event *ev)
{
    ev->token = dup_str(c, ev->token);
    switch (ev->type) {
    case LF_SR_REQUEST: copy_request(c, &ev->u.request); break;
    case LF_SR_RESPONSE: ev->u.response.text = dup_str(c, ev->u.response.text); break;
    case LF_SR_NEGOTIATE_RESULT: copy_negotiate(c, &ev->u.negotiate); break;
    case LF_SR_INIT:
    case LF_SR_MESSAGE:
    case LF_SR_DISCONNECT_COMMAND:
        ev->u.message.cursor = dup_str(c, ev->u.message.cursor);
        ev->u.message.cursor_prefix = dup_str(c, ev->u.message.cursor_prefix);
        break;
    case LF_SR_HUB_INVOCATION:
        ev->u.invocation.hub = dup_str(c, ev->u.invocation.hub);
        ev->u.invocation.method = dup_str(c, ev->u.invocation.method);
        ev->u.invocation.id = dup_str(c, ev->u.invocation.id);
        break;
    case LF_SR_HUB_RESULT: ev->u.result.id = dup_str(c, ev->u.result.id); break;
    case LF_SR_ERROR: ev->u.error.text = dup_cstr(c, ev->u.error.text); break;
    case LF_SR_TRANSPORT_OPENED:
    case LF_SR_STARTED:
    case LF_SR_KEEPALIVE:
    case LF_SR_TRANSPORT_CLOSED:
    case LF_SR_GAP: break;
    }
}

static void send_event(void *ctx, const lf_signalr_event *ev)
{
    lf_sink_thread *t = ctx;
    lf_signalr_event measured = *ev;
    copier c = {0};
    copy_event(&c, &measured);
    item *it = lf_batch_ring_add(t->ring, c.room, &c.batch);
    if (it == NULL)
        return;
    it->kind = ITEM_EVENT;
    it->u.event = *ev;
    copy_event(&c, &it->u.event);
}

static void send_diag(void *ctx, const lf_diag *d)
{
    lf_sink_thread *t = ctx;
    copier c = {0};
    (void)dup_cstr(&c, d->message);
    (void)dup_cstr(&c, d->path);
    item *it = lf_batch_ring_add(t->ring, c.room, &c.batch);
    if (it == NULL)
        return;
    it->kind = ITEM_DIAG;
    it->u.diag = *d;
    it->u.diag.message = dup_cstr(&c, d->message);
    it->u.diag.path = dup_cstr(&c, d->path);
}

void lf_sink_thread_progress(void *ctx, const lf_pipeline_progress *p)
{
    lf_sink_thread *t = ctx;
    lf_batch *b;
    item *it = lf_batch_ring_add(t->ring, 0, &b);
    if (it == NULL)
        return;
    it->kind = ITEM_PROGRESS;
    it->u.progress = *p;
}

static void deliver(const lf_sink_thread *t, const item *it)
{
    switch (it->kind) {
    case ITEM_EVENT:
        if (t->signalr.emit != NULL)
            t->signalr.emit(t->signalr.ctx, &it->u.event);
        break;
    case ITEM_DIAG:
        if (t->diag.emit != NULL)
            t->diag.emit(t->diag.ctx, &it->u.diag);
        break;
    case ITEM_PROGRESS:
        if (t->progress != NULL)
            t->progress(t->progress_ctx, &it->u.progress);
        break;
    }
}

static void *deliver_all(void *arg)
{
    lf_sink_thread *t = arg;
    bool last = false;
    while (!last) {
        const lf_batch *b = lf_batch_ring_take(t->ring);
        const item *items = b->items;
        for (uint32_t i = 0; i < b->count; i++)
            deliver(t, &items[i]);
        last = b->last;
        lf_batch_ring_give_back(t->ring);
    }
    return NULL;
}

lf_sink_thread *lf_sink_thread_start(const lf_pipeline_options *opts)
{
    lf_sink_thread *t = g_new0(lf_sink_thread, 1);
    t->signalr = opts->signalr;
    t->diag = opts->diag;
    t->progress = opts->progress;
    t->progress_ctx = opts->progress_ctx;
    t->ring = lf_batch_ring_new(LF_SINK_THREAD_BATCHES, sizeof(item), LF_SINK_THREAD_ITEMS,
                                LF_SINK_THREAD_BYTES, NULL, NULL);
    if (pthread_create(&t->thread, NULL, deliver_all, t) != 0) {
        lf_batch_ring_free(t->ring);
        g_free(t);
        return NULL;
    }
    t->running = true;
    return t;
}

lf_signalr_sink lf_sink_thread_signalr(lf_sink_thread *t)
{
    return (lf_signalr_sink){.ctx = t, .emit = send_event};
}

lf_diag_sink lf_sink_thread_diag(lf_sink_thread *t)
{
    return (lf_diag_sink){.ctx = t, .emit = send_diag};
}

void lf_sink_thread_finish(lf_sink_thread *t)
{
    if (t == NULL || !t->running)
        return;
    lf_batch_ring_finish(t->ring);
    pthread_join(t->thread, NULL);
    t->running = false;
}

void lf_sink_thread_free(lf_sink_thread *t)
{
    if (t == NULL)
        return;
    lf_sink_thread_finish(t);
    lf_batch_ring_free(t->ring);
    g_free(t);
}

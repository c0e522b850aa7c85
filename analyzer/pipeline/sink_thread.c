/* sink_thread.c - wire events, diagnostics and progress handed to sinks on a thread of their
 * own, in the order sent. */
#include "pipeline/sink_thread.h"

#include <glib.h>
#include <pthread.h>
#include <string.h>

#include "pipeline/batch_ring.h"

typedef enum item_kind { ITEM_WIRE, ITEM_DIAG, ITEM_PROGRESS } item_kind;

typedef struct item {
    item_kind kind;
    union {
        lf_wire_event wire;
        lf_diag diag;
        lf_pipeline_progress progress;
    } u;
} item;

struct lf_sink_thread {
    lf_wire_sink wire;
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

static void dup_str(copier *c, lf_wire_str *s)
{
    s->ptr = keep(c, s->ptr, s->len);
}

static void dup_bytes(copier *c, const uint8_t **p, size_t len)
{
    *p = keep(c, *p, len);
}

static const char *dup_cstr(copier *c, const char *s)
{
    return keep(c, s, s != NULL ? strlen(s) + 1 : 0);
}

static void copy_request(copier *c, lf_wire_request *r)
{
    lf_wire_str *strings[] = {&r->method,     &r->target,           &r->host,
                              &r->content_type, &r->upgrade,        &r->user_agent,
                              &r->x_requested_with, &r->accept,     &r->connection,
                              &r->sec_websocket_key};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        dup_str(c, strings[i]);
}

static void copy_response(copier *c, lf_wire_response *r)
{
    lf_wire_str *strings[] = {&r->reason,          &r->content_type,
                              &r->transfer_encoding, &r->content_encoding,
                              &r->connection,      &r->sec_websocket_extensions,
                              &r->sec_websocket_accept};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        dup_str(c, strings[i]);
}

/* The JSON argument lies inside the script: it stays there in the copy. */
static void copy_ff_message(copier *c, lf_wire_ff_message *m)
{
    const char *script = m->script.ptr;
    bool inside = script != NULL && m->json.ptr != NULL && m->json.ptr >= script &&
                  m->json.ptr + m->json.len <= script + m->script.len;
    dup_str(c, &m->script);
    if (inside)
        m->json.ptr = m->script.ptr + (m->json.ptr - script);
    else
        dup_str(c, &m->json);
}

/* Makes `ev` (a copy of the event sent) point into the batch, or counts the room it needs. */
static void copy_event(copier *c, lf_wire_event *ev)
{
    switch (ev->kind) {
    case LF_WIRE_HTTP_REQUEST: copy_request(c, &ev->u.request); break;
    case LF_WIRE_HTTP_RESPONSE: copy_response(c, &ev->u.response); break;
    case LF_WIRE_HTTP_BODY:
    case LF_WIRE_STREAM_BODY_END: dup_bytes(c, &ev->u.body.data, ev->u.body.len); break;
    case LF_WIRE_WS_MESSAGE:
        dup_bytes(c, &ev->u.ws_message.payload, ev->u.ws_message.len);
        break;
    case LF_WIRE_WS_CONTROL:
        dup_bytes(c, &ev->u.ws_control.payload, ev->u.ws_control.len);
        break;
    case LF_WIRE_WS_CLOSE: dup_str(c, &ev->u.ws_close.reason); break;
    case LF_WIRE_SSE_EVENT:
        dup_str(c, &ev->u.sse.data);
        dup_str(c, &ev->u.sse.event);
        dup_str(c, &ev->u.sse.id);
        break;
    case LF_WIRE_FF_PRELUDE: dup_str(c, &ev->u.ff_prelude.html); break;
    case LF_WIRE_FF_MESSAGE: copy_ff_message(c, &ev->u.ff_message); break;
    case LF_WIRE_STREAM_OPEN:
    case LF_WIRE_STREAM_FIN:
    case LF_WIRE_STREAM_CLOSE:
    case LF_WIRE_BODY_SPACES:
    case LF_WIRE_GAP:
    case LF_WIRE_ERROR: /* the cause is static text */ break;
    }
}

static void send_wire(void *ctx, const lf_wire_event *ev)
{
    lf_sink_thread *t = ctx;
    lf_wire_event measured = *ev;
    copier c = {0};
    copy_event(&c, &measured);
    item *it = lf_batch_ring_add(t->ring, c.room, &c.batch);
    if (it == NULL)
        return;
    it->kind = ITEM_WIRE;
    it->u.wire = *ev;
    copy_event(&c, &it->u.wire);
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
    case ITEM_WIRE:
        if (t->wire.emit != NULL)
            t->wire.emit(t->wire.ctx, &it->u.wire);
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

lf_sink_thread *lf_sink_thread_start(lf_wire_sink wire, const lf_pipeline_options *opts)
{
    lf_sink_thread *t = g_new0(lf_sink_thread, 1);
    t->wire = wire;
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

lf_wire_sink lf_sink_thread_wire(lf_sink_thread *t)
{
    return (lf_wire_sink){.ctx = t, .emit = send_wire};
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

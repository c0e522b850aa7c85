/* The lifecycle engine: finds each event's connection by token and hands it to that
 * connection's tracker (tracker.h); ties negotiate requests to their results; bounds how many
 * connections it follows. */
#include "lifecycle/lifecycle.h"

#include <glib.h>
#include <string.h>

#include "lifecycle/token_table.h"
#include "lifecycle/tracker.h"

/* Negotiate requests waiting for their response (tied by stream); pooled connections carry
 * one at a time, so a small ring covers many concurrent page loads. */
#define LF_PENDING_NEGOTIATES 256
/* Real tokens (base64 of a protected "id:user") are a few hundred bytes; a longer one is
 * hostile input and is not tracked (each tracked token is copied twice). */
#define LF_MAX_TOKEN_LEN 4096
/* How often (capture time) the engine looks for connections to retire: often enough to keep
 * memory near the live set, rarely enough that the walk over all connections costs nothing. */
#define LF_RETIRE_SWEEP_NS (60LL * 1000000000LL)
/* Slots of the stream -> connection cache, as a power of two: 4096, a few times the streams a
 * busy capture keeps open at once, at 24 bytes a slot. */
#define LF_STREAM_CACHE_BITS 12
#define LF_STREAM_CACHE_SLOTS (1u << LF_STREAM_CACHE_BITS)
/* Command-line settings above a day are typing mistakes, not SignalR configurations. */
#define LF_MAX_SETTING_S 86400.0

/* The connection the latest event of a stream belonged to. Almost every event of a stream
 * carries the token of the previous one, so the classifier's token_id, or else one token
 * compare against the cached tracker, finds the connection without hashing the token; a stream
 * that changed token simply misses. */
typedef struct stream_hit {
    uint64_t stream;
    lf_tracker *tracker; /* NULL: empty */
    uint64_t token_id;   /* the token_id of an event that matched tracker, or 0 */
} stream_hit;

typedef struct pending_negotiate {
    bool used;
    uint64_t stream;
    lf_frame_ref at;
    char *stale_token; /* owned, or NULL */
} pending_negotiate;

struct lf_lifecycle {
    sr_timing_settings assumed;
    size_t max_connections;
    GPtrArray *trackers;  /* lf_tracker *, in order of first appearance */
    lf_token_table by_token; /* the tracker's token -> lf_tracker * (owned by trackers) */
    stream_hit by_stream[LF_STREAM_CACHE_SLOTS]; /* emptied whenever a tracker is freed */
    pending_negotiate negotiates[LF_PENDING_NEGOTIATES];
    size_t negotiate_next;
    uint64_t untracked;
    lf_retire_fn on_retire; /* NULL: keep every connection until lf_lifecycle_free() */
    void *retire_ctx;
    lf_time_ns next_sweep;
};

static void tracker_free(gpointer p)
{
    lf_tracker_free(p);
}

static void apply_override(int64_t *field_ms, double seconds)
{
    if (seconds > 0 && seconds <= LF_MAX_SETTING_S) {
        *field_ms = (int64_t)(seconds * 1000.0 + 0.5);
    }
}

lf_lifecycle *lf_lifecycle_new(const lf_lifecycle_options *opts)
{
    lf_lifecycle *e = g_new0(lf_lifecycle, 1);
    sr_timing_defaults(&e->assumed);
    e->max_connections = LF_DEFAULT_MAX_CONNECTIONS;
    if (opts != NULL) {
        apply_override(&e->assumed.keep_alive_timeout_ms, opts->keepalive_timeout);
        apply_override(&e->assumed.disconnect_timeout_ms, opts->disconnect_timeout);
        apply_override(&e->assumed.connection_timeout_ms, opts->connection_timeout);
        apply_override(&e->assumed.transport_connect_timeout_ms, opts->transport_connect_timeout);
        if (opts->keepalive_disabled) {
            e->assumed.keepalive_disabled = true;
            e->assumed.keep_alive_timeout_ms = 0;
        }
        if (opts->max_connections > 0) {
            e->max_connections = opts->max_connections;
        }
        e->on_retire = opts->on_retire;
        e->retire_ctx = opts->retire_ctx;
    }
    e->trackers = g_ptr_array_new_with_free_func(tracker_free);
    lf_token_table_init(&e->by_token);
    return e;
}

void lf_lifecycle_free(lf_lifecycle *e)
{
    if (e == NULL) {
        return;
    }
    lf_token_table_free(&e->by_token);
    g_ptr_array_free(e->trackers, TRUE);
    for (size_t i = 0; i < LF_PENDING_NEGOTIATES; i++) {
        g_free(e->negotiates[i].stale_token);
    }
    g_free(e);
}

size_t lf_lifecycle_connection_count(const lf_lifecycle *e)
{
    return e->trackers->len;
}

const lf_connection *lf_lifecycle_connection(const lf_lifecycle *e, size_t index)
{
    if (index >= e->trackers->len) {
        return NULL;
    }
    const lf_tracker *t = g_ptr_array_index(e->trackers, index);
    return &t->rec;
}

uint64_t lf_lifecycle_events_untracked(const lf_lifecycle *e)
{
    return e->untracked;
}

static void remember_negotiate(lf_lifecycle *e, const lf_signalr_event *ev)
{
    pending_negotiate *p = &e->negotiates[e->negotiate_next];
    e->negotiate_next = (e->negotiate_next + 1) % LF_PENDING_NEGOTIATES;
    p->used = true;
    p->stream = ev->stream;
    p->at = ev->at;
    g_free(p->stale_token);
    p->stale_token = lf_record_text(ev->u.request.stale_token.ptr, ev->u.request.stale_token.len);
}

/* The latest negotiate request on the stream; *stale_token receives its owned copy. */
static bool take_negotiate(lf_lifecycle *e, uint64_t stream, lf_frame_ref *out, char **stale_token)
{
    for (size_t n = 0; n < LF_PENDING_NEGOTIATES; n++) {
        size_t i = (e->negotiate_next + LF_PENDING_NEGOTIATES - 1 - n) % LF_PENDING_NEGOTIATES;
        pending_negotiate *p = &e->negotiates[i];
        if (p->used && p->stream == stream) {
            p->used = false;
            *out = p->at;
            *stale_token = p->stale_token;
            p->stale_token = NULL;
            return true;
        }
    }
    return false;
}

static stream_hit *stream_slot(lf_lifecycle *e, uint64_t stream)
{
    /* Stream ids count up from 0: a multiply spreads neighbours, its top bits pick the slot. */
    uint64_t mixed = stream * 0x9e3779b97f4a7c15u;
    return &e->by_stream[mixed >> (64 - LF_STREAM_CACHE_BITS)];
}

static bool holds_token(const lf_tracker *t, const lf_signalr_event *ev)
{
    return t->rec.token_len == ev->token.len &&
           memcmp(t->rec.token, ev->token.ptr, ev->token.len) == 0;
}

static lf_tracker *find_or_create(lf_lifecycle *e, const lf_signalr_event *ev)
{
    stream_hit *hit = stream_slot(e, ev->stream);
    if (hit->tracker != NULL && hit->stream == ev->stream) {
        /* Same id, same token: no need to read either copy of it. */
        if (ev->token_id != 0 && hit->token_id == ev->token_id) {
            return hit->tracker;
        }
        if (holds_token(hit->tracker, ev)) {
            hit->token_id = ev->token_id;
            return hit->tracker;
        }
    }
    uint64_t hash = lf_token_table_hash(&e->by_token, ev->token.ptr, ev->token.len);
    lf_tracker *t = lf_token_table_find(&e->by_token, ev->token.ptr, ev->token.len, hash);
    if (t == NULL) {
        if (e->trackers->len >= e->max_connections) {
            e->untracked++;
            return NULL;
        }
        t = lf_tracker_new(ev, &e->assumed);
        g_ptr_array_add(e->trackers, t);
        lf_token_table_insert(&e->by_token, t->rec.token, t->rec.token_len, hash, t);
    }
    *hit = (stream_hit){.stream = ev->stream, .tracker = t, .token_id = ev->token_id};
    return t;
}

/* Settles, hands over and frees trackers[i]; the caller compacts the array. */
static void retire(lf_lifecycle *e, lf_tracker *t, lf_time_ns now)
{
    lf_tracker_finish(t, now);
    e->on_retire(e->retire_ctx, &t->rec);
    lf_token_table_remove(&e->by_token, t->rec.token, t->rec.token_len,
                          lf_token_table_hash(&e->by_token, t->rec.token, t->rec.token_len));
    lf_tracker_free(t);
}

/* Empties the array without freeing what it pointed to (retire() did). */
static void forget_all(GPtrArray *trackers)
{
    g_ptr_array_set_free_func(trackers, NULL);
    g_ptr_array_set_size(trackers, 0);
    g_ptr_array_set_free_func(trackers, tracker_free);
}

static void sweep(lf_lifecycle *e, lf_time_ns now)
{
    GPtrArray *kept = g_ptr_array_new_with_free_func(tracker_free);
    for (guint i = 0; i < e->trackers->len; i++) {
        lf_tracker *t = g_ptr_array_index(e->trackers, i);
        if (lf_tracker_quiet_for_good(t, now)) {
            retire(e, t, now);
        } else {
            g_ptr_array_add(kept, t);
        }
    }
    forget_all(e->trackers);
    g_ptr_array_free(e->trackers, TRUE);
    e->trackers = kept;
    memset(e->by_stream, 0, sizeof e->by_stream);
}

static void maybe_sweep(lf_lifecycle *e, lf_time_ns now)
{
    if (e->on_retire == NULL || now < e->next_sweep) {
        return;
    }
    if (e->next_sweep != 0) {
        sweep(e, now);
    }
    e->next_sweep = now + LF_RETIRE_SWEEP_NS;
}

void lf_lifecycle_feed(lf_lifecycle *e, const lf_signalr_event *ev)
{
    if (e == NULL || ev == NULL) {
        return;
    }
    maybe_sweep(e, ev->at.time);
    if (ev->type == LF_SR_REQUEST && ev->request_kind == SR_REQUEST_NEGOTIATE) {
        remember_negotiate(e, ev);
        return;
    }
    if (ev->token.ptr == NULL) {
        return;
    }
    if (ev->token.len > LF_MAX_TOKEN_LEN) {
        e->untracked++;
        return;
    }
    lf_tracker *t = find_or_create(e, ev);
    if (t == NULL || !lf_tracker_accept(t, ev)) {
        return;
    }
    if (ev->type == LF_SR_NEGOTIATE_RESULT) {
        lf_frame_ref request_at;
        char *stale_token = NULL;
        bool seen = take_negotiate(e, ev->stream, &request_at, &stale_token);
        lf_tracker_negotiate(t, ev, seen ? &request_at : NULL, stale_token);
        return;
    }
    lf_tracker_feed(t, ev);
}

void lf_lifecycle_finish(lf_lifecycle *e, lf_time_ns capture_end)
{
    if (e == NULL) {
        return;
    }
    if (e->on_retire != NULL) {
        for (guint i = 0; i < e->trackers->len; i++) {
            retire(e, g_ptr_array_index(e->trackers, i), capture_end);
        }
        forget_all(e->trackers);
        memset(e->by_stream, 0, sizeof e->by_stream);
        return;
    }
    for (guint i = 0; i < e->trackers->len; i++) {
        lf_tracker_finish(g_ptr_array_index(e->trackers, i), capture_end);
    }
}

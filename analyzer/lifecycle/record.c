/* Bounded appends to a connection record. */
#include "lifecycle/record.h"

#include <glib.h>
#include <stddef.h>
#include <string.h>

/* Longest copied detail or identity string: cursors and hub.method names are short and tokens
 * (protected ID plus user name, base64) stay well under this; a hostile capture must not make
 * each entry arbitrarily large. */
#define LF_MAX_TEXT 1024

/* Non-printable bytes become '?': every byte comes from the capture. */
static void make_printable(char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        text[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
}

char *lf_record_text(const char *ptr, size_t len)
{
    if (ptr == NULL) {
        return NULL;
    }
    if (len > LF_MAX_TEXT) {
        len = LF_MAX_TEXT;
    }
    char *out = g_malloc(len + 1);
    memcpy(out, ptr, len);
    make_printable(out, len);
    out[len] = '\0';
    return out;
}

_Static_assert(sizeof(lf_timeline_event) == 2 * LF_CACHE_LINE, "an entry is two cache lines");
_Static_assert(offsetof(lf_timeline_event, at) == LF_CACHE_LINE, "runs live in the first");
_Static_assert(SR_TRANSPORT_UNRECOGNIZED <= UINT8_MAX && LF_SR_CLOSED_EVICTED <= UINT8_MAX &&
                   LF_SR_PARTY_SERVER <= UINT8_MAX,
               "entries keep transports and closes in a byte");

/* The next capacity of an array holding `cap` items, at most `max`: half again each time, as a
 * summarised connection settles a little past LF_DETAILED_EVENTS entries, and doubling would
 * leave a third of its largest array unused. */
static size_t next_capacity(size_t cap, size_t max)
{
    size_t next = cap == 0 ? 16 : cap + cap / 2;
    return next < max ? next : max;
}

static bool grow(void **items, size_t count, size_t *cap, size_t item_size, size_t max)
{
    if (count < *cap) {
        return true;
    }
    if (*cap >= max) {
        return false;
    }
    size_t next = next_capacity(*cap, max);
    *items = g_realloc_n(*items, next, item_size);
    *cap = next;
    return true;
}

/* A copy of the first `count` entries in an array of `cap` starting on a cache line. */
static lf_timeline_event *aligned_events(const lf_timeline_event *from, size_t count, size_t cap)
{
    if (cap == 0) {
        return NULL;
    }
    lf_timeline_event *to = g_aligned_alloc(cap, sizeof *to, LF_CACHE_LINE);
    if (count > 0) {
        memcpy(to, from, count * sizeof *to);
    }
    return to;
}

/* The run slot of an entry type that routine traffic can have, or -1. */
static int run_kind(lf_tl_type type)
{
    switch (type) {
    case LF_TL_SEND:
        return 0;
    case LF_TL_MESSAGE:
        return 1;
    case LF_TL_KEEPALIVE:
        return 2;
    case LF_TL_INVOCATION:
        return 3;
    case LF_TL_RESULT:
        return 4;
    case LF_TL_POLL:
        return 5;
    case LF_TL_TRANSPORT_OPENED:
        return 6;
    case LF_TL_TRANSPORT_CLOSED:
        return 7;
    default:
        return -1;
    }
}

static void close_runs(lf_connection *c)
{
    memset(c->open_runs, 0, sizeof c->open_runs);
}

/* Room for one more entry; false (the drop counted) when the timeline is full. */
static bool make_room(lf_connection *c)
{
    if (c->event_count < c->event_capacity) {
        return true;
    }
    if (c->event_capacity >= LF_MAX_EVENTS) {
        c->events_dropped++;
        return false;
    }
    size_t next = next_capacity(c->event_capacity, LF_MAX_EVENTS);
    lf_timeline_event *more = aligned_events(c->events, c->event_count, next);
    g_aligned_free(c->events);
    c->events = more;
    c->event_capacity = next;
    return true;
}

static void fill_entry(lf_timeline_event *e, lf_tl_type type, const lf_frame_ref *at,
                       uint64_t stream, sr_transport transport)
{
    memset(e, 0, sizeof *e);
    e->type = type;
    e->at = *at;
    e->stream = stream;
    e->transport = transport;
    e->last = *at;
    e->count = 1;
}

static lf_timeline_event *append(lf_connection *c, lf_tl_type type, const lf_signalr_event *ev)
{
    if (!make_room(c)) {
        return NULL;
    }
    lf_timeline_event *e = &c->events[c->event_count++];
    fill_entry(e, type, &ev->at, ev->stream, ev->transport);
    return e;
}

lf_timeline_event *lf_record_add_event(lf_connection *c, lf_tl_type type,
                                       const lf_signalr_event *ev)
{
    close_runs(c);
    return append(c, type, ev);
}

lf_timeline_event *lf_record_add_routine(lf_connection *c, lf_tl_type type,
                                         const lf_signalr_event *ev)
{
    lf_timeline_event *e = append(c, type, ev);
    int kind = run_kind(type);
    if (e != NULL && kind >= 0) {
        c->open_runs[kind] = (uint32_t)c->event_count;
    }
    return e;
}

/* The entry ev would extend: while the timeline is detailed, only a keepalive run right before
 * it on its stream (consecutive beats); afterwards the open run of its type, on any stream
 * (sends come over pooled connections, and a new receive stream starts with entries that
 * close every run anyway). */
static lf_timeline_event *run_to_extend(lf_connection *c, lf_tl_type type,
                                        const lf_signalr_event *ev)
{
    int kind = run_kind(type);
    if (kind < 0) {
        return NULL;
    }
    if (c->event_count < LF_DETAILED_EVENTS) {
        lf_timeline_event *last = c->event_count > 0 ? &c->events[c->event_count - 1] : NULL;
        bool consecutive = type == LF_TL_KEEPALIVE && last != NULL &&
                           last->type == LF_TL_KEEPALIVE && last->stream == ev->stream;
        return consecutive ? last : NULL;
    }
    size_t open = c->open_runs[kind];
    if (open == 0 || open > c->event_count || c->events[open - 1].type != type) {
        return NULL;
    }
    return &c->events[open - 1];
}

lf_timeline_event *lf_record_extend_run(lf_connection *c, lf_tl_type type,
                                        const lf_signalr_event *ev)
{
    lf_timeline_event *run = run_to_extend(c, type, ev);
    if (run == NULL) {
        return NULL;
    }
    double gap = (double)(ev->at.time - run->last.time) / 1e9;
    if (gap > run->max_gap) {
        run->max_gap = gap;
    }
    if (run->count < UINT32_MAX) {
        run->count++;
    }
    run->last = ev->at;
    return run;
}

static bool same_frame(const lf_frame_ref *a, const lf_frame_ref *b)
{
    return a->file == b->file && a->frame == b->frame;
}

/* The run summarises `at` somewhere after its first event and before its last (whether `at`
 * was an event of that run the span alone cannot tell: runs of other types interleave). */
static bool spans(const lf_timeline_event *e, const lf_frame_ref *at)
{
    return e->count > 1 && e->at.file == at->file && e->at.time <= at->time &&
           at->time <= e->last.time && !same_frame(&e->at, at) && !same_frame(&e->last, at);
}

/* 1 + index of the run of `type` (any type when `any`) hiding `at`; 0 when an entry shows it
 * already, when no run spans it, or (any type) when several do and which one holds it is
 * unknown. */
static size_t run_hiding(const lf_connection *c, const lf_frame_ref *at, bool any,
                         lf_tl_type type)
{
    size_t found = 0, candidates = 0;
    for (size_t i = c->event_count; i > 0; i--) {
        const lf_timeline_event *e = &c->events[i - 1];
        if (same_frame(&e->at, at) || same_frame(&e->last, at)) {
            return 0;
        }
        if ((any || e->type == type) && spans(e, at)) {
            found = found == 0 ? i : found;
            candidates++;
        }
    }
    return candidates == 1 ? found : 0;
}

/* Gives the frame hidden inside run number `hiding` an entry of its own, in time order. */
static lf_timeline_event *bring_out(lf_connection *c, size_t hiding, const lf_frame_ref *at)
{
    if (hiding == 0 || !make_room(c)) {
        return NULL;
    }
    size_t pos = c->event_count;
    while (pos > hiding && c->events[pos - 1].at.time > at->time) {
        pos--;
    }
    memmove(&c->events[pos + 1], &c->events[pos], (c->event_count - pos) * sizeof c->events[0]);
    c->event_count++;
    lf_timeline_event *run = &c->events[hiding - 1];
    run->count--;
    fill_entry(&c->events[pos], run->type, at, run->stream, run->transport);
    for (size_t k = 0; k < LF_RUN_KINDS; k++) {
        if (c->open_runs[k] > pos) {
            c->open_runs[k]++;
        }
    }
    return &c->events[pos];
}

lf_timeline_event *lf_record_show_frame(lf_connection *c, lf_tl_type type, const lf_frame_ref *at)
{
    return bring_out(c, run_hiding(c, at, false, type), at);
}

/* Copies the live details into a fresh store, leaving the garbage behind. */
static void rebuild_details(lf_connection *c)
{
    lf_text_store fresh = {0};
    for (size_t i = 0; i < c->event_count; i++) {
        char *d = c->events[i].detail;
        if (d != NULL) {
            c->events[i].detail = lf_text_store_put(&fresh, d, strlen(d));
        }
    }
    lf_text_store_clear(&c->details);
    c->details = fresh;
}

void lf_record_set_detail(lf_connection *c, lf_timeline_event *e, const char *bytes, size_t len)
{
    if (e->detail != NULL) {
        lf_text_store_drop(&c->details, e->detail);
        e->detail = NULL;
    }
    if (bytes == NULL) {
        return;
    }
    if (len > LF_MAX_TEXT) {
        len = LF_MAX_TEXT;
    }
    e->detail = lf_text_store_put(&c->details, bytes, len);
    make_printable(e->detail, len);
    if (lf_text_store_wasteful(&c->details)) {
        rebuild_details(c);
    }
}

lf_finding *lf_record_add_finding(lf_connection *c, sr_finding_type type, lf_time_ns time,
                                  const lf_time_ns *end, const sr_finding_values *values,
                                  const lf_frame_ref *evidence, size_t evidence_count)
{
    void *items = c->findings;
    if (!grow(&items, c->finding_count, &c->finding_capacity, sizeof *c->findings,
              LF_MAX_FINDINGS)) {
        c->findings_dropped++;
        return NULL;
    }
    c->findings = items;
    lf_finding *f = &c->findings[c->finding_count++];
    memset(f, 0, sizeof *f);
    f->type = type;
    f->severity = sr_finding_default_severity(type);
    f->time = time;
    f->has_end = end != NULL;
    f->end = end != NULL ? *end : 0;
    int need = sr_finding_format(NULL, 0, type, values);
    f->message = g_malloc((size_t)(need > 0 ? need : 0) + 1);
    sr_finding_format(f->message, (size_t)(need > 0 ? need : 0) + 1, type, values);
    for (size_t i = 0; i < evidence_count && i < LF_MAX_EVIDENCE; i++) {
        if (evidence[i].frame != 0) {
            f->evidence[f->evidence_count++] = evidence[i];
        }
    }
    close_runs(c);
    for (size_t i = 0; i < f->evidence_count; i++) {
        bring_out(c, run_hiding(c, &f->evidence[i], true, LF_TL_KEEPALIVE), &f->evidence[i]);
    }
    return f;
}

void lf_record_remove_finding(lf_connection *c, size_t index)
{
    if (index >= c->finding_count) {
        return;
    }
    g_free(c->findings[index].message);
    memmove(&c->findings[index], &c->findings[index + 1],
            (c->finding_count - index - 1) * sizeof c->findings[0]);
    c->finding_count--;
}

/* Appends a stream id not in the list yet, growing the list past first_streams. Kept out of
 * line: every event checks its stream, and inlined this would make that check save and restore
 * registers each time for an append that happens once per stream. */
__attribute__((noinline)) static void add_stream(lf_connection *c, uint64_t stream)
{
    if (c->stream_count == LF_MAX_STREAMS) {
        c->streams_truncated = true;
        return;
    }
    if (c->streams == NULL) {
        c->streams = c->first_streams;
        c->stream_capacity = LF_FIRST_STREAMS;
    } else if (c->stream_count == c->stream_capacity) {
        size_t next = 2 * c->stream_capacity;
        uint64_t *more = g_new(uint64_t, next);
        memcpy(more, c->streams, c->stream_count * sizeof *more);
        if (c->streams != c->first_streams) {
            g_free(c->streams);
        }
        c->streams = more;
        c->stream_capacity = next;
    }
    c->streams[c->stream_count++] = stream;
}

void lf_record_note_stream(lf_connection *c, uint64_t stream)
{
    for (size_t i = 0; i < c->stream_count; i++) {
        if (c->streams[i] == stream) {
            return;
        }
    }
    add_stream(c, stream);
}

void lf_record_note_transport(lf_connection *c, sr_transport transport)
{
    if (transport == SR_TRANSPORT_NONE || transport == SR_TRANSPORT_UNRECOGNIZED) {
        return;
    }
    if (c->transport_count > 0 && c->transports[c->transport_count - 1] == transport) {
        return;
    }
    if (c->transport_count < LF_MAX_TRANSPORTS) {
        c->transports[c->transport_count++] = transport;
    }
}

static int by_time(const void *a, const void *b)
{
    const lf_finding *x = a, *y = b;
    return (x->time > y->time) - (x->time < y->time);
}

void lf_record_sort_findings(lf_connection *c)
{
    /* Stable order for equal times matters to readers: insertion order is detection order. */
    for (size_t i = 1; i < c->finding_count; i++) {
        lf_finding cur = c->findings[i];
        size_t j = i;
        while (j > 0 && by_time(&c->findings[j - 1], &cur) > 0) {
            c->findings[j] = c->findings[j - 1];
            j--;
        }
        c->findings[j] = cur;
    }
}

void lf_record_clear(lf_connection *c)
{
    lf_text_store_clear(&c->details);
    for (size_t i = 0; i < c->finding_count; i++) {
        g_free(c->findings[i].message);
    }
    for (size_t i = 0; i < c->hub_count; i++) {
        g_free(c->hubs[i]);
    }
    g_free(c->hubs);
    if (c->streams != c->first_streams) {
        g_free(c->streams);
    }
    g_aligned_free(c->events);
    g_free(c->findings);
    g_free(c->token);
    g_free(c->connection_id);
    g_free(c->protocol_version);
    g_free(c->url_prefix);
    g_free(c->client_protocol);
    g_free(c->previous_token);
    memset(c, 0, sizeof *c);
}

lf_connection *lf_connection_copy(const lf_connection *c)
{
    lf_connection *d = g_new(lf_connection, 1);
    *d = *c;
    d->token = g_memdup2(c->token, c->token_len + 1);
    d->connection_id = g_strdup(c->connection_id);
    d->protocol_version = g_strdup(c->protocol_version);
    d->url_prefix = g_strdup(c->url_prefix);
    d->client_protocol = g_strdup(c->client_protocol);
    d->previous_token = g_strdup(c->previous_token);
    d->hubs = c->hub_count > 0 ? g_new(char *, c->hub_count) : NULL;
    for (size_t i = 0; i < c->hub_count; i++) {
        d->hubs[i] = g_strdup(c->hubs[i]);
    }
    d->streams = g_memdup2(c->streams, c->stream_count * sizeof *c->streams);
    d->stream_capacity = c->stream_count;
    d->events = aligned_events(c->events, c->event_count, c->event_count);
    d->event_capacity = c->event_count;
    d->details = (lf_text_store){0};
    for (size_t i = 0; i < c->event_count; i++) {
        const char *text = c->events[i].detail;
        d->events[i].detail = text != NULL ? lf_text_store_put(&d->details, text, strlen(text))
                                           : NULL;
    }
    d->findings = g_memdup2(c->findings, c->finding_count * sizeof *c->findings);
    d->finding_capacity = c->finding_count;
    for (size_t i = 0; i < c->finding_count; i++) {
        d->findings[i].message = g_strdup(c->findings[i].message);
    }
    return d;
}

void lf_connection_free(lf_connection *c)
{
    if (c != NULL) {
        lf_record_clear(c);
        g_free(c);
    }
}

const char *lf_tl_type_name(lf_tl_type type)
{
    switch (type) {
    case LF_TL_NEGOTIATE:
        return "negotiate";
    case LF_TL_CONNECT:
        return "connect";
    case LF_TL_RECONNECT:
        return "reconnect";
    case LF_TL_POLL:
        return "poll";
    case LF_TL_START:
        return "start";
    case LF_TL_SEND:
        return "send";
    case LF_TL_PING:
        return "ping";
    case LF_TL_ABORT:
        return "abort";
    case LF_TL_REQUEST:
        return "request";
    case LF_TL_TRANSPORT_OPENED:
        return "transport_opened";
    case LF_TL_INIT:
        return "init";
    case LF_TL_STARTED:
        return "started";
    case LF_TL_MESSAGE:
        return "message";
    case LF_TL_KEEPALIVE:
        return "keepalive";
    case LF_TL_INVOCATION:
        return "invocation";
    case LF_TL_RESULT:
        return "result";
    case LF_TL_TRANSPORT_CLOSED:
        return "transport_closed";
    case LF_TL_DISCONNECT_COMMAND:
        return "disconnect_command";
    case LF_TL_GAP:
        return "gap";
    case LF_TL_ERROR:
        return "error";
    }
    return "unknown";
}

const char *lf_end_type_name(lf_end_type type)
{
    switch (type) {
    case LF_END_STOPPED:
        return "stopped";
    case LF_END_TIMED_OUT:
        return "timed_out";
    case LF_END_SERVER_DISCONNECT:
        return "server_disconnect";
    case LF_END_CAPTURE_ENDED:
        return "capture_ended";
    case LF_END_FAILED:
        return "failed";
    }
    return "unknown";
}

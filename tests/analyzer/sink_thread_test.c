/* sink_thread_test.c - the sinks called on a thread of their own see every event, diagnostic and
 * progress report as sent, in the order sent, even though the bytes the events pointed to were
 * overwritten right after each was sent (as the classifier's buffers are). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "pipeline/sink_thread.h"

static void put_str(GString *out, const char *name, lf_wire_str s)
{
    if (s.ptr == NULL)
        g_string_append_printf(out, " %s=(absent)", name);
    else
        g_string_append_printf(out, " %s=%.*s", name, (int)s.len, s.ptr);
}

static void put_sr_string(GString *out, const char *name, sr_string s)
{
    g_string_append_printf(out, " %s=%s", name, s.data != NULL ? s.data : "(absent)");
}

/* Every field an event points to, as text. */
static void render(GString *out, const lf_signalr_event *ev)
{
    g_string_append_printf(out, "event %d frame %llu stream %llu", ev->type,
                           (unsigned long long)ev->at.frame, (unsigned long long)ev->stream);
    put_str(out, "token", ev->token);
    const lf_sr_request *r = &ev->u.request;
    switch (ev->type) {
    case LF_SR_REQUEST:
        put_str(out, "method", r->method);
        put_str(out, "prefix", r->url_prefix);
        put_str(out, "protocol", r->client_protocol);
        put_str(out, "message_id", r->message_id);
        put_str(out, "groups", r->groups_token);
        put_str(out, "stale", r->stale_token);
        for (size_t i = 0; i < r->hub_count; i++)
            put_str(out, "hub", r->hubs[i]);
        break;
    case LF_SR_RESPONSE: put_str(out, "text", ev->u.response.text); break;
    case LF_SR_NEGOTIATE_RESULT:
        put_sr_string(out, "id", ev->u.negotiate.parsed->connection_id);
        put_sr_string(out, "token", ev->u.negotiate.parsed->connection_token);
        put_sr_string(out, "version", ev->u.negotiate.parsed->protocol_version);
        put_sr_string(out, "url", ev->u.negotiate.parsed->url);
        put_sr_string(out, "error", ev->u.negotiate.parsed->error);
        g_string_append_printf(out, " dt=%lld",
                               (long long)ev->u.negotiate.parsed->disconnect_timeout.ms);
        break;
    case LF_SR_MESSAGE:
        put_str(out, "cursor", ev->u.message.cursor);
        put_str(out, "prefix", ev->u.message.cursor_prefix);
        g_string_append_printf(out, " count=%u", ev->u.message.message_count);
        break;
    case LF_SR_HUB_INVOCATION:
        put_str(out, "hub", ev->u.invocation.hub);
        put_str(out, "method", ev->u.invocation.method);
        put_str(out, "id", ev->u.invocation.id);
        break;
    case LF_SR_ERROR: g_string_append_printf(out, " text=%s", ev->u.error.text); break;
    default: break;
    }
    g_string_append_c(out, '\n');
}

static void on_event(void *ctx, const lf_signalr_event *ev)
{
    render(ctx, ev);
}

static void on_diag(void *ctx, const lf_diag *d)
{
    g_string_append_printf(ctx, "diag %s packet %llu: %s\n", d->path,
                           (unsigned long long)d->at.frame, d->message);
}

static void on_progress(void *ctx, const lf_pipeline_progress *p)
{
    g_string_append_printf(ctx, "progress %llu of %llu\n", (unsigned long long)p->bytes_done,
                           (unsigned long long)p->bytes_total);
}

/* The classifier's buffer: every string of the events below points into it. */
static char scratch[256];

static lf_wire_str text(size_t at, const char *s)
{
    memcpy(scratch + at, s, strlen(s));
    return (lf_wire_str){.ptr = scratch + at, .len = strlen(s)};
}

static char negotiate_strings[3][64];

static sr_string owned(int i, const char *s)
{
    g_strlcpy(negotiate_strings[i], s, sizeof negotiate_strings[i]);
    return (sr_string){.data = negotiate_strings[i], .len = strlen(s)};
}

/* Sends one of each kind of event that points to bytes, then scribbles over those bytes. */
static void send_events(lf_signalr_sink sink, GString *expected, uint64_t frame)
{
    lf_signalr_event ev = {.type = LF_SR_REQUEST, .at.frame = frame, .stream = 7};
    lf_wire_str hubs[2];
    ev.token = text(0, "tok+en/1==");
    ev.u.request = (lf_sr_request){.method = text(16, "POST"), .url_prefix = text(24, "/signalr"),
                                   .client_protocol = text(40, "1.5"), .hubs = hubs,
                                   .hub_count = 2};
    hubs[0] = text(48, "chathub");
    hubs[1] = text(64, "statushub");
    render(expected, &ev);
    sink.emit(sink.ctx, &ev);
    memset(scratch, '#', sizeof scratch);
    memset(hubs, 0, sizeof hubs);

    sr_negotiate neg = {.connection_id = owned(0, "6c9e1d3a"),
                        .connection_token = owned(1, "AQAAANCMnd8"),
                        .protocol_version = owned(2, "1.5"),
                        .disconnect_timeout = {.present = true, .ms = 30000}};
    ev = (lf_signalr_event){.type = LF_SR_NEGOTIATE_RESULT, .at.frame = frame + 1,
                            .u.negotiate.parsed = &neg};
    render(expected, &ev);
    sink.emit(sink.ctx, &ev);
    memset(negotiate_strings, '#', sizeof negotiate_strings);
    memset(&neg, 0, sizeof neg);

    ev = (lf_signalr_event){.type = LF_SR_MESSAGE, .at.frame = frame + 2};
    ev.u.message = (lf_sr_message){.cursor = text(0, "d-3F-B,0|C,1"),
                                   .cursor_prefix = text(16, "d-3F-"), .message_count = 2};
    render(expected, &ev);
    sink.emit(sink.ctx, &ev);
    memset(scratch, '#', sizeof scratch);

    ev = (lf_signalr_event){.type = LF_SR_HUB_INVOCATION, .at.frame = frame + 3};
    ev.u.invocation = (lf_sr_invocation){.hub = text(0, "chathub"), .method = text(8, "send"),
                                         .id = text(16, "12")};
    render(expected, &ev);
    sink.emit(sink.ctx, &ev);
    memset(scratch, '#', sizeof scratch);

    ev = (lf_signalr_event){.type = LF_SR_ERROR, .at.frame = frame + 4};
    g_strlcpy(scratch, "unknown transport", sizeof scratch);
    ev.u.error.text = scratch;
    render(expected, &ev);
    sink.emit(sink.ctx, &ev);
    memset(scratch, '#', sizeof scratch);
}

static void test_events_diagnostics_and_progress_arrive_whole_and_in_order(void **state)
{
    (void)state;
    GString *seen = g_string_new(NULL);
    GString *expected = g_string_new(NULL);
    lf_pipeline_options opts;
    lf_pipeline_options_default(&opts);
    opts.signalr = (lf_signalr_sink){.ctx = seen, .emit = on_event};
    opts.diag = (lf_diag_sink){.ctx = seen, .emit = on_diag};
    opts.progress = on_progress;
    opts.progress_ctx = seen;
    lf_sink_thread *t = lf_sink_thread_start(&opts);
    assert_non_null(t);
    lf_signalr_sink events = lf_sink_thread_signalr(t);
    lf_diag_sink diags = lf_sink_thread_diag(t);
    /* Enough rounds to fill several batches. */
    for (uint64_t round = 0; round < 2 * LF_SINK_THREAD_ITEMS; round++) {
        send_events(events, expected, 10 * round + 1);
        char message[32], path[32];
        snprintf(message, sizeof message, "round %llu", (unsigned long long)round);
        snprintf(path, sizeof path, "ring-%llu.pcap", (unsigned long long)round % 3);
        lf_diag d = {.message = message, .path = path, .at.frame = 10 * round + 5};
        on_diag(expected, &d);
        lf_diag_report(&diags, LF_DIAG_WARNING, LF_DIAG_STREAM_GAP, path, &d.at, "%s", message);
        memset(path, '#', sizeof path - 1);
        lf_pipeline_progress p = {.bytes_done = round, .bytes_total = 99};
        on_progress(expected, &p);
        lf_sink_thread_progress(t, &p);
    }
    lf_sink_thread_finish(t);
    assert_string_equal(seen->str, expected->str);
    lf_sink_thread_free(t);
    g_string_free(seen, TRUE);
    g_string_free(expected, TRUE);
}

static void test_finishing_with_nothing_sent_returns(void **state)
{
    (void)state;
    lf_pipeline_options opts;
    lf_pipeline_options_default(&opts);
    lf_sink_thread *t = lf_sink_thread_start(&opts);
    assert_non_null(t);
    lf_sink_thread_finish(t);
    lf_sink_thread_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_diagnostics_and_progress_arrive_whole_and_in_order),
        cmocka_unit_test(test_finishing_with_nothing_sent_returns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

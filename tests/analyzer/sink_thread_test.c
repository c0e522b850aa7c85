/* sink_thread_test.c - the sinks called on a thread of their own see every wire event,
 * diagnostic and progress report as sent, in the order sent, even though the bytes the events
 * pointed to were overwritten right after each was sent (as the HTTP and transport buffers
 * are). */
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

static void put_bytes(GString *out, const char *name, const uint8_t *p, size_t len)
{
    put_str(out, name, (lf_wire_str){.ptr = (const char *)p, .len = len});
}

/* Every field an event points to, as text. */
static void render(GString *out, const lf_wire_event *ev)
{
    g_string_append_printf(out, "%s frame %llu stream %llu", lf_wire_kind_name(ev->kind),
                           (unsigned long long)ev->at.frame, (unsigned long long)ev->stream);
    const lf_wire_request *rq = &ev->u.request;
    const lf_wire_response *rs = &ev->u.response;
    switch (ev->kind) {
    case LF_WIRE_HTTP_REQUEST:
        put_str(out, "method", rq->method);
        put_str(out, "target", rq->target);
        put_str(out, "host", rq->host);
        put_str(out, "type", rq->content_type);
        put_str(out, "upgrade", rq->upgrade);
        put_str(out, "agent", rq->user_agent);
        put_str(out, "xrw", rq->x_requested_with);
        put_str(out, "accept", rq->accept);
        put_str(out, "connection", rq->connection);
        put_str(out, "key", rq->sec_websocket_key);
        break;
    case LF_WIRE_HTTP_RESPONSE:
        put_str(out, "reason", rs->reason);
        put_str(out, "type", rs->content_type);
        put_str(out, "te", rs->transfer_encoding);
        put_str(out, "ce", rs->content_encoding);
        put_str(out, "connection", rs->connection);
        put_str(out, "ext", rs->sec_websocket_extensions);
        put_str(out, "accept", rs->sec_websocket_accept);
        break;
    case LF_WIRE_HTTP_BODY: put_bytes(out, "body", ev->u.body.data, ev->u.body.len); break;
    case LF_WIRE_WS_MESSAGE:
        put_bytes(out, "payload", ev->u.ws_message.payload, ev->u.ws_message.len);
        break;
    case LF_WIRE_WS_CONTROL:
        put_bytes(out, "payload", ev->u.ws_control.payload, ev->u.ws_control.len);
        break;
    case LF_WIRE_WS_CLOSE: put_str(out, "reason", ev->u.ws_close.reason); break;
    case LF_WIRE_SSE_EVENT:
        put_str(out, "data", ev->u.sse.data);
        put_str(out, "event", ev->u.sse.event);
        put_str(out, "id", ev->u.sse.id);
        break;
    case LF_WIRE_FF_PRELUDE: put_str(out, "html", ev->u.ff_prelude.html); break;
    case LF_WIRE_FF_MESSAGE:
        put_str(out, "script", ev->u.ff_message.script);
        put_str(out, "json", ev->u.ff_message.json);
        /* The classifier may rely on the argument lying inside the script, as it does. */
        if (ev->u.ff_message.json.ptr != NULL)
            g_string_append_printf(out, " json_at=%td",
                                   ev->u.ff_message.json.ptr - ev->u.ff_message.script.ptr);
        break;
    case LF_WIRE_ERROR: g_string_append_printf(out, " cause=%s", ev->u.error.cause); break;
    default: break;
    }
    g_string_append_c(out, '\n');
}

static void on_event(void *ctx, const lf_wire_event *ev)
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

/* The emitter's buffer: every string of the events below points into it. */
static char scratch[512];

static lf_wire_str text(size_t at, const char *s)
{
    memcpy(scratch + at, s, strlen(s));
    return (lf_wire_str){.ptr = scratch + at, .len = strlen(s)};
}

static const uint8_t *bytes(size_t at, const char *s)
{
    return (const uint8_t *)text(at, s).ptr;
}

static void send(lf_wire_sink sink, GString *expected, lf_wire_event *ev)
{
    render(expected, ev);
    sink.emit(sink.ctx, ev);
    memset(scratch, '#', sizeof scratch);
}

/* Sends one of each kind of event that points to bytes, then scribbles over those bytes. */
static void send_events(lf_wire_sink sink, GString *expected, uint64_t frame)
{
    lf_wire_event ev = {.kind = LF_WIRE_HTTP_REQUEST, .at.frame = frame, .stream = 7};
    ev.u.request = (lf_wire_request){
        .method = text(0, "POST"), .target = text(8, "/signalr/send?transport=serverSentEvents"),
        .host = text(64, "example.test"), .content_type = text(80, "application/x-www-form"),
        .user_agent = text(112, "Mozilla/5.0"), .x_requested_with = text(128, "XMLHttpRequest"),
        .accept = text(144, "text/plain"), .connection = text(160, "keep-alive"),
        .sec_websocket_key = text(176, "dGhlIHNhbXBsZSBub25jZQ==")};
    send(sink, expected, &ev);

    ev = (lf_wire_event){.kind = LF_WIRE_HTTP_RESPONSE, .at.frame = frame + 1, .stream = 7};
    ev.u.response = (lf_wire_response){
        .status = 101, .reason = text(0, "Switching Protocols"),
        .content_type = text(32, "text/event-stream"), .transfer_encoding = text(64, "chunked"),
        .content_encoding = text(80, "gzip"), .connection = text(96, "Upgrade"),
        .sec_websocket_extensions = text(112, "permessage-deflate"),
        .sec_websocket_accept = text(144, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")};
    send(sink, expected, &ev);

    ev = (lf_wire_event){.kind = LF_WIRE_HTTP_BODY, .at.frame = frame + 2};
    ev.u.body = (lf_wire_body){.data = bytes(0, "{\"I\":\"0\"}"), .len = 9};
    send(sink, expected, &ev);

    ev = (lf_wire_event){.kind = LF_WIRE_WS_MESSAGE, .at.frame = frame + 3};
    ev.u.ws_message = (lf_wire_ws_message){.opcode = LF_WS_TEXT, .payload = bytes(0, "{}"), .len = 2};
    send(sink, expected, &ev);

    ev = (lf_wire_event){.kind = LF_WIRE_WS_CONTROL, .at.frame = frame + 4};
    ev.u.ws_control = (lf_wire_ws_control){.opcode = LF_WS_PING, .payload = bytes(0, "ping"), .len = 4};
    send(sink, expected, &ev);

    ev = (lf_wire_event){.kind = LF_WIRE_WS_CLOSE, .at.frame = frame + 5};
    ev.u.ws_close = (lf_wire_ws_close){.has_code = true, .code = 1000, .reason = text(0, "bye")};
    send(sink, expected, &ev);

    ev = (lf_wire_event){.kind = LF_WIRE_SSE_EVENT, .at.frame = frame + 6};
    ev.u.sse = (lf_wire_sse){.data = text(0, "{\"C\":\"d-1\"}"), .event = text(32, "message"),
                             .id = text(48, "42")};
    send(sink, expected, &ev);

    ev = (lf_wire_event){.kind = LF_WIRE_FF_PRELUDE, .at.frame = frame + 7};
    ev.u.ff_prelude = (lf_wire_ff_prelude){.html = text(0, "<!DOCTYPE html><html><body>")};
    send(sink, expected, &ev);

    ev = (lf_wire_event){.kind = LF_WIRE_FF_MESSAGE, .at.frame = frame + 8};
    lf_wire_str script = text(0, "r(c, {\"M\":[]});");
    ev.u.ff_message = (lf_wire_ff_message){
        .script = script, .json = {.ptr = script.ptr + 5, .len = 8}};
    send(sink, expected, &ev);

    ev = (lf_wire_event){.kind = LF_WIRE_ERROR, .at.frame = frame + 9};
    ev.u.error.cause = "garbage where a request line was expected";
    send(sink, expected, &ev);
}

static void test_events_diagnostics_and_progress_arrive_whole_and_in_order(void **state)
{
    (void)state;
    GString *seen = g_string_new(NULL);
    GString *expected = g_string_new(NULL);
    lf_pipeline_options opts;
    lf_pipeline_options_default(&opts);
    opts.diag = (lf_diag_sink){.ctx = seen, .emit = on_diag};
    opts.progress = on_progress;
    opts.progress_ctx = seen;
    lf_sink_thread *t = lf_sink_thread_start((lf_wire_sink){.ctx = seen, .emit = on_event}, &opts);
    assert_non_null(t);
    lf_wire_sink events = lf_sink_thread_wire(t);
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
    lf_sink_thread *t = lf_sink_thread_start((lf_wire_sink){0}, &opts);
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

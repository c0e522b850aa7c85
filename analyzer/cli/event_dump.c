/* event_dump.c - one line per event for `lifeline --dump-events`. */
#include "cli/event_dump.h"

#include <inttypes.h>

#include "protocol/sr_request.h"

static void put_escaped(FILE *out, const void *bytes, size_t len)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = p[i];
        switch (ch) {
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '\\': fputs("\\\\", out); break;
        default:
            if (ch < 0x20 || ch >= 0x7f)
                fprintf(out, "\\x%02x", ch);
            else
                fputc(ch, out);
        }
    }
}

static void put_str(FILE *out, const char *label, lf_wire_str s)
{
    if (s.ptr == NULL)
        return;
    fprintf(out, " %s=", label);
    put_escaped(out, s.ptr, s.len);
}

static void put_prefix(FILE *out, const lf_frame_ref *at, uint64_t stream, tcp_dir dir,
                       const char *kind)
{
    lf_time_ns t = at->time;
    fprintf(out, "%" PRId64 ".%06" PRId64 " %" PRIu32 ":%" PRIu64 " s%" PRIu64 " %s %s",
            t / 1000000000, (t % 1000000000) / 1000, at->file, at->frame, stream,
            dir == TCP_DIR_TO_SERVER ? "c>s" : "s>c", kind);
}

static const char *wire_kind_name(lf_wire_kind k)
{
    static const char *const names[] = {
        [LF_WIRE_STREAM_OPEN] = "stream-open",     [LF_WIRE_STREAM_FIN] = "stream-fin",
        [LF_WIRE_STREAM_CLOSE] = "stream-close",   [LF_WIRE_HTTP_REQUEST] = "http-request",
        [LF_WIRE_HTTP_RESPONSE] = "http-response", [LF_WIRE_HTTP_BODY] = "http-body",
        [LF_WIRE_STREAM_BODY_END] = "body-end",    [LF_WIRE_BODY_SPACES] = "body-spaces",
        [LF_WIRE_WS_MESSAGE] = "ws-message",       [LF_WIRE_WS_CONTROL] = "ws-control",
        [LF_WIRE_WS_CLOSE] = "ws-close",           [LF_WIRE_SSE_EVENT] = "sse-event",
        [LF_WIRE_FF_PRELUDE] = "ff-prelude",       [LF_WIRE_FF_MESSAGE] = "ff-message",
        [LF_WIRE_GAP] = "gap",                     [LF_WIRE_ERROR] = "error"};
    return (size_t)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "?";
}

static void put_endpoint(FILE *out, const tcp_endpoint *e)
{
    if (e->family == 4) {
        fprintf(out, "%u.%u.%u.%u:%u", e->addr[0], e->addr[1], e->addr[2], e->addr[3], e->port);
        return;
    }
    fputc('[', out);
    for (int i = 0; i < 16; i += 2)
        fprintf(out, "%s%x", i ? ":" : "", (unsigned)(e->addr[i] << 8 | e->addr[i + 1]));
    fprintf(out, "]:%u", e->port);
}

static void put_flags(FILE *out, unsigned flags)
{
    if (flags & LF_WIRE_TRUNCATED)
        fputs(" truncated", out);
    if (flags & LF_WIRE_INCOMPLETE)
        fputs(" incomplete", out);
    if (flags & LF_WIRE_UNDECODED)
        fputs(" undecoded", out);
}

static void dump_wire_details(FILE *out, const lf_wire_event *ev)
{
    switch (ev->kind) {
    case LF_WIRE_STREAM_OPEN:
        fputc(' ', out);
        put_endpoint(out, &ev->u.open.client);
        fputs(" -> ", out);
        put_endpoint(out, &ev->u.open.server);
        if (!ev->u.open.saw_handshake)
            fputs(" mid-stream", out);
        break;
    case LF_WIRE_STREAM_CLOSE:
        fprintf(out, " why=%d by=%s", (int)ev->u.close.why,
                ev->u.close.by == TCP_DIR_TO_SERVER ? "client" : "server");
        break;
    case LF_WIRE_HTTP_REQUEST:
        fputc(' ', out);
        put_escaped(out, ev->u.request.method.ptr, ev->u.request.method.len);
        fputc(' ', out);
        put_escaped(out, ev->u.request.target.ptr, ev->u.request.target.len);
        break;
    case LF_WIRE_HTTP_RESPONSE:
        fprintf(out, " %d", ev->u.response.status);
        put_str(out, "type", ev->u.response.content_type);
        break;
    case LF_WIRE_HTTP_BODY:
        fprintf(out, " len=%zu spaces=%" PRIu32, ev->u.body.len, ev->u.body.leading_spaces);
        put_flags(out, ev->u.body.flags);
        fputs(" data=", out);
        put_escaped(out, ev->u.body.data, ev->u.body.len);
        break;
    case LF_WIRE_BODY_SPACES: fprintf(out, " count=%" PRIu32, ev->u.spaces.count); break;
    case LF_WIRE_WS_MESSAGE:
        fprintf(out, " opcode=%d fragments=%" PRIu32 "%s%s", (int)ev->u.ws_message.opcode,
                ev->u.ws_message.fragments, ev->u.ws_message.masked ? " masked" : "",
                ev->u.ws_message.compressed ? " compressed" : "");
        put_flags(out, ev->u.ws_message.flags);
        fputs(" payload=", out);
        put_escaped(out, ev->u.ws_message.payload, ev->u.ws_message.len);
        break;
    case LF_WIRE_WS_CONTROL: fprintf(out, " opcode=%d", (int)ev->u.ws_control.opcode); break;
    case LF_WIRE_WS_CLOSE:
        if (ev->u.ws_close.has_code)
            fprintf(out, " code=%u", ev->u.ws_close.code);
        put_str(out, "reason", ev->u.ws_close.reason);
        break;
    case LF_WIRE_SSE_EVENT: put_str(out, "data", ev->u.sse.data); break;
    case LF_WIRE_FF_MESSAGE: put_str(out, "script", ev->u.ff_message.script); break;
    case LF_WIRE_GAP: fprintf(out, " missing=%" PRIu64, ev->u.gap.missing); break;
    case LF_WIRE_ERROR: fprintf(out, " cause=%s", ev->u.error.cause); break;
    default: break;
    }
}

static void dump_wire(void *ctx, const lf_wire_event *ev)
{
    FILE *out = ctx;
    put_prefix(out, &ev->at, ev->stream, ev->dir, wire_kind_name(ev->kind));
    if (ev->request_index != LF_WIRE_NO_REQUEST)
        fprintf(out, " req=%" PRIu32, ev->request_index);
    dump_wire_details(out, ev);
    fputc('\n', out);
}

static const char *sr_event_name(lf_sr_event_type t)
{
    static const char *const names[] = {
        [LF_SR_REQUEST] = "sr-request",
        [LF_SR_RESPONSE] = "sr-response",
        [LF_SR_NEGOTIATE_RESULT] = "sr-negotiate",
        [LF_SR_TRANSPORT_OPENED] = "sr-opened",
        [LF_SR_INIT] = "sr-init",
        [LF_SR_STARTED] = "sr-started",
        [LF_SR_MESSAGE] = "sr-message",
        [LF_SR_KEEPALIVE] = "sr-keepalive",
        [LF_SR_HUB_INVOCATION] = "sr-invocation",
        [LF_SR_HUB_RESULT] = "sr-result",
        [LF_SR_TRANSPORT_CLOSED] = "sr-closed",
        [LF_SR_DISCONNECT_COMMAND] = "sr-disconnect-command",
        [LF_SR_GAP] = "sr-gap",
        [LF_SR_ERROR] = "sr-error"};
    return (size_t)t < sizeof names / sizeof names[0] && names[t] ? names[t] : "?";
}

static void dump_sr_details(FILE *out, const lf_signalr_event *ev)
{
    switch (ev->type) {
    case LF_SR_RESPONSE: fprintf(out, " status=%d", ev->u.response.status); break;
    case LF_SR_NEGOTIATE_RESULT: {
        const sr_negotiate *n = ev->u.negotiate.parsed;
        if (n->connection_id.data)
            fprintf(out, " connection_id=%s", n->connection_id.data);
        break;
    }
    case LF_SR_INIT:
    case LF_SR_MESSAGE:
    case LF_SR_DISCONNECT_COMMAND:
        put_str(out, "cursor", ev->u.message.cursor);
        fprintf(out, " messages=%" PRIu32, ev->u.message.message_count);
        break;
    case LF_SR_STARTED: fprintf(out, " ok=%d", ev->u.started.ok); break;
    case LF_SR_HUB_INVOCATION:
        put_str(out, "hub", ev->u.invocation.hub);
        put_str(out, "method", ev->u.invocation.method);
        put_str(out, "id", ev->u.invocation.id);
        break;
    case LF_SR_HUB_RESULT:
        put_str(out, "id", ev->u.result.id);
        fputs(ev->u.result.is_error ? " error" : "", out);
        break;
    case LF_SR_TRANSPORT_CLOSED:
        fprintf(out, " how=%d by=%d", (int)ev->u.closed.how, (int)ev->u.closed.by);
        break;
    case LF_SR_GAP: fprintf(out, " missing=%" PRIu64, ev->u.gap.missing); break;
    case LF_SR_ERROR: fprintf(out, " text=%s", ev->u.error.text); break;
    default: break;
    }
}

static void dump_signalr(void *ctx, const lf_signalr_event *ev)
{
    FILE *out = ctx;
    put_prefix(out, &ev->at, ev->stream, ev->dir, sr_event_name(ev->type));
    fprintf(out, " kind=%s", sr_request_kind_name(ev->request_kind));
    if (ev->transport != SR_TRANSPORT_NONE)
        fprintf(out, " transport=%s", sr_transport_name(ev->transport));
    put_str(out, "token", ev->token);
    dump_sr_details(out, ev);
    fputc('\n', out);
}

lf_wire_sink lf_dump_wire_sink(FILE *out)
{
    return (lf_wire_sink){.ctx = out, .emit = dump_wire};
}

lf_signalr_sink lf_dump_signalr_sink(FILE *out)
{
    return (lf_signalr_sink){.ctx = out, .emit = dump_signalr};
}

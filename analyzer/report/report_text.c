/* The readable report: per connection a header, a Wireshark filter and a timeline with the
 * findings in place, then a summary. */
#include "report/report.h"

#include <string.h>

#include "report/report_format.h"
#include "report/report_pieces.h"

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

typedef struct text_ctx {
    FILE *out;
    bool color;
    bool many_files; /* print the file index with frame numbers */
} text_ctx;

static const char *paint(const text_ctx *t, const char *code)
{
    return t->color ? code : "";
}

static void frame_text(const text_ctx *t, char *buf, size_t cap, const lf_frame_ref *at)
{
    if (t->many_files) {
        snprintf(buf, cap, "f%u#%llu", (unsigned)at->file, (unsigned long long)at->frame);
    } else {
        snprintf(buf, cap, "#%llu", (unsigned long long)at->frame);
    }
}

static void line_start(const text_ctx *t, const lf_connection *c, lf_time_ns when)
{
    char utc[48];
    lf_fmt_utc(utc, sizeof utc, when);
    fprintf(t->out, "  %s %+10.3f s  ", utc, (double)(when - c->first_seen) / 1e9);
}

static void describe_request(const text_ctx *t, const lf_timeline_event *e, char *buf, size_t cap)
{
    (void)t;
    int n = snprintf(buf, cap, "%s", lf_tl_type_name(e->type));
    if (e->transport != SR_TRANSPORT_NONE && n >= 0 && (size_t)n < cap) {
        n += snprintf(buf + n, cap - (size_t)n, " %s", sr_transport_name(e->transport));
    }
    if (e->status != 0 && n >= 0 && (size_t)n < cap) {
        n += snprintf(buf + n, cap - (size_t)n, " -> %d after %.3f s", e->status,
                      (double)(e->response_at.time - e->at.time) / 1e9);
    }
    if (e->detail != NULL && n >= 0 && (size_t)n < cap) {
        snprintf(buf + n, cap - (size_t)n, " (%s)", e->detail);
    }
}

static void describe_closed(const lf_timeline_event *e, char *buf, size_t cap)
{
    char code[32] = "";
    if (e->has_ws_code) {
        snprintf(code, sizeof code, ", close code %u", (unsigned)e->ws_code);
    }
    snprintf(buf, cap, "transport closed: %s by %s%s, %.1f s after the last server data",
             lf_close_how_name(e->how), lf_party_name(e->by), code, e->idle);
}

static void describe(const text_ctx *t, const lf_connection *c, const lf_timeline_event *e,
                     char *buf, size_t cap)
{
    const char *detail = e->detail != NULL ? e->detail : "";
    switch (e->type) {
    case LF_TL_KEEPALIVE:
        if (e->count > 1) {
            snprintf(buf, cap, "keepalive x%u until %+.3f s, largest gap %.1f s", e->count,
                     (double)(e->last - c->first_seen) / 1e9, e->max_gap);
        } else {
            snprintf(buf, cap, "keepalive");
        }
        break;
    case LF_TL_TRANSPORT_OPENED:
        snprintf(buf, cap, "transport opened (%s)", detail);
        break;
    case LF_TL_INIT:
        snprintf(buf, cap, "init (S:1), cursor %s", detail);
        break;
    case LF_TL_STARTED:
        snprintf(buf, cap, "started");
        break;
    case LF_TL_MESSAGE:
        snprintf(buf, cap, "message, %u in M, cursor %s", e->count, detail);
        break;
    case LF_TL_INVOCATION:
        snprintf(buf, cap, "invocation %s", detail);
        break;
    case LF_TL_RESULT:
        snprintf(buf, cap, "result %s", detail);
        break;
    case LF_TL_TRANSPORT_CLOSED:
        describe_closed(e, buf, cap);
        break;
    case LF_TL_DISCONNECT_COMMAND:
        snprintf(buf, cap, "disconnect command (D:1)");
        break;
    case LF_TL_GAP:
        snprintf(buf, cap, "capture gap");
        break;
    case LF_TL_ERROR:
        snprintf(buf, cap, "error: %s", detail);
        break;
    default:
        describe_request(t, e, buf, cap);
        break;
    }
}

static void print_event(const text_ctx *t, const lf_connection *c, const lf_timeline_event *e)
{
    char what[512], frame[48];
    describe(t, c, e, what, sizeof what);
    frame_text(t, frame, sizeof frame, &e->at);
    line_start(t, c, e->at.time);
    fprintf(t->out, "%-70s [%s, stream %llu]\n", what, frame, (unsigned long long)e->stream);
}

static const char *severity_colour(sr_severity s)
{
    return s == SR_SEVERITY_ERROR ? RED : s == SR_SEVERITY_WARNING ? YELLOW : CYAN;
}

static void print_finding(const text_ctx *t, const lf_connection *c, const lf_finding *f)
{
    line_start(t, c, f->time);
    fprintf(t->out, "%s!! %s %s%s: %s", paint(t, severity_colour(f->severity)),
            sr_severity_name(f->severity), sr_finding_name(f->type), paint(t, RESET), f->message);
    if (f->has_end) {
        fprintf(t->out, " (until %+.3f s)", (double)(f->end - c->first_seen) / 1e9);
    }
    for (size_t i = 0; i < f->evidence_count; i++) {
        char frame[48];
        frame_text(t, frame, sizeof frame, &f->evidence[i]);
        fprintf(t->out, "%s%s", i == 0 ? " [" : ", ", frame);
    }
    fputs(f->evidence_count > 0 ? "]\n" : "\n", t->out);
}

/* Events and findings merged by time; at equal times the event comes first (it is what the
 * finding is about). */
static void print_timeline(const text_ctx *t, const lf_connection *c)
{
    size_t e = 0, f = 0;
    while (e < c->event_count || f < c->finding_count) {
        bool take_event = f == c->finding_count ||
                          (e < c->event_count && c->events[e].at.time <= c->findings[f].time);
        if (take_event) {
            print_event(t, c, &c->events[e++]);
        } else {
            print_finding(t, c, &c->findings[f++]);
        }
    }
    if (c->events_dropped > 0 || c->findings_dropped > 0) {
        fprintf(t->out, "  (%llu more events and %llu more findings not kept)\n",
                (unsigned long long)c->events_dropped, (unsigned long long)c->findings_dropped);
    }
}

static void print_settings(const text_ctx *t, const lf_settings *s)
{
    fprintf(t->out, "  settings    ");
    if (s->keepalive_disabled) {
        fprintf(t->out, "KeepAliveTimeout null (keepalive off)");
    } else {
        fprintf(t->out, "KeepAliveTimeout %g s", s->keepalive_timeout);
    }
    fprintf(t->out,
            ", DisconnectTimeout %g s, ConnectionTimeout %g s, TransportConnectTimeout %g s",
            s->disconnect_timeout, s->connection_timeout, s->transport_connect_timeout);
    fprintf(t->out, " (%s)\n",
            s->source == LF_SETTINGS_NEGOTIATE ? "from the negotiate"
                                               : "assumed: negotiate not captured");
}

static void print_legs(const text_ctx *t, const lf_connection *c)
{
    if (c->leg_count < 2) {
        return;
    }
    for (size_t i = 0; i < c->leg_count; i++) {
        char client[64], server[64];
        lf_fmt_endpoint(client, sizeof client, &c->legs[i].client);
        lf_fmt_endpoint(server, sizeof server, &c->legs[i].server);
        fprintf(t->out, "  %s %s -> %s, %llu events%s\n", i == 0 ? "legs       " : "           ",
                client, server, (unsigned long long)c->legs[i].events,
                c->legs[i].mirror ? " (mirror of another leg: not counted)" : "");
    }
}

static void print_filter(const text_ctx *t, const lf_connection *c)
{
    fprintf(t->out, "  wireshark   signalr.token == \"");
    for (size_t i = 0; i < c->token_len; i++) {
        unsigned char ch = (unsigned char)c->token[i];
        if (ch == '"' || ch == '\\') {
            fputc('\\', t->out);
        }
        fputc(ch >= 0x20 && ch < 0x7f ? ch : '?', t->out);
    }
    uint64_t sorted[LF_MAX_STREAMS];
    memcpy(sorted, c->streams, c->stream_count * sizeof sorted[0]);
    for (size_t i = 1; i < c->stream_count; i++) {
        for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            uint64_t tmp = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = tmp;
        }
    }
    fprintf(t->out, "\"  or  tcp.stream in {");
    for (size_t i = 0; i < c->stream_count; i++) {
        fprintf(t->out, "%s%llu", i == 0 ? "" : " ", (unsigned long long)sorted[i]);
    }
    fprintf(t->out, "}%s\n", c->streams_truncated ? " (first streams only)" : "");
}

static void print_header(const text_ctx *t, const lf_connection *c, uint64_t number)
{
    char utc[48], client[64], server[64];
    lf_fmt_utc(utc, sizeof utc, c->end_time);
    fprintf(t->out, "%sConnection %llu: %s%s  ended %s at %s\n", paint(t, BOLD),
            (unsigned long long)number,
            c->connection_id != NULL ? c->connection_id : "(ConnectionId unknown)", paint(t, RESET),
            lf_end_type_name(c->end), utc);
    fprintf(t->out, "  token       ");
    for (size_t i = 0; i < c->token_len; i++) {
        unsigned char ch = (unsigned char)c->token[i];
        fputc(ch >= 0x20 && ch < 0x7f ? ch : '?', t->out);
    }
    if (c->previous_token != NULL) {
        fprintf(t->out, "\n  follows     %s (token of the page's previous connection)",
                c->previous_token);
    }
    lf_fmt_endpoint(client, sizeof client, &c->client);
    lf_fmt_endpoint(server, sizeof server, &c->server);
    fprintf(t->out, "\n  endpoints   client %s -> server %s\n", client, server);
    fprintf(t->out, "  protocol    %s, client %s, prefix %s, hubs:",
            c->protocol_version ? c->protocol_version : "?",
            c->client_protocol ? c->client_protocol : "?", c->url_prefix ? c->url_prefix : "?");
    for (size_t i = 0; i < c->hub_count; i++) {
        fprintf(t->out, " %s", c->hubs[i] ? c->hubs[i] : "");
    }
    fprintf(t->out, "%s\n  transports ", c->hub_count == 0 ? " none" : "");
    for (size_t i = 0; i < c->transport_count; i++) {
        fprintf(t->out, "%s%s", i == 0 ? " " : " -> ", sr_transport_name(c->transports[i]));
    }
    fprintf(t->out, "%s\n", c->transport_count == 0 ? " none" : "");
    print_settings(t, &c->settings);
    if (c->polls > 0) {
        fprintf(t->out,
                "  polls       %llu, longest held %.1f s, longest wait between polls %.1f s\n",
                (unsigned long long)c->polls, c->poll_max_held, c->poll_max_gap);
    }
    print_legs(t, c);
    print_filter(t, c);
}

static void print_counts(const text_ctx *t, const lf_report_tally *tally)
{
    fprintf(t->out, "  connections %llu:", (unsigned long long)tally->connections);
    for (int i = 0; i <= LF_END_FAILED; i++) {
        fprintf(t->out, " %s %llu", lf_end_type_name((lf_end_type)i),
                (unsigned long long)tally->ends[i]);
    }
    fprintf(t->out, "\n  findings   ");
    bool any = false;
    for (int i = 0; i < SR_FINDING_TYPE_COUNT; i++) {
        if (tally->findings[i] > 0) {
            fprintf(t->out, " %s %llu", sr_finding_name((sr_finding_type)i),
                    (unsigned long long)tally->findings[i]);
            any = true;
        }
    }
    fprintf(t->out, "%s\n", any ? "" : " none");
    if (tally->untracked_events > 0) {
        fprintf(t->out, "  %llu events of connections beyond the tracking limit were ignored\n",
                (unsigned long long)tally->untracked_events);
    }
}

int lf_text_piece_summary(FILE *out, const lf_report_input *inputs, size_t n_inputs,
                          const lf_report_tally *tally, bool color)
{
    text_ctx t = {.out = out, .color = color};
    fprintf(out, "%sSummary%s\n", paint(&t, BOLD), paint(&t, RESET));
    for (size_t i = 0; i < n_inputs; i++) {
        if (inputs[i].packets == 0) {
            fprintf(out, "  input %zu     %s: no packets\n", i, inputs[i].path);
            continue;
        }
        char a[48], b[48];
        lf_fmt_utc(a, sizeof a, inputs[i].first_time);
        lf_fmt_utc(b, sizeof b, inputs[i].last_time);
        fprintf(out, "  input %zu     %s: %llu packets, %s .. %s\n", i, inputs[i].path,
                (unsigned long long)inputs[i].packets, a, b);
    }
    print_counts(&t, tally);
    return ferror(out) ? -1 : 0;
}

int lf_text_piece_connection(FILE *out, const lf_connection *c, uint64_t number, bool color,
                             bool many_files)
{
    text_ctx t = {.out = out, .color = color, .many_files = many_files};
    print_header(&t, c, number);
    fputc('\n', out);
    print_timeline(&t, c);
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

int lf_report_text(FILE *out, const lf_report_input *inputs, size_t input_count,
                   const lf_lifecycle *engine, const lf_report_text_options *opts,
                   lf_report_error *err)
{
    bool color = opts != NULL && opts->color;
    lf_report_tally tally = {.untracked_events = lf_lifecycle_events_untracked(engine)};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < lf_lifecycle_connection_count(engine); i++) {
        const lf_connection *c = lf_lifecycle_connection(engine, i);
        rc = lf_text_piece_connection(out, c, i + 1, color, input_count > 1);
        lf_report_tally_add(&tally, c);
    }
    if (rc == 0) {
        rc = lf_text_piece_summary(out, inputs, input_count, &tally, color);
    }
    return rc != 0 ? lf_report_failed(err, "writing the text report failed") : 0;
}

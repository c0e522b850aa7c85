/* The readable report: per connection a header, a Wireshark filter and a timeline with the
 * findings in place, then a summary. */
#include "report/report.h"

#include <glib.h>
#include <string.h>

#include "report/report_format.h"
#include "report/report_pieces.h"

#define RED "\033[31m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

/* Lines stay within this many columns so a report reads in an ordinary terminal; only a word
 * longer than the room left (a token, the Wireshark filter) goes past it. */
#define LF_TEXT_WIDTH 100
/* Timeline rows: "  17:13:53.419607   +0.000  #36          1  event..."; the event text
 * starts at this column and wraps back to it. */
#define LF_TEXT_EVENT_COLUMN 45
/* Header rows: "  settings    ..." wrap back to the value column. */
#define LF_TEXT_VALUE_COLUMN 14

typedef struct text_ctx {
    FILE *out;
    bool color;
    bool many_files; /* print the file index with frame numbers */
    long long day;   /* UTC day of the last timeline row, to mark a change of date */
} text_ctx;

static const char *paint(const text_ctx *t, const char *code)
{
    return t->color ? code : "";
}

/* A word that must stay on the line of the word before it: the unit in "14.3 s". */
static bool glued(const char *word, size_t len)
{
    return word[0] == 's' && (len == 1 || strchr(",.:;)", word[1]) != NULL);
}

/* Length of the next word, and of the units glued to it. */
static size_t unit_length(const char *p)
{
    size_t len = strcspn(p, " ");
    while (p[len] == ' ' && p[len + 1] != '\0' && glued(p + len + 1, strcspn(p + len + 1, " "))) {
        len += 1 + strcspn(p + len + 1, " ");
    }
    return len;
}

/* Writes text from column `col`, breaking between words so no line passes LF_TEXT_WIDTH;
 * continuation lines start at column `indent`. Ends the line. */
static void wrap(const text_ctx *t, size_t col, const char *text, size_t indent)
{
    const char *p = text;
    bool line_empty = true;
    while (*p != '\0') {
        while (*p == ' ') {
            p++;
        }
        size_t len = unit_length(p);
        if (len == 0) {
            break;
        }
        if (!line_empty && col + 1 + len > LF_TEXT_WIDTH) {
            fprintf(t->out, "\n%*s", (int)indent, "");
            col = indent;
            line_empty = true;
        }
        if (!line_empty) {
            fputc(' ', t->out);
            col++;
        }
        fwrite(p, 1, len, t->out);
        col += len;
        line_empty = false;
        p += len;
    }
    fputc('\n', t->out);
}

static void frame_text(const text_ctx *t, char *buf, size_t cap, const lf_frame_ref *at)
{
    if (t->many_files) {
        snprintf(buf, cap, "f%u#%llu", (unsigned)at->file, (unsigned long long)at->frame);
    } else {
        snprintf(buf, cap, "#%llu", (unsigned long long)at->frame);
    }
}

static long long utc_day(lf_time_ns t)
{
    long long s = (long long)(t / 1000000000LL);
    return (s - (s < 0 ? 86399 : 0)) / 86400;
}

/* Time of day and seconds since the connection began; a row on a new UTC day is preceded by
 * the date. Returns the column reached. */
static size_t row_start(text_ctx *t, const lf_connection *c, lf_time_ns when)
{
    char utc[48];
    lf_fmt_utc(utc, sizeof utc, when);
    if (utc_day(when) != t->day) {
        t->day = utc_day(when);
        fprintf(t->out, "  %.10s\n", utc);
    }
    int n = fprintf(t->out, "  %s %+9.3f  ", utc + 11, (double)(when - c->first_seen) / 1e9);
    return n > 0 ? (size_t)n : 0;
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
        snprintf(code, sizeof code, " %u", (unsigned)e->ws_code);
    }
    /* idle: seconds since the server's last data on it */
    snprintf(buf, cap, "transport closed by %s (%s%s), idle %.1f s", lf_party_name(e->by),
             lf_close_how_name(e->how), code, e->idle);
}

static void describe(const text_ctx *t, const lf_connection *c, const lf_timeline_event *e,
                     char *buf, size_t cap)
{
    const char *detail = e->detail != NULL ? e->detail : "";
    switch (e->type) {
    case LF_TL_KEEPALIVE:
        if (e->count > 1) {
            char last[48];
            frame_text(t, last, sizeof last, &e->last);
            snprintf(buf, cap, "keepalive x%u until %+.3f s (%s), largest gap %.1f s", e->count,
                     (double)(e->last.time - c->first_seen) / 1e9, last, e->max_gap);
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
        snprintf(buf, cap, "message, %u in M, cursor %s", e->elements, detail);
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

/* A summarised run of routine traffic: "message x412 until +3599.200 s (#9001), largest gap
 * 9.0 s; 412 in M, first cursor d-1A2B-B,4" or "invocation x80 until ...; first: invocation
 * chathub.Send I 7" (keepalive runs say it their own way). */
static void describe_entry(const text_ctx *t, const lf_connection *c, const lf_timeline_event *e,
                           char *buf, size_t cap)
{
    if (e->count <= 1 || e->type == LF_TL_KEEPALIVE) {
        describe(t, c, e, buf, cap);
        return;
    }
    char first[400], last[48];
    if (e->type == LF_TL_MESSAGE) {
        snprintf(first, sizeof first, "%u in M, first cursor %s", e->elements,
                 e->detail != NULL ? e->detail : "");
    } else {
        int n = snprintf(first, sizeof first, "first: ");
        describe(t, c, e, first + n, sizeof first - (size_t)n);
    }
    frame_text(t, last, sizeof last, &e->last);
    snprintf(buf, cap, "%s x%u until %+.3f s (%s), largest gap %.1f s; %s",
             lf_tl_type_name(e->type), e->count, (double)(e->last.time - c->first_seen) / 1e9, last,
             e->max_gap, first);
}

static void print_event(text_ctx *t, const lf_connection *c, const lf_timeline_event *e)
{
    char what[512], frame[48];
    describe_entry(t, c, e, what, sizeof what);
    frame_text(t, frame, sizeof frame, &e->at);
    size_t col = row_start(t, c, e->at.time);
    int n = fprintf(t->out, "%-8s %6llu  ", frame, (unsigned long long)e->stream);
    col += n > 0 ? (size_t)n : 0;
    wrap(t, col, what, LF_TEXT_EVENT_COLUMN + 2);
}

static const char *severity_colour(sr_severity s)
{
    return s == SR_SEVERITY_ERROR ? RED : s == SR_SEVERITY_WARNING ? YELLOW : CYAN;
}

/* "!! warning keepalive_late: <message> (until +3.433 s; frames #63 #68)", wrapped under the
 * event column. */
static void print_finding(text_ctx *t, const lf_connection *c, const lf_finding *f)
{
    size_t col = row_start(t, c, f->time);
    int pad = (int)(LF_TEXT_EVENT_COLUMN > col ? LF_TEXT_EVENT_COLUMN - col : 0);
    const char *severity = sr_severity_name(f->severity), *type = sr_finding_name(f->type);
    fprintf(t->out, "%*s%s!! %s %s%s: ", pad, "", paint(t, severity_colour(f->severity)), severity,
            type, paint(t, RESET));
    col += (size_t)pad + strlen("!!  : ") + strlen(severity) + strlen(type);
    GString *rest = g_string_new(f->message);
    const char *sep = " (";
    if (f->has_end) {
        g_string_append_printf(rest, "%suntil %+.3f s", sep,
                               (double)(f->end - c->first_seen) / 1e9);
        sep = "; ";
    }
    for (size_t i = 0; i < f->evidence_count; i++) {
        char frame[48];
        frame_text(t, frame, sizeof frame, &f->evidence[i]);
        g_string_append_printf(rest, "%s%s%s", i == 0 ? sep : " ",
                               i == 0 ? (f->evidence_count > 1 ? "frames " : "frame ") : "", frame);
    }
    if (f->has_end || f->evidence_count > 0) {
        g_string_append_c(rest, ')');
    }
    wrap(t, col, rest->str, LF_TEXT_EVENT_COLUMN + 3);
    g_string_free(rest, TRUE);
}

/* Events and findings merged by time; at equal times the event comes first (it is what the
 * finding is about). */
static void print_timeline(text_ctx *t, const lf_connection *c)
{
    fprintf(t->out, "  %-15s %9s  %-8s %6s  %s\n", "time (UTC)", "+seconds", "frame", "stream",
            "event");
    t->day = utc_day(c->first_seen);
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

/* "  label       value", the value wrapped at the value column. */
static void print_field(const text_ctx *t, const char *label, const char *value)
{
    int n = fprintf(t->out, "  %-*s", LF_TEXT_VALUE_COLUMN - 2, label);
    wrap(t, n > 0 ? (size_t)n : 0, value, LF_TEXT_VALUE_COLUMN);
}

static void print_settings(const text_ctx *t, const lf_settings *s)
{
    GString *v = g_string_new(NULL);
    if (s->keepalive_disabled) {
        g_string_append(v, "KeepAliveTimeout null (keepalive off)");
    } else {
        g_string_append_printf(v, "KeepAliveTimeout %g s", s->keepalive_timeout);
    }
    g_string_append_printf(
        v, ", DisconnectTimeout %g s, ConnectionTimeout %g s, TransportConnectTimeout %g s (%s)",
        s->disconnect_timeout, s->connection_timeout, s->transport_connect_timeout,
        s->source == LF_SETTINGS_NEGOTIATE ? "from the negotiate"
                                           : "assumed: negotiate not captured");
    print_field(t, "settings", v->str);
    g_string_free(v, TRUE);
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
        char *v = g_strdup_printf("%s -> %s, %llu events%s", client, server,
                                  (unsigned long long)c->legs[i].events,
                                  c->legs[i].mirror ? " (mirror of another leg: not counted)" : "");
        print_field(t, i == 0 ? "legs" : "", v);
        g_free(v);
    }
}

/* The token as printable text, '"' and '\\' escaped for a display filter. */
static void append_token(GString *out, const lf_connection *c)
{
    for (size_t i = 0; i < c->token_len; i++) {
        unsigned char ch = (unsigned char)c->token[i];
        if (ch == '"' || ch == '\\') {
            g_string_append_c(out, '\\');
        }
        g_string_append_c(out, ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
    }
}

/* One line whatever its length: it is meant to be pasted into Wireshark whole. */
static void print_filter(const text_ctx *t, const lf_connection *c)
{
    GString *v = g_string_new("signalr.token == \"");
    append_token(v, c);
    uint64_t sorted[LF_MAX_STREAMS];
    size_t count = c->stream_count < LF_MAX_STREAMS ? c->stream_count : LF_MAX_STREAMS;
    if (count > 0) {
        memcpy(sorted, c->streams, count * sizeof sorted[0]);
    }
    for (size_t i = 1; i < count; i++) {
        for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            uint64_t tmp = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = tmp;
        }
    }
    g_string_append(v, "\"  or  tcp.stream in {");
    for (size_t i = 0; i < count; i++) {
        g_string_append_printf(v, "%s%llu", i == 0 ? "" : " ", (unsigned long long)sorted[i]);
    }
    g_string_append_printf(v, "}%s", c->streams_truncated ? " (first streams only)" : "");
    fprintf(t->out, "  %-*s%s\n", LF_TEXT_VALUE_COLUMN - 2, "wireshark", v->str);
    g_string_free(v, TRUE);
}

static const char *end_meaning(lf_end_type type)
{
    switch (type) {
    case LF_END_STOPPED:
        return "the client sent /abort";
    case LF_END_TIMED_OUT:
        return "the server's DisconnectTimeout ran out";
    case LF_END_SERVER_DISCONNECT:
        return "the server sent \"D\":1";
    case LF_END_CAPTURE_ENDED:
        return "still alive";
    case LF_END_FAILED:
        return "no transport ever worked";
    }
    return "?";
}

static void print_lifetime(const text_ctx *t, const lf_connection *c)
{
    char began[48], ended[48];
    lf_fmt_utc(began, sizeof began, c->first_seen);
    lf_fmt_utc(ended, sizeof ended, c->end_time);
    char *v = g_strdup_printf("%s UTC", began);
    print_field(t, "began", v);
    g_free(v);
    v = g_strdup_printf("%s at %s UTC (%+.3f s): %s", lf_end_type_name(c->end), ended,
                        (double)(c->end_time - c->first_seen) / 1e9, end_meaning(c->end));
    print_field(t, "ended", v);
    g_free(v);
}

static void print_identity(const text_ctx *t, const lf_connection *c)
{
    /* The token itself is in the Wireshark filter line. */
    GString *v = g_string_new(NULL);
    if (c->previous_token != NULL) {
        g_string_printf(v, "%s (token of the page's previous connection)", c->previous_token);
        print_field(t, "follows", v->str);
    }
    char client[64], server[64];
    lf_fmt_endpoint(client, sizeof client, &c->client);
    lf_fmt_endpoint(server, sizeof server, &c->server);
    g_string_printf(v, "client %s -> server %s", client, server);
    print_field(t, "endpoints", v->str);
    g_string_printf(
        v, "%s, client %s, prefix %s, hubs:", c->protocol_version ? c->protocol_version : "?",
        c->client_protocol ? c->client_protocol : "?", c->url_prefix ? c->url_prefix : "?");
    for (size_t i = 0; i < c->hub_count; i++) {
        g_string_append_printf(v, " %s", c->hubs[i] ? c->hubs[i] : "");
    }
    g_string_append(v, c->hub_count == 0 ? " none" : "");
    print_field(t, "protocol", v->str);
    g_string_truncate(v, 0);
    for (size_t i = 0; i < c->transport_count; i++) {
        g_string_append_printf(v, "%s%s", i == 0 ? "" : " -> ",
                               sr_transport_name(c->transports[i]));
    }
    print_field(t, "transports", c->transport_count == 0 ? "none" : v->str);
    g_string_free(v, TRUE);
}

static void print_header(const text_ctx *t, const lf_connection *c, uint64_t number)
{
    fprintf(t->out, "%sConnection %llu: %s%s\n", paint(t, BOLD), (unsigned long long)number,
            c->connection_id != NULL ? c->connection_id
                                     : "ConnectionId unknown (negotiate not captured)",
            paint(t, RESET));
    print_lifetime(t, c);
    print_identity(t, c);
    print_settings(t, &c->settings);
    if (c->polls > 0) {
        char *v = g_strdup_printf("%llu, longest held %.1f s, longest wait between polls %.1f s",
                                  (unsigned long long)c->polls, c->poll_max_held, c->poll_max_gap);
        print_field(t, "polls", v);
        g_free(v);
    }
    print_legs(t, c);
    print_filter(t, c);
}

static void print_counts(const text_ctx *t, const lf_report_tally *tally)
{
    GString *v = g_string_new(NULL);
    g_string_printf(v, "%llu:", (unsigned long long)tally->connections);
    for (int i = 0; i <= LF_END_FAILED; i++) {
        g_string_append_printf(v, " %s %llu", lf_end_type_name((lf_end_type)i),
                               (unsigned long long)tally->ends[i]);
    }
    print_field(t, "connections", v->str);
    g_string_truncate(v, 0);
    for (int i = 0; i < SR_FINDING_TYPE_COUNT; i++) {
        if (tally->findings[i] > 0) {
            g_string_append_printf(v, "%s%s %llu", v->len > 0 ? ", " : "",
                                   sr_finding_name((sr_finding_type)i),
                                   (unsigned long long)tally->findings[i]);
        }
    }
    print_field(t, "findings", v->len > 0 ? v->str : "none");
    if (tally->untracked_events > 0) {
        g_string_printf(v, "%llu events of connections beyond the tracking limit were ignored",
                        (unsigned long long)tally->untracked_events);
        print_field(t, "untracked", v->str);
    }
    g_string_free(v, TRUE);
}

int lf_text_piece_summary(FILE *out, const lf_report_input *inputs, size_t n_inputs,
                          const lf_report_tally *tally, bool color)
{
    text_ctx t = {.out = out, .color = color};
    fprintf(out, "%sSummary%s\n", paint(&t, BOLD), paint(&t, RESET));
    for (size_t i = 0; i < n_inputs; i++) {
        char label[32], a[48], b[48];
        snprintf(label, sizeof label, "input %zu", i);
        if (inputs[i].packets == 0) {
            char *v = g_strdup_printf("%s: no packets", inputs[i].path);
            print_field(&t, label, v);
            g_free(v);
            continue;
        }
        char *v = g_strdup_printf("%s: %llu packets", inputs[i].path,
                                  (unsigned long long)inputs[i].packets);
        print_field(&t, label, v);
        g_free(v);
        lf_fmt_utc(a, sizeof a, inputs[i].first_time);
        lf_fmt_utc(b, sizeof b, inputs[i].last_time);
        /* the second date only when it differs */
        bool same_day = utc_day(inputs[i].first_time) == utc_day(inputs[i].last_time);
        v = g_strdup_printf("%s .. %s UTC", a, same_day ? b + 11 : b);
        print_field(&t, "", v);
        g_free(v);
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

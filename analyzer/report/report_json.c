/* JSON and JSON Lines reports: the engine's records as json-glib trees. */
#include "report/report.h"

#include <string.h>

#include "report/json_write.h"
#include "report/report_format.h"
#include "report/report_pieces.h"

static void add_time(JsonBuilder *b, const char *key, lf_time_ns t)
{
    json_builder_set_member_name(b, key);
    json_builder_add_double_value(b, lf_epoch_seconds(t));
}

static void add_string_or_null(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (value != NULL) {
        json_builder_add_string_value(b, value);
    } else {
        json_builder_add_null_value(b);
    }
}

static void add_int(JsonBuilder *b, const char *key, int64_t value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_int_value(b, value);
}

static void add_seconds(JsonBuilder *b, const char *key, double value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_double_value(b, lf_round_us(value));
}

/* Tokens are base64 in practice; anything else is shown with '?' so the JSON stays valid. */
static char *printable(const char *bytes, size_t len)
{
    char *out = g_malloc(len + 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)bytes[i];
        out[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    out[len] = '\0';
    return out;
}

static void add_endpoint(JsonBuilder *b, const char *key, const tcp_endpoint *ep)
{
    char text[64];
    lf_fmt_endpoint(text, sizeof text, ep);
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, text);
}

static void add_settings(JsonBuilder *b, const lf_settings *s)
{
    json_builder_set_member_name(b, "settings");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "keepalive_timeout");
    if (s->keepalive_disabled) {
        json_builder_add_null_value(b);
    } else {
        json_builder_add_double_value(b, lf_round_us(s->keepalive_timeout));
    }
    add_seconds(b, "disconnect_timeout", s->disconnect_timeout);
    add_seconds(b, "connection_timeout", s->connection_timeout);
    add_seconds(b, "transport_connect_timeout", s->transport_connect_timeout);
    add_seconds(b, "long_poll_delay", s->long_poll_delay);
    json_builder_set_member_name(b, "source");
    json_builder_add_string_value(b, s->source == LF_SETTINGS_NEGOTIATE ? "negotiate" : "assumed");
    json_builder_end_object(b);
}

static void add_frame(JsonBuilder *b, const lf_frame_ref *at)
{
    add_int(b, "file", at->file);
    add_int(b, "frame", (int64_t)at->frame);
}

static void add_event_details(JsonBuilder *b, const lf_timeline_event *e)
{
    if (e->status != 0) {
        add_int(b, "status", e->status);
        add_time(b, "response_time", e->response_at.time);
        add_int(b, "response_frame", (int64_t)e->response_at.frame);
    }
    if (e->type == LF_TL_KEEPALIVE) {
        add_int(b, "count", e->count);
        add_time(b, "last_time", e->last.time);
        add_int(b, "last_frame", (int64_t)e->last.frame);
        add_seconds(b, "max_gap", e->max_gap);
    } else if (e->type == LF_TL_MESSAGE || e->type == LF_TL_INIT) {
        add_int(b, "messages", e->count);
    } else if (e->type == LF_TL_TRANSPORT_CLOSED) {
        add_string_or_null(b, "how", lf_close_how_name(e->how));
        add_string_or_null(b, "by", lf_party_name(e->by));
        if (e->has_ws_code) {
            add_int(b, "ws_code", e->ws_code);
        }
        add_seconds(b, "idle", e->idle);
    }
    if (e->detail != NULL) {
        add_string_or_null(b, "detail", e->detail);
    }
}

static void add_event(JsonBuilder *b, const lf_timeline_event *e)
{
    json_builder_begin_object(b);
    add_time(b, "time", e->at.time);
    add_string_or_null(b, "type", lf_tl_type_name(e->type));
    add_int(b, "stream", (int64_t)e->stream);
    add_frame(b, &e->at);
    if (e->transport != SR_TRANSPORT_NONE) {
        add_string_or_null(b, "transport", sr_transport_name(e->transport));
    }
    add_event_details(b, e);
    json_builder_end_object(b);
}

static void add_finding(JsonBuilder *b, const lf_finding *f)
{
    json_builder_begin_object(b);
    add_string_or_null(b, "type", sr_finding_name(f->type));
    add_string_or_null(b, "severity", sr_severity_name(f->severity));
    add_time(b, "time", f->time);
    if (f->has_end) {
        add_time(b, "end_time", f->end);
    }
    add_string_or_null(b, "message", f->message);
    json_builder_set_member_name(b, "evidence");
    json_builder_begin_array(b);
    for (size_t i = 0; i < f->evidence_count; i++) {
        json_builder_begin_object(b);
        add_frame(b, &f->evidence[i]);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
}

static void add_legs(JsonBuilder *b, const lf_connection *c)
{
    json_builder_set_member_name(b, "legs");
    json_builder_begin_array(b);
    for (size_t i = 0; i < c->leg_count; i++) {
        const lf_leg *leg = &c->legs[i];
        json_builder_begin_object(b);
        add_endpoint(b, "client", &leg->client);
        add_endpoint(b, "server", &leg->server);
        json_builder_set_member_name(b, "mirror");
        json_builder_add_boolean_value(b, leg->mirror);
        add_int(b, "events", (int64_t)leg->events);
        add_time(b, "first_time", leg->first);
        add_time(b, "last_time", leg->last);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static void add_identity(JsonBuilder *b, const lf_connection *c)
{
    add_string_or_null(b, "connection_id", c->connection_id);
    char *token = printable(c->token, c->token_len);
    add_string_or_null(b, "token", token);
    g_free(token);
    add_string_or_null(b, "previous_token", c->previous_token);
    add_string_or_null(b, "protocol_version", c->protocol_version);
    add_string_or_null(b, "client_protocol", c->client_protocol);
    add_string_or_null(b, "url_prefix", c->url_prefix);
    json_builder_set_member_name(b, "hubs");
    json_builder_begin_array(b);
    for (size_t i = 0; i < c->hub_count; i++) {
        json_builder_add_string_value(b, c->hubs[i] != NULL ? c->hubs[i] : "");
    }
    json_builder_end_array(b);
    add_endpoint(b, "client", &c->client);
    add_endpoint(b, "server", &c->server);
    json_builder_set_member_name(b, "transports");
    json_builder_begin_array(b);
    for (size_t i = 0; i < c->transport_count; i++) {
        json_builder_add_string_value(b, sr_transport_name(c->transports[i]));
    }
    json_builder_end_array(b);
}

static void add_connection(JsonBuilder *b, const lf_connection *c)
{
    json_builder_begin_object(b);
    add_identity(b, c);
    add_time(b, "first_time", c->first_seen);
    add_time(b, "last_time", c->last_seen);
    add_settings(b, &c->settings);
    add_legs(b, c);
    json_builder_set_member_name(b, "streams");
    json_builder_begin_array(b);
    for (size_t i = 0; i < c->stream_count; i++) {
        json_builder_add_int_value(b, (int64_t)c->streams[i]);
    }
    json_builder_end_array(b);
    if (c->polls > 0) {
        json_builder_set_member_name(b, "long_polling");
        json_builder_begin_object(b);
        add_int(b, "polls", (int64_t)c->polls);
        add_seconds(b, "max_held", c->poll_max_held);
        add_seconds(b, "max_gap", c->poll_max_gap);
        json_builder_end_object(b);
    }
    json_builder_set_member_name(b, "keepalives");
    json_builder_begin_object(b);
    add_int(b, "count", (int64_t)c->keepalives);
    add_seconds(b, "max_gap", c->keepalive_max_gap);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "events");
    json_builder_begin_array(b);
    for (size_t i = 0; i < c->event_count; i++) {
        add_event(b, &c->events[i]);
    }
    json_builder_end_array(b);
    add_int(b, "events_dropped", (int64_t)c->events_dropped);
    json_builder_set_member_name(b, "findings");
    json_builder_begin_array(b);
    for (size_t i = 0; i < c->finding_count; i++) {
        add_finding(b, &c->findings[i]);
    }
    json_builder_end_array(b);
    add_int(b, "findings_dropped", (int64_t)c->findings_dropped);
    json_builder_set_member_name(b, "end");
    json_builder_begin_object(b);
    add_string_or_null(b, "type", lf_end_type_name(c->end));
    add_time(b, "time", c->end_time);
    json_builder_end_object(b);
    json_builder_end_object(b);
}

static void add_inputs(JsonBuilder *b, const lf_report_input *inputs, size_t n)
{
    json_builder_begin_array(b);
    for (size_t i = 0; i < n; i++) {
        json_builder_begin_object(b);
        add_string_or_null(b, "path", inputs[i].path);
        add_int(b, "packets", (int64_t)inputs[i].packets);
        if (inputs[i].packets > 0) {
            add_time(b, "first_time", inputs[i].first_time);
            add_time(b, "last_time", inputs[i].last_time);
        } else {
            add_string_or_null(b, "first_time", NULL);
            add_string_or_null(b, "last_time", NULL);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static void add_counts(JsonBuilder *b, const char *key, const uint64_t *counts, int n,
                       const char *(*name)(int), bool skip_zero)
{
    json_builder_set_member_name(b, key);
    json_builder_begin_object(b);
    for (int i = 0; i < n; i++) {
        if (!skip_zero || counts[i] > 0) {
            add_int(b, name(i), (int64_t)counts[i]);
        }
    }
    json_builder_end_object(b);
}

static const char *end_name(int i)
{
    return lf_end_type_name((lf_end_type)i);
}

static const char *finding_name(int i)
{
    return sr_finding_name((sr_finding_type)i);
}

static const char *severity_name(int i)
{
    return sr_severity_name((sr_severity)i);
}

static void add_summary(JsonBuilder *b, const lf_report_tally *t)
{
    json_builder_begin_object(b);
    add_int(b, "connections", (int64_t)t->connections);
    add_int(b, "untracked_events", (int64_t)t->untracked_events);
    add_counts(b, "ends", t->ends, LF_END_FAILED + 1, end_name, false);
    add_counts(b, "findings", t->findings, SR_FINDING_TYPE_COUNT, finding_name, true);
    add_counts(b, "severities", t->severities, SR_SEVERITY_ERROR + 1, severity_name, false);
    json_builder_end_object(b);
}

typedef void (*build_fn)(JsonBuilder *b, const void *arg1, size_t arg2);

/* Builds one piece of the report with `build`, writes it at `depth` and frees it. */
static int write_piece(FILE *out, bool pretty, int depth, build_fn build, const void *arg1,
                       size_t arg2)
{
    JsonBuilder *b = json_builder_new();
    build(b, arg1, arg2);
    JsonNode *root = json_builder_get_root(b);
    int rc = lf_json_write(out, root, pretty, depth);
    json_node_unref(root);
    g_object_unref(b);
    return rc;
}

static void build_inputs(JsonBuilder *b, const void *inputs, size_t n)
{
    add_inputs(b, inputs, n);
}

static void build_connection(JsonBuilder *b, const void *c, size_t unused)
{
    (void)unused;
    add_connection(b, c);
}

static void build_summary(JsonBuilder *b, const void *tally, size_t unused)
{
    (void)unused;
    add_summary(b, tally);
}

int lf_json_piece_connection(FILE *out, const lf_connection *c, bool pretty, int depth)
{
    return write_piece(out, pretty, depth, build_connection, c, 0);
}

int lf_json_piece_inputs(FILE *out, const lf_report_input *inputs, size_t n, int depth)
{
    return write_piece(out, true, depth, build_inputs, inputs, n);
}

int lf_json_piece_summary(FILE *out, const lf_report_tally *t, int depth)
{
    return write_piece(out, true, depth, build_summary, t, 0);
}

/* The document is written one connection at a time, so that a capture with many connections
 * never needs every connection's JSON tree in memory at once; keys come in the order the
 * streaming writer uses (connections, inputs, summary), so both give the same document. */
int lf_report_json(FILE *out, const lf_report_input *inputs, size_t input_count,
                   const lf_lifecycle *engine, lf_report_error *err)
{
    size_t n = lf_lifecycle_connection_count(engine);
    lf_report_tally tally = {.untracked_events = lf_lifecycle_events_untracked(engine)};
    fputs("{\n  \"connections\": [", out);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const lf_connection *c = lf_lifecycle_connection(engine, i);
        fputs(i == 0 ? "\n    " : ",\n    ", out);
        rc = lf_json_piece_connection(out, c, true, 2);
        lf_report_tally_add(&tally, c);
    }
    fputs(n > 0 ? "\n  ],\n  \"inputs\": " : "],\n  \"inputs\": ", out);
    if (rc == 0) {
        rc = lf_json_piece_inputs(out, inputs, input_count, 1);
    }
    fputs(",\n  \"summary\": ", out);
    if (rc == 0) {
        rc = lf_json_piece_summary(out, &tally, 1);
    }
    fputs("\n}\n", out);
    return rc != 0 || ferror(out) ? lf_report_failed(err, "writing the JSON report failed") : 0;
}

int lf_report_jsonl(FILE *out, const lf_lifecycle *engine, lf_report_error *err)
{
    for (size_t i = 0; i < lf_lifecycle_connection_count(engine); i++) {
        int rc = lf_json_piece_connection(out, lf_lifecycle_connection(engine, i), false, 0);
        if (rc != 0 || fputc('\n', out) == EOF) {
            return lf_report_failed(err, "writing the JSON Lines report failed");
        }
    }
    return 0;
}

/* JSON and JSON Lines reports: the engine's records written straight out (json_write.h). */
#include "report/report.h"

#include <glib.h>
#include <string.h>

#include "report/json_write.h"
#include "report/report_format.h"
#include "report/report_pieces.h"

static void add_endpoint(lf_json_out *j, const char *key, const tcp_endpoint *ep)
{
    char text[64];
    lf_fmt_endpoint(text, sizeof text, ep);
    lf_json_string(j, key, text);
}

static void add_settings(lf_json_out *j, const lf_settings *s)
{
    lf_json_begin_object(j, "settings");
    if (s->keepalive_disabled) {
        lf_json_null(j, "keepalive_timeout");
    } else {
        lf_json_seconds(j, "keepalive_timeout", s->keepalive_timeout);
    }
    lf_json_seconds(j, "disconnect_timeout", s->disconnect_timeout);
    lf_json_seconds(j, "connection_timeout", s->connection_timeout);
    lf_json_seconds(j, "transport_connect_timeout", s->transport_connect_timeout);
    lf_json_seconds(j, "long_poll_delay", s->long_poll_delay);
    lf_json_string(j, "source", s->source == LF_SETTINGS_NEGOTIATE ? "negotiate" : "assumed");
    lf_json_end_object(j);
}

static void add_frame(lf_json_out *j, const lf_frame_ref *at)
{
    lf_json_int(j, "file", at->file);
    lf_json_int(j, "frame", (int64_t)at->frame);
}

static void add_run(lf_json_out *j, const lf_timeline_event *e)
{
    lf_json_int(j, "count", e->count);
    lf_json_time(j, "last_time", e->last.time);
    lf_json_int(j, "last_frame", (int64_t)e->last.frame);
    lf_json_seconds(j, "max_gap", e->max_gap);
}

static void add_event_details(lf_json_out *j, const lf_timeline_event *e)
{
    if (e->status != 0) {
        lf_json_int(j, "status", e->status);
        lf_json_time(j, "response_time", e->response_at.time);
        lf_json_int(j, "response_frame", (int64_t)e->response_at.frame);
    }
    if (e->type == LF_TL_KEEPALIVE || e->count > 1) {
        add_run(j, e);
    }
    if (e->type == LF_TL_MESSAGE || e->type == LF_TL_INIT) {
        lf_json_int(j, "messages", e->elements);
    } else if (e->type == LF_TL_TRANSPORT_CLOSED) {
        lf_json_string(j, "how", lf_close_how_name(e->how));
        lf_json_string(j, "by", lf_party_name(e->by));
        if (e->has_ws_code) {
            lf_json_int(j, "ws_code", e->ws_code);
        }
        lf_json_seconds(j, "idle", e->idle);
    }
    if (e->detail != NULL) {
        lf_json_string(j, "detail", e->detail);
    }
}

static void add_event(lf_json_out *j, const lf_timeline_event *e)
{
    lf_json_begin_object(j, NULL);
    lf_json_time(j, "time", e->at.time);
    lf_json_string(j, "type", lf_tl_type_name(e->type));
    lf_json_int(j, "stream", (int64_t)e->stream);
    add_frame(j, &e->at);
    if (e->transport != SR_TRANSPORT_NONE) {
        lf_json_string(j, "transport", sr_transport_name(e->transport));
    }
    add_event_details(j, e);
    lf_json_end_object(j);
}

static void add_finding(lf_json_out *j, const lf_finding *f)
{
    lf_json_begin_object(j, NULL);
    lf_json_string(j, "type", sr_finding_name(f->type));
    lf_json_string(j, "severity", sr_severity_name(f->severity));
    lf_json_time(j, "time", f->time);
    if (f->has_end) {
        lf_json_time(j, "end_time", f->end);
    }
    lf_json_string(j, "message", f->message);
    lf_json_begin_array(j, "evidence");
    for (size_t i = 0; i < f->evidence_count; i++) {
        lf_json_begin_object(j, NULL);
        add_frame(j, &f->evidence[i]);
        lf_json_end_object(j);
    }
    lf_json_end_array(j);
    lf_json_end_object(j);
}

static void add_legs(lf_json_out *j, const lf_connection *c)
{
    lf_json_begin_array(j, "legs");
    for (size_t i = 0; i < c->leg_count; i++) {
        const lf_leg *leg = &c->legs[i];
        lf_json_begin_object(j, NULL);
        add_endpoint(j, "client", &leg->client);
        add_endpoint(j, "server", &leg->server);
        lf_json_bool(j, "mirror", leg->mirror);
        lf_json_int(j, "events", (int64_t)leg->events);
        lf_json_time(j, "first_time", leg->first);
        lf_json_time(j, "last_time", leg->last);
        lf_json_end_object(j);
    }
    lf_json_end_array(j);
}

/* Tokens are base64 in practice; anything else is shown with '?' so the JSON stays valid. */
static void add_token(lf_json_out *j, const lf_connection *c)
{
    char *token = g_malloc(c->token_len + 1);
    for (size_t i = 0; i < c->token_len; i++) {
        unsigned char ch = (unsigned char)c->token[i];
        token[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    token[c->token_len] = '\0';
    lf_json_string(j, "token", token);
    g_free(token);
}

static void add_identity(lf_json_out *j, const lf_connection *c)
{
    lf_json_string(j, "connection_id", c->connection_id);
    add_token(j, c);
    lf_json_string(j, "previous_token", c->previous_token);
    lf_json_string(j, "protocol_version", c->protocol_version);
    lf_json_string(j, "client_protocol", c->client_protocol);
    lf_json_string(j, "url_prefix", c->url_prefix);
    lf_json_begin_array(j, "hubs");
    for (size_t i = 0; i < c->hub_count; i++) {
        lf_json_string(j, NULL, c->hubs[i] != NULL ? c->hubs[i] : "");
    }
    lf_json_end_array(j);
    add_endpoint(j, "client", &c->client);
    add_endpoint(j, "server", &c->server);
    lf_json_begin_array(j, "transports");
    for (size_t i = 0; i < c->transport_count; i++) {
        lf_json_string(j, NULL, sr_transport_name(c->transports[i]));
    }
    lf_json_end_array(j);
}

static void add_activity(lf_json_out *j, const lf_connection *c)
{
    lf_json_begin_array(j, "streams");
    for (size_t i = 0; i < c->stream_count; i++) {
        lf_json_int(j, NULL, (int64_t)c->streams[i]);
    }
    lf_json_end_array(j);
    if (c->polls > 0) {
        lf_json_begin_object(j, "long_polling");
        lf_json_int(j, "polls", (int64_t)c->polls);
        lf_json_seconds(j, "max_held", c->poll_max_held);
        lf_json_seconds(j, "max_gap", c->poll_max_gap);
        lf_json_end_object(j);
    }
    lf_json_begin_object(j, "keepalives");
    lf_json_int(j, "count", (int64_t)c->keepalives);
    lf_json_seconds(j, "max_gap", c->keepalive_max_gap);
    lf_json_end_object(j);
}

static void add_connection(lf_json_out *j, const lf_connection *c)
{
    lf_json_begin_object(j, NULL);
    add_identity(j, c);
    lf_json_time(j, "first_time", c->first_seen);
    lf_json_time(j, "last_time", c->last_seen);
    add_settings(j, &c->settings);
    add_legs(j, c);
    add_activity(j, c);
    lf_json_begin_array(j, "events");
    for (size_t i = 0; i < c->event_count; i++) {
        add_event(j, &c->events[i]);
    }
    lf_json_end_array(j);
    lf_json_int(j, "events_dropped", (int64_t)c->events_dropped);
    lf_json_begin_array(j, "findings");
    for (size_t i = 0; i < c->finding_count; i++) {
        add_finding(j, &c->findings[i]);
    }
    lf_json_end_array(j);
    lf_json_int(j, "findings_dropped", (int64_t)c->findings_dropped);
    lf_json_begin_object(j, "end");
    lf_json_string(j, "type", lf_end_type_name(c->end));
    lf_json_time(j, "time", c->end_time);
    lf_json_end_object(j);
    lf_json_end_object(j);
}

static void add_counts(lf_json_out *j, const char *key, const uint64_t *counts, int n,
                       const char *(*name)(int), bool skip_zero)
{
    lf_json_begin_object(j, key);
    for (int i = 0; i < n; i++) {
        if (!skip_zero || counts[i] > 0) {
            lf_json_int(j, name(i), (int64_t)counts[i]);
        }
    }
    lf_json_end_object(j);
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

int lf_json_piece_connection(FILE *out, const lf_connection *c, bool pretty, int depth)
{
    lf_json_out j;
    lf_json_init(&j, out, pretty, depth);
    add_connection(&j, c);
    return lf_json_flush(&j);
}

int lf_json_piece_inputs(FILE *out, const lf_report_input *inputs, size_t n, int depth)
{
    lf_json_out j;
    lf_json_init(&j, out, true, depth);
    lf_json_begin_array(&j, NULL);
    for (size_t i = 0; i < n; i++) {
        lf_json_begin_object(&j, NULL);
        lf_json_string(&j, "path", inputs[i].path);
        lf_json_int(&j, "packets", (int64_t)inputs[i].packets);
        if (inputs[i].packets > 0) {
            lf_json_time(&j, "first_time", inputs[i].first_time);
            lf_json_time(&j, "last_time", inputs[i].last_time);
        } else {
            lf_json_null(&j, "first_time");
            lf_json_null(&j, "last_time");
        }
        lf_json_end_object(&j);
    }
    lf_json_end_array(&j);
    return lf_json_flush(&j);
}

int lf_json_piece_summary(FILE *out, const lf_report_tally *t, int depth)
{
    lf_json_out j;
    lf_json_init(&j, out, true, depth);
    lf_json_begin_object(&j, NULL);
    lf_json_int(&j, "connections", (int64_t)t->connections);
    lf_json_int(&j, "untracked_events", (int64_t)t->untracked_events);
    add_counts(&j, "ends", t->ends, LF_END_FAILED + 1, end_name, false);
    add_counts(&j, "findings", t->findings, SR_FINDING_TYPE_COUNT, finding_name, true);
    add_counts(&j, "severities", t->severities, SR_SEVERITY_ERROR + 1, severity_name, false);
    lf_json_end_object(&j);
    return lf_json_flush(&j);
}

/* The document is written one connection at a time; keys come in the order the streaming
 * writer uses (connections, inputs, summary), so both give the same document. */
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

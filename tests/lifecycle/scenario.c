/* Scenario builder for lifecycle and report tests. */
#include "scenario.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static lf_time_ns at_ns(double t)
{
    return SC_EPOCH_NS + (lf_time_ns)llround(t * 1e9);
}

double sc_rel(lf_time_ns t)
{
    return (double)(t - SC_EPOCH_NS) / 1e9;
}

void sc_init(scenario *s, const lf_lifecycle_options *opts)
{
    memset(s, 0, sizeof *s);
    s->engine = lf_lifecycle_new(opts);
    s->token = "tok-A";
    s->transport = SC_WS;
    s->client_host = 10;
    s->server_host = 20;
    s->cursor_prefix = "d-6A1F30C2-";
    s->hub_names[0] = "chathub";
}

void sc_free(scenario *s)
{
    lf_lifecycle_free(s->engine);
    s->engine = NULL;
}

int sc_fixture_setup(void **state)
{
    static scenario s;
    sc_init(&s, NULL);
    *state = &s;
    return 0;
}

int sc_fixture_teardown(void **state)
{
    sc_free(*state);
    return 0;
}

void sc_token(scenario *s, const char *token)
{
    s->token = token;
}

static void endpoints(const scenario *s, lf_signalr_event *ev, uint64_t stream)
{
    ev->client.family = 4;
    ev->client.addr[0] = 10;
    ev->client.addr[3] = s->client_host;
    ev->client.port = (uint16_t)(40000 + stream % 20000);
    ev->server.family = 4;
    ev->server.addr[0] = 10;
    ev->server.addr[2] = 1;
    ev->server.addr[3] = s->server_host;
    ev->server.port = 80;
}

void sc_feed(scenario *s, lf_signalr_event *ev, double t, uint64_t stream)
{
    ev->at.file = 0;
    ev->at.frame = ++s->frame;
    ev->at.time = at_ns(t);
    ev->stream = stream;
    endpoints(s, ev, stream);
    if (ev->token.ptr == NULL && ev->type != LF_SR_REQUEST) {
        ev->token.ptr = s->token;
        ev->token.len = strlen(s->token);
    }
    lf_lifecycle_feed(s->engine, ev);
}

static lf_signalr_event event(const scenario *s, lf_sr_event_type type, sr_request_kind kind)
{
    lf_signalr_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.request_kind = kind;
    ev.transport = s->transport;
    ev.dir = type == LF_SR_REQUEST || type == LF_SR_HUB_INVOCATION ? TCP_DIR_TO_SERVER
                                                                   : TCP_DIR_TO_CLIENT;
    return ev;
}

static void request(scenario *s, double t, sr_request_kind kind, uint64_t stream)
{
    lf_signalr_event ev = event(s, LF_SR_REQUEST, kind);
    static const lf_wire_str no_str = {0};
    lf_wire_str hubs[1] = {{s->hub_names[0], strlen(s->hub_names[0])}};
    ev.u.request.url_prefix = (lf_wire_str){"/signalr", 8};
    ev.u.request.client_protocol = (lf_wire_str){"2.1", 3};
    ev.u.request.message_id = no_str;
    ev.u.request.hubs = hubs;
    ev.u.request.hub_count = 1;
    if (kind != SR_REQUEST_NEGOTIATE) {
        ev.token = (lf_wire_str){s->token, strlen(s->token)};
    } else if (s->stale_token != NULL) {
        ev.u.request.stale_token = (lf_wire_str){s->stale_token, strlen(s->stale_token)};
        s->stale_token = NULL;
    }
    sc_feed(s, &ev, t, stream);
}

static void response(scenario *s, double t, sr_request_kind kind, uint64_t stream, int status,
                     const char *text)
{
    lf_signalr_event ev = event(s, LF_SR_RESPONSE, kind);
    if (text != NULL) {
        ev.u.response.text = (lf_wire_str){text, strlen(text)};
    }
    ev.u.response.status = status;
    sc_feed(s, &ev, t, stream);
}

static sr_duration seconds(double v)
{
    sr_duration d = {.present = true, .is_null = v < 0, .ms = v < 0 ? 0 : llround(v * 1000)};
    return d;
}

void sc_negotiate(scenario *s, double t, double kat, double dt)
{
    s->pooled_stream = s->next_stream++;
    request(s, t, SR_REQUEST_NEGOTIATE, s->pooled_stream);
    sr_negotiate neg;
    memset(&neg, 0, sizeof neg);
    sr_string_set(&neg.url, "/signalr", 8);
    sr_string_set(&neg.connection_token, s->token, strlen(s->token));
    sr_string_set(&neg.connection_id, "7f3c2a9e-51b4-4d0c-9b8e-2d6f0a1c4e55", 36);
    sr_string_set(&neg.protocol_version, "2.0", 3);
    neg.keep_alive_timeout = seconds(kat);
    neg.disconnect_timeout = seconds(dt);
    neg.connection_timeout = seconds(110);
    neg.transport_connect_timeout = seconds(5);
    neg.long_poll_delay = seconds(0);
    neg.try_websockets = true;
    lf_signalr_event ev = event(s, LF_SR_NEGOTIATE_RESULT, SR_REQUEST_NEGOTIATE);
    ev.transport = SR_TRANSPORT_NONE;
    ev.u.negotiate.parsed = &neg;
    sc_feed(s, &ev, t + 0.005, s->pooled_stream);
    sr_negotiate_clear(&neg);
}

static void opened(scenario *s, double t, sr_request_kind kind)
{
    lf_signalr_event ev = event(s, LF_SR_TRANSPORT_OPENED, kind);
    ev.u.opened.evidence = s->transport == SC_WS    ? LF_SR_OPENED_WS_101
                           : s->transport == SC_SSE ? LF_SR_OPENED_SSE_HEADERS
                           : s->transport == SC_FF  ? LF_SR_OPENED_FF_PRELUDE
                                                    : LF_SR_OPENED_LP_ACCEPTED;
    if (s->transport == SC_WS) {
        response(s, t, kind, s->rx_stream, 101, NULL);
    } else {
        response(s, t, kind, s->rx_stream, 200, NULL);
    }
    sc_feed(s, &ev, t, s->rx_stream);
}

static void receive(scenario *s, double t, sr_request_kind kind)
{
    s->rx_stream = s->next_stream++;
    request(s, t, kind, s->rx_stream);
    opened(s, t + 0.003, kind);
}

void sc_connect(scenario *s, double t, sr_transport transport)
{
    s->transport = transport;
    if (s->pooled_stream == 0 && s->next_stream == 0) {
        s->pooled_stream = s->next_stream++;
    }
    receive(s, t, SR_REQUEST_CONNECT);
}

void sc_reconnect(scenario *s, double t)
{
    receive(s, t, SR_REQUEST_RECONNECT);
}

void sc_poll(scenario *s, double t)
{
    receive(s, t, SR_REQUEST_POLL);
}

void sc_reconnect_unanswered(scenario *s, double t)
{
    s->rx_stream = s->next_stream++;
    request(s, t, SR_REQUEST_RECONNECT, s->rx_stream);
}

void sc_reconnect_rejected(scenario *s, double t, int status, const char *text)
{
    s->rx_stream = s->next_stream++;
    request(s, t, SR_REQUEST_RECONNECT, s->rx_stream);
    response(s, t + 0.01, SR_REQUEST_RECONNECT, s->rx_stream, status, text);
}

static void persistent(scenario *s, double t, lf_sr_event_type type)
{
    char cursor[64];
    snprintf(cursor, sizeof cursor, "%sB,%X|C,0|D,1", s->cursor_prefix, s->cursor++);
    lf_signalr_event ev = event(s, type, SR_REQUEST_CONNECT);
    ev.u.message.cursor = (lf_wire_str){cursor, strlen(cursor)};
    ev.u.message.cursor_prefix = (lf_wire_str){s->cursor_prefix, strlen(s->cursor_prefix)};
    ev.u.message.message_count = type == LF_SR_MESSAGE ? 1 : 0;
    sc_feed(s, &ev, t, s->rx_stream);
}

void sc_init_message(scenario *s, double t)
{
    persistent(s, t, LF_SR_INIT);
}

void sc_message(scenario *s, double t)
{
    persistent(s, t, LF_SR_MESSAGE);
}

void sc_disconnect_command(scenario *s, double t)
{
    lf_signalr_event ev = event(s, LF_SR_DISCONNECT_COMMAND, SR_REQUEST_RECONNECT);
    ev.u.message.cursor = (lf_wire_str){"d-6A1F30C2-B,1", 14};
    sc_feed(s, &ev, t, s->rx_stream);
}

void sc_start(scenario *s, double t)
{
    request(s, t, SR_REQUEST_START, s->pooled_stream);
    response(s, t + 0.01, SR_REQUEST_START, s->pooled_stream, 200, NULL);
    lf_signalr_event ev = event(s, LF_SR_STARTED, SR_REQUEST_START);
    ev.u.started.ok = true;
    sc_feed(s, &ev, t + 0.01, s->pooled_stream);
}

void sc_keepalive(scenario *s, double t)
{
    lf_signalr_event ev = event(s, LF_SR_KEEPALIVE, SR_REQUEST_CONNECT);
    sc_feed(s, &ev, t, s->rx_stream);
}

void sc_keepalives(scenario *s, double from, double to, double every)
{
    for (double t = from; t <= to + 1e-9; t += every) {
        sc_keepalive(s, t);
    }
}

void sc_invoke(scenario *s, double t, const char *id)
{
    lf_signalr_event ev = event(s, LF_SR_HUB_INVOCATION, SR_REQUEST_CONNECT);
    ev.u.invocation.hub = (lf_wire_str){"chathub", 7};
    ev.u.invocation.method = (lf_wire_str){"Send", 4};
    ev.u.invocation.id = (lf_wire_str){id, strlen(id)};
    sc_feed(s, &ev, t, s->transport == SC_WS ? s->rx_stream : s->pooled_stream);
}

void sc_result(scenario *s, double t, const char *id)
{
    lf_signalr_event ev = event(s, LF_SR_HUB_RESULT, SR_REQUEST_CONNECT);
    ev.u.result.id = (lf_wire_str){id, strlen(id)};
    sc_feed(s, &ev, t, s->transport == SC_WS ? s->rx_stream : s->pooled_stream);
}

void sc_close(scenario *s, double t, lf_sr_close_how how, lf_sr_party by)
{
    lf_signalr_event ev = event(s, LF_SR_TRANSPORT_CLOSED, SR_REQUEST_CONNECT);
    ev.u.closed.how = how;
    ev.u.closed.by = by;
    sc_feed(s, &ev, t, s->rx_stream);
}

void sc_ping(scenario *s, double t)
{
    request(s, t, SR_REQUEST_PING, s->pooled_stream);
    response(s, t + 0.01, SR_REQUEST_PING, s->pooled_stream, 200, NULL);
}

void sc_abort(scenario *s, double t)
{
    request(s, t, SR_REQUEST_ABORT, s->pooled_stream);
    response(s, t + 0.01, SR_REQUEST_ABORT, s->pooled_stream, 200, NULL);
}

void sc_restart_server(scenario *s, const char *new_prefix)
{
    s->cursor_prefix = new_prefix;
}

void sc_finish(scenario *s, double t)
{
    lf_lifecycle_finish(s->engine, at_ns(t));
}

void sc_connected_ws(scenario *s, double t, double kat, double dt)
{
    sc_negotiate(s, t, kat, dt);
    sc_connect(s, t + 0.1, SC_WS);
    sc_init_message(s, t + 0.15);
    sc_start(s, t + 0.2);
}

const lf_connection *sc_conn(const scenario *s, const char *token)
{
    for (size_t i = 0; i < lf_lifecycle_connection_count(s->engine); i++) {
        const lf_connection *c = lf_lifecycle_connection(s->engine, i);
        if (strcmp(c->token, token) == 0) {
            return c;
        }
    }
    return NULL;
}

int sc_count(const lf_connection *c, sr_finding_type type)
{
    int n = 0;
    for (size_t i = 0; c != NULL && i < c->finding_count; i++) {
        n += c->findings[i].type == type;
    }
    return n;
}

const lf_finding *sc_find(const lf_connection *c, sr_finding_type type)
{
    for (size_t i = 0; c != NULL && i < c->finding_count; i++) {
        if (c->findings[i].type == type) {
            return &c->findings[i];
        }
    }
    return NULL;
}

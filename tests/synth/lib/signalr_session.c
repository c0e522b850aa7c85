/* SignalR classic request/response shapes (JS 2.4.3 client against a 2.x server). */
#include "signalr_session.h"

#include <glib.h>
#include <string.h>

/* Time a server takes to answer a request: 1 ms, typical of loopback tests. */
#define SERVER_THINK_NS SYNTH_NS_PER_MS

#define JSON_TYPE "Content-Type: application/json; charset=UTF-8"
#define SSE_INITIALIZED "data: initialized\n\n"
#define SSE_KEEPALIVE "data: {}\n\n"
#define FF_KEEPALIVE "<script>r(c, {});</script>\n\n"
#define LP_KEEPALIVE " "

struct synth_sr_session {
    synth_t *synth;
    synth_sr_transport transport;
    char *base_path;
    char *hub;
    char *token;
    char *connection_id;
    char *cursor_prefix;
    double keepalive_timeout, disconnect_timeout, connection_timeout;
    unsigned frame_id;
    synth_ws_options ws_options;
    unsigned message_count; /* cursor position */
    unsigned invocation_id; /* next client invocation id */
    synth_conn *recv;
    synth_ws *ws;            /* WebSockets receive side */
    synth_http_body *stream; /* SSE/FF stream or the held long poll */
};

void synth_sr_default_config(synth_sr_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->base_path = "/signalr";
    cfg->hub = "chathub";
    cfg->keepalive_timeout = 20.0;
    cfg->disconnect_timeout = 30.0;
    cfg->connection_timeout = 110.0;
    cfg->frame_id = 1;
}

static const char *const TRANSPORT_NAMES[] = {"webSockets", "serverSentEvents", "foreverFrame",
                                              "longPolling"};

const char *synth_sr_transport_name(synth_sr_transport tr)
{
    return TRANSPORT_NAMES[tr];
}

bool synth_sr_transport_parse(const char *name, synth_sr_transport *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, TRANSPORT_NAMES[i]) == 0) {
            *out = (synth_sr_transport)i;
            return true;
        }
    return false;
}

static char *random_token(synth_t *s)
{
    /* 66 bytes -> 88 base64 characters, the size of a DPAPI-protected token. */
    uint8_t raw[66];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)synth_random(s);
    return g_base64_encode(raw, sizeof raw);
}

static char *random_guid(synth_t *s)
{
    uint64_t a = synth_random(s), b = synth_random(s);
    return g_strdup_printf("%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
                           (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFF,
                           (unsigned)(0x8000 | ((b >> 48) & 0x3FFF)),
                           (unsigned long long)(b & 0xFFFFFFFFFFFFull));
}

synth_sr_session *synth_sr_session_new(synth_t *s, synth_sr_transport tr, const synth_sr_config *cfg)
{
    synth_sr_session *ss = g_try_new0(synth_sr_session, 1);
    if (ss == NULL) {
        synth_error_set(synth_error_of(s), SYNTH_E_NOMEM, "out of memory");
        return NULL;
    }
    ss->synth = s;
    ss->transport = tr;
    ss->base_path = g_strdup(cfg->base_path);
    ss->hub = g_strdup(cfg->hub);
    ss->token = random_token(s);
    ss->connection_id = random_guid(s);
    ss->cursor_prefix = g_strdup_printf("d-%08X-B", (unsigned)synth_random(s));
    ss->keepalive_timeout = cfg->keepalive_timeout;
    ss->disconnect_timeout = cfg->disconnect_timeout;
    ss->connection_timeout = cfg->connection_timeout;
    ss->frame_id = cfg->frame_id;
    ss->ws_options = cfg->ws;
    return ss;
}

void synth_sr_drop_transport(synth_sr_session *ss)
{
    synth_ws_free(ss->ws);
    synth_http_body_free(ss->stream);
    ss->ws = NULL;
    ss->stream = NULL;
    ss->recv = NULL;
}

void synth_sr_session_free(synth_sr_session *ss)
{
    if (ss == NULL)
        return;
    synth_sr_drop_transport(ss);
    g_free(ss->base_path);
    g_free(ss->hub);
    g_free(ss->token);
    g_free(ss->connection_id);
    g_free(ss->cursor_prefix);
    g_free(ss);
}

const char *synth_sr_session_token(const synth_sr_session *ss)
{
    return ss->token;
}

const char *synth_sr_session_connection_id(const synth_sr_session *ss)
{
    return ss->connection_id;
}

synth_sr_transport synth_sr_session_transport(const synth_sr_session *ss)
{
    return ss->transport;
}

synth_conn *synth_sr_session_receive_conn(synth_sr_session *ss)
{
    return ss->recv;
}

static char *cursor(const synth_sr_session *ss)
{
    return g_strdup_printf("%s,%u|C,0|D,1", ss->cursor_prefix, ss->message_count);
}

static void append_escaped(GString *q, const char *key, const char *value)
{
    char *e = g_uri_escape_string(value, NULL, FALSE);
    g_string_append_printf(q, "%s=%s", key, e);
    g_free(e);
}

/* "<base>/<action>?transport=..&clientProtocol=2.1&connectionToken=..&connectionData=.." */
static GString *action_url(const synth_sr_session *ss, const char *action)
{
    GString *u = g_string_new(NULL);
    g_string_append_printf(u, "%s/%s?transport=%s&clientProtocol=2.1&", ss->base_path, action,
                           synth_sr_transport_name(ss->transport));
    append_escaped(u, "connectionToken", ss->token);
    if (ss->hub != NULL) {
        char *data = g_strdup_printf("[{\"name\":\"%s\"}]", ss->hub);
        g_string_append_c(u, '&');
        append_escaped(u, "connectionData", data);
        g_free(data);
    }
    return u;
}

/* jQuery's cache buster: the request time in milliseconds. */
static void append_cache_buster(GString *u, synth_time t)
{
    g_string_append_printf(u, "&_=%llu", (unsigned long long)(t / SYNTH_NS_PER_MS));
}

static const char *const XHR_HEADERS[] = {"Accept: text/plain, */*; q=0.01",
                                          "X-Requested-With: XMLHttpRequest", NULL};
static const char *const FORM_HEADERS[] = {
    "Accept: text/plain, */*; q=0.01", "X-Requested-With: XMLHttpRequest",
    "Content-Type: application/x-www-form-urlencoded; charset=UTF-8", NULL};
static const char *const JSON_HEADERS[] = {JSON_TYPE, "X-Content-Type-Options: nosniff",
                                           "Cache-Control: no-cache", NULL};

static synth_status get_json(synth_conn *c, synth_time t, const char *url, const char *json)
{
    synth_status st = synth_http_request(c, t, "GET", url, XHR_HEADERS, NULL, 0);
    if (st == SYNTH_OK)
        st = synth_http_response(c, t + synth_conn_rtt(c) + SERVER_THINK_NS, 200, NULL,
                                 JSON_HEADERS, json, strlen(json), 0);
    return st;
}

synth_status synth_sr_negotiate(synth_sr_session *ss, synth_conn *ctl, synth_time t)
{
    GString *u = g_string_new(NULL);
    g_string_append_printf(u, "%s/negotiate?clientProtocol=2.1", ss->base_path);
    if (ss->hub != NULL) {
        char *data = g_strdup_printf("[{\"name\":\"%s\"}]", ss->hub);
        g_string_append_c(u, '&');
        append_escaped(u, "connectionData", data);
        g_free(data);
    }
    append_cache_buster(u, t);
    char *json = g_strdup_printf(
        "{\"Url\":\"%s\",\"ConnectionToken\":\"%s\",\"ConnectionId\":\"%s\","
        "\"KeepAliveTimeout\":%.1f,\"DisconnectTimeout\":%.1f,\"ConnectionTimeout\":%.1f,"
        "\"TryWebSockets\":true,\"ProtocolVersion\":\"2.0\",\"TransportConnectTimeout\":5.0,"
        "\"LongPollDelay\":0.0}",
        ss->base_path, ss->token, ss->connection_id, ss->keepalive_timeout, ss->disconnect_timeout,
        ss->connection_timeout);
    synth_status st = get_json(ctl, t, u->str, json);
    g_free(json);
    g_string_free(u, TRUE);
    return st;
}

static char *persistent_response(synth_sr_session *ss, const char *extra, const char *messages)
{
    char *c = cursor(ss);
    char *r = g_strdup_printf("{\"C\":\"%s\"%s,\"M\":[%s]}", c, extra, messages);
    g_free(c);
    return r;
}

/* The receive-stream framing of one persistent response (or a keepalive). */
static synth_status stream_write(synth_sr_session *ss, synth_time t, const char *json)
{
    synth_status st;
    char *framed;
    switch (ss->transport) {
    case SYNTH_SR_WEBSOCKETS:
        return synth_ws_send_text(ss->ws, SYNTH_S2C, t, json);
    case SYNTH_SR_SERVER_SENT_EVENTS:
        framed = g_strdup_printf("data: %s\r\n\r\n", json);
        break;
    case SYNTH_SR_FOREVER_FRAME:
        framed = g_strdup_printf("<script>r(c, %s);</script>\r\n", json);
        break;
    default:
        framed = g_strdup(json);
        break;
    }
    st = synth_http_body_append(ss->stream, t, framed, strlen(framed));
    g_free(framed);
    return st;
}

static char *forever_frame_prelude(unsigned frame_id)
{
    return g_strdup_printf(
        "<!DOCTYPE html><html><head><title>SignalR Forever Frame Transport Stream</title>\r\n"
        "<script>\r\n"
        "    var $ = window.parent.jQuery,\r\n"
        "        ff = $ ? $.signalR.transports.foreverFrame : null,\r\n"
        "        c =  ff ? ff.getConnection('%u') : null,\r\n"
        "        r = ff ? ff.receive : function() {};\r\n"
        "    ff ? ff.started(c) : '';</script></head><body>\r\n",
        frame_id);
}

static synth_status no_stream(synth_sr_session *ss)
{
    return synth_error_set(synth_error_of(ss->synth), SYNTH_E_STATE,
                           "no open receive stream on this session");
}

/* Opens the SSE/FF stream response and writes its preamble. */
static synth_status open_stream(synth_sr_session *ss, synth_conn *recv, synth_time t)
{
    bool sse = ss->transport == SYNTH_SR_SERVER_SENT_EVENTS;
    const char *const sse_headers[] = {"Content-Type: text/event-stream", "Cache-Control: no-cache",
                                       NULL};
    const char *const ff_headers[] = {"Content-Type: text/html; charset=UTF-8",
                                      "Cache-Control: no-cache", NULL};
    ss->stream = synth_http_response_begin(recv, t, 200, NULL, sse ? sse_headers : ff_headers, 0);
    if (ss->stream == NULL)
        return synth_error_of(ss->synth)->status;
    char *pre = sse ? g_strdup(SSE_INITIALIZED) : forever_frame_prelude(ss->frame_id);
    synth_status st = synth_http_body_append(ss->stream, t, pre, strlen(pre));
    g_free(pre);
    return st;
}

/* jQuery form encoding: percent-encoding with spaces as '+'. */
static char *form_encode(const char *value)
{
    char *e = g_uri_escape_string(value, " ", FALSE);
    for (char *p = e; *p; p++)
        if (*p == ' ')
            *p = '+';
    return e;
}

/* GET/POST of the receive request (connect, reconnect or poll) on recv. */
static synth_status receive_request(synth_sr_session *ss, synth_conn *recv, synth_time t,
                                    const char *action, bool with_message_id)
{
    GString *u = action_url(ss, action);
    char *c = cursor(ss);
    synth_status st;
    if (ss->transport == SYNTH_SR_LONG_POLLING) {
        char *enc = form_encode(c);
        char *body = with_message_id ? g_strdup_printf("messageId=%s", enc) : g_strdup("");
        st = synth_http_request(recv, t, "POST", u->str, FORM_HEADERS, body, strlen(body));
        g_free(enc);
        g_free(body);
    } else {
        if (with_message_id)
            append_escaped(g_string_append_c(u, '&'), "messageId", c);
        g_string_append_printf(u, "&tid=%u", (unsigned)(synth_random(ss->synth) % 11));
        if (ss->transport == SYNTH_SR_FOREVER_FRAME)
            g_string_append_printf(u, "&frameId=%u", ss->frame_id);
        const char *const sse_accept[] = {"Accept: text/event-stream", NULL};
        const char *const html_accept[] = {"Accept: text/html", NULL};
        st = synth_http_request(recv, t, "GET", u->str,
                                ss->transport == SYNTH_SR_SERVER_SENT_EVENTS ? sse_accept : html_accept,
                                NULL, 0);
    }
    g_free(c);
    g_string_free(u, TRUE);
    return st;
}

static synth_status open_receive(synth_sr_session *ss, synth_conn *recv, synth_time t, const char *action,
                                 bool reconnect)
{
    synth_sr_drop_transport(ss);
    ss->recv = recv;
    synth_time answer = t + synth_conn_rtt(recv) + SERVER_THINK_NS;
    if (ss->transport == SYNTH_SR_WEBSOCKETS) {
        GString *u = action_url(ss, action);
        if (reconnect) {
            char *c = cursor(ss);
            append_escaped(g_string_append_c(u, '&'), "messageId", c);
            g_free(c);
        }
        g_string_append_printf(u, "&tid=%u", (unsigned)(synth_random(ss->synth) % 11));
        ss->ws = synth_ws_upgrade(recv, t, u->str, NULL, &ss->ws_options);
        g_string_free(u, TRUE);
        return ss->ws ? SYNTH_OK : synth_error_of(ss->synth)->status;
    }
    synth_status st = receive_request(ss, recv, t, action, reconnect);
    if (st != SYNTH_OK)
        return st;
    if (ss->transport == SYNTH_SR_LONG_POLLING) {
        ss->stream = synth_http_response_begin(recv, answer, 200, NULL, JSON_HEADERS, 0);
        return ss->stream ? SYNTH_OK : synth_error_of(ss->synth)->status;
    }
    return open_stream(ss, recv, answer);
}

synth_status synth_sr_connect(synth_sr_session *ss, synth_conn *recv, synth_time t)
{
    synth_status st = open_receive(ss, recv, t, "connect", false);
    synth_time init_t = t + 2 * (synth_conn_rtt(recv) + SERVER_THINK_NS);
    if (st != SYNTH_OK)
        return st;
    char *init = persistent_response(ss, ",\"S\":1", "");
    st = stream_write(ss, init_t, init);
    g_free(init);
    if (st == SYNTH_OK && ss->transport == SYNTH_SR_LONG_POLLING) {
        st = synth_http_body_end(ss->stream, init_t);
        ss->stream = NULL;
    }
    return st;
}

static synth_status open_poll(synth_sr_session *ss, synth_time t)
{
    if (ss->recv == NULL)
        return no_stream(ss);
    synth_status st = receive_request(ss, ss->recv, t, "poll", true);
    if (st != SYNTH_OK)
        return st;
    ss->stream = synth_http_response_begin(ss->recv, t + synth_conn_rtt(ss->recv), 200, NULL,
                                           JSON_HEADERS, 0);
    return ss->stream ? SYNTH_OK : synth_error_of(ss->synth)->status;
}

synth_status synth_sr_start(synth_sr_session *ss, synth_conn *ctl, synth_time t)
{
    GString *u = action_url(ss, "start");
    append_cache_buster(u, t);
    synth_status st = get_json(ctl, t, u->str, "{ \"Response\": \"started\" }");
    g_string_free(u, TRUE);
    /* The JS client delays its first poll 250 ms after start() (browser spinner). */
    if (st == SYNTH_OK && ss->transport == SYNTH_SR_LONG_POLLING)
        st = open_poll(ss, t + 250 * SYNTH_NS_PER_MS);
    return st;
}

synth_status synth_sr_keepalive(synth_sr_session *ss, synth_time t)
{
    switch (ss->transport) {
    case SYNTH_SR_WEBSOCKETS:
        return ss->ws ? synth_ws_send_text(ss->ws, SYNTH_S2C, t, "{}") : no_stream(ss);
    case SYNTH_SR_SERVER_SENT_EVENTS:
        return ss->stream
                   ? synth_http_body_append(ss->stream, t, SSE_KEEPALIVE, strlen(SSE_KEEPALIVE))
                   : no_stream(ss);
    case SYNTH_SR_FOREVER_FRAME:
        return ss->stream
                   ? synth_http_body_append(ss->stream, t, FF_KEEPALIVE, strlen(FF_KEEPALIVE))
                   : no_stream(ss);
    default:
        return ss->stream ? synth_http_body_append(ss->stream, t, LP_KEEPALIVE, 1) : no_stream(ss);
    }
}

/* Long polling: the held poll returns json, the client polls again right away. */
static synth_status complete_poll(synth_sr_session *ss, synth_time t, const char *json)
{
    synth_status st = synth_http_body_append(ss->stream, t, json, strlen(json));
    if (st == SYNTH_OK)
        st = synth_http_body_end(ss->stream, t);
    else
        synth_http_body_free(ss->stream);
    ss->stream = NULL;
    if (st == SYNTH_OK)
        st = open_poll(ss, t + synth_conn_rtt(ss->recv) + SERVER_THINK_NS);
    return st;
}

synth_status synth_sr_server_message(synth_sr_session *ss, synth_time t, const char *json)
{
    if (ss->ws == NULL && ss->stream == NULL)
        return no_stream(ss);
    ss->message_count++;
    char *pr = persistent_response(ss, "", json);
    synth_status st =
        ss->transport == SYNTH_SR_LONG_POLLING ? complete_poll(ss, t, pr) : stream_write(ss, t, pr);
    g_free(pr);
    return st;
}

synth_status synth_sr_poll_timeout(synth_sr_session *ss, synth_time t)
{
    if (ss->transport != SYNTH_SR_LONG_POLLING || ss->stream == NULL)
        return no_stream(ss);
    char *pr = persistent_response(ss, "", "");
    synth_status st = complete_poll(ss, t, pr);
    g_free(pr);
    return st;
}

synth_status synth_sr_hub_invoke(synth_sr_session *ss, synth_conn *ctl, synth_time t, const char *method,
                           const char *args_json)
{
    unsigned id = ss->invocation_id++;
    char *inv = g_strdup_printf("{\"H\":\"%s\",\"M\":\"%s\",\"A\":%s,\"I\":%u}",
                                ss->hub ? ss->hub : "", method, args_json, id);
    char *result = g_strdup_printf("{\"I\":\"%u\"}", id);
    synth_status st;
    if (ss->transport == SYNTH_SR_WEBSOCKETS) {
        st = ss->ws ? synth_ws_send_text(ss->ws, SYNTH_C2S, t, inv) : no_stream(ss);
        if (st == SYNTH_OK)
            st = synth_ws_send_text(ss->ws, SYNTH_S2C,
                                    t + synth_conn_rtt(ss->recv) + SERVER_THINK_NS, result);
    } else {
        GString *u = action_url(ss, "send");
        char *enc = form_encode(inv);
        char *body = g_strdup_printf("data=%s", enc);
        st = synth_http_request(ctl, t, "POST", u->str, FORM_HEADERS, body, strlen(body));
        if (st == SYNTH_OK)
            st = synth_http_response(ctl, t + synth_conn_rtt(ctl) + SERVER_THINK_NS, 200, NULL,
                                     JSON_HEADERS, result, strlen(result), 0);
        g_free(body);
        g_free(enc);
        g_string_free(u, TRUE);
    }
    g_free(result);
    g_free(inv);
    return st;
}

synth_status synth_sr_ping(synth_sr_session *ss, synth_conn *ctl, synth_time t)
{
    GString *u = g_string_new(NULL);
    g_string_append_printf(u, "%s/ping?", ss->base_path);
    g_string_append_printf(u, "_=%llu", (unsigned long long)(t / SYNTH_NS_PER_MS));
    synth_status st = get_json(ctl, t, u->str, "{ \"Response\": \"pong\" }");
    g_string_free(u, TRUE);
    return st;
}

synth_status synth_sr_reconnect(synth_sr_session *ss, synth_conn *recv, synth_time t)
{
    return open_receive(ss, recv, t, "reconnect", true);
}

/* Server side of an abort on the receive stream. */
static synth_status end_receive(synth_sr_session *ss, synth_time t)
{
    synth_status st = SYNTH_OK;
    if (ss->transport == SYNTH_SR_LONG_POLLING && ss->stream != NULL) {
        char *pr = persistent_response(ss, "", "");
        st = synth_http_body_append(ss->stream, t, pr, strlen(pr));
        g_free(pr);
    }
    if (ss->stream != NULL) {
        synth_status end = synth_http_body_end(ss->stream, t);
        ss->stream = NULL;
        if (st == SYNTH_OK)
            st = end;
    }
    return st;
}

synth_status synth_sr_abort(synth_sr_session *ss, synth_conn *ctl, synth_time t)
{
    synth_status st = SYNTH_OK;
    synth_time abort_t = t;
    if (ss->transport == SYNTH_SR_WEBSOCKETS && ss->ws != NULL) {
        synth_time rtt = synth_conn_rtt(ss->recv);
        st = synth_ws_close(ss->ws, SYNTH_C2S, t, 0, NULL);
        if (st == SYNTH_OK)
            st = synth_ws_close(ss->ws, SYNTH_S2C, t + rtt, 1000, NULL);
        if (st == SYNTH_OK)
            st = synth_tcp_close(ss->recv, SYNTH_S2C, t + 2 * rtt);
        abort_t = t + 3 * rtt;
    }
    GString *u = action_url(ss, "abort");
    const char *const text_plain[] = {"Content-Type: text/plain", NULL};
    if (st == SYNTH_OK)
        st = synth_http_request(ctl, abort_t, "POST", u->str, NULL, NULL, 0);
    synth_time answer = abort_t + synth_conn_rtt(ctl) + SERVER_THINK_NS;
    if (st == SYNTH_OK)
        st = end_receive(ss, answer);
    if (st == SYNTH_OK)
        st = synth_http_response(ctl, answer, 200, NULL, text_plain, NULL, 0, 0);
    g_string_free(u, TRUE);
    synth_sr_drop_transport(ss);
    return st;
}

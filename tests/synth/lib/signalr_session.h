/* One logical SignalR classic (2.x server, JS 2.4 client) connection as seen on the wire:
 * negotiate, connect on one of the four transports, start, server keepalives, server messages,
 * hub invocations and results, ping, reconnect and abort. Requests that are not part of the
 * receive stream (negotiate, start, send, abort, ping) travel on a "control" TCP connection;
 * the receive stream travels on a "receive" connection. Both are owned by the caller; the
 * session owns only its WebSocket/stream state (synth_sr_session_free). */
#ifndef LIFELINE_SYNTH_SIGNALR_SESSION_H
#define LIFELINE_SYNTH_SIGNALR_SESSION_H

#include "http_msg.h"
#include "ws_session.h"

typedef enum {
    SYNTH_SR_WEBSOCKETS,
    SYNTH_SR_SERVER_SENT_EVENTS,
    SYNTH_SR_FOREVER_FRAME,
    SYNTH_SR_LONG_POLLING,
} synth_sr_transport;

typedef struct {
    const char *base_path;    /* "/signalr" */
    const char *hub;          /* as the JS client writes it (lower case), NULL: no connectionData */
    double keepalive_timeout; /* seconds, as advertised (2 x keepalive period) */
    double disconnect_timeout;
    double connection_timeout;
    unsigned frame_id; /* forever frame iframe counter */
    synth_ws_options ws;
} synth_sr_config;

typedef struct synth_sr_session synth_sr_session;

void synth_sr_default_config(synth_sr_config *cfg);
const char *synth_sr_transport_name(synth_sr_transport tr);
bool synth_sr_transport_parse(const char *name, synth_sr_transport *out);

/* Draws a fresh ConnectionToken, ConnectionId and cursor prefix from the synth_t. */
synth_sr_session *synth_sr_session_new(synth_t *s, synth_sr_transport tr, const synth_sr_config *cfg);
void synth_sr_session_free(synth_sr_session *ss);

const char *synth_sr_session_token(const synth_sr_session *ss);
const char *synth_sr_session_connection_id(const synth_sr_session *ss);
synth_sr_transport synth_sr_session_transport(const synth_sr_session *ss);

synth_status synth_sr_negotiate(synth_sr_session *ss, synth_conn *ctl, synth_time t);
/* Receive request and its preamble plus the init message {"C":..,"S":1,"M":[]}. */
synth_status synth_sr_connect(synth_sr_session *ss, synth_conn *recv, synth_time t);
/* /start and its response; on long polling this also opens the first /poll. */
synth_status synth_sr_start(synth_sr_session *ss, synth_conn *ctl, synth_time t);
synth_status synth_sr_keepalive(synth_sr_session *ss, synth_time t);
/* A server->client message (any JSON value) wrapped in a persistent response. On long
 * polling the poll completes and the client polls again at once. */
synth_status synth_sr_server_message(synth_sr_session *ss, synth_time t, const char *json);
/* Client hub invocation {"H","M","A","I"} and the server's result {"I":"n"}. */
synth_status synth_sr_hub_invoke(synth_sr_session *ss, synth_conn *ctl, synth_time t, const char *method,
                           const char *args_json);
/* Long polling: the held poll times out empty (ConnectionTimeout) and a new poll starts. */
synth_status synth_sr_poll_timeout(synth_sr_session *ss, synth_time t);
synth_status synth_sr_ping(synth_sr_session *ss, synth_conn *ctl, synth_time t);
/* A new receive request with messageId on a fresh receive connection; no init message. */
synth_status synth_sr_reconnect(synth_sr_session *ss, synth_conn *recv, synth_time t);
/* The client stops: WS close frame (no code) + server Close 1000, then POST /abort; the
 * server ends SSE/FF streams and the held long poll. */
synth_status synth_sr_abort(synth_sr_session *ss, synth_conn *ctl, synth_time t);
/* Forget the receive stream without a byte on the wire (the path died). */
void synth_sr_drop_transport(synth_sr_session *ss);
/* The receive connection currently in use, or NULL. */
synth_conn *synth_sr_session_receive_conn(synth_sr_session *ss);

#endif

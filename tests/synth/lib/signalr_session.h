/* One logical SignalR classic (2.x server, JS 2.4 client) connection as seen on the wire:
 * negotiate, connect on one of the four transports, start, server keepalives, server messages,
 * hub invocations and results, ping, reconnect and abort. Requests that are not part of the
 * receive stream (negotiate, start, send, abort, ping) travel on a "control" TCP connection;
 * the receive stream travels on a "receive" connection. Both are owned by the caller; the
 * session owns only its WebSocket/stream state (sr_session_free). */
#ifndef LIFELINE_SYNTH_SIGNALR_SESSION_H
#define LIFELINE_SYNTH_SIGNALR_SESSION_H

#include "http_msg.h"
#include "ws_session.h"

typedef enum {
    SR_WEBSOCKETS,
    SR_SERVER_SENT_EVENTS,
    SR_FOREVER_FRAME,
    SR_LONG_POLLING,
} sr_transport;

typedef struct {
    const char *base_path; /* "/signalr" */
    const char *hub;       /* as the JS client writes it (lower case), NULL: no connectionData */
    double keepalive_timeout;  /* seconds, as advertised (2 x keepalive period) */
    double disconnect_timeout;
    double connection_timeout;
    unsigned frame_id; /* forever frame iframe counter */
    synth_ws_options ws;
} sr_config;

typedef struct sr_session sr_session;

void sr_default_config(sr_config *cfg);
const char *sr_transport_name(sr_transport tr);
bool sr_transport_parse(const char *name, sr_transport *out);

/* Draws a fresh ConnectionToken, ConnectionId and cursor prefix from the synth_t. */
sr_session *sr_session_new(synth_t *s, sr_transport tr, const sr_config *cfg);
void sr_session_free(sr_session *ss);

const char *sr_session_token(const sr_session *ss);
const char *sr_session_connection_id(const sr_session *ss);
sr_transport sr_session_transport(const sr_session *ss);

synth_status sr_negotiate(sr_session *ss, synth_conn *ctl, synth_time t);
/* Receive request and its preamble plus the init message {"C":..,"S":1,"M":[]}. */
synth_status sr_connect(sr_session *ss, synth_conn *recv, synth_time t);
/* /start and its response; on long polling this also opens the first /poll. */
synth_status sr_start(sr_session *ss, synth_conn *ctl, synth_time t);
synth_status sr_keepalive(sr_session *ss, synth_time t);
/* A server->client message (any JSON value) wrapped in a persistent response. On long
 * polling the poll completes and the client polls again at once. */
synth_status sr_server_message(sr_session *ss, synth_time t, const char *json);
/* Client hub invocation {"H","M","A","I"} and the server's result {"I":"n"}. */
synth_status sr_hub_invoke(sr_session *ss, synth_conn *ctl, synth_time t, const char *method,
                           const char *args_json);
/* Long polling: the held poll times out empty (ConnectionTimeout) and a new poll starts. */
synth_status sr_poll_timeout(sr_session *ss, synth_time t);
synth_status sr_ping(sr_session *ss, synth_conn *ctl, synth_time t);
/* A new receive request with messageId on a fresh receive connection; no init message. */
synth_status sr_reconnect(sr_session *ss, synth_conn *recv, synth_time t);
/* The client stops: WS close frame (no code) + server Close 1000, then POST /abort; the
 * server ends SSE/FF streams and the held long poll. */
synth_status sr_abort(sr_session *ss, synth_conn *ctl, synth_time t);
/* Forget the receive stream without a byte on the wire (the path died). */
void sr_drop_transport(sr_session *ss);
/* The receive connection currently in use, or NULL. */
synth_conn *sr_session_receive_conn(sr_session *ss);

#endif

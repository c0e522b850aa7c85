/* scenario.h - builds lifecycle event sequences for tests so that each test reads like the
 * story it checks: sc_negotiate(&s, 0.0, 20, 30); sc_connect(&s, 0.1, WS); sc_keepalives(...).
 *
 * Times are seconds from a fixed capture start. Each receive request opens a new TCP stream;
 * other requests use the connection's "pooled" stream. The scenario owns its engine
 * (sc_free() frees it). Strings passed in must outlive the call only.
 */
#ifndef LIFELINE_TEST_SCENARIO_H
#define LIFELINE_TEST_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "lifecycle/lifecycle.h"

#define SC_WS SR_TRANSPORT_WEBSOCKETS
#define SC_SSE SR_TRANSPORT_SERVER_SENT_EVENTS
#define SC_FF SR_TRANSPORT_FOREVER_FRAME
#define SC_LP SR_TRANSPORT_LONG_POLLING

/* 2023-11-14T22:13:20Z: any fixed epoch works, this one is round. */
#define SC_EPOCH_NS 1700000000000000000LL

typedef struct scenario {
    lf_lifecycle *engine;
    const char *token;
    sr_transport transport;
    uint64_t rx_stream;     /* stream of the latest receive request */
    uint64_t pooled_stream; /* stream for negotiate/start/send/abort */
    uint64_t next_stream;
    uint64_t frame;
    uint8_t client_host; /* last byte of 10.0.0.x */
    uint8_t server_host; /* last byte of 10.0.1.x */
    const char *cursor_prefix;
    unsigned cursor;
    const char *hub_names[2];
    const char *stale_token; /* sent by the next negotiate request, then forgotten */
} scenario;

void sc_init(scenario *s, const lf_lifecycle_options *opts);
void sc_free(scenario *s);

/* cmocka fixtures: a scenario with default options in *state (one at a time), freed after. */
int sc_fixture_setup(void **state);
int sc_fixture_teardown(void **state);

/* Switch the connection the next calls talk about. */
void sc_token(scenario *s, const char *token);

/* Negotiate request and response with KeepAliveTimeout/DisconnectTimeout (kat < 0: null). */
void sc_negotiate(scenario *s, double t, double kat, double dt);
/* Receive requests: request + transport opened (LP: poll accepted) on a new stream. */
void sc_connect(scenario *s, double t, sr_transport transport);
void sc_reconnect(scenario *s, double t);
void sc_poll(scenario *s, double t);
/* A reconnect attempt sent while the path is down: no answer ever comes. */
void sc_reconnect_unanswered(scenario *s, double t);
/* Receive request answered with an error status instead of opening. */
void sc_reconnect_rejected(scenario *s, double t, int status, const char *text);
void sc_init_message(scenario *s, double t);
void sc_start(scenario *s, double t);
void sc_message(scenario *s, double t);
void sc_disconnect_command(scenario *s, double t);
void sc_keepalive(scenario *s, double t);
/* Keepalives at from, from+every, ... while <= to. */
void sc_keepalives(scenario *s, double from, double to, double every);
void sc_invoke(scenario *s, double t, const char *id);
void sc_result(scenario *s, double t, const char *id);
void sc_close(scenario *s, double t, lf_sr_close_how how, lf_sr_party by);
/* A /ping on the pooled stream, answered. */
void sc_ping(scenario *s, double t);
void sc_abort(scenario *s, double t);
void sc_restart_server(scenario *s, const char *new_prefix);
void sc_finish(scenario *s, double t);

/* A connected WebSocket connection: negotiate at t, connect +0.1, init +0.15, start +0.2. */
void sc_connected_ws(scenario *s, double t, double kat, double dt);

/* Results. */
const lf_connection *sc_conn(const scenario *s, const char *token);
int sc_count(const lf_connection *c, sr_finding_type type);
const lf_finding *sc_find(const lf_connection *c, sr_finding_type type);
double sc_rel(lf_time_ns t); /* seconds since the scenario start */

/* Feed one hand-made event (endpoints, frame numbers and token filled in). */
void sc_feed(scenario *s, lf_signalr_event *ev, double t, uint64_t stream);

#endif

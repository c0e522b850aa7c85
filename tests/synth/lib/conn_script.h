/* The timed life of one SignalR connection as a scheduler generator: open, negotiate, connect,
 * start, then server keepalives on the heartbeat grid, hub invocations, server messages, pings,
 * outages (server->client silence, optionally followed by a client reconnect on a new TCP
 * connection), TCP anomalies, and an ending (abort, reset, or none).
 * conn_script_new copies the config; the generator owns its TCP connections and session and
 * frees them in its destroy hook. */
#ifndef LIFELINE_SYNTH_CONN_SCRIPT_H
#define LIFELINE_SYNTH_CONN_SCRIPT_H

#include "scheduler.h"
#include "signalr_session.h"

/* Enough for hand-written scenarios; bigger lists belong in separate connections. */
#define SCRIPT_MAX_OUTAGES 16
#define SCRIPT_MAX_ANOMALIES 16

/* Client port stride between repeated connections: control port, receive port, reconnects. */
#define SCRIPT_PORT_STRIDE 16

typedef struct {
    double at;       /* seconds after the connection start */
    double duration; /* seconds */
    bool reconnect;  /* the client notices (keepalive timeout) and reconnects */
} script_outage;

typedef struct {
    double at;
    synth_dir dir;
    synth_anomaly kind;
} script_anomaly;

typedef enum { SCRIPT_END_ABORT, SCRIPT_END_RESET, SCRIPT_END_NONE } script_end;

typedef struct {
    synth_endpoint client; /* control connection port; receive uses port+1, reconnects +2.. */
    synth_endpoint server;
    synth_sr_transport transport;
    synth_time start;
    double duration;             /* seconds until the ending */
    double keepalive;            /* server keepalive period in seconds (advertised timeout = 2x) */
    synth_time heartbeat_origin; /* any tick of the server's global keepalive grid */
    double hub_every;            /* seconds between client hub invocations; 0: none */
    double message_every;        /* seconds between server->client hub messages; 0: none */
    double ping_every;           /* seconds between client pings; 0: none */
    synth_tcp_options tcp;
    synth_sr_config signalr;
    script_outage outages[SCRIPT_MAX_OUTAGES];
    size_t outage_count;
    script_anomaly anomalies[SCRIPT_MAX_ANOMALIES];
    size_t anomaly_count;
    script_end end;
} conn_script_config;

/* Defaults: WebSockets, 10 s keepalive, 60 s duration, abort at the end, no extra traffic. */
void conn_script_default(conn_script_config *cfg);

synth_generator *conn_script_new(const conn_script_config *cfg, synth_error *err);

#endif

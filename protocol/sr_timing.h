/* sr_timing: lifecycle thresholds shared by the analyzer and the dissector, derived from the
 * negotiate response (or assumed settings) the way the server and the JS/.NET clients derive
 * them. All times are int64_t MILLISECONDS. Plain value structs: nothing to free.
 */
#ifndef LIFELINE_PROTOCOL_SR_TIMING_H
#define LIFELINE_PROTOCOL_SR_TIMING_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/sr_negotiate.h"
#include "protocol/sr_request.h"

/* Server defaults advertised by negotiate (sec. 4, DefaultConfigurationManager.cs). */
#define SR_DEFAULT_KEEP_ALIVE_TIMEOUT_MS 20000
#define SR_DEFAULT_DISCONNECT_TIMEOUT_MS 30000
#define SR_DEFAULT_CONNECTION_TIMEOUT_MS 110000
#define SR_DEFAULT_TRANSPORT_CONNECT_TIMEOUT_MS 5000
#define SR_DEFAULT_LONG_POLL_DELAY_MS 0

/* The settings a connection runs with. */
typedef struct {
    bool keepalive_disabled;         /* KeepAliveTimeout (or KeepAlive) was null */
    int64_t keep_alive_timeout_ms;   /* KAT; 0 when disabled */
    int64_t disconnect_timeout_ms;   /* DT */
    int64_t connection_timeout_ms;   /* CT */
    int64_t transport_connect_timeout_ms;
    int64_t long_poll_delay_ms;
    unsigned from_negotiate; /* SR_NEG_* bits of the values read from a negotiate response */
} sr_timing_settings;

/* Fills the server defaults (20 s / 30 s / 110 s / 5 s / 0). */
void sr_timing_defaults(sr_timing_settings *out);

/* Takes every value the negotiate response carries and defaults the rest. A pre-release
 * "KeepAlive" is the keepalive period, so KAT = 2 x KeepAlive. With DisconnectTimeout but no
 * keepalive field at all, KAT = 2/3 x DT (setting DT sets KeepAlive = DT/3, sec. 4). */
void sr_timing_from_negotiate(const sr_negotiate *neg, sr_timing_settings *out);

/* Thresholds for one transport of a connection. */
typedef struct {
    /* Server side (sec. 9.1) */
    int64_t server_keepalive_period_ms;    /* KA = KAT/2; 0 when keepalive is disabled */
    int64_t server_heartbeat_interval_ms;  /* KA/2; DT/6 when keepalive is disabled */
    int64_t server_disconnect_threshold_ms; /* 5 s WS/SSE/FF, LongPollDelay for LP */
    int64_t server_disconnect_min_ms;  /* OnDisconnected fires this long after the server */
    int64_t server_disconnect_max_ms;  /* noticed the transport died, at the earliest / latest */
    int64_t server_transport_timeout_ms; /* CT when the transport is ended after CT (LP, or all
                                            transports with keepalive off); 0 = never */
    /* Client side (sec. 10.1, JS 2.4.x; .NET differs only in the LP reconnect delay) */
    bool keepalive_monitored;          /* the client watches keepalives on this transport */
    int64_t client_warning_ms;         /* connectionSlow: 2/3 x KAT */
    int64_t client_timeout_ms;         /* transport considered lost: KAT */
    int64_t client_beat_interval_ms;   /* (KAT - warning)/3; 5 s when keepalive is disabled */
    int64_t client_reconnect_delay_ms; /* 2 s; 3 s for long polling */
    int64_t client_reconnect_window_ms; /* DT + KAT (DT alone when keepalive is disabled) */
    int64_t client_give_up_ms;         /* time in reconnecting before stop(): DT */
    int64_t client_transport_connect_timeout_ms; /* init message deadline */
    int64_t client_poll_timeout_ms;    /* long-poll XHR timeout: CT + 10 s */
    int64_t client_ping_interval_ms;   /* GET /ping period: 300 s */
} sr_timing;

/* Derives every threshold from settings for one transport (NONE/UNRECOGNIZED are treated as a
 * streaming transport). Integer division rounds the 2/3 and 1/3 fractions down (< 1 ms). */
void sr_timing_derive(const sr_timing_settings *settings, sr_transport transport, sr_timing *out);

#endif

/* Lifecycle thresholds; each number names the wire-reference section it comes from. */
#include "protocol/sr_timing.h"

#include <string.h>

/* sec. 10.1: reconnectDelay, and the long-polling transport's own 3 s delay. */
#define SR_CLIENT_RECONNECT_DELAY_MS 2000
#define SR_CLIENT_LP_RECONNECT_DELAY_MS 3000
/* sec. 10.1: LP XHR timeout is ConnectionTimeout plus 10 s. */
#define SR_CLIENT_POLL_TIMEOUT_SLACK_MS 10000
/* sec. 10.1: pingInterval start option default. */
#define SR_CLIENT_PING_INTERVAL_MS 300000
/* sec. 10.1 / 10.2: beat used when keepalive is disabled. */
#define SR_CLIENT_BEAT_WITHOUT_KEEPALIVE_MS 5000
/* sec. 9.1: TransportDisconnectBase.DisconnectThreshold for WS/SSE/FF. */
#define SR_SERVER_STREAM_DISCONNECT_THRESHOLD_MS 5000

void sr_timing_defaults(sr_timing_settings *out)
{
    memset(out, 0, sizeof(*out));
    out->keep_alive_timeout_ms = SR_DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
    out->disconnect_timeout_ms = SR_DEFAULT_DISCONNECT_TIMEOUT_MS;
    out->connection_timeout_ms = SR_DEFAULT_CONNECTION_TIMEOUT_MS;
    out->transport_connect_timeout_ms = SR_DEFAULT_TRANSPORT_CONNECT_TIMEOUT_MS;
    out->long_poll_delay_ms = SR_DEFAULT_LONG_POLL_DELAY_MS;
}

static void take(const sr_duration *d, unsigned bit, int64_t *field, unsigned *from)
{
    if (d->present && !d->is_null) {
        *field = d->ms;
        *from |= bit;
    }
}

static void take_keepalive(const sr_negotiate *neg, sr_timing_settings *out)
{
    const sr_duration *kat = &neg->keep_alive_timeout, *legacy = &neg->keep_alive;
    if (kat->present) {
        out->from_negotiate |= SR_NEG_KEEP_ALIVE_TIMEOUT;
        out->keepalive_disabled = kat->is_null;
        out->keep_alive_timeout_ms = kat->is_null ? 0 : kat->ms;
    } else if (legacy->present) {
        /* sec. 1/4: 1.0/1.1 advertise the period; the client timeout is twice that. */
        out->from_negotiate |= SR_NEG_KEEP_ALIVE;
        out->keepalive_disabled = legacy->is_null;
        out->keep_alive_timeout_ms = legacy->is_null ? 0 : 2 * legacy->ms;
    } else if (out->from_negotiate & SR_NEG_DISCONNECT_TIMEOUT) {
        /* sec. 4: setting DisconnectTimeout sets KeepAlive = DT/3, so KAT = 2/3 DT. */
        out->keep_alive_timeout_ms = out->disconnect_timeout_ms * 2 / 3;
    }
}

void sr_timing_from_negotiate(const sr_negotiate *neg, sr_timing_settings *out)
{
    sr_timing_defaults(out);
    take(&neg->disconnect_timeout, SR_NEG_DISCONNECT_TIMEOUT, &out->disconnect_timeout_ms,
         &out->from_negotiate);
    take(&neg->connection_timeout, SR_NEG_CONNECTION_TIMEOUT, &out->connection_timeout_ms,
         &out->from_negotiate);
    take(&neg->transport_connect_timeout, SR_NEG_TRANSPORT_CONNECT_TIMEOUT,
         &out->transport_connect_timeout_ms, &out->from_negotiate);
    take(&neg->long_poll_delay, SR_NEG_LONG_POLL_DELAY, &out->long_poll_delay_ms,
         &out->from_negotiate);
    take_keepalive(neg, out);
}

static void derive_server(const sr_timing_settings *s, bool long_polling, sr_timing *t)
{
    /* sec. 4: KeepAliveTimeout = 2 x KeepAlive. sec. 9.1: heartbeat every KeepAlive/2, or
     * DisconnectTimeout/6 without keepalive. */
    t->server_keepalive_period_ms = s->keepalive_disabled ? 0 : s->keep_alive_timeout_ms / 2;
    t->server_heartbeat_interval_ms = s->keepalive_disabled ? s->disconnect_timeout_ms / 6
                                                            : s->keep_alive_timeout_ms / 4;
    /* sec. 9.1: DisconnectThreshold, and the 30-40 s (WS/SSE/FF) / 30-35 s (LP) window: a
     * streaming transport's LastMarked can be one tick stale, a poll's is fresh. */
    t->server_disconnect_threshold_ms =
        long_polling ? s->long_poll_delay_ms : SR_SERVER_STREAM_DISCONNECT_THRESHOLD_MS;
    int64_t base = s->disconnect_timeout_ms + t->server_disconnect_threshold_ms;
    t->server_disconnect_min_ms = long_polling ? base : base - t->server_heartbeat_interval_ms;
    t->server_disconnect_max_ms = base + t->server_heartbeat_interval_ms;
    /* sec. 9.1: LP, or any transport with keepalive off, "requires timeout". */
    t->server_transport_timeout_ms =
        long_polling || s->keepalive_disabled ? s->connection_timeout_ms : 0;
}

static void derive_client(const sr_timing_settings *s, bool long_polling, sr_timing *t)
{
    /* sec. 10.1 table; keepalive monitoring only on WS/SSE/FF with keepalive on. */
    t->keepalive_monitored = !long_polling && !s->keepalive_disabled;
    t->client_timeout_ms = s->keepalive_disabled ? 0 : s->keep_alive_timeout_ms;
    t->client_warning_ms = t->client_timeout_ms * 2 / 3;
    t->client_beat_interval_ms = s->keepalive_disabled
                                     ? SR_CLIENT_BEAT_WITHOUT_KEEPALIVE_MS
                                     : (t->client_timeout_ms - t->client_warning_ms) / 3;
    t->client_reconnect_delay_ms =
        long_polling ? SR_CLIENT_LP_RECONNECT_DELAY_MS : SR_CLIENT_RECONNECT_DELAY_MS;
    t->client_reconnect_window_ms = s->disconnect_timeout_ms + t->client_timeout_ms;
    t->client_give_up_ms = s->disconnect_timeout_ms;
    t->client_transport_connect_timeout_ms = s->transport_connect_timeout_ms;
    t->client_poll_timeout_ms = s->connection_timeout_ms + SR_CLIENT_POLL_TIMEOUT_SLACK_MS;
    t->client_ping_interval_ms = SR_CLIENT_PING_INTERVAL_MS;
}

void sr_timing_derive(const sr_timing_settings *settings, sr_transport transport, sr_timing *out)
{
    memset(out, 0, sizeof(*out));
    bool long_polling = transport == SR_TRANSPORT_LONG_POLLING;
    derive_server(settings, long_polling, out);
    derive_client(settings, long_polling, out);
}

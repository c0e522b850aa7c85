/* Thresholds of one connection, from protocol/sr_timing.h. */
#include "lifecycle/thresholds.h"

static double sec(int64_t ms)
{
    return (double)ms / 1000.0;
}

void lf_thresholds_derive(const sr_timing_settings *settings, lf_thresholds *out)
{
    sr_timing ws, lp;
    sr_timing_derive(settings, SR_TRANSPORT_WEBSOCKETS, &ws);
    sr_timing_derive(settings, SR_TRANSPORT_LONG_POLLING, &lp);
    out->keepalive_monitored = ws.keepalive_monitored;
    out->keepalive_timeout = sec(ws.client_timeout_ms);
    out->keepalive_warning = sec(ws.client_warning_ms);
    out->reconnect_delay = sec(ws.client_reconnect_delay_ms);
    out->disconnect_timeout = sec(settings->disconnect_timeout_ms);
    out->expiry_min_streaming = sec(ws.server_disconnect_min_ms);
    out->expiry_max_streaming = sec(ws.server_disconnect_max_ms);
    out->expiry_min_long_polling = sec(lp.server_disconnect_min_ms);
    out->expiry_max_long_polling = sec(lp.server_disconnect_max_ms);
    out->connection_timeout = sec(lp.server_transport_timeout_ms);
    out->poll_limit = sec(lp.server_transport_timeout_ms + lp.server_heartbeat_interval_ms);
    out->transport_connect_timeout = sec(ws.client_transport_connect_timeout_ms);
}

void lf_settings_from_timing(const sr_timing_settings *t, lf_settings_source source,
                             lf_settings *out)
{
    out->keepalive_timeout = sec(t->keep_alive_timeout_ms);
    out->keepalive_disabled = t->keepalive_disabled;
    out->disconnect_timeout = sec(t->disconnect_timeout_ms);
    out->connection_timeout = sec(t->connection_timeout_ms);
    out->transport_connect_timeout = sec(t->transport_connect_timeout_ms);
    out->long_poll_delay = sec(t->long_poll_delay_ms);
    out->source = source;
}

/* thresholds.h - the limits one connection is judged by, derived from its settings.
 *
 * Every number comes from protocol/sr_timing.h applied to the connection's own settings (its
 * negotiate, or the assumed ones); this module only gathers the ones the engine uses, in
 * seconds, in one value. Plain values: nothing to free.
 */
#ifndef LIFELINE_LIFECYCLE_THRESHOLDS_H
#define LIFELINE_LIFECYCLE_THRESHOLDS_H

#include <stdbool.h>

#include "lifecycle/connection.h"
#include "protocol/sr_timing.h"

typedef struct lf_thresholds {
    bool keepalive_monitored;  /* WS/SSE/FF clients watch keepalives (KeepAliveTimeout set) */
    double keepalive_timeout;  /* silence after which the client starts reconnecting */
    double keepalive_warning;  /* silence after which the client raises connectionSlow */
    double reconnect_delay;    /* WS/SSE/FF: from noticing a transport's end to reconnecting */
    double disconnect_timeout; /* as negotiated */
    /* After a transport loss the server ends the connection between min and max (heartbeat
     * granularity); a reconnect after max certainly came too late. Per transport family. */
    double expiry_min_streaming, expiry_max_streaming;
    double expiry_min_long_polling, expiry_max_long_polling;
    double connection_timeout; /* the server answers a long poll after this at the latest... */
    double poll_limit;         /* ...give or take one heartbeat: held longer, it is overdue */
    double transport_connect_timeout;
} lf_thresholds;

void lf_thresholds_derive(const sr_timing_settings *settings, lf_thresholds *out);

/* The settings in seconds, as the reports print them. */
void lf_settings_from_timing(const sr_timing_settings *t, lf_settings_source source,
                             lf_settings *out);

#endif

/* Lifecycle rules over the frames of one SignalR connection (see signalr_lifecycle.h). */
#include "signalr_lifecycle.h"

#include <string.h>

static double ms_to_s(gint64 ms)
{
    return (double)ms / 1000.0;
}

static gint64 nstime_ms(const nstime_t *t)
{
    return (gint64)t->secs * 1000 + t->nsecs / 1000000;
}

static gint64 elapsed_ms(const nstime_t *from, const nstime_t *to)
{
    nstime_t d;
    nstime_delta(&d, to, from);
    return nstime_ms(&d);
}

static void add(signalr_findings *out, sr_finding_type type, const sr_finding_values *v)
{
    if (out->count >= SIGNALR_MAX_FINDINGS_PER_FRAME) {
        return;
    }
    char text[256];
    sr_finding_format(text, sizeof text, type, v);
    out->type[out->count] = type;
    out->text[out->count] = wmem_strdup(out->scope, text);
    out->count++;
}

void signalr_findings_append(signalr_findings *dst, const signalr_findings *src)
{
    for (int i = 0; i < src->count && dst->count < SIGNALR_MAX_FINDINGS_PER_FRAME; i++) {
        dst->type[dst->count] = src->type[i];
        dst->text[dst->count] = src->text[i];
        dst->count++;
    }
}

static sr_timing thresholds(const sr_timing_settings *settings, sr_transport transport)
{
    sr_timing t;
    sr_timing_derive(settings, transport, &t);
    return t;
}

/* The window after a transport loss in which the server fires OnDisconnected (heartbeat
 * granularity): from `min` on it may have, after `max` it certainly has. */
static void expiry_window(const signalr_lifecycle *life, const sr_timing_settings *settings,
                          gint64 *min, gint64 *max)
{
    sr_timing t = thresholds(settings, life->lost_transport);
    *min = t.server_disconnect_min_ms;
    *max = t.server_disconnect_max_ms;
}

static void check_fallback(signalr_lifecycle *life, sr_transport transport, signalr_findings *out)
{
    if (life->first_transport == SR_TRANSPORT_NONE) {
        life->first_transport = transport;
        return;
    }
    if (transport == life->first_transport || life->fallback_reported) {
        return;
    }
    sr_finding_values v = {.what = sr_transport_name(life->first_transport),
                           .what2 = sr_transport_name(transport)};
    add(out, SR_FINDING_TRANSPORT_FALLBACK, &v);
    life->fallback_reported = TRUE;
}

/* A /reconnect (or long poll) sent at `now` that resumes a lost transport after the server's
 * expiry. */
static void check_late_reconnect(signalr_lifecycle *life, const sr_timing_settings *settings,
                                 const nstime_t *now, signalr_findings *out)
{
    life->last_reconnect_late = FALSE;
    life->last_reconnect_delay_ms = 0;
    if (!life->transport_lost || life->aborted) {
        return;
    }
    gint64 min, max;
    expiry_window(life, settings, &min, &max);
    gint64 waited = elapsed_ms(&life->lost_at, now);
    life->last_reconnect_delay_ms = waited;
    if (waited > min && !life->late_reported) {
        sr_finding_values v = {.observed = ms_to_s(waited), .threshold = ms_to_s(min),
                               .threshold2 = ms_to_s(max),
                               .setting = ms_to_s(settings->disconnect_timeout_ms)};
        add(out, SR_FINDING_RECONNECT_LATE, &v);
        life->late_reported = TRUE;
        life->last_reconnect_late = TRUE;
    }
}

/* The silence since the connection's last receive-transport frame, checked against the
 * client's keepalive thresholds when it ends at `now` (a frame arrives or the client
 * reconnects); `ended` is the end of the transport when the silence outlived it, or NULL. */
static void check_silence_past(signalr_lifecycle *life, const sr_timing_settings *settings,
                               sr_transport transport, const nstime_t *now,
                               const nstime_t *ended, signalr_findings *out)
{
    if (!life->have_receive_frame || settings->keepalive_disabled) {
        return;
    }
    sr_timing t = thresholds(settings, transport);
    if (!t.keepalive_monitored) {
        return;
    }
    gint64 gap = elapsed_ms(&life->last_receive_frame, now);
    if (gap <= 0) {
        return;
    }
    sr_finding_values v = {.observed = ms_to_s(gap),
                           .threshold = ms_to_s(t.client_warning_ms),
                           .setting = ms_to_s(settings->keep_alive_timeout_ms)};
    if (ended != NULL && nstime_cmp(ended, now) < 0) {
        v.transport_ended = true;
        v.ended_after = ms_to_s(elapsed_ms(&life->last_receive_frame, ended));
    }
    /* The real client raises connectionSlow past the warning and, past the timeout, goes on
     * to reconnecting: both are reported, in that order. */
    if (gap > t.client_warning_ms) {
        add(out, SR_FINDING_KEEPALIVE_LATE, &v);
    }
    if (gap > t.client_timeout_ms) {
        add(out, SR_FINDING_KEEPALIVE_MISSED, &v);
    }
}

static void check_silence(signalr_lifecycle *life, const sr_timing_settings *settings,
                          sr_transport transport, const nstime_t *now, signalr_findings *out)
{
    check_silence_past(life, settings, transport, now, NULL, out);
}

/* A new receive transport restarts the client's keepalive watch. */
static void restart_silence(signalr_lifecycle *life, const nstime_t *now)
{
    life->last_receive_frame = *now;
    life->have_receive_frame = TRUE;
}

/* Ends a silence that outlived its transport at `now`, or at its deadline if that came first. */
static void settle_silence(signalr_lifecycle *life, const sr_timing_settings *settings,
                           const nstime_t *now, signalr_findings *out)
{
    if (!life->silence_open) {
        return;
    }
    life->silence_open = FALSE;
    const nstime_t *until = nstime_cmp(now, &life->silence_deadline) < 0 ? now
                                                                          : &life->silence_deadline;
    check_silence_past(life, settings, life->lost_transport, until, &life->closed_at, out);
    life->have_receive_frame = FALSE; /* the client now knows of the loss */
}

static void copy_call_id(char *dst, const char *id, size_t len)
{
    size_t n = len < SIGNALR_MAX_CALL_ID - 1 ? len : SIGNALR_MAX_CALL_ID - 1;
    memcpy(dst, id, n);
    dst[n] = '\0';
}

void signalr_life_call(signalr_lifecycle *life, const char *id, size_t len)
{
    if (life->call_count < SIGNALR_MAX_PENDING_CALLS) {
        copy_call_id(life->calls[life->call_count++], id, len);
    }
}

void signalr_life_result(signalr_lifecycle *life, const char *id, size_t len)
{
    char key[SIGNALR_MAX_CALL_ID];
    copy_call_id(key, id, len);
    for (int i = 0; i < life->call_count; i++) {
        if (strcmp(life->calls[i], key) == 0) {
            life->call_count--;
            memcpy(life->calls[i], life->calls[life->call_count], SIGNALR_MAX_CALL_ID);
            return;
        }
    }
}

/* A WebSocket that ends or is replaced loses the results of the calls still pending. */
static void drop_calls(signalr_lifecycle *life, sr_transport transport, signalr_findings *out)
{
    if (transport != SR_TRANSPORT_WEBSOCKETS || life->call_count == 0) {
        return;
    }
    sr_finding_values v = {.count = (guint64)life->call_count,
                           .what = sr_transport_name(transport)};
    add(out, SR_FINDING_INVOCATION_UNANSWERED, &v);
    life->call_count = 0;
}

/* The receive transport has been up for at least KeepAliveTimeout with server data on it.
 * Replacing a younger one is part of a reconnect burst, not a sign of starved timers. */
static gboolean established(const signalr_lifecycle *life, const sr_timing_settings *settings,
                            const nstime_t *now)
{
    return life->data_seen &&
           elapsed_ms(&life->opened_at, now) >= settings->keep_alive_timeout_ms;
}

/* A client that gives up a streaming transport the server was still feeding (its last data
 * came within 2/3 KeepAliveTimeout) did not see the feed: its timers ran late, e.g. in a
 * throttled background tab. */
static void check_starvation(const sr_timing_settings *settings, sr_transport transport,
                             gint64 since_data_ms, const char *what, signalr_findings *out)
{
    sr_timing t = thresholds(settings, transport);
    if (!t.keepalive_monitored || since_data_ms >= t.client_warning_ms) {
        return;
    }
    sr_finding_values v = {.observed = ms_to_s(since_data_ms),
                           .setting = ms_to_s(settings->keep_alive_timeout_ms), .what = what};
    add(out, SR_FINDING_CLIENT_TIMER_STARVATION, &v);
}

/* A /reconnect: either it replaces a transport that is still open (the client's keepalive
 * watch gave up on it), or it follows the client's own close of its transport. */
static void check_reconnect_starvation(signalr_lifecycle *life,
                                       const sr_timing_settings *settings, const nstime_t *now,
                                       signalr_findings *out)
{
    if (!life->transport_lost && life->have_receive_frame && !life->reconnecting &&
        established(life, settings, now)) {
        check_starvation(settings, life->receive_transport,
                         elapsed_ms(&life->last_receive_frame, now), "started reconnecting",
                         out);
    } else if (life->transport_lost && life->lost_by_client && life->drop_established) {
        check_starvation(settings, life->lost_transport, life->drop_since_data_ms,
                         "closed its transport and reconnected", out);
    }
}

/* The JS client stops with /abort right after negotiate when no transport is usable (forever
 * frame asked for in a browser with EventSource) or the protocol version does not match. */
static void check_abort_before_connect(signalr_lifecycle *life, const nstime_t *now,
                                       signalr_findings *out)
{
    if (!life->awaiting_connect || life->setup_reported) {
        return;
    }
    life->setup_reported = TRUE;
    sr_finding_values v = {.observed = ms_to_s(elapsed_ms(&life->negotiated_at, now)),
                           .what = "the client sent /abort instead"};
    add(out, SR_FINDING_NEGOTIATE_NOT_FOLLOWED, &v);
}

void signalr_life_request(signalr_lifecycle *life, const sr_timing_settings *settings,
                          sr_request_kind kind, sr_transport transport, const nstime_t *now,
                          signalr_findings *out)
{
    if (kind == SR_REQUEST_CONNECT || kind == SR_REQUEST_RECONNECT || kind == SR_REQUEST_POLL ||
        kind == SR_REQUEST_ABORT) {
        settle_silence(life, settings, now, out);
    }
    if (kind == SR_REQUEST_RECONNECT) {
        check_reconnect_starvation(life, settings, now, out);
        if (!life->transport_lost) {
            drop_calls(life, life->receive_transport, out); /* the open socket is replaced */
        }
    }
    if (kind == SR_REQUEST_CONNECT || kind == SR_REQUEST_RECONNECT || kind == SR_REQUEST_POLL) {
        life->receive_request_at = *now;
        life->opened_at = *now;
        life->receive_transport = transport;
        life->data_seen = FALSE;
    }
    switch (kind) {
    case SR_REQUEST_CONNECT:
        check_fallback(life, transport, out);
        life->awaiting_connect = FALSE;
        life->transport_lost = FALSE;
        restart_silence(life, now);
        break;
    case SR_REQUEST_RECONNECT:
        /* The first attempt ends a silence on a transport that was never closed; retries while
         * reconnecting are not new silences. */
        if (!life->transport_lost && !life->reconnecting) {
            check_silence(life, settings, transport, now, out);
        }
        life->resume_pending = life->transport_lost;
        life->resume_at = *now;
        life->lost_by_client = FALSE; /* it closed the transport to reconnect */
        life->reconnecting = TRUE;
        restart_silence(life, now);
        break;
    case SR_REQUEST_POLL:
        life->resume_pending = life->transport_lost;
        life->resume_at = *now;
        life->lost_by_client = FALSE;
        break;
    case SR_REQUEST_ABORT:
        life->aborted = TRUE;
        check_abort_before_connect(life, now, out);
        break;
    default:
        break;
    }
}

void signalr_life_transport_opened(signalr_lifecycle *life, const sr_timing_settings *settings,
                                   const nstime_t *now, signalr_findings *out)
{
    life->opened_at = *now;
    if (!life->resume_pending) {
        return;
    }
    life->resume_pending = FALSE;
    check_late_reconnect(life, settings, &life->resume_at, out);
    life->transport_lost = FALSE;
    life->expiry_reported = FALSE;
}

void signalr_life_attempt_failed(signalr_lifecycle *life)
{
    life->resume_pending = FALSE;
}

void signalr_life_server_frame(signalr_lifecycle *life, const sr_timing_settings *settings,
                               sr_transport transport, const nstime_t *now,
                               signalr_findings *out)
{
    if (!life->reconnecting) {
        check_silence(life, settings, transport, now, out);
    }
    life->reconnecting = FALSE;
    life->data_seen = TRUE;
    restart_silence(life, now);
}

static void ms_to_nstime(gint64 ms, nstime_t *out)
{
    out->secs = (time_t)(ms / 1000);
    out->nsecs = (int)(ms % 1000) * 1000000;
}

/* How long the server may hold a poll: ConnectionTimeout, plus one heartbeat of slack. */
static gint64 poll_limit(const sr_timing *t)
{
    return t->server_transport_timeout_ms + t->server_heartbeat_interval_ms;
}

static void check_poll_held(const signalr_lifecycle *life, const sr_timing_settings *settings,
                            const nstime_t *now, signalr_findings *out)
{
    sr_timing t = thresholds(settings, SR_TRANSPORT_LONG_POLLING);
    gint64 held = elapsed_ms(&life->receive_request_at, now);
    if (held > poll_limit(&t)) {
        sr_finding_values v = {.observed = ms_to_s(held), .threshold = ms_to_s(poll_limit(&t)),
                               .setting = ms_to_s(settings->connection_timeout_ms)};
        add(out, SR_FINDING_POLL_OVERDUE, &v);
    }
}

/* When the server's side of an ended transport died: at its last data if the transport had
 * been silent for longer than KeepAliveTimeout before it ended (the end only came when the
 * client gave up), else at the end itself. */
static nstime_t loss_moment(const signalr_lifecycle *life, const sr_timing_settings *settings,
                            sr_transport transport, const nstime_t *now)
{
    sr_timing t = thresholds(settings, transport);
    if (transport == SR_TRANSPORT_LONG_POLLING) {
        if (elapsed_ms(&life->receive_request_at, now) <= poll_limit(&t)) {
            return *now;
        }
        nstime_t answered = life->opened_at;
        nstime_t ct;
        ms_to_nstime(t.server_transport_timeout_ms, &ct);
        nstime_add(&answered, &ct);
        return answered;
    }
    if (life->have_receive_frame && t.keepalive_monitored && !settings->keepalive_disabled &&
        elapsed_ms(&life->last_receive_frame, now) > t.client_timeout_ms) {
        return life->last_receive_frame;
    }
    return *now;
}

void signalr_life_transport_end(signalr_lifecycle *life, const sr_timing_settings *settings,
                                sr_transport transport, gboolean by_client, const nstime_t *now,
                                signalr_findings *out)
{
    if (life->transport_lost || life->aborted) {
        return;
    }
    if (transport == SR_TRANSPORT_LONG_POLLING) {
        check_poll_held(life, settings, now, out);
    }
    drop_calls(life, transport, out);
    life->drop_established = by_client && established(life, settings, now);
    life->drop_since_data_ms =
        life->have_receive_frame ? elapsed_ms(&life->last_receive_frame, now) : G_MAXINT64;
    life->transport_lost = TRUE;
    life->lost_by_client = by_client;
    life->abort_missing_reported = FALSE;
    life->closed_at = *now;
    life->lost_transport = transport;
    life->lost_at = loss_moment(life, settings, transport, now);
    if (by_client) {
        check_silence(life, settings, transport, now, out); /* the client decided */
        life->have_receive_frame = FALSE;
        return;
    }
    nstime_t delay;
    ms_to_nstime(thresholds(settings, transport).client_reconnect_delay_ms, &delay);
    nstime_sum(&life->silence_deadline, now, &delay);
    life->silence_open =
        life->have_receive_frame && thresholds(settings, transport).keepalive_monitored;
}

static void check_expiry(signalr_lifecycle *life, const sr_timing_settings *settings,
                         const nstime_t *now, signalr_findings *out)
{
    /* A request still waiting for its answer may have reached the server in time. */
    if (!life->transport_lost || life->aborted || life->expiry_reported ||
        life->resume_pending) {
        return;
    }
    gint64 min, max;
    expiry_window(life, settings, &min, &max);
    gint64 waited = elapsed_ms(&life->lost_at, now);
    if (waited <= min) {
        return;
    }
    life->expiry_reported = TRUE;
    sr_finding_values v = {.observed = ms_to_s(waited), .threshold = ms_to_s(min),
                           .threshold2 = ms_to_s(max),
                           .setting = ms_to_s(settings->disconnect_timeout_ms),
                           .what = sr_transport_name(life->lost_transport)};
    add(out, SR_FINDING_DISCONNECT_TIMEOUT, &v);
}

/* Browsers run timers of background tabs at most once a second: a reconnect may come that
 * much after the client's reconnect delay. */
#define CLIENT_TIMER_SLACK_MS 1000

/* A client that closed its transport and neither reconnected within its reconnect delay nor
 * sent /abort left the server to find out by timeout; reported once the expiry came. */
static void check_abort_missing(signalr_lifecycle *life, const sr_timing_settings *settings,
                                const nstime_t *now, signalr_findings *out)
{
    if (!life->lost_by_client || !life->expiry_reported || life->aborted ||
        life->abort_missing_reported) {
        return;
    }
    sr_timing t = thresholds(settings, life->lost_transport);
    if (elapsed_ms(&life->closed_at, now) <= t.client_reconnect_delay_ms + CLIENT_TIMER_SLACK_MS) {
        return;
    }
    life->abort_missing_reported = TRUE;
    sr_finding_values v = {.what = sr_transport_name(life->lost_transport),
                           .setting = ms_to_s(settings->disconnect_timeout_ms)};
    add(out, SR_FINDING_ABORT_MISSING, &v);
}

/* The client must open a transport within TransportConnectTimeout of the negotiate. */
static void check_setup(signalr_lifecycle *life, const sr_timing_settings *settings,
                        const nstime_t *now, signalr_findings *out)
{
    if (!life->awaiting_connect || life->setup_reported) {
        return;
    }
    gint64 limit = thresholds(settings, SR_TRANSPORT_NONE).client_transport_connect_timeout_ms;
    gint64 waited = elapsed_ms(&life->negotiated_at, now);
    if (waited <= limit) {
        return;
    }
    life->setup_reported = TRUE;
    sr_finding_values v = {.observed = ms_to_s(waited), .threshold = ms_to_s(limit)};
    add(out, SR_FINDING_NEGOTIATE_NOT_FOLLOWED, &v);
}

void signalr_life_tick(signalr_lifecycle *life, const sr_timing_settings *settings,
                       const nstime_t *now, signalr_findings *out)
{
    if (life->silence_open && nstime_cmp(now, &life->silence_deadline) >= 0) {
        settle_silence(life, settings, now, out);
    }
    check_expiry(life, settings, now, out);
    check_abort_missing(life, settings, now, out);
    check_setup(life, settings, now, out);
}

gboolean signalr_life_has_deadline(const signalr_lifecycle *life)
{
    gboolean expiry = life->transport_lost && !life->aborted && !life->expiry_reported;
    gboolean setup = life->awaiting_connect && !life->setup_reported;
    gboolean abort = life->lost_by_client && !life->aborted && !life->abort_missing_reported;
    return expiry || setup || abort || life->silence_open;
}

void signalr_life_negotiated(signalr_lifecycle *life, const nstime_t *now)
{
    life->awaiting_connect = TRUE;
    life->negotiated_at = *now;
}

void signalr_life_disconnect_command(signalr_lifecycle *life, const sr_timing_settings *settings,
                                     sr_request_kind answering, signalr_findings *out)
{
    add(out, SR_FINDING_DISCONNECT_COMMAND, NULL);
    if (answering == SR_REQUEST_RECONNECT && !life->last_reconnect_late) {
        sr_finding_values v = {.observed = ms_to_s(life->last_reconnect_delay_ms),
                               .setting = ms_to_s(settings->disconnect_timeout_ms),
                               .what = "answered with the disconnect command"};
        add(out, SR_FINDING_RECONNECT_LATE, &v);
        life->last_reconnect_late = TRUE;
    }
}

void signalr_life_cursor_prefix(signalr_lifecycle *life, const char *prefix,
                                signalr_findings *out)
{
    if (life->cursor_prefix[0] != '\0' && strcmp(life->cursor_prefix, prefix) != 0) {
        sr_finding_values v = {.what = life->cursor_prefix, .what2 = prefix};
        add(out, SR_FINDING_SERVER_CHANGED, &v);
    }
    g_strlcpy(life->cursor_prefix, prefix, sizeof life->cursor_prefix);
}

void signalr_life_settings_assumed(const sr_timing_settings *settings, signalr_findings *out)
{
    sr_finding_values v = {.setting = ms_to_s(settings->keep_alive_timeout_ms),
                           .setting2 = ms_to_s(settings->disconnect_timeout_ms)};
    add(out, SR_FINDING_SETTINGS_ASSUMED, &v);
}

void signalr_life_rejected(sr_request_kind kind, unsigned status, signalr_findings *out)
{
    sr_finding_values v = {.what = sr_request_kind_name(kind), .status = (int)status};
    add(out, SR_FINDING_REQUEST_REJECTED, &v);
}

void signalr_life_capture_gap(guint32 bytes, signalr_findings *out)
{
    sr_finding_values v = {.count = bytes};
    add(out, SR_FINDING_CAPTURE_GAP, &v);
}

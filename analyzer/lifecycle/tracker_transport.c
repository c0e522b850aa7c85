/* Following the receive transport of one connection: silences judged against KeepAliveTimeout,
 * losses, the server's expiry, reconnects and fallbacks, how each transport ended. */
#include "lifecycle/tracker.h"

#include <glib.h>
#include <string.h>

/* After this long the server has certainly ended a connection whose transport was lost. */
static double expiry_max(const lf_tracker *c, sr_transport t)
{
    return lf_tracker_streaming(t) ? c->th.expiry_max_streaming : c->th.expiry_max_long_polling;
}

/* The earliest moment it may have done so. */
static double expiry_min(const lf_tracker *c, sr_transport t)
{
    return lf_tracker_streaming(t) ? c->th.expiry_min_streaming : c->th.expiry_min_long_polling;
}

/* The silence on the receive transport that ends at `at` (new data, its end, a replacement,
 * the end of the capture). Only WS/SSE/FF are monitored by the client. */
static void end_silence(lf_tracker *c, const lf_frame_ref *at)
{
    if (!c->rx_open || !lf_tracker_streaming(c->rx_transport) || at->time <= c->last_rx.time) {
        return;
    }
    double gap = lf_tracker_since(&c->last_rx, at->time);
    if (c->rx_data_seen && gap > c->rec.keepalive_max_gap) {
        c->rec.keepalive_max_gap = gap;
    }
    if (!c->th.keepalive_monitored) {
        return;
    }
    sr_finding_values v = {.observed = gap, .setting = c->th.keepalive_timeout};
    if (gap > c->th.keepalive_timeout) {
        lf_tracker_finding(c, SR_FINDING_KEEPALIVE_MISSED,
                           c->last_rx.time + lf_tracker_nanos(c->th.keepalive_timeout), &at->time,
                           &v, &c->last_rx, at);
    } else if (gap > c->th.keepalive_warning) {
        v.threshold = c->th.keepalive_warning;
        lf_tracker_finding(c, SR_FINDING_KEEPALIVE_LATE,
                           c->last_rx.time + lf_tracker_nanos(c->th.keepalive_warning), &at->time,
                           &v, &c->last_rx, at);
    }
}

/* The server ends a connection whose transport stayed lost past its expiry. */
void lf_tracker_settle_expiry(lf_tracker *c, lf_time_ns now)
{
    if (!c->lost || c->expired || c->aborted) {
        return;
    }
    double limit = expiry_max(c, c->lost_transport);
    if (now <= c->lost_at.time + lf_tracker_nanos(limit)) {
        return;
    }
    c->expired = true;
    c->expired_at = c->lost_at.time + lf_tracker_nanos(expiry_min(c, c->lost_transport));
    sr_finding_values v = {.observed = limit, .setting = c->th.disconnect_timeout};
    lf_tracker_finding(c, SR_FINDING_DISCONNECT_TIMEOUT, c->expired_at, NULL, &v, &c->lost_at,
                       NULL);
}

static void drop_calls(lf_tracker *c, sr_transport transport, const lf_frame_ref *at)
{
    if (c->call_count == 0) {
        return;
    }
    if (transport == SR_TRANSPORT_WEBSOCKETS) {
        /* Results travel on the socket: a dropped socket loses them for good. */
        sr_finding_values v = {.count = c->call_count, .what = sr_transport_name(transport)};
        lf_tracker_finding(c, SR_FINDING_INVOCATION_UNANSWERED, at->time, NULL, &v, &c->calls[0].at,
                           at);
        c->call_count = 0;
        return;
    }
    for (size_t i = 0; i < c->call_count; i++) {
        if (!c->calls[i].dropped) {
            c->calls[i].dropped = true;
            c->calls[i].drop_at = *at;
        }
    }
}

static void start_loss(lf_tracker *c, const lf_frame_ref *at, sr_transport transport)
{
    c->rx_open = false;
    c->ka_run_valid = false;
    if (c->aborted || c->lost) {
        return;
    }
    c->lost = true;
    c->lost_at = *at;
    c->lost_transport = transport;
}

/* A client that gives up a transport the server was still feeding did not see the feed: its
 * timers (keepalive check, reconnect window) ran late, e.g. in a throttled background tab. */
static void check_starvation(lf_tracker *c, double since_rx, const lf_frame_ref *at,
                             const char *what)
{
    if (!c->th.keepalive_monitored || since_rx >= c->th.keepalive_warning) {
        return;
    }
    sr_finding_values v = {.observed = since_rx, .setting = c->th.keepalive_timeout, .what = what};
    lf_tracker_finding(c, SR_FINDING_CLIENT_TIMER_STARVATION, at->time, NULL, &v, &c->last_rx, at);
}

/* A new receive request replaces the transport being followed, if any. */
static void replace_transport(lf_tracker *c, const lf_signalr_event *ev)
{
    if (c->rx_open) {
        end_silence(c, &ev->at);
        if (ev->request_kind == SR_REQUEST_RECONNECT && lf_tracker_streaming(c->rx_transport) &&
            c->rx_data_seen) {
            check_starvation(c, lf_tracker_since(&c->last_rx, ev->at.time), &ev->at,
                             "started reconnecting");
        }
        drop_calls(c, c->rx_transport, &ev->at);
        c->rx_open = false;
    } else if (c->client_dropped && ev->request_kind == SR_REQUEST_RECONNECT &&
               lf_tracker_streaming(c->client_drop_transport)) {
        check_starvation(c, c->client_drop_since_rx, &c->client_drop_at,
                         "closed its transport and reconnected");
    }
    c->client_dropped = false;
}

static void end_loss_by_request(lf_tracker *c, const lf_signalr_event *ev)
{
    c->loss_before_request = c->lost;
    c->loss_before_request_at = c->lost_at;
    c->last_reconnect_late = false;
    if (!c->lost) {
        return;
    }
    double delay = lf_tracker_since(&c->lost_at, ev->at.time);
    double limit = expiry_max(c, c->lost_transport);
    c->last_reconnect_delay = delay;
    bool resumes = ev->request_kind == SR_REQUEST_RECONNECT || ev->request_kind == SR_REQUEST_POLL;
    if (resumes && delay > limit) {
        sr_finding_values v = {
            .observed = delay, .threshold = limit, .setting = c->th.disconnect_timeout};
        lf_tracker_finding(c, SR_FINDING_RECONNECT_LATE, ev->at.time, NULL, &v, &c->lost_at,
                           &ev->at);
        c->last_reconnect_late = true;
    }
    c->lost = false;
    c->expired = false; /* a 2.1+ server accepts it and runs OnReconnected */
}

static void note_fallback(lf_tracker *c, const lf_signalr_event *ev)
{
    if (ev->request_kind != SR_REQUEST_CONNECT) {
        return;
    }
    if (c->saw_connect && c->connect_transport != ev->transport) {
        sr_finding_values v = {.what = sr_transport_name(c->connect_transport),
                               .what2 = sr_transport_name(ev->transport)};
        lf_tracker_finding(c, SR_FINDING_TRANSPORT_FALLBACK, ev->at.time, NULL, &v, &ev->at, NULL);
    }
    c->saw_connect = true;
    c->connect_transport = ev->transport;
}

void lf_tracker_receive_request(lf_tracker *c, const lf_signalr_event *ev)
{
    replace_transport(c, ev);
    end_loss_by_request(c, ev);
    note_fallback(c, ev);
    c->disconnect_command = false;
    c->rx_open = true;
    c->rx_stream = ev->stream;
    c->rx_transport = ev->transport;
    c->rx_request = ev->at;
    c->last_rx = ev->at;
    c->rx_data_seen = false;
    c->ka_run_valid = false;
    lf_record_note_transport(&c->rec, ev->transport);
}

bool lf_tracker_on_receive_transport(const lf_tracker *c, const lf_signalr_event *ev)
{
    return c->rx_open && ev->stream == c->rx_stream;
}

void lf_tracker_server_data(lf_tracker *c, const lf_signalr_event *ev)
{
    if (!lf_tracker_on_receive_transport(c, ev)) {
        return;
    }
    c->any_open = true; /* whether or not the opening itself was recognised */
    end_silence(c, &ev->at);
    c->last_rx = ev->at;
    c->rx_data_seen = true;
}

static void close_long_poll(lf_tracker *c, const lf_signalr_event *ev)
{
    double held = lf_tracker_since(&c->rx_request, ev->at.time);
    if (held > c->th.poll_limit) {
        sr_finding_values v = {.observed = held,
                               .threshold = c->th.poll_limit,
                               .setting = c->rec.settings.connection_timeout};
        lf_tracker_finding(c, SR_FINDING_POLL_OVERDUE, ev->at.time, NULL, &v, &c->rx_request,
                           &ev->at);
    }
}

static bool client_gave_up_transport(const lf_sr_closed *cl)
{
    return cl->by == LF_SR_PARTY_CLIENT &&
           (cl->how == LF_SR_CLOSED_WS_CLOSE || cl->how == LF_SR_CLOSED_TCP_FIN ||
            cl->how == LF_SR_CLOSED_TCP_RST);
}

void lf_tracker_on_closed(lf_tracker *c, const lf_signalr_event *ev)
{
    const lf_sr_closed *cl = &ev->u.closed;
    lf_timeline_event *t = lf_record_add_event(&c->rec, LF_TL_TRANSPORT_CLOSED, ev);
    bool current = lf_tracker_on_receive_transport(c, ev);
    if (t != NULL) {
        t->how = cl->how;
        t->by = cl->by;
        t->has_ws_code = cl->has_ws_code;
        t->ws_code = cl->ws_code;
        t->idle = current ? lf_tracker_since(&c->last_rx, ev->at.time) : 0;
    }
    c->ka_run_valid = false;
    if (!current || cl->how == LF_SR_CLOSED_CAPTURE_END || cl->how == LF_SR_CLOSED_REPLACED) {
        return;
    }
    if (lf_tracker_streaming(c->rx_transport)) {
        end_silence(c, &ev->at);
    } else {
        close_long_poll(c, ev);
    }
    if (client_gave_up_transport(cl) && !c->aborted) {
        c->client_dropped = true;
        c->client_drop_at = ev->at;
        c->client_drop_since_rx = lf_tracker_since(&c->last_rx, ev->at.time);
        c->client_drop_transport = c->rx_transport;
    }
    if (lf_tracker_streaming(c->rx_transport)) {
        drop_calls(c, c->rx_transport, &ev->at);
    }
    start_loss(c, &ev->at, c->rx_transport);
}

void lf_tracker_settle_transport(lf_tracker *c, lf_time_ns capture_end)
{
    if (!c->rx_open) {
        return;
    }
    lf_frame_ref end = {.file = c->last_rx.file, .frame = 0, .time = capture_end};
    if (!lf_tracker_streaming(c->rx_transport)) {
        double held = lf_tracker_since(&c->rx_request, capture_end);
        if (held > c->th.poll_limit) {
            sr_finding_values v = {.observed = held,
                                   .threshold = c->th.poll_limit,
                                   .setting = c->rec.settings.connection_timeout};
            lf_tracker_finding(c, SR_FINDING_POLL_OVERDUE, capture_end, NULL, &v, &c->rx_request,
                               NULL);
        }
        return;
    }
    end_silence(c, &end);
    /* A transport silent past KeepAliveTimeout is one the client has given up on. */
    if (c->th.keepalive_monitored &&
        lf_tracker_since(&c->last_rx, capture_end) > c->th.keepalive_timeout && !c->aborted) {
        lf_frame_ref loss = c->last_rx;
        loss.time += lf_tracker_nanos(c->th.keepalive_timeout);
        sr_transport t = c->rx_transport;
        start_loss(c, &loss, t);
    }
}

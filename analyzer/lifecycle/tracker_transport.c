/* Following the receive transport of one connection: silences judged against KeepAliveTimeout,
 * losses, the server's expiry, reconnects and fallbacks, how each transport ended. */
#include "lifecycle/tracker.h"

#include <glib.h>
#include <string.h>

/* The server ends a connection whose transport was lost between these delays after the loss
 * (heartbeat granularity). Findings use the earliest, DisconnectTimeout with default settings;
 * messages give both. */
static double expiry_min(const lf_tracker *c, sr_transport t)
{
    return lf_tracker_streaming(t) ? c->th.expiry_min_streaming : c->th.expiry_min_long_polling;
}

static double expiry_max(const lf_tracker *c, sr_transport t)
{
    return lf_tracker_streaming(t) ? c->th.expiry_max_streaming : c->th.expiry_max_long_polling;
}

/* Judges a silence the client watched, from the last server data to `to`; `evidence` is the
 * frame that ended it, `ended` the end of the transport when the silence outlived it (or NULL).
 * Past 2/3 KeepAliveTimeout the client raised connectionSlow; past KeepAliveTimeout it also
 * started reconnecting: the real client fires both, in that order. */
static void judge_silence(lf_tracker *c, const lf_frame_ref *from, lf_time_ns to,
                          const lf_frame_ref *evidence, const lf_frame_ref *ended)
{
    if (!c->th.keepalive_monitored || to <= from->time) {
        return;
    }
    sr_finding_values v = {.observed = lf_tracker_since(from, to),
                           .threshold = c->th.keepalive_warning,
                           .setting = c->th.keepalive_timeout};
    if (ended != NULL && ended->time < to) {
        v.transport_ended = true;
        v.ended_after = lf_tracker_since(from, ended->time);
    }
    if (v.observed > c->th.keepalive_warning) {
        lf_tracker_finding(c, SR_FINDING_KEEPALIVE_LATE,
                           from->time + lf_tracker_nanos(c->th.keepalive_warning), &to, &v, from,
                           evidence);
    }
    if (v.observed > c->th.keepalive_timeout) {
        lf_tracker_finding(c, SR_FINDING_KEEPALIVE_MISSED,
                           from->time + lf_tracker_nanos(c->th.keepalive_timeout), &to, &v, from,
                           evidence);
    }
}

/* A silence on the receive transport can be judged: it is open, the server took it, and the
 * client monitors keepalives on it (WS/SSE/FF). */
static bool watched(const lf_tracker *c)
{
    return c->rx_open && c->rx_opened && lf_tracker_streaming(c->rx_transport);
}

/* Records the silence up to `at` in the connection's largest gap between server data. */
static void note_gap(lf_tracker *c, lf_time_ns at)
{
    double gap = lf_tracker_seconds(at - c->last_rx.time);
    if (c->rx_data_seen && gap > c->rec.keepalive_max_gap) {
        c->rec.keepalive_max_gap = gap;
    }
}

/* The silence on the receive transport that ends at `at` while the transport lives on (new
 * data, a replacement, the end of the capture) or that the client itself ended (its close). */
static void end_silence(lf_tracker *c, const lf_frame_ref *at)
{
    if (!watched(c) || at->time <= c->last_rx.time) {
        return;
    }
    note_gap(c, at->time);
    judge_silence(c, &c->last_rx, at->time, at, NULL);
}

/* The transport ended at `at` without the client closing it: the client notices, waits its
 * reconnect delay and meanwhile still checks keepalives, so the silence goes on. */
static void outlive_silence(lf_tracker *c, const lf_frame_ref *at)
{
    if (!watched(c) || at->time < c->last_rx.time) {
        return;
    }
    note_gap(c, at->time);
    if (!c->th.keepalive_monitored) {
        return;
    }
    c->silence_open = true;
    c->silence_from = c->last_rx;
    c->silence_ended = *at;
    c->silence_deadline = at->time + lf_tracker_nanos(c->th.reconnect_delay);
}

void lf_tracker_settle_silence(lf_tracker *c, const lf_frame_ref *at)
{
    if (!c->silence_open) {
        return;
    }
    c->silence_open = false;
    bool cut_short = at->time < c->silence_deadline;
    lf_time_ns to = cut_short ? at->time : c->silence_deadline;
    const lf_frame_ref *evidence = cut_short && at->frame != 0 ? at : &c->silence_ended;
    judge_silence(c, &c->silence_from, to, evidence, &c->silence_ended);
}

/* The server ends a connection whose transport stayed lost past its expiry. */
void lf_tracker_settle_expiry(lf_tracker *c, lf_time_ns now)
{
    /* A receive request still waiting for its answer may have reached the server in time. */
    if (!c->lost || c->expired || c->aborted || (c->rx_open && !c->rx_opened)) {
        return;
    }
    double earliest = expiry_min(c, c->lost_transport);
    if (now <= c->lost_at.time + lf_tracker_nanos(earliest)) {
        return;
    }
    c->expired = true;
    c->expired_at = c->lost_at.time + lf_tracker_nanos(earliest);
    sr_finding_values v = {.observed = lf_tracker_since(&c->lost_at, now),
                           .threshold = earliest,
                           .threshold2 = expiry_max(c, c->lost_transport),
                           .setting = c->th.disconnect_timeout};
    lf_finding *f = lf_tracker_finding(c, SR_FINDING_DISCONNECT_TIMEOUT, c->expired_at, NULL, &v,
                                       &c->lost_at, NULL);
    c->expiry_finding_valid = f != NULL;
    c->expiry_finding = f != NULL ? (size_t)(f - c->rec.findings) : 0;
}

static void drop_calls(lf_tracker *c, sr_transport transport, const lf_frame_ref *at)
{
    if (c->call_count == 0) {
        return;
    }
    if (transport == SR_TRANSPORT_WEBSOCKETS) {
        /* Results travel on the socket: a dropped socket loses them for good. */
        sr_finding_values v = {.count = c->call_count, .what = sr_transport_name(transport)};
        lf_tracker_show_call(c, &c->calls[0]);
        lf_tracker_finding(c, SR_FINDING_INVOCATION_UNANSWERED, at->time, NULL, &v, &c->calls[0].at,
                           at);
        c->call_count = 0;
        return;
    }
    for (size_t i = 0; i < c->call_count; i++) {
        if (!c->calls[i].dropped) {
            c->calls[i].dropped = true;
            c->calls[i].drop_at = *at;
            c->calls[i].drop_transport = transport;
        }
    }
}

static void start_loss(lf_tracker *c, const lf_frame_ref *at, sr_transport transport)
{
    c->rx_open = false;
    if (c->aborted || c->lost) {
        return;
    }
    c->lost = true;
    c->lost_at = *at;
    c->lost_stream = c->rx_stream;
    c->lost_transport = transport;
    c->late_reported = false;
    c->expiry_finding_valid = false;
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

/* A transport up for at least KeepAliveTimeout. Replacing a younger one is part of a reconnect
 * burst (the forever-frame client re-points its iframe on every beat until one opens), not a
 * sign of starved timers. */
static bool established(const lf_tracker *c, lf_time_ns at)
{
    return c->rx_opened && c->rx_data_seen &&
           lf_tracker_seconds(at - c->rx_opened_time) >= c->th.keepalive_timeout;
}

/* A new receive request replaces the transport being followed, if any. One that never opened
 * was an attempt that failed (the client retries while the path is down). */
static void replace_transport(lf_tracker *c, const lf_signalr_event *ev)
{
    if (c->rx_open && c->rx_opened) {
        end_silence(c, &ev->at);
        if (ev->request_kind == SR_REQUEST_RECONNECT && lf_tracker_streaming(c->rx_transport) &&
            established(c, ev->at.time)) {
            check_starvation(c, lf_tracker_since(&c->last_rx, ev->at.time), &ev->at,
                             "started reconnecting");
        }
        drop_calls(c, c->rx_transport, &ev->at);
    } else if (!c->rx_open && c->client_dropped && c->client_drop_established &&
               ev->request_kind == SR_REQUEST_RECONNECT &&
               lf_tracker_streaming(c->client_drop_transport)) {
        check_starvation(c, c->client_drop_since_rx, &c->client_drop_at,
                         "closed its transport and reconnected");
    }
    c->client_dropped = false;
    c->rx_open = false;
    lf_tracker_settle_expiry(c, ev->at.time);
}

/* A reconnect or poll the server took: judged by when it was sent, against the loss it ends. */
static void judge_reconnect(lf_tracker *c)
{
    c->last_reconnect_late = false;
    c->last_reconnect_delay = 0;
    bool resumes = c->rx_kind == SR_REQUEST_RECONNECT || c->rx_kind == SR_REQUEST_POLL;
    if (!c->lost || !resumes) {
        return;
    }
    double delay = lf_tracker_since(&c->lost_at, c->rx_request.time);
    double limit = expiry_min(c, c->lost_transport);
    c->last_reconnect_delay = delay;
    if (delay > limit && !c->late_reported) {
        sr_finding_values v = {.observed = delay,
                               .threshold = limit,
                               .threshold2 = expiry_max(c, c->lost_transport),
                               .setting = c->th.disconnect_timeout};
        lf_finding *f = lf_tracker_finding(c, SR_FINDING_RECONNECT_LATE, c->rx_request.time, NULL,
                                           &v, &c->lost_at, &c->rx_request);
        if (f != NULL && delay <= v.threshold2) {
            f->severity = SR_SEVERITY_WARNING; /* inside the window: the server may not have */
        }
        c->last_reconnect_late = true;
        c->late_reported = true;
    }
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

static void count_poll(lf_tracker *c, const lf_signalr_event *ev)
{
    if (ev->transport != SR_TRANSPORT_LONG_POLLING) {
        return;
    }
    c->rec.polls++;
    if (c->lost && c->lost_transport == SR_TRANSPORT_LONG_POLLING && !c->rx_open) {
        double gap = lf_tracker_since(&c->lost_at, ev->at.time);
        if (gap > c->rec.poll_max_gap) {
            c->rec.poll_max_gap = gap;
        }
    }
}

void lf_tracker_receive_request(lf_tracker *c, const lf_signalr_event *ev)
{
    count_poll(c, ev);
    replace_transport(c, ev);
    note_fallback(c, ev);
    c->disconnect_command = false;
    c->rx_open = true;
    c->rx_opened = false;
    c->rx_stream = ev->stream;
    c->rx_kind = ev->request_kind;
    c->rx_transport = ev->transport;
    c->rx_request = ev->at;
    c->last_rx = ev->at;
    c->rx_data_seen = false;
    lf_record_note_transport(&c->rec, ev->transport);
}

bool lf_tracker_on_receive_transport(const lf_tracker *c, const lf_signalr_event *ev)
{
    return c->rx_open && ev->stream == c->rx_stream;
}

void lf_tracker_opened(lf_tracker *c, const lf_signalr_event *ev)
{
    if (!lf_tracker_on_receive_transport(c, ev) || c->rx_opened) {
        return;
    }
    c->rx_opened = true;
    c->rx_opened_time = ev->at.time;
    c->any_open = true;
    c->last_rx = ev->at; /* the client's keepalive timer starts here */
    judge_reconnect(c);
    c->lost = false;
    c->expired = false; /* a 2.1+ server takes a late reconnect and runs OnReconnected */
}

/* Server data arriving on the stream whose end started the loss was written before the server
 * noticed that end (during an outage the client's Close is held with everything else): the
 * server's disconnect timer cannot have started before it, and an expiry already concluded
 * from the earlier moment did not happen then. */
static void server_still_writing(lf_tracker *c, const lf_signalr_event *ev)
{
    if (!c->lost || ev->stream != c->lost_stream || !lf_tracker_streaming(c->lost_transport) ||
        ev->at.time <= c->lost_at.time) {
        return;
    }
    c->lost_at = ev->at;
    if (c->expired) {
        if (c->expiry_finding_valid) {
            lf_record_remove_finding(&c->rec, c->expiry_finding);
        }
        c->expired = false;
        c->expiry_finding_valid = false;
    }
}

void lf_tracker_server_data(lf_tracker *c, const lf_signalr_event *ev)
{
    if (!lf_tracker_on_receive_transport(c, ev)) {
        server_still_writing(c, ev);
        return;
    }
    lf_tracker_opened(c, ev); /* when the opening itself was not recognised */
    end_silence(c, &ev->at);
    c->last_rx = ev->at;
    c->rx_data_seen = true;
}

static void check_poll_held(lf_tracker *c, const lf_frame_ref *end)
{
    double held = lf_tracker_since(&c->rx_request, end->time);
    if (held > c->rec.poll_max_held) {
        c->rec.poll_max_held = held;
    }
    if (held > c->th.poll_limit) {
        sr_finding_values v = {.observed = held,
                               .threshold = c->th.poll_limit,
                               .setting = c->rec.settings.connection_timeout};
        lf_tracker_finding(c, SR_FINDING_POLL_OVERDUE, end->time, NULL, &v, &c->rx_request, end);
    }
}

/* Clients close with a Close frame (WS) or by aborting the request (FIN); a reset from the
 * client's side is a middlebox or a crash, not a decision of the SignalR client. */
static bool client_gave_up_transport(const lf_sr_closed *cl)
{
    return cl->by == LF_SR_PARTY_CLIENT &&
           (cl->how == LF_SR_CLOSED_WS_CLOSE || cl->how == LF_SR_CLOSED_TCP_FIN);
}

/* When the server's side of the receive transport ended, as far as the capture tells.
 * A streaming transport that ends after a silence longer than KeepAliveTimeout was lost when it
 * fell silent: the server's side may have died right after its last data (server_still_writing()
 * moves this later if held data shows it did not). A long poll held past its limit was answered
 * by the server at ConnectionTimeout and the answer held on the way. */
static lf_frame_ref loss_moment(const lf_tracker *c, const lf_frame_ref *end)
{
    if (!lf_tracker_streaming(c->rx_transport)) {
        if (lf_tracker_since(&c->rx_request, end->time) <= c->th.poll_limit) {
            return *end;
        }
        lf_frame_ref answered = c->rx_request;
        answered.time = c->rx_opened_time + lf_tracker_nanos(c->th.connection_timeout);
        return answered;
    }
    bool silent = c->th.keepalive_monitored &&
                  lf_tracker_since(&c->last_rx, end->time) > c->th.keepalive_timeout;
    return silent ? c->last_rx : *end;
}

/* A long poll answered by the server: the end of one turn of long polling's routine cycle. */
static bool routine_close(const lf_signalr_event *ev)
{
    return ev->transport == SR_TRANSPORT_LONG_POLLING &&
           ev->u.closed.how == LF_SR_CLOSED_RESPONSE_END && ev->u.closed.by == LF_SR_PARTY_SERVER;
}

void lf_tracker_on_closed(lf_tracker *c, const lf_signalr_event *ev)
{
    const lf_sr_closed *cl = &ev->u.closed;
    lf_timeline_event *t;
    if (!routine_close(ev)) {
        t = lf_record_add_event(&c->rec, LF_TL_TRANSPORT_CLOSED, ev);
    } else if (lf_record_extend_run(&c->rec, LF_TL_TRANSPORT_CLOSED, ev) == NULL) {
        t = lf_record_add_routine(&c->rec, LF_TL_TRANSPORT_CLOSED, ev);
    } else {
        t = NULL;
    }
    bool current = lf_tracker_on_receive_transport(c, ev);
    if (t != NULL) {
        t->how = cl->how;
        t->by = cl->by;
        t->has_ws_code = cl->has_ws_code;
        t->ws_code = cl->ws_code;
        t->idle = current ? lf_tracker_since(&c->last_rx, ev->at.time) : 0;
    }
    if (!current || cl->how == LF_SR_CLOSED_CAPTURE_END || cl->how == LF_SR_CLOSED_REPLACED) {
        return;
    }
    if (!c->rx_opened) {
        c->rx_open = false; /* an attempt that never opened: a loss in progress goes on */
        return;
    }
    if (!lf_tracker_streaming(c->rx_transport)) {
        check_poll_held(c, &ev->at);
    } else if (client_gave_up_transport(cl) || c->aborted) {
        end_silence(c, &ev->at); /* the client decided: it watches no more */
    } else {
        outlive_silence(c, &ev->at);
    }
    if (client_gave_up_transport(cl) && !c->aborted) {
        c->client_dropped = true;
        c->client_drop_at = ev->at;
        c->client_drop_since_rx = lf_tracker_since(&c->last_rx, ev->at.time);
        c->client_drop_established = established(c, ev->at.time);
        c->client_drop_transport = c->rx_transport;
    }
    if (lf_tracker_streaming(c->rx_transport)) {
        drop_calls(c, c->rx_transport, &ev->at);
    }
    lf_frame_ref loss = loss_moment(c, &ev->at);
    start_loss(c, &loss, c->rx_transport);
}

void lf_tracker_settle_transport(lf_tracker *c, lf_time_ns capture_end)
{
    if (!c->rx_open) {
        return;
    }
    if (!c->rx_opened) {
        c->rx_open = false; /* never answered: it did not reach the server */
        return;
    }
    lf_frame_ref end = {.file = c->last_rx.file, .frame = 0, .time = capture_end};
    if (lf_tracker_streaming(c->rx_transport)) {
        end_silence(c, &end);
    } else {
        check_poll_held(c, &end);
    }
    /* A transport that the capture shows lost (silent, or a poll never answered) is one the
     * client has given up on. */
    lf_frame_ref loss = loss_moment(c, &end);
    if (loss.time != end.time) {
        start_loss(c, &loss, c->rx_transport);
    }
}

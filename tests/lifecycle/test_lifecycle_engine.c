/* Lifecycle engine scenarios: each test tells a connection's story and checks the findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lifecycle/thresholds.h"
#include "scenario.h"

static void assert_near(double actual, double expected)
{
    assert_true(actual > expected - 0.001 && actual < expected + 0.001);
}

/* ---- keepalive_late / keepalive_missed around their thresholds (KAT 20: 13.33 s, 20 s) ---- */

static void test_lifecycle_keepalive_gap_just_under_two_thirds_is_quiet(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 60, 10);
    sc_keepalive(s, 73.2);
    sc_keepalives(s, 83.2, 100, 10);
    sc_finish(s, 101);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 0);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
}

static void test_lifecycle_keepalive_gap_just_over_two_thirds_is_late(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 60, 10);
    sc_keepalive(s, 73.5);
    sc_keepalives(s, 83.5, 100, 10);
    sc_finish(s, 101);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
    const lf_finding *f = sc_find(c, SR_FINDING_KEEPALIVE_LATE);
    assert_near(sc_rel(f->time), 60 + 20.0 * 2 / 3);
    assert_true(f->has_end);
    assert_near(sc_rel(f->end), 73.5);
    assert_int_equal(f->severity, SR_SEVERITY_WARNING);
    assert_non_null(strstr(f->message, "no data from server for 13.5 s"));
    assert_int_equal(f->evidence_count, 2);
}

static void test_lifecycle_keepalive_gap_just_under_timeout_is_only_late(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 60, 10);
    sc_keepalives(s, 79.9, 100, 10);
    sc_finish(s, 101);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
}

/* The real client raises connectionSlow on the beat after 2/3 KeepAliveTimeout and starts
 * reconnecting after KeepAliveTimeout: a silence past both is both findings, each at its own
 * threshold. */
static void test_lifecycle_keepalive_gap_just_over_timeout_is_late_then_missed(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 60, 10);
    sc_keepalives(s, 80.3, 100, 10);
    sc_finish(s, 101);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 1);
    const lf_finding *late = sc_find(c, SR_FINDING_KEEPALIVE_LATE);
    assert_near(sc_rel(late->time), 60 + 20.0 * 2 / 3);
    assert_near(sc_rel(late->end), 80.3);
    assert_int_equal(late->severity, SR_SEVERITY_WARNING);
    assert_string_equal(late->message, "no data from server for 20.3 s, over 2/3 of "
                                       "KeepAliveTimeout 20 s (13.3 s): the client raises "
                                       "connectionSlow");
    const lf_finding *missed = sc_find(c, SR_FINDING_KEEPALIVE_MISSED);
    assert_near(sc_rel(missed->time), 80);
    assert_near(sc_rel(missed->end), 80.3);
    assert_int_equal(missed->severity, SR_SEVERITY_ERROR);
    assert_string_equal(missed->message, "no data from server for 20.3 s, KeepAliveTimeout 20 s: "
                                         "the client starts reconnecting");
    assert_true(c->findings[0].type == SR_FINDING_KEEPALIVE_LATE); /* in time order */
}

static void test_lifecycle_thresholds_follow_this_connections_negotiate(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 6, 9); /* KeepAlive 3 s: connectionSlow at 4 s, loss at 6 s */
    sc_keepalives(s, 3, 30, 3);
    sc_keepalives(s, 34.5, 40, 3);
    sc_finish(s, 41);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(c->settings.source, LF_SETTINGS_NEGOTIATE);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_near(sc_rel(sc_find(c, SR_FINDING_KEEPALIVE_LATE)->time), 34.0);
}

static void test_lifecycle_hub_result_on_websocket_does_not_reset_the_keepalive_timer(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalive(s, 10);
    sc_invoke(s, 15, "0");
    sc_result(s, 20, "0");
    sc_keepalive(s, 31);
    sc_finish(s, 32);
    assert_int_equal(sc_count(sc_conn(s, "tok-A"), SR_FINDING_KEEPALIVE_MISSED), 1);
}

/* ---- the scenario of the brief: silence, then a reconnect in time ---- */

static void test_lifecycle_silence_then_reconnect_within_disconnect_timeout(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 60, 10);
    sc_close(s, 82.2, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_reconnect(s, 85.2);
    sc_keepalives(s, 90, 120, 10);
    sc_finish(s, 121);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 1);
    assert_int_equal(sc_count(c, SR_FINDING_RECONNECT_LATE), 0);
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 0);
    assert_int_equal(sc_count(c, SR_FINDING_CLIENT_TIMER_STARVATION), 0);
    assert_int_equal(sc_count(c, SR_FINDING_ABORT_MISSING), 0);
    assert_int_equal(c->end, LF_END_CAPTURE_ENDED);
    assert_string_equal(c->connection_id, "7f3c2a9e-51b4-4d0c-9b8e-2d6f0a1c4e55");
}

/* ---- a silence outliving its transport (KeepAliveTimeout 6 s: connectionSlow past 4 s,
 * reconnecting past 6 s; the JS client reconnects 2 s after it notices a transport's end) ---- */

/* KeepAlive 3 s: keepalives at 3, 6, 9, then the server goes away. */
static void keepalives_until_nine(scenario *s)
{
    sc_connected_ws(s, 0, 6, 9);
    sc_keepalives(s, 3, 9, 3);
}

/* captures/ws-server-restart: the server's socket dies, the client still raises connectionSlow
 * before its reconnect delay is over. */
static void test_lifecycle_silence_outlives_a_server_close_by_the_reconnect_delay(void **state)
{
    scenario *s = *state;
    keepalives_until_nine(s);
    sc_close(s, 11.1, LF_SR_CLOSED_TCP_FIN, LF_SR_PARTY_SERVER);
    sc_reconnect(s, 15); /* the attempts before it were refused: no request captured */
    sc_finish(s, 16);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
    const lf_finding *late = sc_find(c, SR_FINDING_KEEPALIVE_LATE);
    assert_near(sc_rel(late->time), 13.0);
    assert_near(sc_rel(late->end), 13.1); /* the close + 2 s */
    assert_string_equal(late->message,
                        "no data from server for 4.1 s, over 2/3 of KeepAliveTimeout 6 s (4.0 s): "
                        "the client raises connectionSlow (the transport ended 2.1 s after the "
                        "last data; the client watches keepalives until it starts reconnecting)");
    assert_int_equal(late->evidence_count, 2); /* the last keepalive and the close */
    assert_true(late->evidence[1].frame > late->evidence[0].frame);
}

static void test_lifecycle_server_close_leaving_the_silence_under_two_thirds_is_quiet(void **state)
{
    scenario *s = *state;
    keepalives_until_nine(s);
    sc_close(s, 10.9, LF_SR_CLOSED_TCP_FIN, LF_SR_PARTY_SERVER);
    sc_reconnect(s, 12.9);
    sc_keepalives(s, 14, 20, 3);
    sc_finish(s, 21);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 0);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
}

static void
test_lifecycle_silence_past_timeout_after_a_server_reset_is_late_then_missed(void **state)
{
    scenario *s = *state;
    keepalives_until_nine(s);
    sc_close(s, 13.5, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_reconnect(s, 15.6);
    sc_finish(s, 16);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 1);
    assert_near(sc_rel(sc_find(c, SR_FINDING_KEEPALIVE_LATE)->time), 13.0);
    assert_near(sc_rel(sc_find(c, SR_FINDING_KEEPALIVE_MISSED)->time), 15.0);
    assert_near(sc_rel(sc_find(c, SR_FINDING_KEEPALIVE_MISSED)->end), 15.5);
    assert_non_null(strstr(sc_find(c, SR_FINDING_KEEPALIVE_MISSED)->message,
                           "no data from server for 6.5 s, KeepAliveTimeout 6 s"));
}

/* stop() during the reconnect delay: the client watches nothing after its /abort. */
static void test_lifecycle_abort_during_the_reconnect_delay_ends_the_silence(void **state)
{
    scenario *s = *state;
    keepalives_until_nine(s);
    sc_close(s, 11.1, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_SERVER);
    sc_abort(s, 12.9);
    sc_finish(s, 30);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 0);
    assert_int_equal(c->end, LF_END_STOPPED);
}

/* The client closes its own transport only once it has decided (reconnecting or stopping). */
static void test_lifecycle_client_closing_its_transport_ends_the_silence_at_once(void **state)
{
    scenario *s = *state;
    keepalives_until_nine(s);
    sc_close(s, 12.9, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_finish(s, 30);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 0);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
    assert_int_equal(sc_count(c, SR_FINDING_ABORT_MISSING), 1);
}

/* captures/ws-fallback: the /abort goes first, the server then ends the stream. */
static void test_lifecycle_server_ending_the_transport_after_abort_is_no_silence(void **state)
{
    scenario *s = *state;
    keepalives_until_nine(s);
    sc_abort(s, 12.5);
    sc_close(s, 12.51, LF_SR_CLOSED_RESPONSE_END, LF_SR_PARTY_SERVER);
    sc_finish(s, 20);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 0);
    assert_int_equal(c->end, LF_END_STOPPED);
}

static void test_lifecycle_capture_ending_inside_the_reconnect_delay_cuts_the_silence(void **state)
{
    scenario *s = *state;
    keepalives_until_nine(s);
    sc_close(s, 12.5, LF_SR_CLOSED_TCP_FIN, LF_SR_PARTY_SERVER);
    sc_finish(s, 13.5);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_near(sc_rel(sc_find(c, SR_FINDING_KEEPALIVE_LATE)->end), 13.5);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
}

/* An event of the connection after the delay (a /send, a ping) settles the silence at the
 * delay, not at its own time. */
static void test_lifecycle_outlived_silence_stops_at_the_delay_whatever_comes_later(void **state)
{
    scenario *s = *state;
    keepalives_until_nine(s);
    sc_close(s, 11.1, LF_SR_CLOSED_TCP_FIN, LF_SR_PARTY_SERVER);
    sc_invoke(s, 20, "7");
    sc_finish(s, 25);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
    assert_near(sc_rel(sc_find(c, SR_FINDING_KEEPALIVE_LATE)->end), 13.1);
}

/* ---- reconnect_late / disconnect_timeout around the server's expiry ---- */

/* After a WS loss with the default KAT 20 / DT 30, protocol/sr_timing.h says the server ends
 * the connection at the earliest this long after the loss; the tests probe just either side of
 * it rather than restating the number. */
static double server_expiry(void)
{
    sr_timing_settings st;
    sr_timing_defaults(&st);
    lf_thresholds th;
    lf_thresholds_derive(&st, &th);
    return th.expiry_min_streaming;
}

static void test_lifecycle_reconnect_just_before_server_expiry_is_in_time(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 55, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_reconnect(s, 55 + server_expiry() - 0.2);
    sc_finish(s, 55 + server_expiry() + 5);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_RECONNECT_LATE), 0);
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 0);
}

static void test_lifecycle_reconnect_just_after_server_expiry_is_late(void **state)
{
    scenario *s = *state;
    double expiry = server_expiry();
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 55, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_reconnect(s, 55 + expiry + 0.2);
    sc_keepalives(s, 55 + expiry + 5, 55 + expiry + 15, 10);
    sc_finish(s, 55 + expiry + 16);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_RECONNECT_LATE), 1);
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_near(sc_rel(sc_find(c, SR_FINDING_RECONNECT_LATE)->time), 55 + expiry + 0.2);
    /* just past the earliest expiry the server may not have acted yet: a warning */
    assert_int_equal(sc_find(c, SR_FINDING_RECONNECT_LATE)->severity, SR_SEVERITY_WARNING);
    assert_non_null(strstr(sc_find(c, SR_FINDING_RECONNECT_LATE)->message,
                           "the server may already have ended the connection"));
    assert_near(sc_rel(sc_find(c, SR_FINDING_DISCONNECT_TIMEOUT)->time), 55 + server_expiry());
    /* The 2.1+ server accepted the late reconnect: the connection lives on. */
    assert_int_equal(c->end, LF_END_CAPTURE_ENDED);
}

static void test_lifecycle_transport_lost_for_good_ends_by_disconnect_timeout(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 55, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_finish(s, 55 + server_expiry() + 0.2);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_int_equal(c->end, LF_END_TIMED_OUT);
    assert_near(sc_rel(c->end_time), 55 + server_expiry());
    assert_non_null(
        strstr(sc_find(c, SR_FINDING_DISCONNECT_TIMEOUT)->message, "DisconnectTimeout 30 s"));
}

static void test_lifecycle_capture_ending_before_the_expiry_is_not_a_timeout(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 55, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_finish(s, 55 + server_expiry() - 0.2);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 0);
    assert_int_equal(c->end, LF_END_CAPTURE_ENDED);
}

static void test_lifecycle_abort_after_close_is_a_clean_stop(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 52, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_abort(s, 52.01);
    sc_finish(s, 200);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(c->end, LF_END_STOPPED);
    assert_near(sc_rel(c->end_time), 52.01);
    assert_int_equal(c->finding_count, 0);
}

static void test_lifecycle_client_close_without_abort_reports_abort_missing(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 52, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_finish(s, 200);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_ABORT_MISSING), 1);
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_int_equal(c->end, LF_END_TIMED_OUT);
}

/* The browser retries /reconnect every 2 s while the path is down (captures/ws-reconnect):
 * attempts that never open are neither silences nor the end of the loss. */
static void test_lifecycle_unanswered_reconnect_attempts_are_not_silences(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 4, 8);
    sc_keepalive(s, 1.98);
    sc_close(s, 8.35, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_reconnect_unanswered(s, 8.351);
    sc_reconnect_unanswered(s, 10.384);
    sc_reconnect(s, 12.391);
    sc_keepalive(s, 14);
    sc_abort(s, 14.59);
    sc_finish(s, 15.7);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 1);
    assert_near(sc_rel(sc_find(c, SR_FINDING_KEEPALIVE_MISSED)->time), 5.98);
    assert_int_equal(sc_count(c, SR_FINDING_RECONNECT_LATE), 0);
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 0);
    assert_int_equal(sc_count(c, SR_FINDING_CLIENT_TIMER_STARVATION), 0);
    assert_int_equal(c->end, LF_END_STOPPED);
}

static void test_lifecycle_retries_into_a_dead_path_do_not_hold_off_the_expiry(void **state)
{
    scenario *s = *state;
    double expiry = server_expiry();
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 72, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    for (double t = 74; t < 72 + expiry + 6; t += 2) {
        sc_reconnect_unanswered(s, t);
    }
    sc_finish(s, 72 + expiry + 10);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    /* silent since the keepalive at 50: the transport was lost then, not at the close */
    assert_near(sc_rel(sc_find(c, SR_FINDING_DISCONNECT_TIMEOUT)->time), 50 + server_expiry());
    /* none of the attempts reached the server, so none of them was a late reconnect */
    assert_int_equal(sc_count(c, SR_FINDING_RECONNECT_LATE), 0);
    assert_int_equal(c->end, LF_END_TIMED_OUT);
}

/* captures/ws-outage-expire: the path holds everything for 16 s, the client's Close included;
 * the server keeps writing keepalives to the socket until the held bytes are released, and
 * its disconnect timer only starts then. */
static void test_lifecycle_server_writing_after_the_close_delays_the_expiry(void **state)
{
    scenario *s = *state;
    double expiry = server_expiry();
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 72, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    uint64_t old_stream = s->rx_stream;
    sc_reconnect_unanswered(s, 74);
    /* silent since 50: by this attempt the expiry looks past, until the held data shows up */
    sc_reconnect_unanswered(s, 50 + expiry + 4);
    uint64_t attempt = s->rx_stream;
    s->rx_stream = old_stream;
    sc_keepalives(s, 90, 90, 10); /* released: the server was still writing */
    s->rx_stream = attempt;
    sc_finish(s, 90 + expiry + 1);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_near(sc_rel(sc_find(c, SR_FINDING_DISCONNECT_TIMEOUT)->time), 90 + server_expiry());
}

/* captures/ws-late-reconnect (KeepAlive 6 s, DisconnectTimeout 18 s): the server's side dies
 * right after a keepalive; the browser's side stays open and silent until the client times it
 * out; its retries get through only after the server expired the connection. */
static void test_lifecycle_reconnect_after_a_silent_loss_counts_from_the_silence(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 12, 18);
    sc_keepalive(s, 3.722);
    sc_close(s, 18.080, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_reconnect_unanswered(s, 18.084);
    sc_reconnect_unanswered(s, 20.108);
    sc_reconnect_unanswered(s, 28.144);
    sc_reconnect(s, 30.150);
    sc_abort(s, 33.3);
    sc_finish(s, 34);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 1);
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_int_equal(sc_count(c, SR_FINDING_RECONNECT_LATE), 1);
    const lf_finding *late = sc_find(c, SR_FINDING_RECONNECT_LATE);
    assert_near(sc_rel(late->time), 30.150);
    assert_non_null(strstr(late->message, "reconnect 26.4 s after the transport was lost"));
    assert_int_equal(late->severity, SR_SEVERITY_ERROR); /* past the latest expiry too */
    assert_int_equal(c->end, LF_END_STOPPED);
}

/* ---- scale and memory ---- */

static void test_lifecycle_default_timings_for_three_hours_stay_small(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 3 * 3600, 10);
    sc_finish(s, 3 * 3600 + 1);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(c->keepalives, 3 * 360);
    assert_int_equal(c->finding_count, 0);
    /* negotiate, connect, transport_opened, init, start, started, one keepalive run */
    assert_true(c->event_count <= 8);
    const lf_timeline_event *run = &c->events[c->event_count - 1];
    assert_int_equal(run->type, LF_TL_KEEPALIVE);
    assert_int_equal(run->count, 3 * 360);
    assert_near(run->max_gap, 10);
}

static void test_lifecycle_timeline_of_lifecycle_entries_is_capped(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    /* pings are lifecycle entries, never summarised: only the cap stops them */
    for (int i = 1; i <= LF_MAX_EVENTS + 100; i++) {
        sc_ping(s, i * 0.5);
    }
    sc_finish(s, LF_MAX_EVENTS);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(c->event_count, LF_MAX_EVENTS);
    assert_true(c->events_dropped >= 100);
}

/* Sum of what the timeline's entries of `type` stand for. */
static uint64_t represented(const lf_connection *c, lf_tl_type type)
{
    uint64_t n = 0;
    for (size_t i = 0; i < c->event_count; i++) {
        n += c->events[i].type == type ? c->events[i].count : 0;
    }
    return n;
}

static size_t entries_of(const lf_connection *c, lf_tl_type type)
{
    size_t n = 0;
    for (size_t i = 0; i < c->event_count; i++) {
        n += c->events[i].type == type;
    }
    return n;
}

/* Ten hours of a chat page: a hub call answered every 2 s, a broadcast message every 2 s,
 * keepalives every 10 s between them. */
static void chat_for_ten_hours(scenario *s)
{
    char id[16];
    unsigned call = 0;
    for (double t = 1; t < 10 * 3600; t += 2) {
        snprintf(id, sizeof id, "%u", call++);
        sc_invoke(s, t, id);
        sc_result(s, t + 0.01, id);
        sc_message(s, t + 0.02);
        if ((int)t % 10 == 1) {
            sc_keepalive(s, t + 1);
        }
    }
}

static void test_lifecycle_ten_hour_chatty_connection_stays_small(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    chat_for_ten_hours(s);
    sc_finish(s, 10 * 3600);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(c->finding_count, 0);
    assert_int_equal(c->events_dropped, 0);
    /* the detailed beginning, then one run per routine type */
    assert_true(c->event_count <= LF_DETAILED_EVENTS + LF_RUN_KINDS);
    assert_true(c->event_capacity <= 2 * LF_DETAILED_EVENTS);
    assert_int_equal(represented(c, LF_TL_MESSAGE), 18000);
    assert_int_equal(represented(c, LF_TL_INVOCATION), 18000);
    assert_int_equal(represented(c, LF_TL_RESULT), 18000);
    assert_int_equal(represented(c, LF_TL_KEEPALIVE), c->keepalives);
    const lf_timeline_event *last = &c->events[c->event_count - 1];
    assert_true(last->count > 1000);
    assert_true(sc_rel(last->last.time) > 10 * 3600 - 3);
    assert_near(last->max_gap, 2);
}

static void test_lifecycle_routine_runs_end_at_a_transport_loss(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    for (double t = 1; t < 200; t += 1) {
        sc_message(s, t);
    }
    sc_close(s, 200.5, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_UNKNOWN);
    sc_reconnect(s, 202);
    for (double t = 203; t < 400; t += 1) {
        sc_message(s, t);
    }
    sc_finish(s, 400);
    const lf_connection *c = sc_conn(s, "tok-A");
    /* one run before the loss, one after: the reconnect shows between them */
    const lf_timeline_event *after = &c->events[c->event_count - 1];
    assert_int_equal(after->type, LF_TL_MESSAGE);
    assert_near(sc_rel(after->at.time), 203);
    assert_int_equal(after->count, 197);
    assert_int_equal(entries_of(c, LF_TL_RECONNECT), 1);
    assert_int_equal(represented(c, LF_TL_MESSAGE), 199 + 197);
}

static void test_lifecycle_unanswered_call_inside_a_run_keeps_its_own_entry(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    char id[16];
    for (unsigned i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "%u", i);
        sc_invoke(s, 1 + i, id);
        if (i != 150) { /* call 150 never gets its result */
            sc_result(s, 1.01 + i, id);
        }
    }
    sc_close(s, 210, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_UNKNOWN);
    sc_finish(s, 211);
    const lf_connection *c = sc_conn(s, "tok-A");
    const lf_finding *f = sc_find(c, SR_FINDING_INVOCATION_UNANSWERED);
    assert_non_null(f);
    uint64_t lost_call = f->evidence[0].frame;
    bool shown = false;
    for (size_t i = 0; i < c->event_count; i++) {
        const lf_timeline_event *e = &c->events[i];
        if (e->type == LF_TL_INVOCATION && e->at.frame == lost_call) {
            shown = e->count == 1 && i > 0 && e[-1].at.time <= e->at.time &&
                    (i + 1 == c->event_count || e->at.time <= e[1].at.time) && e->detail != NULL &&
                    strcmp(e->detail, "I 150") == 0;
        }
    }
    assert_true(shown);
    /* the call shown on its own is not counted twice */
    assert_int_equal(represented(c, LF_TL_INVOCATION), 200);
}

static void test_lifecycle_long_poll_cycles_are_summarised(void **state)
{
    scenario *s = *state;
    sc_negotiate(s, 0, 20, 30);
    sc_connect(s, 0.1, SC_LP);
    sc_start(s, 0.2);
    for (double t = 60; t < 10 * 3600; t += 60) {
        sc_message(s, t);
        sc_close(s, t, LF_SR_CLOSED_RESPONSE_END, LF_SR_PARTY_SERVER);
        sc_poll(s, t + 0.01);
    }
    sc_finish(s, 10 * 3600);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(c->finding_count, 0);
    assert_true(c->event_count <= LF_DETAILED_EVENTS + LF_RUN_KINDS);
    assert_int_equal(represented(c, LF_TL_POLL), 599);
    assert_int_equal(represented(c, LF_TL_TRANSPORT_CLOSED), 599);
}

static void test_lifecycle_many_concurrent_connections_are_kept_apart(void **state)
{
    scenario *s = *state;
    enum { N = 300 };
    static char tokens[N][16];
    uint64_t streams[N];
    for (int i = 0; i < N; i++) {
        snprintf(tokens[i], sizeof tokens[i], "tok-%03d", i);
        sc_token(s, tokens[i]);
        sc_connected_ws(s, i * 0.01, 20, 30);
        streams[i] = s->rx_stream;
    }
    for (double t = 10; t <= 120; t += 10) {
        for (int i = 0; i < N; i++) {
            /* tok-007 goes quiet between 40 and 70 */
            if (i == 7 && t > 40 && t < 70) {
                continue;
            }
            sc_token(s, tokens[i]);
            s->rx_stream = streams[i];
            sc_keepalive(s, t + i * 0.01);
        }
    }
    sc_finish(s, 125);
    assert_int_equal(lf_lifecycle_connection_count(s->engine), N);
    for (int i = 0; i < N; i++) {
        const lf_connection *c = sc_conn(s, tokens[i]);
        assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), i == 7 ? 1 : 0);
    }
}

/* ---- transports, servers, legs ---- */

static void test_lifecycle_websocket_falling_back_to_sse_reports_fallback(void **state)
{
    scenario *s = *state;
    sc_negotiate(s, 0, 20, 30);
    sc_connect(s, 0.1, SC_WS);
    sc_close(s, 5.1, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_connect(s, 5.2, SC_SSE);
    sc_init_message(s, 5.3);
    sc_start(s, 5.4);
    sc_keepalives(s, 10, 30, 10);
    sc_finish(s, 31);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_TRANSPORT_FALLBACK), 1);
    assert_string_equal(sc_find(c, SR_FINDING_TRANSPORT_FALLBACK)->message,
                        "transport fell back from webSockets to serverSentEvents under the same "
                        "token");
    assert_int_equal(c->transport_count, 2);
    assert_int_equal(c->transports[0], SC_WS);
    assert_int_equal(c->transports[1], SC_SSE);
}

static void test_lifecycle_cursor_prefix_change_reports_server_restart(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_message(s, 5);
    sc_close(s, 8, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_restart_server(s, "d-1B2C3D4E-");
    sc_reconnect(s, 10);
    sc_message(s, 11);
    sc_finish(s, 12);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_SERVER_CHANGED), 1);
    assert_non_null(
        strstr(sc_find(c, SR_FINDING_SERVER_CHANGED)->message, "from d-6A1F30C2- to d-1B2C3D4E-"));
}

/* A capture on a reverse proxy: every event of the client leg is repeated 2 ms later on the
 * proxy -> server leg (responses the other way round, but a window covers both). */
static void replay_on_two_legs(scenario *s, void (*step)(scenario *, double), double t)
{
    s->client_host = 10;
    s->server_host = 20;
    step(s, t);
    s->client_host = 20; /* the proxy's own address towards the server */
    s->server_host = 30;
    step(s, t + 0.002);
    s->client_host = 10;
    s->server_host = 20;
}

static void negotiate_step(scenario *s, double t)
{
    sc_negotiate(s, t, 20, 30);
}

static void connect_step(scenario *s, double t)
{
    sc_connect(s, t, SC_WS);
}

static void keepalive_step(scenario *s, double t)
{
    sc_keepalive(s, t);
}

static void test_lifecycle_same_connection_on_two_legs_is_counted_once(void **state)
{
    scenario *s = *state;
    replay_on_two_legs(s, negotiate_step, 0);
    replay_on_two_legs(s, connect_step, 0.1);
    for (double t = 10; t <= 50; t += 10) {
        replay_on_two_legs(s, keepalive_step, t);
    }
    for (double t = 75; t <= 95; t += 10) {
        replay_on_two_legs(s, keepalive_step, t);
    }
    sc_finish(s, 96);
    assert_int_equal(lf_lifecycle_connection_count(s->engine), 1);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 1);
    assert_int_equal(c->keepalives, 8);
    assert_int_equal(c->leg_count, 2);
    assert_false(c->legs[0].mirror);
    assert_true(c->legs[1].mirror);
    assert_true(c->legs[1].events > 0);
}

static void test_lifecycle_client_changing_address_is_followed_not_mirrored(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 30, 10);
    sc_close(s, 31, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_CLIENT);
    s->client_host = 99; /* the laptop moved from Wi-Fi to tethering */
    sc_reconnect(s, 36);
    sc_keepalives(s, 40, 60, 10);
    sc_finish(s, 61);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(c->leg_count, 2);
    assert_false(c->legs[1].mirror);
    assert_int_equal(c->keepalives, 6);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 0);
}

/* ---- missing negotiate ---- */

static void test_lifecycle_missing_negotiate_assumes_default_settings(void **state)
{
    scenario *s = *state;
    sc_connect(s, 0.1, SC_WS);
    sc_keepalives(s, 10, 40, 10);
    sc_keepalives(s, 55, 60, 10);
    sc_finish(s, 61);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_null(c->connection_id);
    assert_int_equal(c->settings.source, LF_SETTINGS_ASSUMED);
    assert_int_equal(sc_count(c, SR_FINDING_SETTINGS_ASSUMED), 1);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 1);
}

static void test_lifecycle_missing_negotiate_uses_command_line_settings(void **state)
{
    scenario *s = *state;
    sc_free(s);
    lf_lifecycle_options opts = {.keepalive_timeout = 10, .disconnect_timeout = 15};
    sc_init(s, &opts);
    sc_connect(s, 0.1, SC_WS);
    sc_keepalives(s, 5, 20, 5);
    sc_keepalives(s, 31, 40, 5); /* 11 s: past KeepAliveTimeout 10 */
    sc_finish(s, 41);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_near(c->settings.keepalive_timeout, 10);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 1);
    assert_non_null(
        strstr(sc_find(c, SR_FINDING_SETTINGS_ASSUMED)->message, "KeepAliveTimeout 10 s"));
}

/* ---- long polling ---- */

static void poll_cycle(scenario *s, double from, double held)
{
    sc_poll(s, from);
    sc_message(s, from + held);
    sc_close(s, from + held, LF_SR_CLOSED_RESPONSE_END, LF_SR_PARTY_SERVER);
}

static void test_lifecycle_long_polling_silence_gives_no_keepalive_findings(void **state)
{
    scenario *s = *state;
    sc_negotiate(s, 0, 20, 30);
    sc_connect(s, 0.1, SC_LP);
    sc_init_message(s, 0.12);
    sc_close(s, 0.12, LF_SR_CLOSED_RESPONSE_END, LF_SR_PARTY_SERVER);
    sc_start(s, 0.2);
    for (int i = 0; i < 5; i++) {
        poll_cycle(s, 0.4 + i * 110.1, 110);
    }
    sc_finish(s, 560);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 0);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
    assert_int_equal(sc_count(c, SR_FINDING_POLL_OVERDUE), 0);
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 0);
    assert_int_equal(c->polls, 6); /* the /connect and five polls */
    assert_near(c->poll_max_held, 110);
    assert_near(c->poll_max_gap, 0.28); /* from the init response to the first poll */
}

static void test_lifecycle_long_poll_held_past_connection_timeout_is_overdue(void **state)
{
    scenario *s = *state;
    sc_negotiate(s, 0, 20, 30);
    sc_connect(s, 0.1, SC_LP);
    sc_init_message(s, 0.12);
    sc_close(s, 0.12, LF_SR_CLOSED_RESPONSE_END, LF_SR_PARTY_SERVER);
    poll_cycle(s, 0.4, 130);
    sc_poll(s, 130.5);
    sc_finish(s, 131);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_POLL_OVERDUE), 1);
}

static void test_lifecycle_long_polling_stopping_between_polls_times_out(void **state)
{
    scenario *s = *state;
    sc_negotiate(s, 0, 20, 30);
    sc_connect(s, 0.1, SC_LP);
    sc_init_message(s, 0.12);
    sc_close(s, 0.12, LF_SR_CLOSED_RESPONSE_END, LF_SR_PARTY_SERVER);
    poll_cycle(s, 0.4, 50);
    sc_finish(s, 200);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_int_equal(c->end, LF_END_TIMED_OUT);
}

/* ---- failures and server-side signals ---- */

static void test_lifecycle_reconnect_rejected_with_400_is_reported(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_close(s, 5, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_reconnect_rejected(s, 7, 400, "The ConnectionId is in the incorrect format.");
    sc_finish(s, 100);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_REQUEST_REJECTED), 1);
    assert_string_equal(sc_find(c, SR_FINDING_REQUEST_REJECTED)->message,
                        "/reconnect answered 400: The ConnectionId is in the incorrect format.");
    /* The rejected reconnect did not end the loss that started at 5 s. */
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_near(sc_rel(sc_find(c, SR_FINDING_DISCONNECT_TIMEOUT)->time), 5 + server_expiry());
}

static void test_lifecycle_invocation_pending_when_websocket_drops(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_invoke(s, 3, "0");
    sc_result(s, 3.1, "0");
    sc_invoke(s, 4, "1");
    sc_invoke(s, 4.5, "2");
    sc_close(s, 5, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_reconnect(s, 7);
    sc_finish(s, 8);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_INVOCATION_UNANSWERED), 1);
    assert_string_equal(sc_find(c, SR_FINDING_INVOCATION_UNANSWERED)->message,
                        "2 hub invocation(s) had no result when the webSockets transport "
                        "dropped");
}

/* On SSE the result comes back in the /send response, so it may still arrive after the drop. */
static void sse_call_then_drop(scenario *s)
{
    sc_negotiate(s, 0, 20, 30);
    sc_connect(s, 0.1, SC_SSE);
    sc_init_message(s, 0.15);
    sc_start(s, 0.2);
    sc_invoke(s, 3, "0");
    sc_close(s, 5, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_reconnect(s, 7);
}

static void test_lifecycle_sse_call_answered_after_the_drop_is_fine(void **state)
{
    scenario *s = *state;
    sse_call_then_drop(s);
    sc_result(s, 7.5, "0");
    sc_finish(s, 8);
    assert_int_equal(sc_count(sc_conn(s, "tok-A"), SR_FINDING_INVOCATION_UNANSWERED), 0);
}

static void test_lifecycle_sse_call_never_answered_after_the_drop(void **state)
{
    scenario *s = *state;
    sse_call_then_drop(s);
    sc_finish(s, 60);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_INVOCATION_UNANSWERED), 1);
    const lf_finding *f = sc_find(c, SR_FINDING_INVOCATION_UNANSWERED);
    assert_near(sc_rel(f->time), 5);
    assert_non_null(strstr(f->message, "serverSentEvents transport dropped"));
}

static void test_lifecycle_disconnect_command_answering_a_reconnect(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_close(s, 5, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_reconnect(s, 20);
    sc_disconnect_command(s, 20.01);
    sc_finish(s, 30);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_COMMAND), 1);
    assert_int_equal(sc_count(c, SR_FINDING_RECONNECT_LATE), 1);
    assert_non_null(strstr(sc_find(c, SR_FINDING_RECONNECT_LATE)->message,
                           "answered with the disconnect command"));
    assert_int_equal(c->end, LF_END_SERVER_DISCONNECT);
}

static void test_lifecycle_reconnect_while_keepalives_arrive_is_timer_starvation(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 60, 10);
    sc_close(s, 62, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_reconnect(s, 64);
    sc_finish(s, 70);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_CLIENT_TIMER_STARVATION), 1);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 0);
}

/* captures/ff-reconnect: the forever-frame client re-points its iframe on every beat until one
 * opens, so a fresh transport is replaced a moment after it opened: a burst, not starvation. */
static void test_lifecycle_forever_frame_reconnect_burst_is_not_starvation(void **state)
{
    scenario *s = *state;
    sc_negotiate(s, 0, 4, 8);
    sc_connect(s, 0.05, SC_FF);
    sc_init_message(s, 0.12);
    sc_start(s, 0.14);
    sc_keepalive(s, 1.98);
    sc_reconnect_unanswered(s, 8.39);
    sc_reconnect_unanswered(s, 8.83);
    sc_reconnect(s, 11.78);
    sc_keepalive(s, 11.99);
    sc_reconnect(s, 12.20);
    sc_keepalives(s, 14, 20, 2);
    sc_finish(s, 21);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_CLIENT_TIMER_STARVATION), 0);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 1);
}

static void test_lifecycle_negotiate_never_followed_by_connect(void **state)
{
    scenario *s = *state;
    sc_negotiate(s, 0, 20, 30);
    sc_finish(s, 60);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_NEGOTIATE_NOT_FOLLOWED), 1);
    assert_int_equal(c->end, LF_END_FAILED);
}

static void test_lifecycle_restart_after_stop_links_to_the_previous_token(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_close(s, 10, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_abort(s, 10.01);
    sc_token(s, "tok-B");
    s->stale_token = "tok-A"; /* the JS client never clears its token on stop() */
    sc_connected_ws(s, 15, 20, 30);
    sc_finish(s, 20);
    assert_null(sc_conn(s, "tok-A")->previous_token);
    assert_string_equal(sc_conn(s, "tok-B")->previous_token, "tok-A");
    assert_int_equal(sc_conn(s, "tok-A")->end, LF_END_STOPPED);
}

static void test_lifecycle_absurd_negotiated_timeouts_do_not_overflow(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 1e11, 1e12);
    sc_keepalive(s, 10);
    sc_close(s, 20, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_finish(s, 1e6);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 0);
    assert_int_equal(c->end, LF_END_CAPTURE_ENDED);
}

static void test_lifecycle_implausibly_long_token_is_not_tracked(void **state)
{
    scenario *s = *state;
    static char huge[8192];
    memset(huge, 'A', sizeof huge - 1);
    sc_token(s, huge);
    sc_connect(s, 0.1, SC_WS);
    sc_finish(s, 1);
    assert_int_equal(lf_lifecycle_connection_count(s->engine), 0);
    assert_true(lf_lifecycle_events_untracked(s->engine) > 0);
}

static void test_lifecycle_max_connections_bounds_the_tracked_tokens(void **state)
{
    scenario *s = *state;
    sc_free(s);
    lf_lifecycle_options opts = {.max_connections = 2};
    sc_init(s, &opts);
    const char *tokens[] = {"t1", "t2", "t3"};
    for (int i = 0; i < 3; i++) {
        sc_token(s, tokens[i]);
        sc_connect(s, i, SC_WS);
    }
    sc_finish(s, 5);
    assert_int_equal(lf_lifecycle_connection_count(s->engine), 2);
    assert_null(sc_conn(s, "t3"));
    assert_true(lf_lifecycle_events_untracked(s->engine) > 0);
}

/* captures/ff-refused: forever frame asked for in a browser with EventSource: no /connect at
 * all, the client gives up and still POSTs /abort. */
static void test_lifecycle_negotiate_then_abort_without_connect_failed(void **state)
{
    scenario *s = *state;
    sc_negotiate(s, 0, 4, 8);
    sc_abort(s, 0.046);
    sc_finish(s, 2.2);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_NEGOTIATE_NOT_FOLLOWED), 1);
    assert_non_null(strstr(sc_find(c, SR_FINDING_NEGOTIATE_NOT_FOLLOWED)->message,
                           "the client sent /abort instead 0.0 s later"));
    assert_int_equal(c->end, LF_END_FAILED);
}

typedef struct retired {
    char tokens[8][16];
    lf_end_type ends[8];
    int disconnect_timeouts[8];
    size_t count;
} retired;

static void collect(void *ctx, const lf_connection *c)
{
    retired *r = ctx;
    if (r->count < 8) {
        snprintf(r->tokens[r->count], sizeof r->tokens[0], "%s", c->token);
        r->ends[r->count] = c->end;
        r->disconnect_timeouts[r->count] = sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT);
        r->count++;
    }
}

static int retired_index(const retired *r, const char *token)
{
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->tokens[i], token) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* A day of traffic must not keep every connection ever seen: once over and quiet, a connection
 * is settled and handed to the report while the capture goes on. */
static void test_lifecycle_finished_connections_are_retired_while_the_capture_goes_on(void **state)
{
    scenario *s = *state;
    sc_free(s);
    static retired r;
    memset(&r, 0, sizeof r);
    lf_lifecycle_options opts = {.on_retire = collect, .retire_ctx = &r};
    sc_init(s, &opts);
    sc_token(s, "stops");
    sc_connected_ws(s, 0, 20, 30);
    sc_close(s, 10, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_abort(s, 10.01);
    sc_token(s, "vanishes");
    sc_connected_ws(s, 1, 20, 30);
    sc_close(s, 20, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_token(s, "lives");
    sc_connected_ws(s, 2, 20, 30);
    sc_keepalives(s, 10, 1000, 10);
    assert_int_equal(r.count, 2);
    assert_int_equal(lf_lifecycle_connection_count(s->engine), 1);
    assert_int_equal(r.ends[retired_index(&r, "stops")], LF_END_STOPPED);
    int gone = retired_index(&r, "vanishes");
    assert_int_equal(r.ends[gone], LF_END_TIMED_OUT);
    assert_int_equal(r.disconnect_timeouts[gone], 1); /* settled before it was handed over */
    sc_finish(s, 1001);
    assert_int_equal(r.count, 3);
    assert_int_equal(r.ends[retired_index(&r, "lives")], LF_END_CAPTURE_ENDED);
    assert_int_equal(lf_lifecycle_connection_count(s->engine), 0);
}

static void keep_copy(void *ctx, const lf_connection *c)
{
    lf_connection **kept = ctx;
    if (*kept == NULL) {
        *kept = lf_connection_copy(c);
    }
}

/* A reader that must decide later (a --connection prefix) keeps a copy past the hand-over. */
static void test_lifecycle_copied_connection_outlives_the_engine(void **state)
{
    scenario *s = *state;
    sc_free(s);
    static lf_connection *kept;
    kept = NULL;
    lf_lifecycle_options opts = {.on_retire = keep_copy, .retire_ctx = &kept};
    sc_init(s, &opts);
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 60, 10);
    sc_keepalives(s, 80.3, 90, 10);
    sc_finish(s, 91);
    sc_free(s);
    sc_init(s, NULL); /* the engine and its records are gone */
    assert_non_null(kept);
    assert_string_equal(kept->token, "tok-A");
    assert_string_equal(kept->connection_id, "7f3c2a9e-51b4-4d0c-9b8e-2d6f0a1c4e55");
    assert_string_equal(kept->hubs[0], "chathub");
    assert_int_equal(sc_count(kept, SR_FINDING_KEEPALIVE_MISSED), 1);
    assert_non_null(strstr(sc_find(kept, SR_FINDING_KEEPALIVE_MISSED)->message, "20.3 s"));
    assert_int_equal(kept->events[kept->event_count - 1].type, LF_TL_KEEPALIVE);
    const lf_timeline_event *init = NULL;
    for (size_t i = 0; i < kept->event_count && init == NULL; i++) {
        init = kept->events[i].type == LF_TL_INIT ? &kept->events[i] : NULL;
    }
    assert_non_null(init);
    assert_non_null(strstr(init->detail, "d-6A1F30C2-")); /* its cursor, copied */
    lf_connection_free(kept);
}

static void test_lifecycle_events_without_token_are_ignored(void **state)
{
    scenario *s = *state;
    lf_signalr_event ping;
    memset(&ping, 0, sizeof ping);
    ping.type = LF_SR_REQUEST;
    ping.request_kind = SR_REQUEST_PING;
    sc_feed(s, &ping, 1, 0);
    sc_finish(s, 2);
    assert_int_equal(lf_lifecycle_connection_count(s->engine), 0);
}

static void test_lifecycle_finding_names_round_trip_and_keep_their_wording(void **state)
{
    (void)state;
    for (int i = 0; i < SR_FINDING_TYPE_COUNT; i++) {
        assert_int_equal(sr_finding_from_name(sr_finding_name((sr_finding_type)i)), i);
    }
    assert_string_equal(sr_finding_name(SR_FINDING_KEEPALIVE_LATE), "keepalive_late");
    assert_string_equal(sr_finding_name(SR_FINDING_KEEPALIVE_MISSED), "keepalive_missed");
    assert_string_equal(sr_finding_name(SR_FINDING_RECONNECT_LATE), "reconnect_late");
    assert_string_equal(sr_finding_name(SR_FINDING_DISCONNECT_TIMEOUT), "disconnect_timeout");
    assert_int_equal(sr_finding_from_name("no_such_finding"), -1);
    char text[16];
    sr_finding_values v = {.observed = 23.4, .setting = 20};
    int full = sr_finding_format(text, sizeof text, SR_FINDING_KEEPALIVE_MISSED, &v);
    assert_true(full >= (int)sizeof text);
    assert_int_equal(strlen(text), sizeof text - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, sc_fixture_setup, sc_fixture_teardown)
        T(test_lifecycle_keepalive_gap_just_under_two_thirds_is_quiet),
        T(test_lifecycle_keepalive_gap_just_over_two_thirds_is_late),
        T(test_lifecycle_keepalive_gap_just_under_timeout_is_only_late),
        T(test_lifecycle_keepalive_gap_just_over_timeout_is_late_then_missed),
        T(test_lifecycle_thresholds_follow_this_connections_negotiate),
        T(test_lifecycle_hub_result_on_websocket_does_not_reset_the_keepalive_timer),
        T(test_lifecycle_silence_outlives_a_server_close_by_the_reconnect_delay),
        T(test_lifecycle_server_close_leaving_the_silence_under_two_thirds_is_quiet),
        T(test_lifecycle_silence_past_timeout_after_a_server_reset_is_late_then_missed),
        T(test_lifecycle_abort_during_the_reconnect_delay_ends_the_silence),
        T(test_lifecycle_client_closing_its_transport_ends_the_silence_at_once),
        T(test_lifecycle_server_ending_the_transport_after_abort_is_no_silence),
        T(test_lifecycle_capture_ending_inside_the_reconnect_delay_cuts_the_silence),
        T(test_lifecycle_outlived_silence_stops_at_the_delay_whatever_comes_later),
        T(test_lifecycle_silence_then_reconnect_within_disconnect_timeout),
        T(test_lifecycle_reconnect_just_before_server_expiry_is_in_time),
        T(test_lifecycle_reconnect_just_after_server_expiry_is_late),
        T(test_lifecycle_transport_lost_for_good_ends_by_disconnect_timeout),
        T(test_lifecycle_capture_ending_before_the_expiry_is_not_a_timeout),
        T(test_lifecycle_abort_after_close_is_a_clean_stop),
        T(test_lifecycle_client_close_without_abort_reports_abort_missing),
        T(test_lifecycle_unanswered_reconnect_attempts_are_not_silences),
        T(test_lifecycle_retries_into_a_dead_path_do_not_hold_off_the_expiry),
        T(test_lifecycle_server_writing_after_the_close_delays_the_expiry),
        T(test_lifecycle_reconnect_after_a_silent_loss_counts_from_the_silence),
        T(test_lifecycle_default_timings_for_three_hours_stay_small),
        T(test_lifecycle_timeline_of_lifecycle_entries_is_capped),
        T(test_lifecycle_ten_hour_chatty_connection_stays_small),
        T(test_lifecycle_routine_runs_end_at_a_transport_loss),
        T(test_lifecycle_unanswered_call_inside_a_run_keeps_its_own_entry),
        T(test_lifecycle_long_poll_cycles_are_summarised),
        T(test_lifecycle_many_concurrent_connections_are_kept_apart),
        T(test_lifecycle_websocket_falling_back_to_sse_reports_fallback),
        T(test_lifecycle_cursor_prefix_change_reports_server_restart),
        T(test_lifecycle_same_connection_on_two_legs_is_counted_once),
        T(test_lifecycle_client_changing_address_is_followed_not_mirrored),
        T(test_lifecycle_missing_negotiate_assumes_default_settings),
        T(test_lifecycle_missing_negotiate_uses_command_line_settings),
        T(test_lifecycle_long_polling_silence_gives_no_keepalive_findings),
        T(test_lifecycle_long_poll_held_past_connection_timeout_is_overdue),
        T(test_lifecycle_long_polling_stopping_between_polls_times_out),
        T(test_lifecycle_reconnect_rejected_with_400_is_reported),
        T(test_lifecycle_invocation_pending_when_websocket_drops),
        T(test_lifecycle_sse_call_answered_after_the_drop_is_fine),
        T(test_lifecycle_sse_call_never_answered_after_the_drop),
        T(test_lifecycle_disconnect_command_answering_a_reconnect),
        T(test_lifecycle_reconnect_while_keepalives_arrive_is_timer_starvation),
        T(test_lifecycle_forever_frame_reconnect_burst_is_not_starvation),
        T(test_lifecycle_negotiate_never_followed_by_connect),
        T(test_lifecycle_restart_after_stop_links_to_the_previous_token),
        T(test_lifecycle_absurd_negotiated_timeouts_do_not_overflow),
        T(test_lifecycle_implausibly_long_token_is_not_tracked),
        T(test_lifecycle_max_connections_bounds_the_tracked_tokens),
        T(test_lifecycle_negotiate_then_abort_without_connect_failed),
        T(test_lifecycle_finished_connections_are_retired_while_the_capture_goes_on),
        T(test_lifecycle_copied_connection_outlives_the_engine),
        T(test_lifecycle_events_without_token_are_ignored),
        T(test_lifecycle_finding_names_round_trip_and_keep_their_wording),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

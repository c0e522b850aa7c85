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

static int setup(void **state)
{
    static scenario s;
    sc_init(&s, NULL);
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    sc_free(*state);
    return 0;
}

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

static void test_lifecycle_keepalive_gap_just_over_timeout_is_missed(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 60, 10);
    sc_keepalives(s, 80.3, 100, 10);
    sc_finish(s, 101);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_MISSED), 1);
    assert_int_equal(sc_count(c, SR_FINDING_KEEPALIVE_LATE), 0);
    const lf_finding *f = sc_find(c, SR_FINDING_KEEPALIVE_MISSED);
    assert_near(sc_rel(f->time), 80);
    assert_string_equal(f->message, "no data from server for 20.3 s, KeepAliveTimeout 20 s: the "
                                    "client starts reconnecting");
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

/* ---- reconnect_late / disconnect_timeout around the server's expiry ---- */

/* After a WS loss with the default KAT 20 / DT 30, protocol/sr_timing.h says the server ends
 * the connection between these two delays; the tests probe just either side of the last one
 * (the certain expiry) rather than restating the numbers. */
static lf_thresholds default_thresholds(void)
{
    sr_timing_settings st;
    sr_timing_defaults(&st);
    lf_thresholds th;
    lf_thresholds_derive(&st, &th);
    return th;
}

static double streaming_expiry(void)
{
    return default_thresholds().expiry_max_streaming;
}

static double streaming_expiry_earliest(void)
{
    return default_thresholds().expiry_min_streaming;
}

static void test_lifecycle_reconnect_just_before_server_expiry_is_in_time(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 55, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_reconnect(s, 55 + streaming_expiry() - 0.2);
    sc_finish(s, 55 + streaming_expiry() + 5);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_RECONNECT_LATE), 0);
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 0);
}

static void test_lifecycle_reconnect_just_after_server_expiry_is_late(void **state)
{
    scenario *s = *state;
    double expiry = streaming_expiry();
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
    assert_near(sc_rel(sc_find(c, SR_FINDING_DISCONNECT_TIMEOUT)->time),
                55 + streaming_expiry_earliest());
    /* The 2.1+ server accepted the late reconnect: the connection lives on. */
    assert_int_equal(c->end, LF_END_CAPTURE_ENDED);
}

static void test_lifecycle_transport_lost_for_good_ends_by_disconnect_timeout(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 55, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_finish(s, 55 + streaming_expiry() + 0.2);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(sc_count(c, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_int_equal(c->end, LF_END_TIMED_OUT);
    assert_near(sc_rel(c->end_time), 55 + streaming_expiry_earliest());
    assert_non_null(
        strstr(sc_find(c, SR_FINDING_DISCONNECT_TIMEOUT)->message, "DisconnectTimeout 30 s"));
}

static void test_lifecycle_capture_ending_before_the_expiry_is_not_a_timeout(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 50, 10);
    sc_close(s, 55, LF_SR_CLOSED_TCP_RST, LF_SR_PARTY_SERVER);
    sc_finish(s, 55 + streaming_expiry() - 0.2);
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

static void test_lifecycle_chatty_connection_timeline_is_capped(void **state)
{
    scenario *s = *state;
    sc_connected_ws(s, 0, 20, 30);
    for (int i = 1; i <= LF_MAX_EVENTS + 100; i++) {
        sc_message(s, i * 0.5);
    }
    sc_finish(s, LF_MAX_EVENTS);
    const lf_connection *c = sc_conn(s, "tok-A");
    assert_int_equal(c->event_count, LF_MAX_EVENTS);
    assert_true(c->events_dropped >= 100);
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
    assert_near(sc_rel(sc_find(c, SR_FINDING_DISCONNECT_TIMEOUT)->time),
                5 + streaming_expiry_earliest());
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
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_lifecycle_keepalive_gap_just_under_two_thirds_is_quiet),
        T(test_lifecycle_keepalive_gap_just_over_two_thirds_is_late),
        T(test_lifecycle_keepalive_gap_just_under_timeout_is_only_late),
        T(test_lifecycle_keepalive_gap_just_over_timeout_is_missed),
        T(test_lifecycle_thresholds_follow_this_connections_negotiate),
        T(test_lifecycle_hub_result_on_websocket_does_not_reset_the_keepalive_timer),
        T(test_lifecycle_silence_then_reconnect_within_disconnect_timeout),
        T(test_lifecycle_reconnect_just_before_server_expiry_is_in_time),
        T(test_lifecycle_reconnect_just_after_server_expiry_is_late),
        T(test_lifecycle_transport_lost_for_good_ends_by_disconnect_timeout),
        T(test_lifecycle_capture_ending_before_the_expiry_is_not_a_timeout),
        T(test_lifecycle_abort_after_close_is_a_clean_stop),
        T(test_lifecycle_client_close_without_abort_reports_abort_missing),
        T(test_lifecycle_default_timings_for_three_hours_stay_small),
        T(test_lifecycle_chatty_connection_timeline_is_capped),
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
        T(test_lifecycle_disconnect_command_answering_a_reconnect),
        T(test_lifecycle_reconnect_while_keepalives_arrive_is_timer_starvation),
        T(test_lifecycle_negotiate_never_followed_by_connect),
        T(test_lifecycle_restart_after_stop_links_to_the_previous_token),
        T(test_lifecycle_absurd_negotiated_timeouts_do_not_overflow),
        T(test_lifecycle_events_without_token_are_ignored),
        T(test_lifecycle_finding_names_round_trip_and_keep_their_wording),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The plugin's lifecycle rules (dissector/signalr_lifecycle.c) on timelines of one connection
 * with the server defaults: KeepAliveTimeout 20 s (connectionSlow at 13.3 s), DisconnectTimeout
 * 30 s, so the server expires a lost WebSocket between 30 and 40 s after the loss. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "signalr_lifecycle.h"

typedef struct {
    wmem_allocator_t *scope;
    sr_timing_settings settings;
    signalr_lifecycle life;
    signalr_findings found;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    f->scope = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    sr_timing_defaults(&f->settings);
    f->found.scope = f->scope;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    wmem_destroy_allocator(f->scope);
    g_free(f);
    return 0;
}

static nstime_t at(double seconds)
{
    nstime_t t;
    t.secs = (time_t)seconds;
    t.nsecs = (int)((seconds - (double)t.secs) * 1e9 + 0.5);
    return t;
}

static int count(const fixture *f, sr_finding_type type)
{
    int n = 0;
    for (int i = 0; i < f->found.count; i++) {
        n += f->found.type[i] == type;
    }
    return n;
}

static void request(fixture *f, sr_request_kind kind, sr_transport transport, double when)
{
    nstime_t t = at(when);
    signalr_life_request(&f->life, &f->settings, kind, transport, &t, &f->found);
}

static void server_frame(fixture *f, double when)
{
    nstime_t t = at(when);
    signalr_life_server_frame(&f->life, &f->settings, SR_TRANSPORT_WEBSOCKETS, &t, &f->found);
}

static void transport_end(fixture *f, gboolean by_client, double when)
{
    nstime_t t = at(when);
    signalr_life_transport_end(&f->life, &f->settings, SR_TRANSPORT_WEBSOCKETS, by_client, &t,
                               &f->found);
}

/* The server takes the latest receive request (101, stream headers, a poll answer). */
static void opened(fixture *f)
{
    nstime_t t = f->life.receive_request_at;
    signalr_life_transport_opened(&f->life, &f->settings, &t, &f->found);
}

static void tick(fixture *f, double when)
{
    nstime_t t = at(when);
    signalr_life_tick(&f->life, &f->settings, &t, &f->found);
}

/* A WebSocket connection opened at 0 s whose init message arrived at 0.1 s. */
static void websocket_open(fixture *f)
{
    request(f, SR_REQUEST_CONNECT, SR_TRANSPORT_WEBSOCKETS, 0.0);
    server_frame(f, 0.1);
}

static void test_keepalives_every_ten_seconds_raise_nothing(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    server_frame(f, 10.1);
    server_frame(f, 20.1);
    assert_int_equal(f->found.count, 0);
}

static void test_fifteen_second_silence_is_a_late_keepalive(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    server_frame(f, 15.1);
    assert_int_equal(count(f, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_int_equal(count(f, SR_FINDING_KEEPALIVE_MISSED), 0);
    assert_string_equal(f->found.text[0], "no data from server for 15.0 s, over 2/3 of "
                                          "KeepAliveTimeout 20 s (13.3 s): the client raises "
                                          "connectionSlow");
}

static void test_silence_over_keepalive_timeout_is_late_then_missed(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    server_frame(f, 21.5);
    assert_int_equal(f->found.count, 2);
    assert_int_equal(f->found.type[0], SR_FINDING_KEEPALIVE_LATE);
    assert_int_equal(f->found.type[1], SR_FINDING_KEEPALIVE_MISSED);
}

static void test_long_polling_gaps_are_not_keepalive_faults(void **state)
{
    fixture *f = *state;
    request(f, SR_REQUEST_CONNECT, SR_TRANSPORT_LONG_POLLING, 0.0);
    nstime_t t = at(60.0);
    signalr_life_server_frame(&f->life, &f->settings, SR_TRANSPORT_LONG_POLLING, &t, &f->found);
    assert_int_equal(f->found.count, 0);
}

static void test_disabled_keepalive_never_flags_silence(void **state)
{
    fixture *f = *state;
    f->settings.keepalive_disabled = TRUE;
    f->settings.keep_alive_timeout_ms = 0;
    websocket_open(f);
    server_frame(f, 100.0);
    assert_int_equal(f->found.count, 0);
}

static void test_reconnect_ending_a_silence_is_flagged_once_across_retries(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 22.3);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 26.3);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 50.3);
    server_frame(f, 50.4);
    assert_int_equal(count(f, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_int_equal(count(f, SR_FINDING_KEEPALIVE_MISSED), 1);
    assert_int_equal(f->found.count, 2);
}

static void test_reconnect_after_a_closed_transport_is_not_a_silence(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, FALSE, 5.0);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 7.0);
    server_frame(f, 7.1);
    assert_int_equal(f->found.count, 0);
}

static void test_silence_goes_on_past_a_server_close_for_the_reconnect_delay(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, FALSE, 12.0);
    assert_int_equal(f->found.count, 0);
    assert_true(signalr_life_has_deadline(&f->life));
    tick(f, 14.5);
    assert_int_equal(count(f, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_int_equal(count(f, SR_FINDING_KEEPALIVE_MISSED), 0);
}

static void test_reconnect_cuts_short_the_silence_after_a_server_close(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, FALSE, 12.0);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 13.0);
    tick(f, 20.0);
    assert_int_equal(f->found.count, 0);
}

static void test_client_close_after_a_long_silence_is_judged_at_once(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, TRUE, 21.0);
    assert_int_equal(count(f, SR_FINDING_KEEPALIVE_LATE), 1);
    assert_int_equal(count(f, SR_FINDING_KEEPALIVE_MISSED), 1);
}

static void test_transport_silent_past_the_timeout_was_lost_at_its_last_data(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, TRUE, 25.0);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 31.0);
    opened(f);
    assert_int_equal(count(f, SR_FINDING_RECONNECT_LATE), 1);
}

static void test_refused_reconnects_do_not_stop_the_expiry(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, FALSE, 5.0);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 20.0);
    signalr_life_attempt_failed(&f->life);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 34.0);
    tick(f, 35.5);
    assert_int_equal(count(f, SR_FINDING_DISCONNECT_TIMEOUT), 0); /* 34.0 may be in time */
    signalr_life_attempt_failed(&f->life);
    tick(f, 36.0);
    assert_int_equal(count(f, SR_FINDING_DISCONNECT_TIMEOUT), 1);
}

static void test_reconnect_past_the_expiry_window_start_is_late(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, FALSE, 5.0);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 50.0);
    assert_int_equal(count(f, SR_FINDING_RECONNECT_LATE), 0);
    opened(f);
    assert_int_equal(count(f, SR_FINDING_RECONNECT_LATE), 1);
    assert_string_equal(f->found.text[0],
                        "reconnect 45.0 s after the transport was lost, past the server's "
                        "expiry at 30.0-40.0 s (DisconnectTimeout 30 s): the server had already "
                        "ended the connection");
}

static void test_reconnect_inside_the_window_start_is_on_time(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, FALSE, 5.0);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 34.0);
    assert_int_equal(f->found.count, 0);
}

static void test_expiry_is_reported_once_at_the_first_frame_past_the_window_start(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, FALSE, 5.0);
    tick(f, 34.9);
    assert_int_equal(f->found.count, 0);
    tick(f, 35.1);
    tick(f, 60.0);
    assert_int_equal(count(f, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_int_equal(count(f, SR_FINDING_ABORT_MISSING), 0);
    assert_false(signalr_life_has_deadline(&f->life));
}

static void test_client_close_without_abort_expires_with_abort_missing(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, TRUE, 5.0);
    tick(f, 40.0);
    assert_int_equal(count(f, SR_FINDING_DISCONNECT_TIMEOUT), 1);
    assert_int_equal(count(f, SR_FINDING_ABORT_MISSING), 1);
}

static void test_abort_after_client_close_prevents_any_expiry(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, TRUE, 5.0);
    request(f, SR_REQUEST_ABORT, SR_TRANSPORT_WEBSOCKETS, 5.1);
    tick(f, 100.0);
    assert_int_equal(f->found.count, 0);
    assert_false(signalr_life_has_deadline(&f->life));
}

static void test_second_connect_with_another_transport_is_one_fallback(void **state)
{
    fixture *f = *state;
    request(f, SR_REQUEST_CONNECT, SR_TRANSPORT_WEBSOCKETS, 0.0);
    request(f, SR_REQUEST_CONNECT, SR_TRANSPORT_SERVER_SENT_EVENTS, 0.1);
    request(f, SR_REQUEST_CONNECT, SR_TRANSPORT_LONG_POLLING, 5.2);
    assert_int_equal(count(f, SR_FINDING_TRANSPORT_FALLBACK), 1);
    assert_string_equal(f->found.text[0],
                        "transport fell back from webSockets to serverSentEvents under the "
                        "same token");
}

static void test_negotiate_without_connect_is_flagged_after_transport_connect_timeout(void **state)
{
    fixture *f = *state;
    nstime_t t = at(100.0);
    signalr_life_negotiated(&f->life, &t);
    tick(f, 104.0);
    assert_int_equal(f->found.count, 0);
    tick(f, 110.0);
    tick(f, 120.0);
    assert_int_equal(count(f, SR_FINDING_NEGOTIATE_NOT_FOLLOWED), 1);
}

static void test_negotiate_followed_by_connect_is_quiet(void **state)
{
    fixture *f = *state;
    nstime_t t = at(100.0);
    signalr_life_negotiated(&f->life, &t);
    request(f, SR_REQUEST_CONNECT, SR_TRANSPORT_WEBSOCKETS, 100.2);
    tick(f, 200.0);
    assert_int_equal(f->found.count, 0);
}

static void test_disconnect_command_answering_a_reconnect_makes_it_late(void **state)
{
    fixture *f = *state;
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 0.0);
    signalr_life_disconnect_command(&f->life, &f->settings, SR_REQUEST_RECONNECT, &f->found);
    assert_int_equal(count(f, SR_FINDING_DISCONNECT_COMMAND), 1);
    assert_int_equal(count(f, SR_FINDING_RECONNECT_LATE), 1);
}

static void test_cursor_prefix_change_means_another_server(void **state)
{
    fixture *f = *state;
    signalr_life_cursor_prefix(&f->life, "d-6A1F30C2", &f->found);
    signalr_life_cursor_prefix(&f->life, "d-6A1F30C2", &f->found);
    assert_int_equal(f->found.count, 0);
    signalr_life_cursor_prefix(&f->life, "d-36FFAC95", &f->found);
    assert_int_equal(count(f, SR_FINDING_SERVER_CHANGED), 1);
}

static void test_hub_call_pending_when_the_websocket_closes_is_unanswered(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    signalr_life_call(&f->life, "0", 1);
    signalr_life_call(&f->life, "1", 1);
    signalr_life_result(&f->life, "0", 1);
    transport_end(f, FALSE, 5.0);
    assert_int_equal(count(f, SR_FINDING_INVOCATION_UNANSWERED), 1);
    assert_string_equal(f->found.text[0],
                        "1 hub invocation(s) had no result when the webSockets transport dropped");
}

static void test_answered_hub_calls_leave_nothing_behind(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    signalr_life_call(&f->life, "7", 1);
    signalr_life_result(&f->life, "7", 1);
    transport_end(f, FALSE, 5.0);
    assert_int_equal(count(f, SR_FINDING_INVOCATION_UNANSWERED), 0);
}

static void test_reconnect_from_a_fed_established_transport_means_starved_timers(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    server_frame(f, 10.1);
    server_frame(f, 20.1);
    server_frame(f, 30.1);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 31.0);
    assert_int_equal(count(f, SR_FINDING_CLIENT_TIMER_STARVATION), 1);
    assert_int_equal(count(f, SR_FINDING_KEEPALIVE_LATE), 0);
}

static void test_client_close_of_a_fed_transport_then_reconnect_means_starved_timers(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    server_frame(f, 10.1);
    server_frame(f, 20.1);
    server_frame(f, 30.1);
    transport_end(f, TRUE, 31.0);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 33.0);
    assert_int_equal(count(f, SR_FINDING_CLIENT_TIMER_STARVATION), 1);
}

static void test_young_transport_replaced_is_a_reconnect_burst(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    server_frame(f, 2.0);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 3.0);
    assert_int_equal(f->found.count, 0);
}

static void test_long_poll_held_past_connection_timeout_is_overdue(void **state)
{
    fixture *f = *state;
    request(f, SR_REQUEST_POLL, SR_TRANSPORT_LONG_POLLING, 0.0);
    opened(f);
    nstime_t t = at(121.0); /* ConnectionTimeout 110 s + 5 s heartbeat of slack */
    signalr_life_transport_end(&f->life, &f->settings, SR_TRANSPORT_LONG_POLLING, FALSE, &t,
                               &f->found);
    assert_int_equal(count(f, SR_FINDING_POLL_OVERDUE), 1);
}

static void test_client_close_followed_by_a_reconnect_is_no_missing_abort(void **state)
{
    fixture *f = *state;
    websocket_open(f);
    transport_end(f, TRUE, 5.0);
    tick(f, 6.0);
    request(f, SR_REQUEST_RECONNECT, SR_TRANSPORT_WEBSOCKETS, 7.0);
    signalr_life_attempt_failed(&f->life); /* refused: the path is down */
    tick(f, 100.0);
    assert_int_equal(count(f, SR_FINDING_ABORT_MISSING), 0);
    assert_int_equal(count(f, SR_FINDING_DISCONNECT_TIMEOUT), 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_keepalives_every_ten_seconds_raise_nothing),
        T(test_fifteen_second_silence_is_a_late_keepalive),
        T(test_silence_over_keepalive_timeout_is_late_then_missed),
        T(test_long_polling_gaps_are_not_keepalive_faults),
        T(test_disabled_keepalive_never_flags_silence),
        T(test_reconnect_ending_a_silence_is_flagged_once_across_retries),
        T(test_reconnect_after_a_closed_transport_is_not_a_silence),
        T(test_silence_goes_on_past_a_server_close_for_the_reconnect_delay),
        T(test_reconnect_cuts_short_the_silence_after_a_server_close),
        T(test_client_close_after_a_long_silence_is_judged_at_once),
        T(test_transport_silent_past_the_timeout_was_lost_at_its_last_data),
        T(test_refused_reconnects_do_not_stop_the_expiry),
        T(test_reconnect_past_the_expiry_window_start_is_late),
        T(test_reconnect_inside_the_window_start_is_on_time),
        T(test_expiry_is_reported_once_at_the_first_frame_past_the_window_start),
        T(test_client_close_without_abort_expires_with_abort_missing),
        T(test_abort_after_client_close_prevents_any_expiry),
        T(test_second_connect_with_another_transport_is_one_fallback),
        T(test_negotiate_without_connect_is_flagged_after_transport_connect_timeout),
        T(test_negotiate_followed_by_connect_is_quiet),
        T(test_disconnect_command_answering_a_reconnect_makes_it_late),
        T(test_cursor_prefix_change_means_another_server),
        T(test_hub_call_pending_when_the_websocket_closes_is_unanswered),
        T(test_answered_hub_calls_leave_nothing_behind),
        T(test_reconnect_from_a_fed_established_transport_means_starved_timers),
        T(test_client_close_of_a_fed_transport_then_reconnect_means_starved_timers),
        T(test_young_transport_replaced_is_a_reconnect_burst),
        T(test_long_poll_held_past_connection_timeout_is_overdue),
        T(test_client_close_followed_by_a_reconnect_is_no_missing_abort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

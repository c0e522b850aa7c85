/* Lifecycle thresholds (wire reference sec. 4, 9.1, 10.1, 12.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "protocol/sr_timing.h"

static void from_negotiate(const char *text, sr_timing_settings *settings)
{
    sr_negotiate neg;
    assert_int_equal(sr_negotiate_parse(text, strlen(text), &neg, NULL), SR_OK);
    sr_timing_from_negotiate(&neg, settings);
    sr_negotiate_clear(&neg);
}

static void test_defaults_match_the_default_negotiate(void **state)
{
    (void)state;
    sr_timing_settings defaults, negotiated;
    sr_timing_defaults(&defaults);
    from_negotiate("{\"Url\":\"/signalr\",\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\",\"KeepAliveTimeout\":20.0,"
                   "\"DisconnectTimeout\":30.0,\"ConnectionTimeout\":110.0,\"TryWebSockets\":true,"
                   "\"ProtocolVersion\":\"2.0\",\"TransportConnectTimeout\":5.0,\"LongPollDelay\":0.0}",
                   &negotiated);
    assert_int_equal(negotiated.keep_alive_timeout_ms, defaults.keep_alive_timeout_ms);
    assert_int_equal(negotiated.disconnect_timeout_ms, defaults.disconnect_timeout_ms);
    assert_int_equal(negotiated.connection_timeout_ms, defaults.connection_timeout_ms);
    assert_int_equal(negotiated.transport_connect_timeout_ms, defaults.transport_connect_timeout_ms);
    assert_int_equal(negotiated.long_poll_delay_ms, defaults.long_poll_delay_ms);
    assert_int_equal(defaults.from_negotiate, 0);
    assert_int_equal(negotiated.from_negotiate,
                     SR_NEG_KEEP_ALIVE_TIMEOUT | SR_NEG_DISCONNECT_TIMEOUT | SR_NEG_CONNECTION_TIMEOUT |
                         SR_NEG_TRANSPORT_CONNECT_TIMEOUT | SR_NEG_LONG_POLL_DELAY);
}

static void test_default_websocket_thresholds(void **state)
{
    (void)state;
    sr_timing_settings s;
    sr_timing t;
    sr_timing_defaults(&s);
    sr_timing_derive(&s, SR_TRANSPORT_WEBSOCKETS, &t);
    assert_int_equal(t.server_keepalive_period_ms, 10000);
    assert_int_equal(t.server_heartbeat_interval_ms, 5000);
    assert_int_equal(t.server_disconnect_threshold_ms, 5000);
    assert_int_equal(t.server_disconnect_min_ms, 30000);
    assert_int_equal(t.server_disconnect_max_ms, 40000);
    assert_int_equal(t.server_transport_timeout_ms, 0);
    assert_true(t.keepalive_monitored);
    assert_int_equal(t.client_warning_ms, 13333);
    assert_int_equal(t.client_timeout_ms, 20000);
    assert_int_equal(t.client_beat_interval_ms, 2222);
    assert_int_equal(t.client_reconnect_delay_ms, 2000);
    assert_int_equal(t.client_reconnect_window_ms, 50000);
    assert_int_equal(t.client_give_up_ms, 30000);
    assert_int_equal(t.client_transport_connect_timeout_ms, 5000);
    assert_int_equal(t.client_ping_interval_ms, 300000);
}

static void test_default_long_polling_thresholds(void **state)
{
    (void)state;
    sr_timing_settings s;
    sr_timing t;
    sr_timing_defaults(&s);
    sr_timing_derive(&s, SR_TRANSPORT_LONG_POLLING, &t);
    assert_false(t.keepalive_monitored);
    assert_int_equal(t.server_disconnect_threshold_ms, 0);
    assert_int_equal(t.server_disconnect_min_ms, 30000);
    assert_int_equal(t.server_disconnect_max_ms, 35000);
    assert_int_equal(t.server_transport_timeout_ms, 110000);
    assert_int_equal(t.client_reconnect_delay_ms, 3000);
    assert_int_equal(t.client_poll_timeout_ms, 120000);
}

static void test_long_poll_delay_raises_the_lp_disconnect_threshold(void **state)
{
    (void)state;
    sr_timing_settings s;
    sr_timing t;
    from_negotiate("{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":20.0,\"DisconnectTimeout\":30.0,\"LongPollDelay\":5.0}", &s);
    sr_timing_derive(&s, SR_TRANSPORT_LONG_POLLING, &t);
    assert_int_equal(t.server_disconnect_threshold_ms, 5000);
    assert_int_equal(t.server_disconnect_min_ms, 35000);
}

static void test_keepalive_disabled(void **state)
{
    (void)state;
    sr_timing_settings s;
    sr_timing t;
    from_negotiate("{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":null,\"DisconnectTimeout\":30.0,\"ConnectionTimeout\":110.0}",
                   &s);
    assert_true(s.keepalive_disabled);
    sr_timing_derive(&s, SR_TRANSPORT_SERVER_SENT_EVENTS, &t);
    assert_false(t.keepalive_monitored);
    assert_int_equal(t.server_keepalive_period_ms, 0);
    assert_int_equal(t.server_heartbeat_interval_ms, 5000);
    assert_int_equal(t.server_transport_timeout_ms, 110000);
    assert_int_equal(t.client_timeout_ms, 0);
    assert_int_equal(t.client_beat_interval_ms, 5000);
    assert_int_equal(t.client_reconnect_window_ms, 30000);
}

static void test_custom_disconnect_timeout_scales_keepalive(void **state)
{
    (void)state;
    sr_timing_settings s;
    sr_timing t;
    /* DisconnectTimeout 6 s => KeepAlive 2 s => KeepAliveTimeout 4 s. */
    from_negotiate("{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":4.0,\"DisconnectTimeout\":6.0}", &s);
    sr_timing_derive(&s, SR_TRANSPORT_WEBSOCKETS, &t);
    assert_int_equal(t.server_keepalive_period_ms, 2000);
    assert_int_equal(t.server_heartbeat_interval_ms, 1000);
    assert_int_equal(t.client_warning_ms, 2666);
    assert_int_equal(t.client_beat_interval_ms, 444);
    assert_int_equal(t.client_reconnect_window_ms, 10000);
    assert_int_equal(t.server_disconnect_min_ms, 10000);
    assert_int_equal(t.server_disconnect_max_ms, 12000);
}

static void test_prerelease_keep_alive_period_doubles_into_timeout(void **state)
{
    (void)state;
    sr_timing_settings s;
    from_negotiate("{\"Url\":\"/echo\",\"ConnectionId\":\"i\",\"KeepAlive\":15.0,\"ProtocolVersion\":\"1.0\"}", &s);
    assert_int_equal(s.keep_alive_timeout_ms, 30000);
    assert_int_equal(s.from_negotiate, SR_NEG_KEEP_ALIVE);
    from_negotiate("{\"Url\":\"/echo\",\"ConnectionId\":\"i\",\"KeepAlive\":null,\"DisconnectTimeout\":40.0}", &s);
    assert_true(s.keepalive_disabled);
}

static void test_disconnect_timeout_without_keepalive_field_implies_two_thirds(void **state)
{
    (void)state;
    sr_timing_settings s;
    from_negotiate("{\"Url\":\"/echo\",\"ConnectionId\":\"i\",\"DisconnectTimeout\":60.0}", &s);
    assert_int_equal(s.keep_alive_timeout_ms, 40000);
    assert_false(s.keepalive_disabled);
}

static void test_redirect_negotiate_keeps_defaults(void **state)
{
    (void)state;
    sr_timing_settings s, d;
    from_negotiate("{\"ProtocolVersion\":\"2.0\",\"RedirectUrl\":\"https://x/\",\"AccessToken\":\"a\"}", &s);
    sr_timing_defaults(&d);
    assert_memory_equal(&s, &d, sizeof(s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_match_the_default_negotiate),
        cmocka_unit_test(test_default_websocket_thresholds),
        cmocka_unit_test(test_default_long_polling_thresholds),
        cmocka_unit_test(test_long_poll_delay_raises_the_lp_disconnect_threshold),
        cmocka_unit_test(test_keepalive_disabled),
        cmocka_unit_test(test_custom_disconnect_timeout_scales_keepalive),
        cmocka_unit_test(test_prerelease_keep_alive_period_doubles_into_timeout),
        cmocka_unit_test(test_disconnect_timeout_without_keepalive_field_implies_two_thirds),
        cmocka_unit_test(test_redirect_negotiate_keeps_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

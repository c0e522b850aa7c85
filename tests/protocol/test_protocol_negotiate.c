/* Negotiate responses of every server generation (wire reference sec. 1, 4, 11.6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "protocol/sr_negotiate.h"

/* sec. 3.3, JS 2.4.3 against a 2.4 server. */
static const char NEGOTIATE_2_4[] =
    "{\"Url\":\"/signalr\",\"ConnectionToken\":\"Xq7+aB9/kL...Qw==\",\"ConnectionId\":\"7f3c2a9e-51b4-4d0c-9b8e-2d6f0a1c4e55\","
    "\"KeepAliveTimeout\":20.0,\"DisconnectTimeout\":30.0,\"ConnectionTimeout\":110.0,\"TryWebSockets\":true,"
    "\"ProtocolVersion\":\"2.0\",\"TransportConnectTimeout\":5.0,\"LongPollDelay\":0.0}";

static sr_status parse(const char *text, sr_negotiate *neg, sr_error *err)
{
    return sr_negotiate_parse(text, strlen(text), neg, err);
}

static void assert_range(const sr_negotiate *neg, sr_server_release lo, sr_server_release hi)
{
    sr_server_release l, h;
    assert_true(sr_negotiate_server_range(neg, &l, &h));
    assert_string_equal(sr_server_release_name(l), sr_server_release_name(lo));
    assert_string_equal(sr_server_release_name(h), sr_server_release_name(hi));
}

static void test_js_2_4_3_negotiate_all_fields(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse(NEGOTIATE_2_4, &neg, NULL), SR_OK);
    assert_int_equal(neg.variant, SR_NEGOTIATE_CLASSIC);
    assert_string_equal(neg.url.data, "/signalr");
    assert_string_equal(neg.connection_token.data, "Xq7+aB9/kL...Qw==");
    assert_string_equal(neg.connection_id.data, "7f3c2a9e-51b4-4d0c-9b8e-2d6f0a1c4e55");
    assert_string_equal(neg.protocol_version.data, "2.0");
    assert_int_equal(neg.keep_alive_timeout.ms, 20000);
    assert_false(neg.keep_alive_timeout.is_null);
    assert_int_equal(neg.disconnect_timeout.ms, 30000);
    assert_int_equal(neg.connection_timeout.ms, 110000);
    assert_int_equal(neg.transport_connect_timeout.ms, 5000);
    assert_true(neg.long_poll_delay.present);
    assert_int_equal(neg.long_poll_delay.ms, 0);
    assert_true(neg.try_websockets);
    assert_false(neg.fields & SR_NEG_WEBSOCKET_SERVER_URL);
    assert_false(neg.fields & SR_NEG_KEEP_ALIVE);
    assert_range(&neg, SR_SERVER_2_4, SR_SERVER_2_4);
    sr_negotiate_clear(&neg);
}

static void test_2_2_server_with_protocol_1_5(void **state)
{
    (void)state;
    /* Key order and values of a public capture quoted in sec. 3.3. */
    sr_negotiate neg;
    assert_int_equal(parse("{\"Url\":\"/signalr\",\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\",\"KeepAliveTimeout\":20.0,"
                           "\"DisconnectTimeout\":30.0,\"ConnectionTimeout\":110.0,\"TryWebSockets\":true,"
                           "\"ProtocolVersion\":\"1.5\",\"TransportConnectTimeout\":5.0,\"LongPollDelay\":0.0}",
                           &neg, NULL),
                     SR_OK);
    assert_range(&neg, SR_SERVER_2_2_TO_2_3, SR_SERVER_2_4);
    sr_negotiate_clear(&neg);
}

static void test_2_1_0_server_has_long_poll_delay_but_no_connection_timeout(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"Url\":\"/signalr\",\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\",\"KeepAliveTimeout\":20.0,"
                           "\"DisconnectTimeout\":30.0,\"TryWebSockets\":false,\"ProtocolVersion\":\"1.4\","
                           "\"TransportConnectTimeout\":5.0,\"LongPollDelay\":0.0}",
                           &neg, NULL),
                     SR_OK);
    assert_false(neg.try_websockets);
    assert_false(neg.connection_timeout.present);
    assert_range(&neg, SR_SERVER_2_1_0, SR_SERVER_2_1_0);
    sr_negotiate_clear(&neg);
}

static void test_2_0_server_answers_protocol_1_3(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"Url\":\"/signalr\",\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\",\"KeepAliveTimeout\":20.0,"
                           "\"DisconnectTimeout\":30.0,\"TryWebSockets\":true,\"ProtocolVersion\":\"1.3\","
                           "\"TransportConnectTimeout\":5.0}",
                           &neg, NULL),
                     SR_OK);
    assert_range(&neg, SR_SERVER_2_0, SR_SERVER_2_0);
    sr_negotiate_clear(&neg);
}

static void test_1_x_server_has_websocket_server_url_null(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"Url\":\"/signalr\",\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\",\"KeepAliveTimeout\":20.0,"
                           "\"DisconnectTimeout\":30.0,\"TryWebSockets\":true,\"WebSocketServerUrl\":null,"
                           "\"ProtocolVersion\":\"1.2\"}",
                           &neg, NULL),
                     SR_OK);
    assert_true(neg.fields & SR_NEG_WEBSOCKET_SERVER_URL);
    assert_null(neg.websocket_server_url.data);
    assert_range(&neg, SR_SERVER_1_0_TO_1_2, SR_SERVER_1_0_TO_1_2);
    sr_negotiate_clear(&neg);
}

static void test_2_4_server_answering_a_1_x_client_says_1_2(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"Url\":\"/signalr\",\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\",\"KeepAliveTimeout\":20.0,"
                           "\"DisconnectTimeout\":30.0,\"ConnectionTimeout\":110.0,\"TryWebSockets\":true,"
                           "\"ProtocolVersion\":\"1.2\",\"TransportConnectTimeout\":5.0,\"LongPollDelay\":0.0}",
                           &neg, NULL),
                     SR_OK);
    assert_range(&neg, SR_SERVER_2_1_2, SR_SERVER_2_4);
    sr_negotiate_clear(&neg);
}

static void test_prerelease_1_0_sends_keep_alive_period_and_no_token(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"Url\":\"/echo\",\"ConnectionId\":\"7f3c2a9e-51b4-4d0c-9b8e-2d6f0a1c4e55\",\"KeepAlive\":30.0,"
                           "\"TryWebSockets\":false,\"WebSocketServerUrl\":null,\"ProtocolVersion\":\"1.0\"}",
                           &neg, NULL),
                     SR_OK);
    assert_true(neg.fields & SR_NEG_KEEP_ALIVE);
    assert_false(neg.fields & SR_NEG_KEEP_ALIVE_TIMEOUT);
    assert_int_equal(neg.keep_alive.ms, 30000);
    assert_null(neg.connection_token.data);
    assert_range(&neg, SR_SERVER_1_0_ALPHA, SR_SERVER_1_0_ALPHA);
    sr_negotiate_clear(&neg);
}

static void test_prerelease_1_1_adds_disconnect_timeout(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"Url\":\"/echo\",\"ConnectionId\":\"i\",\"KeepAlive\":null,\"DisconnectTimeout\":40.0,"
                           "\"TryWebSockets\":false,\"WebSocketServerUrl\":null,\"ProtocolVersion\":\"1.1\"}",
                           &neg, NULL),
                     SR_OK);
    assert_true(neg.keep_alive.is_null);
    assert_range(&neg, SR_SERVER_1_0_RC, SR_SERVER_1_0_RC);
    sr_negotiate_clear(&neg);
}

static void test_keep_alive_timeout_null_means_disabled(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"Url\":\"/signalr\",\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\",\"KeepAliveTimeout\":null,"
                           "\"DisconnectTimeout\":30.0,\"ProtocolVersion\":\"2.0\"}",
                           &neg, NULL),
                     SR_OK);
    assert_true(neg.keep_alive_timeout.present);
    assert_true(neg.keep_alive_timeout.is_null);
    sr_negotiate_clear(&neg);
}

static void test_contradicting_fields_give_no_range(void **state)
{
    (void)state;
    sr_negotiate neg;
    sr_server_release lo = SR_SERVER_2_4, hi = SR_SERVER_2_4;
    assert_int_equal(parse("{\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\",\"ProtocolVersion\":\"1.0\",\"LongPollDelay\":0}",
                           &neg, NULL),
                     SR_OK);
    assert_false(sr_negotiate_server_range(&neg, &lo, &hi));
    sr_negotiate_clear(&neg);
}

static void test_azure_redirect_variant(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"ProtocolVersion\":\"2.0\",\"RedirectUrl\":\"https://x.service.signalr.net/aspnetclient?hub=chat\","
                           "\"AccessToken\":\"eyJhbGciOi.x.y\"}",
                           &neg, NULL),
                     SR_OK);
    assert_int_equal(neg.variant, SR_NEGOTIATE_REDIRECT);
    assert_string_equal(neg.redirect_url.data, "https://x.service.signalr.net/aspnetclient?hub=chat");
    assert_string_equal(neg.access_token.data, "eyJhbGciOi.x.y");
    sr_server_release lo, hi;
    assert_false(sr_negotiate_server_range(&neg, &lo, &hi));
    sr_negotiate_clear(&neg);
}

static void test_azure_error_variant(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"ProtocolVersion\":\"2.0\",\"Error\":\"No server available\"}", &neg, NULL), SR_OK);
    assert_int_equal(neg.variant, SR_NEGOTIATE_ERROR);
    assert_string_equal(neg.error.data, "No server available");
    sr_negotiate_clear(&neg);
}

static void test_aspnet_core_negotiate_is_its_own_variant(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"connectionToken\":\"ct\",\"connectionId\":\"cid\",\"negotiateVersion\":1,"
                           "\"availableTransports\":[{\"transport\":\"WebSockets\",\"transferFormats\":[\"Text\",\"Binary\"]}]}",
                           &neg, NULL),
                     SR_OK);
    assert_int_equal(neg.variant, SR_NEGOTIATE_CORE);
    assert_string_equal(neg.connection_token.data, "ct");
    assert_string_equal(neg.connection_id.data, "cid");
    sr_negotiate_clear(&neg);
}

static void assert_fails(const char *text, sr_status status, const char *field)
{
    sr_negotiate neg;
    sr_error err = {0};
    assert_int_equal(parse(text, &neg, &err), status);
    if (field != NULL)
        assert_string_equal(err.field, field);
    else
        assert_null(err.field);
    sr_negotiate_clear(&neg);
}

static void test_wrong_types_name_the_field(void **state)
{
    (void)state;
    assert_fails("{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":\"20\"}", SR_ERR_FIELD_TYPE, "KeepAliveTimeout");
    assert_fails("{\"ConnectionId\":\"i\",\"TryWebSockets\":1}", SR_ERR_FIELD_TYPE, "TryWebSockets");
    assert_fails("{\"ConnectionId\":42}", SR_ERR_FIELD_TYPE, "ConnectionId");
    assert_fails("{\"ConnectionId\":\"i\",\"Url\":null}", SR_ERR_FIELD_TYPE, "Url");
    assert_fails("{\"ConnectionId\":\"i\",\"DisconnectTimeout\":null}", SR_ERR_FIELD_TYPE, "DisconnectTimeout");
}

static void test_out_of_range_numbers_name_the_field(void **state)
{
    (void)state;
    assert_fails("{\"ConnectionId\":\"i\",\"DisconnectTimeout\":1e400}", SR_ERR_FIELD_RANGE, "DisconnectTimeout");
    assert_fails("{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":-1}", SR_ERR_FIELD_RANGE, "KeepAliveTimeout");
    assert_fails("{\"ConnectionId\":\"i\",\"ConnectionTimeout\":99999999999999999999}", SR_ERR_FIELD_RANGE,
                 "ConnectionTimeout");
    assert_fails("{\"ConnectionId\":\"i\",\"LongPollDelay\":-0.5}", SR_ERR_FIELD_RANGE, "LongPollDelay");
}

static void test_malformed_bodies(void **state)
{
    (void)state;
    assert_fails("{\"Url\":\"/signalr\",\"ConnectionToken\":\"Xq7", SR_ERR_JSON_SYNTAX, NULL);
    assert_fails("[\"ConnectionId\"]", SR_ERR_NOT_OBJECT, NULL);
    assert_fails("{\"Url\":\"/signalr\"}", SR_ERR_MISSING_FIELD, "ConnectionId");
    assert_fails("{\"KeepAliveTimeout\":NaN}", SR_ERR_JSON_SYNTAX, NULL);
    assert_fails("", SR_ERR_EMPTY, NULL);
}

static void test_jsonp_negotiate_is_unwrapped(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("jQuery3710_1718({\"Url\":\"/signalr\",\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\","
                           "\"KeepAliveTimeout\":20.0,\"DisconnectTimeout\":30.0,\"ProtocolVersion\":\"1.5\"});",
                           &neg, NULL),
                     SR_OK);
    assert_string_equal(neg.jsonp_callback.data, "jQuery3710_1718");
    assert_string_equal(neg.connection_token.data, "t");
    sr_negotiate_clear(&neg);
}

static void test_fractional_seconds_round_to_milliseconds(void **state)
{
    (void)state;
    sr_negotiate neg;
    assert_int_equal(parse("{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":13.3336,\"DisconnectTimeout\":6}", &neg, NULL), SR_OK);
    assert_int_equal(neg.keep_alive_timeout.ms, 13334);
    assert_int_equal(neg.disconnect_timeout.ms, 6000);
    sr_negotiate_clear(&neg);
}

/* ---- the fast reader against the tree reader -------------------------------------------- */

/* Bodies on both sides of the line between what the tree-free reader takes and what it leaves
 * to json-glib: real answers, every duration spelling, nulls, escapes, duplicates, bad types. */
static const char *const READER_BODIES[] = {
    NEGOTIATE_2_4,
    "{\"Url\":\"/signalr\",\"ConnectionToken\":\"t\",\"ConnectionId\":\"i\",\"KeepAliveTimeout\":20.0,"
    "\"DisconnectTimeout\":30.0,\"TryWebSockets\":false,\"WebSocketServerUrl\":null,\"ProtocolVersion\":\"1.2\"}",
    "{\"Url\":\"/signalr\",\"ConnectionId\":\"i\",\"KeepAlive\":15.0,\"TryWebSockets\":true,\"ProtocolVersion\":\"1.0\"}",
    "{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":null,\"DisconnectTimeout\":6}",
    "{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":13.3336,\"DisconnectTimeout\":0.5}",
    "{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":1.25,\"DisconnectTimeout\":0.001,\"LongPollDelay\":0}",
    "{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":999999999.999,\"DisconnectTimeout\":1000000000}",
    "{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":2e1,\"DisconnectTimeout\":-1}",
    "{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":20.00,\"DisconnectTimeout\":30.0000}",
    "{\"ConnectionId\":\"i\",\"ConnectionTimeout\":99999999999999999999}",
    "{\"ConnectionId\":\"i\",\"DisconnectTimeout\":null}",
    "{\"ConnectionId\":\"i\",\"Url\":null}",
    "{\"ConnectionId\":42}",
    "{\"ConnectionId\":\"i\",\"TryWebSockets\":1}",
    "{\"ConnectionId\":\"i\",\"TryWebSockets\":null}",
    "{\"ConnectionId\":\"i\",\"KeepAliveTimeout\":\"20\"}",
    "{\"ConnectionId\":\"a\",\"ConnectionId\":\"b\"}",
    "{\"ConnectionId\":\"a\\u0041\",\"Url\":\"\\/signalr\"}",
    "{\"Conn\\u0065ctionId\":\"a\"}",
    "{\"ConnectionId\":\"caf\xc3\xa9\"}",
    "{\"ConnectionId\":\"bad\xc3\"}",
    "  {\"ConnectionId\":\"i\"}  ",
    "{\"ConnectionId\":\"i\"} x",
    "{\"ConnectionId\":\"i\",\"Extra\":{\"deep\":[1,2,{\"x\":null}]}}",
    "{\"Url\":\"/signalr\"}",
    "{\"ProtocolVersion\":\"2.0\",\"RedirectUrl\":\"https://x/y\",\"AccessToken\":\"a.b.c\"}",
    "{\"ProtocolVersion\":\"2.0\",\"Error\":\"No server available\"}",
    "{\"connectionId\":\"c\",\"availableTransports\":[]}",
    "cb({\"ConnectionId\":\"i\"});",
    "[\"ConnectionId\"]",
    "{}",
    "",
};

static void assert_same_string(const sr_string *a, const sr_string *b)
{
    assert_int_equal(a->data == NULL, b->data == NULL);
    assert_int_equal(a->len, b->len);
    if (a->data != NULL)
        assert_memory_equal(a->data, b->data, a->len);
}

static void assert_same_duration(const sr_duration *a, const sr_duration *b)
{
    assert_int_equal(a->present, b->present);
    assert_int_equal(a->is_null, b->is_null);
    if (a->present && !a->is_null)
        assert_int_equal(a->ms, b->ms);
}

/* sr_negotiate_parse() (fast reader first) says exactly what the tree reader says. */
static void assert_readers_agree(const char *text, size_t len)
{
    sr_negotiate fast, tree;
    sr_error fast_err = {0}, tree_err = {0};
    sr_status fast_status = sr_negotiate_parse(text, len, &fast, &fast_err);
    sr_status tree_status = sr_negotiate_parse_tree(text, len, &tree, &tree_err);
    assert_int_equal(fast_status, tree_status);
    assert_int_equal(fast_err.field == NULL, tree_err.field == NULL);
    if (fast_err.field != NULL)
        assert_string_equal(fast_err.field, tree_err.field);
    if (fast_status == SR_OK) {
        assert_int_equal(fast.variant, tree.variant);
        assert_int_equal(fast.fields, tree.fields);
        assert_same_string(&fast.url, &tree.url);
        assert_same_string(&fast.connection_token, &tree.connection_token);
        assert_same_string(&fast.connection_id, &tree.connection_id);
        assert_same_string(&fast.protocol_version, &tree.protocol_version);
        assert_same_string(&fast.websocket_server_url, &tree.websocket_server_url);
        assert_same_string(&fast.redirect_url, &tree.redirect_url);
        assert_same_string(&fast.access_token, &tree.access_token);
        assert_same_string(&fast.error, &tree.error);
        assert_same_string(&fast.jsonp_callback, &tree.jsonp_callback);
        assert_same_duration(&fast.keep_alive_timeout, &tree.keep_alive_timeout);
        assert_same_duration(&fast.keep_alive, &tree.keep_alive);
        assert_same_duration(&fast.disconnect_timeout, &tree.disconnect_timeout);
        assert_same_duration(&fast.connection_timeout, &tree.connection_timeout);
        assert_same_duration(&fast.transport_connect_timeout, &tree.transport_connect_timeout);
        assert_same_duration(&fast.long_poll_delay, &tree.long_poll_delay);
        assert_int_equal(fast.try_websockets, tree.try_websockets);
    }
    sr_negotiate_clear(&fast);
    sr_negotiate_clear(&tree);
}

static void test_fast_reader_says_what_the_tree_reader_says(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(READER_BODIES) / sizeof(READER_BODIES[0]); i++)
        assert_readers_agree(READER_BODIES[i], strlen(READER_BODIES[i]));
}

/* xorshift64: a fixed sequence, so a failure reproduces. */
static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Bytes that move a body across the fast reader's line: digits, signs, exponents, quotes... */
static const char MUTATION_BYTES[] = "{}[]\",:\\u0123456789-+.eE tfnrl\x01\xc3\xa9";

static void test_mutated_answers_never_split_the_readers(void **state)
{
    (void)state;
    uint64_t rng = 0x5eed5eed5eedULL;
    char body[sizeof(NEGOTIATE_2_4) + 8];
    for (int round = 0; round < 4000; round++) {
        size_t n = sizeof(NEGOTIATE_2_4) - 1;
        memcpy(body, NEGOTIATE_2_4, n);
        for (int e = 1 + (int)(next_random(&rng) % 3); e > 0; e--) {
            size_t at = (size_t)(next_random(&rng) % n);
            char b = MUTATION_BYTES[next_random(&rng) % (sizeof(MUTATION_BYTES) - 1)];
            if (next_random(&rng) % 2 == 0 && n + 1 < sizeof body) {
                memmove(body + at + 1, body + at, n - at);
                n++;
            }
            body[at] = b;
        }
        assert_readers_agree(body, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_js_2_4_3_negotiate_all_fields),
        cmocka_unit_test(test_2_2_server_with_protocol_1_5),
        cmocka_unit_test(test_2_1_0_server_has_long_poll_delay_but_no_connection_timeout),
        cmocka_unit_test(test_2_0_server_answers_protocol_1_3),
        cmocka_unit_test(test_1_x_server_has_websocket_server_url_null),
        cmocka_unit_test(test_2_4_server_answering_a_1_x_client_says_1_2),
        cmocka_unit_test(test_prerelease_1_0_sends_keep_alive_period_and_no_token),
        cmocka_unit_test(test_prerelease_1_1_adds_disconnect_timeout),
        cmocka_unit_test(test_keep_alive_timeout_null_means_disabled),
        cmocka_unit_test(test_contradicting_fields_give_no_range),
        cmocka_unit_test(test_azure_redirect_variant),
        cmocka_unit_test(test_azure_error_variant),
        cmocka_unit_test(test_aspnet_core_negotiate_is_its_own_variant),
        cmocka_unit_test(test_wrong_types_name_the_field),
        cmocka_unit_test(test_out_of_range_numbers_name_the_field),
        cmocka_unit_test(test_malformed_bodies),
        cmocka_unit_test(test_jsonp_negotiate_is_unwrapped),
        cmocka_unit_test(test_fractional_seconds_round_to_milliseconds),
        cmocka_unit_test(test_fast_reader_says_what_the_tree_reader_says),
        cmocka_unit_test(test_mutated_answers_never_split_the_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

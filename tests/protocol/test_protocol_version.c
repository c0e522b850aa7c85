/* Protocol version resolution: where OnConnected runs (sec. 1, 11.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "protocol/sr_version.h"

static sr_version resolve(const char *client, sr_server_release server)
{
    return sr_version_resolve(client, client != NULL ? strlen(client) : 0, client != NULL,
                              sr_version_server_max(server));
}

static void assert_version(sr_version v, int32_t major, int32_t minor)
{
    assert_int_equal(v.major, major);
    assert_int_equal(v.minor, minor);
}

static void test_js_2_4_client_against_2_4_server_is_clamped_to_2_0(void **state)
{
    (void)state;
    sr_version v = resolve("2.1", SR_SERVER_2_4);
    assert_version(v, 2, 0);
    assert_true(sr_version_delayed_start(v));
}

static void test_1_x_client_without_client_protocol_gets_1_2(void **state)
{
    (void)state;
    sr_version v = resolve(NULL, SR_SERVER_2_4);
    assert_version(v, 1, 2);
    assert_false(sr_version_delayed_start(v));
}

static void test_2_0_client_connect_url_has_no_client_protocol(void **state)
{
    (void)state;
    /* sec. 11.1: a 2.0 JS client talking to a 2.4 server gets OnConnected on /connect. */
    assert_false(sr_version_delayed_start(resolve(NULL, SR_SERVER_2_4)));
    assert_true(sr_version_delayed_start(resolve("1.4", SR_SERVER_2_1_0)));
    assert_false(sr_version_delayed_start(resolve("1.5", SR_SERVER_2_0)));
}

static void test_old_or_garbage_client_protocol_resolves_to_minimum(void **state)
{
    (void)state;
    assert_version(resolve("1.0", SR_SERVER_2_2_TO_2_3), 1, 2);
    assert_version(resolve("banana", SR_SERVER_2_2_TO_2_3), 1, 2);
    assert_version(resolve("1", SR_SERVER_2_2_TO_2_3), 1, 2);
    assert_version(resolve("1.5.", SR_SERVER_2_2_TO_2_3), 1, 2);
    assert_version(resolve("99999999999.1", SR_SERVER_2_2_TO_2_3), 1, 2);
    assert_version(resolve("1.5", SR_SERVER_2_2_TO_2_3), 1, 5);
}

static void test_version_parse_and_order(void **state)
{
    (void)state;
    sr_version a, b;
    assert_true(sr_version_parse("1.4", 3, &a));
    assert_true(sr_version_parse("1.4.0.7", 7, &b));
    assert_int_equal(a.build, -1);
    assert_int_equal(b.revision, 7);
    assert_true(sr_version_compare(a, b) < 0);
    assert_int_equal(sr_version_compare(a, a), 0);
    assert_false(sr_version_parse("1.2.3.4.5", 9, &a));
    assert_false(sr_version_parse("", 0, &a));
    assert_false(sr_version_parse(" 1.4", 4, &a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_js_2_4_client_against_2_4_server_is_clamped_to_2_0),
        cmocka_unit_test(test_1_x_client_without_client_protocol_gets_1_2),
        cmocka_unit_test(test_2_0_client_connect_url_has_no_client_protocol),
        cmocka_unit_test(test_old_or_garbage_client_protocol_resolves_to_minimum),
        cmocka_unit_test(test_version_parse_and_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

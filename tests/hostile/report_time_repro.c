/* report_time_repro.c - capture times at the ends of the int64 nanosecond range in reports.
 * The capture stage clamps a timestamp beyond int64 nanoseconds (a corrupt pcapng block says
 * 1.7e12 s) to INT64_MAX; reports must still print a number for it, without overflowing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <setjmp.h>
#include <cmocka.h>

#include "report/report_format.h"

static void test_epoch_seconds_of_the_latest_time_stays_positive(void **state)
{
    (void)state;
    assert_true(lf_epoch_seconds(INT64_MAX) > 9.2e9);
}

static void test_epoch_seconds_of_the_earliest_time_stays_negative(void **state)
{
    (void)state;
    assert_true(lf_epoch_seconds(INT64_MIN) < -9.2e9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch_seconds_of_the_latest_time_stays_positive),
        cmocka_unit_test(test_epoch_seconds_of_the_earliest_time_stays_negative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The streaming JSON writer: durations print the digits "%.6f" would, without trailing zeros;
 * strings longer than the writer's buffer and escapes come out whole; a failed write is
 * reported by lf_json_flush. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/json_write.h"
#include "report/report_format.h"

/* What a duration printed as before the writer had a fast path: "%.6f", trailing zeros cut. */
static void reference_seconds(double seconds, char *out, size_t size)
{
    double v = lf_round_us(seconds);
    if (!isfinite(v)) {
        snprintf(out, size, "null");
        return;
    }
    snprintf(out, size, "%.6f", v);
    char *dot = strchr(out, '.');
    char *end = out + strlen(out) - 1;
    while (end > dot && *end == '0') {
        *end-- = '\0';
    }
    if (end == dot) {
        *end = '\0';
    }
    if (strcmp(out, "-0") == 0) {
        snprintf(out, size, "0");
    }
}

/* One duration through the writer, as an array element, read back from a memory stream. */
static void written_seconds(double seconds, char *out, size_t size)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lf_json_out j;
    lf_json_init(&j, f, false, 0);
    lf_json_seconds(&j, NULL, seconds);
    assert_int_equal(lf_json_flush(&j), 0);
    fclose(f);
    snprintf(out, size, "%s", text);
    free(text);
}

static void assert_seconds_like_printf(double v)
{
    char want[400], got[400];
    reference_seconds(v, want, sizeof want);
    written_seconds(v, got, sizeof got);
    if (strcmp(want, got) != 0) {
        fail_msg("%.17g: want %s, got %s", v, want, got);
    }
}

static void test_durations_print_the_digits_of_percent_6f(void **state)
{
    (void)state;
    const double fixed[] = {0,     -0.0,      23.4,      20,         1e-7,        -1e-7,
                            5e-7,  0.0000015, 0.999999,  0.9999995,  13.333333333, -2.5,
                            1e9,   -1e9,      999999999.999999, 1e12, 3.5e15, 1e300,
                            NAN,   INFINITY,  -INFINITY, 110,        6.666666667,  0.1 + 0.2};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        assert_seconds_like_printf(fixed[i]);
    }
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double scale = pow(10.0, (double)(x % 13) - 3.0);
        double v = (double)(x >> 11) / (double)(1ull << 53) * scale * ((x & 1) ? -1 : 1);
        assert_seconds_like_printf(v);
    }
}

static void test_strings_longer_than_the_buffer_come_out_whole_and_escaped(void **state)
{
    (void)state;
    size_t n = 3 * sizeof(((lf_json_out *)0)->buf) + 17;
    char *value = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        value[i] = (char)('a' + i % 26);
    }
    value[n] = '\0';
    value[5] = '"';
    value[n - 3] = '\n';
    value[n / 2] = '\x01';

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lf_json_out j;
    lf_json_init(&j, f, true, 0);
    lf_json_begin_object(&j, NULL);
    lf_json_string(&j, "long", value);
    lf_json_int(&j, "n", -42);
    lf_json_end_object(&j);
    assert_int_equal(lf_json_flush(&j), 0);
    fclose(f);

    assert_int_equal(len, n + 2 + 3 + 5 + 15 + 10);
    assert_memory_equal(text, "{\n  \"long\": \"abcde\\\"gh", 22);
    assert_non_null(strstr(text, "\\u0001"));
    char tail[32];
    snprintf(tail, sizeof tail, "\\n%c%c\",\n  \"n\": -42\n}", value[n - 2], value[n - 1]);
    assert_memory_equal(text + len - strlen(tail), tail, strlen(tail));
    free(text);
    free(value);
}

static void test_a_failed_write_is_reported_by_flush(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL) {
        skip();
    }
    setvbuf(f, NULL, _IONBF, 0);
    lf_json_out j;
    lf_json_init(&j, f, false, 0);
    lf_json_string(&j, NULL, "nowhere to go");
    assert_int_equal(lf_json_flush(&j), -1);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations_print_the_digits_of_percent_6f),
        cmocka_unit_test(test_strings_longer_than_the_buffer_come_out_whole_and_escaped),
        cmocka_unit_test(test_a_failed_write_is_reported_by_flush),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

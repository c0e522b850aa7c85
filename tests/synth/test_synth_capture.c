/* Capture file layer: pcap/pcapng headers, timestamps, snaplen and ordering, read back with
 * libpcap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "readback.h"
#include "synth.h"

#include <glib.h>
#include <pcap/pcap.h>
#include <string.h>
#include <unistd.h>

/* 2024-06-10T06:13:20.123456789Z */
#define T0 1718000000123456789ull

static void write_two_frames(const char *path, synth_format format, synth_link link,
                             uint32_t snaplen)
{
    synth_options o = {.format = format, .link = link, .snaplen = snaplen, .seed = 1};
    synth_error err = {0};
    synth_t *s = synth_new(path, &o, &err);
    assert_non_null(s);
    uint8_t a[100], b[60];
    memset(a, 0xAA, sizeof a);
    memset(b, 0xBB, sizeof b);
    assert_int_equal(synth_emit(s, T0, a, sizeof a), SYNTH_OK);
    assert_int_equal(synth_emit(s, T0 + 1, b, sizeof b), SYNTH_OK);
    assert_int_equal(synth_close(s, &err), SYNTH_OK);
}

static void test_pcap_microsecond_file_truncates_nanoseconds(void **state)
{
    (void)state;
    char *path = temp_capture_path("us.pcap");
    write_two_frames(path, SYNTH_PCAP_US, SYNTH_LINK_ETHERNET, 0);
    read_capture c;
    assert_true(capture_read(path, &c));
    assert_int_equal(c.linktype, DLT_EN10MB);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.frames[0].ts_ns, T0 - 789);
    assert_int_equal(c.frames[1].ts_ns, T0 - 789);
    assert_int_equal(c.frames[0].len, 100);
    capture_free(&c);
    unlink(path);
    g_free(path);
}

static void test_pcap_nanosecond_file_keeps_every_digit(void **state)
{
    (void)state;
    char *path = temp_capture_path("ns.pcap");
    write_two_frames(path, SYNTH_PCAP_NS, SYNTH_LINK_ETHERNET, 0);
    read_capture c;
    assert_true(capture_read(path, &c));
    assert_int_equal(c.frames[0].ts_ns, T0);
    assert_int_equal(c.frames[1].ts_ns, T0 + 1);
    capture_free(&c);
    unlink(path);
    g_free(path);
}

static void test_pcapng_with_tsresol_9_keeps_every_digit(void **state)
{
    (void)state;
    char *path = temp_capture_path("ns.pcapng");
    write_two_frames(path, SYNTH_PCAPNG_NS, SYNTH_LINK_RAW, 0);
    read_capture c;
    assert_true(capture_read(path, &c));
    assert_true(c.linktype == DLT_RAW || c.linktype == 101);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.frames[0].ts_ns, T0);
    assert_int_equal(c.frames[1].ts_ns, T0 + 1);
    assert_int_equal(c.frames[1].data[59], 0xBB);
    capture_free(&c);
    unlink(path);
    g_free(path);
}

static void test_pcapng_microsecond_interface_without_tsresol(void **state)
{
    (void)state;
    char *path = temp_capture_path("us.pcapng");
    write_two_frames(path, SYNTH_PCAPNG_US, SYNTH_LINK_ETHERNET, 0);
    read_capture c;
    assert_true(capture_read(path, &c));
    assert_int_equal(c.frames[0].ts_ns, T0 - 789);
    capture_free(&c);
    unlink(path);
    g_free(path);
}

static void test_snaplen_cuts_stored_bytes_but_keeps_wire_length(void **state)
{
    (void)state;
    char *path = temp_capture_path("snap.pcapng");
    write_two_frames(path, SYNTH_PCAPNG_NS, SYNTH_LINK_ETHERNET, 64);
    read_capture c;
    assert_true(capture_read(path, &c));
    assert_int_equal(c.snaplen, 64);
    assert_int_equal(c.frames[0].caplen, 64);
    assert_int_equal(c.frames[0].len, 100);
    assert_int_equal(c.frames[1].caplen, 60);
    capture_free(&c);
    unlink(path);
    g_free(path);
}

static void test_frames_emitted_out_of_order_come_out_sorted(void **state)
{
    (void)state;
    char *path = temp_capture_path("sorted.pcapng");
    synth_error err = {0};
    synth_t *s = synth_new_file(path, SYNTH_PCAPNG_NS, &err);
    uint8_t f[20] = {0};
    for (int i = 0; i < 3; i++) {
        f[0] = (uint8_t)(3 - i);
        assert_int_equal(synth_emit(s, T0 + (uint64_t)(3 - i) * 1000, f, sizeof f), SYNTH_OK);
    }
    assert_int_equal(synth_close(s, &err), SYNTH_OK);
    read_capture c;
    assert_true(capture_read(path, &c));
    assert_int_equal(c.count, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(c.frames[i].data[0], i + 1);
    capture_free(&c);
    unlink(path);
    g_free(path);
}

static void test_frame_older_than_what_was_written_is_refused(void **state)
{
    (void)state;
    char *path = temp_capture_path("late.pcap");
    synth_error err = {0};
    synth_t *s = synth_new_file(path, SYNTH_PCAP_NS, &err);
    uint8_t f[20] = {0};
    assert_int_equal(synth_emit(s, T0, f, sizeof f), SYNTH_OK);
    assert_int_equal(synth_flush_until(s, T0 + 10), SYNTH_OK);
    assert_int_equal(synth_packets_written(s), 1);
    assert_int_equal(synth_emit(s, T0 + 5, f, sizeof f), SYNTH_E_ORDER);
    assert_non_null(strstr(synth_error_of(s)->message, "older"));
    assert_int_equal(synth_close(s, &err), SYNTH_OK);
    unlink(path);
    g_free(path);
}

static void test_unwritable_path_is_reported_not_crashed(void **state)
{
    (void)state;
    synth_error err = {0};
    synth_t *s = synth_new_file("/nonexistent-dir/x.pcap", SYNTH_PCAP_US, &err);
    assert_null(s);
    assert_int_equal(err.status, SYNTH_E_IO);
    assert_non_null(strstr(err.message, "/nonexistent-dir/x.pcap"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_microsecond_file_truncates_nanoseconds),
        cmocka_unit_test(test_pcap_nanosecond_file_keeps_every_digit),
        cmocka_unit_test(test_pcapng_with_tsresol_9_keeps_every_digit),
        cmocka_unit_test(test_pcapng_microsecond_interface_without_tsresol),
        cmocka_unit_test(test_snaplen_cuts_stored_bytes_but_keeps_wire_length),
        cmocka_unit_test(test_frames_emitted_out_of_order_come_out_sorted),
        cmocka_unit_test(test_frame_older_than_what_was_written_is_refused),
        cmocka_unit_test(test_unwritable_path_is_reported_not_crashed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

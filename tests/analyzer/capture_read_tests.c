/* capture_read_tests.c - reading capture files: pcap (micro/nano), pcapng, gzip, standard
 * input, several files merged, and every way a file can be bad. Each test writes its files to
 * a temporary directory and compares a log of delivered frames and diagnostics, in the order
 * they happened, with the expected one. Frame lines read "file#frame seconds.nanoseconds kind".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <libgen.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture_test_files.h"
#include "tcp_test_packets.h"

#define SEC 1000000000LL
#define T0 (1700000000LL * SEC) /* 2023-11-14, a plausible capture date */

typedef struct read_test {
    char *dir;
    char log[8192];
    size_t len;
    lf_diag_sink sink;
    char last_message[LF_DIAG_MESSAGE_MAX];
    uint8_t frames[8][128]; /* frame bytes, kept alive for the records that point at them */
    ctf_record records[8];
} read_test;

static void logf_(read_test *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(read_test *t, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(t->log + t->len, sizeof t->log - t->len, fmt, args);
    va_end(args);
    if (n > 0)
        t->len += (size_t)n;
}

static const char *code_name(lf_diag_code code)
{
    static const char *const names[] = {
        "FILE_UNREADABLE", "FILE_NOT_CAPTURE",        "FILE_TRUNCATED",  "LINK_UNSUPPORTED",
        "PACKET_MALFORMED", "IP_FRAGMENT", "TCP_RETRANSMIT_CONFLICT", "TCP_BUFFER_FULL",
        "TCP_STREAM_EVICTED", "PACKET_CUT", "STREAM_GAP", "STREAM_ERROR"};
    return names[code];
}

static void on_diag(void *ctx, const lf_diag *d)
{
    static const char *const severities[] = {"NOTE", "WARNING", "ERROR"};
    read_test *t = ctx;
    snprintf(t->last_message, sizeof t->last_message, "%s", d->message);
    char path[512];
    snprintf(path, sizeof path, "%s", d->path ? d->path : "-");
    logf_(ctx, "diag %s %s %s#%llu\n", severities[d->severity], code_name(d->code),
          strcmp(path, "-") == 0 ? "-" : basename(path), (unsigned long long)d->at.frame);
}

static int setup(void **state)
{
    read_test *t = calloc(1, sizeof *t);
    t->dir = ctf_dir_create();
    assert_non_null(t->dir);
    t->sink = (lf_diag_sink){.ctx = t, .emit = on_diag};
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    read_test *t = *state;
    ctf_dir_remove(t->dir);
    free(t->dir);
    free(t);
    return 0;
}

/* Record i: an Ethernet frame carrying a TCP segment with sequence number `seq` and `payload`,
 * captured at `time`. */
static const ctf_record *eth_record(read_test *t, int i, lf_time_ns time, uint32_t seq,
                                    const char *payload)
{
    uint8_t *f = t->frames[i];
    size_t off = tcp_test_ethernet_header(0x0800, f);
    tcp_test_seg s = {.family = 4, .src = {10, 0, 0, 1}, .dst = {10, 0, 0, 2}, .sport = 50000,
                      .dport = 80, .seq = seq, .flags = LF_TCP_ACK, .payload = payload,
                      .len = strlen(payload)};
    uint32_t len = (uint32_t)(off + tcp_test_build_ip(&s, f + off, sizeof t->frames[i] - off));
    t->records[i] = (ctf_record){.time = time, .bytes = f, .caplen = len, .wirelen = len};
    return &t->records[i];
}

static char *file_of(read_test *t, const char *name)
{
    return ctf_path(t->dir, name);
}

static void read_all(read_test *t, const char *const *paths, uint32_t n)
{
    lf_capture *c = lf_capture_open(paths, n, &t->sink);
    assert_non_null(c);
    lf_packet pkt;
    while (lf_capture_next(c, &pkt)) {
        logf_(t, "%u#%llu %lld.%09lld", pkt.ref.file, (unsigned long long)pkt.ref.frame,
              (long long)(pkt.ref.time / SEC - T0 / SEC), (long long)(pkt.ref.time % SEC));
        if (pkt.kind == LF_PACKET_TCP)
            logf_(t, " seq=%u \"%.*s\"\n", pkt.tcp.seq, (int)pkt.tcp.payload_len,
                  (const char *)pkt.tcp.payload);
        else
            logf_(t, " %s\n", pkt.kind == LF_PACKET_OTHER ? "other" : "bad");
    }
    lf_capture_close(c);
}

static void read_one(read_test *t, const char *path)
{
    read_all(t, (const char *const[]){path}, 1);
}

/* Two records at T0 + 1.000000123 s and T0 + 2.5 s. */
static const ctf_record *two_records(read_test *t)
{
    eth_record(t, 0, T0 + 1 * SEC + 123, 1, "one");
    eth_record(t, 1, T0 + 2 * SEC + SEC / 2, 4, "two");
    return t->records;
}

static void test_capture_reads_microsecond_pcap_times_as_nanoseconds(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "micro.pcap");
    ctf_write_pcap(path, DLT_EN10MB, false, two_records(t), 2);
    read_one(t, path);
    assert_string_equal(t->log, "0#1 1.000000000 seq=1 \"one\"\n"
                                "0#2 2.500000000 seq=4 \"two\"\n");
    free(path);
}

static void test_capture_reads_nanosecond_pcap(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "nano.pcap");
    ctf_write_pcap(path, DLT_EN10MB, true, two_records(t), 2);
    read_one(t, path);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n"
                                "0#2 2.500000000 seq=4 \"two\"\n");
    free(path);
}

static void test_capture_reads_pcapng_with_nanosecond_resolution(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "nano.pcapng");
    ctf_write_pcapng(path, 1 /* LINKTYPE_ETHERNET */, two_records(t), 2);
    read_one(t, path);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n"
                                "0#2 2.500000000 seq=4 \"two\"\n");
    free(path);
}

static void test_capture_reads_raw_ip_pcap_written_as_linktype_raw(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "raw.pcap");
    two_records(t);
    ctf_record raw = t->records[0];
    raw.bytes += 14, raw.caplen -= 14, raw.wirelen -= 14;
    ctf_write_pcap(path, DLT_RAW, true, &raw, 1);
    read_one(t, path);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n");
    free(path);
}

static void test_capture_reads_gzip_compressed_capture(void **state)
{
    read_test *t = *state;
    char *plain = file_of(t, "ring.pcapng"), *gz = file_of(t, "ring.pcapng.gz");
    ctf_write_pcapng(plain, 1, two_records(t), 2);
    ctf_gzip(plain, gz);
    read_one(t, gz);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n"
                                "0#2 2.500000000 seq=4 \"two\"\n");
    free(plain), free(gz);
}

static void test_capture_recognises_gzip_by_its_magic_whatever_the_name(void **state)
{
    read_test *t = *state;
    char *plain = file_of(t, "a.pcap"), *gz = file_of(t, "compressed-but-named.pcap");
    ctf_write_pcap(plain, DLT_EN10MB, true, two_records(t), 2);
    ctf_gzip(plain, gz);
    read_one(t, gz);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n"
                                "0#2 2.500000000 seq=4 \"two\"\n");
    free(plain), free(gz);
}

static void test_capture_reports_truncated_last_record_after_the_frames_before_it(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "cut.pcap");
    two_records(t);
    eth_record(t, 2, T0 + 3 * SEC, 7, "three");
    ctf_write_pcap(path, DLT_EN10MB, true, t->records, 3);
    ctf_truncate(path, 10);
    read_one(t, path);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n"
                                "0#2 2.500000000 seq=4 \"two\"\n"
                                "diag ERROR FILE_TRUNCATED cut.pcap#3\n");
    free(path);
}

static void test_capture_reports_unsupported_link_type_and_skips_the_file(void **state)
{
    read_test *t = *state;
    char *usb = file_of(t, "usb.pcap"), *eth = file_of(t, "eth.pcap");
    two_records(t);
    ctf_write_pcap(usb, DLT_USB_LINUX, true, t->records, 1);
    ctf_write_pcap(eth, DLT_EN10MB, true, t->records + 1, 1);
    read_all(t, (const char *const[]){usb, eth}, 2);
    assert_string_equal(t->log, "diag ERROR LINK_UNSUPPORTED usb.pcap#0\n"
                                "1#1 2.500000000 seq=4 \"two\"\n");
    free(usb), free(eth);
}

static void test_capture_names_the_number_of_a_link_type_libpcap_has_no_name_for(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "user0.pcap");
    ctf_write_pcap(path, 147, true, two_records(t), 1);
    read_one(t, path);
    assert_string_equal(t->log, "diag ERROR LINK_UNSUPPORTED user0.pcap#0\n");
    assert_string_equal(t->last_message, "unsupported link-layer type 147 (unnamed)");
    free(path);
}

static void test_capture_reports_tcp_payload_cut_by_the_snapshot_length(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "snaplen.pcap");
    two_records(t);
    t->records[1].caplen -= 2; /* "two" captured as "t" */
    ctf_write_pcap(path, DLT_EN10MB, true, t->records, 2);
    read_one(t, path);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n"
                                "diag WARNING PACKET_CUT snaplen.pcap#2\n"
                                "0#2 2.500000000 seq=4 \"t\"\n");
    assert_string_equal(t->last_message, "the snapshot length cut 2 of 3 TCP payload bytes");
    free(path);
}

static void test_capture_reports_a_file_that_is_not_a_capture(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "notes.txt");
    const char text[] = "this is not a capture file, just some text\n";
    ctf_write_bytes(path, text, sizeof text - 1);
    read_one(t, path);
    assert_string_equal(t->log, "diag ERROR FILE_NOT_CAPTURE notes.txt#0\n");
    free(path);
}

static void test_capture_reports_a_missing_file_and_still_reads_the_others(void **state)
{
    read_test *t = *state;
    char *missing = file_of(t, "missing.pcap"), *eth = file_of(t, "eth.pcap");
    ctf_write_pcap(eth, DLT_EN10MB, true, two_records(t), 1);
    lf_capture *c = lf_capture_open((const char *const[]){missing, eth}, 2, &t->sink);
    lf_packet pkt;
    assert_true(lf_capture_next(c, &pkt));
    assert_int_equal(pkt.ref.file, 1);
    assert_false(lf_capture_next(c, &pkt));
    assert_int_equal(lf_capture_get_stats(c)->files_failed, 1);
    assert_int_equal(lf_capture_get_stats(c)->tcp_segments, 1);
    lf_capture_close(c);
    assert_string_equal(t->log, "diag ERROR FILE_UNREADABLE missing.pcap#0\n");
    free(missing), free(eth);
}

static void test_capture_merges_files_by_timestamp_with_ties_to_the_first_file(void **state)
{
    read_test *t = *state;
    char *a = file_of(t, "a.pcap"), *b = file_of(t, "b.pcapng");
    eth_record(t, 0, T0 + 1 * SEC, 100, "a1");
    eth_record(t, 1, T0 + 3 * SEC, 101, "a2");
    eth_record(t, 2, T0 + 5 * SEC, 102, "a3");
    eth_record(t, 3, T0 + 2 * SEC, 200, "b1");
    eth_record(t, 4, T0 + 3 * SEC, 201, "b2");
    eth_record(t, 5, T0 + 4 * SEC, 202, "b3");
    ctf_write_pcap(a, DLT_EN10MB, true, t->records, 3);
    ctf_write_pcapng(b, 1, t->records + 3, 3);
    read_all(t, (const char *const[]){a, b}, 2);
    assert_string_equal(t->log, "0#1 1.000000000 seq=100 \"a1\"\n"
                                "1#1 2.000000000 seq=200 \"b1\"\n"
                                "0#2 3.000000000 seq=101 \"a2\"\n"
                                "1#2 3.000000000 seq=201 \"b2\"\n"
                                "1#3 4.000000000 seq=202 \"b3\"\n"
                                "0#3 5.000000000 seq=102 \"a3\"\n");
    free(a), free(b);
}

static void test_capture_merges_a_ring_buffer_given_out_of_order(void **state)
{
    read_test *t = *state;
    char *paths[4];
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "ring_%05d.pcap", i + 1);
        paths[i] = file_of(t, name);
        eth_record(t, 2 * i, T0 + (2 * i + 1) * SEC, (uint32_t)(10 * i), "x");
        eth_record(t, 2 * i + 1, T0 + (2 * i + 2) * SEC, (uint32_t)(10 * i + 1), "y");
        ctf_write_pcap(paths[i], DLT_EN10MB, false, t->records + 2 * i, 2);
    }
    read_all(t, (const char *const[]){paths[2], paths[0], paths[3], paths[1]}, 4);
    assert_string_equal(t->log, "1#1 1.000000000 seq=0 \"x\"\n"
                                "1#2 2.000000000 seq=1 \"y\"\n"
                                "3#1 3.000000000 seq=10 \"x\"\n"
                                "3#2 4.000000000 seq=11 \"y\"\n"
                                "0#1 5.000000000 seq=20 \"x\"\n"
                                "0#2 6.000000000 seq=21 \"y\"\n"
                                "2#1 7.000000000 seq=30 \"x\"\n"
                                "2#2 8.000000000 seq=31 \"y\"\n");
    for (int i = 0; i < 4; i++)
        free(paths[i]);
}

/* Runs read_one(t, "-") with standard input redirected from `path`. */
static void read_stdin_from(read_test *t, const char *path)
{
    int saved = dup(STDIN_FILENO);
    int fd = open(path, O_RDONLY);
    dup2(fd, STDIN_FILENO);
    close(fd);
    read_one(t, "-");
    dup2(saved, STDIN_FILENO);
    close(saved);
}

static void test_capture_reads_standard_input_given_as_dash(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "stdin.pcap");
    ctf_write_pcap(path, DLT_EN10MB, true, two_records(t), 2);
    read_stdin_from(t, path);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n"
                                "0#2 2.500000000 seq=4 \"two\"\n");
    free(path);
}

static void test_capture_reads_gzip_compressed_standard_input(void **state)
{
    read_test *t = *state;
    char *plain = file_of(t, "plain.pcapng"), *gz = file_of(t, "stdin.pcapng.gz");
    ctf_write_pcapng(plain, 1, two_records(t), 2);
    ctf_gzip(plain, gz);
    read_stdin_from(t, gz);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n"
                                "0#2 2.500000000 seq=4 \"two\"\n");
    free(plain), free(gz);
}

static void test_capture_reports_fragments_and_malformed_frames_by_frame_number(void **state)
{
    read_test *t = *state;
    char *path = file_of(t, "odd.pcap");
    two_records(t);
    eth_record(t, 2, T0 + 3 * SEC, 9, "frag");
    t->frames[1][14] = 0x43; /* IPv4 header length 12: malformed */
    t->frames[2][14 + 6] = 0x20; /* more fragments */
    ctf_write_pcap(path, DLT_EN10MB, true, t->records, 3);
    read_one(t, path);
    assert_string_equal(t->log, "0#1 1.000000123 seq=1 \"one\"\n"
                                "diag WARNING PACKET_MALFORMED odd.pcap#2\n"
                                "0#2 2.500000000 bad\n"
                                "diag NOTE IP_FRAGMENT odd.pcap#3\n"
                                "0#3 3.000000000 bad\n");
    free(path);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_capture_reads_microsecond_pcap_times_as_nanoseconds),
        T(test_capture_reads_nanosecond_pcap),
        T(test_capture_reads_pcapng_with_nanosecond_resolution),
        T(test_capture_reads_raw_ip_pcap_written_as_linktype_raw),
        T(test_capture_reads_gzip_compressed_capture),
        T(test_capture_recognises_gzip_by_its_magic_whatever_the_name),
        T(test_capture_reports_truncated_last_record_after_the_frames_before_it),
        T(test_capture_reports_unsupported_link_type_and_skips_the_file),
        T(test_capture_names_the_number_of_a_link_type_libpcap_has_no_name_for),
        T(test_capture_reports_tcp_payload_cut_by_the_snapshot_length),
        T(test_capture_reports_a_file_that_is_not_a_capture),
        T(test_capture_reports_a_missing_file_and_still_reads_the_others),
        T(test_capture_merges_files_by_timestamp_with_ties_to_the_first_file),
        T(test_capture_merges_a_ring_buffer_given_out_of_order),
        T(test_capture_reads_standard_input_given_as_dash),
        T(test_capture_reads_gzip_compressed_standard_input),
        T(test_capture_reports_fragments_and_malformed_frames_by_frame_number),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

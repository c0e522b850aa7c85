/* capture_read_tests.c - reading capture files: pcap (micro/nano), pcapng, gzip, standard
 * input, several files merged, and every way a file can be bad. Each test writes its files to
 * a temporary directory and compares a log of delivered frames and diagnostics, in the order
 * they happened, with the expected one. Frame lines read "file#frame seconds.nanoseconds kind".
 * The last tests compare, record by record, plain pcap files read by the capture with what
 * libpcap reads from them.
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

/* Plain pcap files are read without libpcap where that gives exactly what libpcap gives; every
 * record libpcap treats specially must come out as libpcap has it. These tests build files byte
 * by byte and compare, record by record, what the capture delivers with what libpcap reads. */

#define MAGIC_MICRO 0xa1b2c3d4u
#define MAGIC_NANO 0xa1b23c4du
/* Enough records to cross the reader's buffer boundary several times. */
#define MANY_RECORDS 4000

typedef struct raw_pcap {
    uint8_t *bytes;
    size_t len;
    bool swapped; /* written in the other byte order */
} raw_pcap;

static void raw_put(raw_pcap *p, const void *bytes, size_t n)
{
    p->bytes = realloc(p->bytes, p->len + n);
    assert_non_null(p->bytes);
    memcpy(p->bytes + p->len, bytes, n);
    p->len += n;
}

static void raw_u32(raw_pcap *p, uint32_t v)
{
    v = p->swapped ? __builtin_bswap32(v) : v;
    raw_put(p, &v, 4);
}

static void raw_u16(raw_pcap *p, uint16_t v)
{
    v = p->swapped ? __builtin_bswap16(v) : v;
    raw_put(p, &v, 2);
}

static void raw_header(raw_pcap *p, uint32_t magic, uint16_t major, uint16_t minor,
                       uint32_t snaplen, uint32_t linktype)
{
    raw_u32(p, magic);
    raw_u16(p, major);
    raw_u16(p, minor);
    raw_u32(p, 0);
    raw_u32(p, 0);
    raw_u32(p, snaplen);
    raw_u32(p, linktype);
}

/* A record of `caplen` bytes: an Ethernet/IPv4/TCP frame, padded with a pattern. */
static void raw_record(raw_pcap *p, uint32_t sec, uint32_t frac, uint32_t caplen,
                       uint32_t wirelen)
{
    static uint8_t frame[300000];
    size_t off = tcp_test_ethernet_header(0x0800, frame);
    tcp_test_seg s = {.family = 4, .src = {10, 0, 0, 1}, .dst = {10, 0, 0, 2}, .sport = 50000,
                      .dport = 80, .seq = sec, .flags = LF_TCP_ACK};
    off += tcp_test_build_ip(&s, frame + off, sizeof frame - off);
    for (size_t i = off; i < caplen && i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 7 + frac);
    raw_u32(p, sec);
    raw_u32(p, frac);
    raw_u32(p, caplen);
    raw_u32(p, wirelen);
    raw_put(p, frame, caplen < sizeof frame ? caplen : sizeof frame);
}

static uint32_t checksum(const uint8_t *bytes, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ bytes[i]) * 16777619u;
    return h;
}

typedef struct record_log {
    char *text;
    size_t len;
} record_log;

static void log_line(record_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_line(record_log *l, const char *fmt, ...)
{
    char line[512];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    l->text = realloc(l->text, l->len + (size_t)n + 1);
    memcpy(l->text + l->len, line, (size_t)n + 1);
    l->len += (size_t)n;
}

static void log_record(record_log *l, uint64_t frame, lf_time_ns time, uint32_t caplen,
                       uint32_t wirelen, const uint8_t *bytes)
{
    log_line(l, "#%llu %lld %u %u %08x\n", (unsigned long long)frame, (long long)time, caplen,
             wirelen, checksum(bytes, caplen));
}

/* What libpcap itself reads, with times clamped as the capture clamps them. */
static record_log libpcap_records(const char *path)
{
    record_log l = {0};
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) {
        log_line(&l, "not a pcap or pcapng capture: %s\n", err);
        return l;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    for (uint64_t frame = 1; (rc = pcap_next_ex(p, &h, &data)) == 1; frame++) {
        int64_t sec = h->ts.tv_sec;
        lf_time_ns time = sec < 0                          ? 0
                          : sec >= LF_TIME_MAX / 1000000000 ? LF_TIME_MAX
                                                            : sec * 1000000000 + h->ts.tv_usec;
        log_record(&l, frame, time, h->caplen, h->len, data);
    }
    if (rc != PCAP_ERROR_BREAK)
        log_line(&l, "cannot read record: %s\n", pcap_geterr(p));
    pcap_close(p);
    return l;
}

static void on_file_diag(void *ctx, const lf_diag *d)
{
    if (d->code == LF_DIAG_FILE_TRUNCATED || d->code == LF_DIAG_FILE_UNREADABLE ||
        d->code == LF_DIAG_FILE_NOT_CAPTURE)
        log_line(ctx, "%s\n", d->message);
}

static record_log capture_records(const char *path)
{
    record_log l = {0};
    lf_diag_sink sink = {.ctx = &l, .emit = on_file_diag};
    lf_capture *c = lf_capture_open((const char *const[]){path}, 1, &sink);
    assert_non_null(c);
    lf_packet pkt;
    while (lf_capture_next(c, &pkt))
        log_record(&l, pkt.ref.frame, pkt.ref.time, pkt.caplen, pkt.wirelen, pkt.frame);
    lf_capture_close(c);
    return l;
}

/* Writes the file, reads it both ways and expects the same records and the same error. */
static void expect_read_as_libpcap_reads(read_test *t, raw_pcap *p, size_t min_records)
{
    char *path = file_of(t, "raw.pcap");
    ctf_write_bytes(path, p->bytes, p->len);
    record_log want = libpcap_records(path), got = capture_records(path);
    assert_non_null(got.text);
    assert_string_equal(got.text, want.text);
    size_t lines = 0;
    for (size_t i = 0; i < want.len; i++)
        lines += want.text[i] == '\n';
    assert_true(lines >= min_records);
    free(want.text), free(got.text), free(p->bytes), free(path);
}

static void test_capture_reads_many_records_across_buffer_refills_as_libpcap(void **state)
{
    raw_pcap p = {0};
    raw_header(&p, MAGIC_NANO, 2, 4, 65535, 1);
    for (uint32_t i = 0; i < MANY_RECORDS; i++)
        raw_record(&p, 1700000000 + i, i * 1000 + 1, 54 + (i * 37) % 1400, 1514);
    expect_read_as_libpcap_reads(*state, &p, MANY_RECORDS);
}

static void test_capture_reads_microsecond_fractions_at_and_past_one_second_as_libpcap(void **state)
{
    raw_pcap p = {0};
    raw_header(&p, MAGIC_MICRO, 2, 4, 65535, 1);
    raw_record(&p, 1700000000, 999999, 60, 60);
    raw_record(&p, 1700000001, 1000000, 60, 60);
    raw_record(&p, 1700000002, 0xFFFFFFFFu, 60, 60);
    raw_record(&p, 1700000003, 5, 60, 60);
    expect_read_as_libpcap_reads(*state, &p, 4);
}

static void test_capture_reads_seconds_past_2038_and_huge_fractions_as_libpcap(void **state)
{
    raw_pcap p = {0};
    raw_header(&p, MAGIC_NANO, 2, 4, 65535, 1);
    raw_record(&p, 0x7FFFFFFFu, 999999999, 60, 60);
    raw_record(&p, 0x80000000u, 0, 60, 60);
    raw_record(&p, 1700000000, 1000000000, 60, 60);
    raw_record(&p, 0xFFFFFFFFu, 0xFFFFFFFFu, 60, 60);
    raw_record(&p, 1700000001, 1, 60, 60);
    expect_read_as_libpcap_reads(*state, &p, 5);
}

static void test_capture_reads_records_longer_than_the_snapshot_length_as_libpcap(void **state)
{
    raw_pcap p = {0};
    raw_header(&p, MAGIC_NANO, 2, 4, 100, 1);
    raw_record(&p, 1700000000, 0, 100, 1514);
    raw_record(&p, 1700000001, 0, 150, 1514);
    raw_record(&p, 1700000002, 0, 99, 99);
    expect_read_as_libpcap_reads(*state, &p, 3);
}

static void test_capture_reads_a_zero_snapshot_length_and_an_insane_record_as_libpcap(void **state)
{
    raw_pcap p = {0};
    raw_header(&p, MAGIC_NANO, 2, 4, 0, 1);
    raw_record(&p, 1700000000, 0, 262144, 262144);
    raw_record(&p, 1700000001, 0, 262145, 262145);
    raw_record(&p, 1700000002, 0, 60, 60);
    expect_read_as_libpcap_reads(*state, &p, 2);
}

static void test_capture_reads_a_record_header_cut_short_as_libpcap(void **state)
{
    raw_pcap p = {0};
    raw_header(&p, MAGIC_NANO, 2, 4, 65535, 1);
    raw_record(&p, 1700000000, 0, 60, 60);
    raw_u32(&p, 1700000001);
    raw_u32(&p, 0);
    expect_read_as_libpcap_reads(*state, &p, 2);
}

static void test_capture_reads_record_bytes_cut_short_as_libpcap(void **state)
{
    raw_pcap p = {0};
    raw_header(&p, MAGIC_NANO, 2, 4, 65535, 1);
    raw_record(&p, 1700000000, 0, 60, 60);
    raw_record(&p, 1700000001, 0, 600, 600);
    p.len -= 100;
    expect_read_as_libpcap_reads(*state, &p, 2);
}

static void test_capture_reads_the_other_byte_order_as_libpcap(void **state)
{
    raw_pcap p = {.swapped = true};
    raw_header(&p, MAGIC_MICRO, 2, 4, 65535, 1);
    raw_record(&p, 1700000000, 7, 60, 60);
    raw_record(&p, 1700000001, 8, 70, 80);
    expect_read_as_libpcap_reads(*state, &p, 2);
}

static void test_capture_reads_version_2_3_with_swapped_lengths_as_libpcap(void **state)
{
    raw_pcap p = {0};
    raw_header(&p, MAGIC_NANO, 2, 3, 65535, 1);
    raw_record(&p, 1700000000, 0, 60, 60);
    raw_record(&p, 1700000001, 0, 80, 70);
    expect_read_as_libpcap_reads(*state, &p, 2);
}

static void test_capture_reads_link_types_with_fcs_bits_and_raw_ip_as_libpcap(void **state)
{
    raw_pcap p = {0};
    raw_header(&p, MAGIC_NANO, 2, 4, 65535, 0x14000001u);
    raw_record(&p, 1700000000, 0, 60, 60);
    expect_read_as_libpcap_reads(*state, &p, 1);
    raw_pcap raw = {0};
    raw_header(&raw, MAGIC_NANO, 2, 4, 65535, 101);
    raw_record(&raw, 1700000000, 0, 60, 60);
    expect_read_as_libpcap_reads(*state, &raw, 1);
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
        T(test_capture_reads_many_records_across_buffer_refills_as_libpcap),
        T(test_capture_reads_microsecond_fractions_at_and_past_one_second_as_libpcap),
        T(test_capture_reads_seconds_past_2038_and_huge_fractions_as_libpcap),
        T(test_capture_reads_records_longer_than_the_snapshot_length_as_libpcap),
        T(test_capture_reads_a_zero_snapshot_length_and_an_insane_record_as_libpcap),
        T(test_capture_reads_a_record_header_cut_short_as_libpcap),
        T(test_capture_reads_record_bytes_cut_short_as_libpcap),
        T(test_capture_reads_the_other_byte_order_as_libpcap),
        T(test_capture_reads_version_2_3_with_swapped_lengths_as_libpcap),
        T(test_capture_reads_link_types_with_fcs_bits_and_raw_ip_as_libpcap),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* read_ahead_test.c - reading a capture on a thread of its own gives exactly what reading it on
 * the pipeline's thread gives: the same packets with the same bytes, and the capture's
 * diagnostics between the same packets, across many batch boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "capture_test_files.h"
#include "pipeline/read_ahead.h"
#include "tcp_test_packets.h"

#define SEC 1000000000LL
#define T0 (1700000000LL * SEC)

/* Several batches' worth of packets, and of payload bytes (the big ones come every 100). */
#define FRAMES (3 * LF_READ_AHEAD_ITEMS + 123)
#define BIG_PAYLOAD 60000u
#define FRAME_CAP (BIG_PAYLOAD + 128u)

typedef struct lab {
    char *dir;
    char *path;
} lab;

/* One line per packet (frame number, kind, addresses and payload) or diagnostic. */
static void log_packet(GString *log, const lf_packet *p)
{
    g_string_append_printf(log, "packet %llu kind %d", (unsigned long long)p->ref.frame, p->kind);
    if (p->kind != LF_PACKET_TCP) {
        g_string_append_c(log, '\n');
        return;
    }
    size_t addr = p->tcp.family == 6 ? 16 : 4;
    g_string_append_printf(log, " %u->%u %u bytes ", p->tcp.sport, p->tcp.dport,
                           p->tcp.payload_len);
    for (size_t i = 0; i < addr; i++)
        g_string_append_printf(log, "%02x%02x", p->tcp.src[i], p->tcp.dst[i]);
    g_string_append_c(log, ' ');
    g_string_append_len(log, (const char *)p->tcp.payload, p->tcp.payload_len);
    g_string_append_c(log, '\n');
}

static void log_diag(void *ctx, const lf_diag *d)
{
    g_string_append_printf(ctx, "diag %d %s packet %llu: %s\n", d->code,
                           d->path ? "(path)" : "(none)", (unsigned long long)d->at.frame,
                           d->message);
}

/* Every 1000th frame is cut inside its IPv4 header (a malformed packet, so a diagnostic). */
static size_t build_frame(size_t i, uint8_t *f)
{
    static char payload[BIG_PAYLOAD];
    size_t off = tcp_test_ethernet_header(0x0800, f);
    size_t len = i % 100 == 0 ? BIG_PAYLOAD : 1 + i % 50;
    memset(payload, 'a' + (int)(i % 26), len);
    char number[24]; /* no NUL in the payload: the logs are compared as text */
    int digits = snprintf(number, sizeof number, "%zu", i);
    memcpy(payload, number, (size_t)digits < len ? (size_t)digits : len);
    tcp_test_seg s = {.family = 4, .seq = (uint32_t)i, .ack = 1, .flags = 0x18,
                      .payload = payload, .len = len, .sport = 40000, .dport = 80};
    memcpy(s.src, (const uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(s.dst, (const uint8_t[]){10, 0, 0, 2}, 4);
    size_t n = off + tcp_test_build_ip(&s, f + off, FRAME_CAP - off);
    return i % 1000 == 999 ? off + 10 : n;
}

static int setup(void **state)
{
    lab *l = calloc(1, sizeof *l);
    l->dir = ctf_dir_create();
    l->path = ctf_path(l->dir, "many.pcap");
    uint8_t *scratch = malloc(FRAME_CAP);
    ctf_record *records = calloc(FRAMES, sizeof *records);
    for (size_t i = 0; i < FRAMES; i++) {
        uint32_t len = (uint32_t)build_frame(i, scratch);
        records[i] = (ctf_record){.time = T0 + (lf_time_ns)i * SEC / 1000,
                                  .bytes = g_memdup2(scratch, len), .caplen = len,
                                  .wirelen = len};
    }
    ctf_write_pcap(l->path, DLT_EN10MB, true, records, FRAMES);
    for (size_t i = 0; i < FRAMES; i++)
        g_free((void *)records[i].bytes);
    free(records);
    free(scratch);
    *state = l;
    return 0;
}

static int teardown(void **state)
{
    lab *l = *state;
    ctf_dir_remove(l->dir);
    free(l->path);
    free(l->dir);
    free(l);
    return 0;
}

static GString *read_on_this_thread(const char *const *paths, uint32_t n)
{
    GString *log = g_string_new(NULL);
    lf_diag_sink sink = {.ctx = log, .emit = log_diag};
    lf_capture *cap = lf_capture_open(paths, n, &sink);
    lf_packet pkt;
    while (lf_capture_next(cap, &pkt))
        log_packet(log, &pkt);
    lf_capture_close(cap);
    return log;
}

static GString *read_ahead(const char *const *paths, uint32_t n)
{
    GString *log = g_string_new(NULL);
    lf_diag_sink sink = {.ctx = log, .emit = log_diag};
    lf_read_ahead *r = lf_read_ahead_start(paths, n, &sink);
    assert_non_null(r);
    lf_packet pkt;
    while (lf_read_ahead_next(r, &pkt))
        log_packet(log, &pkt);
    assert_int_equal(lf_capture_get_stats(lf_read_ahead_capture(r))->frames, n == 0 ? 0 : FRAMES);
    lf_read_ahead_free(r);
    return log;
}

static void test_packets_and_diagnostics_arrive_as_read_on_one_thread(void **state)
{
    lab *l = *state;
    const char *paths[] = {l->path};
    GString *one = read_on_this_thread(paths, 1);
    GString *two = read_ahead(paths, 1);
    assert_non_null(strstr(one->str, "packet 1000 kind 3\n"));
    assert_non_null(strstr(one->str, "packet 1000: "));
    assert_int_equal(one->len, two->len);
    assert_memory_equal(one->str, two->str, one->len);
    g_string_free(one, TRUE);
    g_string_free(two, TRUE);
}

static void test_an_unreadable_input_is_reported_before_the_packets(void **state)
{
    lab *l = *state;
    char *missing = ctf_path(l->dir, "missing.pcap");
    const char *paths[] = {missing, l->path};
    GString *one = read_on_this_thread(paths, 2);
    GString *two = read_ahead(paths, 2);
    assert_true(g_str_has_prefix(two->str, "diag 0 (path) packet 0:"));
    assert_string_equal(one->str, two->str);
    g_string_free(one, TRUE);
    g_string_free(two, TRUE);
    free(missing);
}

static void test_stopping_early_ends_the_reader_thread(void **state)
{
    lab *l = *state;
    const char *paths[] = {l->path};
    lf_read_ahead *r = lf_read_ahead_start(paths, 1, NULL);
    assert_non_null(r);
    lf_packet pkt;
    for (int i = 0; i < 10; i++)
        assert_true(lf_read_ahead_next(r, &pkt));
    assert_int_equal(pkt.ref.frame, 10);
    lf_read_ahead_free(r); /* must not hang with the reader blocked on a full ring */
}

static void test_progress_follows_the_file(void **state)
{
    lab *l = *state;
    const char *paths[] = {l->path};
    lf_read_ahead *r = lf_read_ahead_start(paths, 1, NULL);
    lf_packet pkt;
    uint64_t done = 0, total = 0, last = 0;
    while (lf_read_ahead_next(r, &pkt)) {
        assert_true(lf_read_ahead_progress(r, &done, &total));
        assert_true(done >= last && done <= total);
        last = done;
    }
    assert_int_equal(done, total);
    lf_read_ahead_free(r);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_packets_and_diagnostics_arrive_as_read_on_one_thread),
        T(test_an_unreadable_input_is_reported_before_the_packets),
        T(test_stopping_early_ends_the_reader_thread),
        T(test_progress_follows_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

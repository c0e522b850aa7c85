/* pipeline_diag_test.c - diagnostics of the stages above the capture, as the pipeline passes
 * them on: each names the input file and the packet, and capture gaps and unparseable stream
 * bytes are diagnostics too. Each test writes a small Ethernet pcap and runs the pipeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libgen.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/packet.h"
#include "capture_test_files.h"
#include "pipeline/pipeline.h"
#include "tcp_test_packets.h"

#define SEC 1000000000LL
#define T0 (1700000000LL * SEC)
#define C_ISN 1000u
#define S_ISN 5000u
#define MAX_FRAMES 8

typedef struct diag_test {
    char *dir;
    uint8_t frames[MAX_FRAMES][256];
    ctf_record records[MAX_FRAMES];
    size_t n;
    char log[2048];
    size_t len;
} diag_test;

static void on_diag(void *ctx, const lf_diag *d)
{
    static const char *const severities[] = {"note", "warning", "error"};
    diag_test *t = ctx;
    char path[512];
    snprintf(path, sizeof path, "%s", d->path ? d->path : "(none)");
    int n = snprintf(t->log + t->len, sizeof t->log - t->len, "%s: %s: packet %llu: %s\n",
                     severities[d->severity], d->path ? basename(path) : path,
                     (unsigned long long)d->at.frame, d->message);
    if (n > 0 && (size_t)n < sizeof t->log - t->len)
        t->len += (size_t)n;
}

static int setup(void **state)
{
    diag_test *t = calloc(1, sizeof *t);
    t->dir = ctf_dir_create();
    assert_non_null(t->dir);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    diag_test *t = *state;
    ctf_dir_remove(t->dir);
    free(t->dir);
    free(t);
    return 0;
}

/* Appends one Ethernet frame, client 10.0.0.1:50000 or server 10.0.0.2:80, one second apart. */
static void segment(diag_test *t, bool from_client, uint32_t seq, uint32_t ack, uint8_t flags,
                    const char *payload)
{
    assert_true(t->n < MAX_FRAMES);
    uint8_t *f = t->frames[t->n];
    size_t off = tcp_test_ethernet_header(0x0800, f);
    tcp_test_seg s = {.family = 4,
                      .seq = seq,
                      .ack = ack,
                      .flags = flags,
                      .payload = payload,
                      .len = payload ? strlen(payload) : 0};
    memcpy(s.src, (const uint8_t[]){10, 0, 0, from_client ? 1 : 2}, 4);
    memcpy(s.dst, (const uint8_t[]){10, 0, 0, from_client ? 2 : 1}, 4);
    s.sport = from_client ? 50000 : 80;
    s.dport = from_client ? 80 : 50000;
    uint32_t len = (uint32_t)(off + tcp_test_build_ip(&s, f + off, sizeof t->frames[0] - off));
    t->records[t->n] = (ctf_record){
        .time = T0 + (lf_time_ns)t->n * SEC, .bytes = f, .caplen = len, .wirelen = len};
    t->n++;
}

/* Frames 1-3. */
static void handshake(diag_test *t)
{
    segment(t, true, C_ISN, 0, LF_TCP_SYN, NULL);
    segment(t, false, S_ISN, C_ISN + 1, LF_TCP_SYN | LF_TCP_ACK, NULL);
    segment(t, true, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, NULL);
}

static void run_once(diag_test *t, const char *path, bool read_ahead)
{
    t->len = 0;
    t->log[0] = '\0';
    lf_pipeline_options opts;
    lf_pipeline_options_default(&opts);
    opts.diag = (lf_diag_sink){.ctx = t, .emit = on_diag};
    opts.read_ahead = read_ahead;
    lf_pipeline_result res;
    assert_int_equal(lf_pipeline_run((const char *const[]){path}, 1, &opts, &res), 0);
    lf_pipeline_result_clear(&res);
}

/* Runs the pipeline with the capture read on a thread of its own, then on the pipeline's
 * thread: the diagnostics must not differ. */
static void run(diag_test *t)
{
    char *path = ctf_path(t->dir, "lab.pcap");
    ctf_write_pcap(path, DLT_EN10MB, true, t->records, t->n);
    run_once(t, path, true);
    char threaded[sizeof t->log];
    memcpy(threaded, t->log, sizeof threaded);
    run_once(t, path, false);
    assert_string_equal(threaded, t->log);
    free(path);
}

static void test_tcp_retransmission_conflict_names_the_file_and_packet(void **state)
{
    diag_test *t = *state;
    handshake(t);
    segment(t, true, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "GET / HTTP/1.1\r\n\r\n");
    segment(t, true, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "PUT / HTTP/1.1\r\n\r\n");
    run(t);
    assert_string_equal(t->log, "warning: lab.pcap: packet 5: stream 0 client->server: "
                                "retransmitted bytes at seq 1001 (+18) differ from the first "
                                "copy; the first copy is kept\n");
}

static void test_garbage_in_a_stream_is_a_warning_naming_file_packet_and_cause(void **state)
{
    diag_test *t = *state;
    handshake(t);
    segment(t, true, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "\x16\x03\x01 hello\r\n");
    run(t);
    assert_string_equal(t->log, "warning: lab.pcap: packet 4: stream 0 client->server: "
                                "bytes that are not an HTTP message\n");
}

static void test_capture_gap_in_a_stream_is_a_warning_with_the_missing_count(void **state)
{
    diag_test *t = *state;
    handshake(t);
    segment(t, true, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "GET /a HTTP/1.1\r\n\r\n");
    /* "GET /lost HTTP/1.1\r\n\r\n" (22 bytes) never reaches the capture */
    segment(t, true, C_ISN + 42, S_ISN + 1, LF_TCP_ACK, "GET /c HTTP/1.1\r\n\r\n");
    segment(t, false, S_ISN + 1, C_ISN + 61, LF_TCP_ACK, NULL);
    run(t);
    assert_string_equal(t->log, "warning: lab.pcap: packet 6: stream 0 client->server: "
                                "22 bytes missing from the capture\n");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_tcp_retransmission_conflict_names_the_file_and_packet),
        T(test_garbage_in_a_stream_is_a_warning_naming_file_packet_and_cause),
        T(test_capture_gap_in_a_stream_is_a_warning_with_the_missing_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

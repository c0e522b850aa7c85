/* TCP connection builder: handshake, MSS splitting, sequence wrap, close and every anomaly,
 * checked on the frames libpcap reads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "readback.h"
#include "tcp_conn.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>

#define T0 (1718000000ull * SYNTH_NS_PER_S)
#define SYN 0x02
#define ACK 0x10
#define FIN 0x01
#define RST 0x04

typedef struct {
    char *path;
    synth_t *s;
    synth_endpoint cli, srv;
    read_capture cap;
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    synth_error err = {0};
    f->path = temp_capture_path("tcp.pcapng");
    f->s = synth_new_file(f->path, SYNTH_PCAPNG_NS, &err);
    synth_endpoint_parse("10.0.0.2:50000", &f->cli);
    synth_endpoint_parse("10.0.0.1:8080", &f->srv);
    *state = f;
    return f->s ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    capture_free(&f->cap);
    unlink(f->path);
    g_free(f->path);
    g_free(f);
    return 0;
}

static synth_conn *open_conn(fixture *f, uint32_t isn_c, uint32_t isn_s, uint16_t mss)
{
    synth_tcp_options o;
    synth_tcp_default_options(f->s, &o);
    o.isn_client = isn_c;
    o.isn_server = isn_s;
    o.mss = mss;
    synth_conn *c = synth_tcp_open(f->s, &f->cli, &f->srv, T0, &o);
    assert_non_null(c);
    return c;
}

static void finish(fixture *f, synth_conn *c)
{
    synth_error err = {0};
    synth_conn_free(c);
    assert_int_equal(synth_close(f->s, &err), SYNTH_OK);
    assert_true(capture_read(f->path, &f->cap));
}

static const read_frame *frame(fixture *f, size_t i)
{
    assert_true(i < f->cap.count);
    assert_true(f->cap.frames[i].tcp);
    return &f->cap.frames[i];
}

static void test_handshake_is_syn_synack_ack(void **state)
{
    fixture *f = *state;
    finish(f, open_conn(f, 1000, 5000, 1460));
    assert_int_equal(f->cap.count, 3);
    assert_int_equal(frame(f, 0)->flags, SYN);
    assert_int_equal(frame(f, 0)->seq, 1000);
    assert_int_equal(frame(f, 1)->flags, SYN | ACK);
    assert_int_equal(frame(f, 1)->seq, 5000);
    assert_int_equal(frame(f, 1)->ack, 1001);
    assert_int_equal(frame(f, 2)->flags, ACK);
    assert_int_equal(frame(f, 2)->ack, 5001);
    assert_int_equal(frame(f, 1)->sport, 8080);
}

static void test_send_splits_at_mss_and_peer_acks_everything(void **state)
{
    fixture *f = *state;
    synth_conn *c = open_conn(f, 1000, 5000, 100);
    uint8_t data[250];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    assert_int_equal(synth_tcp_send(c, SYNTH_C2S, T0 + SYNTH_NS_PER_MS, data, sizeof data),
                     SYNTH_OK);
    finish(f, c);
    assert_int_equal(f->cap.count, 3 + 3 + 1);
    assert_int_equal(frame(f, 3)->payload_len, 100);
    assert_int_equal(frame(f, 4)->payload_len, 100);
    assert_int_equal(frame(f, 5)->payload_len, 50);
    assert_int_equal(frame(f, 5)->seq, 1201);
    assert_int_equal(frame(f, 6)->sport, 8080);
    assert_int_equal(frame(f, 6)->ack, 1251);
    uint8_t got[300];
    assert_int_equal(capture_stream(&f->cap, 50000, got, sizeof got), 250);
    assert_memory_equal(got, data, 250);
}

static void test_sequence_numbers_wrap_past_two_to_the_32(void **state)
{
    fixture *f = *state;
    synth_conn *c = open_conn(f, 0xFFFFFF00u, 7, 1460);
    uint8_t data[600] = {0};
    assert_int_equal(synth_tcp_send(c, SYNTH_C2S, T0 + SYNTH_NS_PER_MS, data, sizeof data),
                     SYNTH_OK);
    finish(f, c);
    assert_int_equal(frame(f, 3)->seq, 0xFFFFFF01u);
    assert_int_equal(frame(f, 4)->ack, (uint32_t)(0xFFFFFF01u + 600u));
    assert_true(frame(f, 4)->ack < 0x1000);
}

static void test_mid_stream_connection_has_no_handshake(void **state)
{
    fixture *f = *state;
    synth_tcp_options o;
    synth_tcp_default_options(f->s, &o);
    o.mid_stream = true;
    synth_conn *c = synth_tcp_open(f->s, &f->cli, &f->srv, T0, &o);
    assert_int_equal(synth_tcp_send(c, SYNTH_S2C, T0, "hello", 5), SYNTH_OK);
    finish(f, c);
    assert_int_equal(f->cap.count, 2);
    assert_int_equal(frame(f, 0)->payload_len, 5);
    assert_int_equal(frame(f, 0)->seq, o.isn_server + 1);
}

static void test_close_is_fin_finack_ack_and_reset_is_one_rst(void **state)
{
    fixture *f = *state;
    synth_conn *c = open_conn(f, 1, 2, 1460);
    synth_endpoint other;
    synth_endpoint_parse("10.0.0.3:50001", &other);
    synth_conn *d = synth_tcp_connect(f->s, &other, &f->srv, T0 + SYNTH_NS_PER_S);
    assert_int_equal(synth_tcp_close(c, SYNTH_S2C, T0 + SYNTH_NS_PER_MS), SYNTH_OK);
    assert_int_equal(synth_tcp_send(c, SYNTH_S2C, T0 + 2 * SYNTH_NS_PER_MS, "x", 1), SYNTH_E_STATE);
    assert_int_equal(synth_tcp_rst(d, SYNTH_C2S, T0 + 2 * SYNTH_NS_PER_S), SYNTH_OK);
    synth_conn_free(d);
    finish(f, c);
    assert_int_equal(f->cap.count, 3 + 3 + 3 + 1);
    assert_int_equal(frame(f, 3)->flags, FIN | ACK);
    assert_int_equal(frame(f, 3)->sport, 8080);
    assert_int_equal(frame(f, 4)->flags, FIN | ACK);
    assert_int_equal(frame(f, 5)->flags, ACK);
    assert_int_equal(frame(f, 5)->ack, 3); /* client ISN 1, SYN and FIN consumed */
    assert_int_equal(frame(f, 9)->flags, RST | ACK);
}

static void send_three_segments(fixture *f, synth_conn *c, synth_anomaly a)
{
    uint8_t data[300];
    memset(data, 'a', sizeof data);
    assert_int_equal(synth_tcp_set_anomaly(c, SYNTH_S2C, a), SYNTH_OK);
    assert_int_equal(synth_tcp_send(c, SYNTH_S2C, T0 + SYNTH_NS_PER_MS, data, sizeof data),
                     SYNTH_OK);
    finish(f, c);
}

static void test_dropped_segment_is_missing_but_acknowledged(void **state)
{
    fixture *f = *state;
    send_three_segments(f, open_conn(f, 1, 1000, 100), SYNTH_ANOMALY_DROP);
    assert_int_equal(f->cap.count, 3 + 2 + 1);
    assert_int_equal(frame(f, 3)->seq, 1101);
    assert_int_equal(frame(f, 5)->ack, 1301);
}

static void test_reordered_segments_arrive_second_first(void **state)
{
    fixture *f = *state;
    send_three_segments(f, open_conn(f, 1, 1000, 100), SYNTH_ANOMALY_REORDER);
    assert_int_equal(frame(f, 3)->seq, 1101);
    assert_int_equal(frame(f, 4)->seq, 1001);
    assert_int_equal(frame(f, 5)->seq, 1201);
}

static void test_reorder_of_a_single_segment_is_refused(void **state)
{
    fixture *f = *state;
    synth_conn *c = open_conn(f, 1, 1000, 100);
    synth_tcp_set_anomaly(c, SYNTH_S2C, SYNTH_ANOMALY_REORDER);
    assert_int_equal(synth_tcp_send(c, SYNTH_S2C, T0, "x", 1), SYNTH_E_STATE);
    finish(f, c);
}

static void test_duplicate_resends_the_first_segment_unchanged(void **state)
{
    fixture *f = *state;
    send_three_segments(f, open_conn(f, 1, 1000, 100), SYNTH_ANOMALY_DUPLICATE);
    assert_int_equal(f->cap.count, 3 + 3 + 1 + 1);
    assert_int_equal(frame(f, 6)->seq, 1001);
    assert_memory_equal(frame(f, 6)->payload, frame(f, 3)->payload, 100);
}

static void test_changed_retransmission_carries_different_bytes(void **state)
{
    fixture *f = *state;
    send_three_segments(f, open_conn(f, 1, 1000, 100), SYNTH_ANOMALY_RETRANSMIT_CHANGED);
    assert_int_equal(frame(f, 6)->seq, 1001);
    assert_int_equal(frame(f, 6)->payload_len, 100);
    assert_memory_not_equal(frame(f, 6)->payload, frame(f, 3)->payload, 100);
}

static void test_ipv6_connection_round_trips(void **state)
{
    fixture *f = *state;
    synth_endpoint_parse("[2001:db8::2]:50000", &f->cli);
    synth_endpoint_parse("[2001:db8::1]:443", &f->srv);
    synth_conn *c = open_conn(f, 10, 20, 1440);
    assert_int_equal(synth_tcp_send(c, SYNTH_C2S, T0 + SYNTH_NS_PER_MS, "GET", 3), SYNTH_OK);
    finish(f, c);
    assert_int_equal(frame(f, 3)->payload_len, 3);
    assert_int_equal(frame(f, 3)->dport, 443);
    assert_int_equal(f->cap.frames[3].data[12], 0x86);
}

static void test_endpoints_of_mixed_families_are_refused(void **state)
{
    fixture *f = *state;
    synth_endpoint v6;
    synth_endpoint_parse("[::1]:80", &v6);
    assert_null(synth_tcp_connect(f->s, &f->cli, &v6, T0));
    assert_int_equal(synth_error_of(f->s)->status, SYNTH_E_ARG);
    synth_error err = {0};
    assert_int_equal(synth_close(f->s, &err), SYNTH_OK);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_handshake_is_syn_synack_ack),
        T(test_send_splits_at_mss_and_peer_acks_everything),
        T(test_sequence_numbers_wrap_past_two_to_the_32),
        T(test_mid_stream_connection_has_no_handshake),
        T(test_close_is_fin_finack_ack_and_reset_is_one_rst),
        T(test_dropped_segment_is_missing_but_acknowledged),
        T(test_reordered_segments_arrive_second_first),
        T(test_reorder_of_a_single_segment_is_refused),
        T(test_duplicate_resends_the_first_segment_unchanged),
        T(test_changed_retransmission_carries_different_bytes),
        T(test_ipv6_connection_round_trips),
        T(test_endpoints_of_mixed_families_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

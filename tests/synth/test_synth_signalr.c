/* SignalR helpers: the bytes each transport puts on the wire for negotiate, connect, init,
 * keepalive, messages, sends, reconnect and abort, read back from the capture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "readback.h"
#include "signalr_session.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>

#define T0 (1718000000ull * SYNTH_NS_PER_S)
#define SEC SYNTH_NS_PER_S
#define STREAM_MAX 65536
#define CTL_PORT 41000
#define RECV_PORT 41001

typedef struct {
    char *path;
    synth_t *s;
    synth_conn *ctl, *recv;
    synth_sr_session *ss;
    read_capture cap;
    char ctl_out[STREAM_MAX], ctl_in[STREAM_MAX], recv_out[STREAM_MAX], recv_in[STREAM_MAX];
} fixture;

static fixture *open_session(synth_sr_transport tr)
{
    fixture *f = g_new0(fixture, 1);
    synth_error err = {0};
    synth_endpoint ctl, recv, srv;
    synth_endpoint_parse("127.0.0.1:41000", &ctl);
    synth_endpoint_parse("127.0.0.1:41001", &recv);
    synth_endpoint_parse("127.0.0.1:8080", &srv);
    f->path = temp_capture_path("signalr.pcapng");
    f->s = synth_new_file(f->path, SYNTH_PCAPNG_NS, &err);
    assert_non_null(f->s);
    f->ctl = synth_tcp_connect(f->s, &ctl, &srv, T0);
    f->recv = synth_tcp_connect(f->s, &recv, &srv, T0 + SYNTH_NS_PER_MS);
    synth_sr_config cfg;
    synth_sr_default_config(&cfg);
    f->ss = synth_sr_session_new(f->s, tr, &cfg);
    return f;
}

static void connected(fixture *f)
{
    assert_int_equal(synth_sr_negotiate(f->ss, f->ctl, T0 + 2 * SYNTH_NS_PER_MS), SYNTH_OK);
    assert_int_equal(synth_sr_connect(f->ss, f->recv, T0 + 10 * SYNTH_NS_PER_MS), SYNTH_OK);
    assert_int_equal(synth_sr_start(f->ss, f->ctl, T0 + 30 * SYNTH_NS_PER_MS), SYNTH_OK);
}

static void finish(fixture *f)
{
    synth_error err = {0};
    synth_sr_session_free(f->ss);
    synth_conn_free(f->ctl);
    synth_conn_free(f->recv);
    assert_int_equal(synth_close(f->s, &err), SYNTH_OK);
    assert_true(capture_read(f->path, &f->cap));
    capture_stream(&f->cap, CTL_PORT, (uint8_t *)f->ctl_out, STREAM_MAX - 1);
    capture_stream(&f->cap, RECV_PORT, (uint8_t *)f->recv_out, STREAM_MAX - 1);
    /* Server-side bytes per client port. */
    size_t nc = 0, nr = 0;
    for (size_t i = 0; i < f->cap.count; i++) {
        const read_frame *fr = &f->cap.frames[i];
        if (!fr->tcp || fr->sport != 8080)
            continue;
        size_t *used = fr->dport == CTL_PORT ? &nc : &nr;
        char *dst = (fr->dport == CTL_PORT ? f->ctl_in : f->recv_in) + *used;
        assert_true(*used + fr->payload_len < STREAM_MAX);
        memcpy(dst, fr->payload, fr->payload_len);
        *used += fr->payload_len;
    }
}

static void destroy(fixture *f)
{
    capture_free(&f->cap);
    unlink(f->path);
    g_free(f->path);
    g_free(f);
}

static void test_negotiate_response_maps_token_to_connection_id(void **state)
{
    (void)state;
    fixture *f = open_session(SYNTH_SR_WEBSOCKETS);
    char *token = g_strdup(synth_sr_session_token(f->ss));
    char *id = g_strdup(synth_sr_session_connection_id(f->ss));
    assert_int_equal(synth_sr_negotiate(f->ss, f->ctl, T0 + SYNTH_NS_PER_MS), SYNTH_OK);
    finish(f);
    assert_non_null(strstr(f->ctl_out, "GET /signalr/negotiate?clientProtocol=2.1&connectionData="
                                       "%5B%7B%22name%22%3A%22chathub%22%7D%5D&_=1718000000001 "
                                       "HTTP/1.1\r\n"));
    char *expect = g_strdup_printf("{\"Url\":\"/signalr\",\"ConnectionToken\":\"%s\","
                                   "\"ConnectionId\":\"%s\",\"KeepAliveTimeout\":20.0,"
                                   "\"DisconnectTimeout\":30.0,\"ConnectionTimeout\":110.0,",
                                   token, id);
    assert_non_null(strstr(f->ctl_in, expect));
    assert_int_equal(strlen(id), 36);
    g_free(expect);
    g_free(id);
    g_free(token);
    destroy(f);
}

static void test_websocket_connect_escapes_token_and_sends_init_frame(void **state)
{
    (void)state;
    fixture *f = open_session(SYNTH_SR_WEBSOCKETS);
    char *escaped = g_uri_escape_string(synth_sr_session_token(f->ss), NULL, FALSE);
    char *url = g_strdup_printf("GET /signalr/connect?transport=webSockets&clientProtocol=2.1"
                                "&connectionToken=%s&connectionData=",
                                escaped);
    connected(f);
    assert_int_equal(synth_sr_keepalive(f->ss, T0 + 5 * SEC), SYNTH_OK);
    finish(f);
    assert_non_null(strstr(f->recv_out, url));
    assert_null(strchr(escaped, '+'));
    char *frames = strstr(f->recv_in, "\r\n\r\n") + 4;
    size_t len = (uint8_t)frames[1];
    assert_int_equal((uint8_t)frames[0], 0x81);
    char *init = g_strndup(frames + 2, len);
    assert_true(g_str_has_prefix(init, "{\"C\":\"d-"));
    assert_true(g_str_has_suffix(init, "-B,0|C,0|D,1\",\"S\":1,\"M\":[]}"));
    assert_memory_equal(frames + 2 + len, "\x81\x02{}", 4);
    assert_non_null(strstr(f->ctl_in, "{ \"Response\": \"started\" }"));
    g_free(init);
    g_free(url);
    g_free(escaped);
    destroy(f);
}

static void test_sse_stream_is_initialized_then_init_then_ten_byte_keepalive(void **state)
{
    (void)state;
    fixture *f = open_session(SYNTH_SR_SERVER_SENT_EVENTS);
    connected(f);
    assert_int_equal(synth_sr_keepalive(f->ss, T0 + 5 * SEC), SYNTH_OK);
    finish(f);
    assert_non_null(strstr(f->recv_out, "Accept: text/event-stream\r\n"));
    const char *body = strstr(f->recv_in, "\r\n\r\n") + 4;
    assert_true(g_str_has_prefix(body, "13\r\ndata: initialized\n\n\r\n35\r\ndata: {\"C\":\"d-"));
    assert_true(g_str_has_suffix(body, "\"S\":1,\"M\":[]}\r\n\r\n\r\na\r\ndata: {}\n\n\r\n"));
    destroy(f);
}

static void test_forever_frame_prelude_and_28_byte_keepalive(void **state)
{
    (void)state;
    fixture *f = open_session(SYNTH_SR_FOREVER_FRAME);
    connected(f);
    assert_int_equal(synth_sr_keepalive(f->ss, T0 + 5 * SEC), SYNTH_OK);
    finish(f);
    assert_non_null(strstr(f->recv_out, "&frameId=1 HTTP/1.1\r\n"));
    assert_non_null(strstr(f->recv_in, "        c =  ff ? ff.getConnection('1') : null,\r\n"));
    assert_non_null(strstr(f->recv_in, "\r\n45\r\n<script>r(c, {\"C\":\"d-"));
    assert_true(g_str_has_suffix(f->recv_in, "\r\n1c\r\n<script>r(c, {});</script>\n\n\r\n"));
    destroy(f);
}

static void test_long_poll_spaces_then_message_ends_the_poll_and_repolls(void **state)
{
    (void)state;
    fixture *f = open_session(SYNTH_SR_LONG_POLLING);
    connected(f);
    assert_int_equal(synth_sr_keepalive(f->ss, T0 + 5 * SEC), SYNTH_OK);
    assert_int_equal(synth_sr_keepalive(f->ss, T0 + 15 * SEC), SYNTH_OK);
    assert_int_equal(synth_sr_server_message(f->ss, T0 + 16 * SEC, "{\"H\":\"ChatHub\"}"), SYNTH_OK);
    finish(f);
    assert_true(g_str_has_prefix(f->recv_out, "POST /signalr/connect?transport=longPolling"));
    assert_non_null(strstr(f->recv_out, "Content-Length: 0\r\n\r\nPOST /signalr/poll?"));
    assert_non_null(strstr(f->recv_out, "\r\n\r\nmessageId=d-"));
    assert_non_null(strstr(f->recv_out, "-B%2C0%7CC%2C0%7CD%2C1POST /signalr/poll?"));
    assert_non_null(strstr(f->recv_in, "\r\n1\r\n \r\n1\r\n \r\n"));
    assert_non_null(strstr(f->recv_in, "-B,1|C,0|D,1\",\"M\":[{\"H\":\"ChatHub\"}]}\r\n0\r\n\r\n"));
    destroy(f);
}

static void test_send_posts_the_invocation_form_encoded_and_gets_the_result(void **state)
{
    (void)state;
    fixture *f = open_session(SYNTH_SR_SERVER_SENT_EVENTS);
    connected(f);
    assert_int_equal(synth_sr_hub_invoke(f->ss, f->ctl, T0 + 2 * SEC, "Send", "[\"ann\",\"hi there\"]"),
                     SYNTH_OK);
    finish(f);
    /* The example of the wire reference, section 3.3. */
    assert_true(g_str_has_suffix(
        f->ctl_out, "\r\n\r\ndata=%7B%22H%22%3A%22chathub%22%2C%22M%22%3A%22Send%22%2C%22A%22"
                    "%3A%5B%22ann%22%2C%22hi+there%22%5D%2C%22I%22%3A0%7D"));
    assert_true(g_str_has_suffix(f->ctl_in, "\r\n\r\n{\"I\":\"0\"}"));
    destroy(f);
}

static void test_reconnect_carries_message_id_and_no_init(void **state)
{
    (void)state;
    fixture *f = open_session(SYNTH_SR_SERVER_SENT_EVENTS);
    connected(f);
    assert_int_equal(synth_sr_server_message(f->ss, T0 + SEC, "1"), SYNTH_OK);
    synth_tcp_rst(f->recv, SYNTH_C2S, T0 + 40 * SEC);
    synth_sr_drop_transport(f->ss);
    synth_conn_free(f->recv);
    synth_endpoint again, srv;
    synth_endpoint_parse("127.0.0.1:41001", &again);
    synth_endpoint_parse("127.0.0.1:8080", &srv);
    f->recv = synth_tcp_connect(f->s, &again, &srv, T0 + 41 * SEC);
    assert_int_equal(synth_sr_reconnect(f->ss, f->recv, T0 + 41 * SEC + SYNTH_NS_PER_MS), SYNTH_OK);
    finish(f);
    assert_non_null(strstr(f->recv_out, "GET /signalr/reconnect?transport=serverSentEvents"));
    assert_non_null(strstr(f->recv_out, "-B%2C1%7CC%2C0%7CD%2C1&tid="));
    assert_true(g_str_has_suffix(f->recv_in, "13\r\ndata: initialized\n\n\r\n"));
    destroy(f);
}

static void test_websocket_stop_closes_the_socket_before_posting_abort(void **state)
{
    (void)state;
    fixture *f = open_session(SYNTH_SR_WEBSOCKETS);
    connected(f);
    assert_int_equal(synth_sr_abort(f->ss, f->ctl, T0 + 10 * SEC), SYNTH_OK);
    assert_int_equal(synth_sr_keepalive(f->ss, T0 + 11 * SEC), SYNTH_E_STATE);
    finish(f);
    uint64_t client_close = 0, abort_post = 0;
    for (size_t i = 0; i < f->cap.count; i++) {
        const read_frame *fr = &f->cap.frames[i];
        if (fr->tcp && fr->sport == RECV_PORT && fr->payload_len == 6 && fr->payload[0] == 0x88)
            client_close = fr->ts_ns;
        if (fr->tcp && fr->sport == CTL_PORT && fr->payload_len > 10 &&
            memcmp(fr->payload, "POST /signalr/abort?", 20) == 0)
            abort_post = fr->ts_ns;
    }
    assert_true(client_close > 0 && abort_post > client_close);
    /* Server answers with Close 1000 (88 02 03 e8). */
    assert_non_null(strstr(f->recv_in, "\x88\x02\x03\xe8"));
    destroy(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negotiate_response_maps_token_to_connection_id),
        cmocka_unit_test(test_websocket_connect_escapes_token_and_sends_init_frame),
        cmocka_unit_test(test_sse_stream_is_initialized_then_init_then_ten_byte_keepalive),
        cmocka_unit_test(test_forever_frame_prelude_and_28_byte_keepalive),
        cmocka_unit_test(test_long_poll_spaces_then_message_ends_the_poll_and_repolls),
        cmocka_unit_test(test_send_posts_the_invocation_form_encoded_and_gets_the_result),
        cmocka_unit_test(test_reconnect_carries_message_id_and_no_init),
        cmocka_unit_test(test_websocket_stop_closes_the_socket_before_posting_abort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tcp_test_recorder.h - a tcp_consumer and diagnostics sink that write what they are told as
 * text lines, so a test can compare a whole conversation with one expected string.
 *
 * Lines look like:
 *   open 0 client=10.0.0.1:50000 server=10.0.0.2:80 handshake @1
 *   data 0 to_server "GET / HTTP/1.1\r\n" @4
 *   gap 0 to_client 1000 @9
 *   fin 0 to_server @12
 *   close 0 FIN by to_server @13
 *   diag TCP_RETRANSMIT_CONFLICT @7
 * The recorder owns its log; tcp_test_recorder_free() releases it.
 */
#ifndef LIFELINE_TESTS_TCP_TEST_RECORDER_H
#define LIFELINE_TESTS_TCP_TEST_RECORDER_H

#include <stddef.h>

#include "pipeline/diag.h"
#include "tcp/tcp_consumer.h"

/* Longest payload shown verbatim; longer data lines show only their length, which keeps
 * expected strings readable in buffer-cap tests. */
#define TCP_TEST_RECORDER_SHOWN 64

typedef struct tcp_test_recorder {
    char *log;
    size_t len;
    size_t cap;
    int open_streams; /* open() minus close(): must be 0 at the end of every test */
    tcp_consumer consumer;
    lf_diag_sink diag;
} tcp_test_recorder;

void tcp_test_recorder_init(tcp_test_recorder *r);
void tcp_test_recorder_clear(tcp_test_recorder *r);
void tcp_test_recorder_free(tcp_test_recorder *r);

#endif

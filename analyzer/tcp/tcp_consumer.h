/* tcp_consumer.h - the contract between TCP reassembly and the protocols above it.
 *
 * TCP reassembly owns the streams and calls a consumer (HTTP, in practice) with in-order bytes.
 * Byte pointers passed to callbacks are valid only for the duration of the call: a consumer
 * that needs them later copies them. The consumer owns whatever it returns from open() and
 * frees it in close(), which is called exactly once per opened stream (at FIN/RST handling,
 * 4-tuple reuse, eviction, or end of capture).
 */
#ifndef LIFELINE_TCP_CONSUMER_H
#define LIFELINE_TCP_CONSUMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/frame_ref.h"

/* Direction of bytes relative to who opened the connection (sent the SYN). When the capture
 * starts mid-connection the opener is guessed (lower port is the server) and `opener_guessed`
 * is set. */
typedef enum tcp_dir {
    TCP_DIR_TO_SERVER = 0, /* client -> server */
    TCP_DIR_TO_CLIENT = 1, /* server -> client */
} tcp_dir;

typedef struct tcp_endpoint {
    uint8_t family; /* 4 or 6 */
    uint8_t addr[16]; /* IPv4 uses the first 4 bytes, network order */
    uint16_t port;    /* host order */
} tcp_endpoint;

typedef struct tcp_stream_info {
    uint64_t id;         /* 0-based, in order of first appearance; matches tshark's tcp.stream
                            for ordinary captures */
    tcp_endpoint client; /* the side that sent the SYN */
    tcp_endpoint server;
    bool saw_handshake; /* false when the capture started mid-connection */
    bool opener_guessed;
} tcp_stream_info;

typedef enum tcp_end_reason {
    TCP_END_FIN,          /* both sides sent FIN (by = the side that sent the first FIN) */
    TCP_END_RST,          /* a RST ended it (by = the side that sent the RST) */
    TCP_END_REUSED,       /* a new SYN on the same 4-tuple replaced it */
    TCP_END_EVICTED,      /* dropped to honour memory limits or idleness */
    TCP_END_CAPTURE_ENDED /* still open when the input ended */
} tcp_end_reason;

typedef struct tcp_consumer {
    void *ctx;
    /* A new stream. Returns per-stream consumer state (may be NULL). */
    void *(*open)(void *ctx, const tcp_stream_info *info, const lf_frame_ref *at);
    /* In-order payload bytes in one direction; `at` is the frame that made them contiguous. */
    void (*data)(void *stream, tcp_dir dir, const uint8_t *bytes, size_t len,
                 const lf_frame_ref *at);
    /* Bytes that will never arrive (capture loss); data resumes after them. */
    void (*gap)(void *stream, tcp_dir dir, uint64_t missing, const lf_frame_ref *at);
    /* One side sent FIN (half close); more data may still come from the other side. */
    void (*fin)(void *stream, tcp_dir dir, const lf_frame_ref *at);
    /* The stream ended; frees consumer state. `by` names the side that ended it where known. */
    void (*close)(void *stream, tcp_end_reason why, tcp_dir by, const lf_frame_ref *at);
} tcp_consumer;

#endif

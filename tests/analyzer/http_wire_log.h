/* http_wire_log.h - test support: records wire events as readable lines and replays scripted
 * TCP byte streams through the wire consumer at every segmentation.
 *
 * A scenario is a list of steps (bytes in one direction, a capture gap, a FIN). replay_expect()
 * runs it whole, byte by byte, split at every single position and, for short scenarios, at
 * every pair of positions, and asserts that each run logs exactly `expected`.
 */
#ifndef LIFELINE_TEST_HTTP_WIRE_LOG_H
#define LIFELINE_TEST_HTTP_WIRE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/wire_event.h"
#include "transport/wire_consumer.h"

/* Events kept with their frame number, for assertions on frame refs. */
#define WIRE_LOG_MAX_EVENTS 4096

typedef struct wire_log {
    char *text;
    size_t len, cap;
    /* consecutive BODY_SPACES of one body are merged so that segmentation does not show */
    uint32_t pending_spaces;
    tcp_dir spaces_dir;
    uint32_t spaces_index;
    size_t n_events;
    lf_wire_kind kinds[WIRE_LOG_MAX_EVENTS];
    uint64_t frames[WIRE_LOG_MAX_EVENTS];
    size_t max_body_print; /* body bytes printed per event before "..." */
} wire_log;

typedef struct wire_trace {
    wire_consumer wc;
    tcp_consumer tc;
    void *stream;
    wire_log log;
    uint64_t frame;
} wire_trace;

void trace_open(wire_trace *s, const wire_config *cfg);
/* Each call is one captured frame (frame numbers count up from 1). */
void trace_data(wire_trace *s, tcp_dir dir, const void *bytes, size_t len);
/* A string literal as one frame. */
#define TRACE_TEXT(s, dir, lit) trace_data((s), (dir), (lit), sizeof(lit) - 1)
void trace_gap(wire_trace *s, tcp_dir dir, uint64_t missing);
void trace_fin(wire_trace *s, tcp_dir dir);
/* Closes the stream and returns the finished log text (owned by the trace). */
const char *trace_close(wire_trace *s);
void trace_free(wire_trace *s);
/* Frame number of the i-th event of `kind` (0-based), or 0 if absent. */
uint64_t trace_frame_of(const wire_trace *s, lf_wire_kind kind, size_t nth);

typedef enum replay_kind { REPLAY_DATA, REPLAY_GAP, REPLAY_FIN } replay_kind;

typedef struct replay_step {
    replay_kind kind;
    tcp_dir dir;
    const uint8_t *bytes;
    size_t len; /* REPLAY_DATA: byte count; REPLAY_GAP: missing bytes */
} replay_step;

#define C2S(str)                                                                                   \
    {                                                                                              \
        REPLAY_DATA, TCP_DIR_TO_SERVER, (const uint8_t *)(str), sizeof(str) - 1                    \
    }
#define S2C(str)                                                                                   \
    {                                                                                              \
        REPLAY_DATA, TCP_DIR_TO_CLIENT, (const uint8_t *)(str), sizeof(str) - 1                    \
    }
#define C2S_BIN(buf, n)                                                                            \
    {                                                                                              \
        REPLAY_DATA, TCP_DIR_TO_SERVER, (const uint8_t *)(buf), (n)                                \
    }
#define S2C_BIN(buf, n)                                                                            \
    {                                                                                              \
        REPLAY_DATA, TCP_DIR_TO_CLIENT, (const uint8_t *)(buf), (n)                                \
    }
#define GAP(dir, n)                                                                                \
    {                                                                                              \
        REPLAY_GAP, (dir), NULL, (n)                                                               \
    }
#define FIN(dir)                                                                                   \
    {                                                                                              \
        REPLAY_FIN, (dir), NULL, 0                                                                 \
    }

/* Scenarios up to this many data bytes are also replayed at every pair of split points. */
#define REPLAY_PAIR_SPLIT_MAX 400

void replay_expect(const replay_step *steps, size_t n, const wire_config *cfg,
                   const char *expected);
/* Replays whole and split at every single position only (for large inputs). */
void replay_expect_single_splits(const replay_step *steps, size_t n, const wire_config *cfg,
                                 const char *expected);
/* For large inputs: whole, byte by byte, split at every position within 64 bytes of each end of
 * the data and every `stride` positions in between. */
void replay_expect_large(const replay_step *steps, size_t n, const wire_config *cfg,
                         const char *expected, size_t stride);
/* One whole run; returns the log (caller frees). */
char *replay_whole(const replay_step *steps, size_t n, const wire_config *cfg);

#define REPLAY_EXPECT(steps, expected)                                                             \
    replay_expect((steps), sizeof(steps) / sizeof((steps)[0]), NULL, (expected))

#endif

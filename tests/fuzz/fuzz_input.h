/* fuzz_input.h - the byte format every stream harness reads: a config byte, then operations.
 *
 * A fuzzer input is one config byte (its meaning is the harness's) followed by records that
 * replay what TCP reassembly would hand to a consumer:
 *   ctl (1 byte): bit 0 the direction (0 client->server, 1 server->client), bits 4-5 the
 *   stream slot (up to four TCP streams at once), bits 1-2 the op:
 *     0 or 1  data: 2 bytes little-endian length, then that many bytes (fewer at the end)
 *     2       gap:  2 bytes little-endian count of missing bytes (+1), times 65536 when bit 3
 *     3       fin:  that direction ends
 * Records are decoded straight from the input buffer: nothing is allocated, nothing to free.
 * The encoder (fuzz_input_put_*) writes the same format into a caller-owned GByteArray.
 */
#ifndef LIFELINE_FUZZ_INPUT_H
#define LIFELINE_FUZZ_INPUT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp/tcp_consumer.h"

/* Streams a harness input can interleave. */
#define FUZZ_SLOTS 4

typedef enum fuzz_op_kind { FUZZ_OP_DATA, FUZZ_OP_GAP, FUZZ_OP_FIN } fuzz_op_kind;

typedef struct fuzz_op {
    fuzz_op_kind kind;
    tcp_dir dir;
    unsigned slot;        /* 0..FUZZ_SLOTS-1 */
    const uint8_t *bytes; /* FUZZ_OP_DATA: points into the input */
    size_t len;
    uint64_t missing; /* FUZZ_OP_GAP */
} fuzz_op;

typedef struct fuzz_cursor {
    const uint8_t *p, *end;
} fuzz_cursor;

/* Splits off the config byte (0 for an empty input) and positions the cursor after it. */
uint8_t fuzz_input_begin(fuzz_cursor *cur, const uint8_t *data, size_t size);

/* The next operation; false at the end of the input. */
bool fuzz_input_next(fuzz_cursor *cur, fuzz_op *op);

/* Appends records; data longer than a record holds is split over several. */
void fuzz_input_put_data(GByteArray *out, unsigned slot, tcp_dir dir, const uint8_t *bytes,
                         size_t len);
void fuzz_input_put_gap(GByteArray *out, unsigned slot, tcp_dir dir, uint64_t missing);
void fuzz_input_put_fin(GByteArray *out, unsigned slot, tcp_dir dir);

#endif

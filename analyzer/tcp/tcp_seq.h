/* tcp_seq.h - TCP sequence-number comparisons modulo 2^32 (serial arithmetic, RFC 1982).
 *
 * `a` is before `b` when b - a, taken modulo 2^32, lies in (0, 2^31): so 0xFFFFFFF0 is before
 * 0x00000010. Header-only, no state.
 */
#ifndef LIFELINE_TCP_SEQ_H
#define LIFELINE_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline bool tcp_seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline bool tcp_seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

static inline bool tcp_seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

#endif

/* fuzz_input.c - decoding and encoding of the stream harnesses' record format. */
#include "fuzz_input.h"

/* A record's length field is 16 bits. */
#define FUZZ_RECORD_MAX 0xFFFFu

uint8_t fuzz_input_begin(fuzz_cursor *cur, const uint8_t *data, size_t size)
{
    cur->p = data;
    cur->end = data + size;
    if (size == 0)
        return 0;
    cur->p++;
    return data[0];
}

static size_t read_u16(fuzz_cursor *cur)
{
    size_t v = 0;
    for (int i = 0; i < 2 && cur->p < cur->end; i++)
        v |= (size_t)*cur->p++ << (8 * i);
    return v;
}

bool fuzz_input_next(fuzz_cursor *cur, fuzz_op *op)
{
    if (cur->p >= cur->end)
        return false;
    uint8_t ctl = *cur->p++;
    op->dir = (ctl & 1) ? TCP_DIR_TO_CLIENT : TCP_DIR_TO_SERVER;
    op->slot = (ctl >> 4) & (FUZZ_SLOTS - 1);
    unsigned code = (ctl >> 1) & 3;
    if (code == 3) {
        op->kind = FUZZ_OP_FIN;
        return true;
    }
    size_t n = read_u16(cur);
    if (code == 2) {
        op->kind = FUZZ_OP_GAP;
        op->missing = ((uint64_t)n + 1) << ((ctl & 8) ? 16 : 0);
        return true;
    }
    size_t left = (size_t)(cur->end - cur->p);
    op->kind = FUZZ_OP_DATA;
    op->bytes = cur->p;
    op->len = n < left ? n : left;
    cur->p += op->len;
    return true;
}

static void put_u16(GByteArray *out, size_t v)
{
    uint8_t b[2] = {(uint8_t)(v & 0xFF), (uint8_t)(v >> 8)};
    g_byte_array_append(out, b, 2);
}

static uint8_t ctl_byte(unsigned slot, tcp_dir dir, unsigned op_bits)
{
    return (uint8_t)(((slot & (FUZZ_SLOTS - 1)) << 4) | op_bits | (unsigned)dir);
}

void fuzz_input_put_data(GByteArray *out, unsigned slot, tcp_dir dir, const uint8_t *bytes,
                         size_t len)
{
    while (len > 0) {
        size_t n = len < FUZZ_RECORD_MAX ? len : FUZZ_RECORD_MAX;
        uint8_t ctl = ctl_byte(slot, dir, 0);
        g_byte_array_append(out, &ctl, 1);
        put_u16(out, n);
        g_byte_array_append(out, bytes, (guint)n);
        bytes += n;
        len -= n;
    }
}

void fuzz_input_put_gap(GByteArray *out, unsigned slot, tcp_dir dir, uint64_t missing)
{
    bool big = missing > FUZZ_RECORD_MAX + 1;
    uint64_t n = big ? missing >> 16 : missing;
    if (n == 0)
        n = 1;
    if (n > FUZZ_RECORD_MAX + 1)
        n = FUZZ_RECORD_MAX + 1;
    uint8_t ctl = ctl_byte(slot, dir, 4u | (big ? 8u : 0u));
    g_byte_array_append(out, &ctl, 1);
    put_u16(out, (size_t)(n - 1));
}

void fuzz_input_put_fin(GByteArray *out, unsigned slot, tcp_dir dir)
{
    uint8_t ctl = ctl_byte(slot, dir, 6u);
    g_byte_array_append(out, &ctl, 1);
}

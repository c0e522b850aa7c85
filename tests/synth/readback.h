/* Test support: reads a capture back with libpcap (an independent reader) into memory and
 * locates the TCP payload of each frame. read_capture() returns a g_free'd-by-capture_free
 * array; tests use it on small files only. */
#ifndef LIFELINE_SYNTH_TEST_READBACK_H
#define LIFELINE_SYNTH_TEST_READBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t ts_ns;
    uint32_t caplen;
    uint32_t len;
    uint8_t *data;
    /* Decoded when the frame is IPv4/IPv6 + TCP and fully captured, else tcp == false. */
    bool tcp;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    const uint8_t *payload;
    uint32_t payload_len;
} read_frame;

typedef struct {
    int linktype;
    int snaplen;
    size_t count;
    read_frame *frames;
} read_capture;

/* Returns false if libpcap cannot open the file. Timestamps are read at nanosecond precision. */
bool capture_read(const char *path, read_capture *out);
void capture_free(read_capture *c);

/* Concatenation of the TCP payloads from one source port, in file order. */
size_t capture_stream(const read_capture *c, uint16_t sport, uint8_t *out, size_t cap);

/* A fresh path under the build tree's temp dir; g_free it. */
char *temp_capture_path(const char *name);

#endif

/* The synthesizer handle: one output capture, its timestamp-ordered packet queue, a
 * deterministic random source and the last error. Everything above (TCP, HTTP, WebSocket,
 * SignalR, scenarios) emits frames through it.
 * synth_close() flushes every held frame, closes the file and frees the handle; connections
 * and sessions built on it are owned by their creators and must be freed before it. */
#ifndef LIFELINE_SYNTH_H
#define LIFELINE_SYNTH_H

#include "synth_types.h"

typedef struct synth synth_t;

/* 256 KiB: the default snapshot length of tcpdump/dumpcap. */
#define SYNTH_DEFAULT_SNAPLEN 262144u

typedef struct {
    synth_format format;
    synth_link link;
    uint32_t snaplen;        /* 0 means SYNTH_DEFAULT_SNAPLEN */
    uint64_t seed;           /* drives ISNs, tokens, WebSocket keys and masks */
    synth_time capture_from; /* frames before this are dropped: the capture started late */
} synth_options;

synth_t *synth_new(const char *path, const synth_options *options, synth_error *err);

/* Ethernet, default snaplen, seed 1. */
synth_t *synth_new_file(const char *path, synth_format format, synth_error *err);

/* Queues one finished frame (or drops it if it predates capture_from). Frames come out of the
 * file sorted by timestamp. */
synth_status synth_emit(synth_t *s, synth_time ts, const uint8_t *frame, uint32_t len);

/* Promise that nothing older than t will be emitted any more: frames up to t are written. */
synth_status synth_flush_until(synth_t *s, synth_time t);

synth_link synth_link_type(const synth_t *s);
uint64_t synth_random(synth_t *s);

/* Where every layer records why its last call failed. */
synth_error *synth_error_of(synth_t *s);

uint64_t synth_packets_written(const synth_t *s);
uint64_t synth_bytes_written(const synth_t *s);
size_t synth_packets_held(const synth_t *s);

/* Writes what is held, closes the file, frees s. On failure err says why. */
synth_status synth_close(synth_t *s, synth_error *err);

#endif

/* Capture file writer: classic pcap (micro/nano magic) and pcapng (SHB + one IDB + EPBs),
 * written by hand in host byte order (the magic / byte-order mark tells readers which).
 * The writer owns its FILE; capture_writer_close() flushes, closes and frees it. */
#ifndef LIFELINE_SYNTH_CAPTURE_WRITER_H
#define LIFELINE_SYNTH_CAPTURE_WRITER_H

#include "synth_types.h"

typedef struct capture_writer capture_writer;

capture_writer *capture_writer_open(const char *path, synth_format format, synth_link link,
                                    uint32_t snaplen, synth_error *err);

/* Writes one packet of wire length len; only the first snaplen bytes are stored. */
synth_status capture_writer_write(capture_writer *w, synth_time ts, const uint8_t *data,
                                  uint32_t len, synth_error *err);

uint64_t capture_writer_packets(const capture_writer *w);
uint64_t capture_writer_bytes(const capture_writer *w);

/* Flushes and closes; frees w even on failure. */
synth_status capture_writer_close(capture_writer *w, synth_error *err);

#endif

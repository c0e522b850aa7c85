/* capture.h - read one or more pcap/pcapng files (plain or gzip, or "-" for standard input)
 * as a single stream of decoded packets in timestamp order.
 *
 * Several files (e.g. a `dumpcap -b` ring buffer) are merged by capture time, ties going to
 * the file given first; each packet keeps its own file index and frame number. Only the files
 * whose packets are being merged are held open: the others are re-opened when their turn comes
 * (standard input and pipes, which cannot be re-opened, stay open throughout).
 *
 * Problems (unreadable or non-capture file, truncated last record, unsupported link type, IP
 * fragments, malformed headers) go to the diagnostics sink with file path and frame number;
 * everything readable before a problem is still delivered. The caller owns the lf_capture and
 * frees it with lf_capture_close(); the sink must outlive it.
 */
#ifndef LIFELINE_CAPTURE_H
#define LIFELINE_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/packet.h"
#include "pipeline/diag.h"

typedef struct lf_capture lf_capture;

typedef struct lf_capture_stats {
    uint64_t frames;       /* records delivered, all kinds */
    uint64_t tcp_segments; /* of which LF_PACKET_TCP */
    uint64_t fragments;    /* of which LF_PACKET_IP_FRAGMENT */
    uint64_t malformed;    /* of which LF_PACKET_MALFORMED */
    uint32_t files_failed; /* inputs that could not be opened, decoded or read to their end */
} lf_capture_stats;

/* Opens `n` inputs (paths copied). Inputs that fail are reported to `diag` and skipped: the
 * result is still usable. NULL only when n is 0 or memory runs out. */
lf_capture *lf_capture_open(const char *const *paths, uint32_t n, const lf_diag_sink *diag);

/* Fills `pkt` with the next frame of any kind, in merged time order. Returns false once every
 * input is exhausted. `pkt` points into reader buffers valid until the next call. */
bool lf_capture_next(lf_capture *c, lf_packet *pkt);

const lf_capture_stats *lf_capture_get_stats(const lf_capture *c);

/* How far the reading is, in bytes of the input files: false when it cannot be known (a
 * gzip-compressed input, standard input or a pipe). */
bool lf_capture_progress(const lf_capture *c, uint64_t *done, uint64_t *total);

/* The path of input `file` (an lf_frame_ref.file), or NULL when out of range. */
const char *lf_capture_path(const lf_capture *c, uint32_t file);

void lf_capture_close(lf_capture *c);

#endif

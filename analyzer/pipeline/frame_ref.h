/* frame_ref.h - where and when a byte was seen: input file, frame number, capture time.
 *
 * Every event the pipeline produces carries one of these so that a report line can be opened in
 * Wireshark (`frame.number == N` in file F). Plain value type: nothing to free.
 */
#ifndef LIFELINE_FRAME_REF_H
#define LIFELINE_FRAME_REF_H

#include <stdint.h>

/* Capture time as nanoseconds since the Unix epoch (pcap and pcapng, micro or nano precision). */
typedef int64_t lf_time_ns;

/* Capture times are kept within [0, LF_TIME_MAX] (the year 2116): a hostile timestamp is
 * clamped there, which leaves every sum of a time and a timeout, and every difference of two
 * times, representable in int64. */
#define LF_TIME_MAX ((lf_time_ns)1 << 62)

typedef struct lf_frame_ref {
    uint32_t file;   /* index of the input file, in command-line order (0-based) */
    uint64_t frame;  /* 1-based frame number inside that file, as Wireshark numbers it */
    lf_time_ns time; /* capture timestamp of that frame */
} lf_frame_ref;

#endif

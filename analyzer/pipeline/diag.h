/* diag.h - diagnostics: problems found in the input, reported as values to a caller-chosen sink.
 *
 * Every stage that meets something wrong in a capture (unreadable file, truncated record,
 * unsupported link type, IP fragment, conflicting TCP retransmission...) reports it here instead
 * of printing or aborting, and keeps going with what it can still use. The sink decides what to
 * do (print, count, collect in a test). Nothing here allocates: the message and the path are
 * valid only during the emit() call; a sink that keeps them copies them.
 */
#ifndef LIFELINE_DIAG_H
#define LIFELINE_DIAG_H

#include <stdarg.h>
#include <stdio.h>

#include "pipeline/frame_ref.h"

typedef enum lf_diag_severity {
    LF_DIAG_NOTE,    /* worth knowing, nothing lost (e.g. an IP fragment skipped) */
    LF_DIAG_WARNING, /* some bytes are doubtful or lost, analysis goes on */
    LF_DIAG_ERROR,   /* an input (or the rest of it) could not be read */
} lf_diag_severity;

typedef enum lf_diag_code {
    LF_DIAG_FILE_UNREADABLE,         /* open/read failed (missing file, permissions, I/O) */
    LF_DIAG_FILE_NOT_CAPTURE,        /* not a pcap/pcapng file (or a corrupt header) */
    LF_DIAG_FILE_TRUNCATED,          /* the last record is cut short */
    LF_DIAG_LINK_UNSUPPORTED,        /* a link-layer type this analyzer cannot decode */
    LF_DIAG_PACKET_MALFORMED,        /* headers inconsistent with themselves or the frame */
    LF_DIAG_IP_FRAGMENT,             /* an IP fragment: not reassembled, not analysed */
    LF_DIAG_TCP_RETRANSMIT_CONFLICT, /* a retransmission carries different bytes */
    LF_DIAG_TCP_BUFFER_FULL,         /* out-of-order data exceeded its cap: hole given up */
    LF_DIAG_TCP_STREAM_EVICTED,      /* a stream was dropped (idle or too many streams) */
    LF_DIAG_PACKET_CUT,              /* the snapshot length cut part of a TCP payload */
    LF_DIAG_STREAM_GAP,              /* bytes of a stream the capture never saw */
    LF_DIAG_STREAM_ERROR,            /* bytes of a stream that do not parse (HTTP, framing) */
} lf_diag_code;

typedef struct lf_diag {
    lf_diag_severity severity;
    lf_diag_code code;
    const char *path; /* input file concerned, or NULL when not known at this stage */
    lf_frame_ref at;  /* at.frame == 0: not tied to one packet (e.g. a file failed to open) */
    const char *message;
} lf_diag;

typedef struct lf_diag_sink {
    void *ctx;
    void (*emit)(void *ctx, const lf_diag *diag);
} lf_diag_sink;

/* Long enough for a path-free sentence with a few numbers; longer messages are cut. */
#define LF_DIAG_MESSAGE_MAX 256

/* Formats and emits one diagnostic. A NULL sink (or NULL emit) drops it. */
static inline void lf_diag_report(const lf_diag_sink *sink, lf_diag_severity severity,
                                  lf_diag_code code, const char *path, const lf_frame_ref *at,
                                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static inline void lf_diag_report(const lf_diag_sink *sink, lf_diag_severity severity,
                                  lf_diag_code code, const char *path, const lf_frame_ref *at,
                                  const char *fmt, ...)
{
    if (!sink || !sink->emit)
        return;
    char message[LF_DIAG_MESSAGE_MAX];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    lf_diag diag = {.severity = severity, .code = code, .path = path, .message = message};
    if (at)
        diag.at = *at;
    sink->emit(sink->ctx, &diag);
}

#endif

/* pipeline.h - runs the whole analyzer pipeline over a set of capture files.
 *
 * capture (capture/) -> TCP reassembly (tcp/) -> HTTP and transport framing (http/,
 * transport/) -> SignalR classification (signalr_classifier.h) -> the caller's sinks.
 * The caller chooses where events go: a wire tap (every wire event, e.g. for --dump-events),
 * a SignalR sink (the lifecycle engine), a diagnostics sink and a progress callback.
 *
 * Ownership: lf_pipeline_run() allocates and frees every stage itself; the caller owns the
 * options, the sinks' contexts and the result (lf_pipeline_result_clear()).
 */
#ifndef LIFELINE_PIPELINE_H
#define LIFELINE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline/diag.h"
#include "pipeline/signalr_classifier.h"
#include "pipeline/wire_event.h"
#include "tcp/tcp_reassembler.h"
#include "transport/wire_consumer.h"

/* How often (in frames) the progress callback is called. */
#define LF_PIPELINE_PROGRESS_EVERY 65536u

typedef struct lf_pipeline_progress {
    uint64_t frames;       /* frames read so far, all inputs */
    lf_time_ns capture_time; /* time of the latest frame */
    uint64_t live_streams;
    uint64_t bytes_done, bytes_total; /* of the input files; bytes_total 0 when not known */
} lf_pipeline_progress;

typedef struct lf_pipeline_options {
    tcp_reassembler_config tcp;
    wire_config wire;
    lf_wire_sink wire_tap;   /* optional (emit NULL): sees every wire event first */
    lf_signalr_sink signalr; /* optional (emit NULL): SignalR-level events */
    lf_diag_sink diag;       /* optional: problems in the input */
    void (*progress)(void *ctx, const lf_pipeline_progress *p); /* optional */
    void *progress_ctx;
    bool read_ahead; /* read the capture on a thread of its own (read_ahead.h): same output */
    bool sinks_on_thread; /* classify SignalR events and call the signalr, diag and progress
                             sinks on a thread of their own (sink_thread.h), in the same
                             order; not with a wire tap */
} lf_pipeline_options;

/* Per input file, in command-line order. */
typedef struct lf_pipeline_input {
    const char *path; /* borrowed from the caller's paths */
    uint64_t frames;
    lf_time_ns first_time, last_time; /* 0 when the file gave no frame */
} lf_pipeline_input;

typedef struct lf_pipeline_result {
    lf_pipeline_input *inputs; /* input_count entries, owned */
    uint32_t input_count;
    uint32_t files_failed;
    uint64_t frames, tcp_segments;
    lf_time_ns last_time; /* latest frame time over all inputs */
    tcp_reassembler_stats tcp;
} lf_pipeline_result;

/* Fills defaults: TCP and wire defaults, no sinks. */
void lf_pipeline_options_default(lf_pipeline_options *opts);

/* Reads every input to its end. Returns 0, or -1 when nothing could be set up (no input, out of
 * memory); unreadable inputs are reported to the diagnostics sink and counted in
 * files_failed, the others are still analysed. */
int lf_pipeline_run(const char *const *paths, uint32_t n, const lf_pipeline_options *opts,
                    lf_pipeline_result *out);

void lf_pipeline_result_clear(lf_pipeline_result *res);

#endif

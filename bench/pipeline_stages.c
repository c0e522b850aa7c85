/* pipeline_stages.c - where the analyzer's time goes: runs the pipeline over a capture up to one
 * stage and prints "packets seconds" for that prefix of the pipeline.
 *
 *   pipeline_stages STAGE FILE...
 *
 * STAGE is one of (each includes the ones before it):
 *   capture    lf_capture_next() over every frame (reading and decoding to TCP)
 *   tcp        + TCP reassembly, with a consumer that ignores the bytes
 *   wire       + HTTP, WebSocket, SSE, forever-frame framing, wire events dropped
 *   signalr    + the SignalR classifier, SignalR events dropped
 *   lifecycle  + the lifecycle engine (fed, then finished)
 *   report     + the JSON report, written to /dev/null
 * Run each stage as its own process (bench/pipeline-bench does) so that peak RSS is per stage.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "capture/capture.h"
#include "lifecycle/lifecycle.h"
#include "pipeline/pipeline.h"
#include "report/report.h"
#include "tcp/tcp_reassembler.h"

typedef enum stage { CAPTURE, TCP, WIRE, SIGNALR, LIFECYCLE, REPORT, STAGE_COUNT } stage;

static const char *const STAGE_NAMES[STAGE_COUNT] = {"capture", "tcp", "wire",
                                                     "signalr", "lifecycle", "report"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t read_frames(const char *const *paths, uint32_t n, bool reassemble)
{
    lf_capture *cap = lf_capture_open(paths, n, NULL);
    if (cap == NULL)
        return 0;
    tcp_consumer ignore = {0};
    tcp_reassembler *tcp = reassemble ? tcp_reassembler_new(NULL, &ignore, NULL) : NULL;
    uint64_t frames = 0;
    lf_packet pkt;
    while (lf_capture_next(cap, &pkt)) {
        frames++;
        if (tcp != NULL && pkt.kind == LF_PACKET_TCP)
            tcp_reassembler_packet(tcp, &pkt);
    }
    tcp_reassembler_free(tcp);
    lf_capture_close(cap);
    return frames;
}

static void drop_wire(void *ctx, const lf_wire_event *ev)
{
    (void)ctx;
    (void)ev;
}

static void drop_signalr(void *ctx, const lf_signalr_event *ev)
{
    (void)ctx;
    (void)ev;
}

static void feed_engine(void *ctx, const lf_signalr_event *ev)
{
    lf_lifecycle_feed(ctx, ev);
}

static int write_json(const lf_pipeline_result *res, const lf_lifecycle *engine)
{
    FILE *out = fopen("/dev/null", "w");
    if (out == NULL)
        return -1;
    lf_report_input inputs[res->input_count];
    for (uint32_t i = 0; i < res->input_count; i++)
        inputs[i] = (lf_report_input){.path = res->inputs[i].path,
                                      .packets = res->inputs[i].frames,
                                      .first_time = res->inputs[i].first_time,
                                      .last_time = res->inputs[i].last_time};
    lf_report_error err;
    int rc = lf_report_json(out, inputs, res->input_count, engine, &err);
    fclose(out);
    return rc;
}

static uint64_t run_pipeline(const char *const *paths, uint32_t n, stage upto)
{
    lf_pipeline_options po;
    lf_pipeline_options_default(&po);
    lf_lifecycle *engine = NULL;
    if (upto == WIRE) {
        po.wire_tap = (lf_wire_sink){.emit = drop_wire};
    } else if (upto == SIGNALR) {
        po.signalr = (lf_signalr_sink){.emit = drop_signalr};
    } else {
        engine = lf_lifecycle_new(NULL);
        po.signalr = (lf_signalr_sink){.ctx = engine, .emit = feed_engine};
    }
    lf_pipeline_result res;
    uint64_t frames = 0;
    if (lf_pipeline_run(paths, n, &po, &res) == 0) {
        frames = res.frames;
        if (engine != NULL)
            lf_lifecycle_finish(engine, res.last_time);
        if (upto == REPORT && write_json(&res, engine) != 0)
            frames = 0;
    }
    lf_lifecycle_free(engine);
    lf_pipeline_result_clear(&res);
    return frames;
}

int main(int argc, char **argv)
{
    int upto = -1;
    for (int s = 0; argc >= 3 && s < STAGE_COUNT; s++)
        if (strcmp(argv[1], STAGE_NAMES[s]) == 0)
            upto = s;
    if (upto < 0) {
        fprintf(stderr, "usage: pipeline_stages capture|tcp|wire|signalr|lifecycle|report "
                        "FILE...\n");
        return 2;
    }
    const char *const *paths = (const char *const *)argv + 2;
    uint32_t n = (uint32_t)(argc - 2);
    double start = now();
    uint64_t frames = upto <= TCP ? read_frames(paths, n, upto == TCP)
                                  : run_pipeline(paths, n, (stage)upto);
    printf("%llu %.3f\n", (unsigned long long)frames, now() - start);
    return frames > 0 ? 0 : 1;
}

/* main.c - the `lifeline` command: options, the pipeline, the lifecycle engine, a report. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_options.h"
#include "cli/event_dump.h"
#include "lifecycle/lifecycle.h"
#include "pipeline/pipeline.h"
#include "report/report.h"

/* Diagnostics of one kind printed before the rest are only counted: a capture with a systematic
 * problem (every packet an IP fragment) would otherwise bury the report. */
#define DIAG_PRINT_LIMIT 20
#define DIAG_CODES 16

typedef struct diag_printer {
    unsigned printed[DIAG_CODES];
    uint64_t suppressed;
    bool input_failed;
} diag_printer;

static void print_diag(void *ctx, const lf_diag *d)
{
    diag_printer *p = ctx;
    if (d->severity == LF_DIAG_ERROR)
        p->input_failed = true;
    unsigned code = (unsigned)d->code < DIAG_CODES ? (unsigned)d->code : DIAG_CODES - 1;
    if (p->printed[code]++ >= DIAG_PRINT_LIMIT) {
        p->suppressed++;
        return;
    }
    static const char *const sev[] = {"note", "warning", "error"};
    fprintf(stderr, "lifeline: %s: ", sev[d->severity]);
    if (d->path)
        fprintf(stderr, "%s: ", d->path);
    if (d->at.frame)
        fprintf(stderr, "packet %" PRIu64 ": ", d->at.frame);
    fprintf(stderr, "%s\n", d->message);
}

static void print_progress(void *ctx, const lf_pipeline_progress *p)
{
    (void)ctx;
    fprintf(stderr, "\r%" PRIu64 " frames read, capture time %" PRId64 ", %" PRIu64
                    " live TCP streams ",
            p->frames, p->capture_time / 1000000000, p->live_streams);
}

static void feed_engine(void *ctx, const lf_signalr_event *ev)
{
    lf_lifecycle_feed(ctx, ev);
}

static bool wants(lf_cli_when when, int fd)
{
    return when == LF_WHEN_ALWAYS || (when == LF_WHEN_AUTO && isatty(fd));
}

static int write_report(const lf_cli_options *o, FILE *out, const lf_pipeline_result *res,
                        const lf_lifecycle *engine)
{
    lf_report_input inputs[res->input_count ? res->input_count : 1];
    for (uint32_t i = 0; i < res->input_count; i++)
        inputs[i] = (lf_report_input){.path = res->inputs[i].path,
                                      .packets = res->inputs[i].frames,
                                      .first_time = res->inputs[i].first_time,
                                      .last_time = res->inputs[i].last_time};
    lf_report_error err = {{0}};
    lf_report_text_options text = {.color = wants(o->color, fileno(out))};
    int rc = o->format == LF_FORMAT_JSON    ? lf_report_json(out, inputs, res->input_count, engine, &err)
             : o->format == LF_FORMAT_JSONL ? lf_report_jsonl(out, engine, &err)
                                            : lf_report_text(out, inputs, res->input_count, engine,
                                                             &text, &err);
    if (rc != 0)
        fprintf(stderr, "lifeline: cannot write the report: %s\n", err.message);
    return rc;
}

static bool has_finding_at_or_above(const lf_lifecycle *engine, sr_severity level)
{
    for (size_t i = 0; i < lf_lifecycle_connection_count(engine); i++) {
        const lf_connection *c = lf_lifecycle_connection(engine, i);
        for (size_t f = 0; f < c->finding_count; f++)
            if (c->findings[f].severity >= level)
                return true;
    }
    return false;
}

static int run(const lf_cli_options *o, FILE *out)
{
    diag_printer diag;
    memset(&diag, 0, sizeof diag);
    lf_pipeline_options po;
    lf_pipeline_options_default(&po);
    if (o->max_stream_buffer)
        po.tcp.max_buffered_per_direction = o->max_stream_buffer;
    po.diag = (lf_diag_sink){.ctx = &diag, .emit = print_diag};
    bool progress = !o->dump_events && wants(o->progress, STDERR_FILENO);
    if (progress)
        po.progress = print_progress;

    lf_lifecycle *engine = NULL;
    if (o->dump_events) {
        po.wire_tap = lf_dump_wire_sink(out);
        po.signalr = lf_dump_signalr_sink(out);
    } else {
        engine = lf_lifecycle_new(&o->assumed);
        po.signalr = (lf_signalr_sink){.ctx = engine, .emit = feed_engine};
    }
    lf_pipeline_result res;
    int rc = lf_pipeline_run(o->inputs, (uint32_t)o->input_count, &po, &res);
    if (progress)
        fputs("\r\033[K", stderr);
    if (diag.suppressed)
        fprintf(stderr, "lifeline: %" PRIu64 " more diagnostics not shown\n", diag.suppressed);
    int status = rc != 0 || diag.input_failed || res.files_failed ? 2 : 0;
    if (engine != NULL && rc == 0) {
        lf_lifecycle_finish(engine, res.last_time);
        if (write_report(o, out, &res, engine) != 0)
            status = 2;
        else if (status == 0 && !o->fail_never && has_finding_at_or_above(engine, o->fail_on))
            status = 1;
    }
    lf_lifecycle_free(engine);
    lf_pipeline_result_clear(&res);
    return status;
}

int main(int argc, char **argv)
{
    lf_cli_options o;
    char err[256];
    if (lf_cli_parse(argc, argv, &o, err, sizeof err) != 0) {
        fprintf(stderr, "lifeline: %s\n", err);
        return 2;
    }
    if (o.help) {
        lf_cli_print_help(stdout);
        return 0;
    }
    if (o.version) {
        printf("lifeline %s\n", LIFELINE_VERSION);
        return 0;
    }
    FILE *out = stdout;
    if (o.output && (out = fopen(o.output, "w")) == NULL) {
        fprintf(stderr, "lifeline: cannot write %s: %s\n", o.output, strerror(errno));
        return 2;
    }
    int status = run(&o, out);
    if (fclose(out) != 0 && status == 0) {
        fprintf(stderr, "lifeline: error writing the report: %s\n", strerror(errno));
        status = 2;
    }
    return status;
}

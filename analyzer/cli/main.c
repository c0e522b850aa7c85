/* main.c - the `lifeline` command: options, the pipeline, the lifecycle engine, a report
 * written connection by connection as the engine retires them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_options.h"
#include "cli/event_dump.h"
#include "cli/selection.h"
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

/* Width of the progress bar, in characters: fits an 80-column terminal with the counters. */
#define PROGRESS_BAR_WIDTH 24

static void print_progress(void *ctx, const lf_pipeline_progress *p)
{
    (void)ctx;
    time_t t = (time_t)(p->capture_time / 1000000000);
    struct tm tm;
    char when[16] = "?";
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%H:%M:%S", &tm);
    fputc('\r', stderr);
    if (p->bytes_total > 0) {
        unsigned filled = (unsigned)(PROGRESS_BAR_WIDTH * p->bytes_done / p->bytes_total);
        fputc('[', stderr);
        for (unsigned i = 0; i < PROGRESS_BAR_WIDTH; i++)
            fputc(i < filled ? '#' : '.', stderr);
        fprintf(stderr, "] %3u%% ", (unsigned)(100 * p->bytes_done / p->bytes_total));
    }
    fprintf(stderr, "%" PRIu64 " frames, capture time %s UTC, %" PRIu64 " live TCP streams ",
            p->frames, when, p->live_streams);
}

static void feed_engine(void *ctx, const lf_signalr_event *ev)
{
    lf_lifecycle_feed(ctx, ev);
}

static bool wants(lf_cli_when when, int fd)
{
    return when == LF_WHEN_ALWAYS || (when == LF_WHEN_AUTO && isatty(fd));
}

static lf_report_format report_format(lf_cli_format f)
{
    return f == LF_FORMAT_JSON ? LF_REPORT_JSON : f == LF_FORMAT_JSONL ? LF_REPORT_JSONL
                                                                        : LF_REPORT_TEXT;
}

/* Prints what the selection found wrong with the --connection rules; true when one is an
 * error (a prefix naming several connections). */
static bool print_selection_problems(const lf_selection *sel)
{
    bool any_error = false;
    for (size_t i = 0; i < lf_selection_problem_count(sel); i++) {
        bool error = false;
        const char *text = lf_selection_problem(sel, i, &error);
        fprintf(stderr, "lifeline: %s: %s\n", error ? "error" : "warning", text);
        any_error = any_error || error;
    }
    return any_error;
}

/* The inputs as the report lists them, and the end of the report. */
static int end_report(lf_report_writer *writer, const lf_pipeline_result *res,
                      const lf_lifecycle *engine)
{
    lf_report_input inputs[res->input_count ? res->input_count : 1];
    for (uint32_t i = 0; i < res->input_count; i++)
        inputs[i] = (lf_report_input){.path = res->inputs[i].path,
                                      .packets = res->inputs[i].frames,
                                      .first_time = res->inputs[i].first_time,
                                      .last_time = res->inputs[i].last_time};
    lf_report_error err = {{0}};
    int rc = lf_report_writer_end(writer, inputs, res->input_count,
                                  lf_lifecycle_events_untracked(engine), &err);
    if (rc != 0)
        fprintf(stderr, "lifeline: cannot write the report: %s\n", err.message);
    return rc;
}

/* The engine hands each connection to the selection as soon as it is over (on_retire), which
 * writes it at once: memory follows the connections alive at a time, not the capture. */
typedef struct reporting {
    lf_report_writer *writer;
    lf_selection *selection;
    lf_lifecycle *engine;
    bool progress; /* a progress line is on stderr, maybe the report's terminal too */
} reporting;

static void retire(void *ctx, const lf_connection *c)
{
    reporting *r = ctx;
    if (r->progress)
        fputs("\r\033[K", stderr);
    lf_selection_offer(r->selection, c);
}

static int start_reporting(const lf_cli_options *o, FILE *out, reporting *r)
{
    lf_report_text_options text = {.color = wants(o->color, fileno(out))};
    lf_selection_rules rules = {.connections = o->connections,
                                .connection_count = o->connection_count,
                                .has_since = o->has_since,
                                .since = o->since,
                                .has_until = o->has_until,
                                .until = o->until};
    r->writer = lf_report_writer_new(out, report_format(o->format), o->input_count, &text);
    r->selection = lf_selection_new(&rules, r->writer);
    lf_lifecycle_options engine = o->assumed;
    engine.on_retire = retire;
    engine.retire_ctx = r;
    r->engine = lf_lifecycle_new(&engine);
    return r->writer != NULL && r->selection != NULL && r->engine != NULL ? 0 : -1;
}

static void stop_reporting(reporting *r)
{
    lf_lifecycle_free(r->engine);
    lf_selection_free(r->selection);
    lf_report_writer_free(r->writer);
}

/* Settles and writes everything; returns the exit status for the report's part. */
static int finish_report(const lf_cli_options *o, reporting *r, const lf_pipeline_result *res)
{
    lf_lifecycle_finish(r->engine, res->last_time);
    lf_report_error err = {{0}};
    if (lf_selection_finish(r->selection, &err) != 0) {
        fprintf(stderr, "lifeline: cannot write the report: %s\n", err.message);
        return 2;
    }
    bool bad_rule = print_selection_problems(r->selection);
    if (end_report(r->writer, res, r->engine) != 0 || bad_rule)
        return 2;
    int worst = lf_selection_worst_severity(r->selection);
    return !o->fail_never && worst >= (int)o->fail_on ? 1 : 0;
}

/* Two threads when there are two CPUs: the third, reading thread copies every packet to
 * another core, which on two cores costs more than it saves (README, Benchmarks). */
static unsigned threads_for(const lf_cli_options *o)
{
    if (o->threads != 0)
        return o->threads;
    return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
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
    unsigned threads = threads_for(o);
    po.sinks_on_thread = threads >= 2;
    po.read_ahead = threads >= 3;
    bool progress = !o->dump_events && wants(o->progress, STDERR_FILENO);
    if (progress)
        po.progress = print_progress;

    reporting r = {.progress = progress};
    if (o->dump_events) {
        po.wire_tap = lf_dump_wire_sink(out);
        po.signalr = lf_dump_signalr_sink(out);
    } else if (start_reporting(o, out, &r) != 0) {
        stop_reporting(&r);
        fprintf(stderr, "lifeline: out of memory\n");
        return 2;
    } else {
        po.signalr = (lf_signalr_sink){.ctx = r.engine, .emit = feed_engine};
    }
    lf_pipeline_result res;
    int rc = lf_pipeline_run(o->inputs, (uint32_t)o->input_count, &po, &res);
    if (progress)
        fputs("\r\033[K", stderr);
    if (diag.suppressed)
        fprintf(stderr, "lifeline: %" PRIu64 " more diagnostics not shown\n", diag.suppressed);
    int status = rc != 0 || diag.input_failed || res.files_failed ? 2 : 0;
    if (r.engine != NULL && rc == 0) {
        int report_status = finish_report(o, &r, &res);
        if (report_status > status)
            status = report_status;
    }
    stop_reporting(&r);
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

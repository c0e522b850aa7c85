/* The streaming report writer: connections as they come, the summary at the end. */
#include "report/report.h"

#include <glib.h>

#include "report/report_pieces.h"

struct lf_report_writer {
    FILE *out;
    lf_report_format format;
    bool color;
    bool many_files;
    lf_report_tally tally;
};

lf_report_writer *lf_report_writer_new(FILE *out, lf_report_format format, size_t input_files,
                                       const lf_report_text_options *opts)
{
    lf_report_writer *w = g_new0(lf_report_writer, 1);
    w->out = out;
    w->format = format;
    w->color = opts != NULL && opts->color;
    w->many_files = input_files > 1;
    return w;
}

void lf_report_writer_free(lf_report_writer *w)
{
    g_free(w);
}

static int write_json(lf_report_writer *w, const lf_connection *c)
{
    fputs(w->tally.connections == 0 ? "{\n  \"connections\": [\n    " : ",\n    ", w->out);
    return lf_json_piece_connection(w->out, c, true, 2);
}

int lf_report_writer_connection(lf_report_writer *w, const lf_connection *c, lf_report_error *err)
{
    int rc = 0;
    switch (w->format) {
    case LF_REPORT_TEXT:
        rc = lf_text_piece_connection(w->out, c, w->tally.connections + 1, w->color, w->many_files);
        break;
    case LF_REPORT_JSON:
        rc = write_json(w, c);
        break;
    case LF_REPORT_JSONL:
        rc = lf_json_piece_connection(w->out, c, false, 0);
        if (rc == 0 && fputc('\n', w->out) == EOF) {
            rc = -1;
        }
        break;
    }
    lf_report_tally_add(&w->tally, c);
    return rc != 0 ? lf_report_failed(err, "writing the report failed") : 0;
}

static int end_json(lf_report_writer *w, const lf_report_input *inputs, size_t input_count)
{
    fputs(w->tally.connections == 0 ? "{\n  \"connections\": [],\n  \"inputs\": "
                                    : "\n  ],\n  \"inputs\": ",
          w->out);
    int rc = lf_json_piece_inputs(w->out, inputs, input_count, 1);
    fputs(",\n  \"summary\": ", w->out);
    if (rc == 0) {
        rc = lf_json_piece_summary(w->out, &w->tally, 1);
    }
    fputs("\n}\n", w->out);
    return rc != 0 || ferror(w->out) ? -1 : 0;
}

int lf_report_writer_end(lf_report_writer *w, const lf_report_input *inputs, size_t input_count,
                         uint64_t untracked_events, lf_report_error *err)
{
    w->tally.untracked_events = untracked_events;
    int rc = 0;
    switch (w->format) {
    case LF_REPORT_TEXT:
        rc = lf_text_piece_summary(w->out, inputs, input_count, &w->tally, w->color);
        break;
    case LF_REPORT_JSON:
        rc = end_json(w, inputs, input_count);
        break;
    case LF_REPORT_JSONL:
        rc = ferror(w->out) ? -1 : 0;
        break;
    }
    return rc != 0 ? lf_report_failed(err, "writing the report failed") : 0;
}

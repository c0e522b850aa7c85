/* report.h - writing the lifecycle engine's results: JSON, JSON Lines, or a readable timeline.
 *
 * Two ways: lf_report_json/jsonl/text() write one complete report for every connection the
 * engine holds (after lf_lifecycle_finish()); a report writer takes connections one at a time
 * (e.g. from the engine's on_retire callback, so nothing waits for the end of the capture)
 * and writes the summary at the end. Output goes to a FILE * the caller owns and keeps open.
 * Functions return 0, or -1 with err filled (a write failed); they print nothing else
 * anywhere. The writer is freed with lf_report_writer_free(); nothing else is allocated.
 */
#ifndef LIFELINE_REPORT_H
#define LIFELINE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lifecycle/lifecycle.h"

/* One capture file read, as the reports list it. */
typedef struct lf_report_input {
    const char *path;
    uint64_t packets;
    lf_time_ns first_time; /* of its first and last frame; ignored when packets is 0 */
    lf_time_ns last_time;
} lf_report_input;

typedef struct lf_report_error {
    char message[256];
} lf_report_error;

typedef struct lf_report_text_options {
    bool color; /* ANSI colours for findings (the CLI decides, e.g. when writing to a TTY) */
} lf_report_text_options;

/* {"connections":[...],"inputs":[...],"summary":{...}}, one document, pretty-printed. */
int lf_report_json(FILE *out, const lf_report_input *inputs, size_t input_count,
                   const lf_lifecycle *engine, lf_report_error *err);

/* One connection object per line (the same objects as in the JSON document's "connections"). */
int lf_report_jsonl(FILE *out, const lf_lifecycle *engine, lf_report_error *err);

/* Per connection: identity, settings, a Wireshark display filter, the timeline with findings
 * in place; then a summary. opts may be NULL (no colour). */
int lf_report_text(FILE *out, const lf_report_input *inputs, size_t input_count,
                   const lf_lifecycle *engine, const lf_report_text_options *opts,
                   lf_report_error *err);

typedef enum lf_report_format {
    LF_REPORT_TEXT,
    LF_REPORT_JSON, /* streamed as {"connections":[...],"inputs":[...],"summary":{...}} */
    LF_REPORT_JSONL
} lf_report_format;

typedef struct lf_report_writer lf_report_writer;

/* input_files: how many capture files are read (frame references name the file when > 1);
 * opts may be NULL. Returns NULL only when memory is exhausted. */
lf_report_writer *lf_report_writer_new(FILE *out, lf_report_format format, size_t input_files,
                                       const lf_report_text_options *opts);

/* Writes one settled connection (it may be freed right after). */
int lf_report_writer_connection(lf_report_writer *w, const lf_connection *c, lf_report_error *err);

/* Closes the report: the inputs and the summary of every connection written. Call once. */
int lf_report_writer_end(lf_report_writer *w, const lf_report_input *inputs, size_t input_count,
                         uint64_t untracked_events, lf_report_error *err);

void lf_report_writer_free(lf_report_writer *w);

#endif

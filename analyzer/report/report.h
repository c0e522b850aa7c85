/* report.h - writing the lifecycle engine's results: JSON, JSON Lines, or a readable timeline.
 *
 * Each function writes one complete report for every connection the engine holds (after
 * lf_lifecycle_finish()) to a FILE * the caller owns and keeps open. They return 0, or -1 with
 * err filled (a write failed); they print nothing else anywhere. Nothing to free.
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

/* {"inputs":[...],"connections":[...],"summary":{...}}, one document, pretty-printed. */
int lf_report_json(FILE *out, const lf_report_input *inputs, size_t input_count,
                   const lf_lifecycle *engine, lf_report_error *err);

/* One connection object per line (the same objects as in the JSON document's "connections"). */
int lf_report_jsonl(FILE *out, const lf_lifecycle *engine, lf_report_error *err);

/* Per connection: identity, settings, a Wireshark display filter, the timeline with findings
 * in place; then a summary. opts may be NULL (no colour). */
int lf_report_text(FILE *out, const lf_report_input *inputs, size_t input_count,
                   const lf_lifecycle *engine, const lf_report_text_options *opts,
                   lf_report_error *err);

#endif

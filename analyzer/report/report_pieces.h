/* report_pieces.h - the parts every report is made of, shared by the whole-report functions
 * and the streaming writer (internal to analyzer/report).
 *
 * A tally counts what the summary needs while connections go by, so a streaming report can
 * forget each connection once written. The piece writers write to the caller's FILE * and
 * return 0, or -1 when the stream reported an error. Nothing to free.
 */
#ifndef LIFELINE_REPORT_PIECES_H
#define LIFELINE_REPORT_PIECES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/report.h"

typedef struct lf_report_tally {
    uint64_t connections;
    uint64_t ends[LF_END_FAILED + 1];
    uint64_t findings[SR_FINDING_TYPE_COUNT];
    uint64_t severities[SR_SEVERITY_ERROR + 1];
    uint64_t untracked_events;
} lf_report_tally;

void lf_report_tally_add(lf_report_tally *t, const lf_connection *c);

/* JSON: one connection object, the inputs array, the summary object, each at `depth`. */
int lf_json_piece_connection(FILE *out, const lf_connection *c, bool pretty, int depth);
int lf_json_piece_inputs(FILE *out, const lf_report_input *inputs, size_t n, int depth);
int lf_json_piece_summary(FILE *out, const lf_report_tally *t, int depth);

/* Text: one connection (header, filter, timeline), numbered `number`; the closing summary.
 * many_files: frame references name their input file. */
int lf_text_piece_connection(FILE *out, const lf_connection *c, uint64_t number, bool color,
                             bool many_files);
int lf_text_piece_summary(FILE *out, const lf_report_input *inputs, size_t n,
                          const lf_report_tally *t, bool color);

/* Fills err with `what` and the stream's error; returns -1. */
int lf_report_failed(lf_report_error *err, const char *what);

#endif

/* json_write.h - writing JSON straight to a FILE *, value by value, with numbers as the reports
 * want them.
 *
 * The reports are large (a timeline entry per routine run, thousands of connections), so they
 * are written as they are walked rather than built as a tree first. Times are printed from
 * integer nanoseconds rounded to the microsecond (1795626410.971444), durations rounded to the
 * microsecond, both without trailing zeros. The writer lives on the caller's stack with a small
 * buffer of its own, emptied into the FILE * by lf_json_flush(); the FILE * stays the caller's.
 */
#ifndef LIFELINE_REPORT_JSON_WRITE_H
#define LIFELINE_REPORT_JSON_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline/frame_ref.h"

/* The reports nest five levels (document, connection, events, event, evidence); a few more
 * leave room without letting a bug write past the bookkeeping. */
#define LF_JSON_MAX_LEVELS 12

typedef struct lf_json_out {
    FILE *out;
    bool pretty;  /* two-space indentation and newlines, else one line */
    int depth;    /* indentation level of the value being written (its container's + 1) */
    int level;    /* open containers */
    bool has_items[LF_JSON_MAX_LEVELS];
    bool failed;  /* a write to out fell short */
    size_t used;  /* bytes waiting in buf */
    char buf[8192];
} lf_json_out;

/* A writer for one value sitting at indentation level `depth` (0 for a whole document). */
void lf_json_init(lf_json_out *j, FILE *out, bool pretty, int depth);

/* Each value below is an array element when key is NULL, else an object member; keys are
 * written as they are (plain ASCII names without '"' or '\\'). */
void lf_json_begin_object(lf_json_out *j, const char *key);
void lf_json_end_object(lf_json_out *j);
void lf_json_begin_array(lf_json_out *j, const char *key);
void lf_json_end_array(lf_json_out *j);
/* value NULL writes null. */
void lf_json_string(lf_json_out *j, const char *key, const char *value);
void lf_json_int(lf_json_out *j, const char *key, int64_t value);
void lf_json_bool(lf_json_out *j, const char *key, bool value);
void lf_json_null(lf_json_out *j, const char *key);
/* Epoch seconds of t, rounded to the microsecond. */
void lf_json_time(lf_json_out *j, const char *key, lf_time_ns t);
/* A duration in seconds, rounded to the microsecond; null when not finite. */
void lf_json_seconds(lf_json_out *j, const char *key, double seconds);

/* Writes out what the writer holds: 0, or -1 when the stream reported an error. Call it once
 * the value is complete (the writer may be used on afterwards). */
int lf_json_flush(lf_json_out *j);

#endif

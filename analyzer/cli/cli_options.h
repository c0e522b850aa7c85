/* cli_options.h - the `lifeline` command line: parsing and the help text.
 *
 * lf_cli_parse() fills an lf_cli_options whose strings point into argv (nothing to free).
 * Errors are returned as text for the caller to print; nothing here prints except
 * lf_cli_print_help(), which writes to the FILE it is given.
 */
#ifndef LIFELINE_CLI_OPTIONS_H
#define LIFELINE_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lifecycle/lifecycle.h"
#include "protocol/sr_finding.h"

/* --connection values accepted: more than a screenful of IDs is a job for the JSON report and
 * a script, and a fixed array keeps the options free of allocations. */
#define LF_CLI_MAX_CONNECTION_RULES 64

typedef enum lf_cli_format { LF_FORMAT_TEXT, LF_FORMAT_JSON, LF_FORMAT_JSONL } lf_cli_format;
typedef enum lf_cli_when { LF_WHEN_AUTO, LF_WHEN_ALWAYS, LF_WHEN_NEVER } lf_cli_when;

typedef struct lf_cli_options {
    lf_cli_format format;
    const char *output; /* NULL: standard output */
    lf_cli_when color;
    lf_cli_when progress;
    bool dump_events;
    bool help, version;
    bool fail_never;          /* --fail-on never */
    sr_severity fail_on;      /* exit 1 when a finding is at or above this */
    lf_lifecycle_options assumed; /* settings assumed when a negotiate is missing */
    size_t max_stream_buffer; /* out-of-order bytes per TCP direction; 0: default */
    unsigned threads;         /* --threads: 1 to 3; 0: as many as help on this machine */
    const char *connections[LF_CLI_MAX_CONNECTION_RULES]; /* --connection values (argv) */
    size_t connection_count;
    bool has_since, has_until;
    lf_time_ns since, until; /* --since, --until */
    const char *const *inputs;
    size_t input_count;
} lf_cli_options;

/* Returns 0, or -1 with a one-line reason in err. */
int lf_cli_parse(int argc, char **argv, lf_cli_options *out, char *err, size_t err_cap);

void lf_cli_print_help(FILE *out);

#endif

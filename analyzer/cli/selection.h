/* selection.h - which connections the report shows (--connection, --since, --until), handed
 * to the report writer as the lifecycle engine retires them.
 *
 * lf_selection_offer() is the engine's on_retire callback. A connection is reported when its
 * life (first event to its end) overlaps the time window and, when connection rules were
 * given, one of them names it: its whole ConnectionId or token, or a prefix of either that
 * names no other connection. A prefix is only known to be unique once the capture is over, so
 * the first connection each prefix names is kept (a copy) until lf_selection_finish(): memory
 * grows with the number of rules, not with the capture.
 *
 * Ownership: the selection owns its copies and frees them in lf_selection_free(); the rules'
 * strings and the writer stay the caller's and must outlive the selection.
 */
#ifndef LIFELINE_CLI_SELECTION_H
#define LIFELINE_CLI_SELECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "report/report.h"

typedef struct lf_selection_rules {
    const char *const *connections; /* ConnectionIds, tokens or prefixes; none: every one */
    size_t connection_count;
    bool has_since, has_until;
    lf_time_ns since, until;
} lf_selection_rules;

typedef struct lf_selection lf_selection;

/* Returns NULL only when memory is exhausted. */
lf_selection *lf_selection_new(const lf_selection_rules *rules, lf_report_writer *writer);
void lf_selection_free(lf_selection *s);

/* An lf_retire_fn: reports c now, keeps it for later, or drops it. */
void lf_selection_offer(void *selection, const lf_connection *c);

/* Reports the connections named by a prefix that proved unique. Call once, after the engine
 * handed over its last connection. Returns 0, or -1 with err filled when a write failed (here
 * or in an earlier offer). */
int lf_selection_finish(lf_selection *s, lf_report_error *err);

/* Connections reported so far, and the most severe finding among them (-1: none). */
size_t lf_selection_reported(const lf_selection *s);
int lf_selection_worst_severity(const lf_selection *s);

/* What lf_selection_finish() found wrong with the rules, one sentence each: a rule naming no
 * connection (not an error: the capture may just not hold it) or a prefix naming several (an
 * error: the user must say which). */
size_t lf_selection_problem_count(const lf_selection *s);
const char *lf_selection_problem(const lf_selection *s, size_t index, bool *is_error);

#endif

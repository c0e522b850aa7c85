/* Counting connections, end states and findings for report summaries. */
#include "report/report_pieces.h"

#include <errno.h>
#include <string.h>

void lf_report_tally_add(lf_report_tally *t, const lf_connection *c)
{
    t->connections++;
    if ((int)c->end >= 0 && c->end <= LF_END_FAILED) {
        t->ends[c->end]++;
    }
    for (size_t i = 0; i < c->finding_count; i++) {
        const lf_finding *f = &c->findings[i];
        if ((int)f->type >= 0 && (int)f->type < SR_FINDING_TYPE_COUNT) {
            t->findings[f->type]++;
        }
        if ((int)f->severity >= 0 && f->severity <= SR_SEVERITY_ERROR) {
            t->severities[f->severity]++;
        }
    }
}

int lf_report_failed(lf_report_error *err, const char *what)
{
    if (err != NULL) {
        snprintf(err->message, sizeof err->message, "%s: %s", what,
                 errno != 0 ? strerror(errno) : "stream error");
    }
    return -1;
}

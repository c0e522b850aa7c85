/* cli_time.h - reading a moment given on the command line (--since, --until).
 *
 * Accepted: seconds since the Unix epoch ("1795626832", "1795626832.25"), or an ISO-8601 date
 * and time ("2026-11-25T17:07:00Z", "2026-11-25T18:07:00.5+01:00", "2026-11-25 17:07:00"):
 * without a zone the time is UTC, as the text report prints times. Pure function: nothing to
 * free.
 */
#ifndef LIFELINE_CLI_TIME_H
#define LIFELINE_CLI_TIME_H

#include "pipeline/frame_ref.h"

/* Returns 0 and fills *out, or -1 when text is not one of the forms above. */
int lf_cli_parse_time(const char *text, lf_time_ns *out);

#endif

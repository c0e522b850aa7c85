/* event_dump.h - the `--dump-events` view: every wire event and SignalR event, one line each.
 *
 * Lines start with the capture time (Unix epoch, microseconds), the input file index and frame
 * number, the TCP stream and the direction, so that each can be found in Wireshark. Payloads are
 * printed whole with non-printable bytes escaped (\xHH, \n, \r, \t, \\). The printer owns
 * nothing; the FILE is the caller's.
 */
#ifndef LIFELINE_EVENT_DUMP_H
#define LIFELINE_EVENT_DUMP_H

#include <stdio.h>

#include "pipeline/signalr_classifier.h"
#include "pipeline/wire_event.h"

/* Sinks that print to `out` (the FILE * is the sink's ctx). */
lf_wire_sink lf_dump_wire_sink(FILE *out);
lf_signalr_sink lf_dump_signalr_sink(FILE *out);

#endif

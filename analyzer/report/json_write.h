/* json_write.h - serialising a json-glib tree to a FILE *, with numbers as the reports want them.
 *
 * json-glib's own generator prints doubles with 17 significant digits (1700000000.0999999);
 * this writer prints them rounded to the microsecond without trailing zeros
 * (1700000000.1, 20), so report times read as what they are. The node stays the caller's.
 */
#ifndef LIFELINE_REPORT_JSON_WRITE_H
#define LIFELINE_REPORT_JSON_WRITE_H

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdio.h>

/* Writes node; pretty: two-space indentation and newlines, else one line. `depth` is the
 * indentation level the node sits at (for writing a document piece by piece; 0 otherwise).
 * Returns 0, or -1 when the stream reported an error. */
int lf_json_write(FILE *out, JsonNode *node, bool pretty, int depth);

#endif

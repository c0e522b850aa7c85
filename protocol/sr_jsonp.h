/* sr_jsonp: the `callback(<json>)` / `callback(<json>);` wrapper a server puts around JSON when
 * the request carried callback= (wire reference sec. 3.2). Zero-copy: spans point into the
 * caller's buffer and live as long as it does.
 */
#ifndef LIFELINE_PROTOCOL_SR_JSONP_H
#define LIFELINE_PROTOCOL_SR_JSONP_H

#include <stddef.h>

#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

/* Finds the callback name and the JSON between the outer parentheses (surrounding whitespace
 * allowed). Returns SR_ERR_NO_MATCH when the text is not an identifier followed by '(' (plain
 * JSON, `true` included), SR_ERR_BAD_JSONP when the call is not closed by ')' [';']. */
sr_status sr_jsonp_unwrap(const char *bytes, size_t len, sr_span *callback, sr_span *json);

#endif

/* sr_payload: what one complete JSON text on the wire is: a WebSocket text frame, an SSE event's
 * data, a forever-frame script's argument, a long-poll body, a /send, /start or /ping response.
 *
 * sr_payload_parse() returns a JsonNode the caller owns (json_node_unref()); the JSONP callback
 * span points into the caller's buffer.
 */
#ifndef LIFELINE_PROTOCOL_SR_PAYLOAD_H
#define LIFELINE_PROTOCOL_SR_PAYLOAD_H

#include <json-glib/json-glib.h>
#include <stddef.h>

#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

typedef enum {
    SR_PAYLOAD_OTHER = 0,           /* any other JSON (PersistentConnection data, client->server) */
    SR_PAYLOAD_KEEPALIVE,           /* {} */
    SR_PAYLOAD_PERSISTENT_RESPONSE, /* has "C", an "M" array, or an "E" string (sec. 6) */
    SR_PAYLOAD_HUB_INVOCATION,      /* client->server {"H","M","A","I"} on a WebSocket */
    SR_PAYLOAD_HUB_RESULT,          /* {"I":..} alone in a WS frame or a /send response */
    SR_PAYLOAD_HUB_PROGRESS,        /* {"I":"P|..","P":{..}} */
    SR_PAYLOAD_START_RESPONSE,      /* {"Response":"started"} */
    SR_PAYLOAD_PONG_RESPONSE,       /* {"Response":"pong"} */
    SR_PAYLOAD_OTHER_RESPONSE       /* {"Response":<anything else>}: a failed /start */
} sr_payload_kind;

/* Parses JSON text, first unwrapping a JSONP call when the text starts with an identifier;
 * callback (may be NULL) receives the callback name or an absent span. Leading whitespace,
 * such as long-polling keepalive spaces, is accepted. */
sr_status sr_payload_parse(const char *bytes, size_t len, JsonNode **root, sr_span *callback,
                           sr_error *err);

/* Classifies a parsed top-level value. */
sr_payload_kind sr_payload_classify_node(JsonNode *root);

/* Parses and classifies in one go (the tree is discarded). */
sr_status sr_payload_classify(const char *bytes, size_t len, sr_payload_kind *kind,
                              sr_error *err);

/* Static name: "keepalive", "persistent-response", ... */
const char *sr_payload_kind_name(sr_payload_kind kind);

#endif

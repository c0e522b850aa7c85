/* sr_persistent: the persistent response envelope the server sends on every receive channel
 * (wire reference sec. 6): {"C":cursor[,"S":1][,"D":1][,"T":1][,"G":token][,"L":ms],"M":[..]}
 * plus "E" (error, from Azure SignalR Service). JSONP-wrapped bodies are accepted.
 *
 * The parsed struct owns its strings and a reference on the "M" array; free it with
 * sr_persistent_clear() after every parse, whatever it returned.
 */
#ifndef LIFELINE_PROTOCOL_SR_PERSISTENT_H
#define LIFELINE_PROTOCOL_SR_PERSISTENT_H

#include <json-glib/json-glib.h>
#include <stdint.h>

#include "protocol/sr_cursor.h"
#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

/* Presence bits. */
enum {
    SR_PERSISTENT_C = 1u << 0,
    SR_PERSISTENT_S = 1u << 1,
    SR_PERSISTENT_D = 1u << 2,
    SR_PERSISTENT_T = 1u << 3,
    SR_PERSISTENT_G = 1u << 4,
    SR_PERSISTENT_L = 1u << 5,
    SR_PERSISTENT_M = 1u << 6,
    SR_PERSISTENT_E = 1u << 7
};

/* "L" above this is refused: it is the LongPollDelay in ms, bounded like negotiate durations. */
#define SR_PERSISTENT_MAX_L_MS 1000000000000000ull

typedef struct {
    unsigned fields;          /* SR_PERSISTENT_* */
    sr_string cursor_text;    /* C exactly as sent */
    sr_cursor cursor;         /* C parsed; valid when cursor_status == SR_OK */
    sr_status cursor_status;  /* a bad cursor does not fail the envelope */
    uint64_t initialized;     /* S: 1 on the init message (2.0+) */
    uint64_t disconnect;      /* D: 1 = disconnect command (servers <= 2.0.x) */
    uint64_t timed_out;       /* T: 1 = host shutting down (1.2+), request timed out (1.0/1.1) */
    sr_string groups_token;   /* G */
    uint64_t long_poll_delay_ms; /* L */
    sr_string error;          /* E */
    JsonNode *messages;       /* M: array node (own reference), or NULL when absent */
    size_t message_count;
    sr_string jsonp_callback; /* callback name when the body was JSONP-wrapped */
} sr_persistent_response;

/* Reads the envelope from a parsed value. At least one of C, M or E must be present
 * (SR_ERR_MISSING_FIELD naming "M" otherwise); wrong types fail naming the key. */
sr_status sr_persistent_from_node(JsonNode *root, sr_persistent_response *out, sr_error *err);

/* Parses a body: JSON, optionally preceded by keepalive spaces or wrapped as cb(...)[;]. */
sr_status sr_persistent_parse(const char *bytes, size_t len, sr_persistent_response *out,
                              sr_error *err);

/* The i-th element of M (borrowed from resp), or NULL when out of range. */
JsonNode *sr_persistent_message(const sr_persistent_response *resp, size_t i);

void sr_persistent_clear(sr_persistent_response *resp);

#endif

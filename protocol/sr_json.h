/* sr_json: the single gate through which wire bytes reach json-glib, plus typed field readers.
 *
 * sr_json_parse() screens the bytes first (NUL, UTF-8, nesting depth, lenient syntax json-glib
 * would accept but JSON forbids) because json-glib recurses per nesting level and silently wraps
 * integers beyond 64 bits. The returned JsonNode is owned by the caller (json_node_unref()).
 * The field readers borrow the JsonObject; strings they return are owned sr_string copies.
 */
#ifndef LIFELINE_PROTOCOL_SR_JSON_H
#define LIFELINE_PROTOCOL_SR_JSON_H

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

/* SignalR payloads are shallow (envelope, message, arguments); application objects rarely pass a
 * dozen levels. 128 leaves room for deep application data while keeping json-glib's recursion far
 * from the stack limit, even under AddressSanitizer. */
#define SR_JSON_MAX_DEPTH 128

/* Parses len bytes of JSON text into *root (caller unrefs). Integers too large for int64 are
 * read as doubles, as a JavaScript client would. json-glib keeps strings as C strings, so a
 * string containing \u0000 is cut at that point. On error *root is NULL. */
sr_status sr_json_parse(const char *bytes, size_t len, JsonNode **root, sr_error *err);

/* Field presence and type outcome for the readers below. */
typedef enum {
    SR_FIELD_ABSENT = 0,
    SR_FIELD_NULL,   /* present with JSON null */
    SR_FIELD_PRESENT /* present with a value of the requested type */
} sr_field_state;

/* Reads a string member. Wrong type (null included unless null_ok) -> SR_ERR_FIELD_TYPE naming
 * key. On SR_FIELD_PRESENT, *out receives an owned copy (must be absent beforehand). */
sr_status sr_json_get_string(JsonObject *obj, const char *key, bool null_ok, sr_string *out,
                             sr_field_state *state, sr_error *err);

/* Reads a number member (integer or floating). Not finite -> SR_ERR_FIELD_RANGE. */
sr_status sr_json_get_number(JsonObject *obj, const char *key, bool null_ok, double *out,
                             sr_field_state *state, sr_error *err);

/* Reads a non-negative integer member (an integral double is accepted) up to max. */
sr_status sr_json_get_uint(JsonObject *obj, const char *key, uint64_t max, uint64_t *out,
                           sr_field_state *state, sr_error *err);

/* Reads a boolean member. */
sr_status sr_json_get_bool(JsonObject *obj, const char *key, bool *out, sr_field_state *state,
                           sr_error *err);

/* Numeric value of a JSON number node; false when the node is not a number. */
bool sr_json_node_number(JsonNode *node, double *out);

#endif

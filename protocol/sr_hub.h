/* sr_hub: hub-level payloads (wire reference sec. 7): invocations in both directions, hub
 * results, progress updates, and the rule that tells them apart.
 *
 * Parsed structs own their strings and hold their own references on JsonNodes (arguments,
 * results, state, error data); release them with the matching *_clear() after every parse,
 * whatever it returned. JsonNode members are NULL when the key was absent.
 */
#ifndef LIFELINE_PROTOCOL_SR_HUB_H
#define LIFELINE_PROTOCOL_SR_HUB_H

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

typedef enum {
    SR_MESSAGE_PERSISTENT_PAYLOAD = 0, /* application data of a PersistentConnection (any JSON) */
    SR_MESSAGE_HUB_INVOCATION,         /* {"H":"Hub","M":"method","A":[..]...} either direction */
    SR_MESSAGE_HUB_RESULT,             /* {"I":"0",...} */
    SR_MESSAGE_HUB_PROGRESS            /* {"I":"P|4","P":{"I":"4","D":..}} */
} sr_message_kind;

/* Classifies one JSON value found in "M" or alone in a frame/body (sec. 7): has P -> progress;
 * H and M both strings -> invocation; has I -> result; anything else -> persistent payload.
 * The invocation test comes before I so that client->server invocations, which carry "I", are
 * not mistaken for results; server messages never have string H and M with a P or I. */
sr_message_kind sr_hub_classify(JsonNode *value);

/* Static name: "persistent-payload", "hub-invocation", "hub-result", "hub-progress". */
const char *sr_message_kind_name(sr_message_kind kind);

typedef struct {
    sr_string hub;           /* H: lower-cased by the JS client, class name from the server */
    sr_string method;        /* M */
    sr_string invocation_id; /* I as text (JS sends a number); absent server->client */
    JsonNode *args;          /* A: an array, or NULL if absent */
    size_t arg_count;
    JsonNode *state;         /* S: client hub state object, or NULL */
} sr_hub_invocation;

/* Reads an invocation from a parsed value (the node is not retained beyond its members'
 * references). H and M are required strings; A must be an array when present; I may be a
 * string or an integer. */
sr_status sr_hub_invocation_from_node(JsonNode *value, sr_hub_invocation *out, sr_error *err);

/* Same from JSON text: a WebSocket frame, or the decoded data= of a /send body. */
sr_status sr_hub_invocation_parse(const char *bytes, size_t len, sr_hub_invocation *out,
                                  sr_error *err);

void sr_hub_invocation_clear(sr_hub_invocation *inv);

/* Presence bits of a hub result (HubResponse.cs members, sec. 7). */
enum {
    SR_HUB_RESULT_R = 1u << 0,
    SR_HUB_RESULT_E = 1u << 1,
    SR_HUB_RESULT_H = 1u << 2,
    SR_HUB_RESULT_D = 1u << 3,
    SR_HUB_RESULT_T = 1u << 4,
    SR_HUB_RESULT_S = 1u << 5
};

typedef struct {
    unsigned fields;         /* SR_HUB_RESULT_* */
    sr_string invocation_id; /* I (string on the wire; an integer is accepted and printed) */
    JsonNode *result;        /* R (may itself be JSON null), or NULL when absent */
    bool is_hub_exception;   /* H: true */
    sr_string error;         /* E */
    sr_string stack_trace;   /* T */
    JsonNode *error_data;    /* D */
    JsonNode *state;         /* S */
} sr_hub_result;

/* Reads a hub result: I required (string, or an integer printed as text); R, D and S of any
 * JSON type; E and T strings; H boolean. */
sr_status sr_hub_result_from_node(JsonNode *value, sr_hub_result *out, sr_error *err);

/* Same from plain JSON text (a WebSocket frame or a /send response body). A JSONP-wrapped
 * /send response goes through sr_payload_parse() and sr_hub_result_from_node() instead. */
sr_status sr_hub_result_parse(const char *bytes, size_t len, sr_hub_result *out, sr_error *err);
void sr_hub_result_clear(sr_hub_result *res);

typedef struct {
    sr_string message_id;    /* outer I, "P|<id>" */
    sr_string invocation_id; /* P.I */
    JsonNode *data;          /* P.D, or NULL when absent */
} sr_hub_progress;

/* Reads a progress message: outer I a string, P an object whose I is a string or integer. */
sr_status sr_hub_progress_from_node(JsonNode *value, sr_hub_progress *out, sr_error *err);
void sr_hub_progress_clear(sr_hub_progress *prog);

#endif

/* sr_summary: the payloads a capture is made of, summarised without building a JSON tree.
 *
 * Nearly every byte a SignalR server sends is a persistent response {"C":..,"M":[..]} or a hub
 * result {"I":..}, and nearly every client message a hub invocation {"H":..,"M":..,"A":[..],
 * "I":..}; connectionData is [{"name":".."}]. These readers take the common, well-formed shapes
 * of those with sr_jscan and return the same facts the tree readers (sr_payload, sr_persistent,
 * sr_hub, sr_request) would. Anything else (an escape in a value read, a duplicate key, a wrong
 * type, a number that is not a small plain integer, JSONP, an error field...) returns
 * SR_ERR_NO_MATCH: the caller then uses the tree readers, which decide and report errors.
 *
 * Nothing is allocated: every span points into the caller's bytes, valid while they are.
 */
#ifndef LIFELINE_PROTOCOL_SR_SUMMARY_H
#define LIFELINE_PROTOCOL_SR_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/sr_payload.h"
#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

/* A server->client JSON text, as sr_payload_classify_node() and the readers would see it. */
typedef struct {
    /* KEEPALIVE, PERSISTENT_RESPONSE, HUB_RESULT, START_RESPONSE, PONG_RESPONSE,
     * OTHER_RESPONSE or OTHER (a non-SignalR object); never HUB_INVOCATION or HUB_PROGRESS */
    sr_payload_kind kind;
    /* PERSISTENT_RESPONSE, as sr_persistent_from_node() reads it (E is never present here) */
    unsigned fields;   /* SR_PERSISTENT_* */
    sr_span cursor;    /* C; absent when not sent */
    uint64_t initialized, disconnect, timed_out, long_poll_delay_ms;
    size_t message_count;
    /* HUB_RESULT, as sr_hub_result_from_node() reads it */
    sr_span invocation_id; /* I as text */
    bool is_error;         /* E present */
} sr_server_summary;

/* Summarises one JSON text a server sent (no JSONP). SR_OK or SR_ERR_NO_MATCH (unsure). */
sr_status sr_summary_server(const char *bytes, size_t len, sr_server_summary *out);

/* A client->server hub invocation, as sr_hub_invocation_parse() reads it. */
typedef struct {
    sr_span hub, method;
    sr_span invocation_id; /* absent when not sent */
} sr_invocation_summary;

/* SR_OK or SR_ERR_NO_MATCH (unsure, or not an invocation). */
sr_status sr_summary_invocation(const char *bytes, size_t len, sr_invocation_summary *out);

/* The same, for a client message as sr_payload_classify_node() classifies it: SR_OK only when
 * that says SR_PAYLOAD_HUB_INVOCATION (an object with "Response", "C", "E" or "P" is left to
 * the tree: SR_ERR_NO_MATCH). */
sr_status sr_summary_payload_invocation(const char *bytes, size_t len,
                                        sr_invocation_summary *out);

/* The hub names of a decoded connectionData value ("name", else "Name", of every object of the
 * array), as sr_request_parse() reads them. SR_OK with *count names (at most max; more is
 * unsure), or SR_ERR_NO_MATCH. */
sr_status sr_summary_hub_names(const char *bytes, size_t len, sr_span *names, size_t max,
                               size_t *count);

#endif

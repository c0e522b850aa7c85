/* sr_finding: the vocabulary of lifecycle findings shared by the analyzer and the dissector.
 *
 * Owns the fixed finding type names, their default severities and the wording of their
 * messages, so that a report line and a Wireshark expert item say the same thing in the same
 * words. Pure functions over numbers: no allocation, nothing to free; names are static strings.
 */
#ifndef LIFELINE_PROTOCOL_SR_FINDING_H
#define LIFELINE_PROTOCOL_SR_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    SR_FINDING_KEEPALIVE_LATE,          /* server silent > 2/3 KeepAliveTimeout: connectionSlow */
    SR_FINDING_KEEPALIVE_MISSED,        /* server silent > KeepAliveTimeout: client reconnects */
    SR_FINDING_RECONNECT_LATE,          /* reconnect after the server expired the connection */
    SR_FINDING_DISCONNECT_TIMEOUT,      /* transport lost, nothing within DisconnectTimeout */
    SR_FINDING_TRANSPORT_FALLBACK,      /* another transport tried under the same token */
    SR_FINDING_ABORT_MISSING,           /* client closed its transport, no /abort followed */
    SR_FINDING_DISCONNECT_COMMAND,      /* server sent "D":1 */
    SR_FINDING_INVOCATION_UNANSWERED,   /* hub calls pending when the transport dropped */
    SR_FINDING_SERVER_CHANGED,          /* cursor prefix changed: restart or other node */
    SR_FINDING_REQUEST_REJECTED,        /* a request with the token answered 4xx/5xx */
    SR_FINDING_CLIENT_TIMER_STARVATION, /* client dropped a transport that was still alive */
    SR_FINDING_NEGOTIATE_NOT_FOLLOWED,  /* negotiate never followed by /connect */
    SR_FINDING_POLL_OVERDUE,            /* long poll held beyond ConnectionTimeout + slack */
    SR_FINDING_SETTINGS_ASSUMED,        /* negotiate not captured: thresholds assumed */
    SR_FINDING_CAPTURE_GAP              /* capture loss on this connection's streams */
} sr_finding_type;

/* Number of finding types (for tables indexed by sr_finding_type). */
#define SR_FINDING_TYPE_COUNT ((int)SR_FINDING_CAPTURE_GAP + 1)

/* Ordered like Wireshark's expert severities (note < warning < error). */
typedef enum { SR_SEVERITY_NOTE, SR_SEVERITY_WARNING, SR_SEVERITY_ERROR } sr_severity;

/* Stable lower_snake_case name ("keepalive_late"); "unknown" for out-of-range values. */
const char *sr_finding_name(sr_finding_type type);

/* Inverse of sr_finding_name(); returns -1 when the name is not a finding type. */
int sr_finding_from_name(const char *name);

sr_severity sr_finding_default_severity(sr_finding_type type);

/* "note", "warning", "error"; "unknown" for out-of-range values. */
const char *sr_severity_name(sr_severity severity);

/* The numbers a message names. Which fields a type reads is listed next to each message in
 * sr_finding.c; unused fields are ignored. Seconds are plain doubles; text fields are
 * NUL-terminated or NULL (printed as "?"). */
typedef struct {
    double observed;   /* the measured duration: gap, delay, poll length */
    double threshold;  /* the limit it was compared with */
    double threshold2; /* upper end when the limit is a window (0: no window) */
    double setting;    /* the negotiate setting the limit derives from */
    double setting2;   /* a second setting when a message names two */
    uint64_t count;    /* invocations, lost bytes */
    int status;        /* HTTP status */
    const char *what;  /* transport, request kind, old cursor prefix */
    const char *what2; /* new transport, new cursor prefix, response text */
    /* Keepalive gaps that went on after the receive transport ended (the client keeps
     * watching until it starts reconnecting): how long after the last data it ended. */
    bool transport_ended;
    double ended_after;
} sr_finding_values;

/* Writes the message for `type` into buf (always NUL-terminated when cap > 0) and returns the
 * length the full message has, like snprintf: a result >= cap means it was truncated. */
int sr_finding_format(char *buf, size_t cap, sr_finding_type type, const sr_finding_values *v);

#endif

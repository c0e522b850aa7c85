/* signalr_fields: the plugin's registered identifiers (protocol, fields, subtrees, expert items)
 * and its preferences.
 *
 * Wireshark hands out these ids once, at registration, and every dissection reads them; the
 * registration API writes them through pointers, so they live in two process-wide tables that
 * are written only by signalr_fields_register() and signalr preference handling, and read
 * everywhere else. Nothing here is allocated per capture; nothing to free.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_FIELDS_H
#define LIFELINE_DISSECTOR_SIGNALR_FIELDS_H

#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>

#include "protocol/sr_finding.h"

typedef struct {
    int proto;
    int tap;
    /* request side */
    int request;
    int request_kind;
    int transport;
    int token;
    int connection_id;
    int client_protocol;
    int connection_data;
    int message_id;
    int groups_token;
    int tid;
    int frame_id;
    int form_data;
    /* negotiate response */
    int negotiate;
    int negotiate_url;
    int keepalive_timeout;
    int disconnect_timeout;
    int connection_timeout;
    int transport_connect_timeout;
    int long_poll_delay;
    int try_websockets;
    int protocol_version;
    int redirect_url;
    int access_token;
    int websocket_server_url;
    int keepalive_period;
    int negotiate_error;
    /* server and client messages */
    int message_type;
    int keepalive;
    int keepalive_count;
    int cursor;
    int cursor_prefix;
    int init;
    int disconnect;
    int shutdown;
    int poll_delay_ms;
    int global_error;
    int message_count;
    int hub;
    int method;
    int arguments;
    int invocation_id;
    int result;
    int hub_error;
    int hub_exception;
    int progress;
    int response_text;
    int payload;
    /* generated */
    int gap;
    int negotiate_frame;
    int settings_assumed;
    int finding;
    /* subtrees */
    int ett_signalr;
    int ett_request;
    int ett_negotiate;
    int ett_message;
    int ett_hub;
    /* expert items: one per lifecycle finding, plus decoding problems */
    expert_field ei_finding[SR_FINDING_TYPE_COUNT];
    expert_field ei_malformed;
} signalr_field_ids;

/* Preferences (see README.md for what each one does). */
typedef struct {
    gboolean stream_takeover;      /* decode SSE / forever frame responses as they arrive */
    gboolean track_lifecycle;      /* compute findings (expert items) */
    guint assumed_keepalive_timeout;  /* seconds, when the negotiate was not captured */
    guint assumed_disconnect_timeout; /* seconds, when the negotiate was not captured */
} signalr_preferences;

extern signalr_field_ids signalr_hf;
extern signalr_preferences signalr_prefs;

/* Registers the protocol, every field, subtree, expert item and preference. */
void signalr_fields_register(void);

#endif

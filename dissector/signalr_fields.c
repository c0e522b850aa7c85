/* Registration of the signalr protocol, its fields, subtrees, expert items and preferences. */
#include "signalr_fields.h"

#include <epan/prefs.h>

/* Assumed when a capture misses the negotiate: the server defaults (KeepAliveTimeout 20 s,
 * DisconnectTimeout 30 s) that every 2.x server advertises unless reconfigured. */
#define SIGNALR_DEFAULT_KEEPALIVE_TIMEOUT 20
#define SIGNALR_DEFAULT_DISCONNECT_TIMEOUT 30

signalr_field_ids signalr_hf = {.proto = -1};
signalr_preferences signalr_prefs = {
    .stream_takeover = TRUE,
    .track_lifecycle = TRUE,
    .assumed_keepalive_timeout = SIGNALR_DEFAULT_KEEPALIVE_TIMEOUT,
    .assumed_disconnect_timeout = SIGNALR_DEFAULT_DISCONNECT_TIMEOUT,
};

#define F(id, name, abbrev, type, display, blurb)                                             \
    {                                                                                         \
        &signalr_hf.id, { name, abbrev, type, display, NULL, 0x0, blurb, HFILL }              \
    }

static hf_register_info field_table[] = {
    F(request, "Request", "signalr.request", FT_NONE, BASE_NONE, NULL),
    F(request_kind, "Request kind", "signalr.request.kind", FT_STRING, BASE_NONE,
      "negotiate, connect, reconnect, poll, start, send, ping, abort or hubs"),
    F(transport, "Transport", "signalr.transport", FT_STRING, BASE_NONE,
      "webSockets, serverSentEvents, foreverFrame or longPolling"),
    F(token, "Connection token", "signalr.token", FT_STRING, BASE_NONE,
      "connectionToken, URL-decoded (opaque, protected by the server)"),
    F(connection_id, "Connection ID", "signalr.connection_id", FT_STRING, BASE_NONE,
      "ConnectionId from the negotiate response that issued the token"),
    F(client_protocol, "Client protocol", "signalr.client_protocol", FT_STRING, BASE_NONE, NULL),
    F(connection_data, "Connection data", "signalr.connection_data", FT_STRING, BASE_NONE,
      "Hubs the client subscribes to (JSON)"),
    F(message_id, "Message ID (cursor sent back)", "signalr.message_id", FT_STRING, BASE_NONE,
      NULL),
    F(groups_token, "Groups token", "signalr.groups_token", FT_STRING, BASE_NONE, NULL),
    F(tid, "tid", "signalr.tid", FT_UINT32, BASE_DEC, "JavaScript client URL nonce"),
    F(frame_id, "Frame ID", "signalr.frame_id", FT_UINT32, BASE_DEC, "Forever frame iframe id"),
    F(form_data, "Form data", "signalr.form_data", FT_STRING, BASE_NONE,
      "data= value of a /send body, URL-decoded"),
    F(negotiate, "Negotiate response", "signalr.negotiate", FT_NONE, BASE_NONE, NULL),
    F(negotiate_url, "Url", "signalr.negotiate.url", FT_STRING, BASE_NONE, NULL),
    F(keepalive_timeout, "KeepAliveTimeout (s)", "signalr.negotiate.keepalive_timeout",
      FT_DOUBLE, BASE_NONE, NULL),
    F(disconnect_timeout, "DisconnectTimeout (s)", "signalr.negotiate.disconnect_timeout",
      FT_DOUBLE, BASE_NONE, NULL),
    F(connection_timeout, "ConnectionTimeout (s)", "signalr.negotiate.connection_timeout",
      FT_DOUBLE, BASE_NONE, NULL),
    F(transport_connect_timeout, "TransportConnectTimeout (s)",
      "signalr.negotiate.transport_connect_timeout", FT_DOUBLE, BASE_NONE, NULL),
    F(long_poll_delay, "LongPollDelay (s)", "signalr.negotiate.long_poll_delay", FT_DOUBLE,
      BASE_NONE, NULL),
    F(try_websockets, "TryWebSockets", "signalr.negotiate.try_websockets", FT_BOOLEAN,
      BASE_NONE, NULL),
    F(protocol_version, "Protocol version", "signalr.protocol_version", FT_STRING, BASE_NONE,
      NULL),
    F(redirect_url, "RedirectUrl", "signalr.negotiate.redirect_url", FT_STRING, BASE_NONE, NULL),
    F(negotiate_error, "Error", "signalr.negotiate.error", FT_STRING, BASE_NONE, NULL),
    F(access_token, "AccessToken", "signalr.negotiate.access_token", FT_STRING, BASE_NONE,
      "Bearer token for the redirect target (Azure SignalR Service)"),
    F(websocket_server_url, "WebSocketServerUrl", "signalr.negotiate.websocket_server_url",
      FT_STRING, BASE_NONE, "Alternate WebSocket endpoint (servers 1.0-1.2)"),
    F(keepalive_period, "KeepAlive (s)", "signalr.negotiate.keepalive", FT_DOUBLE, BASE_NONE,
      "Keepalive period of pre-release 1.0 servers (KeepAliveTimeout is twice it)"),
    F(message_type, "Message", "signalr.message_type", FT_STRING, BASE_NONE,
      "What this SignalR message is"),
    F(keepalive, "Keepalive", "signalr.keepalive", FT_BOOLEAN, BASE_NONE, NULL),
    F(keepalive_count, "Keepalive spaces", "signalr.keepalive_count", FT_UINT32, BASE_DEC,
      "Long-polling keepalives (one space each) before the response"),
    F(cursor, "Cursor (C)", "signalr.cursor", FT_STRING, BASE_NONE, NULL),
    F(cursor_prefix, "Cursor prefix", "signalr.cursor.prefix", FT_STRING, BASE_NONE,
      "Message bus instance (d-XXXXXXXX or s)"),
    F(init, "Init (S)", "signalr.init", FT_UINT32, BASE_DEC, "Transport initialized"),
    F(disconnect, "Disconnect (D)", "signalr.disconnect", FT_UINT32, BASE_DEC,
      "Disconnect command (servers up to 2.0)"),
    F(shutdown, "Shutting down (T)", "signalr.shutdown", FT_UINT32, BASE_DEC, NULL),
    F(poll_delay_ms, "Long-poll delay (L, ms)", "signalr.long_poll_delay_ms", FT_UINT32,
      BASE_DEC, NULL),
    F(global_error, "Error (E)", "signalr.error", FT_STRING, BASE_NONE, NULL),
    F(message_count, "Messages (M)", "signalr.messages", FT_UINT32, BASE_DEC, NULL),
    F(hub, "Hub", "signalr.hub", FT_STRING, BASE_NONE, NULL),
    F(method, "Method", "signalr.method", FT_STRING, BASE_NONE, NULL),
    F(arguments, "Arguments", "signalr.arguments", FT_STRING, BASE_NONE, "JSON array"),
    F(invocation_id, "Invocation ID", "signalr.invocation_id", FT_STRING, BASE_NONE, NULL),
    F(result, "Result (R)", "signalr.result", FT_STRING, BASE_NONE, "JSON value"),
    F(hub_error, "Hub error (E)", "signalr.hub_error", FT_STRING, BASE_NONE, NULL),
    F(hub_exception, "HubException (H)", "signalr.hub_exception", FT_BOOLEAN, BASE_NONE, NULL),
    F(progress, "Progress (P)", "signalr.progress", FT_STRING, BASE_NONE, "JSON value"),
    F(response_text, "Response", "signalr.response", FT_STRING, BASE_NONE,
      "started (/start) or pong (/ping)"),
    F(payload, "Payload", "signalr.payload", FT_STRING, BASE_NONE, NULL),
    F(gap, "Time since previous server frame", "signalr.gap", FT_RELATIVE_TIME, BASE_NONE,
      "Time since the previous server-to-client frame of the same connection"),
    F(negotiate_frame, "Negotiate in frame", "signalr.negotiate_frame", FT_FRAMENUM,
      BASE_NONE, NULL),
    F(settings_assumed, "Settings assumed", "signalr.settings_assumed", FT_BOOLEAN, BASE_NONE,
      "Negotiate not captured: KeepAliveTimeout and DisconnectTimeout come from preferences"),
    F(finding, "Finding", "signalr.finding", FT_STRING, BASE_NONE,
      "Lifecycle finding name (as in the lifeline report)"),
};

#undef F

static gint *subtree_ids[] = {
    &signalr_hf.ett_signalr, &signalr_hf.ett_request, &signalr_hf.ett_negotiate,
    &signalr_hf.ett_message, &signalr_hf.ett_hub,
};

static int expert_group(sr_finding_type type)
{
    return type == SR_FINDING_SETTINGS_ASSUMED ? PI_UNDECODED : PI_SEQUENCE;
}

static int expert_severity(sr_severity severity)
{
    switch (severity) {
    case SR_SEVERITY_ERROR: return PI_ERROR;
    case SR_SEVERITY_WARNING: return PI_WARN;
    case SR_SEVERITY_NOTE: break;
    }
    return PI_NOTE;
}

/* Expert item names follow the finding names of protocol/sr_finding.h, so a report line and
 * the expert item it corresponds to share one vocabulary. The table and its strings live as
 * long as the process: Wireshark keeps pointers to them. */
static void register_expert_items(void)
{
    ei_register_info *items = g_new0(ei_register_info, SR_FINDING_TYPE_COUNT + 1);
    for (int i = 0; i < SR_FINDING_TYPE_COUNT; i++) {
        sr_finding_type type = (sr_finding_type)i;
        expert_field_info info = {
            g_strdup_printf("signalr.%s", sr_finding_name(type)), expert_group(type),
            expert_severity(sr_finding_default_severity(type)),
            g_strdup_printf("SignalR lifecycle: %s", sr_finding_name(type)), EXPFILL};
        items[i].ids = &signalr_hf.ei_finding[i];
        items[i].eiinfo = info;
    }
    expert_field_info malformed = {"signalr.malformed", PI_MALFORMED, PI_WARN,
                                   "Malformed SignalR payload", EXPFILL};
    items[SR_FINDING_TYPE_COUNT].ids = &signalr_hf.ei_malformed;
    items[SR_FINDING_TYPE_COUNT].eiinfo = malformed;
    expert_module_t *module = expert_register_protocol(signalr_hf.proto);
    expert_register_field_array(module, items, SR_FINDING_TYPE_COUNT + 1);
}

static void register_preferences(void)
{
    module_t *module = prefs_register_protocol(signalr_hf.proto, NULL);
    prefs_register_bool_preference(
        module, "stream_takeover", "Decode streaming responses as they arrive",
        "Take over the TCP connection of Server-Sent Events and forever-frame responses, so "
        "that each event is decoded in the frame that completes it, also when the response "
        "never ends. Off: only finished responses are decoded, by HTTP.",
        &signalr_prefs.stream_takeover);
    prefs_register_bool_preference(module, "track_lifecycle", "Flag lifecycle faults",
                                   "Add expert items for keepalive gaps, late reconnects, "
                                   "disconnect timeouts, fallbacks and missing aborts.",
                                   &signalr_prefs.track_lifecycle);
    prefs_register_uint_preference(
        module, "assumed_keepalive_timeout", "Assumed KeepAliveTimeout (s)",
        "Used for connections whose negotiate response is not in the capture.", 10,
        &signalr_prefs.assumed_keepalive_timeout);
    prefs_register_uint_preference(
        module, "assumed_disconnect_timeout", "Assumed DisconnectTimeout (s)",
        "Used for connections whose negotiate response is not in the capture.", 10,
        &signalr_prefs.assumed_disconnect_timeout);
}

/* Wireshark insists that ids be -1 until registered. */
static void reset_ids(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(field_table); i++) {
        *field_table[i].p_id = -1;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(subtree_ids); i++) {
        *subtree_ids[i] = -1;
    }
}

void signalr_fields_register(void)
{
    reset_ids();
    signalr_hf.proto = proto_register_protocol("ASP.NET SignalR (classic)", "SignalR", "signalr");
    proto_register_field_array(signalr_hf.proto, field_table, G_N_ELEMENTS(field_table));
    proto_register_subtree_array(subtree_ids, G_N_ELEMENTS(subtree_ids));
    register_expert_items();
    register_preferences();
}

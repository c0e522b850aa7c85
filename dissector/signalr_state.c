/* Per-capture state: connections by token, requests by frame, SignalR data per TCP connection. */
#include "signalr_state.h"

#include "signalr_fields.h"

/* Slots of the cache of TCP conversations by endpoints: about the TCP connections a capture
 * interleaves at once; more only cost full conversation lookups. */
#define CONVERSATION_CACHE_SLOTS 1024

/* One slot: a conversation and the endpoints it was found for (ports, address hash). */
typedef struct {
    conversation_t *conv;
    guint32 ports;
    guint32 addresses;
} conversation_slot;

/* Wireshark empties these maps when a capture is closed (autoreset maps in file scope); the
 * pointers themselves are set once at registration. The watch list and the conversation
 * cache live in file scope too and are made anew for each capture. */
static wmem_map_t *conns_by_token;
static wmem_map_t *requests_by_frame;
static wmem_list_t *watch_list;
static conversation_slot *conversation_cache;

static void reset_per_capture(void)
{
    watch_list = wmem_list_new(wmem_file_scope());
    conversation_cache = wmem_alloc0_array(wmem_file_scope(), conversation_slot,
                                           CONVERSATION_CACHE_SLOTS);
}

void signalr_state_register(void)
{
    conns_by_token = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_str_hash,
                                            g_str_equal);
    requests_by_frame = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(),
                                               g_direct_hash, g_direct_equal);
    register_init_routine(reset_per_capture);
}

/* Server defaults, with KeepAliveTimeout and DisconnectTimeout from the preferences. */
static void assume_settings(sr_timing_settings *settings)
{
    sr_timing_defaults(settings);
    settings->keep_alive_timeout_ms = (gint64)signalr_prefs.assumed_keepalive_timeout * 1000;
    settings->keepalive_disabled = signalr_prefs.assumed_keepalive_timeout == 0;
    settings->disconnect_timeout_ms = (gint64)signalr_prefs.assumed_disconnect_timeout * 1000;
}

signalr_conn *signalr_conn_for_token(const char *token, size_t len)
{
    char *key = wmem_strndup(wmem_packet_scope(), token, len);
    signalr_conn *conn = wmem_map_lookup(conns_by_token, key);
    if (conn != NULL) {
        return conn;
    }
    conn = wmem_new0(wmem_file_scope(), signalr_conn);
    conn->token = wmem_strndup(wmem_file_scope(), token, len);
    assume_settings(&conn->settings);
    conn->settings_assumed = TRUE;
    wmem_map_insert(conns_by_token, conn->token, conn);
    return conn;
}

gboolean signalr_state_active(void)
{
    return wmem_map_size(conns_by_token) > 0;
}

void signalr_watch_add(signalr_conn *conn)
{
    if (!conn->watched) {
        conn->watched = TRUE;
        wmem_list_append(watch_list, conn);
    }
}

wmem_list_t *signalr_watch_list(void)
{
    return watch_list;
}

signalr_request_rec *signalr_request_add(guint32 frame, sr_request_kind kind,
                                         sr_transport transport, signalr_conn *conn)
{
    signalr_request_rec *rec = wmem_new0(wmem_file_scope(), signalr_request_rec);
    rec->frame = frame;
    rec->kind = kind;
    rec->transport = transport;
    rec->conn = conn;
    wmem_map_insert(requests_by_frame, GUINT_TO_POINTER(frame), rec);
    return rec;
}

signalr_request_rec *signalr_request_lookup(guint32 frame)
{
    return wmem_map_lookup(requests_by_frame, GUINT_TO_POINTER(frame));
}

/* A hash of the frame's two addresses that does not depend on the direction. */
static guint32 hash_addresses(const packet_info *pinfo)
{
    guint32 h = 0;
    const address *ends[2] = {&pinfo->src, &pinfo->dst};
    for (int e = 0; e < 2; e++) {
        const guint8 *bytes = ends[e]->data;
        guint32 one = (guint32)ends[e]->type;
        for (int i = 0; bytes != NULL && i < ends[e]->len; i++) {
            one = one * 31u + bytes[i];
        }
        h += one * 2654435761u; /* a sum: the same either way round */
    }
    return h;
}

/* Both ports, lower first, so that the two directions share the key. */
static guint32 pack_ports(const packet_info *pinfo)
{
    guint32 a = pinfo->srcport & 0xffff, b = pinfo->destport & 0xffff;
    return a < b ? a << 16 | b : b << 16 | a;
}

conversation_t *signalr_frame_conversation(packet_info *pinfo)
{
    if (pinfo->use_conv_addr_port_endpoints || pinfo->conv_elements != NULL) {
        return find_conversation_pinfo(pinfo, 0); /* endpoints other than the frame's */
    }
    guint32 ports = pack_ports(pinfo), addresses = hash_addresses(pinfo);
    conversation_slot *slot =
        &conversation_cache[(addresses ^ ports * 40503u) % CONVERSATION_CACHE_SLOTS];
    if (slot->conv != NULL && slot->conv->last_frame == pinfo->num && slot->ports == ports &&
        slot->addresses == addresses) {
        return slot->conv;
    }
    conversation_t *conv = find_conversation_pinfo(pinfo, 0);
    if (conv != NULL) {
        *slot = (conversation_slot){.conv = conv, .ports = ports, .addresses = addresses};
    }
    return conv;
}

signalr_tcp_state *signalr_tcp_get(packet_info *pinfo)
{
    conversation_t *conv = signalr_frame_conversation(pinfo);
    if (conv == NULL) {
        return NULL;
    }
    return conversation_get_proto_data(conv, signalr_hf.proto);
}

signalr_tcp_state *signalr_tcp_get_or_create(packet_info *pinfo)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    signalr_tcp_state *tcp = conversation_get_proto_data(conv, signalr_hf.proto);
    if (tcp == NULL) {
        tcp = wmem_new0(wmem_file_scope(), signalr_tcp_state);
        conversation_add_proto_data(conv, signalr_hf.proto, tcp);
    }
    return tcp;
}

gboolean signalr_tcp_from_server(const signalr_tcp_state *tcp, const packet_info *pinfo)
{
    return tcp->server_port != 0 && pinfo->srcport == tcp->server_port;
}

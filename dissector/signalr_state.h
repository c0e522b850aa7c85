/* signalr_state: what the plugin remembers about one capture file.
 *
 * - SignalR connections, keyed by connection token (token -> ConnectionId, negotiate frame,
 *   timeouts, lifecycle progress), built on the first pass;
 * - requests, keyed by the frame that carried them, so that responses, WebSocket messages and
 *   streamed events find the request (and connection) they belong to;
 * - per-TCP-connection state (which request opened a receive transport on it);
 * - a small cache of conversations by endpoints, which spares most frames a full
 *   conversation lookup.
 *
 * Everything lives in Wireshark's file scope: it is freed when the capture is closed, nothing
 * here is freed by hand. Strings are file-scope copies.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_STATE_H
#define LIFELINE_DISSECTOR_SIGNALR_STATE_H

#include <wireshark.h>
#include <epan/conversation.h>
#include <epan/packet.h>

#include "protocol/sr_request.h"
#include "signalr_lifecycle.h"

/* Keys of what the plugin stores per frame with p_add_proto_data(). Messages are numbered in
 * the order the hooks emit them, which is the same on every pass. */
enum {
    KEY_MESSAGE_COUNT = 0, /* packet scope: messages emitted so far in this pass */
    KEY_FORM_BODY,         /* packet scope: form body tvb of this frame's request */
    KEY_TICK,              /* file scope: findings that became evident at this frame */
    KEY_REQUEST_LINE,      /* file scope: method and target of this frame's request */
    KEY_REFUSAL,           /* file scope: this response refused a request with a token */
    KEY_WS_CLOSE,          /* packet scope: a WebSocket Close frame ended in this frame */
    KEY_ANSWER_START,      /* packet scope: a segment of this frame opens with an HTTP status
                              line that takes a request (1xx, 2xx) */
    KEY_MESSAGE_BASE = 16  /* file scope: verdict of message n at KEY_MESSAGE_BASE + n */
};

typedef struct {
    const char *token;
    const char *connection_id;   /* NULL until a negotiate response names it */
    guint32 negotiate_frame;     /* 0 when no negotiate was seen for this token */
    sr_timing_settings settings; /* negotiated, or assumed from preferences */
    gboolean settings_assumed;
    signalr_lifecycle life;
    gboolean watched;            /* in the watch list */
    gboolean assumed_reported;   /* settings_assumed finding already made */
} signalr_conn;

/* One request, as classified on the first pass. */
typedef struct {
    guint32 frame;
    sr_request_kind kind;
    sr_transport transport;
    signalr_conn *conn;          /* NULL for negotiate (until its response), ping and hubs */
} signalr_request_rec;

/* Per TCP connection: the latest SignalR request seen on it. A receive request (connect,
 * reconnect, poll) pins the connection for the transport's life, so WebSocket messages and
 * streamed events are attributed through it. */
typedef struct {
    signalr_request_rec *last_request;
    guint32 server_port;
    gboolean ended;              /* FIN seen or the streamed response finished */
    gboolean opened;             /* the server took the receive request (first pass) */
    guint32 next_seq[2];         /* TCP sequence expected next, as TCP's analysis had it after
                                    the flow's latest frame: [0] from the client, [1] from the
                                    server (first pass; valid once have_next_seq[i]) */
    gboolean have_next_seq[2];
    int stream_mode;             /* signalr_stream.c: how the streamed response is framed */
} signalr_tcp_state;

/* Registers the per-file maps (call once, from protocol registration). */
void signalr_state_register(void);

/* The connection for a (decoded) token, created on first sight. Created connections start
 * with assumed settings until a negotiate response supplies the real ones. */
signalr_conn *signalr_conn_for_token(const char *token, size_t len);

/* True once any SignalR request was seen in this capture (keeps other captures cheap). */
gboolean signalr_state_active(void);

/* Connections with a pending deadline (the server-side expiry of a lost transport, or the
 * /connect a negotiate calls for); the tick walks only these. signalr_watch_add() ignores a
 * connection already watched. */
void signalr_watch_add(signalr_conn *conn);
wmem_list_t *signalr_watch_list(void);

signalr_request_rec *signalr_request_add(guint32 frame, sr_request_kind kind,
                                         sr_transport transport, signalr_conn *conn);
signalr_request_rec *signalr_request_lookup(guint32 frame);

/* The conversation of this frame (as find_conversation_pinfo() finds it), mostly without a
 * full lookup: TCP looked its conversation up for this very frame, which stamps it with the
 * frame number (`last_frame`), so a conversation cached for the same endpoints that carries
 * this frame's stamp is the one. */
conversation_t *signalr_frame_conversation(packet_info *pinfo);

/* TCP connection state; _get returns NULL when SignalR has not seen this TCP connection. */
signalr_tcp_state *signalr_tcp_get(packet_info *pinfo);
signalr_tcp_state *signalr_tcp_get_or_create(packet_info *pinfo);

/* True when this frame travels from the server of that TCP connection. */
gboolean signalr_tcp_from_server(const signalr_tcp_state *tcp, const packet_info *pinfo);

#endif

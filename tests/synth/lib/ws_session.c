/* WebSocket framing (RFC 6455 sec. 5) and permessage-deflate (RFC 7692 sec. 7). */
#include "ws_session.h"

#include "http_msg.h"

#include <glib.h>
#include <string.h>
#include <zlib.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
/* Negative window bits select raw deflate, as permessage-deflate requires. */
#define RAW_DEFLATE_WINDOW_BITS (-15)
/* Header room: 2 fixed + 8 extended length + 4 mask. */
#define WS_MAX_HEADER 14

struct synth_ws {
    synth_conn *conn;
    bool deflate;
    bool no_context_takeover;
    z_stream z[2]; /* per direction, live only when deflate */
};

char *synth_ws_accept_for_key(const char *key)
{
    GChecksum *sha = g_checksum_new(G_CHECKSUM_SHA1);
    guint8 digest[20];
    gsize n = sizeof digest;
    g_checksum_update(sha, (const guchar *)key, (gssize)strlen(key));
    g_checksum_update(sha, (const guchar *)WS_GUID, (gssize)strlen(WS_GUID));
    g_checksum_get_digest(sha, digest, &n);
    g_checksum_free(sha);
    return g_base64_encode(digest, n);
}

static char *random_key(synth_t *s)
{
    uint8_t nonce[16];
    for (size_t i = 0; i < sizeof nonce; i += 8) {
        uint64_t r = synth_random(s);
        memcpy(nonce + i, &r, 8);
    }
    return g_base64_encode(nonce, sizeof nonce);
}

static bool init_compressors(synth_ws *ws)
{
    for (int d = 0; d < 2; d++)
        if (deflateInit2(&ws->z[d], Z_DEFAULT_COMPRESSION, Z_DEFLATED, RAW_DEFLATE_WINDOW_BITS, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            if (d == 1)
                deflateEnd(&ws->z[0]);
            return false;
        }
    return true;
}

static synth_status exchange_handshake(synth_ws *ws, synth_time t, const char *uri,
                                       const char *const *extra)
{
    synth_t *s = synth_conn_synth(ws->conn);
    char *key = random_key(s);
    char *accept = synth_ws_accept_for_key(key);
    const char *ext = ws->no_context_takeover
                          ? "Sec-WebSocket-Extensions: permessage-deflate; "
                            "server_no_context_takeover; client_no_context_takeover"
                          : "Sec-WebSocket-Extensions: permessage-deflate";
    GPtrArray *req = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(req, g_strdup("Connection: Upgrade"));
    g_ptr_array_add(req, g_strdup("Upgrade: websocket"));
    g_ptr_array_add(req, g_strdup("Sec-WebSocket-Version: 13"));
    g_ptr_array_add(req, g_strdup_printf("Sec-WebSocket-Key: %s", key));
    if (ws->deflate)
        g_ptr_array_add(req, g_strdup(ext));
    for (; extra != NULL && *extra != NULL; extra++)
        g_ptr_array_add(req, g_strdup(*extra));
    g_ptr_array_add(req, NULL);
    char *accept_line = g_strdup_printf("Sec-WebSocket-Accept: %s", accept);
    const char *resp[] = {"Upgrade: websocket", "Connection: Upgrade", accept_line,
                          ws->deflate ? ext : NULL, NULL};
    synth_status st =
        synth_http_request(ws->conn, t, "GET", uri, (const char *const *)req->pdata, NULL, 0);
    if (st == SYNTH_OK)
        st = synth_http_response(ws->conn, t + synth_conn_rtt(ws->conn), 101, NULL, resp, NULL, 0,
                                 0);
    g_ptr_array_free(req, TRUE);
    g_free(accept_line);
    g_free(accept);
    g_free(key);
    return st;
}

synth_ws *synth_ws_upgrade(synth_conn *c, synth_time t, const char *uri,
                           const char *const *extra_headers, const synth_ws_options *options)
{
    synth_error *err = synth_error_of(synth_conn_synth(c));
    synth_ws *ws = g_try_new0(synth_ws, 1);
    if (ws == NULL) {
        synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
        return NULL;
    }
    ws->conn = c;
    ws->deflate = options != NULL && options->deflate;
    ws->no_context_takeover = ws->deflate && options->no_context_takeover;
    if (ws->deflate && !init_compressors(ws)) {
        synth_error_set(err, SYNTH_E_ZLIB, "deflate init failed");
        g_free(ws);
        return NULL;
    }
    if (exchange_handshake(ws, t, uri, extra_headers) != SYNTH_OK) {
        synth_ws_free(ws);
        return NULL;
    }
    return ws;
}

static size_t write_header(uint8_t *h, bool fin, bool rsv1, int opcode, size_t len)
{
    size_t n = 2;
    h[0] = (uint8_t)((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (opcode & 0x0F));
    if (len < 126) {
        h[1] = (uint8_t)len;
    } else if (len <= 0xFFFF) {
        h[1] = 126;
        h[2] = (uint8_t)(len >> 8);
        h[3] = (uint8_t)len;
        n = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
        n = 10;
    }
    return n;
}

synth_status synth_ws_frame(synth_ws *ws, synth_dir dir, synth_time t, bool fin, bool rsv1,
                            int opcode, const void *payload, size_t len)
{
    GByteArray *frame = g_byte_array_sized_new((guint)(len + WS_MAX_HEADER));
    uint8_t h[WS_MAX_HEADER];
    size_t n = write_header(h, fin, rsv1, opcode, len);
    if (dir == SYNTH_C2S) {
        uint32_t r = (uint32_t)synth_random(synth_conn_synth(ws->conn));
        h[1] |= 0x80;
        memcpy(h + n, &r, 4);
        n += 4;
    }
    g_byte_array_append(frame, h, (guint)n);
    g_byte_array_append(frame, payload, (guint)len);
    if (dir == SYNTH_C2S)
        for (size_t i = 0; i < len; i++)
            frame->data[n + i] ^= h[n - 4 + i % 4];
    synth_status st = synth_tcp_send(ws->conn, dir, t, frame->data, frame->len);
    g_byte_array_free(frame, TRUE);
    return st;
}

/* RFC 7692 7.2.1: compress with a sync flush and drop the trailing 00 00 ff ff. */
static bool compress_message(synth_ws *ws, synth_dir dir, const void *data, size_t len,
                             GByteArray *out)
{
    z_stream *z = &ws->z[dir];
    uint8_t buf[16384];
    z->next_in = (Bytef *)data;
    z->avail_in = (uInt)len;
    do {
        z->next_out = buf;
        z->avail_out = sizeof buf;
        int rc = deflate(z, Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return false;
        g_byte_array_append(out, buf, (guint)(sizeof buf - z->avail_out));
    } while (z->avail_out == 0);
    if (out->len >= 4)
        g_byte_array_set_size(out, out->len - 4);
    if (ws->no_context_takeover)
        deflateReset(z);
    return true;
}

static bool is_data(int opcode)
{
    return opcode == WS_OP_TEXT || opcode == WS_OP_BINARY;
}

synth_status synth_ws_send_fragmented(synth_ws *ws, synth_dir dir, synth_time t, int opcode,
                                      const void *data, size_t len, size_t fragment_size)
{
    bool compress = ws->deflate && is_data(opcode);
    GByteArray *body = g_byte_array_new();
    synth_status st = SYNTH_OK;
    if (compress && !compress_message(ws, dir, data, len, body))
        st = synth_error_set(synth_error_of(synth_conn_synth(ws->conn)), SYNTH_E_ZLIB,
                             "permessage-deflate failed");
    else if (!compress)
        g_byte_array_append(body, data, (guint)len);
    if (fragment_size == 0)
        fragment_size = body->len ? body->len : 1;
    size_t off = 0;
    do {
        size_t n = body->len - off < fragment_size ? body->len - off : fragment_size;
        bool first = off == 0;
        bool fin = off + n == body->len;
        if (st == SYNTH_OK)
            st = synth_ws_frame(ws, dir, t, fin, compress && first,
                                first ? opcode : WS_OP_CONTINUATION, body->data + off, n);
        off += n;
    } while (off < body->len && st == SYNTH_OK);
    g_byte_array_free(body, TRUE);
    return st;
}

synth_status synth_ws_send(synth_ws *ws, synth_dir dir, synth_time t, int opcode, const void *data,
                           size_t len)
{
    return synth_ws_send_fragmented(ws, dir, t, opcode, data, len, 0);
}

synth_status synth_ws_send_text(synth_ws *ws, synth_dir dir, synth_time t, const char *text)
{
    return synth_ws_send(ws, dir, t, WS_OP_TEXT, text, strlen(text));
}

synth_status synth_ws_close(synth_ws *ws, synth_dir dir, synth_time t, uint16_t code,
                            const char *reason)
{
    /* Control frame payloads are capped at 125 bytes (RFC 6455 5.5). */
    uint8_t payload[125];
    size_t n = 0;
    if (code != 0) {
        size_t rlen = reason ? strlen(reason) : 0;
        if (rlen > sizeof payload - 2)
            rlen = sizeof payload - 2;
        payload[0] = (uint8_t)(code >> 8);
        payload[1] = (uint8_t)code;
        if (rlen)
            memcpy(payload + 2, reason, rlen);
        n = 2 + rlen;
    }
    return synth_ws_frame(ws, dir, t, true, false, WS_OP_CLOSE, payload, n);
}

synth_conn *synth_ws_conn(synth_ws *ws)
{
    return ws->conn;
}

void synth_ws_free(synth_ws *ws)
{
    if (ws == NULL)
        return;
    if (ws->deflate) {
        deflateEnd(&ws->z[0]);
        deflateEnd(&ws->z[1]);
    }
    g_free(ws);
}

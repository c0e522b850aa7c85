/* HTTP/1.1 message syntax (RFC 9112): start line, header block, length or chunked framing. */
#include "http_msg.h"

#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* deflateInit2 window bits selecting a gzip wrapper around a 32 KiB window. */
#define GZIP_WINDOW_BITS (15 + 16)

struct synth_http_body {
    synth_conn *conn;
    bool gzip;
    z_stream z;
};

static const char *standard_reason(int status)
{
    switch (status) {
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    default:
        return "Unknown";
    }
}

static bool has_header(const char *const *headers, const char *name)
{
    size_t n = strlen(name);
    for (; headers != NULL && *headers != NULL; headers++)
        if (strncasecmp(*headers, name, n) == 0 && (*headers)[n] == ':')
            return true;
    return false;
}

static void append_headers(GString *out, const char *const *headers)
{
    for (; headers != NULL && *headers != NULL; headers++)
        g_string_append_printf(out, "%s\r\n", *headers);
}

static void append_host(GString *out, const synth_endpoint *ep)
{
    char text[INET6_ADDRSTRLEN];
    inet_ntop(ep->family == 4 ? AF_INET : AF_INET6, ep->addr, text, sizeof text);
    if (ep->family == 4)
        g_string_append_printf(out, "Host: %s:%u\r\n", text, ep->port);
    else
        g_string_append_printf(out, "Host: [%s]:%u\r\n", text, ep->port);
}

static synth_status send_gstring(synth_conn *c, synth_dir dir, synth_time t, GString *s)
{
    synth_status st = synth_tcp_send(c, dir, t, s->str, s->len);
    g_string_free(s, TRUE);
    return st;
}

synth_status synth_http_request(synth_conn *c, synth_time t, const char *method, const char *uri,
                                const char *const *headers, const void *body, size_t body_len)
{
    GString *out = g_string_sized_new(256 + body_len);
    g_string_append_printf(out, "%s %s HTTP/1.1\r\n", method, uri);
    if (!has_header(headers, "Host"))
        append_host(out, synth_conn_endpoint(c, SYNTH_S2C));
    append_headers(out, headers);
    if ((body_len > 0 || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) &&
        !has_header(headers, "Content-Length"))
        g_string_append_printf(out, "Content-Length: %zu\r\n", body_len);
    g_string_append(out, "\r\n");
    g_string_append_len(out, body, (gssize)body_len);
    return send_gstring(c, SYNTH_C2S, t, out);
}

static void append_status_line(GString *out, int status, const char *reason,
                               const char *const *headers, unsigned flags)
{
    g_string_append_printf(out, "HTTP/1.1 %d %s\r\n", status,
                           reason ? reason : standard_reason(status));
    append_headers(out, headers);
    if (flags & SYNTH_HTTP_GZIP)
        g_string_append(out, "Content-Encoding: gzip\r\n");
}

static void append_chunk(GString *out, const void *data, size_t len)
{
    g_string_append_printf(out, "%zx\r\n", len);
    g_string_append_len(out, data, (gssize)len);
    g_string_append(out, "\r\n");
}

/* Compresses through z (already initialised) with the given flush mode into out. */
static bool deflate_into(z_stream *z, const void *data, size_t len, int flush, GString *out)
{
    unsigned char buf[16384];
    z->next_in = (Bytef *)data;
    z->avail_in = (uInt)len;
    do {
        z->next_out = buf;
        z->avail_out = sizeof buf;
        int rc = deflate(z, flush);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            return false;
        g_string_append_len(out, (const char *)buf, (gssize)(sizeof buf - z->avail_out));
    } while (z->avail_out == 0);
    return true;
}

static bool gzip_whole(const void *data, size_t len, GString *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, GZIP_WINDOW_BITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    bool ok = deflate_into(&z, data, len, Z_FINISH, out);
    deflateEnd(&z);
    return ok;
}

synth_status synth_http_response(synth_conn *c, synth_time t, int status, const char *reason,
                                 const char *const *headers, const void *body, size_t body_len,
                                 unsigned flags)
{
    GString *payload = g_string_sized_new(body_len + 64);
    if (flags & SYNTH_HTTP_GZIP) {
        if (!gzip_whole(body, body_len, payload)) {
            g_string_free(payload, TRUE);
            return synth_error_set(synth_error_of(synth_conn_synth(c)), SYNTH_E_ZLIB,
                                   "gzip failed");
        }
    } else {
        g_string_append_len(payload, body, (gssize)body_len);
    }
    GString *out = g_string_sized_new(256 + payload->len);
    append_status_line(out, status, reason, headers, flags);
    if (flags & SYNTH_HTTP_CHUNKED) {
        g_string_append(out, "Transfer-Encoding: chunked\r\n\r\n");
        if (payload->len > 0)
            append_chunk(out, payload->str, payload->len);
        g_string_append(out, "0\r\n\r\n");
    } else {
        g_string_append_printf(out, "Content-Length: %zu\r\n\r\n", payload->len);
        g_string_append_len(out, payload->str, (gssize)payload->len);
    }
    g_string_free(payload, TRUE);
    return send_gstring(c, SYNTH_S2C, t, out);
}

synth_http_body *synth_http_response_begin(synth_conn *c, synth_time t, int status,
                                           const char *reason, const char *const *headers,
                                           unsigned flags)
{
    synth_error *err = synth_error_of(synth_conn_synth(c));
    synth_http_body *b = g_try_new0(synth_http_body, 1);
    if (b == NULL) {
        synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
        return NULL;
    }
    b->conn = c;
    b->gzip = (flags & SYNTH_HTTP_GZIP) != 0;
    if (b->gzip && deflateInit2(&b->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, GZIP_WINDOW_BITS, 8,
                                Z_DEFAULT_STRATEGY) != Z_OK) {
        synth_error_set(err, SYNTH_E_ZLIB, "gzip init failed");
        g_free(b);
        return NULL;
    }
    GString *out = g_string_sized_new(256);
    append_status_line(out, status, reason, headers, flags);
    g_string_append(out, "Transfer-Encoding: chunked\r\n\r\n");
    if (send_gstring(c, SYNTH_S2C, t, out) != SYNTH_OK) {
        synth_http_body_free(b);
        return NULL;
    }
    return b;
}

static synth_status send_chunk_of(synth_http_body *b, synth_time t, const void *data, size_t len,
                                  int flush, bool last)
{
    GString *payload = g_string_sized_new(len + 32);
    if (b->gzip) {
        if (!deflate_into(&b->z, data, len, flush, payload)) {
            g_string_free(payload, TRUE);
            return synth_error_set(synth_error_of(synth_conn_synth(b->conn)), SYNTH_E_ZLIB,
                                   "gzip failed");
        }
    } else {
        g_string_append_len(payload, data, (gssize)len);
    }
    GString *out = g_string_sized_new(payload->len + 32);
    if (payload->len > 0)
        append_chunk(out, payload->str, payload->len);
    if (last)
        g_string_append(out, "0\r\n\r\n");
    g_string_free(payload, TRUE);
    return send_gstring(b->conn, SYNTH_S2C, t, out);
}

synth_status synth_http_body_append(synth_http_body *b, synth_time t, const void *data, size_t len)
{
    if (len == 0)
        return SYNTH_OK; /* a zero-size chunk would end the body */
    return send_chunk_of(b, t, data, len, Z_SYNC_FLUSH, false);
}

synth_status synth_http_body_end(synth_http_body *b, synth_time t)
{
    synth_status st = send_chunk_of(b, t, "", 0, Z_FINISH, true);
    synth_http_body_free(b);
    return st;
}

void synth_http_body_free(synth_http_body *b)
{
    if (b == NULL)
        return;
    if (b->gzip)
        deflateEnd(&b->z);
    g_free(b);
}

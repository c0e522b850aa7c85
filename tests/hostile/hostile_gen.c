/* hostile_gen - writes captures of hostile HTTP traffic with the synthesizer's TCP layer.
 *
 *   hostile_gen CASE OUT.pcap [SIZE]
 *
 * Each capture holds only the hostile connections (to 10.9.9.9:80, starting at the Unix time
 * the base scenarios use, plus 5 s); the tests merge it with a clean SignalR capture and check
 * that the clean connections come out of the analysis unchanged. CASEs:
 *   garbage          binary garbage on a stream, then a well-formed request on it
 *   content-length   Content-Length values beyond 64 bits in a request and a response, then
 *                    a response announcing a terabyte
 *   endless-headers  a request head that never ends: SIZE MiB of header lines (default 4)
 *   big-chunk        a chunked JSON response declaring a 1 GiB chunk; SIZE MiB of it sent
 *   big-sse          the same on a text/event-stream response: one endless `data:` line
 *   many-streams     SIZE concurrent connections (default 20000), each with half a request
 *                    head, all open until the end
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_conn.h"

#define T0 ((1718000000ull + 5) * SYNTH_NS_PER_S)
#define MIB (1024u * 1024u)
/* Bytes per send while streaming megabytes, so that frames are written as they are made. */
#define BLOCK (64u * 1024u)

typedef struct gen {
    synth_t *s;
    synth_endpoint server;
    unsigned next_port;
} gen;

static synth_conn *connect_next(gen *g, synth_time t)
{
    synth_endpoint client;
    char text[32];
    unsigned port = g->next_port++;
    snprintf(text, sizeof text, "10.8.%u.%u:%u", (port >> 8) & 0xff, port & 0xff,
             30000 + port % 30000);
    synth_endpoint_parse(text, &client);
    return synth_tcp_connect(g->s, &client, &g->server, t);
}

static synth_status send_text(synth_conn *c, synth_dir dir, synth_time t, const char *text)
{
    return synth_tcp_send(c, dir, t, text, strlen(text));
}

static void fill_garbage(uint8_t *buf, size_t n, uint32_t x)
{
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
}

static synth_status gen_garbage(gen *g)
{
    synth_conn *c = connect_next(g, T0);
    uint8_t junk[3000];
    fill_garbage(junk, sizeof junk, 7);
    /* The garbage ends a line, so the request after it starts one (where a parser resyncs). */
    junk[sizeof junk - 2] = '\r';
    junk[sizeof junk - 1] = '\n';
    synth_status st = synth_tcp_send(c, SYNTH_C2S, T0 + SYNTH_NS_PER_S, junk, sizeof junk);
    if (!st)
        st = send_text(c, SYNTH_C2S, T0 + 2 * SYNTH_NS_PER_S,
                       "GET /after-garbage HTTP/1.1\r\nHost: h\r\n\r\n");
    if (!st)
        st = send_text(c, SYNTH_S2C, T0 + 3 * SYNTH_NS_PER_S,
                       "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    fill_garbage(junk, sizeof junk, 11);
    if (!st)
        st = synth_tcp_send(c, SYNTH_S2C, T0 + 4 * SYNTH_NS_PER_S, junk, sizeof junk);
    if (!st)
        st = synth_tcp_close(c, SYNTH_C2S, T0 + 5 * SYNTH_NS_PER_S);
    synth_conn_free(c);
    return st;
}

static synth_status gen_content_length(gen *g)
{
    synth_conn *c = connect_next(g, T0);
    char body[1000];
    memset(body, 'x', sizeof body);
    synth_status st = send_text(c, SYNTH_C2S, T0 + SYNTH_NS_PER_S,
                                "POST /upload HTTP/1.1\r\nHost: h\r\n"
                                "Content-Length: 99999999999999999999999999\r\n\r\n");
    if (!st)
        st = synth_tcp_send(c, SYNTH_C2S, T0 + SYNTH_NS_PER_S, body, sizeof body);
    if (!st)
        st = send_text(c, SYNTH_S2C, T0 + 2 * SYNTH_NS_PER_S,
                       "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                       "Content-Length: 18446744073709551615\r\n\r\n{\"C\":");
    if (!st)
        st = synth_tcp_send(c, SYNTH_S2C, T0 + 2 * SYNTH_NS_PER_S, body, sizeof body);
    if (!st)
        st = synth_tcp_close(c, SYNTH_S2C, T0 + 3 * SYNTH_NS_PER_S);
    synth_conn_free(c);
    if (st)
        return st;
    /* A terabyte announced in valid syntax, 1000 bytes of it sent. */
    c = connect_next(g, T0 + 4 * SYNTH_NS_PER_S);
    st = send_text(c, SYNTH_C2S, T0 + 5 * SYNTH_NS_PER_S, "GET /huge HTTP/1.1\r\nHost: h\r\n\r\n");
    if (!st)
        st = send_text(c, SYNTH_S2C, T0 + 6 * SYNTH_NS_PER_S,
                       "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                       "Content-Length: 1000000000000\r\n\r\n");
    if (!st)
        st = synth_tcp_send(c, SYNTH_S2C, T0 + 6 * SYNTH_NS_PER_S, body, sizeof body);
    if (!st)
        st = synth_tcp_close(c, SYNTH_S2C, T0 + 7 * SYNTH_NS_PER_S);
    synth_conn_free(c);
    return st;
}

/* Sends `total` bytes made by repeating `unit`, a block at a time, flushing as it goes. */
static synth_status stream_repeated(gen *g, synth_conn *c, synth_dir dir, synth_time t,
                                    const char *unit, size_t total)
{
    size_t ulen = strlen(unit);
    char *block = malloc(BLOCK);
    if (!block)
        return SYNTH_E_NOMEM;
    for (size_t i = 0; i < BLOCK; i++)
        block[i] = unit[i % ulen];
    synth_status st = SYNTH_OK;
    for (size_t sent = 0; sent < total && !st; sent += BLOCK) {
        size_t n = total - sent < BLOCK ? total - sent : BLOCK;
        t += SYNTH_NS_PER_MS;
        st = synth_tcp_send(c, dir, t, block, n);
        if (!st)
            st = synth_flush_until(g->s, t);
    }
    free(block);
    return st;
}

static synth_status gen_endless_headers(gen *g, unsigned mib)
{
    synth_conn *c = connect_next(g, T0);
    synth_status st =
        send_text(c, SYNTH_C2S, T0 + SYNTH_NS_PER_S, "GET /endless HTTP/1.1\r\nHost: h\r\n");
    /* 64-byte header lines, a multiple of the block size: every block ends on a line. */
    if (!st)
        st = stream_repeated(g, c, SYNTH_C2S, T0 + SYNTH_NS_PER_S,
                             "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
                             (size_t)mib * MIB);
    if (!st)
        st = synth_tcp_rst(c, SYNTH_C2S, T0 + 40 * SYNTH_NS_PER_S);
    synth_conn_free(c);
    return st;
}

static synth_status gen_big_chunk(gen *g, unsigned mib, const char *type, const char *unit)
{
    synth_conn *c = connect_next(g, T0);
    char head[256];
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n"
             "40000000\r\n",
             type);
    synth_status st = send_text(c, SYNTH_C2S, T0 + SYNTH_NS_PER_S, "GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
    if (!st)
        st = send_text(c, SYNTH_S2C, T0 + 2 * SYNTH_NS_PER_S, head);
    if (!st)
        st = stream_repeated(g, c, SYNTH_S2C, T0 + 2 * SYNTH_NS_PER_S, unit, (size_t)mib * MIB);
    if (!st)
        st = synth_tcp_rst(c, SYNTH_S2C, T0 + 40 * SYNTH_NS_PER_S);
    synth_conn_free(c);
    return st;
}

static synth_status gen_many_streams(gen *g, unsigned n)
{
    synth_conn **conns = calloc(n, sizeof *conns);
    if (!conns)
        return SYNTH_E_NOMEM;
    synth_status st = SYNTH_OK;
    synth_time t = T0;
    char head[160];
    for (unsigned i = 0; i < n && !st; i++, t += 100 * SYNTH_NS_PER_US) {
        conns[i] = connect_next(g, t);
        snprintf(head, sizeof head,
                 "GET /signalr/connect?transport=serverSentEvents&connectionToken=t%u HTTP/1.1\r\n"
                 "Host: h\r\n",
                 i);
        st = conns[i] ? send_text(conns[i], SYNTH_C2S, t + SYNTH_NS_PER_MS, head) : SYNTH_E_NOMEM;
        if (!st && i % 256 == 0)
            st = synth_flush_until(g->s, t);
    }
    t += SYNTH_NS_PER_S;
    for (unsigned i = 0; i < n; i++) {
        if (!st && conns[i])
            st = synth_tcp_rst(conns[i], SYNTH_C2S, t);
        if (conns[i])
            synth_conn_free(conns[i]);
    }
    free(conns);
    return st;
}

static synth_status run_case(gen *g, const char *name, unsigned size)
{
    if (strcmp(name, "garbage") == 0)
        return gen_garbage(g);
    if (strcmp(name, "content-length") == 0)
        return gen_content_length(g);
    if (strcmp(name, "endless-headers") == 0)
        return gen_endless_headers(g, size ? size : 4);
    if (strcmp(name, "big-chunk") == 0)
        return gen_big_chunk(g, size ? size : 64, "application/json; charset=UTF-8", "x");
    if (strcmp(name, "big-sse") == 0)
        return gen_big_chunk(g, size ? size : 64, "text/event-stream", "data: xxxxxxxxxxxxxxx");
    if (strcmp(name, "many-streams") == 0)
        return gen_many_streams(g, size ? size : 20000);
    return SYNTH_E_ARG;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hostile_gen CASE OUT.pcap [SIZE]\n");
        return 2;
    }
    synth_error err;
    synth_options opts = {.format = SYNTH_PCAP_US, .link = SYNTH_LINK_ETHERNET, .seed = 3};
    gen g = {.s = synth_new(argv[2], &opts, &err), .next_port = 1};
    if (!g.s) {
        fprintf(stderr, "hostile_gen: %s\n", err.message);
        return 2;
    }
    synth_endpoint_parse("10.9.9.9:80", &g.server);
    synth_status st = run_case(&g, argv[1], argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 0);
    if (st == SYNTH_E_ARG && synth_error_of(g.s)->status == SYNTH_OK)
        fprintf(stderr, "hostile_gen: unknown case %s\n", argv[1]);
    else if (st)
        fprintf(stderr, "hostile_gen: %s\n", synth_error_of(g.s)->message);
    synth_status closed = synth_close(g.s, &err);
    if (!st && closed)
        fprintf(stderr, "hostile_gen: %s\n", err.message);
    return st || closed ? 2 : 0;
}

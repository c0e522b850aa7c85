/* TCP segment sequencing for one connection (RFC 9293), with capture anomalies. */
#include "tcp_conn.h"

#include "packet_builder.h"

#include <stdlib.h>
#include <string.h>

#define TCP_WINDOW 65535
/* Spacing of back-to-back segments of one burst: 10 us, about 1 Gbit/s for full frames. */
#define SEGMENT_GAP_NS (10 * SYNTH_NS_PER_US)
/* A retransmission comes after a timeout: readers (Wireshark among them) call a lower
 * sequence number seen within ~3 ms of the previous segment "out of order" instead. */
#define RETRANSMIT_DELAY_NS (5 * SYNTH_NS_PER_MS)

struct synth_conn {
    synth_t *synth;
    synth_endpoint ep[2]; /* indexed by the side that sends in synth_dir order */
    uint32_t next_seq[2];
    uint16_t ip_id[2];
    bool fin_sent[2];
    synth_anomaly anomaly[2];
    uint16_t mss;
    synth_time rtt;
    synth_time clock;
    uint32_t frame_cap;
    uint8_t frame[]; /* one frame: headers + MSS, sized per connection to keep 1000s cheap */
};

void synth_tcp_default_options(synth_t *s, synth_tcp_options *o)
{
    memset(o, 0, sizeof *o);
    o->isn_client = (uint32_t)synth_random(s);
    o->isn_server = (uint32_t)synth_random(s);
    o->mss = 1460;
    o->rtt = 200 * SYNTH_NS_PER_US;
}

static synth_time later(synth_conn *c, synth_time t)
{
    return t < c->clock ? c->clock : t;
}

static synth_status emit(synth_conn *c, synth_dir from, synth_time t, uint8_t flags, uint32_t seq,
                         const uint8_t *payload, uint32_t len, uint16_t mss_opt)
{
    tcp_segment_spec spec = {
        .src = &c->ep[from],
        .dst = &c->ep[!from],
        .seq = seq,
        .ack = (flags & TCP_FLAG_ACK) ? c->next_seq[!from] : 0,
        .flags = flags,
        .window = TCP_WINDOW,
        .mss_option = mss_opt,
        .ip_id = c->ip_id[from]++,
        .payload = payload,
        .payload_len = len,
    };
    uint32_t n = packet_build_tcp(synth_link_type(c->synth), &spec, c->frame, c->frame_cap);
    if (n == 0)
        return synth_error_set(synth_error_of(c->synth), SYNTH_E_ARG,
                               "endpoints of different address families");
    if (t > c->clock)
        c->clock = t;
    return synth_emit(c->synth, t, c->frame, n);
}

static synth_status handshake(synth_conn *c, synth_time t)
{
    synth_time half = c->rtt / 2;
    synth_status st = emit(c, SYNTH_C2S, t, TCP_FLAG_SYN, c->next_seq[0]++, NULL, 0, c->mss);
    if (st == SYNTH_OK) {
        /* The SYN-ACK acknowledges the SYN, so the client ISN already moved past it. */
        st = emit(c, SYNTH_S2C, t + half, TCP_FLAG_SYN | TCP_FLAG_ACK, c->next_seq[1]++, NULL, 0,
                  c->mss);
    }
    if (st == SYNTH_OK)
        st = emit(c, SYNTH_C2S, t + c->rtt, TCP_FLAG_ACK, c->next_seq[0], NULL, 0, 0);
    return st;
}

synth_conn *synth_tcp_open(synth_t *s, const synth_endpoint *client, const synth_endpoint *server,
                           synth_time t, const synth_tcp_options *o)
{
    if (o->mss == 0 || o->mss > SYNTH_MAX_MSS || client->family != server->family) {
        synth_error_set(synth_error_of(s), SYNTH_E_ARG, "bad MSS %u or mixed address families",
                        o->mss);
        return NULL;
    }
    uint32_t frame_cap = PACKET_MAX_HEADERS + o->mss;
    synth_conn *c = calloc(1, sizeof *c + frame_cap);
    if (c == NULL) {
        synth_error_set(synth_error_of(s), SYNTH_E_NOMEM, "out of memory");
        return NULL;
    }
    c->synth = s;
    c->frame_cap = frame_cap;
    c->ep[SYNTH_C2S] = *client;
    c->ep[SYNTH_S2C] = *server;
    c->next_seq[0] = o->isn_client;
    c->next_seq[1] = o->isn_server;
    c->ip_id[0] = (uint16_t)synth_random(s);
    c->ip_id[1] = (uint16_t)synth_random(s);
    c->mss = o->mss;
    c->rtt = o->rtt;
    c->clock = t;
    if (o->mid_stream) {
        c->next_seq[0]++;
        c->next_seq[1]++;
    } else if (handshake(c, t) != SYNTH_OK) {
        free(c);
        return NULL;
    }
    return c;
}

synth_conn *synth_tcp_connect(synth_t *s, const synth_endpoint *client,
                              const synth_endpoint *server, synth_time t)
{
    synth_tcp_options o;
    synth_tcp_default_options(s, &o);
    return synth_tcp_open(s, client, server, t, &o);
}

synth_status synth_tcp_set_anomaly(synth_conn *c, synth_dir dir, synth_anomaly anomaly)
{
    c->anomaly[dir] = anomaly;
    return SYNTH_OK;
}

/* The retransmitted copy of a segment, with its first byte altered when asked to. */
static synth_status retransmit(synth_conn *c, synth_dir dir, synth_time t, uint32_t seq,
                               const uint8_t *p, uint32_t n, bool change)
{
    uint8_t altered[SYNTH_MAX_MSS];
    if (change) {
        memcpy(altered, p, n);
        altered[0] ^= 0x20;
        p = altered;
    }
    return emit(c, dir, t, TCP_FLAG_ACK | TCP_FLAG_PSH, seq, p, n, 0);
}

/* Emits the MSS-sized segments of one send from t on (applying drop/reorder) and returns the
 * time just after the last one. */
static synth_time send_segments(synth_conn *c, synth_dir dir, synth_time t, const uint8_t *p,
                                size_t len, synth_anomaly anomaly, synth_status *st)
{
    size_t segments = (len + c->mss - 1) / c->mss;
    for (size_t i = 0; i < segments && *st == SYNTH_OK; i++) {
        uint32_t n = (uint32_t)(len - i * c->mss < c->mss ? len - i * c->mss : c->mss);
        synth_time ts = t + i * SEGMENT_GAP_NS;
        uint8_t flags = TCP_FLAG_ACK | (i + 1 == segments ? TCP_FLAG_PSH : 0);
        if (anomaly == SYNTH_ANOMALY_REORDER && i < 2)
            ts = t + (1 - i) * SEGMENT_GAP_NS;
        if (!(anomaly == SYNTH_ANOMALY_DROP && i == 0))
            *st = emit(c, dir, ts, flags, c->next_seq[dir], p + i * c->mss, n, 0);
        c->next_seq[dir] += n;
    }
    return t + segments * SEGMENT_GAP_NS;
}

synth_status synth_tcp_send(synth_conn *c, synth_dir dir, synth_time t, const void *data,
                            size_t len)
{
    synth_anomaly anomaly = c->anomaly[dir];
    synth_status st = SYNTH_OK;
    if (c->fin_sent[dir])
        return synth_error_set(synth_error_of(c->synth), SYNTH_E_STATE,
                               "send after FIN on this side");
    if (len == 0)
        return SYNTH_OK;
    if (anomaly == SYNTH_ANOMALY_REORDER && len <= c->mss)
        return synth_error_set(synth_error_of(c->synth), SYNTH_E_STATE,
                               "reordering needs a send of at least two segments");
    c->anomaly[dir] = SYNTH_ANOMALY_NONE;
    uint32_t seq0 = c->next_seq[dir];
    synth_time last = send_segments(c, dir, later(c, t), data, len, anomaly, &st);
    if (st == SYNTH_OK &&
        (anomaly == SYNTH_ANOMALY_DUPLICATE || anomaly == SYNTH_ANOMALY_RETRANSMIT_CHANGED)) {
        uint32_t n = (uint32_t)(len < c->mss ? len : c->mss);
        /* The peer's ACK is held until after the copy, or the copy would be spurious. */
        last += RETRANSMIT_DELAY_NS + c->rtt;
        st = retransmit(c, dir, last, seq0, data, n, anomaly == SYNTH_ANOMALY_RETRANSMIT_CHANGED);
        last += SEGMENT_GAP_NS;
    }
    if (st == SYNTH_OK)
        st = emit(c, !dir, last + c->rtt / 2, TCP_FLAG_ACK, c->next_seq[!dir], NULL, 0, 0);
    return st;
}

synth_status synth_tcp_fin(synth_conn *c, synth_dir dir, synth_time t)
{
    if (c->fin_sent[dir])
        return synth_error_set(synth_error_of(c->synth), SYNTH_E_STATE, "FIN sent twice");
    t = later(c, t);
    c->fin_sent[dir] = true;
    synth_status st = emit(c, dir, t, TCP_FLAG_FIN | TCP_FLAG_ACK, c->next_seq[dir]++, NULL, 0, 0);
    if (st == SYNTH_OK)
        st = emit(c, !dir, t + c->rtt / 2, TCP_FLAG_ACK, c->next_seq[!dir], NULL, 0, 0);
    return st;
}

synth_status synth_tcp_close(synth_conn *c, synth_dir dir, synth_time t)
{
    if (c->fin_sent[dir] || c->fin_sent[!dir])
        return synth_error_set(synth_error_of(c->synth), SYNTH_E_STATE,
                               "connection already half closed");
    t = later(c, t);
    synth_time half = c->rtt / 2;
    c->fin_sent[dir] = true;
    c->fin_sent[!dir] = true;
    synth_status st = emit(c, dir, t, TCP_FLAG_FIN | TCP_FLAG_ACK, c->next_seq[dir]++, NULL, 0, 0);
    if (st == SYNTH_OK)
        st = emit(c, !dir, t + half, TCP_FLAG_FIN | TCP_FLAG_ACK, c->next_seq[!dir]++, NULL, 0, 0);
    if (st == SYNTH_OK)
        st = emit(c, dir, t + c->rtt, TCP_FLAG_ACK, c->next_seq[dir], NULL, 0, 0);
    return st;
}

synth_status synth_tcp_rst(synth_conn *c, synth_dir dir, synth_time t)
{
    t = later(c, t);
    c->fin_sent[0] = c->fin_sent[1] = true;
    return emit(c, dir, t, TCP_FLAG_RST | TCP_FLAG_ACK, c->next_seq[dir], NULL, 0, 0);
}

synth_t *synth_conn_synth(synth_conn *c)
{
    return c->synth;
}

synth_time synth_conn_rtt(const synth_conn *c)
{
    return c->rtt;
}

const synth_endpoint *synth_conn_endpoint(const synth_conn *c, synth_dir side)
{
    return &c->ep[side];
}

void synth_conn_free(synth_conn *c)
{
    free(c);
}

/* One synthetic TCP connection between a client and a server endpoint: handshake, data split
 * at the MSS and acknowledged by the peer, FIN/RST, and injected capture anomalies.
 * Every call takes the time its first packet should carry; a connection never emits a packet
 * older than its previous one (earlier times are moved up), so each flow stays in order.
 * The caller owns the connection (synth_conn_free) and must free it before the synth_t. */
#ifndef LIFELINE_SYNTH_TCP_CONN_H
#define LIFELINE_SYNTH_TCP_CONN_H

#include "synth.h"

typedef struct synth_conn synth_conn;

/* Jumbo-frame payload: the largest MSS a synthetic connection accepts. */
#define SYNTH_MAX_MSS 9000

typedef enum {
    SYNTH_ANOMALY_NONE,
    SYNTH_ANOMALY_DROP,               /* first segment of the next send is not captured */
    SYNTH_ANOMALY_REORDER,            /* first two segments of the next send swap places */
    SYNTH_ANOMALY_DUPLICATE,          /* first segment of the next send is retransmitted */
    SYNTH_ANOMALY_RETRANSMIT_CHANGED, /* ... retransmitted with different bytes */
} synth_anomaly;

typedef struct {
    uint32_t isn_client;
    uint32_t isn_server;
    uint16_t mss;
    synth_time rtt;
    bool mid_stream; /* no handshake: the capture starts on an established connection */
} synth_tcp_options;

/* Random ISNs (from the synth_t), MSS 1460, 200 us RTT, with handshake. */
void synth_tcp_default_options(synth_t *s, synth_tcp_options *o);

synth_conn *synth_tcp_open(synth_t *s, const synth_endpoint *client, const synth_endpoint *server,
                           synth_time t, const synth_tcp_options *o);
synth_conn *synth_tcp_connect(synth_t *s, const synth_endpoint *client,
                              const synth_endpoint *server, synth_time t);

/* Sends len bytes from one side; the peer acknowledges half an RTT after the last segment. */
synth_status synth_tcp_send(synth_conn *c, synth_dir dir, synth_time t, const void *data,
                            size_t len);

/* Arms an anomaly for the next data send in dir. */
synth_status synth_tcp_set_anomaly(synth_conn *c, synth_dir dir, synth_anomaly anomaly);

/* One side sends FIN, the peer ACKs it. */
synth_status synth_tcp_fin(synth_conn *c, synth_dir dir, synth_time t);
/* FIN from dir, FIN+ACK from the peer, final ACK. */
synth_status synth_tcp_close(synth_conn *c, synth_dir dir, synth_time t);
synth_status synth_tcp_rst(synth_conn *c, synth_dir dir, synth_time t);

synth_t *synth_conn_synth(synth_conn *c);
synth_time synth_conn_rtt(const synth_conn *c);
const synth_endpoint *synth_conn_endpoint(const synth_conn *c, synth_dir side);

void synth_conn_free(synth_conn *c);

#endif

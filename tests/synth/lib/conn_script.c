/* One SignalR connection's timeline, stepped event by event by the scheduler. */
#include "conn_script.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* Client-side gaps between the opening requests, as a browser on loopback shows them. */
#define OPEN_RECEIVE_AFTER_NS (10 * SYNTH_NS_PER_MS)
#define START_AFTER_NS (30 * SYNTH_NS_PER_MS)
/* The JS client fires "reconnecting" 2 s after it notices the keepalive timeout. */
#define RECONNECT_GRACE_S 2.0
/* Payload large enough to span several segments, so every anomaly kind applies. */
#define ANOMALY_PAYLOAD_BYTES 4000

typedef enum {
    EV_END,
    EV_RECONNECT,
    EV_ANOMALY,
    EV_POLL_TIMEOUT,
    EV_KEEPALIVE,
    EV_MESSAGE,
    EV_HUB,
    EV_PING,
    EV_COUNT
} script_event;

#define NEVER UINT64_MAX

typedef struct {
    synth_generator base;
    conn_script_config cfg;
    bool opened;
    synth_conn *ctl;
    synth_conn *recv;
    synth_sr_session *session;
    unsigned reconnects;
    size_t next_anomaly;
    size_t next_outage; /* next outage whose reconnect is still to come */
    synth_time due[EV_COUNT];
    unsigned sent_messages;
} conn_script;

void conn_script_default(conn_script_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->transport = SYNTH_SR_WEBSOCKETS;
    cfg->duration = 60.0;
    cfg->keepalive = 10.0;
    cfg->tcp.mss = 1460;
    cfg->tcp.rtt = 200 * SYNTH_NS_PER_US;
    synth_sr_default_config(&cfg->signalr);
    cfg->end = SCRIPT_END_ABORT;
}

static synth_time ns_of(double seconds)
{
    return seconds <= 0 ? 0 : (synth_time)(seconds * (double)SYNTH_NS_PER_S);
}

static synth_time at(const conn_script *cs, double offset)
{
    return cs->cfg.start + ns_of(offset);
}

static bool silent(const conn_script *cs, synth_time t)
{
    for (size_t i = 0; i < cs->cfg.outage_count; i++) {
        const script_outage *o = &cs->cfg.outages[i];
        if (t >= at(cs, o->at) && t < at(cs, o->at + o->duration))
            return true;
    }
    return false;
}

static synth_time next_grid_tick(const conn_script *cs, synth_time after)
{
    synth_time period = ns_of(cs->cfg.keepalive);
    synth_time origin = cs->cfg.heartbeat_origin % period;
    if (after < origin)
        return origin;
    return origin + ((after - origin) / period + 1) * period;
}

/* When the client reconnects after outage i, or NEVER if it does not notice it. */
static synth_time reconnect_time(const conn_script *cs, size_t i)
{
    const script_outage *o = &cs->cfg.outages[i];
    double notice = 2 * cs->cfg.keepalive + RECONNECT_GRACE_S;
    if (!o->reconnect || o->duration < 2 * cs->cfg.keepalive)
        return NEVER;
    return at(cs, o->at + (o->duration > notice ? o->duration : notice));
}

static void schedule_reconnect(conn_script *cs)
{
    cs->due[EV_RECONNECT] = NEVER;
    while (cs->next_outage < cs->cfg.outage_count) {
        synth_time t = reconnect_time(cs, cs->next_outage);
        if (t != NEVER) {
            cs->due[EV_RECONNECT] = t;
            return;
        }
        cs->next_outage++;
    }
}

static void schedule_anomaly(conn_script *cs)
{
    cs->due[EV_ANOMALY] = cs->next_anomaly < cs->cfg.anomaly_count
                              ? at(cs, cs->cfg.anomalies[cs->next_anomaly].at)
                              : NEVER;
}

/* Periods below a microsecond are treated as "never" so a generator always moves forward. */
static synth_time every(synth_time now, double period)
{
    return period >= 1e-6 ? now + ns_of(period) : NEVER;
}

static void update_next(conn_script *cs)
{
    synth_time next = NEVER;
    for (int e = 0; e < EV_COUNT; e++)
        if (cs->due[e] < next)
            next = cs->due[e];
    cs->base.next = next;
}

static synth_conn *open_tcp(conn_script *cs, synth_t *s, uint16_t port_offset, synth_time t)
{
    synth_endpoint client = cs->cfg.client;
    client.port = (uint16_t)(client.port + port_offset);
    synth_tcp_options o = cs->cfg.tcp;
    if (port_offset > 0) {
        /* Only the first connection keeps configured ISNs; later ones draw their own. */
        o.isn_client = (uint32_t)synth_random(s);
        o.isn_server = (uint32_t)synth_random(s);
        o.mid_stream = false;
    }
    return synth_tcp_open(s, &client, &cs->cfg.server, t, &o);
}

static synth_status open_connection(conn_script *cs, synth_t *s, synth_time t)
{
    synth_time rtt = cs->cfg.tcp.rtt;
    cs->ctl = open_tcp(cs, s, 0, t);
    cs->recv = cs->ctl ? open_tcp(cs, s, 1, t + OPEN_RECEIVE_AFTER_NS) : NULL;
    if (cs->recv == NULL)
        return synth_error_of(s)->status;
    synth_status st = synth_sr_negotiate(cs->session, cs->ctl, t + rtt + 100 * SYNTH_NS_PER_US);
    if (st == SYNTH_OK)
        st = synth_sr_connect(cs->session, cs->recv,
                        t + OPEN_RECEIVE_AFTER_NS + rtt + 100 * SYNTH_NS_PER_US);
    synth_time started = t + START_AFTER_NS;
    if (st == SYNTH_OK)
        st = synth_sr_start(cs->session, cs->ctl, started);
    cs->opened = true;
    cs->due[EV_END] = at(cs, cs->cfg.duration);
    cs->due[EV_KEEPALIVE] = next_grid_tick(cs, started);
    cs->due[EV_HUB] = every(started, cs->cfg.hub_every);
    cs->due[EV_MESSAGE] = every(started, cs->cfg.message_every);
    cs->due[EV_PING] = every(started, cs->cfg.ping_every);
    cs->due[EV_POLL_TIMEOUT] = cs->cfg.transport == SYNTH_SR_LONG_POLLING
                                   ? started + ns_of(cs->cfg.signalr.connection_timeout)
                                   : NEVER;
    schedule_anomaly(cs);
    schedule_reconnect(cs);
    return st;
}

static synth_status reconnect(conn_script *cs, synth_t *s, synth_time t)
{
    synth_status st = synth_tcp_rst(cs->recv, SYNTH_C2S, t);
    synth_sr_drop_transport(cs->session);
    synth_conn_free(cs->recv);
    cs->reconnects++;
    uint16_t offset = (uint16_t)(2 + (cs->reconnects - 1) % (SCRIPT_PORT_STRIDE - 2));
    cs->recv = open_tcp(cs, s, offset, t + 100 * SYNTH_NS_PER_US);
    if (cs->recv == NULL)
        return synth_error_of(s)->status;
    if (st == SYNTH_OK)
        st = synth_sr_reconnect(cs->session, cs->recv, t + 100 * SYNTH_NS_PER_US + cs->cfg.tcp.rtt);
    if (cs->cfg.transport == SYNTH_SR_LONG_POLLING)
        cs->due[EV_POLL_TIMEOUT] = t + ns_of(cs->cfg.signalr.connection_timeout);
    cs->next_outage++;
    schedule_reconnect(cs);
    return st;
}

static char *filler_json(size_t n)
{
    char *pad = g_malloc(n + 1);
    memset(pad, 'x', n);
    pad[n] = '\0';
    char *json = g_strdup_printf("[\"%s\"]", pad);
    g_free(pad);
    return json;
}

static synth_status inject_anomaly(conn_script *cs, synth_time t)
{
    const script_anomaly *a = &cs->cfg.anomalies[cs->next_anomaly++];
    char *args = filler_json(ANOMALY_PAYLOAD_BYTES);
    synth_status st;
    schedule_anomaly(cs);
    if (a->dir == SYNTH_S2C) {
        char *msg = g_strdup_printf("{\"H\":\"ChatHub\",\"M\":\"bulk\",\"A\":%s}", args);
        synth_tcp_set_anomaly(cs->recv, SYNTH_S2C, a->kind);
        st = synth_sr_server_message(cs->session, t, msg);
        g_free(msg);
    } else {
        synth_conn *carrier = cs->cfg.transport == SYNTH_SR_WEBSOCKETS ? cs->recv : cs->ctl;
        synth_tcp_set_anomaly(carrier, SYNTH_C2S, a->kind);
        st = synth_sr_hub_invoke(cs->session, cs->ctl, t, "Bulk", args);
    }
    if (cs->cfg.transport == SYNTH_SR_LONG_POLLING && a->dir == SYNTH_S2C)
        cs->due[EV_POLL_TIMEOUT] = t + ns_of(cs->cfg.signalr.connection_timeout);
    g_free(args);
    return st;
}

static synth_status finish(conn_script *cs, synth_time t)
{
    synth_status st = SYNTH_OK;
    bool ws = cs->cfg.transport == SYNTH_SR_WEBSOCKETS;
    cs->base.done = true;
    if (cs->cfg.end == SCRIPT_END_ABORT) {
        st = synth_sr_abort(cs->session, cs->ctl, t);
        if (st == SYNTH_OK && !ws)
            st = synth_tcp_close(cs->recv, SYNTH_C2S, t + 5 * SYNTH_NS_PER_MS);
        if (st == SYNTH_OK)
            st = synth_tcp_close(cs->ctl, SYNTH_C2S, t + 10 * SYNTH_NS_PER_MS);
    } else if (cs->cfg.end == SCRIPT_END_RESET) {
        st = synth_tcp_rst(cs->recv, SYNTH_C2S, t);
        if (st == SYNTH_OK)
            st = synth_tcp_rst(cs->ctl, SYNTH_C2S, t);
    }
    return st;
}

static synth_status run_event(conn_script *cs, synth_t *s, script_event e, synth_time t)
{
    char body[96];
    bool quiet = silent(cs, t);
    switch (e) {
    case EV_END:
        return finish(cs, t);
    case EV_RECONNECT:
        return reconnect(cs, s, t);
    case EV_ANOMALY:
        if (quiet) {
            cs->next_anomaly++;
            schedule_anomaly(cs);
            return SYNTH_OK;
        }
        return inject_anomaly(cs, t);
    case EV_POLL_TIMEOUT:
        cs->due[e] = t + ns_of(cs->cfg.signalr.connection_timeout);
        return quiet ? SYNTH_OK : synth_sr_poll_timeout(cs->session, t);
    case EV_KEEPALIVE:
        cs->due[e] = next_grid_tick(cs, t);
        return quiet ? SYNTH_OK : synth_sr_keepalive(cs->session, t);
    case EV_MESSAGE:
        cs->due[e] = every(t, cs->cfg.message_every);
        if (quiet)
            return SYNTH_OK;
        snprintf(body, sizeof body, "{\"H\":\"ChatHub\",\"M\":\"addMessage\",\"A\":[\"srv\",%u]}",
                 cs->sent_messages++);
        if (cs->cfg.transport == SYNTH_SR_LONG_POLLING)
            cs->due[EV_POLL_TIMEOUT] = t + ns_of(cs->cfg.signalr.connection_timeout);
        return synth_sr_server_message(cs->session, t, body);
    case EV_HUB:
        cs->due[e] = every(t, cs->cfg.hub_every);
        return quiet ? SYNTH_OK
                     : synth_sr_hub_invoke(cs->session, cs->ctl, t, "Send", "[\"ann\",\"hi there\"]");
    default:
        cs->due[e] = every(t, cs->cfg.ping_every);
        return synth_sr_ping(cs->session, cs->ctl, t);
    }
}

static synth_status script_step(synth_generator *g, synth_t *s)
{
    conn_script *cs = (conn_script *)g;
    synth_time t = g->next;
    if (!cs->opened) {
        cs->session = synth_sr_session_new(s, cs->cfg.transport, &cs->cfg.signalr);
        if (cs->session == NULL)
            return synth_error_of(s)->status;
        synth_status st = open_connection(cs, s, t);
        update_next(cs);
        return st;
    }
    script_event e = EV_END;
    for (int i = 0; i < EV_COUNT; i++)
        if (cs->due[i] == t) {
            e = (script_event)i;
            break;
        }
    synth_status st = run_event(cs, s, e, t);
    update_next(cs);
    return st;
}

static void script_destroy(synth_generator *g)
{
    conn_script *cs = (conn_script *)g;
    synth_sr_session_free(cs->session);
    synth_conn_free(cs->recv);
    synth_conn_free(cs->ctl);
    g_free(cs);
}

static int by_start(const void *a, const void *b)
{
    const script_outage *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

synth_generator *conn_script_new(const conn_script_config *cfg, synth_error *err)
{
    if (cfg->keepalive < 1e-3 || cfg->signalr.connection_timeout < 1e-3 ||
        cfg->outage_count > SCRIPT_MAX_OUTAGES || cfg->anomaly_count > SCRIPT_MAX_ANOMALIES) {
        synth_error_set(err, SYNTH_E_ARG, "keepalive and connection timeout must be at least 1 ms");
        return NULL;
    }
    conn_script *cs = g_try_new0(conn_script, 1);
    if (cs == NULL) {
        synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
        return NULL;
    }
    cs->cfg = *cfg;
    cs->cfg.signalr.keepalive_timeout = 2 * cfg->keepalive;
    qsort(cs->cfg.outages, cs->cfg.outage_count, sizeof cs->cfg.outages[0], by_start);
    cs->base.next = cfg->start;
    cs->base.step = script_step;
    cs->base.destroy = script_destroy;
    return &cs->base;
}

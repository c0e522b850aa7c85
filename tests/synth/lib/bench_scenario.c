/* Benchmark scenario construction: connections spread evenly over the transports and over the
 * first keepalive period, all against 10.0.0.1:80. */
#include "bench_scenario.h"

#include <string.h>

/* 2024-06-10T06:13:20Z: a fixed start keeps benchmark files byte-identical across runs. */
#define BENCH_START_NS (1718000000ull * SYNTH_NS_PER_S)
#define BENCH_CLIENT_FIRST_PORT 20000

void bench_default_params(bench_params *p)
{
    p->connections = 1500;
    p->duration = 3600;
    p->transports = "mixed";
    p->keepalive = 10;
    p->hub_every = 30;
    p->message_every = 60;
    p->format = SYNTH_PCAP_US;
    p->seed = 1;
}

static scenario_entry entry_for(const bench_params *p, synth_sr_transport tr, unsigned count)
{
    scenario_entry e;
    memset(&e, 0, sizeof e);
    conn_script_config *c = &e.script;
    conn_script_default(c);
    c->transport = tr;
    /* Each transport gets its own client subnet: 10.1.0.1, 10.2.0.1, ... */
    synth_endpoint_parse("10.0.0.1:80", &c->server);
    synth_endpoint_parse("10.1.0.1:20000", &c->client);
    c->client.addr[1] = (uint8_t)(1 + tr);
    c->start = BENCH_START_NS;
    c->heartbeat_origin = BENCH_START_NS + 3 * SYNTH_NS_PER_S;
    c->keepalive = p->keepalive;
    c->duration = p->duration > 2 * p->keepalive ? p->duration - p->keepalive : p->duration;
    c->hub_every = p->hub_every;
    c->message_every = p->message_every;
    e.repeat = count;
    e.repeat_stagger = count > 0 ? p->keepalive / count : 0;
    return e;
}

synth_scenario *bench_scenario_new(const bench_params *p, synth_error *err)
{
    synth_sr_transport only = SYNTH_SR_WEBSOCKETS;
    bool mixed = strcmp(p->transports, "mixed") == 0;
    if (!mixed && !synth_sr_transport_parse(p->transports, &only)) {
        synth_error_set(err, SYNTH_E_ARG, "unknown transport %s", p->transports);
        return NULL;
    }
    if (p->connections == 0 || p->connections > SCENARIO_MAX_REPEAT || p->keepalive < 0.001) {
        synth_error_set(err, SYNTH_E_ARG, "need 1..%u connections and a keepalive >= 1 ms",
                        SCENARIO_MAX_REPEAT);
        return NULL;
    }
    synth_scenario *sc = synth_scenario_new(BENCH_START_NS);
    sc->output.format = p->format;
    sc->output.seed = p->seed;
    for (int tr = 0; tr < 4; tr++) {
        unsigned count = mixed ? p->connections / 4 + ((unsigned)tr < p->connections % 4)
                               : ((synth_sr_transport)tr == only ? p->connections : 0);
        if (count == 0)
            continue;
        scenario_entry e = entry_for(p, (synth_sr_transport)tr, count);
        if (!synth_scenario_add(sc, &e)) {
            synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
            synth_scenario_free(sc);
            return NULL;
        }
    }
    return sc;
}

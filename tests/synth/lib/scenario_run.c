/* Expands scenario entries into connection scripts and runs them through the scheduler. */
#include "scenario.h"

#include <glib.h>
#include <string.h>

synth_endpoint scenario_copy_endpoint(const synth_endpoint *base, unsigned index)
{
    synth_endpoint ep = *base;
    unsigned slots = (65535u - base->port) / SCRIPT_PORT_STRIDE;
    if (slots == 0)
        slots = 1;
    ep.port = (uint16_t)(base->port + (index % slots) * SCRIPT_PORT_STRIDE);
    /* Out of ports: move to the next client address (carrying into the byte above). */
    unsigned host_step = index / slots;
    uint8_t *last = ep.family == 4 ? ep.addr + 3 : ep.addr + 15;
    unsigned v = last[0] + (unsigned)(last[-1] << 8) + host_step;
    last[0] = (uint8_t)v;
    last[-1] = (uint8_t)(v >> 8);
    return ep;
}

bool synth_scenario_add(synth_scenario *sc, const scenario_entry *e)
{
    if (sc->count >= SCENARIO_MAX_ENTRIES)
        return false;
    scenario_entry *grown = g_try_renew(scenario_entry, sc->entries, sc->count + 1);
    if (grown == NULL)
        return false;
    sc->entries = grown;
    sc->entries[sc->count++] = *e;
    return true;
}

synth_scenario *synth_scenario_new(synth_time start)
{
    synth_scenario *sc = g_new0(synth_scenario, 1);
    sc->output.format = SYNTH_PCAPNG_NS;
    sc->output.link = SYNTH_LINK_ETHERNET;
    sc->output.seed = 1;
    sc->start = start;
    sc->strings = g_string_chunk_new(256);
    return sc;
}

void synth_scenario_free(synth_scenario *sc)
{
    if (sc == NULL)
        return;
    g_string_chunk_free(sc->strings);
    g_free(sc->entries);
    g_free(sc);
}

synth_status synth_scenario_schedule(const synth_scenario *sc, synth_scheduler *sch,
                                     uint64_t *connections, synth_error *err)
{
    for (size_t i = 0; i < sc->count; i++) {
        const scenario_entry *e = &sc->entries[i];
        for (unsigned k = 0; k < e->repeat; k++) {
            conn_script_config cfg = e->script;
            cfg.client = scenario_copy_endpoint(&e->script.client, k);
            cfg.start = e->script.start + (synth_time)(k * e->repeat_stagger * 1e9);
            if (k > 0)
                cfg.tcp.mid_stream = false;
            synth_generator *g = conn_script_new(&cfg, err);
            if (g == NULL)
                return err ? err->status : SYNTH_E_ARG;
            synth_status st = synth_scheduler_add(sch, g, err);
            if (st != SYNTH_OK)
                return st;
            (*connections)++;
        }
    }
    return SYNTH_OK;
}

synth_status synth_scenario_write(const synth_scenario *sc, const char *path,
                                  synth_run_stats *stats, synth_error *err)
{
    synth_t *s = synth_new(path, &sc->output, err);
    if (s == NULL)
        return err ? err->status : SYNTH_E_IO;
    synth_scheduler *sch = synth_scheduler_new();
    uint64_t connections = 0;
    synth_status st = sch ? synth_scenario_schedule(sc, sch, &connections, err)
                          : synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
    if (st == SYNTH_OK) {
        st = synth_scheduler_run(sch, s);
        if (st != SYNTH_OK && err != NULL)
            *err = *synth_error_of(s);
    }
    synth_scheduler_free(sch);
    if (st == SYNTH_OK) {
        st = synth_flush_until(s, UINT64_MAX);
        if (st != SYNTH_OK && err != NULL)
            *err = *synth_error_of(s);
    }
    if (stats != NULL) {
        stats->packets = synth_packets_written(s);
        stats->bytes = synth_bytes_written(s);
        stats->connections = connections;
    }
    synth_status cst = synth_close(s, st == SYNTH_OK ? err : NULL);
    return st != SYNTH_OK ? st : cst;
}

/* A capture scenario: output options plus a list of connection scripts, each optionally
 * repeated N times on consecutive client ports/addresses. Loaded from JSON (format in
 * tests/synth/README.md) or built by the benchmark generator, then written to a file by
 * running all connection scripts through the scheduler.
 * The scenario owns its entries; synth_scenario_free releases everything. */
#ifndef LIFELINE_SYNTH_SCENARIO_H
#define LIFELINE_SYNTH_SCENARIO_H

#include "conn_script.h"

#include <glib.h>

/* Hostile or mistyped files must not make us plan absurd work. */
#define SCENARIO_MAX_ENTRIES 10000
#define SCENARIO_MAX_REPEAT 100000
#define SCENARIO_MAX_SECONDS (30.0 * 24 * 3600)

typedef struct {
    conn_script_config script;
    unsigned repeat;       /* copies; client port advances by SCRIPT_PORT_STRIDE per copy */
    double repeat_stagger; /* seconds between the starts of consecutive copies */
} scenario_entry;

typedef struct {
    synth_options output;
    synth_time start;
    scenario_entry *entries;
    size_t count;
    GStringChunk *strings; /* owns the hub/base path strings entries point to */
} synth_scenario;

/* An empty scenario: pcapng-ns, Ethernet, seed 1, no entries. */
synth_scenario *synth_scenario_new(synth_time start);

typedef struct {
    uint64_t packets;
    uint64_t bytes;
    uint64_t connections;
} synth_run_stats;

synth_scenario *synth_scenario_from_json(const char *text, size_t len, synth_error *err);
synth_scenario *synth_scenario_load(const char *path, synth_error *err);

/* Adds one entry (copied); returns false when out of memory or over the entry cap. */
bool synth_scenario_add(synth_scenario *sc, const scenario_entry *e);

/* Adds one connection script per copy of every entry to sch; counts them in *connections. */
synth_status synth_scenario_schedule(const synth_scenario *sc, synth_scheduler *sch,
                                     uint64_t *connections, synth_error *err);

/* Writes the scenario to path; stats may be NULL. */
synth_status synth_scenario_write(const synth_scenario *sc, const char *path,
                                  synth_run_stats *stats, synth_error *err);

void synth_scenario_free(synth_scenario *sc);

/* Client endpoint of copy `index` of an entry whose first copy uses base. */
synth_endpoint scenario_copy_endpoint(const synth_endpoint *base, unsigned index);

bool synth_format_parse(const char *name, synth_format *out);

#endif

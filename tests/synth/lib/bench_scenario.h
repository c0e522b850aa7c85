/* The built-in benchmark scenario: many concurrent SignalR connections over one server,
 * keepalives on a shared heartbeat grid plus hub traffic, for producing very large captures.
 * Returns a scenario the caller frees with synth_scenario_free. */
#ifndef LIFELINE_SYNTH_BENCH_SCENARIO_H
#define LIFELINE_SYNTH_BENCH_SCENARIO_H

#include "scenario.h"

typedef struct {
    unsigned connections;
    double duration;        /* seconds of capture */
    const char *transports; /* "mixed" or one transport name */
    double keepalive;       /* server keepalive period, seconds */
    double hub_every;       /* client invocations, seconds; 0: none */
    double message_every;   /* server->client messages, seconds; 0: none */
    synth_format format;
    uint64_t seed;
} bench_params;

/* 1500 connections, 3600 s, mixed, 10 s keepalive, hub call every 30 s, message every 60 s. */
void bench_default_params(bench_params *p);

synth_scenario *bench_scenario_new(const bench_params *p, synth_error *err);

#endif

/* lifeline-synth: writes a capture from a JSON scenario file ("run") or from the built-in
 * benchmark scenario ("bench"), then prints what it wrote and how fast. */
#include "bench_scenario.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char USAGE[] =
    "usage: lifeline-synth run SCENARIO.json -o OUT [--format F]\n"
    "       lifeline-synth bench -o OUT [--connections N] [--duration S] [--transports T]\n"
    "                            [--keepalive S] [--hub-every S] [--message-every S]\n"
    "                            [--format F] [--seed N]\n"
    "F: pcap-us | pcap-ns | pcapng-us | pcapng-ns\n"
    "T: mixed | webSockets | serverSentEvents | foreverFrame | longPolling\n";

typedef struct {
    const char *output;
    const char *format;
    bench_params bench;
} cli_args;

static bool number_arg(const char *text, double min, double max, double *out)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

/* Returns false (after printing why) on a bad option. */
static bool parse_options(int argc, char **argv, int first, cli_args *a)
{
    for (int i = first; i < argc; i++) {
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        double v = 0;
        bool ok = val != NULL;
        if (ok && (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0))
            a->output = val;
        else if (ok && strcmp(opt, "--format") == 0)
            a->format = val;
        else if (ok && strcmp(opt, "--transports") == 0)
            a->bench.transports = val;
        else if (ok && strcmp(opt, "--connections") == 0 && (ok = number_arg(val, 1, 100000, &v)))
            a->bench.connections = (unsigned)v;
        else if (ok && strcmp(opt, "--duration") == 0 && (ok = number_arg(val, 1, 2592000, &v)))
            a->bench.duration = v;
        else if (ok && strcmp(opt, "--keepalive") == 0 && (ok = number_arg(val, 0.001, 3600, &v)))
            a->bench.keepalive = v;
        else if (ok && strcmp(opt, "--hub-every") == 0 && (ok = number_arg(val, 0, 1e7, &v)))
            a->bench.hub_every = v;
        else if (ok && strcmp(opt, "--message-every") == 0 && (ok = number_arg(val, 0, 1e7, &v)))
            a->bench.message_every = v;
        else if (ok && strcmp(opt, "--seed") == 0 && (ok = number_arg(val, 0, 1e15, &v)))
            a->bench.seed = (uint64_t)v;
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "lifeline-synth: bad or incomplete option %s\n%s", opt, USAGE);
            return false;
        }
        i++;
    }
    if (a->output == NULL) {
        fprintf(stderr, "lifeline-synth: -o OUT is required\n%s", USAGE);
        return false;
    }
    return true;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_scenario(synth_scenario *sc, const cli_args *a)
{
    synth_error err = {0};
    synth_run_stats stats = {0};
    if (a->format != NULL && !synth_format_parse(a->format, &sc->output.format)) {
        fprintf(stderr, "lifeline-synth: unknown format %s\n%s", a->format, USAGE);
        return 2;
    }
    double t0 = now_seconds();
    synth_status st = synth_scenario_write(sc, a->output, &stats, &err);
    double elapsed = now_seconds() - t0;
    if (st != SYNTH_OK) {
        fprintf(stderr, "lifeline-synth: %s\n", err.message);
        return 1;
    }
    if (elapsed <= 0)
        elapsed = 1e-9;
    printf("%s: %llu packets, %llu bytes, %llu connections in %.2f s "
           "(%.0f packets/s, %.1f MB/s)\n",
           a->output, (unsigned long long)stats.packets, (unsigned long long)stats.bytes,
           (unsigned long long)stats.connections, elapsed, (double)stats.packets / elapsed,
           (double)stats.bytes / elapsed / 1e6);
    return 0;
}

int main(int argc, char **argv)
{
    cli_args a = {0};
    synth_error err = {0};
    bench_default_params(&a.bench);
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    synth_scenario *sc = NULL;
    if (strcmp(argv[1], "run") == 0 && argc >= 3) {
        if (!parse_options(argc, argv, 3, &a))
            return 2;
        sc = synth_scenario_load(argv[2], &err);
    } else if (strcmp(argv[1], "bench") == 0) {
        if (!parse_options(argc, argv, 2, &a))
            return 2;
        if (a.format != NULL && !synth_format_parse(a.format, &a.bench.format)) {
            fprintf(stderr, "lifeline-synth: unknown format %s\n%s", a.format, USAGE);
            return 2;
        }
        sc = bench_scenario_new(&a.bench, &err);
    } else {
        fputs(USAGE, stderr);
        return 2;
    }
    if (sc == NULL) {
        fprintf(stderr, "lifeline-synth: %s\n", err.message);
        return 1;
    }
    int rc = write_scenario(sc, &a);
    synth_scenario_free(sc);
    return rc;
}

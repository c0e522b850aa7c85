/* cli_options.c - getopt_long over the `lifeline` options. */
#include "cli/cli_options.h"

#include "cli/cli_time.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_COLOR = 256,
    OPT_DUMP,
    OPT_FAIL_ON,
    OPT_KAT,
    OPT_NO_KEEPALIVE,
    OPT_DT,
    OPT_CT,
    OPT_TCT,
    OPT_BUFFER,
    OPT_PROGRESS,
    OPT_VERSION,
    OPT_CONNECTION,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_THREADS
};

static const struct option long_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"color", required_argument, NULL, OPT_COLOR},
    {"dump-events", no_argument, NULL, OPT_DUMP},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"keepalive-timeout", required_argument, NULL, OPT_KAT},
    {"no-keepalive", no_argument, NULL, OPT_NO_KEEPALIVE},
    {"disconnect-timeout", required_argument, NULL, OPT_DT},
    {"connection-timeout", required_argument, NULL, OPT_CT},
    {"transport-connect-timeout", required_argument, NULL, OPT_TCT},
    {"max-stream-buffer", required_argument, NULL, OPT_BUFFER},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"progress", required_argument, NULL, OPT_PROGRESS},
    {"connection", required_argument, NULL, OPT_CONNECTION},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0}};

void lf_cli_print_help(FILE *out)
{
    fputs(
        "Usage: lifeline [OPTIONS] FILE...\n"
        "Rebuild ASP.NET SignalR (classic) connection lifetimes from packet captures and flag\n"
        "lifecycle faults: missed keepalives, late reconnects, disconnect timeouts, ...\n"
        "\n"
        "FILE is a pcap or pcapng capture, optionally gzip-compressed, or - for standard\n"
        "input. Several files (e.g. a dumpcap ring buffer) are merged in time order.\n"
        "\n"
        "Output:\n"
        "  -f, --format FORMAT          text (default), json or jsonl (one connection a line)\n"
        "  -o, --output PATH            write the report to PATH instead of standard output\n"
        "      --color WHEN             auto (default: when writing to a terminal), always, never\n"
        "      --dump-events            print every decoded event, one a line, instead of a report\n"
        "      --progress WHEN          auto (default: on a terminal), always, never (on stderr)\n"
        "\n"
        "Selection (the report and the exit status consider only these connections):\n"
        "      --connection ID          a ConnectionId, a connection token, or a prefix of\n"
        "                               either naming one connection; repeatable\n"
        "      --since TIME             connections still alive at or after TIME\n"
        "      --until TIME             connections that began at or before TIME\n"
        "                               TIME: epoch seconds or ISO-8601, e.g.\n"
        "                               2026-11-25T17:07:00Z (no zone: UTC)\n"
        "\n"
        "Exit status:\n"
        "      --fail-on SEVERITY       note, warning (default), error or never: exit 1 when a\n"
        "                               finding is at or above SEVERITY\n"
        "\n"
        "Assumed settings, for connections whose negotiate was not captured:\n"
        "      --keepalive-timeout SEC  KeepAliveTimeout (default 20)\n"
        "      --no-keepalive           keepalives disabled (KeepAliveTimeout null)\n"
        "      --disconnect-timeout SEC DisconnectTimeout (default 30)\n"
        "      --connection-timeout SEC ConnectionTimeout (default 110)\n"
        "      --transport-connect-timeout SEC  TransportConnectTimeout (default 5)\n"
        "\n"
        "Limits and threads:\n"
        "      --max-stream-buffer BYTES  out-of-order bytes kept per TCP direction before a\n"
        "                               hole is declared lost (default 1048576)\n"
        "      --threads N              1: everything on one thread; 2: also classify SignalR\n"
        "                               messages and run the lifecycle engine on a second;\n"
        "                               3: also read the capture on a third (default: 2\n"
        "                               when the machine has more than one CPU); the report\n"
        "                               is the same\n"
        "\n"
        "  -h, --help                   show this help\n"
        "      --version                show the version\n"
        "\n"
        "Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage error or an\n"
        "unreadable input (the readable inputs are still analysed and reported).\n",
        out);
}

static int fail(char *err, size_t cap, const char *fmt, const char *arg)
{
    snprintf(err, cap, fmt, arg);
    return -1;
}

static int parse_seconds(const char *arg, double *out, char *err, size_t cap)
{
    char *end = NULL;
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0' || !(v > 0) || v > 1e9)
        return fail(err, cap, "not a positive number of seconds: '%s'", arg);
    *out = v;
    return 0;
}

static int parse_when(const char *arg, lf_cli_when *out, char *err, size_t cap)
{
    if (strcmp(arg, "auto") == 0)
        *out = LF_WHEN_AUTO;
    else if (strcmp(arg, "always") == 0)
        *out = LF_WHEN_ALWAYS;
    else if (strcmp(arg, "never") == 0)
        *out = LF_WHEN_NEVER;
    else
        return fail(err, cap, "expected auto, always or never, not '%s'", arg);
    return 0;
}

static int parse_format(const char *arg, lf_cli_format *out, char *err, size_t cap)
{
    if (strcmp(arg, "text") == 0)
        *out = LF_FORMAT_TEXT;
    else if (strcmp(arg, "json") == 0)
        *out = LF_FORMAT_JSON;
    else if (strcmp(arg, "jsonl") == 0)
        *out = LF_FORMAT_JSONL;
    else
        return fail(err, cap, "unknown format '%s' (text, json or jsonl)", arg);
    return 0;
}

static int parse_fail_on(const char *arg, lf_cli_options *o, char *err, size_t cap)
{
    static const char *const names[] = {"note", "warning", "error"};
    o->fail_never = strcmp(arg, "never") == 0;
    for (int s = SR_SEVERITY_NOTE; s <= SR_SEVERITY_ERROR && !o->fail_never; s++) {
        if (strcmp(arg, names[s]) == 0) {
            o->fail_on = (sr_severity)s;
            return 0;
        }
    }
    return o->fail_never ? 0 : fail(err, cap, "unknown severity '%s'", arg);
}

static int parse_moment(const char *arg, bool *has, lf_time_ns *out, char *err, size_t cap)
{
    if (lf_cli_parse_time(arg, out) != 0)
        return fail(err, cap,
                    "not a time: '%s' (epoch seconds or ISO-8601 such as 2026-11-25T17:07:00Z)",
                    arg);
    *has = true;
    return 0;
}

static int add_connection(const char *arg, lf_cli_options *o, char *err, size_t cap)
{
    if (*arg == '\0')
        return fail(err, cap, "%s", "--connection needs a non-empty ConnectionId or token");
    if (o->connection_count == LF_CLI_MAX_CONNECTION_RULES) {
        snprintf(err, cap, "more than %d --connection options", LF_CLI_MAX_CONNECTION_RULES);
        return -1;
    }
    o->connections[o->connection_count++] = arg;
    return 0;
}

static int parse_bytes(const char *arg, size_t *out, char *err, size_t cap)
{
    char *end = NULL;
    unsigned long long v = strtoull(arg, &end, 10);
    if (end == arg || *end != '\0' || v == 0 || v > (1ull << 40))
        return fail(err, cap, "not a byte count: '%s'", arg);
    *out = (size_t)v;
    return 0;
}

static int parse_threads(const char *arg, unsigned *out, char *err, size_t cap)
{
    if (strcmp(arg, "1") != 0 && strcmp(arg, "2") != 0 && strcmp(arg, "3") != 0)
        return fail(err, cap, "--threads is 1, 2 or 3, not '%s'", arg);
    *out = (unsigned)(arg[0] - '0');
    return 0;
}

static int parse_one(int opt, const char *arg, lf_cli_options *o, char *err, size_t cap)
{
    switch (opt) {
    case 'f': return parse_format(arg, &o->format, err, cap);
    case 'o': o->output = arg; return 0;
    case OPT_COLOR: return parse_when(arg, &o->color, err, cap);
    case OPT_PROGRESS: return parse_when(arg, &o->progress, err, cap);
    case OPT_DUMP: o->dump_events = true; return 0;
    case OPT_FAIL_ON: return parse_fail_on(arg, o, err, cap);
    case OPT_KAT: return parse_seconds(arg, &o->assumed.keepalive_timeout, err, cap);
    case OPT_NO_KEEPALIVE: o->assumed.keepalive_disabled = true; return 0;
    case OPT_DT: return parse_seconds(arg, &o->assumed.disconnect_timeout, err, cap);
    case OPT_CT: return parse_seconds(arg, &o->assumed.connection_timeout, err, cap);
    case OPT_TCT: return parse_seconds(arg, &o->assumed.transport_connect_timeout, err, cap);
    case OPT_BUFFER: return parse_bytes(arg, &o->max_stream_buffer, err, cap);
    case OPT_THREADS: return parse_threads(arg, &o->threads, err, cap);
    case 'h': o->help = true; return 0;
    case OPT_VERSION: o->version = true; return 0;
    case OPT_CONNECTION: return add_connection(arg, o, err, cap);
    case OPT_SINCE: return parse_moment(arg, &o->has_since, &o->since, err, cap);
    case OPT_UNTIL: return parse_moment(arg, &o->has_until, &o->until, err, cap);
    default: return fail(err, cap, "%s", "unknown option (see --help)");
    }
}

int lf_cli_parse(int argc, char **argv, lf_cli_options *out, char *err, size_t err_cap)
{
    memset(out, 0, sizeof *out);
    out->fail_on = SR_SEVERITY_WARNING;
    optind = 1;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":f:o:h", long_options, NULL)) != -1) {
        if (opt == ':')
            return fail(err, err_cap, "option '%s' needs a value", argv[optind - 1]);
        if (opt == '?')
            return fail(err, err_cap, "unknown option '%s' (see --help)", argv[optind - 1]);
        if (parse_one(opt, optarg, out, err, err_cap) != 0)
            return -1;
    }
    out->inputs = (const char *const *)&argv[optind];
    out->input_count = (size_t)(argc - optind);
    if (out->dump_events && (out->connection_count > 0 || out->has_since || out->has_until))
        return fail(err, err_cap, "%s",
                    "--dump-events prints every event: --connection, --since and --until "
                    "select connections of a report");
    if (out->has_since && out->has_until && out->since > out->until)
        return fail(err, err_cap, "%s", "--since is later than --until");
    if (out->input_count == 0 && !out->help && !out->version)
        return fail(err, err_cap, "%s", "no capture file given (see --help)");
    return 0;
}

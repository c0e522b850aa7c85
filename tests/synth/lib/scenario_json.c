/* Scenario files in JSON (json-glib): every member optional except endpoints, every value
 * type- and range-checked, unknown members rejected so typos do not pass silently. */
#include "scenario.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    synth_error *err;
    const char *where; /* "connection 3" etc., for messages */
    bool failed;
} json_ctx;

static void fail(json_ctx *cx, const char *fmt, const char *member)
{
    if (!cx->failed)
        synth_error_set(cx->err, SYNTH_E_SCENARIO, "%s: %s%s", cx->where, fmt, member);
    cx->failed = true;
}

static double get_number(json_ctx *cx, JsonObject *o, const char *name, double def, double min,
                         double max)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL)
        return def;
    if (!JSON_NODE_HOLDS_VALUE(n) || (json_node_get_value_type(n) != G_TYPE_DOUBLE &&
                                      json_node_get_value_type(n) != G_TYPE_INT64)) {
        fail(cx, "expected a number for ", name);
        return def;
    }
    double v = json_node_get_double(n);
    if (!isfinite(v) || v < min || v > max) {
        fail(cx, "number out of range for ", name);
        return def;
    }
    return v;
}

static const char *get_string(json_ctx *cx, JsonObject *o, const char *name, const char *def)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL)
        return def;
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
        fail(cx, "expected a string for ", name);
        return def;
    }
    return json_node_get_string(n);
}

static bool get_bool(json_ctx *cx, JsonObject *o, const char *name, bool def)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL)
        return def;
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
        fail(cx, "expected true/false for ", name);
        return def;
    }
    return json_node_get_boolean(n);
}

static JsonArray *get_array(json_ctx *cx, JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL)
        return NULL;
    if (!JSON_NODE_HOLDS_ARRAY(n)) {
        fail(cx, "expected an array for ", name);
        return NULL;
    }
    return json_node_get_array(n);
}

static void check_members(json_ctx *cx, JsonObject *o, const char *const *known)
{
    GList *names = json_object_get_members(o);
    for (GList *l = names; l != NULL; l = l->next) {
        bool ok = false;
        for (const char *const *k = known; *k != NULL && !ok; k++)
            ok = strcmp(*k, l->data) == 0;
        if (!ok)
            fail(cx, "unknown member ", l->data);
    }
    g_list_free(names);
}

static JsonObject *element_object(json_ctx *cx, JsonArray *a, guint i, const char *what)
{
    JsonNode *n = json_array_get_element(a, i);
    if (!JSON_NODE_HOLDS_OBJECT(n)) {
        fail(cx, "expected objects in ", what);
        return NULL;
    }
    return json_node_get_object(n);
}

static void load_outages(json_ctx *cx, JsonObject *o, conn_script_config *c)
{
    static const char *const known[] = {"at", "duration", "reconnect", NULL};
    JsonArray *a = get_array(cx, o, "outages");
    guint n = a ? json_array_get_length(a) : 0;
    if (n > SCRIPT_MAX_OUTAGES)
        fail(cx, "too many entries in ", "outages");
    for (guint i = 0; i < n && !cx->failed; i++) {
        JsonObject *e = element_object(cx, a, i, "outages");
        if (e == NULL)
            return;
        check_members(cx, e, known);
        script_outage *out = &c->outages[c->outage_count++];
        out->at = get_number(cx, e, "at", 0, 0, SCENARIO_MAX_SECONDS);
        out->duration = get_number(cx, e, "duration", 0, 0, SCENARIO_MAX_SECONDS);
        out->reconnect = get_bool(cx, e, "reconnect", false);
    }
}

static synth_anomaly anomaly_kind(json_ctx *cx, const char *name)
{
    static const char *const names[] = {"none", "drop", "reorder", "duplicate",
                                        "retransmit-changed"};
    for (int i = 0; i < 5; i++)
        if (strcmp(names[i], name) == 0)
            return (synth_anomaly)i;
    fail(cx, "unknown anomaly kind ", name);
    return SYNTH_ANOMALY_NONE;
}

static synth_dir direction(json_ctx *cx, const char *name)
{
    if (strcmp(name, "c2s") != 0 && strcmp(name, "s2c") != 0)
        fail(cx, "direction must be c2s or s2c, not ", name);
    return strcmp(name, "c2s") == 0 ? SYNTH_C2S : SYNTH_S2C;
}

static void load_anomalies(json_ctx *cx, JsonObject *o, conn_script_config *c)
{
    static const char *const known[] = {"at", "kind", "dir", NULL};
    JsonArray *a = get_array(cx, o, "anomalies");
    guint n = a ? json_array_get_length(a) : 0;
    if (n > SCRIPT_MAX_ANOMALIES)
        fail(cx, "too many entries in ", "anomalies");
    for (guint i = 0; i < n && !cx->failed; i++) {
        JsonObject *e = element_object(cx, a, i, "anomalies");
        if (e == NULL)
            return;
        check_members(cx, e, known);
        script_anomaly *an = &c->anomalies[c->anomaly_count++];
        an->at = get_number(cx, e, "at", 0, 0, SCENARIO_MAX_SECONDS);
        an->kind = anomaly_kind(cx, get_string(cx, e, "kind", "drop"));
        an->dir = direction(cx, get_string(cx, e, "dir", "s2c"));
    }
}

static script_end end_kind(json_ctx *cx, const char *name)
{
    if (strcmp(name, "abort") == 0)
        return SCRIPT_END_ABORT;
    if (strcmp(name, "reset") == 0)
        return SCRIPT_END_RESET;
    if (strcmp(name, "none") != 0)
        fail(cx, "end must be abort, reset or none, not ", name);
    return SCRIPT_END_NONE;
}

static void load_endpoints(json_ctx *cx, JsonObject *o, conn_script_config *c)
{
    const char *client = get_string(cx, o, "client", NULL);
    const char *server = get_string(cx, o, "server", NULL);
    if (client == NULL || !synth_endpoint_parse(client, &c->client))
        fail(cx, "needs a client endpoint like 10.0.0.2:50000", "");
    else if (server == NULL || !synth_endpoint_parse(server, &c->server))
        fail(cx, "needs a server endpoint like 10.0.0.1:80", "");
    else if (c->client.family != c->server.family)
        fail(cx, "client and server must both be IPv4 or both IPv6", "");
    else if (c->client.port > 65535 - SCRIPT_PORT_STRIDE)
        fail(cx, "client port must leave room for the receive and reconnect ports (<= 65519)", "");
}

static void load_timing(json_ctx *cx, JsonObject *o, conn_script_config *c, synth_time t0)
{
    c->start = t0 + (synth_time)(get_number(cx, o, "start", 0, 0, SCENARIO_MAX_SECONDS) * 1e9);
    c->duration = get_number(cx, o, "duration", c->duration, 0, SCENARIO_MAX_SECONDS);
    c->keepalive = get_number(cx, o, "keepalive", c->keepalive, 0.001, 3600);
    c->hub_every = get_number(cx, o, "hub_every", 0, 0, SCENARIO_MAX_SECONDS);
    c->message_every = get_number(cx, o, "message_every", 0, 0, SCENARIO_MAX_SECONDS);
    c->ping_every = get_number(cx, o, "ping_every", 0, 0, SCENARIO_MAX_SECONDS);
    c->signalr.disconnect_timeout =
        get_number(cx, o, "disconnect_timeout", c->signalr.disconnect_timeout, 0, 3600);
    c->signalr.connection_timeout =
        get_number(cx, o, "connection_timeout", c->signalr.connection_timeout, 0.001, 3600);
}

static void load_tcp(json_ctx *cx, JsonObject *o, conn_script_config *c)
{
    c->tcp.rtt = (synth_time)(get_number(cx, o, "rtt_ms", 0.2, 0, 60000) * 1e6);
    c->tcp.mss = (uint16_t)get_number(cx, o, "mss", 1460, 64, SYNTH_MAX_MSS);
    c->tcp.isn_client =
        (uint32_t)get_number(cx, o, "isn_client", c->tcp.isn_client, 0, 4294967295.0);
    c->tcp.isn_server =
        (uint32_t)get_number(cx, o, "isn_server", c->tcp.isn_server, 0, 4294967295.0);
    c->tcp.mid_stream = get_bool(cx, o, "mid_stream", false);
}

static const char *const CONNECTION_MEMBERS[] = {"client",
                                                 "server",
                                                 "transport",
                                                 "start",
                                                 "duration",
                                                 "keepalive",
                                                 "hub_every",
                                                 "message_every",
                                                 "ping_every",
                                                 "disconnect_timeout",
                                                 "connection_timeout",
                                                 "rtt_ms",
                                                 "mss",
                                                 "isn_client",
                                                 "isn_server",
                                                 "mid_stream",
                                                 "deflate",
                                                 "no_context_takeover",
                                                 "hub",
                                                 "base_path",
                                                 "frame_id",
                                                 "outages",
                                                 "anomalies",
                                                 "end",
                                                 "repeat",
                                                 "repeat_stagger",
                                                 NULL};

static void load_connection(json_ctx *cx, JsonObject *o, synth_scenario *sc, uint64_t seed_mix)
{
    scenario_entry e;
    memset(&e, 0, sizeof e);
    conn_script_config *c = &e.script;
    conn_script_default(c);
    c->tcp.isn_client = (uint32_t)(seed_mix * 2654435761u);
    c->tcp.isn_server = (uint32_t)(seed_mix * 40503u + 12345u);
    check_members(cx, o, CONNECTION_MEMBERS);
    load_endpoints(cx, o, c);
    if (!synth_sr_transport_parse(get_string(cx, o, "transport", "webSockets"), &c->transport))
        fail(cx, "transport must be webSockets, serverSentEvents, foreverFrame or longPolling", "");
    load_timing(cx, o, c, sc->start);
    load_tcp(cx, o, c);
    c->signalr.ws.deflate = get_bool(cx, o, "deflate", false);
    c->signalr.ws.no_context_takeover = get_bool(cx, o, "no_context_takeover", false);
    c->signalr.frame_id = (unsigned)get_number(cx, o, "frame_id", 1, 0, 4294967295.0);
    load_outages(cx, o, c);
    load_anomalies(cx, o, c);
    c->end = end_kind(cx, get_string(cx, o, "end", "abort"));
    e.repeat = (unsigned)get_number(cx, o, "repeat", 1, 1, SCENARIO_MAX_REPEAT);
    e.repeat_stagger = get_number(cx, o, "repeat_stagger", 0, 0, SCENARIO_MAX_SECONDS);
    /* The JSON tree dies after loading: the scenario keeps its own copies. */
    c->signalr.hub = g_string_chunk_insert_const(sc->strings, get_string(cx, o, "hub", "chathub"));
    c->signalr.base_path =
        g_string_chunk_insert_const(sc->strings, get_string(cx, o, "base_path", "/signalr"));
    if (!cx->failed && !synth_scenario_add(sc, &e))
        fail(cx, "too many connection entries", "");
}

bool synth_format_parse(const char *name, synth_format *out)
{
    static const char *const names[] = {"pcap-us", "pcap-ns", "pcapng-us", "pcapng-ns"};
    for (int i = 0; i < 4; i++)
        if (strcmp(names[i], name) == 0) {
            *out = (synth_format)i;
            return true;
        }
    return false;
}

static void load_output(json_ctx *cx, JsonObject *root, synth_scenario *sc)
{
    const char *format = get_string(cx, root, "format", "pcapng-ns");
    const char *link = get_string(cx, root, "link", "ethernet");
    if (!synth_format_parse(format, &sc->output.format))
        fail(cx, "format must be pcap-us, pcap-ns, pcapng-us or pcapng-ns, not ", format);
    if (strcmp(link, "ethernet") != 0 && strcmp(link, "raw") != 0)
        fail(cx, "link must be ethernet or raw, not ", link);
    sc->output.link = strcmp(link, "raw") == 0 ? SYNTH_LINK_RAW : SYNTH_LINK_ETHERNET;
    sc->output.snaplen =
        (uint32_t)get_number(cx, root, "snaplen", SYNTH_DEFAULT_SNAPLEN, 1, SYNTH_DEFAULT_SNAPLEN);
    sc->output.seed = (uint64_t)get_number(cx, root, "seed", 1, 0, 9007199254740992.0);
}

static const char *const TOP_MEMBERS[] = {
    "format",          "link",        "snaplen", "seed", "start", "capture_from",
    "heartbeat_phase", "connections", NULL};

static void load_root(json_ctx *cx, JsonObject *root, synth_scenario *sc)
{
    check_members(cx, root, TOP_MEMBERS);
    load_output(cx, root, sc);
    /* Default start: 2024-06-10T06:13:20Z, a fixed time so files are reproducible. */
    sc->start = (synth_time)(get_number(cx, root, "start", 1718000000.0, 0, 4e9) * 1e9);
    double phase = get_number(cx, root, "heartbeat_phase", 0, 0, 3600);
    double late = get_number(cx, root, "capture_from", 0, 0, SCENARIO_MAX_SECONDS);
    sc->output.capture_from = late > 0 ? sc->start + (synth_time)(late * 1e9) : 0;
    JsonArray *conns = get_array(cx, root, "connections");
    guint n = conns ? json_array_get_length(conns) : 0;
    if (n == 0)
        fail(cx, "a scenario needs at least one entry in ", "connections");
    char where[64];
    for (guint i = 0; i < n && !cx->failed; i++) {
        snprintf(where, sizeof where, "connection %u", i);
        cx->where = where;
        JsonObject *o = element_object(cx, conns, i, "connections");
        if (o != NULL)
            load_connection(cx, o, sc, sc->output.seed * 1000003u + i);
        if (!cx->failed)
            sc->entries[sc->count - 1].script.heartbeat_origin =
                sc->start + (synth_time)(phase * 1e9);
    }
    cx->where = "scenario";
}

synth_scenario *synth_scenario_from_json(const char *text, size_t len, synth_error *err)
{
    JsonParser *parser = json_parser_new();
    GError *gerr = NULL;
    json_ctx cx = {.err = err, .where = "scenario", .failed = false};
    if (!json_parser_load_from_data(parser, text, (gssize)len, &gerr)) {
        synth_error_set(err, SYNTH_E_SCENARIO, "scenario is not JSON: %s", gerr->message);
        g_error_free(gerr);
        g_object_unref(parser);
        return NULL;
    }
    JsonNode *root = json_parser_get_root(parser);
    synth_scenario *sc = synth_scenario_new(0);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        fail(&cx, "the top level must be an object", "");
    else
        load_root(&cx, json_node_get_object(root), sc);
    g_object_unref(parser);
    if (cx.failed) {
        synth_scenario_free(sc);
        return NULL;
    }
    return sc;
}

/* Scenario files are written by hand: 16 MiB is far beyond any sensible one. */
#define SCENARIO_MAX_FILE_BYTES (16u << 20)

synth_scenario *synth_scenario_load(const char *path, synth_error *err)
{
    gchar *text = NULL;
    gsize len = 0;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &text, &len, &gerr)) {
        synth_error_set(err, SYNTH_E_IO, "cannot read %s: %s", path, gerr->message);
        g_error_free(gerr);
        return NULL;
    }
    synth_scenario *sc = NULL;
    if (len > SCENARIO_MAX_FILE_BYTES)
        synth_error_set(err, SYNTH_E_SCENARIO, "%s is larger than 16 MiB", path);
    else
        sc = synth_scenario_from_json(text, len, err);
    g_free(text);
    return sc;
}

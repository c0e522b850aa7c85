/* Report writers: JSON parses back with the documented keys, JSON Lines has one connection per
 * line, the text report shows the timeline, the filter and the findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-glib/json-glib.h>

#include "report/report.h"
#include "scenario.h"

typedef struct fixture {
    scenario s;
    char *text;
    size_t len;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    sc_init(&f->s, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sc_free(&f->s);
    free(f->text);
    free(f);
    return 0;
}

static const lf_report_input INPUT = {
    .path = "capture.pcapng",
    .packets = 1234,
    .first_time = SC_EPOCH_NS,
    .last_time = SC_EPOCH_NS + 121000000000LL,
};

/* Negotiate, WebSockets, keepalives, a 25 s silence, a client close and a reconnect. */
static void story_with_a_missed_keepalive(scenario *s)
{
    sc_connected_ws(s, 0, 20, 30);
    sc_keepalives(s, 10, 60, 10);
    sc_close(s, 85, LF_SR_CLOSED_WS_CLOSE, LF_SR_PARTY_CLIENT);
    sc_reconnect(s, 87);
    sc_keepalives(s, 90, 120, 10);
    sc_finish(s, 121);
}

typedef enum { AS_JSON, AS_JSONL, AS_TEXT, AS_COLOUR_TEXT } format;

static int render(fixture *f, format how)
{
    FILE *out = open_memstream(&f->text, &f->len);
    assert_non_null(out);
    lf_report_error err = {{0}};
    lf_report_text_options colour = {.color = true};
    int rc = how == AS_JSON    ? lf_report_json(out, &INPUT, 1, f->s.engine, &err)
             : how == AS_JSONL ? lf_report_jsonl(out, f->s.engine, &err)
                               : lf_report_text(out, &INPUT, 1, f->s.engine,
                                                how == AS_COLOUR_TEXT ? &colour : NULL, &err);
    fclose(out);
    return rc;
}

static JsonNode *parse(const char *text, gssize len)
{
    JsonParser *p = json_parser_new();
    GError *error = NULL;
    gboolean ok = json_parser_load_from_data(p, text, len, &error);
    if (!ok) {
        fail_msg("not JSON: %s", error->message);
    }
    JsonNode *root = json_node_copy(json_parser_get_root(p));
    g_object_unref(p);
    return root;
}

static void assert_members(JsonObject *o, const char *const *names)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        if (!json_object_has_member(o, names[i])) {
            fail_msg("missing key %s", names[i]);
        }
    }
}

static JsonObject *first_connection(JsonNode *root)
{
    JsonArray *conns = json_object_get_array_member(json_node_get_object(root), "connections");
    assert_int_equal(json_array_get_length(conns), 1);
    return json_array_get_object_element(conns, 0);
}

static void test_report_json_parses_back_with_the_documented_keys(void **state)
{
    fixture *f = *state;
    story_with_a_missed_keepalive(&f->s);
    assert_int_equal(render(f, AS_JSON), 0);
    JsonNode *root = parse(f->text, (gssize)f->len);
    JsonObject *doc = json_node_get_object(root);
    static const char *const top[] = {"inputs", "connections", "summary", NULL};
    assert_members(doc, top);
    JsonObject *input =
        json_array_get_object_element(json_object_get_array_member(doc, "inputs"), 0);
    static const char *const input_keys[] = {"path", "packets", "first_time", "last_time", NULL};
    assert_members(input, input_keys);
    assert_string_equal(json_object_get_string_member(input, "path"), "capture.pcapng");

    JsonObject *c = first_connection(root);
    static const char *const conn_keys[] = {"connection_id",
                                            "token",
                                            "previous_token",
                                            "protocol_version",
                                            "client_protocol",
                                            "url_prefix",
                                            "hubs",
                                            "client",
                                            "server",
                                            "transports",
                                            "first_time",
                                            "last_time",
                                            "settings",
                                            "legs",
                                            "streams",
                                            "keepalives",
                                            "events",
                                            "events_dropped",
                                            "findings",
                                            "findings_dropped",
                                            "end",
                                            NULL};
    assert_members(c, conn_keys);
    assert_string_equal(json_object_get_string_member(c, "token"), "tok-A");
    JsonObject *settings = json_object_get_object_member(c, "settings");
    static const char *const settings_keys[] = {"keepalive_timeout",
                                                "disconnect_timeout",
                                                "connection_timeout",
                                                "transport_connect_timeout",
                                                "source",
                                                NULL};
    assert_members(settings, settings_keys);
    assert_string_equal(json_object_get_string_member(settings, "source"), "negotiate");

    JsonArray *events = json_object_get_array_member(c, "events");
    static const char *const event_keys[] = {"time", "type", "stream", "file", "frame", NULL};
    for (guint i = 0; i < json_array_get_length(events); i++) {
        assert_members(json_array_get_object_element(events, i), event_keys);
    }
    /* The silence raised connectionSlow, then the reconnect: two findings, in that order. */
    JsonArray *findings = json_object_get_array_member(c, "findings");
    assert_int_equal(json_array_get_length(findings), 2);
    static const char *const finding_keys[] = {"type",    "severity", "time", "end_time",
                                               "message", "evidence", NULL};
    JsonObject *late = json_array_get_object_element(findings, 0);
    assert_members(late, finding_keys);
    assert_string_equal(json_object_get_string_member(late, "type"), "keepalive_late");
    assert_string_equal(json_object_get_string_member(late, "severity"), "warning");
    JsonObject *missed = json_array_get_object_element(findings, 1);
    assert_members(missed, finding_keys);
    assert_string_equal(json_object_get_string_member(missed, "type"), "keepalive_missed");
    assert_string_equal(json_object_get_string_member(missed, "severity"), "error");
    JsonObject *end = json_object_get_object_member(c, "end");
    assert_string_equal(json_object_get_string_member(end, "type"), "capture_ended");
    json_node_unref(root);
}

static void test_report_json_times_are_epoch_seconds_to_the_microsecond(void **state)
{
    fixture *f = *state;
    story_with_a_missed_keepalive(&f->s);
    assert_int_equal(render(f, AS_JSON), 0);
    /* The missed keepalive became true 20 s after the keepalive at 60 s. */
    assert_non_null(strstr(f->text, "\"time\": 1700000080,"));
    /* connect at 0.1 s */
    assert_non_null(strstr(f->text, "\"time\": 1700000000.1,"));
    JsonNode *root = parse(f->text, (gssize)f->len);
    JsonObject *c = first_connection(root);
    JsonObject *first = json_array_get_object_element(json_object_get_array_member(c, "events"), 0);
    assert_string_equal(json_object_get_string_member(first, "type"), "negotiate");
    double t = json_object_get_double_member(first, "time");
    assert_true(t > 1700000000.0 - 1e-6 && t < 1700000000.0 + 1e-6);
    json_node_unref(root);
}

static void test_report_json_missing_negotiate_has_null_id_and_assumed_settings(void **state)
{
    fixture *f = *state;
    sc_connect(&f->s, 0.1, SC_SSE);
    sc_keepalives(&f->s, 10, 30, 10);
    sc_finish(&f->s, 31);
    assert_int_equal(render(f, AS_JSON), 0);
    JsonNode *root = parse(f->text, (gssize)f->len);
    JsonObject *c = first_connection(root);
    assert_true(json_object_get_null_member(c, "connection_id"));
    JsonObject *settings = json_object_get_object_member(c, "settings");
    assert_string_equal(json_object_get_string_member(settings, "source"), "assumed");
    json_node_unref(root);
}

static void test_report_input_without_packets_has_no_times(void **state)
{
    fixture *f = *state;
    sc_finish(&f->s, 0);
    lf_report_input empty = {.path = "empty.pcap"};
    FILE *out = open_memstream(&f->text, &f->len);
    assert_int_equal(lf_report_json(out, &empty, 1, f->s.engine, NULL), 0);
    fclose(out);
    JsonNode *root = parse(f->text, (gssize)f->len);
    JsonArray *inputs = json_object_get_array_member(json_node_get_object(root), "inputs");
    assert_true(
        json_object_get_null_member(json_array_get_object_element(inputs, 0), "first_time"));
    json_node_unref(root);
    free(f->text);
    f->text = NULL;
    out = open_memstream(&f->text, &f->len);
    assert_int_equal(lf_report_text(out, &empty, 1, f->s.engine, NULL, NULL), 0);
    fclose(out);
    assert_non_null(strstr(f->text, "empty.pcap: no packets"));
    assert_non_null(strstr(f->text, "connections 0:"));
}

static void test_report_jsonl_writes_one_connection_per_line(void **state)
{
    fixture *f = *state;
    const char *tokens[] = {"tok-1", "tok-2", "tok-3"};
    for (int i = 0; i < 3; i++) {
        sc_token(&f->s, tokens[i]);
        sc_connected_ws(&f->s, i, 20, 30);
    }
    sc_finish(&f->s, 10);
    assert_int_equal(render(f, AS_JSONL), 0);
    int lines = 0;
    for (char *line = f->text, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        JsonNode *node = parse(line, nl - line);
        assert_string_equal(json_object_get_string_member(json_node_get_object(node), "token"),
                            tokens[lines]);
        json_node_unref(node);
        lines++;
    }
    assert_int_equal(lines, 3);
}

static void test_report_text_shows_the_timeline_filter_and_findings(void **state)
{
    fixture *f = *state;
    story_with_a_missed_keepalive(&f->s);
    assert_int_equal(render(f, AS_TEXT), 0);
    assert_non_null(strstr(f->text, "Connection 1: 7f3c2a9e-51b4-4d0c-9b8e-2d6f0a1c4e55"));
    assert_non_null(strstr(f->text, "  began       2023-11-14 22:13:20.000000 UTC\n"));
    assert_non_null(
        strstr(f->text, "  22:13:20.000000    +0.000  #1            0  negotiate -> 200"));
    assert_non_null(strstr(f->text, "connect webSockets -> 101 after 0.003 s"));
    assert_non_null(strstr(f->text, "keepalive x6 until +60.000 s (#15), largest gap 10.0 s"));
    assert_non_null(strstr(f->text, "!! warning keepalive_late: no data from server for"));
    assert_non_null(strstr(f->text, "!! error keepalive_missed: no data from server for"));
    assert_non_null(strstr(f->text, "transport closed by client (ws_close), idle 25.0 s"));
    assert_non_null(strstr(f->text, "reconnect webSockets -> 101"));
    assert_non_null(strstr(f->text, "signalr.token == \"tok-A\"  or  tcp.stream in {0 1 2}"));
    assert_non_null(strstr(f->text, "KeepAliveTimeout 20 s, DisconnectTimeout 30 s"));
    assert_non_null(strstr(f->text, "findings    keepalive_late 1, keepalive_missed 1"));
    assert_null(strstr(f->text, "\033["));
}

/* An hour of a message every 2 s: past the detailed beginning, one run stands for the rest. */
static void story_of_an_hour_of_messages(scenario *s)
{
    sc_connected_ws(s, 0, 20, 30);
    for (double t = 1; t < 3600; t += 2) {
        sc_message(s, t);
    }
    sc_finish(s, 3600);
}

/* Messages before the run, each an entry of its own. */
static unsigned single_messages(const lf_connection *c)
{
    unsigned n = 0;
    for (size_t i = 0; i < c->event_count; i++) {
        n += c->events[i].type == LF_TL_MESSAGE && c->events[i].count == 1;
    }
    return n;
}

/* The text with each wrapped line joined back to the one before (newline and indentation
 * become one space). Caller frees. */
static char *unwrapped(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '\n') {
            while (p[1] == ' ') {
                p++;
            }
            *o++ = ' ';
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static void test_report_text_summarises_a_run_of_messages(void **state)
{
    fixture *f = *state;
    story_of_an_hour_of_messages(&f->s);
    assert_int_equal(render(f, AS_TEXT), 0);
    /* 1800 messages; the run starts with the one after the detailed beginning, at 1 + 2n s */
    unsigned singles = single_messages(lf_lifecycle_connection(f->s.engine, 0));
    assert_true(singles > 0 && singles < LF_DETAILED_EVENTS);
    char line[200];
    snprintf(line, sizeof line,
             "message x%u until +3599.000 s (#1809), largest gap 2.0 s; %u in M, first cursor "
             "d-6A1F30C2-B,%X|C,0|D,1",
             1800 - singles, 1800 - singles, singles + 1);
    char *text = unwrapped(f->text);
    assert_non_null(strstr(text, line));
    free(text);
}

static void test_report_json_run_of_messages_has_count_and_last_frame(void **state)
{
    fixture *f = *state;
    story_of_an_hour_of_messages(&f->s);
    assert_int_equal(render(f, AS_JSON), 0);
    JsonNode *root = parse(f->text, (gssize)f->len);
    JsonArray *events = json_object_get_array_member(first_connection(root), "events");
    JsonObject *run = json_array_get_object_element(events, json_array_get_length(events) - 1);
    static const char *const run_keys[] = {"time",      "type",       "stream",  "file",
                                           "frame",     "transport",  "count",   "last_time",
                                           "last_frame", "max_gap",   "messages", "detail",
                                           NULL};
    assert_members(run, run_keys);
    assert_string_equal(json_object_get_string_member(run, "type"), "message");
    unsigned singles = single_messages(lf_lifecycle_connection(f->s.engine, 0));
    assert_int_equal(json_object_get_int_member(run, "count"), 1800 - singles);
    assert_int_equal(json_object_get_int_member(run, "messages"), 1800 - singles);
    assert_int_equal(json_object_get_int_member(run, "last_frame"), 1809);
    assert_true(json_object_get_double_member(run, "last_time") == 1700003599.0);
    assert_true(json_object_get_double_member(run, "max_gap") == 2.0);
    json_node_unref(root);
}

/* Lines are wrapped for a 100-column terminal; only the filter, pasted whole into Wireshark,
 * may be longer. */
static void test_report_text_lines_fit_a_terminal_except_the_filter(void **state)
{
    fixture *f = *state;
    story_with_a_missed_keepalive(&f->s);
    assert_int_equal(render(f, AS_TEXT), 0);
    int long_lines = 0, lines = 0;
    for (char *line = f->text, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1, lines++) {
        if (nl - line > 100) {
            assert_true(strncmp(line, "  wireshark   signalr.token == ", 31) == 0);
            long_lines++;
        }
    }
    assert_true(lines > 20);
    assert_true(long_lines <= 1);
    /* a finding's message wraps under the event column */
    assert_non_null(strstr(f->text, "\n                                                "
                                    "25.0 s, over 2/3 of KeepAliveTimeout 20 s (13.3 s):"));
}

static void test_report_text_lists_both_legs_of_a_proxied_connection(void **state)
{
    fixture *f = *state;
    sc_negotiate(&f->s, 0, 20, 30);
    sc_connect(&f->s, 0.1, SC_WS);
    f->s.client_host = 20; /* the proxy forwarding the same /connect to the server */
    f->s.server_host = 30;
    sc_connect(&f->s, 0.102, SC_WS);
    sc_finish(&f->s, 1);
    assert_int_equal(render(f, AS_TEXT), 0);
    assert_non_null(strstr(f->text, "  legs        10.0.0.10:"));
    assert_non_null(
        strstr(f->text, "-> 10.0.1.30:80, 3 events (mirror of another leg: not counted)"));
}

static void test_report_text_colours_findings_only_when_asked(void **state)
{
    fixture *f = *state;
    story_with_a_missed_keepalive(&f->s);
    assert_int_equal(render(f, AS_COLOUR_TEXT), 0);
    assert_non_null(strstr(f->text, "\033[31m!! error keepalive_missed\033[0m"));
}

static void test_report_write_failure_is_returned_not_printed(void **state)
{
    fixture *f = *state;
    story_with_a_missed_keepalive(&f->s);
    FILE *read_only = fopen("/dev/null", "r");
    assert_non_null(read_only);
    lf_report_error err = {{0}};
    assert_int_equal(lf_report_json(read_only, &INPUT, 1, f->s.engine, &err), -1);
    assert_non_null(strstr(err.message, "writing the JSON report failed"));
    clearerr(read_only);
    assert_int_equal(lf_report_text(read_only, &INPUT, 1, f->s.engine, NULL, &err), -1);
    assert_non_null(strstr(err.message, "writing the text report failed"));
    fclose(read_only);
}

typedef struct streamed {
    lf_report_writer *writer;
    int failures;
} streamed;

static void write_retired(void *ctx, const lf_connection *c)
{
    streamed *st = ctx;
    st->failures += lf_report_writer_connection(st->writer, c, NULL) != 0;
}

/* Three connections reported through the engine's on_retire callback as they end. */
static void stream_three_connections(fixture *f, lf_report_format format)
{
    FILE *out = open_memstream(&f->text, &f->len);
    static streamed st;
    st.writer = lf_report_writer_new(out, format, 1, NULL);
    st.failures = 0;
    sc_free(&f->s);
    lf_lifecycle_options opts = {.on_retire = write_retired, .retire_ctx = &st};
    sc_init(&f->s, &opts);
    const char *tokens[] = {"tok-1", "tok-2", "tok-3"};
    for (int i = 0; i < 3; i++) {
        sc_token(&f->s, tokens[i]);
        sc_connected_ws(&f->s, i * 400, 20, 30);
        sc_abort(&f->s, i * 400 + 5);
    }
    sc_finish(&f->s, 1200);
    assert_int_equal(lf_report_writer_end(st.writer, &INPUT, 1, 0, NULL), 0);
    assert_int_equal(st.failures, 0);
    lf_report_writer_free(st.writer);
    fclose(out);
}

static void test_report_writer_streams_json_connections_then_inputs_and_summary(void **state)
{
    fixture *f = *state;
    stream_three_connections(f, LF_REPORT_JSON);
    JsonNode *root = parse(f->text, (gssize)f->len);
    JsonObject *doc = json_node_get_object(root);
    static const char *const top[] = {"connections", "inputs", "summary", NULL};
    assert_members(doc, top);
    assert_int_equal(json_array_get_length(json_object_get_array_member(doc, "connections")), 3);
    JsonObject *summary = json_object_get_object_member(doc, "summary");
    assert_int_equal(json_object_get_int_member(summary, "connections"), 3);
    JsonObject *ends = json_object_get_object_member(summary, "ends");
    assert_int_equal(json_object_get_int_member(ends, "stopped"), 3);
    json_node_unref(root);
}

static void test_report_writer_streams_numbered_text_then_the_summary(void **state)
{
    fixture *f = *state;
    stream_three_connections(f, LF_REPORT_TEXT);
    assert_non_null(strstr(f->text, "Connection 1: "));
    assert_non_null(strstr(f->text, "Connection 3: "));
    assert_non_null(strstr(f->text, "  connections 3: stopped 3"));
    assert_true(strstr(f->text, "Connection 3: ") < strstr(f->text, "Summary"));
}

/* A deterministic generator: the soup is the same on every run. */
static uint32_t next_random(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static void random_event(scenario *s, uint32_t *rng, double t, const lf_wire_str *tokens,
                         size_t n_tokens)
{
    static const char junk[] = "d-\"\\\x01\xff-B,1|C,0";
    lf_signalr_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (lf_sr_event_type)(next_random(rng) % (LF_SR_ERROR + 1));
    ev.request_kind = (sr_request_kind)(next_random(rng) % (SR_REQUEST_HUBS + 1));
    ev.transport = (sr_transport)(next_random(rng) % (SR_TRANSPORT_UNRECOGNIZED + 1));
    ev.token = tokens[next_random(rng) % n_tokens];
    lf_wire_str j = {junk, sizeof junk - 1};
    sr_negotiate neg;
    memset(&neg, 0, sizeof neg);
    neg.keep_alive_timeout = (sr_duration){true, next_random(rng) % 2 == 0, next_random(rng)};
    neg.disconnect_timeout = (sr_duration){true, false, (int64_t)next_random(rng) * 1000};
    switch (ev.type) {
    case LF_SR_REQUEST:
        ev.u.request.message_id = j;
        ev.u.request.stale_token = j;
        break;
    case LF_SR_RESPONSE:
        ev.u.response.status = 100 + next_random(rng) % 500;
        break;
    case LF_SR_NEGOTIATE_RESULT:
        ev.u.negotiate.parsed = &neg;
        break;
    case LF_SR_INIT:
    case LF_SR_MESSAGE:
    case LF_SR_DISCONNECT_COMMAND:
        ev.u.message.cursor = j;
        ev.u.message.cursor_prefix = (lf_wire_str){junk, next_random(rng) % sizeof junk};
        break;
    case LF_SR_HUB_INVOCATION:
        ev.u.invocation.hub = j;
        ev.u.invocation.method = j;
        ev.u.invocation.id = j;
        break;
    case LF_SR_HUB_RESULT:
        ev.u.result.id = j;
        break;
    case LF_SR_TRANSPORT_CLOSED:
        ev.u.closed.how = (lf_sr_close_how)(next_random(rng) % (LF_SR_CLOSED_EVICTED + 1));
        ev.u.closed.by = (lf_sr_party)(next_random(rng) % 3);
        break;
    case LF_SR_ERROR:
        ev.u.error.text = "bad \"bytes\"\n";
        break;
    default:
        break;
    }
    s->client_host = (uint8_t)(next_random(rng) % 3);
    sc_feed(s, &ev, t, next_random(rng) % 7);
}

static void test_report_random_event_soup_gives_valid_reports(void **state)
{
    fixture *f = *state;
    static const char odd_token[] = {'a', '\0', '"', '\\', (char)0xff, '\n'};
    const lf_wire_str tokens[] = {
        {"tok-A", 5}, {"tok-B", 5}, {odd_token, sizeof odd_token}, {"", 0}};
    uint32_t rng = 12345;
    double t = 0;
    for (int i = 0; i < 20000; i++) {
        /* mostly forward, sometimes a step back: captures merged from two files disagree */
        t += (double)(next_random(&rng) % 4000) / 1000.0 - 0.2;
        random_event(&f->s, &rng, t, tokens, 4);
    }
    sc_finish(&f->s, t);
    for (format how = AS_JSON; how <= AS_COLOUR_TEXT; how++) {
        free(f->text);
        f->text = NULL;
        assert_int_equal(render(f, how), 0);
        if (how == AS_JSON) {
            json_node_unref(parse(f->text, (gssize)f->len));
        }
    }
    assert_true(lf_lifecycle_connection_count(f->s.engine) <= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_report_json_parses_back_with_the_documented_keys),
        T(test_report_text_summarises_a_run_of_messages),
        T(test_report_json_run_of_messages_has_count_and_last_frame),
        T(test_report_json_times_are_epoch_seconds_to_the_microsecond),
        T(test_report_json_missing_negotiate_has_null_id_and_assumed_settings),
        T(test_report_input_without_packets_has_no_times),
        T(test_report_jsonl_writes_one_connection_per_line),
        T(test_report_text_shows_the_timeline_filter_and_findings),
        T(test_report_text_lines_fit_a_terminal_except_the_filter),
        T(test_report_text_lists_both_legs_of_a_proxied_connection),
        T(test_report_text_colours_findings_only_when_asked),
        T(test_report_write_failure_is_returned_not_printed),
        T(test_report_writer_streams_json_connections_then_inputs_and_summary),
        T(test_report_writer_streams_numbered_text_then_the_summary),
        T(test_report_random_event_soup_gives_valid_reports),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

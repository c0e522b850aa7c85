/* Scenario files and the scheduler: validation of hand-written JSON, copies of a connection,
 * reproducible output, timestamp order, and memory that does not grow with the duration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bench_scenario.h"
#include "readback.h"
#include "scenario.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>

static synth_scenario *parse(const char *json, synth_error *err)
{
    return synth_scenario_from_json(json, strlen(json), err);
}

static void assert_rejected(const char *json, const char *reason)
{
    synth_error err = {0};
    assert_null(parse(json, &err));
    assert_int_equal(err.status, SYNTH_E_SCENARIO);
    if (strstr(err.message, reason) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.message, reason);
}

static void test_misspelt_member_is_rejected_by_name(void **state)
{
    (void)state;
    assert_rejected("{\"connections\":[{\"client\":\"10.0.0.2:5000\",\"server\":\"10.0.0.1:80\","
                    "\"keepalve\":10}]}",
                    "connection 0: unknown member keepalve");
}

static void test_bad_values_are_rejected_with_the_reason(void **state)
{
    (void)state;
    assert_rejected("not json", "not JSON");
    assert_rejected("[1,2]", "top level must be an object");
    assert_rejected("{\"connections\":[]}", "at least one");
    assert_rejected("{\"connections\":[{\"server\":\"10.0.0.1:80\"}]}", "client endpoint");
    assert_rejected("{\"connections\":[{\"client\":\"10.0.0.2:5000\",\"server\":\"[::1]:80\"}]}",
                    "both be IPv4 or both IPv6");
    assert_rejected("{\"connections\":[{\"client\":\"10.0.0.2:5000\",\"server\":\"10.0.0.1:80\","
                    "\"transport\":\"webSocket\"}]}",
                    "transport must be");
    assert_rejected("{\"connections\":[{\"client\":\"10.0.0.2:5000\",\"server\":\"10.0.0.1:80\","
                    "\"keepalive\":\"10\"}]}",
                    "expected a number for keepalive");
    assert_rejected("{\"connections\":[{\"client\":\"10.0.0.2:5000\",\"server\":\"10.0.0.1:80\","
                    "\"mss\":70000}]}",
                    "out of range for mss");
    assert_rejected(
        "{\"connections\":[{\"client\":\"10.0.0.2:65530\",\"server\":\"10.0.0.1:80\"}]}",
        "client port must leave room");
    assert_rejected("{\"format\":\"pcapng\",\"connections\":[{\"client\":\"10.0.0.2:5000\","
                    "\"server\":\"10.0.0.1:80\"}]}",
                    "format must be");
    assert_rejected("{\"connections\":[{\"client\":\"10.0.0.2:5000\",\"server\":\"10.0.0.1:80\","
                    "\"anomalies\":[{\"at\":1,\"kind\":\"lose\"}]}]}",
                    "unknown anomaly kind lose");
}

static void test_a_full_connection_entry_is_loaded(void **state)
{
    (void)state;
    synth_error err = {0};
    synth_scenario *sc = parse(
        "{\"format\":\"pcap-us\",\"link\":\"raw\",\"start\":1718000000,\"connections\":["
        "{\"client\":\"10.0.0.2:5000\",\"server\":\"10.0.0.1:80\",\"transport\":\"longPolling\","
        "\"start\":2.5,\"keepalive\":5,\"isn_client\":4294967290,\"hub\":\"stockhub\","
        "\"outages\":[{\"at\":30,\"duration\":40,\"reconnect\":true}],\"end\":\"reset\","
        "\"repeat\":3,\"repeat_stagger\":0.5}]}",
        &err);
    assert_non_null(sc);
    assert_int_equal(sc->output.format, SYNTH_PCAP_US);
    assert_int_equal(sc->output.link, SYNTH_LINK_RAW);
    const conn_script_config *c = &sc->entries[0].script;
    assert_int_equal(c->transport, SYNTH_SR_LONG_POLLING);
    assert_int_equal(c->start, 1718000002500000000ull);
    assert_int_equal(c->tcp.isn_client, 4294967290u);
    assert_string_equal(c->signalr.hub, "stockhub");
    assert_true(c->outages[0].reconnect);
    assert_int_equal(c->end, SCRIPT_END_RESET);
    assert_int_equal(sc->entries[0].repeat, 3);
    synth_scenario_free(sc);
}

static void test_copies_advance_the_port_then_the_address(void **state)
{
    (void)state;
    synth_endpoint base, ep;
    synth_endpoint_parse("10.1.0.255:65500", &base);
    ep = scenario_copy_endpoint(&base, 1);
    assert_int_equal(ep.port, 65500 + SCRIPT_PORT_STRIDE);
    assert_int_equal(ep.addr[3], 255);
    ep = scenario_copy_endpoint(&base, 2); /* (65535-65500)/16 = 2 slots per address */
    assert_int_equal(ep.port, 65500);
    assert_int_equal(ep.addr[2], 1);
    assert_int_equal(ep.addr[3], 0);
}

/* Runs alongside the connections and records how many frames the queue holds. */
typedef struct {
    synth_generator base;
    synth_time end;
    size_t *max_held;
} probe;

static synth_status probe_step(synth_generator *g, synth_t *s)
{
    probe *p = (probe *)g;
    size_t held = synth_packets_held(s);
    if (held > *p->max_held)
        *p->max_held = held;
    g->next += SYNTH_NS_PER_S / 2;
    g->done = g->next > p->end;
    return SYNTH_OK;
}

static void probe_destroy(synth_generator *g)
{
    g_free(g);
}

static size_t max_held_for_duration(double seconds, uint64_t *written)
{
    bench_params bp;
    bench_default_params(&bp);
    bp.connections = 100;
    bp.duration = seconds;
    bp.hub_every = 5;
    synth_error err = {0};
    synth_scenario *sc = bench_scenario_new(&bp, &err);
    char *path = temp_capture_path("held.pcap");
    synth_t *s = synth_new(path, &sc->output, &err);
    synth_scheduler *sch = synth_scheduler_new();
    size_t max_held = 0;
    uint64_t connections = 0;
    assert_int_equal(synth_scenario_schedule(sc, sch, &connections, &err), SYNTH_OK);
    assert_int_equal(connections, 100);
    probe *p = g_new0(probe, 1);
    p->base.next = sc->start;
    p->base.step = probe_step;
    p->base.destroy = probe_destroy;
    p->end = sc->start + (synth_time)(seconds * 1e9);
    p->max_held = &max_held;
    assert_int_equal(synth_scheduler_add(sch, &p->base, &err), SYNTH_OK);
    assert_int_equal(synth_scheduler_run(sch, s), SYNTH_OK);
    synth_scheduler_free(sch);
    synth_flush_until(s, UINT64_MAX);
    *written = synth_packets_written(s);
    assert_int_equal(synth_close(s, &err), SYNTH_OK);
    unlink(path);
    g_free(path);
    synth_scenario_free(sc);
    return max_held;
}

static void test_held_frames_do_not_grow_with_the_duration(void **state)
{
    (void)state;
    uint64_t short_written, long_written;
    size_t short_held = max_held_for_duration(120, &short_written);
    size_t long_held = max_held_for_duration(1200, &long_written);
    /* Ten times longer: eight times more packets at least (openings and endings are fixed). */
    assert_true(long_written > 8 * short_written);
    assert_true(long_held <= short_held + 16);
    assert_true(long_held < 100 * 20);
}

static void write_scenario(const char *json, const char *path, synth_run_stats *stats)
{
    synth_error err = {0};
    synth_scenario *sc = parse(json, &err);
    assert_non_null(sc);
    assert_int_equal(synth_scenario_write(sc, path, stats, &err), SYNTH_OK);
    synth_scenario_free(sc);
}

static const char OVERLAPPING[] =
    "{\"seed\":5,\"connections\":["
    "{\"client\":\"10.0.0.2:5000\",\"server\":\"10.0.0.1:80\",\"duration\":100,"
    "\"hub_every\":3,\"message_every\":7,\"repeat\":5,\"repeat_stagger\":0.3},"
    "{\"client\":\"10.0.0.3:5000\",\"server\":\"10.0.0.1:80\",\"transport\":\"longPolling\","
    "\"duration\":100,\"connection_timeout\":20,\"message_every\":9,"
    "\"outages\":[{\"at\":30,\"duration\":30,\"reconnect\":true}]}]}";

static void test_output_is_in_time_order_across_connections(void **state)
{
    (void)state;
    char *path = temp_capture_path("order.pcapng");
    synth_run_stats stats;
    write_scenario(OVERLAPPING, path, &stats);
    read_capture c;
    assert_true(capture_read(path, &c));
    assert_int_equal(c.count, stats.packets);
    assert_int_equal(stats.connections, 6);
    for (size_t i = 1; i < c.count; i++)
        assert_true(c.frames[i].ts_ns >= c.frames[i - 1].ts_ns);
    capture_free(&c);
    unlink(path);
    g_free(path);
}

static void test_same_scenario_gives_byte_identical_files(void **state)
{
    (void)state;
    char *a = temp_capture_path("same-a.pcapng");
    char *b = temp_capture_path("same-b.pcapng");
    write_scenario(OVERLAPPING, a, NULL);
    write_scenario(OVERLAPPING, b, NULL);
    gchar *da, *db;
    gsize la, lb;
    assert_true(g_file_get_contents(a, &da, &la, NULL));
    assert_true(g_file_get_contents(b, &db, &lb, NULL));
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    g_free(da);
    g_free(db);
    unlink(a);
    unlink(b);
    g_free(a);
    g_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misspelt_member_is_rejected_by_name),
        cmocka_unit_test(test_bad_values_are_rejected_with_the_reason),
        cmocka_unit_test(test_a_full_connection_entry_is_loaded),
        cmocka_unit_test(test_copies_advance_the_port_then_the_address),
        cmocka_unit_test(test_held_frames_do_not_grow_with_the_duration),
        cmocka_unit_test(test_output_is_in_time_order_across_connections),
        cmocka_unit_test(test_same_scenario_gives_byte_identical_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

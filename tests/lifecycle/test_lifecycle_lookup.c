/* The engine's fast paths: finding a connection by token (the token table and the per-stream
 * cache in front of it), building detail texts without printf, and the block store behind the
 * details. Each must give exactly what the plain way gives, on the boundary cases too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lifecycle/detail_text.h"
#include "lifecycle/record.h"
#include "lifecycle/token_table.h"
#include "scenario.h"

/* ---- token table ---------------------------------------------------------------------------- */

static void test_token_table_finds_each_of_thousands_of_tokens(void **state)
{
    (void)state;
    enum { N = 5000 };
    static char keys[N][16];
    lf_token_table t;
    lf_token_table_init(&t);
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "tok-%05d", i);
        size_t len = strlen(keys[i]);
        lf_token_table_insert(&t, keys[i], len, lf_token_table_hash(&t, keys[i], len), keys[i]);
    }
    for (int i = 0; i < N; i++) {
        char probe[16]; /* a different buffer with the same bytes, as an event brings them */
        memcpy(probe, keys[i], sizeof probe);
        size_t len = strlen(probe);
        assert_ptr_equal(lf_token_table_find(&t, probe, len, lf_token_table_hash(&t, probe, len)),
                         keys[i]);
    }
    const char *absent = "tok-99999";
    assert_null(lf_token_table_find(&t, absent, 9, lf_token_table_hash(&t, absent, 9)));
    lf_token_table_free(&t);
}

static void test_token_table_tells_apart_tokens_differing_in_length_or_one_byte(void **state)
{
    (void)state;
    /* hostile tokens may hold NUL bytes: "abc" and "abc\0" are two tokens */
    static const char with_nul[4] = {'a', 'b', 'c', '\0'};
    const char *keys[] = {"abc", with_nul, "abd", ""};
    const size_t lens[] = {3, 4, 3, 0};
    int values[4];
    lf_token_table t;
    lf_token_table_init(&t);
    for (int i = 0; i < 4; i++) {
        lf_token_table_insert(&t, keys[i], lens[i], lf_token_table_hash(&t, keys[i], lens[i]),
                              &values[i]);
    }
    for (int i = 0; i < 4; i++) {
        uint64_t h = lf_token_table_hash(&t, keys[i], lens[i]);
        assert_ptr_equal(lf_token_table_find(&t, keys[i], lens[i], h), &values[i]);
    }
    lf_token_table_free(&t);
}

/* Hashes are passed in, so a test can make every key land on the same slot: here the last two
 * slots of the smallest table, so that the probe run wraps around to the first slots. */
static void test_token_table_removal_inside_a_wrapping_cluster_keeps_the_rest(void **state)
{
    (void)state;
    static const char *keys[] = {"k0", "k1", "k2", "k3", "k4", "k5"};
    static const uint64_t hashes[] = {62, 63, 62, 0, 63, 62};
    lf_token_table t;
    lf_token_table_init(&t);
    for (int i = 0; i < 6; i++) {
        lf_token_table_insert(&t, keys[i], 2, hashes[i], (void *)keys[i]);
    }
    assert_int_equal(t.mask, 63); /* the cluster really wraps: slots 62, 63, 0, 1, ... */
    int order[] = {0, 3, 1, 5, 2, 4};
    for (int r = 0; r < 6; r++) {
        int gone = order[r];
        lf_token_table_remove(&t, keys[gone], 2, hashes[gone]);
        assert_null(lf_token_table_find(&t, keys[gone], 2, hashes[gone]));
        for (int k = r + 1; k < 6; k++) {
            int kept = order[k];
            assert_ptr_equal(lf_token_table_find(&t, keys[kept], 2, hashes[kept]), keys[kept]);
        }
    }
    assert_int_equal(t.count, 0);
    lf_token_table_remove(&t, keys[0], 2, hashes[0]); /* absent: nothing happens */
    assert_int_equal(t.count, 0);
    lf_token_table_free(&t);
}

static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

/* A reference that is obviously right (a flag per key) against the table, with hashes drawn
 * from a handful of values so that long clusters form, grow, wrap and get holes punched. */
static void test_token_table_agrees_with_a_reference_over_random_inserts_and_removals(void **state)
{
    (void)state;
    enum { KEYS = 300, STEPS = 20000 };
    static char keys[KEYS][8];
    bool present[KEYS] = {false};
    lf_token_table t;
    lf_token_table_init(&t);
    uint32_t rng = 7;
    for (int i = 0; i < KEYS; i++) {
        snprintf(keys[i], sizeof keys[i], "%d", i);
    }
    for (int step = 0; step < STEPS; step++) {
        int k = (int)(next_random(&rng) % KEYS);
        uint64_t hash = (uint64_t)(k % 7) * 61; /* few distinct homes, many collisions */
        size_t len = strlen(keys[k]);
        if (present[k]) {
            lf_token_table_remove(&t, keys[k], len, hash);
        } else {
            lf_token_table_insert(&t, keys[k], len, hash, keys[k]);
        }
        present[k] = !present[k];
        int check = (int)(next_random(&rng) % KEYS);
        uint64_t check_hash = (uint64_t)(check % 7) * 61;
        void *found = lf_token_table_find(&t, keys[check], strlen(keys[check]), check_hash);
        assert_ptr_equal(found, present[check] ? keys[check] : NULL);
    }
    size_t count = 0;
    for (int i = 0; i < KEYS; i++) {
        count += present[i];
    }
    assert_int_equal(t.count, count);
    lf_token_table_free(&t);
}

/* ---- detail texts --------------------------------------------------------------------------- */

/* What the engine built with g_strdup_printf("%.*s...") before. */
static void assert_same_as_printf(const char *bytes, size_t len)
{
    char expected[LF_DETAIL_TEXT_MAX + 8];
    snprintf(expected, sizeof expected, "[%.*s]", (int)len, len > 0 ? bytes : "");
    lf_detail_text d;
    lf_detail_text_init(&d);
    lf_detail_text_add_str(&d, "[");
    lf_detail_text_add(&d, bytes, len);
    lf_detail_text_add_str(&d, "]");
    assert_int_equal(d.len, strlen(expected));
    assert_memory_equal(d.bytes, expected, d.len);
}

static void test_detail_text_takes_pieces_as_printf_precision_does(void **state)
{
    (void)state;
    static const char cursor[] = "d-6A1F30C2-B,4|C,0";
    static const char nul_inside[] = {'c', 'h', 'a', 't', '\0', 'h', 'u', 'b'};
    static const char nul_first[] = {'\0', 'x'};
    assert_same_as_printf(cursor, strlen(cursor));
    assert_same_as_printf(cursor, 5);     /* cut by the length */
    assert_same_as_printf(nul_inside, 8); /* cut at the NUL */
    assert_same_as_printf(nul_inside, 4); /* length ends right before the NUL */
    assert_same_as_printf(nul_first, 2);  /* nothing at all */
    assert_same_as_printf(NULL, 0);       /* an absent piece */
    assert_same_as_printf(cursor, 0);     /* a present but empty piece */
}

static void test_detail_text_cuts_at_its_capacity_instead_of_overflowing(void **state)
{
    (void)state;
    static char big[LF_DETAIL_TEXT_MAX + 100];
    memset(big, 'x', sizeof big);
    lf_detail_text d;
    lf_detail_text_init(&d);
    lf_detail_text_add(&d, big, sizeof big);
    lf_detail_text_add_str(&d, "more");
    assert_int_equal(d.len, LF_DETAIL_TEXT_MAX);
}

/* ---- the store behind details --------------------------------------------------------------- */

static lf_signalr_event routine_event(uint64_t frame)
{
    lf_signalr_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = LF_SR_MESSAGE;
    ev.at.frame = frame;
    ev.at.time = (lf_time_ns)frame * 1000000;
    ev.stream = 1;
    return ev;
}

static void test_details_replaced_again_and_again_stay_right_and_bounded(void **state)
{
    (void)state;
    lf_connection c;
    memset(&c, 0, sizeof c);
    enum { ENTRIES = 8, ROUNDS = 5000 };
    for (uint64_t i = 1; i <= ENTRIES; i++) {
        lf_signalr_event ev = routine_event(i);
        assert_non_null(lf_record_add_event(&c, LF_TL_ERROR, &ev));
    }
    char text[64];
    for (int r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < ENTRIES; i++) {
            int n = snprintf(text, sizeof text, "entry %zu round %d%s", i, r, r % 3 ? "" : " \x01");
            lf_record_set_detail(&c, &c.events[i], text, (size_t)n);
        }
        /* memory follows the live texts: garbage never outgrows them for long */
        assert_true(c.details.garbage <= 4096 + 1024 || c.details.garbage <= c.details.live);
    }
    for (size_t i = 0; i < ENTRIES; i++) {
        snprintf(text, sizeof text, "entry %zu round %d", i, ROUNDS - 1);
        assert_string_equal(c.events[i].detail, text);
    }
    lf_record_set_detail(&c, &c.events[0], "bell\x07", 5);
    assert_string_equal(c.events[0].detail, "bell?"); /* made printable like lf_record_text() */
    lf_record_set_detail(&c, &c.events[1], NULL, 0);
    assert_null(c.events[1].detail);
    lf_connection *copy = lf_connection_copy(&c);
    lf_record_clear(&c);
    assert_string_equal(copy->events[0].detail, "bell?"); /* the copy has its own texts */
    assert_null(copy->events[1].detail);
    lf_connection_free(copy);
}

/* ---- the per-stream cache in front of the token table --------------------------------------- */

/* token_id 0: the classifier gave none, the engine compares tokens. */
static void keepalive_with_id(scenario *s, const char *token, uint64_t token_id, double t,
                              uint64_t stream)
{
    lf_signalr_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = LF_SR_KEEPALIVE;
    ev.transport = SC_WS;
    ev.dir = TCP_DIR_TO_CLIENT;
    ev.token.ptr = token;
    ev.token.len = strlen(token);
    ev.token_id = token_id;
    sc_feed(s, &ev, t, stream);
}

static void keepalive_on(scenario *s, const char *token, double t, uint64_t stream)
{
    keepalive_with_id(s, token, 0, t, stream);
}

/* Connections tok-A and tok-B over WebSockets, with the keepalives each had by then. */
static void connect_a_and_b(scenario *s, uint64_t *a_before, uint64_t *b_before)
{
    sc_token(s, "tok-A");
    sc_connected_ws(s, 0, 20, 30);
    sc_token(s, "tok-B");
    sc_connected_ws(s, 0.5, 20, 30);
    *a_before = sc_conn(s, "tok-A")->keepalives;
    *b_before = sc_conn(s, "tok-B")->keepalives;
}

/* Two connections whose events alternate on one TCP stream (a proxy multiplexing them, or a
 * hostile capture): a stream's cached connection must never take another token's events. */
static void test_lifecycle_one_stream_alternating_between_two_tokens_keeps_them_apart(void **state)
{
    scenario *s = *state;
    uint64_t a_before, b_before;
    connect_a_and_b(s, &a_before, &b_before);
    for (int i = 0; i < 10; i++) {
        keepalive_on(s, "tok-A", 1 + i, 777);
        keepalive_on(s, "tok-B", 1.5 + i, 777);
        keepalive_on(s, "tok-B", 1.6 + i, 777);
    }
    sc_finish(s, 20);
    assert_int_equal(lf_lifecycle_connection_count(s->engine), 2);
    assert_int_equal(sc_conn(s, "tok-A")->keepalives - a_before, 10);
    assert_int_equal(sc_conn(s, "tok-B")->keepalives - b_before, 20);
}

/* The same with the classifier's token ids, and with events whose id is unknown (0) mixed in:
 * a stream's cached connection is taken on a matching id only. */
static void test_lifecycle_token_ids_keep_two_tokens_on_one_stream_apart(void **state)
{
    scenario *s = *state;
    uint64_t a_before, b_before;
    connect_a_and_b(s, &a_before, &b_before);
    for (int i = 0; i < 10; i++) {
        keepalive_with_id(s, "tok-A", 7, 1 + i, 777);
        keepalive_with_id(s, "tok-A", 7, 1.2 + i, 777);
        keepalive_with_id(s, "tok-B", 8, 1.5 + i, 777);
        keepalive_with_id(s, "tok-B", 8, 1.6 + i, 777);
        keepalive_with_id(s, "tok-A", 0, 1.7 + i, 777);
        keepalive_with_id(s, "tok-B", 0, 1.8 + i, 777);
    }
    sc_finish(s, 20);
    assert_int_equal(lf_lifecycle_connection_count(s->engine), 2);
    assert_int_equal(sc_conn(s, "tok-A")->keepalives - a_before, 30);
    assert_int_equal(sc_conn(s, "tok-B")->keepalives - b_before, 30);
}

typedef struct retired_tokens {
    char tokens[4][16];
    size_t count;
} retired_tokens;

static void remember_retired(void *ctx, const lf_connection *c)
{
    retired_tokens *r = ctx;
    if (r->count < 4) {
        snprintf(r->tokens[r->count++], sizeof r->tokens[0], "%s", c->token);
    }
}

/* A retired connection is freed while the capture goes on; a later connection arriving on the
 * same stream id must get a record of its own, not the freed one. */
static void
test_lifecycle_stream_reused_after_its_connection_retired_gets_a_new_record(void **state)
{
    scenario *s = *state;
    sc_free(s);
    static retired_tokens r;
    memset(&r, 0, sizeof r);
    lf_lifecycle_options opts = {.on_retire = remember_retired, .retire_ctx = &r};
    sc_init(s, &opts);
    keepalive_on(s, "old", 0, 42);
    keepalive_on(s, "old", 10, 42);
    keepalive_on(s, "new", 2000, 42); /* long after "old" went quiet for good */
    keepalive_on(s, "new", 2010, 42);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.tokens[0], "old");
    assert_int_equal(lf_lifecycle_connection_count(s->engine), 1);
    const lf_connection *c = lf_lifecycle_connection(s->engine, 0);
    assert_string_equal(c->token, "new");
    assert_int_equal(c->keepalives, 2);
    sc_finish(s, 2020);
    assert_int_equal(r.count, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_table_finds_each_of_thousands_of_tokens),
        cmocka_unit_test(test_token_table_tells_apart_tokens_differing_in_length_or_one_byte),
        cmocka_unit_test(test_token_table_removal_inside_a_wrapping_cluster_keeps_the_rest),
        cmocka_unit_test(test_token_table_agrees_with_a_reference_over_random_inserts_and_removals),
        cmocka_unit_test(test_detail_text_takes_pieces_as_printf_precision_does),
        cmocka_unit_test(test_detail_text_cuts_at_its_capacity_instead_of_overflowing),
        cmocka_unit_test(test_details_replaced_again_and_again_stay_right_and_bounded),
        cmocka_unit_test_setup_teardown(
            test_lifecycle_token_ids_keep_two_tokens_on_one_stream_apart, sc_fixture_setup,
            sc_fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_lifecycle_one_stream_alternating_between_two_tokens_keeps_them_apart,
            sc_fixture_setup, sc_fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_lifecycle_stream_reused_after_its_connection_retired_gets_a_new_record,
            sc_fixture_setup, sc_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

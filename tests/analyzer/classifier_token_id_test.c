/* classifier_token_id_test.c - the token_id the classifier gives each token it reads from a
 * request: on every bundled capture, events with the same token_id carry the same token (the
 * lifecycle engine relies on it to skip comparing tokens), and events do share ids, so that the
 * shortcut is taken at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "pipeline/pipeline.h"

typedef struct id_check {
    GHashTable *tokens; /* token_id -> the token first seen with it */
    uint64_t events_with_id, repeats, mismatches;
} id_check;

static void on_event(void *ctx, const lf_signalr_event *ev)
{
    id_check *c = ctx;
    if (ev->token_id == 0)
        return;
    assert_non_null(ev->token.ptr);
    c->events_with_id++;
    GBytes *seen = g_hash_table_lookup(c->tokens, &ev->token_id);
    if (seen == NULL) {
        uint64_t *key = g_new(uint64_t, 1);
        *key = ev->token_id;
        g_hash_table_insert(c->tokens, key, g_bytes_new(ev->token.ptr, ev->token.len));
        return;
    }
    c->repeats++;
    size_t len;
    const void *bytes = g_bytes_get_data(seen, &len);
    if (len != ev->token.len || memcmp(bytes, ev->token.ptr, len) != 0)
        c->mismatches++;
}

static void check_capture(const char *path, int threads)
{
    id_check c = {.tokens = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                                  (GDestroyNotify)g_bytes_unref)};
    lf_pipeline_options opts;
    lf_pipeline_options_default(&opts);
    opts.signalr = (lf_signalr_sink){.ctx = &c, .emit = on_event};
    opts.read_ahead = threads > 1;
    opts.sinks_on_thread = threads > 2;
    lf_pipeline_result res;
    const char *paths[] = {path};
    assert_int_equal(lf_pipeline_run(paths, 1, &opts, &res), 0);
    lf_pipeline_result_clear(&res);
    if (c.mismatches != 0)
        fail_msg("%s: %llu events carry another token than their token_id's first one", path,
                 (unsigned long long)c.mismatches);
    if (c.events_with_id == 0 || c.repeats == 0)
        fail_msg("%s: no event shared a token_id", path);
    g_hash_table_destroy(c.tokens);
}

static void test_events_sharing_a_token_id_carry_the_same_token(void **state)
{
    (void)state;
    GDir *dir = g_dir_open(LIFELINE_CAPTURES_DIR, 0, NULL);
    assert_non_null(dir);
    int checked = 0;
    for (const char *name; (name = g_dir_read_name(dir)) != NULL;) {
        if (!g_str_has_suffix(name, ".pcap"))
            continue;
        char *path = g_build_filename(LIFELINE_CAPTURES_DIR, name, NULL);
        check_capture(path, 1);
        check_capture(path, 3);
        g_free(path);
        checked++;
    }
    g_dir_close(dir);
    assert_true(checked >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_sharing_a_token_id_carry_the_same_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

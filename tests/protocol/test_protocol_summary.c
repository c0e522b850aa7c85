/* Tree-free payload summaries (sr_summary.h over sr_jscan.h): wherever the fast readers answer,
 * they must say exactly what the json-glib tree readers say. Checked on real payload shapes, on
 * the corner cases of JSON, and on thousands of mutations of real payloads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "protocol/sr_hub.h"
#include "protocol/sr_jscan.h"
#include "protocol/sr_json.h"
#include "protocol/sr_payload.h"
#include "protocol/sr_persistent.h"
#include "protocol/sr_summary.h"

/* Payloads as servers and the JS client send them (wire reference sec. 6, 7; captures/). */
static const char *const REAL[] = {
    "{\"C\":\"d-9F7127F0-B,0|C,0|D,1\",\"S\":1,\"M\":[]}",
    "{\"C\":\"d-9F7127F0-B,1|C,0|D,1\",\"M\":[{\"H\":\"ChatHub\",\"M\":\"addMessage\",\"A\":[\"ann\",\"hi\"]}]}",
    "{\"C\":\"s-0,9AB\",\"G\":\"Y2hhdA==\",\"M\":[1,\"two\",{\"x\":[null,true,false]}]}",
    "{\"C\":\"d-1-B,2\",\"T\":1,\"M\":[]}",
    "{\"C\":\"d-1-B,2\",\"D\":1,\"M\":[]}",
    "{\"C\":\"d-1-B,3\",\"L\":2000,\"M\":[]}",
    "{\"M\":[]}",
    "{\"M\":[{\"H\":\"h\",\"M\":\"m\",\"A\":[1.5e3,-2,\"\\u00e9\\n\"]}],\"C\":\"x\"}",
    "  {\"C\":\"d-1-B,0\",\"S\":1,\"M\":[]}  ",
    "{\"I\":\"0\"}",
    "{\"I\":\"12\",\"R\":{\"ok\":true}}",
    "{\"I\":\"2\",\"E\":\"There was an error invoking Hub method 'chathub.Fail'.\"}",
    "{\"I\":\"3\",\"E\":\"boom\",\"H\":true,\"D\":{\"code\":5},\"T\":\"at X\"}",
    "{\"I\":\"4\",\"S\":{\"count\":1},\"R\":null}",
    "{\"I\":5,\"R\":[]}",
    "{\"I\":\"P|4\",\"P\":{\"I\":\"4\",\"D\":50}}",
    "{\"Response\":\"started\"}",
    "{ \"Response\": \"pong\" }",
    "{\"Response\":\"failed\"}",
    "{\"Response\":null}",
    "{\"E\":\"closed by the service\"}",
    "{\"H\":\"chathub\",\"M\":\"Send\",\"A\":[\"ann\",\"hi\"],\"I\":0}",
    "{\"H\":\"chathub\",\"M\":\"Send\",\"A\":[],\"I\":\"7\",\"S\":{\"room\":\"a\"}}",
    "{\"H\":\"chathub\",\"M\":\"Notify\",\"A\":[{\"deep\":[[[1]]]}]}",
    "{\"hello\":\"world\"}",
    "{}",
    "{ }",
    "[{\"name\":\"chathub\"}]",
    "[{\"name\":\"chathub\"},{\"Name\":\"StatusHub\"}]",
    "[]",
};

/* JSON corners: each either read the same way by both, or left to the tree readers. */
static const char *const CORNERS[] = {
    "{\"C\":\"a\\\"b\",\"M\":[]}",       /* escaped cursor: tree reader decodes it */
    "{\"\\u0043\":\"x\",\"M\":[]}",      /* escaped key that decodes to "C" */
    "{\"C\":\"a\",\"C\":\"b\",\"M\":[]}", /* duplicate key: json-glib keeps the last */
    "{\"M\":[],\"M\":{}}",
    "{\"C\":\"x\",\"S\":1.0,\"M\":[]}",   /* integral double */
    "{\"C\":\"x\",\"S\":-1,\"M\":[]}",
    "{\"C\":\"x\",\"S\":1e2,\"M\":[]}",
    "{\"C\":\"x\",\"S\":99999999999999999999,\"M\":[]}",
    "{\"C\":\"x\",\"L\":1000000000000001,\"M\":[]}",
    "{\"C\":\"x\",\"L\":999999999999999,\"M\":[]}",
    "{\"C\":null,\"M\":[]}",
    "{\"C\":1,\"M\":[]}",
    "{\"C\":\"x\",\"M\":{}}",
    "{\"C\":\"x\",\"G\":null,\"M\":[]}",
    "{\"C\":\"x\",\"M\":[\"\\ud83d\\ude00\"]}", /* surrogate pair */
    "{\"C\":\"x\",\"M\":[\"\\ud800\"]}",         /* lone surrogate: json-glib refuses */
    "{\"C\":\"x\",\"M\":[\"\\u0000\"]}",
    "{\"C\":\"x\",\"M\":[\"\xc3\xa9\"]}",
    "{\"C\":\"x\",\"M\":[\"\xc3\"]}",             /* invalid UTF-8 */
    "{\"C\":\"x\",\"M\":[\"a\tb\"]}",             /* raw control character */
    "{\"C\":\"x\",\"M\":[1,]}",
    "{\"C\":\"x\",\"M\":[01]}",
    "{\"C\":\"x\",\"M\":[.5]}",
    "{\"C\":\"x\",\"M\":[1.]}",
    "{\"C\":\"x\",\"M\":[-0,0e0,1E+2,1e999]}",
    "{\"C\":\"x\",\"M\":[tru]}",
    "{\"C\":\"x\",\"M\":[]} x",
    "{\"C\":\"x\",\"M\":[]",
    "{\"C\":\"x\" \"M\":[]}",
    "{\"C\":\"x\",\"M\":['a']}",
    "{\"C\":\"x\",\"M\":[/*c*/]}",
    "{\"\":1}",
    "{\"I\":\"0\",\"E\":null}",
    "{\"I\":\"0\",\"E\":5}",
    "{\"I\":\"0\",\"H\":\"yes\"}",
    "{\"I\":1.5}",
    "{\"I\":-3}",
    "{\"I\":9007199254740993}",
    "{\"I\":\"a\\nb\"}",
    "{\"I\":null}",
    "{\"Response\":\"start\\u0065d\"}",
    "{\"Response\":5}",
    "{\"H\":\"chathub\",\"M\":\"Send\",\"A\":{}}",
    "{\"H\":\"chathub\",\"M\":5}",
    "{\"H\":\"c\\u0068athub\",\"M\":\"Send\"}",
    "{\"H\":\"chathub\",\"H\":\"x\",\"M\":\"Send\"}",
    "{\"E\":5}",
    "{\"E\":{}}",
    "{\"E\":\"x\",\"I\":\"1\"}",
    "[{\"name\":\"a\",\"Name\":\"b\"}]",
    "[{\"Name\":\"b\"}]",
    "[{\"name\":null}]",
    "[{\"name\":\"a\"},3]",
    "[{\"name\":\"a\",\"name\":\"b\"}]",
    "[{\"nam\\u0065\":\"a\"}]",
    "cb({\"I\":\"0\"});",
    "\xef\xbb\xbf{}",
    "",
    " ",
    "5",
    "\"s\"",
    /* hub lists around the exact JSON.stringify() shape read in one pass */
    "[{\"name\":\"\"}]",
    "[{\"name\":\"a\"},]",
    "[{\"name\":\"a\"}{\"name\":\"b\"}]",
    "[{\"name\":\"a\"}",
    "[{\"name\":\"a\"}]]",
    "[{\"name\":\"a\"}] ",
    "[ {\"name\":\"a\"}]",
    "[{\"name\":\"a\x7f\"}]",
    "[{\"name\":\"caf\xc3\xa9\"}]",
    "[{\"name\":\"a\\\"b\"}]",
    "[{\"name\":\"a\",\"x\":1}]",
    "[{\"name\":\"a\"},{\"Name\":\"B\"}]",
    "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]",
};

/* ---- what the tree readers say ------------------------------------------------------------ */

static void span_equals(sr_span span, const char *text)
{
    assert_non_null(span.ptr);
    assert_int_equal(span.len, strlen(text));
    assert_memory_equal(span.ptr, text, span.len);
}

static void check_persistent(const sr_server_summary *s, JsonNode *root)
{
    sr_persistent_response p;
    assert_int_equal(sr_persistent_from_node(root, &p, NULL), SR_OK);
    assert_int_equal(s->fields, p.fields);
    if (p.cursor_text.data != NULL)
        span_equals(s->cursor, p.cursor_text.data);
    else
        assert_null(s->cursor.ptr);
    assert_int_equal(s->initialized, p.initialized);
    assert_int_equal(s->disconnect, p.disconnect);
    assert_int_equal(s->timed_out, p.timed_out);
    assert_int_equal(s->long_poll_delay_ms, p.long_poll_delay_ms);
    assert_int_equal(s->message_count, p.message_count);
    sr_persistent_clear(&p);
}

static void check_result(const sr_server_summary *s, JsonNode *root)
{
    sr_hub_result r;
    assert_int_equal(sr_hub_result_from_node(root, &r, NULL), SR_OK);
    span_equals(s->invocation_id, r.invocation_id.data);
    assert_int_equal(s->is_error, (r.fields & SR_HUB_RESULT_E) != 0);
    sr_hub_result_clear(&r);
}

/* When the summary answers, the tree reader agrees on everything; returns whether it answered. */
static bool server_agrees(const char *text, size_t len)
{
    sr_server_summary s;
    if (sr_summary_server(text, len, &s) != SR_OK)
        return false;
    JsonNode *root = NULL;
    assert_int_equal(sr_payload_parse(text, len, &root, NULL, NULL), SR_OK);
    assert_int_equal(s.kind, sr_payload_classify_node(root));
    if (s.kind == SR_PAYLOAD_PERSISTENT_RESPONSE)
        check_persistent(&s, root);
    else if (s.kind == SR_PAYLOAD_HUB_RESULT)
        check_result(&s, root);
    json_node_unref(root);
    return true;
}

static bool invocation_agrees(const char *text, size_t len)
{
    sr_invocation_summary s;
    if (sr_summary_invocation(text, len, &s) != SR_OK)
        return false;
    sr_hub_invocation inv;
    assert_int_equal(sr_hub_invocation_parse(text, len, &inv, NULL), SR_OK);
    span_equals(s.hub, inv.hub.data);
    span_equals(s.method, inv.method.data);
    if (inv.invocation_id.data != NULL)
        span_equals(s.invocation_id, inv.invocation_id.data);
    else
        assert_null(s.invocation_id.ptr);
    sr_hub_invocation_clear(&inv);
    return true;
}

/* The hub names as sr_request_parse() reads connectionData from a tree. */
static bool hub_names_agree(const char *text, size_t len)
{
    sr_span names[8];
    size_t n;
    if (sr_summary_hub_names(text, len, names, 8, &n) != SR_OK)
        return false;
    JsonNode *root = NULL;
    assert_int_equal(sr_json_parse(text, len, &root, NULL), SR_OK);
    assert_true(JSON_NODE_HOLDS_ARRAY(root));
    JsonArray *arr = json_node_get_array(root);
    assert_int_equal(json_array_get_length(arr), n);
    for (size_t i = 0; i < n; i++) {
        JsonNode *el = json_array_get_element(arr, (guint)i);
        assert_true(JSON_NODE_HOLDS_OBJECT(el));
        JsonObject *obj = json_node_get_object(el);
        const char *key = json_object_has_member(obj, "name") ? "name" : "Name";
        sr_string name = {0};
        sr_field_state state;
        assert_int_equal(sr_json_get_string(obj, key, false, &name, &state, NULL), SR_OK);
        assert_int_equal(state, SR_FIELD_PRESENT);
        span_equals(names[i], name.data);
        sr_string_clear(&name);
    }
    json_node_unref(root);
    return true;
}

/* A client message summarised as an invocation is one for sr_payload_classify_node() too,
 * with the same hub, method and id as the hub-level summary. */
static bool payload_invocation_agrees(const char *text, size_t len)
{
    sr_invocation_summary s, hub_level;
    if (sr_summary_payload_invocation(text, len, &s) != SR_OK)
        return false;
    assert_int_equal(sr_summary_invocation(text, len, &hub_level), SR_OK);
    assert_true(s.hub.ptr == hub_level.hub.ptr && s.method.ptr == hub_level.method.ptr &&
                s.invocation_id.ptr == hub_level.invocation_id.ptr);
    JsonNode *root = NULL;
    assert_int_equal(sr_payload_parse(text, len, &root, NULL, NULL), SR_OK);
    assert_int_equal(sr_payload_classify_node(root), SR_PAYLOAD_HUB_INVOCATION);
    json_node_unref(root);
    return true;
}

static size_t agreements(const char *text, size_t len)
{
    return (size_t)server_agrees(text, len) + (size_t)invocation_agrees(text, len) +
           (size_t)payload_invocation_agrees(text, len) + (size_t)hub_names_agree(text, len);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_real_payloads_read_without_a_tree_match_the_tree_readers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(REAL) / sizeof(REAL[0]); i++)
        agreements(REAL[i], strlen(REAL[i]));
}

static void test_common_server_messages_take_the_fast_path(void **state)
{
    (void)state;
    const char *fast[] = {REAL[0], REAL[1], REAL[2], REAL[5], REAL[9], REAL[11], REAL[16],
                          REAL[18], REAL[24]};
    for (size_t i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
        assert_true(server_agrees(fast[i], strlen(fast[i])));
    assert_true(invocation_agrees(REAL[21], strlen(REAL[21])));
    assert_true(hub_names_agree(REAL[28], strlen(REAL[28])));
}

static void test_an_invocation_shape_the_payload_rules_class_elsewhere_is_left_to_the_tree(
    void **state)
{
    (void)state;
    const char *text = "{\"H\":\"chathub\",\"M\":\"Send\",\"A\":[],\"I\":0,\"C\":\"d-1\"}";
    sr_invocation_summary s;
    assert_int_equal(sr_summary_invocation(text, strlen(text), &s), SR_OK);
    assert_int_equal(sr_summary_payload_invocation(text, strlen(text), &s), SR_ERR_NO_MATCH);
    JsonNode *root = NULL;
    assert_int_equal(sr_payload_parse(text, strlen(text), &root, NULL, NULL), SR_OK);
    assert_int_equal(sr_payload_classify_node(root), SR_PAYLOAD_PERSISTENT_RESPONSE);
    json_node_unref(root);
    assert_true(payload_invocation_agrees(REAL[21], strlen(REAL[21])));
}

static void test_init_message_summary(void **state)
{
    (void)state;
    sr_server_summary s;
    assert_int_equal(sr_summary_server(REAL[0], strlen(REAL[0]), &s), SR_OK);
    assert_int_equal(s.kind, SR_PAYLOAD_PERSISTENT_RESPONSE);
    span_equals(s.cursor, "d-9F7127F0-B,0|C,0|D,1");
    assert_int_equal(s.initialized, 1);
    assert_int_equal(s.message_count, 0);
}

static void test_client_invocation_with_numeric_id(void **state)
{
    (void)state;
    sr_invocation_summary s;
    assert_int_equal(sr_summary_invocation(REAL[21], strlen(REAL[21]), &s), SR_OK);
    span_equals(s.hub, "chathub");
    span_equals(s.method, "Send");
    span_equals(s.invocation_id, "0");
}

static void test_json_corners_are_read_alike_or_left_to_the_tree(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(CORNERS) / sizeof(CORNERS[0]); i++)
        agreements(CORNERS[i], strlen(CORNERS[i]));
}

static void test_escapes_duplicates_and_non_integers_are_left_to_the_tree(void **state)
{
    (void)state;
    sr_server_summary s;
    const char *unsure[] = {CORNERS[0], CORNERS[1], CORNERS[2], CORNERS[4], CORNERS[15],
                            CORNERS[18], CORNERS[40]};
    for (size_t i = 0; i < sizeof(unsure) / sizeof(unsure[0]); i++)
        assert_int_equal(sr_summary_server(unsure[i], strlen(unsure[i]), &s), SR_ERR_NO_MATCH);
}

/* JSON.stringify() output read in one pass says what the walk says, up to the name limit. */
static void test_stringified_hub_lists_beyond_the_limit_are_refused_alike(void **state)
{
    (void)state;
    const char *three = "[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]";
    assert_true(hub_names_agree(three, strlen(three)));
    sr_span names[3];
    size_t n = 0;
    assert_int_equal(sr_summary_hub_names(three, strlen(three), names, 2, &n), SR_ERR_NO_MATCH);
    assert_int_equal(sr_summary_hub_names(three, strlen(three), names, 3, &n), SR_OK);
    assert_int_equal(n, 3);
    span_equals(names[2], "c");
}

/* {"C":"x","M":[[...]]} with the root object and `arrays` arrays nested inside it. */
static size_t nested(char *buf, size_t cap, int arrays)
{
    size_t n = (size_t)snprintf(buf, cap, "{\"C\":\"x\",\"M\":");
    for (int i = 0; i < arrays; i++)
        buf[n++] = '[';
    for (int i = 0; i < arrays; i++)
        buf[n++] = ']';
    buf[n++] = '}';
    return n;
}

static void test_nesting_beyond_the_tree_parsers_limit_is_left_to_it(void **state)
{
    (void)state;
    char deep[2 * SR_JSON_MAX_DEPTH + 64];
    size_t n = nested(deep, sizeof deep, SR_JSON_MAX_DEPTH);
    sr_server_summary s;
    assert_int_equal(sr_summary_server(deep, n, &s), SR_ERR_NO_MATCH);
    JsonNode *root = NULL;
    assert_int_equal(sr_json_parse(deep, n, &root, NULL), SR_ERR_JSON_TOO_DEEP);
    n = nested(deep, sizeof deep, SR_JSON_MAX_DEPTH - 1);
    assert_true(server_agrees(deep, n));
}

/* xorshift64: a fixed sequence, so a failure reproduces. */
static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Bytes that move JSON across the line between the fast subset and the rest. */
static const char MUTATION_BYTES[] = "{}[]\",:\\u0123456789-+.eE tfnrl\x01\xc3\xa9\"CMSDTGLIEHAP";

static size_t mutate(const char *seed, char *out, size_t cap, uint64_t *rng)
{
    size_t n = strlen(seed);
    memcpy(out, seed, n);
    int edits = 1 + (int)(next_random(rng) % 3);
    for (int e = 0; e < edits && n + 1 < cap; e++) {
        size_t at = n > 0 ? (size_t)(next_random(rng) % n) : 0;
        char b = MUTATION_BYTES[next_random(rng) % (sizeof(MUTATION_BYTES) - 1)];
        switch (next_random(rng) % 3) {
        case 0: /* replace */
            if (n > 0)
                out[at] = b;
            break;
        case 1: /* insert */
            memmove(out + at + 1, out + at, n - at);
            out[at] = b;
            n++;
            break;
        default: /* delete */
            if (n > 0) {
                memmove(out + at, out + at + 1, n - at - 1);
                n--;
            }
            break;
        }
    }
    return n;
}

static void test_mutated_payloads_never_disagree_with_the_tree_readers(void **state)
{
    (void)state;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    size_t answered = 0;
    char buf[512];
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof(REAL) / sizeof(REAL[0]); i++) {
            size_t n = mutate(REAL[i], buf, sizeof buf, &rng);
            answered += agreements(buf, n);
        }
    }
    /* Many mutants stay well-formed (a digit for a digit, a letter inside a string...). */
    assert_true(answered > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_payloads_read_without_a_tree_match_the_tree_readers),
        cmocka_unit_test(test_common_server_messages_take_the_fast_path),
        cmocka_unit_test(test_init_message_summary),
        cmocka_unit_test(test_client_invocation_with_numeric_id),
        cmocka_unit_test(test_json_corners_are_read_alike_or_left_to_the_tree),
        cmocka_unit_test(test_escapes_duplicates_and_non_integers_are_left_to_the_tree),
        cmocka_unit_test(test_stringified_hub_lists_beyond_the_limit_are_refused_alike),
        cmocka_unit_test(
            test_an_invocation_shape_the_payload_rules_class_elsewhere_is_left_to_the_tree),
        cmocka_unit_test(test_nesting_beyond_the_tree_parsers_limit_is_left_to_it),
        cmocka_unit_test(test_mutated_payloads_never_disagree_with_the_tree_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Request classification and parameter decoding (wire reference sec. 2, 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "protocol/sr_request.h"

#define CHATHUB_DATA "connectionData=%5B%7B%22name%22%3A%22chathub%22%7D%5D"
#define TOKEN_ENCODED "Xq7%2BaB9%2FkL...Qw%3D%3D"
#define TOKEN_DECODED "Xq7+aB9/kL...Qw=="

static sr_status parse(const char *method, const char *target, const char *form, sr_request *req,
                       sr_error *err)
{
    return sr_request_parse(method, strlen(method), target, strlen(target), form,
                            form != NULL ? strlen(form) : 0, req, err);
}

static void assert_param(const sr_request *req, sr_param_id id, const char *expected)
{
    const sr_param *p = &req->params[id];
    assert_true(p->present);
    assert_int_equal(p->status, SR_OK);
    assert_int_equal(p->value.len, strlen(expected));
    assert_memory_equal(p->value.data, expected, p->value.len);
}

static void assert_span(sr_span span, const char *expected)
{
    assert_int_equal(span.len, strlen(expected));
    assert_memory_equal(span.ptr, expected, span.len);
}

static void test_negotiate_from_js_2_4_3(void **state)
{
    (void)state;
    sr_request req;
    sr_error err = {0};
    assert_int_equal(parse("GET",
                           "/signalr/negotiate?clientProtocol=2.1&" CHATHUB_DATA
                           "&_=1718000000000",
                           NULL, &req, &err),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_NEGOTIATE);
    assert_int_equal(req.method, SR_METHOD_GET);
    assert_span(req.prefix, "/signalr");
    assert_int_equal(req.transport, SR_TRANSPORT_NONE);
    assert_param(&req, SR_PARAM_CLIENT_PROTOCOL, "2.1");
    assert_param(&req, SR_PARAM_CACHE_BUSTER, "1718000000000");
    assert_param(&req, SR_PARAM_CONNECTION_DATA, "[{\"name\":\"chathub\"}]");
    assert_int_equal(req.hub_count, 1);
    assert_string_equal(req.hubs[0].data, "chathub");
    assert_int_equal(req.flags, 0);
    sr_request_clear(&req);
}

static void test_websocket_connect_decodes_base64_token(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET",
                           "/signalr/connect?transport=webSockets&clientProtocol=2.1&connectionToken=" TOKEN_ENCODED
                           "&" CHATHUB_DATA "&tid=7",
                           NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_CONNECT);
    assert_int_equal(req.transport, SR_TRANSPORT_WEBSOCKETS);
    assert_param(&req, SR_PARAM_CONNECTION_TOKEN, TOKEN_DECODED);
    assert_param(&req, SR_PARAM_TID, "7");
    assert_false(req.params[SR_PARAM_CACHE_BUSTER].present);
    assert_int_equal(req.flags, 0);
    sr_request_clear(&req);
}

static void test_start_carries_token_and_cache_buster(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET",
                           "/signalr/start?transport=webSockets&clientProtocol=2.1&connectionToken=" TOKEN_ENCODED
                           "&" CHATHUB_DATA "&_=1718000000001",
                           NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_START);
    assert_param(&req, SR_PARAM_CACHE_BUSTER, "1718000000001");
    sr_request_clear(&req);
}

static void test_send_form_body_turns_plus_into_space(void **state)
{
    (void)state;
    sr_request req;
    const char *body = "data=%7B%22H%22%3A%22chathub%22%2C%22M%22%3A%22Send%22%2C%22A%22%3A%5B%22ann"
                       "%22%2C%22hi+there%22%5D%2C%22I%22%3A0%7D";
    assert_int_equal(parse("POST",
                           "/signalr/send?transport=serverSentEvents&clientProtocol=2.1&connectionToken=" TOKEN_ENCODED
                           "&" CHATHUB_DATA,
                           body, &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_SEND);
    assert_int_equal(req.method, SR_METHOD_POST);
    assert_int_equal(req.transport, SR_TRANSPORT_SERVER_SENT_EVENTS);
    assert_param(&req, SR_PARAM_FORM_DATA,
                 "{\"H\":\"chathub\",\"M\":\"Send\",\"A\":[\"ann\",\"hi there\"],\"I\":0}");
    sr_request_clear(&req);
}

static void test_plus_in_query_value_stays_plus_and_is_flagged(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr/connect?transport=webSockets&connectionToken=ab+c%2Bd", NULL,
                           &req, NULL),
                     SR_OK);
    assert_param(&req, SR_PARAM_CONNECTION_TOKEN, "ab+c+d");
    assert_int_equal(req.flags, SR_REQUEST_FLAG_RAW_PLUS_IN_QUERY);
    sr_request_clear(&req);
}

static void test_semicolon_in_query_value_is_flagged(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr/connect?transport=webSockets&connectionToken=ab;cd", NULL, &req, NULL),
                     SR_OK);
    assert_param(&req, SR_PARAM_CONNECTION_TOKEN, "ab;cd");
    assert_int_equal(req.flags, SR_REQUEST_FLAG_SEMICOLON_IN_QUERY);
    sr_request_clear(&req);
}

static void test_long_polling_2_2_poll_posts_cursor_in_form(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("POST",
                           "/signalr/poll?transport=longPolling&clientProtocol=1.5&connectionToken=" TOKEN_ENCODED
                           "&" CHATHUB_DATA,
                           "messageId=d-6A1F30C2-B%2C1%7CC%2C0%7CD%2C2&groupsToken=Wq%2B%3D%3D", &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_POLL);
    assert_int_equal(req.flags, SR_REQUEST_FLAG_FORM_CURSOR);
    assert_false(req.params[SR_PARAM_TID].present);
    assert_param(&req, SR_PARAM_FORM_MESSAGE_ID, "d-6A1F30C2-B,1|C,0|D,2");
    assert_param(&req, SR_PARAM_FORM_GROUPS_TOKEN, "Wq+==");
    const sr_string *cursor = sr_request_message_id(&req);
    assert_non_null(cursor);
    assert_string_equal(cursor->data, "d-6A1F30C2-B,1|C,0|D,2");
    sr_request_clear(&req);
}

static void test_long_polling_1_1_poll_is_get_with_query_cursor(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET",
                           "/signalr/poll?transport=longPolling&connectionToken=" TOKEN_ENCODED
                           "&messageId=d-6A1F30C2-B%2C1%7CC%2C0%7CD%2C2&tid=3&_=1718000000005",
                           NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_POLL);
    assert_int_equal(req.flags, 0);
    assert_false(req.params[SR_PARAM_CLIENT_PROTOCOL].present);
    assert_string_equal(sr_request_message_id(&req)->data, "d-6A1F30C2-B,1|C,0|D,2");
    sr_request_clear(&req);
}

static void test_long_polling_1_0_poll_hits_the_bare_prefix(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr?transport=longPolling&connectionToken=abc&messageId=B%2C4&tid=1",
                           NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_POLL);
    assert_int_equal(req.flags, SR_REQUEST_FLAG_BARE_POLL);
    assert_span(req.prefix, "/signalr");
    sr_request_clear(&req);
}

static void test_long_polling_reconnect_and_connect_suffixes(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("POST", "/signalr/reconnect?transport=longPolling&connectionToken=abc",
                           "messageId=B%2C4", &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_RECONNECT);
    sr_request_clear(&req);
    assert_int_equal(parse("POST", "/signalr/connect?transport=longPolling&connectionToken=abc", "",
                           &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_CONNECT);
    assert_int_equal(req.flags, 0);
    sr_request_clear(&req);
}

static void test_sse_poll_suffix_is_served_as_reconnect(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr/poll?transport=serverSentEvents&connectionToken=abc", NULL, &req,
                           NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_RECONNECT);
    assert_int_equal(req.flags, SR_REQUEST_FLAG_IMPLICIT_RECONNECT);
    sr_request_clear(&req);
    assert_int_equal(parse("GET", "/echo/whatever?transport=foreverFrame&connectionToken=abc&frameId=2",
                           NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_RECONNECT);
    assert_int_equal(req.flags, SR_REQUEST_FLAG_IMPLICIT_RECONNECT);
    assert_span(req.prefix, "/echo/whatever");
    sr_request_clear(&req);
}

static void test_prerelease_1_0_uses_plain_connection_id(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET",
                           "/echo/connect?transport=serverSentEvents&connectionId=7f3c2a9e-51b4-4d0c-9b8e-2d6f0a1c4e55"
                           "&groups=%5B%22room%22%5D",
                           NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_CONNECT);
    assert_int_equal(req.flags, SR_REQUEST_FLAG_LEGACY_CONNECTION_ID);
    assert_param(&req, SR_PARAM_CONNECTION_ID, "7f3c2a9e-51b4-4d0c-9b8e-2d6f0a1c4e55");
    assert_param(&req, SR_PARAM_GROUPS, "[\"room\"]");
    sr_request_clear(&req);
}

static void test_ping_has_no_token_and_needs_none(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr/ping?_=1718000300000", NULL, &req, NULL), SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_PING);
    assert_int_equal(req.flags, 0);
    sr_request_clear(&req);
}

static void test_hubs_proxy_with_trailing_slash(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr/hubs", NULL, &req, NULL), SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_HUBS);
    sr_request_clear(&req);
    assert_int_equal(parse("GET", "/app/signalr/js//", NULL, &req, NULL), SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_HUBS);
    assert_span(req.prefix, "/app/signalr");
    assert_span(req.path, "/app/signalr/js");
    sr_request_clear(&req);
}

static void test_suffix_matches_case_insensitively_under_any_prefix(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/Realtime/Feed/NEGOTIATE/?CLIENTPROTOCOL=1.4", NULL, &req, NULL), SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_NEGOTIATE);
    assert_span(req.prefix, "/Realtime/Feed");
    assert_param(&req, SR_PARAM_CLIENT_PROTOCOL, "1.4");
    sr_request_clear(&req);
}

static void test_absolute_form_target_through_a_proxy(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "http://example.test:8080/signalr/ping?_=1", NULL, &req, NULL), SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_PING);
    assert_int_equal(req.flags, SR_REQUEST_FLAG_ABSOLUTE_TARGET);
    assert_span(req.prefix, "/signalr");
    sr_request_clear(&req);
}

static void test_ordinary_page_is_not_signalr(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/index.html?page=2", NULL, &req, NULL), SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_NOT_SIGNALR);
    sr_request_clear(&req);
}

static void test_unrecognized_transport_on_unknown_path_is_unknown(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr/x?transport=carrierPigeon&connectionToken=a", NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_UNKNOWN);
    assert_int_equal(req.transport, SR_TRANSPORT_UNRECOGNIZED);
    sr_request_clear(&req);
}

static void test_transport_name_is_case_insensitive(void **state)
{
    (void)state;
    assert_int_equal(sr_transport_from_name("LONGPOLLING", 11), SR_TRANSPORT_LONG_POLLING);
    assert_int_equal(sr_transport_from_name("webSocket", 9), SR_TRANSPORT_UNRECOGNIZED);
    assert_string_equal(sr_transport_name(SR_TRANSPORT_FOREVER_FRAME), "foreverFrame");
}

static void test_send_without_transport_or_token_is_flagged(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("POST", "/signalr/send", "data=1", &req, NULL), SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_SEND);
    assert_int_equal(req.flags, SR_REQUEST_FLAG_MISSING_TRANSPORT | SR_REQUEST_FLAG_MISSING_TOKEN);
    sr_request_clear(&req);
}

static void test_abort_request(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("POST", "/signalr/abort?transport=webSockets&clientProtocol=2.1&connectionToken=" TOKEN_ENCODED,
                           "", &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_ABORT);
    assert_int_equal(req.flags, 0);
    sr_request_clear(&req);
}

static void test_jsonp_send_carries_data_and_callback_in_query(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET",
                           "/signalr/send?transport=longPolling&connectionToken=a&callback=jQuery371_1718&data=%7B%7D&_=9",
                           NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_SEND);
    assert_param(&req, SR_PARAM_CALLBACK, "jQuery371_1718");
    assert_param(&req, SR_PARAM_DATA, "{}");
    sr_request_clear(&req);
}

static void test_invalid_percent_escape_names_the_parameter(void **state)
{
    (void)state;
    sr_request req;
    sr_error err = {0};
    const char *target = "/signalr/connect?transport=webSockets&connectionToken=ab%G1cd";
    assert_int_equal(parse("GET", target, NULL, &req, &err), SR_ERR_BAD_PERCENT_ENCODING);
    assert_string_equal(err.field, "connectionToken");
    assert_int_equal(err.offset, (size_t)(strstr(target, "%G1") - target));
    assert_int_equal(req.kind, SR_REQUEST_CONNECT);
    assert_true(req.params[SR_PARAM_CONNECTION_TOKEN].present);
    assert_int_equal(req.params[SR_PARAM_CONNECTION_TOKEN].status, SR_ERR_BAD_PERCENT_ENCODING);
    assert_null(req.params[SR_PARAM_CONNECTION_TOKEN].value.data);
    sr_request_clear(&req);
}

static void test_truncated_percent_escape_at_end_of_query(void **state)
{
    (void)state;
    sr_request req;
    sr_error err = {0};
    assert_int_equal(parse("GET", "/signalr/reconnect?transport=webSockets&messageId=B%2C1&connectionToken=x%4",
                           NULL, &req, &err),
                     SR_ERR_BAD_PERCENT_ENCODING);
    assert_string_equal(err.field, "connectionToken");
    assert_param(&req, SR_PARAM_MESSAGE_ID, "B,1");
    sr_request_clear(&req);
}

static void test_invalid_percent_escape_in_form_body(void **state)
{
    (void)state;
    sr_request req;
    sr_error err = {0};
    assert_int_equal(parse("POST", "/signalr/send?transport=longPolling&connectionToken=a", "data=%7", &req, &err),
                     SR_ERR_BAD_PERCENT_ENCODING);
    assert_string_equal(err.field, "data");
    assert_int_equal(err.offset, 5);
    sr_request_clear(&req);
}

static void test_one_megabyte_token_decodes_byte_exact(void **state)
{
    (void)state;
    const size_t token_len = 1024 * 1024;
    GString *target = g_string_new("/signalr/connect?transport=webSockets&connectionToken=");
    char *expected = g_malloc(token_len);
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    for (size_t i = 0; i < token_len; i++) {
        char c = alphabet[(i * 7919) % (sizeof(alphabet) - 1)];
        expected[i] = c;
        if (c == '+')
            g_string_append(target, "%2B");
        else if (c == '/')
            g_string_append(target, "%2F");
        else if (c == '=')
            g_string_append(target, "%3D");
        else
            g_string_append_c(target, c);
    }
    g_string_append(target, "&tid=4");
    sr_request req;
    assert_int_equal(sr_request_parse("GET", 3, target->str, target->len, NULL, 0, &req, NULL), SR_OK);
    const sr_param *token = &req.params[SR_PARAM_CONNECTION_TOKEN];
    assert_int_equal(token->value.len, token_len);
    assert_memory_equal(token->value.data, expected, token_len);
    assert_param(&req, SR_PARAM_TID, "4");
    sr_request_clear(&req);
    g_free(expected);
    g_string_free(target, TRUE);
}

static void test_forever_frame_id_is_uint32(void **state)
{
    (void)state;
    sr_request req;
    sr_error err = {0};
    assert_int_equal(parse("GET", "/signalr/connect?transport=foreverFrame&connectionToken=a&tid=2&frameId=4294967295",
                           NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.frame_id, 4294967295u);
    sr_request_clear(&req);
    assert_int_equal(parse("GET", "/signalr/connect?transport=foreverFrame&connectionToken=a&frameId=4294967296",
                           NULL, &req, &err),
                     SR_ERR_BAD_NUMBER);
    assert_string_equal(err.field, "frameId");
    sr_request_clear(&req);
    assert_int_equal(parse("GET", "/signalr/connect?transport=foreverFrame&connectionToken=a&frameId=-1", NULL,
                           &req, NULL),
                     SR_ERR_BAD_NUMBER);
    sr_request_clear(&req);
}

static void test_dotnet_connection_data_uses_capital_name(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET",
                           "/signalr/negotiate?clientProtocol=2.1&connectionData=[%7B%22Name%22:%22ChatHub%22%7D,%7B%22Name%22:%22Other%22%7D]",
                           NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.hub_count, 2);
    assert_string_equal(req.hubs[0].data, "ChatHub");
    assert_string_equal(req.hubs[1].data, "Other");
    sr_request_clear(&req);
}

static void test_connection_data_that_is_not_a_hub_list(void **state)
{
    (void)state;
    sr_request req;
    sr_error err = {0};
    assert_int_equal(parse("GET", "/signalr/negotiate?connectionData=%5B%7B%22name%22%3A", NULL, &req, &err),
                     SR_ERR_JSON_SYNTAX);
    assert_string_equal(err.field, "connectionData");
    assert_int_equal(req.kind, SR_REQUEST_NEGOTIATE);
    sr_request_clear(&req);
    assert_int_equal(parse("GET", "/signalr/negotiate?connectionData=%5B42%5D", NULL, &req, &err),
                     SR_ERR_FIELD_TYPE);
    assert_int_equal(req.hub_count, 0);
    sr_request_clear(&req);
    assert_int_equal(parse("GET", "/signalr/negotiate?connectionData=%5B%5D", NULL, &req, &err), SR_OK);
    assert_int_equal(req.hub_count, 0);
    sr_request_clear(&req);
}

static void test_encoded_nul_in_token_is_kept(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr/connect?transport=webSockets&connectionToken=a%00b", NULL, &req, NULL),
                     SR_OK);
    assert_int_equal(req.params[SR_PARAM_CONNECTION_TOKEN].value.len, 3);
    assert_memory_equal(req.params[SR_PARAM_CONNECTION_TOKEN].value.data, "a\0b", 3);
    sr_request_clear(&req);
}

static void test_duplicate_parameter_keeps_first_and_flags(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr/connect?transport=webSockets&connectionToken=one&connectionToken=two",
                           NULL, &req, NULL),
                     SR_OK);
    assert_param(&req, SR_PARAM_CONNECTION_TOKEN, "one");
    assert_true(req.flags & SR_REQUEST_FLAG_DUPLICATE_PARAM);
    sr_request_clear(&req);
}

static void test_aspnet_core_negotiate_is_flagged(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("POST", "/chathub/negotiate?negotiateVersion=1", "", &req, NULL), SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_NEGOTIATE);
    assert_int_equal(req.flags, SR_REQUEST_FLAG_CORE_NEGOTIATE);
    sr_request_clear(&req);
}

static void test_hostile_bytes_in_target_do_not_crash(void **state)
{
    (void)state;
    const char target[] = "/sig\0nalr/\xff\xfe/connect?\0transport=webSockets&&&=&connectionToken&%%%&x=\xc3";
    const char form[] = "\0=\0&data&=&messageId=%";
    sr_request req;
    sr_error err = {0};
    sr_status s = sr_request_parse("G\0T", 3, target, sizeof(target) - 1, form, sizeof(form) - 1, &req, &err);
    assert_int_equal(s, SR_ERR_BAD_PERCENT_ENCODING);
    assert_string_equal(err.field, "messageId");
    assert_int_equal(req.kind, SR_REQUEST_CONNECT);
    assert_int_equal(req.method, SR_METHOD_OTHER);
    assert_param(&req, SR_PARAM_CONNECTION_TOKEN, "");
    sr_request_clear(&req);
    assert_int_equal(sr_request_parse(NULL, 0, NULL, 0, NULL, 0, &req, NULL), SR_OK);
    assert_int_equal(req.kind, SR_REQUEST_NOT_SIGNALR);
    sr_request_clear(&req);
}

/* Every parameter the model knows is found under its wire name in any letter case, in the
 * query or (for the FORM_ ones) in the form body, and only there. */
static void test_every_known_parameter_is_found_in_any_case(void **state)
{
    (void)state;
    for (sr_param_id id = 0; id < SR_PARAM_COUNT; id++) {
        bool in_form = id >= SR_PARAM_FORM_DATA;
        char *lower = g_ascii_strdown(sr_param_name(id), -1);
        char *upper = g_ascii_strup(sr_param_name(id), -1);
        const char *names[] = {sr_param_name(id), lower, upper};
        /* values each parameter also parses as: frameId a number, connectionData a list */
        const char *value = id == SR_PARAM_FRAME_ID          ? "7"
                            : id == SR_PARAM_CONNECTION_DATA ? "[]"
                                                             : "v";
        for (size_t n = 0; n < 3; n++) {
            char *pair = g_strdup_printf("%s=%s", names[n], value);
            char *target = g_strdup_printf("/signalr/send?%s", in_form ? "x=1" : pair);
            sr_request req;
            assert_int_equal(parse("POST", target, in_form ? pair : "", &req, NULL), SR_OK);
            assert_param(&req, id, value);
            sr_request_clear(&req);
            g_free(target);
            g_free(pair);
        }
        g_free(lower);
        g_free(upper);
    }
}

static void test_names_one_letter_off_a_known_one_are_ignored(void **state)
{
    (void)state;
    sr_request req;
    assert_int_equal(parse("GET", "/signalr/connect?transpork=webSockets&connectionTokem=a&clientProtocoX=1&connectionDatb=2&access_tokeN=t&acces__token=u",
                           NULL, &req, NULL),
                     SR_OK);
    for (sr_param_id id = 0; id < SR_PARAM_COUNT; id++)
        assert_int_equal(req.params[id].present, id == SR_PARAM_ACCESS_TOKEN);
    assert_param(&req, SR_PARAM_ACCESS_TOKEN, "t");
    sr_request_clear(&req);
}

/* A query too long for the request's own storage: the values move to the heap intact. */
static void test_values_beyond_the_inline_storage_are_decoded_intact(void **state)
{
    (void)state;
    GString *target = g_string_new("/signalr/connect?transport=longPolling&connectionToken=");
    GString *token = g_string_new(NULL);
    for (size_t i = 0; token->len < 3 * SR_REQUEST_INLINE_BYTES; i++) {
        g_string_append_printf(target, "tok%zu%%2B", i);
        g_string_append_printf(token, "tok%zu+", i);
    }
    g_string_append(target, "&connectionData=%5B");
    for (int h = 0; h < SR_REQUEST_INLINE_HUBS; h++)
        g_string_append_printf(target, "%s%%7B%%22name%%22%%3A%%22hub%d%%22%%7D", h ? "," : "", h);
    g_string_append(target, "%5D&tid=3");
    sr_request req;
    assert_int_equal(sr_request_parse("GET", 3, target->str, target->len, NULL, 0, &req, NULL), SR_OK);
    assert_param(&req, SR_PARAM_CONNECTION_TOKEN, token->str);
    assert_param(&req, SR_PARAM_TID, "3");
    assert_int_equal(req.hub_count, SR_REQUEST_INLINE_HUBS);
    for (int h = 0; h < SR_REQUEST_INLINE_HUBS; h++) {
        char name[16];
        snprintf(name, sizeof name, "hub%d", h);
        assert_string_equal(req.hubs[h].data, name);
    }
    sr_request_clear(&req);
    g_string_free(token, TRUE);
    g_string_free(target, TRUE);
}

/* More hubs than the request holds by itself are read by the tree reader, with the same names. */
static void test_more_hubs_than_the_inline_list_holds(void **state)
{
    (void)state;
    GString *target = g_string_new("/signalr/negotiate?connectionData=%5B");
    for (int h = 0; h <= SR_REQUEST_INLINE_HUBS; h++)
        g_string_append_printf(target, "%s%%7B%%22name%%22%%3A%%22hub%d%%22%%7D", h ? "," : "", h);
    g_string_append(target, "%5D");
    sr_request req;
    assert_int_equal(parse("GET", target->str, NULL, &req, NULL), SR_OK);
    assert_int_equal(req.hub_count, SR_REQUEST_INLINE_HUBS + 1);
    assert_string_equal(req.hubs[SR_REQUEST_INLINE_HUBS].data, "hub16");
    assert_string_equal(req.hubs[0].data, "hub0");
    sr_request_clear(&req);
    g_string_free(target, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negotiate_from_js_2_4_3),
        cmocka_unit_test(test_every_known_parameter_is_found_in_any_case),
        cmocka_unit_test(test_names_one_letter_off_a_known_one_are_ignored),
        cmocka_unit_test(test_values_beyond_the_inline_storage_are_decoded_intact),
        cmocka_unit_test(test_more_hubs_than_the_inline_list_holds),
        cmocka_unit_test(test_websocket_connect_decodes_base64_token),
        cmocka_unit_test(test_start_carries_token_and_cache_buster),
        cmocka_unit_test(test_send_form_body_turns_plus_into_space),
        cmocka_unit_test(test_plus_in_query_value_stays_plus_and_is_flagged),
        cmocka_unit_test(test_semicolon_in_query_value_is_flagged),
        cmocka_unit_test(test_long_polling_2_2_poll_posts_cursor_in_form),
        cmocka_unit_test(test_long_polling_1_1_poll_is_get_with_query_cursor),
        cmocka_unit_test(test_long_polling_1_0_poll_hits_the_bare_prefix),
        cmocka_unit_test(test_long_polling_reconnect_and_connect_suffixes),
        cmocka_unit_test(test_sse_poll_suffix_is_served_as_reconnect),
        cmocka_unit_test(test_prerelease_1_0_uses_plain_connection_id),
        cmocka_unit_test(test_ping_has_no_token_and_needs_none),
        cmocka_unit_test(test_hubs_proxy_with_trailing_slash),
        cmocka_unit_test(test_suffix_matches_case_insensitively_under_any_prefix),
        cmocka_unit_test(test_absolute_form_target_through_a_proxy),
        cmocka_unit_test(test_ordinary_page_is_not_signalr),
        cmocka_unit_test(test_unrecognized_transport_on_unknown_path_is_unknown),
        cmocka_unit_test(test_transport_name_is_case_insensitive),
        cmocka_unit_test(test_send_without_transport_or_token_is_flagged),
        cmocka_unit_test(test_abort_request),
        cmocka_unit_test(test_jsonp_send_carries_data_and_callback_in_query),
        cmocka_unit_test(test_invalid_percent_escape_names_the_parameter),
        cmocka_unit_test(test_truncated_percent_escape_at_end_of_query),
        cmocka_unit_test(test_invalid_percent_escape_in_form_body),
        cmocka_unit_test(test_one_megabyte_token_decodes_byte_exact),
        cmocka_unit_test(test_forever_frame_id_is_uint32),
        cmocka_unit_test(test_dotnet_connection_data_uses_capital_name),
        cmocka_unit_test(test_connection_data_that_is_not_a_hub_list),
        cmocka_unit_test(test_encoded_nul_in_token_is_kept),
        cmocka_unit_test(test_duplicate_parameter_keeps_first_and_flags),
        cmocka_unit_test(test_aspnet_core_negotiate_is_flagged),
        cmocka_unit_test(test_hostile_bytes_in_target_do_not_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

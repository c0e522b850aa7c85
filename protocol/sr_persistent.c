/* Persistent response envelope (Core/Transports/PersistentResponse.cs via sec. 6.1). */
#include "protocol/sr_persistent.h"

#include <string.h>

#include "protocol/sr_json.h"
#include "protocol/sr_payload.h"

typedef struct {
    const char *key;
    unsigned bit;
    size_t offset; /* of the uint64_t in sr_persistent_response */
    uint64_t max;
} flag_field;

static const flag_field NUMBER_FIELDS[] = {
    {"S", SR_PERSISTENT_S, offsetof(sr_persistent_response, initialized), UINT64_MAX},
    {"D", SR_PERSISTENT_D, offsetof(sr_persistent_response, disconnect), UINT64_MAX},
    {"T", SR_PERSISTENT_T, offsetof(sr_persistent_response, timed_out), UINT64_MAX},
    {"L", SR_PERSISTENT_L, offsetof(sr_persistent_response, long_poll_delay_ms),
     SR_PERSISTENT_MAX_L_MS},
};

static sr_status read_strings(JsonObject *obj, sr_persistent_response *out, sr_error *err)
{
    static const struct {
        const char *key;
        unsigned bit;
        size_t offset;
    } fields[] = {
        {"C", SR_PERSISTENT_C, offsetof(sr_persistent_response, cursor_text)},
        {"G", SR_PERSISTENT_G, offsetof(sr_persistent_response, groups_token)},
        {"E", SR_PERSISTENT_E, offsetof(sr_persistent_response, error)},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        sr_field_state state;
        sr_string *s = (sr_string *)((char *)out + fields[i].offset);
        sr_status status = sr_json_get_string(obj, fields[i].key, false, s, &state, err);
        if (status != SR_OK)
            return status;
        out->fields |= state != SR_FIELD_ABSENT ? fields[i].bit : 0;
    }
    return SR_OK;
}

static sr_status read_numbers(JsonObject *obj, sr_persistent_response *out, sr_error *err)
{
    for (size_t i = 0; i < G_N_ELEMENTS(NUMBER_FIELDS); i++) {
        const flag_field *f = &NUMBER_FIELDS[i];
        sr_field_state state;
        uint64_t *v = (uint64_t *)(void *)((char *)out + f->offset);
        sr_status status = sr_json_get_uint(obj, f->key, f->max, v, &state, err);
        if (status != SR_OK)
            return status;
        out->fields |= state != SR_FIELD_ABSENT ? f->bit : 0;
    }
    return SR_OK;
}

sr_status sr_persistent_from_node(JsonNode *root, sr_persistent_response *out, sr_error *err)
{
    memset(out, 0, sizeof(*out));
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return sr_error_set(err, SR_ERR_NOT_OBJECT, NULL, SR_NO_OFFSET);
    JsonObject *obj = json_node_get_object(root);
    sr_status status = read_strings(obj, out, err);
    if (status == SR_OK)
        status = read_numbers(obj, out, err);
    if (status != SR_OK)
        return status;
    JsonNode *m = json_object_get_member(obj, "M");
    if (m != NULL && !JSON_NODE_HOLDS_ARRAY(m))
        return sr_error_set(err, SR_ERR_FIELD_TYPE, "M", SR_NO_OFFSET);
    if (m != NULL) {
        out->fields |= SR_PERSISTENT_M;
        out->messages = json_node_ref(m);
        out->message_count = json_array_get_length(json_node_get_array(m));
    }
    if (!(out->fields & (SR_PERSISTENT_C | SR_PERSISTENT_M | SR_PERSISTENT_E)))
        return sr_error_set(err, SR_ERR_MISSING_FIELD, "M", SR_NO_OFFSET);
    if (out->fields & SR_PERSISTENT_C)
        out->cursor_status =
            sr_cursor_parse(out->cursor_text.data, out->cursor_text.len, &out->cursor, NULL);
    return SR_OK;
}

sr_status sr_persistent_parse(const char *bytes, size_t len, sr_persistent_response *out,
                              sr_error *err)
{
    memset(out, 0, sizeof(*out));
    JsonNode *root;
    sr_span callback;
    sr_status status = sr_payload_parse(bytes, len, &root, &callback, err);
    if (status != SR_OK)
        return status;
    status = sr_persistent_from_node(root, out, err);
    json_node_unref(root);
    if (callback.ptr != NULL)
        sr_string_set(&out->jsonp_callback, callback.ptr, callback.len);
    return status;
}

JsonNode *sr_persistent_message(const sr_persistent_response *resp, size_t i)
{
    if (resp->messages == NULL || i >= resp->message_count)
        return NULL;
    return json_array_get_element(json_node_get_array(resp->messages), (guint)i);
}

void sr_persistent_clear(sr_persistent_response *resp)
{
    sr_string_clear(&resp->cursor_text);
    sr_string_clear(&resp->groups_token);
    sr_string_clear(&resp->error);
    sr_string_clear(&resp->jsonp_callback);
    sr_cursor_clear(&resp->cursor);
    if (resp->messages != NULL)
        json_node_unref(resp->messages);
    memset(resp, 0, sizeof(*resp));
}

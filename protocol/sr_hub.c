/* Hub payloads (Core/Hubs/HubRequestParser.cs, HubResponse.cs, ClientHubInvocation.cs via sec. 7). */
#include "protocol/sr_hub.h"

#include <math.h>
#include <string.h>

#include "protocol/sr_json.h"

static bool member_is_string(JsonObject *obj, const char *key)
{
    JsonNode *n = json_object_get_member(obj, key);
    return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

sr_message_kind sr_hub_classify(JsonNode *value)
{
    if (value == NULL || !JSON_NODE_HOLDS_OBJECT(value))
        return SR_MESSAGE_PERSISTENT_PAYLOAD;
    JsonObject *obj = json_node_get_object(value);
    if (json_object_has_member(obj, "P"))
        return SR_MESSAGE_HUB_PROGRESS;
    if (member_is_string(obj, "H") && member_is_string(obj, "M"))
        return SR_MESSAGE_HUB_INVOCATION;
    if (json_object_has_member(obj, "I"))
        return SR_MESSAGE_HUB_RESULT;
    return SR_MESSAGE_PERSISTENT_PAYLOAD;
}

const char *sr_message_kind_name(sr_message_kind kind)
{
    switch (kind) {
    case SR_MESSAGE_PERSISTENT_PAYLOAD: return "persistent-payload";
    case SR_MESSAGE_HUB_INVOCATION: return "hub-invocation";
    case SR_MESSAGE_HUB_RESULT: return "hub-result";
    case SR_MESSAGE_HUB_PROGRESS: return "hub-progress";
    }
    return "unknown";
}

/* Largest integer a double (a JavaScript number) holds exactly. */
#define SR_MAX_SAFE_INTEGER 9007199254740991.0

/* Invocation ids are strings for the server and numbers for the JS client; keep them as text. */
static sr_status read_id(JsonObject *obj, const char *key, sr_string *out, sr_error *err)
{
    JsonNode *n = json_object_get_member(obj, key);
    if (n == NULL)
        return SR_OK;
    if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING) {
        const char *s = json_node_get_string(n);
        sr_string_set(out, s, strlen(s));
        return SR_OK;
    }
    double d;
    if (!sr_json_node_number(n, &d) || !(fabs(d) <= SR_MAX_SAFE_INTEGER) || d != floor(d))
        return sr_error_set(err, SR_ERR_FIELD_TYPE, key, SR_NO_OFFSET);
    char text[32];
    int n_chars = g_snprintf(text, sizeof(text), "%.0f", d);
    sr_string_set(out, text, (size_t)n_chars);
    return SR_OK;
}

/* Takes a reference on member key (any JSON type, null included); NULL when absent. */
static JsonNode *keep_member(JsonObject *obj, const char *key)
{
    JsonNode *n = json_object_get_member(obj, key);
    return n != NULL ? json_node_ref(n) : NULL;
}

static sr_status require_object(JsonNode *value, JsonObject **obj, sr_error *err)
{
    if (value == NULL || !JSON_NODE_HOLDS_OBJECT(value))
        return sr_error_set(err, SR_ERR_NOT_OBJECT, NULL, SR_NO_OFFSET);
    *obj = json_node_get_object(value);
    return SR_OK;
}

static sr_status require_string(JsonObject *obj, const char *key, sr_string *out, sr_error *err)
{
    sr_field_state state;
    sr_status status = sr_json_get_string(obj, key, false, out, &state, err);
    if (status == SR_OK && state == SR_FIELD_ABSENT)
        return sr_error_set(err, SR_ERR_MISSING_FIELD, key, SR_NO_OFFSET);
    return status;
}

sr_status sr_hub_invocation_from_node(JsonNode *value, sr_hub_invocation *out, sr_error *err)
{
    memset(out, 0, sizeof(*out));
    JsonObject *obj = NULL;
    sr_status status = require_object(value, &obj, err);
    if (status == SR_OK)
        status = require_string(obj, "H", &out->hub, err);
    if (status == SR_OK)
        status = require_string(obj, "M", &out->method, err);
    if (status == SR_OK)
        status = read_id(obj, "I", &out->invocation_id, err);
    if (status != SR_OK)
        return status;
    out->args = keep_member(obj, "A");
    out->state = keep_member(obj, "S");
    if (out->args != NULL && !JSON_NODE_HOLDS_ARRAY(out->args))
        return sr_error_set(err, SR_ERR_FIELD_TYPE, "A", SR_NO_OFFSET);
    if (out->args != NULL)
        out->arg_count = json_array_get_length(json_node_get_array(out->args));
    return SR_OK;
}

sr_status sr_hub_invocation_parse(const char *bytes, size_t len, sr_hub_invocation *out,
                                  sr_error *err)
{
    memset(out, 0, sizeof(*out));
    JsonNode *root;
    sr_status status = sr_json_parse(bytes, len, &root, err);
    if (status != SR_OK)
        return status;
    status = sr_hub_invocation_from_node(root, out, err);
    json_node_unref(root);
    return status;
}

static void unref_clear(JsonNode **node)
{
    if (*node != NULL)
        json_node_unref(*node);
    *node = NULL;
}

void sr_hub_invocation_clear(sr_hub_invocation *inv)
{
    sr_string_clear(&inv->hub);
    sr_string_clear(&inv->method);
    sr_string_clear(&inv->invocation_id);
    unref_clear(&inv->args);
    unref_clear(&inv->state);
    memset(inv, 0, sizeof(*inv));
}

static sr_status read_result_strings(JsonObject *obj, sr_hub_result *out, sr_error *err)
{
    sr_field_state state;
    sr_status status = sr_json_get_string(obj, "E", false, &out->error, &state, err);
    if (status != SR_OK)
        return status;
    out->fields |= state != SR_FIELD_ABSENT ? SR_HUB_RESULT_E : 0;
    status = sr_json_get_string(obj, "T", false, &out->stack_trace, &state, err);
    out->fields |= state != SR_FIELD_ABSENT ? SR_HUB_RESULT_T : 0;
    return status;
}

sr_status sr_hub_result_from_node(JsonNode *value, sr_hub_result *out, sr_error *err)
{
    memset(out, 0, sizeof(*out));
    JsonObject *obj = NULL;
    sr_status status = require_object(value, &obj, err);
    if (status != SR_OK)
        return status;
    if (!json_object_has_member(obj, "I"))
        return sr_error_set(err, SR_ERR_MISSING_FIELD, "I", SR_NO_OFFSET);
    status = read_id(obj, "I", &out->invocation_id, err);
    if (status == SR_OK)
        status = read_result_strings(obj, out, err);
    if (status != SR_OK)
        return status;
    sr_field_state state;
    status = sr_json_get_bool(obj, "H", &out->is_hub_exception, &state, err);
    out->fields |= state != SR_FIELD_ABSENT ? SR_HUB_RESULT_H : 0;
    out->result = keep_member(obj, "R");
    out->error_data = keep_member(obj, "D");
    out->state = keep_member(obj, "S");
    out->fields |= (out->result ? SR_HUB_RESULT_R : 0) | (out->error_data ? SR_HUB_RESULT_D : 0) |
                   (out->state ? SR_HUB_RESULT_S : 0);
    return status;
}

sr_status sr_hub_result_parse(const char *bytes, size_t len, sr_hub_result *out, sr_error *err)
{
    memset(out, 0, sizeof(*out));
    JsonNode *root;
    sr_status status = sr_json_parse(bytes, len, &root, err);
    if (status != SR_OK)
        return status;
    status = sr_hub_result_from_node(root, out, err);
    json_node_unref(root);
    return status;
}

void sr_hub_result_clear(sr_hub_result *res)
{
    sr_string_clear(&res->invocation_id);
    sr_string_clear(&res->error);
    sr_string_clear(&res->stack_trace);
    unref_clear(&res->result);
    unref_clear(&res->error_data);
    unref_clear(&res->state);
    memset(res, 0, sizeof(*res));
}

sr_status sr_hub_progress_from_node(JsonNode *value, sr_hub_progress *out, sr_error *err)
{
    memset(out, 0, sizeof(*out));
    JsonObject *obj = NULL;
    sr_status status = require_object(value, &obj, err);
    if (status == SR_OK)
        status = require_string(obj, "I", &out->message_id, err);
    if (status != SR_OK)
        return status;
    JsonNode *p = json_object_get_member(obj, "P");
    if (p == NULL || !JSON_NODE_HOLDS_OBJECT(p))
        return sr_error_set(err, p == NULL ? SR_ERR_MISSING_FIELD : SR_ERR_FIELD_TYPE, "P",
                            SR_NO_OFFSET);
    JsonObject *pobj = json_node_get_object(p);
    status = read_id(pobj, "I", &out->invocation_id, err);
    out->data = keep_member(pobj, "D");
    return status;
}

void sr_hub_progress_clear(sr_hub_progress *prog)
{
    sr_string_clear(&prog->message_id);
    sr_string_clear(&prog->invocation_id);
    unref_clear(&prog->data);
    memset(prog, 0, sizeof(*prog));
}

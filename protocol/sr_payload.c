/* Top-level JSON payload recognition (sec. 3.3 responses, 6, 7, 8). */
#include "protocol/sr_payload.h"

#include <string.h>

#include "protocol/sr_hub.h"
#include "protocol/sr_json.h"
#include "protocol/sr_jsonp.h"

sr_status sr_payload_parse(const char *bytes, size_t len, JsonNode **root, sr_span *callback,
                           sr_error *err)
{
    sr_span cb = {NULL, 0}, json = {bytes, len};
    sr_status status = sr_jsonp_unwrap(bytes, len, &cb, &json);
    if (status == SR_ERR_NO_MATCH) {
        cb.ptr = NULL;
        cb.len = 0;
        json.ptr = bytes;
        json.len = len;
    } else if (status != SR_OK) {
        *root = NULL;
        return sr_error_set(err, status, NULL, SR_NO_OFFSET);
    }
    if (callback != NULL)
        *callback = cb;
    status = sr_json_parse(json.ptr, json.len, root, err);
    if (status != SR_OK && err != NULL && err->offset != SR_NO_OFFSET)
        err->offset += (size_t)(json.ptr - bytes);
    return status;
}

static sr_payload_kind classify_response(JsonNode *value)
{
    if (!JSON_NODE_HOLDS_VALUE(value) || json_node_get_value_type(value) != G_TYPE_STRING)
        return SR_PAYLOAD_OTHER_RESPONSE;
    const char *s = json_node_get_string(value);
    if (strcmp(s, "started") == 0)
        return SR_PAYLOAD_START_RESPONSE;
    if (strcmp(s, "pong") == 0)
        return SR_PAYLOAD_PONG_RESPONSE;
    return SR_PAYLOAD_OTHER_RESPONSE;
}

static bool holds(JsonObject *obj, const char *key, JsonNodeType type)
{
    JsonNode *n = json_object_get_member(obj, key);
    return n != NULL && JSON_NODE_TYPE(n) == type;
}

sr_payload_kind sr_payload_classify_node(JsonNode *root)
{
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return SR_PAYLOAD_OTHER;
    JsonObject *obj = json_node_get_object(root);
    if (json_object_get_size(obj) == 0)
        return SR_PAYLOAD_KEEPALIVE;
    if (json_object_has_member(obj, "Response"))
        return classify_response(json_object_get_member(obj, "Response"));
    if (json_object_has_member(obj, "C") || holds(obj, "M", JSON_NODE_ARRAY) ||
        (holds(obj, "E", JSON_NODE_VALUE) && !json_object_has_member(obj, "I")))
        return SR_PAYLOAD_PERSISTENT_RESPONSE;
    switch (sr_hub_classify(root)) {
    case SR_MESSAGE_HUB_INVOCATION: return SR_PAYLOAD_HUB_INVOCATION;
    case SR_MESSAGE_HUB_RESULT: return SR_PAYLOAD_HUB_RESULT;
    case SR_MESSAGE_HUB_PROGRESS: return SR_PAYLOAD_HUB_PROGRESS;
    case SR_MESSAGE_PERSISTENT_PAYLOAD: break;
    }
    return SR_PAYLOAD_OTHER;
}

sr_status sr_payload_classify(const char *bytes, size_t len, sr_payload_kind *kind,
                              sr_error *err)
{
    JsonNode *root;
    *kind = SR_PAYLOAD_OTHER;
    sr_status status = sr_payload_parse(bytes, len, &root, NULL, err);
    if (status != SR_OK)
        return status;
    *kind = sr_payload_classify_node(root);
    json_node_unref(root);
    return SR_OK;
}

const char *sr_payload_kind_name(sr_payload_kind kind)
{
    switch (kind) {
    case SR_PAYLOAD_OTHER: return "other";
    case SR_PAYLOAD_KEEPALIVE: return "keepalive";
    case SR_PAYLOAD_PERSISTENT_RESPONSE: return "persistent-response";
    case SR_PAYLOAD_HUB_INVOCATION: return "hub-invocation";
    case SR_PAYLOAD_HUB_RESULT: return "hub-result";
    case SR_PAYLOAD_HUB_PROGRESS: return "hub-progress";
    case SR_PAYLOAD_START_RESPONSE: return "start-response";
    case SR_PAYLOAD_PONG_RESPONSE: return "pong-response";
    case SR_PAYLOAD_OTHER_RESPONSE: return "other-response";
    }
    return "other";
}

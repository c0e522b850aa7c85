/* Request classification by path suffix and parameter decoding (wire reference sec. 2, 3). */
#include "protocol/sr_request.h"

#include <glib.h>
#include <string.h>

#include "protocol/sr_json.h"
#include "protocol/sr_summary.h"
#include "protocol/sr_urlcode.h"

typedef struct {
    const char *name;
    bool in_form;
} param_spec;

static const param_spec PARAMS[SR_PARAM_COUNT] = {
    [SR_PARAM_TRANSPORT] = {"transport", false},
    [SR_PARAM_CONNECTION_TOKEN] = {"connectionToken", false},
    [SR_PARAM_CONNECTION_ID] = {"connectionId", false},
    [SR_PARAM_CLIENT_PROTOCOL] = {"clientProtocol", false},
    [SR_PARAM_CONNECTION_DATA] = {"connectionData", false},
    [SR_PARAM_MESSAGE_ID] = {"messageId", false},
    [SR_PARAM_GROUPS_TOKEN] = {"groupsToken", false},
    [SR_PARAM_GROUPS] = {"groups", false},
    [SR_PARAM_TID] = {"tid", false},
    [SR_PARAM_FRAME_ID] = {"frameId", false},
    [SR_PARAM_CALLBACK] = {"callback", false},
    [SR_PARAM_CACHE_BUSTER] = {"_", false},
    [SR_PARAM_ACCESS_TOKEN] = {"access_token", false},
    [SR_PARAM_DATA] = {"data", false},
    [SR_PARAM_NEGOTIATE_VERSION] = {"negotiateVersion", false},
    [SR_PARAM_FORM_DATA] = {"data", true},
    [SR_PARAM_FORM_MESSAGE_ID] = {"messageId", true},
    [SR_PARAM_FORM_GROUPS_TOKEN] = {"groupsToken", true},
};

typedef struct {
    const char *suffix;
    sr_request_kind kind;
} suffix_spec;

/* Every suffix the classic server dispatches on (sec. 2, items 1-7). */
static const suffix_spec SUFFIXES[] = {
    {"/negotiate", SR_REQUEST_NEGOTIATE}, {"/ping", SR_REQUEST_PING},
    {"/hubs", SR_REQUEST_HUBS},           {"/js", SR_REQUEST_HUBS},
    {"/start", SR_REQUEST_START},         {"/send", SR_REQUEST_SEND},
    {"/abort", SR_REQUEST_ABORT},         {"/connect", SR_REQUEST_CONNECT},
    {"/reconnect", SR_REQUEST_RECONNECT}, {"/poll", SR_REQUEST_POLL},
};

const char *sr_param_name(sr_param_id id)
{
    return id < SR_PARAM_COUNT ? PARAMS[id].name : "";
}

const char *sr_request_kind_name(sr_request_kind kind)
{
    switch (kind) {
    case SR_REQUEST_NOT_SIGNALR: return "not-signalr";
    case SR_REQUEST_UNKNOWN: return "unknown";
    case SR_REQUEST_NEGOTIATE: return "negotiate";
    case SR_REQUEST_CONNECT: return "connect";
    case SR_REQUEST_START: return "start";
    case SR_REQUEST_RECONNECT: return "reconnect";
    case SR_REQUEST_POLL: return "poll";
    case SR_REQUEST_SEND: return "send";
    case SR_REQUEST_PING: return "ping";
    case SR_REQUEST_ABORT: return "abort";
    case SR_REQUEST_HUBS: return "hubs";
    }
    return "unknown";
}

const char *sr_transport_name(sr_transport transport)
{
    switch (transport) {
    case SR_TRANSPORT_NONE: return "";
    case SR_TRANSPORT_WEBSOCKETS: return "webSockets";
    case SR_TRANSPORT_SERVER_SENT_EVENTS: return "serverSentEvents";
    case SR_TRANSPORT_FOREVER_FRAME: return "foreverFrame";
    case SR_TRANSPORT_LONG_POLLING: return "longPolling";
    case SR_TRANSPORT_UNRECOGNIZED: break;
    }
    return "unrecognized";
}

sr_transport sr_transport_from_name(const char *bytes, size_t len)
{
    for (sr_transport t = SR_TRANSPORT_WEBSOCKETS; t <= SR_TRANSPORT_LONG_POLLING; t++) {
        const char *name = sr_transport_name(t);
        if (strlen(name) == len && sr_ascii_caseeq(bytes, name, len))
            return t;
    }
    return SR_TRANSPORT_UNRECOGNIZED;
}

static sr_method method_of(const char *m, size_t len)
{
    if (m == NULL)
        return SR_METHOD_OTHER;
    if (len == 3 && memcmp(m, "GET", 3) == 0)
        return SR_METHOD_GET;
    if (len == 4 && memcmp(m, "POST", 4) == 0)
        return SR_METHOD_POST;
    return SR_METHOD_OTHER;
}

/* Splits the target into path and query; handles origin form and absolute form. */
static void split_target(const char *t, size_t len, sr_request *req, sr_span *query)
{
    size_t start = 0;
    const char *scheme_end = len > 0 && t[0] != '/' ? g_strstr_len(t, (gssize)len, "://") : NULL;
    if (scheme_end != NULL) {
        size_t authority = (size_t)(scheme_end - t) + 3;
        const char *slash = memchr(t + authority, '/', len - authority);
        start = slash != NULL ? (size_t)(slash - t) : len;
        req->flags |= SR_REQUEST_FLAG_ABSOLUTE_TARGET;
    }
    size_t end = start;
    while (end < len && t[end] != '?' && t[end] != '#')
        end++;
    query->ptr = t + end;
    query->len = 0;
    if (end < len && t[end] == '?') {
        size_t qend = end + 1;
        while (qend < len && t[qend] != '#')
            qend++;
        query->ptr = t + end + 1;
        query->len = qend - end - 1;
    }
    size_t path_end = end;
    while (path_end > start && t[path_end - 1] == '/')
        path_end--;
    req->path.ptr = t + start;
    req->path.len = path_end - start;
}

static void match_suffix(sr_request *req)
{
    req->kind = SR_REQUEST_NOT_SIGNALR;
    req->prefix = req->path;
    for (size_t i = 0; i < G_N_ELEMENTS(SUFFIXES); i++) {
        size_t n = strlen(SUFFIXES[i].suffix);
        if (req->path.len >= n &&
            sr_ascii_caseeq(req->path.ptr + req->path.len - n, SUFFIXES[i].suffix, n)) {
            req->kind = SUFFIXES[i].kind;
            req->prefix.len = req->path.len - n;
            return;
        }
    }
}

/* Decodes every parameter of one source (query or form) we know about; error offsets are
 * reported relative to base, the start of the buffer bytes lies in. */
static sr_status decode_params(const char *base, const char *bytes, size_t len, bool in_form,
                               sr_request *req, sr_error *err)
{
    sr_decode_mode mode = in_form ? SR_DECODE_FORM : SR_DECODE_QUERY;
    sr_status first = SR_OK;
    size_t pos = 0;
    sr_span name, value;
    while (sr_urlencoded_next(bytes, len, &pos, &name, &value)) {
        /* Names are nearly always plain: then a length and a byte comparison say it all. */
        bool plain = memchr(name.ptr, '%', name.len) == NULL && memchr(name.ptr, '+', name.len) == NULL;
        for (sr_param_id id = 0; id < SR_PARAM_COUNT; id++) {
            if (PARAMS[id].in_form != in_form)
                continue;
            bool same = plain ? name.len == strlen(PARAMS[id].name) &&
                                    sr_ascii_caseeq(name.ptr, PARAMS[id].name, name.len)
                              : sr_urlencoded_name_is(name, mode, PARAMS[id].name);
            if (!same)
                continue;
            sr_param *p = &req->params[id];
            if (p->present) {
                req->flags |= SR_REQUEST_FLAG_DUPLICATE_PARAM;
                break;
            }
            p->present = true;
            if (!in_form && memchr(value.ptr, '+', value.len) != NULL)
                req->flags |= SR_REQUEST_FLAG_RAW_PLUS_IN_QUERY;
            if (!in_form && memchr(value.ptr, ';', value.len) != NULL)
                req->flags |= SR_REQUEST_FLAG_SEMICOLON_IN_QUERY;
            size_t bad = 0;
            p->status = sr_percent_decode(value.ptr, value.len, mode, &p->value, &bad);
            if (p->status != SR_OK && first == SR_OK)
                first = sr_error_set(err, p->status, PARAMS[id].name,
                                     (size_t)(value.ptr - base) + bad);
            break;
        }
    }
    return first;
}

static sr_status parse_frame_id(sr_request *req, sr_error *err)
{
    sr_param *p = &req->params[SR_PARAM_FRAME_ID];
    if (!p->present || p->status != SR_OK)
        return SR_OK;
    uint64_t v = 0;
    bool ok = p->value.len > 0 && p->value.len <= 10;
    for (size_t i = 0; ok && i < p->value.len; i++) {
        char c = p->value.data[i];
        ok = c >= '0' && c <= '9';
        v = v * 10 + (uint64_t)(c - '0');
    }
    if (!ok || v > UINT32_MAX) {
        p->status = SR_ERR_BAD_NUMBER;
        return sr_error_set(err, p->status, "frameId", SR_NO_OFFSET);
    }
    req->frame_id = (uint32_t)v;
    return SR_OK;
}

/* Copies the "name" (JS) or "Name" (.NET) of every object in the connectionData array. */
static sr_status read_hub_names(JsonNode *root, sr_request *req)
{
    if (!JSON_NODE_HOLDS_ARRAY(root))
        return SR_ERR_FIELD_TYPE;
    JsonArray *arr = json_node_get_array(root);
    guint n = json_array_get_length(arr);
    req->hubs = g_new0(sr_string, n > 0 ? n : 1);
    for (guint i = 0; i < n; i++) {
        JsonNode *el = json_array_get_element(arr, i);
        if (!JSON_NODE_HOLDS_OBJECT(el))
            return SR_ERR_FIELD_TYPE;
        JsonObject *obj = json_node_get_object(el);
        const char *key = json_object_has_member(obj, "name") ? "name" : "Name";
        sr_field_state state;
        sr_status status =
            sr_json_get_string(obj, key, false, &req->hubs[req->hub_count], &state, NULL);
        if (status != SR_OK)
            return status;
        if (state != SR_FIELD_PRESENT)
            return SR_ERR_MISSING_FIELD;
        req->hub_count++;
    }
    return SR_OK;
}

/* Hub names read without a JSON tree before a connectionData needs one: clients list a few. */
#define QUICK_HUB_NAMES 16

/* The common connectionData, [{"name":"chathub"}], read without a tree (sr_summary.h). */
static bool quick_hub_names(const sr_param *p, sr_request *req)
{
    sr_span names[QUICK_HUB_NAMES];
    size_t n;
    if (sr_summary_hub_names(p->value.data, p->value.len, names, QUICK_HUB_NAMES, &n) != SR_OK)
        return false;
    req->hubs = g_new0(sr_string, n > 0 ? n : 1);
    for (size_t i = 0; i < n; i++)
        sr_string_set(&req->hubs[i], names[i].ptr, names[i].len);
    req->hub_count = n;
    return true;
}

static sr_status parse_hub_names(sr_request *req, sr_error *err)
{
    sr_param *p = &req->params[SR_PARAM_CONNECTION_DATA];
    if (!p->present || p->status != SR_OK || quick_hub_names(p, req))
        return SR_OK;
    JsonNode *root;
    sr_status status = sr_json_parse(p->value.data, p->value.len, &root, NULL);
    if (status == SR_OK) {
        status = read_hub_names(root, req);
        json_node_unref(root);
    }
    if (status == SR_OK)
        return SR_OK;
    p->status = status;
    return sr_error_set(err, status, "connectionData", SR_NO_OFFSET);
}

/* Applies the receive-request rules of sec. 2 item 7 and the 400 conditions of items 4-5. */
static void resolve_kind(sr_request *req)
{
    bool known_suffix = req->kind != SR_REQUEST_NOT_SIGNALR;
    bool receive = !known_suffix || req->kind == SR_REQUEST_CONNECT ||
                   req->kind == SR_REQUEST_RECONNECT || req->kind == SR_REQUEST_POLL;
    if (receive && req->transport == SR_TRANSPORT_LONG_POLLING) {
        if (!known_suffix) {
            req->kind = SR_REQUEST_POLL;
            req->flags |= SR_REQUEST_FLAG_BARE_POLL;
        }
    } else if (receive && req->transport != SR_TRANSPORT_NONE &&
               req->transport != SR_TRANSPORT_UNRECOGNIZED) {
        if (req->kind != SR_REQUEST_CONNECT && req->kind != SR_REQUEST_RECONNECT) {
            req->kind = SR_REQUEST_RECONNECT;
            req->flags |= SR_REQUEST_FLAG_IMPLICIT_RECONNECT;
        }
    } else if (!known_suffix) {
        req->kind = req->transport == SR_TRANSPORT_UNRECOGNIZED ? SR_REQUEST_UNKNOWN
                                                                : SR_REQUEST_NOT_SIGNALR;
    }
    bool transport_level = req->kind == SR_REQUEST_CONNECT || req->kind == SR_REQUEST_START ||
                           req->kind == SR_REQUEST_RECONNECT || req->kind == SR_REQUEST_POLL ||
                           req->kind == SR_REQUEST_SEND || req->kind == SR_REQUEST_ABORT;
    if (!transport_level)
        return;
    if (req->transport == SR_TRANSPORT_NONE)
        req->flags |= SR_REQUEST_FLAG_MISSING_TRANSPORT;
    if (!req->params[SR_PARAM_CONNECTION_TOKEN].present &&
        !req->params[SR_PARAM_CONNECTION_ID].present)
        req->flags |= SR_REQUEST_FLAG_MISSING_TOKEN;
}

static void set_flags_from_params(sr_request *req)
{
    const sr_param *t = &req->params[SR_PARAM_TRANSPORT];
    if (t->present)
        req->transport = t->status == SR_OK ? sr_transport_from_name(t->value.data, t->value.len)
                                            : SR_TRANSPORT_UNRECOGNIZED;
    if (req->params[SR_PARAM_CONNECTION_ID].present &&
        !req->params[SR_PARAM_CONNECTION_TOKEN].present)
        req->flags |= SR_REQUEST_FLAG_LEGACY_CONNECTION_ID;
    if (req->params[SR_PARAM_NEGOTIATE_VERSION].present)
        req->flags |= SR_REQUEST_FLAG_CORE_NEGOTIATE;
    if (req->params[SR_PARAM_FORM_MESSAGE_ID].present ||
        req->params[SR_PARAM_FORM_GROUPS_TOKEN].present)
        req->flags |= SR_REQUEST_FLAG_FORM_CURSOR;
}

sr_status sr_request_parse(const char *method, size_t method_len, const char *target,
                           size_t target_len, const char *form, size_t form_len,
                           sr_request *out, sr_error *err)
{
    memset(out, 0, sizeof(*out));
    if (target == NULL) {
        target = "";
        target_len = 0;
    }
    out->method = method_of(method, method_len);
    sr_span query;
    split_target(target, target_len, out, &query);
    match_suffix(out);
    sr_status first = decode_params(target, query.ptr, query.len, false, out, err);
    if (form != NULL) {
        sr_status s = decode_params(form, form, form_len, true, out, first == SR_OK ? err : NULL);
        first = first == SR_OK ? s : first;
    }
    sr_status s = parse_frame_id(out, first == SR_OK ? err : NULL);
    first = first == SR_OK ? s : first;
    s = parse_hub_names(out, first == SR_OK ? err : NULL);
    first = first == SR_OK ? s : first;
    set_flags_from_params(out);
    resolve_kind(out);
    return first;
}

void sr_request_clear(sr_request *req)
{
    for (size_t i = 0; i < SR_PARAM_COUNT; i++)
        sr_string_clear(&req->params[i].value);
    for (size_t i = 0; i < req->hub_count; i++)
        sr_string_clear(&req->hubs[i]);
    g_free(req->hubs);
    memset(req, 0, sizeof(*req));
}

const sr_string *sr_request_message_id(const sr_request *req)
{
    const sr_param *form = &req->params[SR_PARAM_FORM_MESSAGE_ID];
    if (form->present && form->status == SR_OK)
        return &form->value;
    const sr_param *query = &req->params[SR_PARAM_MESSAGE_ID];
    return query->present && query->status == SR_OK ? &query->value : NULL;
}

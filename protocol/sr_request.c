/* Request classification by path suffix and parameter decoding (wire reference sec. 2, 3). */
#include "protocol/sr_request.h"

#include <glib.h>
#include <string.h>

#include "protocol/sr_json.h"
#include "protocol/sr_summary.h"
#include "protocol/sr_urlcode.h"

/* A name with its length, so that lookups compare lengths before bytes. */
#define NAMED(literal) literal, sizeof(literal) - 1

typedef struct {
    const char *name;
    size_t len;
    bool in_form;
    bool underscore; /* the name holds a '_', so it is not made of letters only */
} param_spec;

static const param_spec PARAMS[SR_PARAM_COUNT] = {
    [SR_PARAM_TRANSPORT] = {NAMED("transport"), false},
    [SR_PARAM_CONNECTION_TOKEN] = {NAMED("connectionToken"), false},
    [SR_PARAM_CONNECTION_ID] = {NAMED("connectionId"), false},
    [SR_PARAM_CLIENT_PROTOCOL] = {NAMED("clientProtocol"), false},
    [SR_PARAM_CONNECTION_DATA] = {NAMED("connectionData"), false},
    [SR_PARAM_MESSAGE_ID] = {NAMED("messageId"), false},
    [SR_PARAM_GROUPS_TOKEN] = {NAMED("groupsToken"), false},
    [SR_PARAM_GROUPS] = {NAMED("groups"), false},
    [SR_PARAM_TID] = {NAMED("tid"), false},
    [SR_PARAM_FRAME_ID] = {NAMED("frameId"), false},
    [SR_PARAM_CALLBACK] = {NAMED("callback"), false},
    [SR_PARAM_CACHE_BUSTER] = {NAMED("_"), false, true},
    [SR_PARAM_ACCESS_TOKEN] = {NAMED("access_token"), false, true},
    [SR_PARAM_DATA] = {NAMED("data"), false},
    [SR_PARAM_NEGOTIATE_VERSION] = {NAMED("negotiateVersion"), false},
    [SR_PARAM_FORM_DATA] = {NAMED("data"), true},
    [SR_PARAM_FORM_MESSAGE_ID] = {NAMED("messageId"), true},
    [SR_PARAM_FORM_GROUPS_TOKEN] = {NAMED("groupsToken"), true},
};

typedef struct {
    const char *segment; /* the suffix without its leading '/' */
    size_t len;
    sr_request_kind kind;
} suffix_spec;

/* Every suffix the classic server dispatches on (sec. 2, items 1-7). Each starts with '/', so a
 * path ends with one exactly when its last segment is that name. */
static const suffix_spec SUFFIXES[] = {
    {NAMED("negotiate"), SR_REQUEST_NEGOTIATE}, {NAMED("ping"), SR_REQUEST_PING},
    {NAMED("hubs"), SR_REQUEST_HUBS},           {NAMED("js"), SR_REQUEST_HUBS},
    {NAMED("start"), SR_REQUEST_START},         {NAMED("send"), SR_REQUEST_SEND},
    {NAMED("abort"), SR_REQUEST_ABORT},         {NAMED("connect"), SR_REQUEST_CONNECT},
    {NAMED("reconnect"), SR_REQUEST_RECONNECT}, {NAMED("poll"), SR_REQUEST_POLL},
};

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* sr_ascii_caseeq() against a name made of letters only, eight bytes at a time: OR-ing 0x20
 * folds the case of a letter and maps no other byte onto a lower-case letter. */
static bool same_letters_at(const char *bytes, const char *letters, size_t at)
{
    const uint64_t fold = 0x2020202020202020u;
    uint64_t got, want;
    memcpy(&got, bytes + at, sizeof got);
    memcpy(&want, letters + at, sizeof want);
    return (got | fold) == (want | fold);
}

static bool same_letters(const char *bytes, const char *letters, size_t len)
{
    if (len < 8) {
        for (size_t i = 0; i < len; i++) {
            if (((unsigned char)bytes[i] | 0x20) != ((unsigned char)letters[i] | 0x20))
                return false;
        }
        return true;
    }
    /* Whole words, the last one overlapping the one before when len is not a multiple of 8. */
    for (size_t i = 0; i + 8 < len; i += 8) {
        if (!same_letters_at(bytes, letters, i))
            return false;
    }
    return same_letters_at(bytes, letters, len - 8);
}

/* Whether a plain parameter name is the known one `spec`. */
static bool is_param(const char *bytes, size_t len, const param_spec *spec)
{
    if (len != spec->len)
        return false;
    return spec->underscore ? sr_ascii_caseeq(bytes, spec->name, len)
                            : same_letters(bytes, spec->name, len);
}

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
    /* The four names differ in length, so the length picks the only candidate. */
    sr_transport t = len == 10   ? SR_TRANSPORT_WEBSOCKETS
                     : len == 16 ? SR_TRANSPORT_SERVER_SENT_EVENTS
                     : len == 12 ? SR_TRANSPORT_FOREVER_FRAME
                     : len == 11 ? SR_TRANSPORT_LONG_POLLING
                                 : SR_TRANSPORT_UNRECOGNIZED;
    if (t == SR_TRANSPORT_UNRECOGNIZED || !same_letters(bytes, sr_transport_name(t), len))
        return SR_TRANSPORT_UNRECOGNIZED;
    return t;
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
        const char *hash = memchr(t + end + 1, '#', len - end - 1);
        query->ptr = t + end + 1;
        query->len = hash != NULL ? (size_t)(hash - query->ptr) : len - end - 1;
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
    size_t start = req->path.len; /* of the last segment, just after its '/' */
    while (start > 0 && req->path.ptr[start - 1] != '/')
        start--;
    if (start == 0)
        return;
    const char *segment = req->path.ptr + start;
    size_t len = req->path.len - start;
    for (size_t i = 0; i < G_N_ELEMENTS(SUFFIXES); i++) {
        if (len == SUFFIXES[i].len && same_letters(segment, SUFFIXES[i].segment, len)) {
            req->kind = SUFFIXES[i].kind;
            req->prefix.len = start - 1;
            return;
        }
    }
}

/* Hands out n bytes of the request's store (sized up front by reserve_store()). */
static char *store_take(sr_request *req, size_t n)
{
    char *p = req->store + req->store_used;
    req->store_used += n;
    return p;
}

/* Sizes the store for the worst case, so that nothing stored ever moves: each decoded value is
 * at most its raw bytes plus a NUL, and the hub names copied out of connectionData (itself from
 * the query) at most the query again plus a NUL per name. */
static void reserve_store(sr_request *req, size_t query_len, size_t form_len)
{
    size_t need = 2 * query_len + form_len + SR_PARAM_COUNT + SR_REQUEST_INLINE_HUBS;
    req->store_on_heap = need > sizeof(req->inline_store);
    req->store = req->store_on_heap ? g_malloc(need) : req->inline_store;
}

/* The only known parameter a plain name can be: among the names of one source, the length
 * and the last letter tell every one apart (tests/protocol checks each name is found). */
static int candidate(sr_span name, bool in_form)
{
    if (name.len == 0)
        return -1;
    unsigned char last = ascii_lower((unsigned char)name.ptr[name.len - 1]);
    switch (name.len) {
    case 1: return in_form ? -1 : SR_PARAM_CACHE_BUSTER;
    case 3: return in_form ? -1 : SR_PARAM_TID;
    case 4: return in_form ? SR_PARAM_FORM_DATA : SR_PARAM_DATA;
    case 6: return in_form ? -1 : SR_PARAM_GROUPS;
    case 7: return in_form ? -1 : SR_PARAM_FRAME_ID;
    case 8: return in_form ? -1 : SR_PARAM_CALLBACK;
    case 9:
        if (in_form)
            return SR_PARAM_FORM_MESSAGE_ID;
        return last == 't' ? SR_PARAM_TRANSPORT : SR_PARAM_MESSAGE_ID;
    case 11: return in_form ? SR_PARAM_FORM_GROUPS_TOKEN : SR_PARAM_GROUPS_TOKEN;
    case 12:
        if (in_form)
            return -1;
        return last == 'd' ? SR_PARAM_CONNECTION_ID : SR_PARAM_ACCESS_TOKEN;
    case 14:
        if (in_form)
            return -1;
        return last == 'l' ? SR_PARAM_CLIENT_PROTOCOL : SR_PARAM_CONNECTION_DATA;
    case 15: return in_form ? -1 : SR_PARAM_CONNECTION_TOKEN;
    case 16: return in_form ? -1 : SR_PARAM_NEGOTIATE_VERSION;
    default: return -1;
    }
}

/* Which known parameter of this source a raw name is, or -1. */
static int param_named(sr_span name, sr_decode_mode mode, bool in_form)
{
    /* Names are nearly always plain, and a known name has no '%' or '+': its one candidate and
     * a byte comparison find it. Only a name matching none is looked at for escapes. */
    int id = candidate(name, in_form);
    if (id >= 0 && is_param(name.ptr, name.len, &PARAMS[id]))
        return id;
    if (memchr(name.ptr, '%', name.len) == NULL && memchr(name.ptr, '+', name.len) == NULL)
        return -1;
    for (id = 0; id < SR_PARAM_COUNT; id++) {
        if (PARAMS[id].in_form == in_form && sr_urlencoded_name_is(name, mode, PARAMS[id].name))
            return id;
    }
    return -1;
}

/* Decodes one value into the store; flags the raw '+' and ';' a query value holds. */
static sr_status decode_value(sr_span value, bool in_form, size_t *bad, sr_param *p,
                              sr_request *req)
{
    sr_decode_mode mode = in_form ? SR_DECODE_FORM : SR_DECODE_QUERY;
    char *dst = req->store + req->store_used;
    unsigned raw = 0;
    size_t n = sr_percent_decode_into(value.ptr, value.len, mode, dst, bad, &raw);
    if (n == SIZE_MAX) {
        /* The decoder stopped early: look for the raw bytes over the whole value. */
        raw = (memchr(value.ptr, '+', value.len) != NULL ? SR_RAW_PLUS : 0u) |
              (memchr(value.ptr, ';', value.len) != NULL ? SR_RAW_SEMICOLON : 0u);
    } else {
        dst[n] = '\0';
        p->value = (sr_string){.data = store_take(req, n + 1), .len = n};
    }
    if (!in_form && (raw & SR_RAW_PLUS))
        req->flags |= SR_REQUEST_FLAG_RAW_PLUS_IN_QUERY;
    if (!in_form && (raw & SR_RAW_SEMICOLON))
        req->flags |= SR_REQUEST_FLAG_SEMICOLON_IN_QUERY;
    return n == SIZE_MAX ? SR_ERR_BAD_PERCENT_ENCODING : SR_OK;
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
        int id = param_named(name, mode, in_form);
        if (id < 0)
            continue;
        sr_param *p = &req->params[id];
        if (p->present) {
            req->flags |= SR_REQUEST_FLAG_DUPLICATE_PARAM;
            continue;
        }
        p->present = true;
        size_t bad = 0;
        p->status = decode_value(value, in_form, &bad, p, req);
        if (p->status != SR_OK && first == SR_OK)
            first = sr_error_set(err, p->status, PARAMS[id].name,
                                 (size_t)(value.ptr - base) + bad);
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
    req->hubs_on_heap = true;
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

/* The common connectionData, [{"name":"chathub"}], read without a tree (sr_summary.h) into
 * the request's own storage; more names than that holds are left to the tree reader. */
static bool quick_hub_names(const sr_param *p, sr_request *req)
{
    sr_span names[SR_REQUEST_INLINE_HUBS];
    size_t n;
    if (sr_summary_hub_names(p->value.data, p->value.len, names, SR_REQUEST_INLINE_HUBS, &n) !=
        SR_OK)
        return false;
    for (size_t i = 0; i < n; i++) {
        char *copy = store_take(req, names[i].len + 1);
        memcpy(copy, names[i].ptr, names[i].len);
        copy[names[i].len] = '\0';
        req->hub_inline[i] = (sr_string){.data = copy, .len = names[i].len};
    }
    req->hubs = req->hub_inline;
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
    memset(out, 0, offsetof(sr_request, hub_inline));
    if (target == NULL) {
        target = "";
        target_len = 0;
    }
    out->method = method_of(method, method_len);
    sr_span query;
    split_target(target, target_len, out, &query);
    match_suffix(out);
    reserve_store(out, query.len, form != NULL ? form_len : 0);
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
    if (req->hubs_on_heap) {
        for (size_t i = 0; i < req->hub_count; i++)
            sr_string_clear(&req->hubs[i]);
        g_free(req->hubs);
    }
    if (req->store_on_heap)
        g_free(req->store);
    /* The inline storage holds nothing once the fields pointing into it are gone. */
    memset(req, 0, offsetof(sr_request, hub_inline));
}

const sr_string *sr_request_message_id(const sr_request *req)
{
    const sr_param *form = &req->params[SR_PARAM_FORM_MESSAGE_ID];
    if (form->present && form->status == SR_OK)
        return &form->value;
    const sr_param *query = &req->params[SR_PARAM_MESSAGE_ID];
    return query->present && query->status == SR_OK ? &query->value : NULL;
}

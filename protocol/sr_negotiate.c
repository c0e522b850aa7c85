/* Negotiate response parsing (wire reference sec. 4) and server release bounds (sec. 1, 11.6). */
#include "protocol/sr_negotiate.h"

#include <math.h>
#include <string.h>

#include "protocol/sr_jscan.h"
#include "protocol/sr_json.h"
#include "protocol/sr_payload.h"

typedef struct {
    const char *key;
    unsigned bit;
    size_t offset; /* of the sr_string in sr_negotiate */
    bool null_ok;
} string_field;

static const string_field STRING_FIELDS[] = {
    {"Url", SR_NEG_URL, offsetof(sr_negotiate, url), false},
    {"ConnectionToken", SR_NEG_CONNECTION_TOKEN, offsetof(sr_negotiate, connection_token), false},
    {"ConnectionId", SR_NEG_CONNECTION_ID, offsetof(sr_negotiate, connection_id), false},
    {"ProtocolVersion", SR_NEG_PROTOCOL_VERSION, offsetof(sr_negotiate, protocol_version), false},
    /* 1.x servers write null when the host offers no alternate WebSocket endpoint. */
    {"WebSocketServerUrl", SR_NEG_WEBSOCKET_SERVER_URL,
     offsetof(sr_negotiate, websocket_server_url), true},
    {"RedirectUrl", SR_NEG_REDIRECT_URL, offsetof(sr_negotiate, redirect_url), false},
    {"AccessToken", SR_NEG_ACCESS_TOKEN, offsetof(sr_negotiate, access_token), false},
    {"Error", SR_NEG_ERROR, offsetof(sr_negotiate, error), false},
};

typedef struct {
    const char *key;
    unsigned bit;
    size_t offset; /* of the sr_duration in sr_negotiate */
    bool null_ok;
} duration_field;

static const duration_field DURATION_FIELDS[] = {
    /* null = keepalive disabled (sec. 4). */
    {"KeepAliveTimeout", SR_NEG_KEEP_ALIVE_TIMEOUT, offsetof(sr_negotiate, keep_alive_timeout), true},
    {"KeepAlive", SR_NEG_KEEP_ALIVE, offsetof(sr_negotiate, keep_alive), true},
    {"DisconnectTimeout", SR_NEG_DISCONNECT_TIMEOUT, offsetof(sr_negotiate, disconnect_timeout), false},
    {"ConnectionTimeout", SR_NEG_CONNECTION_TIMEOUT, offsetof(sr_negotiate, connection_timeout), false},
    {"TransportConnectTimeout", SR_NEG_TRANSPORT_CONNECT_TIMEOUT,
     offsetof(sr_negotiate, transport_connect_timeout), false},
    {"LongPollDelay", SR_NEG_LONG_POLL_DELAY, offsetof(sr_negotiate, long_poll_delay), false},
};

static sr_status read_duration(JsonObject *obj, const duration_field *f, sr_negotiate *neg,
                               sr_error *err)
{
    sr_duration *d = (sr_duration *)((char *)neg + f->offset);
    double seconds = 0;
    sr_field_state state;
    sr_status status = sr_json_get_number(obj, f->key, f->null_ok, &seconds, &state, err);
    if (status != SR_OK || state == SR_FIELD_ABSENT)
        return status;
    neg->fields |= f->bit;
    d->present = true;
    d->is_null = state == SR_FIELD_NULL;
    if (d->is_null)
        return SR_OK;
    if (seconds < 0 || seconds > SR_NEGOTIATE_MAX_SECONDS)
        return sr_error_set(err, SR_ERR_FIELD_RANGE, f->key, SR_NO_OFFSET);
    d->ms = (int64_t)llround(seconds * 1000.0);
    return SR_OK;
}

static sr_status read_classic_fields(JsonObject *obj, sr_negotiate *neg, sr_error *err)
{
    for (size_t i = 0; i < G_N_ELEMENTS(STRING_FIELDS); i++) {
        const string_field *f = &STRING_FIELDS[i];
        sr_field_state state;
        sr_string *s = (sr_string *)((char *)neg + f->offset);
        sr_status status = sr_json_get_string(obj, f->key, f->null_ok, s, &state, err);
        if (status != SR_OK)
            return status;
        if (state != SR_FIELD_ABSENT)
            neg->fields |= f->bit;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(DURATION_FIELDS); i++) {
        sr_status status = read_duration(obj, &DURATION_FIELDS[i], neg, err);
        if (status != SR_OK)
            return status;
    }
    sr_field_state state;
    sr_status status = sr_json_get_bool(obj, "TryWebSockets", &neg->try_websockets, &state, err);
    if (state != SR_FIELD_ABSENT)
        neg->fields |= SR_NEG_TRY_WEBSOCKETS;
    return status;
}

/* ASP.NET Core answers in camelCase; only the identifiers matter to a classic analyzer. */
static sr_status read_core_fields(JsonObject *obj, sr_negotiate *neg, sr_error *err)
{
    sr_field_state state;
    neg->variant = SR_NEGOTIATE_CORE;
    neg->fields |= SR_NEG_AVAILABLE_TRANSPORTS;
    sr_status status =
        sr_json_get_string(obj, "connectionToken", true, &neg->connection_token, &state, err);
    if (status == SR_OK && state != SR_FIELD_ABSENT)
        neg->fields |= SR_NEG_CONNECTION_TOKEN;
    if (status == SR_OK)
        status = sr_json_get_string(obj, "connectionId", true, &neg->connection_id, &state, err);
    if (status == SR_OK && state != SR_FIELD_ABSENT)
        neg->fields |= SR_NEG_CONNECTION_ID;
    return status;
}

/* What the answer's fields make of a classic body: a redirect, an error, or a real answer. */
static sr_status settle_variant(sr_negotiate *out, sr_error *err)
{
    if (out->fields & SR_NEG_REDIRECT_URL)
        out->variant = SR_NEGOTIATE_REDIRECT;
    else if (out->fields & SR_NEG_ERROR)
        out->variant = SR_NEGOTIATE_ERROR;
    else if (!(out->fields & (SR_NEG_CONNECTION_TOKEN | SR_NEG_CONNECTION_ID)))
        return sr_error_set(err, SR_ERR_MISSING_FIELD, "ConnectionId", SR_NO_OFFSET);
    return SR_OK;
}

sr_status sr_negotiate_parse_tree(const char *bytes, size_t len, sr_negotiate *out, sr_error *err)
{
    memset(out, 0, sizeof(*out));
    JsonNode *root;
    sr_span callback;
    sr_status status = sr_payload_parse(bytes, len, &root, &callback, err);
    if (status != SR_OK)
        return status;
    if (callback.ptr != NULL)
        sr_string_set(&out->jsonp_callback, callback.ptr, callback.len);
    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        json_node_unref(root);
        return sr_error_set(err, SR_ERR_NOT_OBJECT, NULL, SR_NO_OFFSET);
    }
    JsonObject *obj = json_node_get_object(root);
    if (json_object_has_member(obj, "availableTransports"))
        status = read_core_fields(obj, out, err);
    else
        status = read_classic_fields(obj, out, err);
    json_node_unref(root);
    if (status != SR_OK || out->variant == SR_NEGOTIATE_CORE)
        return status;
    return settle_variant(out, err);
}

/* ---- the usual classic answer, read without a tree ------------------------------------------
 * Plain JSON (sr_jscan.h), each known key once, strings without escapes, durations as small
 * decimals; anything else is left to the tree reader, which decides and reports errors. */

enum {
    QUICK_STRINGS = G_N_ELEMENTS(STRING_FIELDS),
    QUICK_DURATIONS = QUICK_STRINGS + G_N_ELEMENTS(DURATION_FIELDS),
    QUICK_TRY_WEBSOCKETS = QUICK_DURATIONS
};

/* Index of a key the classic reader looks at (strings, durations, TryWebSockets), -1 for any
 * other; availableTransports (a Core answer) is not taken either. */
static int quick_key(sr_span key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(STRING_FIELDS); i++)
        if (sr_jscan_is(key, STRING_FIELDS[i].key))
            return (int)i;
    for (size_t i = 0; i < G_N_ELEMENTS(DURATION_FIELDS); i++)
        if (sr_jscan_is(key, DURATION_FIELDS[i].key))
            return (int)(QUICK_STRINGS + i);
    return sr_jscan_is(key, "TryWebSockets") ? QUICK_TRY_WEBSOCKETS : -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Seconds as servers write them (20.0, 110.0, 0.5): up to 9 integer digits and 3 decimals, no
 * sign or exponent. Their milliseconds are then exact integers, which is also what llround()
 * makes of the double json-glib reads (its error is far below half a millisecond there). */
static bool quick_ms(sr_span t, int64_t *ms)
{
    size_t i = 0, decimals = 0;
    int64_t whole = 0, fraction = 0;
    while (i < t.len && is_digit(t.ptr[i]) && i < 10)
        whole = whole * 10 + (t.ptr[i++] - '0');
    if (i == 0 || i > 9)
        return false;
    if (i < t.len && t.ptr[i] == '.') {
        for (i++; i < t.len && is_digit(t.ptr[i]) && decimals < 4; i++, decimals++)
            fraction = fraction * 10 + (t.ptr[i] - '0');
        if (decimals == 0 || decimals > 3)
            return false;
    }
    if (i != t.len)
        return false;
    for (; decimals < 3; decimals++)
        fraction *= 10;
    *ms = whole * 1000 + fraction;
    return true;
}

static bool quick_string(const string_field *f, const sr_jscan_value *v, sr_negotiate *neg)
{
    if (v->type == SR_JSCAN_STRING && v->plain)
        sr_string_set((sr_string *)((char *)neg + f->offset), v->text.ptr, v->text.len);
    else if (v->type != SR_JSCAN_NULL || !f->null_ok)
        return false;
    neg->fields |= f->bit;
    return true;
}

static bool quick_duration(const duration_field *f, const sr_jscan_value *v, sr_negotiate *neg)
{
    sr_duration *d = (sr_duration *)((char *)neg + f->offset);
    if (v->type == SR_JSCAN_NULL && f->null_ok)
        d->is_null = true;
    else if (v->type != SR_JSCAN_NUMBER || !quick_ms(v->text, &d->ms))
        return false;
    d->present = true;
    neg->fields |= f->bit;
    return true;
}

static bool quick_member(int k, const sr_jscan_value *v, sr_negotiate *neg)
{
    if (k < QUICK_STRINGS)
        return quick_string(&STRING_FIELDS[k], v, neg);
    if (k < QUICK_DURATIONS)
        return quick_duration(&DURATION_FIELDS[k - QUICK_STRINGS], v, neg);
    if (v->type != SR_JSCAN_TRUE && v->type != SR_JSCAN_FALSE)
        return false;
    neg->try_websockets = v->type == SR_JSCAN_TRUE;
    neg->fields |= SR_NEG_TRY_WEBSOCKETS;
    return true;
}

/* True when the body was read; false (out partly filled) when the tree reader must decide. */
static bool quick_parse(const char *bytes, size_t len, sr_negotiate *out)
{
    sr_jscan s;
    if (!sr_jscan_begin(&s, bytes, len, '{'))
        return false;
    unsigned seen = 0;
    sr_span key;
    sr_jscan_value v;
    int more;
    while ((more = sr_jscan_next(&s, &key, &v)) == 1) {
        if (sr_jscan_is(key, "availableTransports"))
            return false;
        int k = quick_key(key);
        if (k < 0)
            continue;
        /* json-glib keeps the last of duplicate keys; rare enough to leave to it */
        if ((seen & (1u << k)) || !quick_member(k, &v, out))
            return false;
        seen |= 1u << k;
    }
    return more == 0 && sr_jscan_finish(&s);
}

sr_status sr_negotiate_parse(const char *bytes, size_t len, sr_negotiate *out, sr_error *err)
{
    memset(out, 0, sizeof(*out));
    if (quick_parse(bytes, len, out))
        return settle_variant(out, err);
    sr_negotiate_clear(out);
    return sr_negotiate_parse_tree(bytes, len, out, err);
}

void sr_negotiate_clear(sr_negotiate *neg)
{
    for (size_t i = 0; i < G_N_ELEMENTS(STRING_FIELDS); i++)
        sr_string_clear((sr_string *)((char *)neg + STRING_FIELDS[i].offset));
    sr_string_clear(&neg->jsonp_callback);
    memset(neg, 0, sizeof(*neg));
}

typedef struct {
    const char *version;
    sr_server_release lo, hi;
} version_bound;

/* ProtocolVersion -> releases able to answer it (sec. 1: servers clamp to [1.2, max]). */
static const version_bound VERSION_BOUNDS[] = {
    {"1.0", SR_SERVER_1_0_ALPHA, SR_SERVER_1_0_ALPHA},
    {"1.1", SR_SERVER_1_0_RC, SR_SERVER_1_0_RC},
    {"1.2", SR_SERVER_1_0_TO_1_2, SR_SERVER_2_4},
    {"1.3", SR_SERVER_2_0, SR_SERVER_2_4},
    {"1.4", SR_SERVER_2_1_0, SR_SERVER_2_4},
    {"1.5", SR_SERVER_2_2_TO_2_3, SR_SERVER_2_4},
    {"2.0", SR_SERVER_2_4, SR_SERVER_2_4},
};

typedef struct {
    unsigned bit;
    sr_server_release since;       /* present -> at least this release */
    sr_server_release absent_upto; /* absent -> at most this release */
} field_bound;

/* "Since" column of sec. 4; every later server writes the field unconditionally. */
static const field_bound FIELD_BOUNDS[] = {
    {SR_NEG_DISCONNECT_TIMEOUT, SR_SERVER_1_0_RC, SR_SERVER_1_0_ALPHA},
    {SR_NEG_CONNECTION_TOKEN, SR_SERVER_1_0_TO_1_2, SR_SERVER_1_0_RC},
    {SR_NEG_KEEP_ALIVE_TIMEOUT, SR_SERVER_1_0_TO_1_2, SR_SERVER_1_0_RC},
    {SR_NEG_TRANSPORT_CONNECT_TIMEOUT, SR_SERVER_2_0, SR_SERVER_1_0_TO_1_2},
    {SR_NEG_LONG_POLL_DELAY, SR_SERVER_2_1_0, SR_SERVER_2_0},
    {SR_NEG_CONNECTION_TIMEOUT, SR_SERVER_2_1_2, SR_SERVER_2_1_0},
};

bool sr_negotiate_server_range(const sr_negotiate *neg, sr_server_release *lo,
                               sr_server_release *hi)
{
    if (neg->variant != SR_NEGOTIATE_CLASSIC)
        return false;
    sr_server_release l = SR_SERVER_1_0_ALPHA, h = SR_SERVER_2_4;
    for (size_t i = 0; i < G_N_ELEMENTS(VERSION_BOUNDS); i++) {
        const char *v = VERSION_BOUNDS[i].version;
        if (sr_string_equals(&neg->protocol_version, v, strlen(v))) {
            l = VERSION_BOUNDS[i].lo;
            h = VERSION_BOUNDS[i].hi;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(FIELD_BOUNDS); i++) {
        const field_bound *b = &FIELD_BOUNDS[i];
        if ((neg->fields & b->bit) && l < b->since)
            l = b->since;
        if (!(neg->fields & b->bit) && h > b->absent_upto)
            h = b->absent_upto;
    }
    /* WebSocketServerUrl lived until 1.2.2; legacy KeepAlive only in pre-releases. */
    if ((neg->fields & SR_NEG_WEBSOCKET_SERVER_URL) && h > SR_SERVER_1_0_TO_1_2)
        h = SR_SERVER_1_0_TO_1_2;
    if ((neg->fields & SR_NEG_KEEP_ALIVE) && h > SR_SERVER_1_0_RC)
        h = SR_SERVER_1_0_RC;
    if (l > h)
        return false;
    *lo = l;
    *hi = h;
    return true;
}

const char *sr_server_release_name(sr_server_release release)
{
    switch (release) {
    case SR_SERVER_1_0_ALPHA: return "1.0alpha";
    case SR_SERVER_1_0_RC: return "1.0rc";
    case SR_SERVER_1_0_TO_1_2: return "1.0.0-1.2.2";
    case SR_SERVER_2_0: return "2.0.x";
    case SR_SERVER_2_1_0: return "2.1.0-2.1.1";
    case SR_SERVER_2_1_2: return "2.1.2";
    case SR_SERVER_2_2_TO_2_3: return "2.2.0-2.3.0";
    case SR_SERVER_2_4: return "2.4.x";
    }
    return "unknown";
}

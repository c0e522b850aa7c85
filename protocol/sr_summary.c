/* Tree-free readers of the common payload shapes (see sr_summary.h); unsure -> SR_ERR_NO_MATCH. */
#include "protocol/sr_summary.h"

#include <string.h>

#include "protocol/sr_jscan.h"
#include "protocol/sr_persistent.h"

/* The member names the readers look at, as bits. */
enum {
    KEY_C,
    KEY_S,
    KEY_D,
    KEY_T,
    KEY_G,
    KEY_L,
    KEY_M,
    KEY_E,
    KEY_I,
    KEY_P,
    KEY_H,
    KEY_A,
    KEY_RESPONSE,
    KEY_COUNT
};

static const char *const KEY_NAMES[KEY_COUNT] = {
    [KEY_C] = "C", [KEY_S] = "S", [KEY_D] = "D", [KEY_T] = "T",
    [KEY_G] = "G", [KEY_L] = "L", [KEY_M] = "M", [KEY_E] = "E",
    [KEY_I] = "I", [KEY_P] = "P", [KEY_H] = "H", [KEY_A] = "A",
    [KEY_RESPONSE] = "Response",
};

/* The members of one object that the readers know, each seen at most once. */
typedef struct {
    unsigned seen; /* 1 << KEY_* */
    size_t members;
    sr_jscan_value value[KEY_COUNT]; /* value[k] is set only when seen has bit k */
} members;

static int key_of(sr_span key)
{
    if (key.len != 1)
        return sr_jscan_is(key, KEY_NAMES[KEY_RESPONSE]) ? KEY_RESPONSE : -1;
    switch (key.ptr[0]) {
    case 'C': return KEY_C;
    case 'S': return KEY_S;
    case 'D': return KEY_D;
    case 'T': return KEY_T;
    case 'G': return KEY_G;
    case 'L': return KEY_L;
    case 'M': return KEY_M;
    case 'E': return KEY_E;
    case 'I': return KEY_I;
    case 'P': return KEY_P;
    case 'H': return KEY_H;
    case 'A': return KEY_A;
    default: return -1;
    }
}

/* Walks a whole document whose root is an object. False when unsure, or when a known key
 * comes twice (json-glib keeps the last value; the readers are left to say what that means). */
static bool read_members(const char *bytes, size_t len, members *out)
{
    out->seen = 0;
    out->members = 0;
    sr_jscan s;
    if (!sr_jscan_begin(&s, bytes, len, '{'))
        return false;
    sr_span key;
    sr_jscan_value v;
    int more;
    while ((more = sr_jscan_next(&s, &key, &v)) == 1) {
        out->members++;
        int k = key_of(key);
        if (k < 0)
            continue;
        if (out->seen & (1u << k))
            return false;
        out->seen |= 1u << k;
        out->value[k] = v;
    }
    return more == 0 && sr_jscan_finish(&s);
}

static bool has(const members *m, int key)
{
    return (m->seen & (1u << key)) != 0;
}

static bool is_type(const members *m, int key, sr_jscan_type type)
{
    return has(m, key) && m->value[key].type == type;
}

/* Absent, or present with the given type. */
static bool absent_or(const members *m, int key, sr_jscan_type type)
{
    return !has(m, key) || m->value[key].type == type;
}

static bool plain_string(const members *m, int key)
{
    return is_type(m, key, SR_JSCAN_STRING) && m->value[key].plain;
}

static uint64_t plain_integer(sr_span text)
{
    uint64_t v = 0;
    for (size_t i = 0; i < text.len; i++)
        v = v * 10 + (uint64_t)(text.ptr[i] - '0');
    return v;
}

/* S, D, T or L: absent, or a plain integer up to max (what sr_json_get_uint() accepts, minus
 * the fractions and exponents left to it). */
static bool read_count(const members *m, int key, uint64_t max, unsigned bit, unsigned *fields,
                       uint64_t *out)
{
    if (!has(m, key))
        return true;
    const sr_jscan_value *v = &m->value[key];
    if (v->type != SR_JSCAN_NUMBER || !v->plain || plain_integer(v->text) > max)
        return false;
    *out = plain_integer(v->text);
    *fields |= bit;
    return true;
}

static sr_status summarise_persistent(const members *m, sr_server_summary *out)
{
    if (has(m, KEY_E) || !absent_or(m, KEY_M, SR_JSCAN_ARRAY) ||
        !absent_or(m, KEY_G, SR_JSCAN_STRING) || (has(m, KEY_C) && !plain_string(m, KEY_C)))
        return SR_ERR_NO_MATCH;
    out->kind = SR_PAYLOAD_PERSISTENT_RESPONSE;
    if (has(m, KEY_C)) {
        out->fields |= SR_PERSISTENT_C;
        out->cursor = m->value[KEY_C].text;
    }
    if (has(m, KEY_G))
        out->fields |= SR_PERSISTENT_G;
    if (has(m, KEY_M)) {
        out->fields |= SR_PERSISTENT_M;
        out->message_count = m->value[KEY_M].count;
    }
    bool ok = read_count(m, KEY_S, UINT64_MAX, SR_PERSISTENT_S, &out->fields, &out->initialized) &&
              read_count(m, KEY_D, UINT64_MAX, SR_PERSISTENT_D, &out->fields, &out->disconnect) &&
              read_count(m, KEY_T, UINT64_MAX, SR_PERSISTENT_T, &out->fields, &out->timed_out) &&
              read_count(m, KEY_L, SR_PERSISTENT_MAX_L_MS, SR_PERSISTENT_L, &out->fields,
                         &out->long_poll_delay_ms);
    return ok ? SR_OK : SR_ERR_NO_MATCH;
}

/* An invocation id: a string without escapes, or a plain integer (its text is what "%.0f"
 * prints for it). */
static bool read_id(const members *m, sr_span *out)
{
    const sr_jscan_value *v = &m->value[KEY_I];
    if (!v->plain || (v->type != SR_JSCAN_STRING && v->type != SR_JSCAN_NUMBER))
        return false;
    *out = v->text;
    return true;
}

static sr_status summarise_result(const members *m, sr_server_summary *out)
{
    bool h_ok = absent_or(m, KEY_H, SR_JSCAN_TRUE) || absent_or(m, KEY_H, SR_JSCAN_FALSE);
    if (!read_id(m, &out->invocation_id) || !absent_or(m, KEY_E, SR_JSCAN_STRING) ||
        !absent_or(m, KEY_T, SR_JSCAN_STRING) || !h_ok)
        return SR_ERR_NO_MATCH;
    out->kind = SR_PAYLOAD_HUB_RESULT;
    out->is_error = has(m, KEY_E);
    return SR_OK;
}

static sr_payload_kind response_kind(const sr_jscan_value *v)
{
    if (v->type != SR_JSCAN_STRING)
        return SR_PAYLOAD_OTHER_RESPONSE;
    if (sr_jscan_is(v->text, "started"))
        return SR_PAYLOAD_START_RESPONSE;
    return sr_jscan_is(v->text, "pong") ? SR_PAYLOAD_PONG_RESPONSE : SR_PAYLOAD_OTHER_RESPONSE;
}

/* Mirrors sr_payload_classify_node(): Response, then the persistent envelope, then the hub
 * message rule (progress and invocations are left to the tree readers). */
sr_status sr_summary_server(const char *bytes, size_t len, sr_server_summary *out)
{
    memset(out, 0, sizeof(*out));
    members m;
    if (!read_members(bytes, len, &m))
        return SR_ERR_NO_MATCH;
    if (m.members == 0) {
        out->kind = SR_PAYLOAD_KEEPALIVE;
        return SR_OK;
    }
    if (has(&m, KEY_RESPONSE)) {
        const sr_jscan_value *r = &m.value[KEY_RESPONSE];
        if (r->type == SR_JSCAN_STRING && !r->plain)
            return SR_ERR_NO_MATCH;
        out->kind = response_kind(r);
        return SR_OK;
    }
    if (has(&m, KEY_C) || is_type(&m, KEY_M, SR_JSCAN_ARRAY))
        return summarise_persistent(&m, out);
    if (has(&m, KEY_E) && !has(&m, KEY_I))
        return SR_ERR_NO_MATCH; /* an error envelope, or nothing SignalR: rare either way */
    if (has(&m, KEY_P) || (is_type(&m, KEY_H, SR_JSCAN_STRING) && is_type(&m, KEY_M, SR_JSCAN_STRING)))
        return SR_ERR_NO_MATCH;
    if (has(&m, KEY_I))
        return summarise_result(&m, out);
    out->kind = SR_PAYLOAD_OTHER;
    return SR_OK;
}

static sr_status invocation_of(const members *m, sr_invocation_summary *out)
{
    if (!plain_string(m, KEY_H) || !plain_string(m, KEY_M) ||
        !absent_or(m, KEY_A, SR_JSCAN_ARRAY))
        return SR_ERR_NO_MATCH;
    if (has(m, KEY_I) && !read_id(m, &out->invocation_id))
        return SR_ERR_NO_MATCH;
    out->hub = m->value[KEY_H].text;
    out->method = m->value[KEY_M].text;
    return SR_OK;
}

sr_status sr_summary_invocation(const char *bytes, size_t len, sr_invocation_summary *out)
{
    memset(out, 0, sizeof(*out));
    members m;
    return read_members(bytes, len, &m) ? invocation_of(&m, out) : SR_ERR_NO_MATCH;
}

sr_status sr_summary_payload_invocation(const char *bytes, size_t len,
                                        sr_invocation_summary *out)
{
    memset(out, 0, sizeof(*out));
    members m;
    /* Members that make sr_payload_classify_node() look elsewhere before the hub rules, or may
     * (E beside I): left to the tree. */
    unsigned elsewhere = 1u << KEY_RESPONSE | 1u << KEY_C | 1u << KEY_E | 1u << KEY_P;
    if (!read_members(bytes, len, &m) || (m.seen & elsewhere) != 0)
        return SR_ERR_NO_MATCH;
    return invocation_of(&m, out);
}

/* "name" if the hub object has it, else "Name"; false when unsure or not a plain string. */
static bool hub_name(const sr_jscan *array, const sr_jscan_value *element, sr_span *name)
{
    sr_jscan obj;
    if (!sr_jscan_enter(&obj, array, element))
        return false;
    sr_jscan_value lower = {0}, upper = {0};
    bool has_lower = false, has_upper = false;
    sr_span key;
    sr_jscan_value v;
    int more;
    while ((more = sr_jscan_next(&obj, &key, &v)) == 1) {
        bool is_lower = sr_jscan_is(key, "name"), is_upper = sr_jscan_is(key, "Name");
        if ((is_lower && has_lower) || (is_upper && has_upper))
            return false;
        if (is_lower)
            lower = v, has_lower = true;
        if (is_upper)
            upper = v, has_upper = true;
    }
    const sr_jscan_value *chosen = has_lower ? &lower : has_upper ? &upper : NULL;
    if (more != 0 || chosen == NULL || chosen->type != SR_JSCAN_STRING || !chosen->plain)
        return false;
    *name = chosen->text;
    return true;
}

/* Opens every hub object of the JavaScript client's connectionData. */
static const char NAME_MEMBER[] = "{\"name\":\"";
#define NAME_MEMBER_LEN (sizeof(NAME_MEMBER) - 1)

/* Printable ASCII other than '"' and '\\': a name made of it is its own JSON text. */
static bool plain_name_byte(char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* Exactly what JSON.stringify() writes, [{"name":"a"},{"name":"b"}], with printable ASCII
 * names: read in one pass. False (names partly written) for anything else, even when valid:
 * the walk with sr_jscan then decides. */
static bool stringified_hub_names(const char *b, size_t len, sr_span *names, size_t max,
                                  size_t *count)
{
    size_t i = 1, n = 0;
    if (len < 2 || b[0] != '[')
        return false;
    for (;;) {
        if (n >= max || len - i < NAME_MEMBER_LEN || memcmp(b + i, NAME_MEMBER, NAME_MEMBER_LEN))
            return false;
        i += NAME_MEMBER_LEN;
        size_t start = i;
        while (i < len && plain_name_byte(b[i]))
            i++;
        if (len - i < 3 || b[i] != '"' || b[i + 1] != '}')
            return false;
        names[n++] = (sr_span){b + start, i - start};
        i += 2;
        if (b[i] == ']' && i + 1 == len) {
            *count = n;
            return true;
        }
        if (b[i++] != ',')
            return false;
    }
}

sr_status sr_summary_hub_names(const char *bytes, size_t len, sr_span *names, size_t max,
                               size_t *count)
{
    *count = 0;
    if (stringified_hub_names(bytes, len, names, max, count))
        return SR_OK;
    sr_jscan s;
    if (!sr_jscan_begin(&s, bytes, len, '['))
        return SR_ERR_NO_MATCH;
    sr_span key;
    sr_jscan_value v;
    int more;
    while ((more = sr_jscan_next(&s, &key, &v)) == 1) {
        if (v.type != SR_JSCAN_OBJECT || *count >= max || !hub_name(&s, &v, &names[*count]))
            return SR_ERR_NO_MATCH;
        (*count)++;
    }
    return more == 0 && sr_jscan_finish(&s) ? SR_OK : SR_ERR_NO_MATCH;
}

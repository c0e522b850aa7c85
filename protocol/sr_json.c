/* JSON screening and typed member access over json-glib. */
#include "protocol/sr_json.h"

#include <math.h>
#include <string.h>

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Scans the number token starting at i (a '-' or a digit). Returns the end offset and sets
 * *overflows when the token is an integer outside int64, which json-glib would wrap. */
static size_t scan_number(const char *b, size_t n, size_t i, bool *overflows)
{
    static const char int64_max[] = "9223372036854775807";
    static const char int64_min_abs[] = "9223372036854775808";
    bool negative = b[i] == '-';
    size_t j = negative ? i + 1 : i;
    while (j < n && b[j] == '0')
        j++;
    size_t significant = j;
    while (j < n && is_digit((unsigned char)b[j]))
        j++;
    size_t ndigits = j - significant;
    bool is_integer = !(j < n && (b[j] == '.' || b[j] == 'e' || b[j] == 'E'));
    while (j < n && (is_digit((unsigned char)b[j]) || b[j] == '.' || b[j] == 'e' || b[j] == 'E' ||
                     b[j] == '+' || b[j] == '-'))
        j++;
    const char *limit = negative ? int64_min_abs : int64_max;
    *overflows = is_integer && (ndigits > 19 ||
                                (ndigits == 19 && memcmp(b + significant, limit, 19) > 0));
    return j;
}

/* Walks the text once outside strings: depth, forbidden lenient syntax, oversized integers. */
static sr_status screen(const char *b, size_t n, size_t *overflow_count, sr_error *err)
{
    size_t depth = 0;
    bool in_string = false;
    *overflow_count = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)b[i];
        if (in_string) {
            i += c == '\\' ? 2 : 1;
            in_string = c != '"';
            continue;
        }
        if (c == '-' || is_digit(c)) {
            bool overflows;
            i = scan_number(b, n, i, &overflows);
            *overflow_count += overflows;
            continue;
        }
        if (c == '[' || c == '{') {
            if (++depth > SR_JSON_MAX_DEPTH)
                return sr_error_set(err, SR_ERR_JSON_TOO_DEEP, NULL, i);
        } else if (c == ']' || c == '}') {
            depth -= depth > 0;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '\'' || c == '/' || c == '#' || c == 'x' || c == 'X') {
            /* json-glib accepts quotes, comments and hashes JSON forbids, which would hide
             * brackets from the depth count above, and hex numbers, which it would wrap. */
            return sr_error_set(err, SR_ERR_JSON_SYNTAX, NULL, i);
        }
        i++;
    }
    return SR_OK;
}

/* Copy of the text with ".0" after every oversized integer so json-glib reads it as a double. */
static char *widen_integers(const char *b, size_t n, size_t overflow_count, size_t *out_len)
{
    char *copy = g_malloc(n + 2 * overflow_count + 1);
    size_t o = 0;
    bool in_string = false;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)b[i];
        if (!in_string && (c == '-' || is_digit(c))) {
            bool overflows;
            size_t end = scan_number(b, n, i, &overflows);
            memcpy(copy + o, b + i, end - i);
            o += end - i;
            if (overflows) {
                memcpy(copy + o, ".0", 2);
                o += 2;
            }
            i = end;
            continue;
        }
        copy[o++] = (char)c;
        if (in_string && c == '\\' && i + 1 < n) {
            copy[o++] = b[i + 1];
            i += 2;
            continue;
        }
        if (c == '"')
            in_string = !in_string;
        i++;
    }
    *out_len = o;
    return copy;
}

static sr_status parse_screened(const char *b, size_t n, JsonNode **root, sr_error *err)
{
    JsonParser *parser = json_parser_new_immutable();
    GError *gerr = NULL;
    sr_status status = SR_OK;
    if (!json_parser_load_from_data(parser, b, (gssize)n, &gerr)) {
        status = sr_error_set(err, SR_ERR_JSON_SYNTAX, NULL, SR_NO_OFFSET);
        g_clear_error(&gerr);
    } else if (json_parser_get_root(parser) == NULL) {
        status = sr_error_set(err, SR_ERR_EMPTY, NULL, SR_NO_OFFSET);
    } else {
        *root = json_parser_steal_root(parser);
    }
    g_object_unref(parser);
    return status;
}

sr_status sr_json_parse(const char *bytes, size_t len, JsonNode **root, sr_error *err)
{
    *root = NULL;
    if (len == 0)
        return sr_error_set(err, SR_ERR_EMPTY, NULL, 0);
    const char *nul = memchr(bytes, '\0', len);
    if (nul != NULL)
        return sr_error_set(err, SR_ERR_EMBEDDED_NUL, NULL, (size_t)(nul - bytes));
    const gchar *bad = NULL;
    if (!g_utf8_validate_len(bytes, len, &bad))
        return sr_error_set(err, SR_ERR_INVALID_UTF8, NULL, (size_t)(bad - bytes));
    size_t overflow_count;
    sr_status status = screen(bytes, len, &overflow_count, err);
    if (status != SR_OK)
        return status;
    if (overflow_count == 0)
        return parse_screened(bytes, len, root, err);
    size_t wide_len;
    char *wide = widen_integers(bytes, len, overflow_count, &wide_len);
    status = parse_screened(wide, wide_len, root, err);
    g_free(wide);
    return status;
}

bool sr_json_node_number(JsonNode *node, double *out)
{
    if (node == NULL || !JSON_NODE_HOLDS_VALUE(node))
        return false;
    GType type = json_node_get_value_type(node);
    if (type == G_TYPE_INT64)
        *out = (double)json_node_get_int(node);
    else if (type == G_TYPE_DOUBLE)
        *out = json_node_get_double(node);
    else
        return false;
    return true;
}

/* Looks key up; reports absent/null and leaves *node NULL for both. */
static sr_status member(JsonObject *obj, const char *key, bool null_ok, JsonNode **node,
                        sr_field_state *state, sr_error *err)
{
    *node = json_object_get_member(obj, key);
    *state = SR_FIELD_ABSENT;
    if (*node == NULL)
        return SR_OK;
    if (JSON_NODE_HOLDS_NULL(*node)) {
        *node = NULL;
        *state = SR_FIELD_NULL;
        return null_ok ? SR_OK : sr_error_set(err, SR_ERR_FIELD_TYPE, key, SR_NO_OFFSET);
    }
    *state = SR_FIELD_PRESENT;
    return SR_OK;
}

sr_status sr_json_get_string(JsonObject *obj, const char *key, bool null_ok, sr_string *out,
                             sr_field_state *state, sr_error *err)
{
    JsonNode *node;
    sr_status status = member(obj, key, null_ok, &node, state, err);
    if (status != SR_OK || node == NULL)
        return status;
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return sr_error_set(err, SR_ERR_FIELD_TYPE, key, SR_NO_OFFSET);
    const char *s = json_node_get_string(node);
    sr_string_set(out, s, strlen(s));
    return SR_OK;
}

sr_status sr_json_get_number(JsonObject *obj, const char *key, bool null_ok, double *out,
                             sr_field_state *state, sr_error *err)
{
    JsonNode *node;
    sr_status status = member(obj, key, null_ok, &node, state, err);
    if (status != SR_OK || node == NULL)
        return status;
    if (!sr_json_node_number(node, out))
        return sr_error_set(err, SR_ERR_FIELD_TYPE, key, SR_NO_OFFSET);
    if (!isfinite(*out))
        return sr_error_set(err, SR_ERR_FIELD_RANGE, key, SR_NO_OFFSET);
    return SR_OK;
}

sr_status sr_json_get_uint(JsonObject *obj, const char *key, uint64_t max, uint64_t *out,
                           sr_field_state *state, sr_error *err)
{
    JsonNode *node;
    sr_status status = member(obj, key, false, &node, state, err);
    if (status != SR_OK || node == NULL)
        return status;
    if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_INT64) {
        gint64 v = json_node_get_int(node);
        if (v < 0 || (uint64_t)v > max)
            return sr_error_set(err, SR_ERR_FIELD_RANGE, key, SR_NO_OFFSET);
        *out = (uint64_t)v;
        return SR_OK;
    }
    double d;
    if (!sr_json_node_number(node, &d))
        return sr_error_set(err, SR_ERR_FIELD_TYPE, key, SR_NO_OFFSET);
    /* 0x1p64 is the first double a uint64_t cannot hold; the cast below is defined under it. */
    if (!(d >= 0.0 && d < 0x1p64 && d == floor(d)) || (uint64_t)d > max)
        return sr_error_set(err, SR_ERR_FIELD_RANGE, key, SR_NO_OFFSET);
    *out = (uint64_t)d;
    return SR_OK;
}

sr_status sr_json_get_bool(JsonObject *obj, const char *key, bool *out, sr_field_state *state,
                           sr_error *err)
{
    JsonNode *node;
    sr_status status = member(obj, key, false, &node, state, err);
    if (status != SR_OK || node == NULL)
        return status;
    if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
        return sr_error_set(err, SR_ERR_FIELD_TYPE, key, SR_NO_OFFSET);
    *out = json_node_get_boolean(node);
    return SR_OK;
}

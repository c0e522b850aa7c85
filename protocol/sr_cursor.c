/* Message cursor grammar (Core/Messaging/Cursor.cs as described in sec. 6.2). */
#include "protocol/sr_cursor.h"

#include <glib.h>
#include <string.h>

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads 1..max_digits hex digits at *pos into *value. */
static bool read_hex(const char *b, size_t n, size_t *pos, size_t max_digits, uint64_t *value)
{
    size_t start = *pos;
    uint64_t v = 0;
    while (*pos < n && hex_digit(b[*pos]) >= 0 && *pos - start < max_digits) {
        v = v * 16 + (uint64_t)hex_digit(b[*pos]);
        (*pos)++;
    }
    *value = v;
    return *pos > start && !(*pos < n && hex_digit(b[*pos]) >= 0);
}

static size_t read_prefix(const char *b, size_t n, sr_cursor *out, sr_error *err, sr_status *st)
{
    *st = SR_OK;
    if (n >= 2 && b[0] == 's' && b[1] == '-') {
        out->prefix = SR_CURSOR_PREFIX_S;
        return 2;
    }
    if (!(n >= 2 && b[0] == 'd' && b[1] == '-'))
        return 0;
    size_t pos = 2;
    uint64_t id;
    if (!read_hex(b, n, &pos, 8, &id) || pos >= n || b[pos] != '-') {
        *st = sr_error_set(err, SR_ERR_BAD_CURSOR, "C", pos);
        return pos;
    }
    out->prefix = SR_CURSOR_PREFIX_D;
    out->prefix_id = (uint32_t)id;
    return pos + 1;
}

/* Reads one key,hexid entry at *pos, unescaping the key into a fresh string. */
static sr_status read_entry(const char *b, size_t n, size_t *pos, sr_cursor_entry *e,
                            sr_error *err)
{
    GString *key = g_string_new(NULL);
    size_t i = *pos;
    while (i < n && b[i] != ',' && b[i] != '|') {
        if (b[i] == '\\') {
            if (++i >= n)
                break;
        }
        g_string_append_c(key, b[i]);
        i++;
    }
    e->key.len = key->len;
    e->key.data = g_string_free(key, FALSE);
    if (i >= n || b[i] != ',')
        return sr_error_set(err, SR_ERR_BAD_CURSOR, "C", i);
    size_t id_start = ++i;
    /* A ulong is at most 16 hex digits. */
    if (!read_hex(b, n, &i, 16, &e->id))
        return sr_error_set(err, SR_ERR_BAD_CURSOR, "C", id_start);
    *pos = i;
    return SR_OK;
}

sr_status sr_cursor_parse(const char *bytes, size_t len, sr_cursor *out, sr_error *err)
{
    memset(out, 0, sizeof(*out));
    sr_status status;
    size_t pos = read_prefix(bytes, len, out, err, &status);
    if (status != SR_OK)
        return status;
    GArray *entries = g_array_new(FALSE, TRUE, sizeof(sr_cursor_entry));
    while (pos < len) {
        sr_cursor_entry e = {0};
        status = read_entry(bytes, len, &pos, &e, err);
        g_array_append_val(entries, e);
        if (status != SR_OK)
            break;
        if (pos < len && bytes[pos] != '|') {
            status = sr_error_set(err, SR_ERR_BAD_CURSOR, "C", pos);
            break;
        }
        if (pos < len && ++pos == len) {
            status = sr_error_set(err, SR_ERR_BAD_CURSOR, "C", pos);
            break;
        }
    }
    out->count = entries->len;
    out->entries = (sr_cursor_entry *)(void *)g_array_free(entries, FALSE);
    return status;
}

void sr_cursor_clear(sr_cursor *cursor)
{
    for (size_t i = 0; i < cursor->count; i++)
        sr_string_clear(&cursor->entries[i].key);
    g_free(cursor->entries);
    memset(cursor, 0, sizeof(*cursor));
}

sr_span sr_cursor_prefix_text(const char *bytes, size_t len)
{
    sr_cursor c;
    sr_status status;
    size_t end = read_prefix(bytes, len, &c, NULL, &status);
    sr_span span = {NULL, 0};
    if (status == SR_OK && end > 0) {
        span.ptr = bytes;
        span.len = end;
    }
    return span;
}

bool sr_cursor_same_origin(const sr_cursor *a, const sr_cursor *b)
{
    return a->prefix == b->prefix && a->prefix_id == b->prefix_id;
}

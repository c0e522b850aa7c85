/* Owned byte strings: the one place protocol results allocate text. */
#include "protocol/sr_text.h"

#include <glib.h>
#include <string.h>

void sr_string_set(sr_string *out, const char *bytes, size_t len)
{
    out->data = g_malloc(len + 1);
    if (len > 0)
        memcpy(out->data, bytes, len);
    out->data[len] = '\0';
    out->len = len;
}

void sr_string_clear(sr_string *s)
{
    g_free(s->data);
    s->data = NULL;
    s->len = 0;
}

bool sr_string_equals(const sr_string *s, const char *bytes, size_t len)
{
    return s->data != NULL && s->len == len && (len == 0 || memcmp(s->data, bytes, len) == 0);
}

/* g_ascii_tolower(), inlined: it is called for every byte of every parameter name. */
static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

bool sr_ascii_caseeq(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return false;
    }
    return true;
}

int sr_hex_digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

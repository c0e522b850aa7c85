/* JSONP unwrapping, as SendJsonResponse writes it: name + "(" + json + ")" [+ ";"]. */
#include "protocol/sr_jsonp.h"

#include <glib.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* jQuery callback names look like jQuery3710123_1718000000000; dots allow ns.fn. */
static bool is_ident(char c, bool first)
{
    return g_ascii_isalpha(c) || c == '_' || c == '$' || (!first && (g_ascii_isdigit(c) || c == '.'));
}

sr_status sr_jsonp_unwrap(const char *bytes, size_t len, sr_span *callback, sr_span *json)
{
    size_t start = 0, end = len;
    while (start < end && is_space(bytes[start]))
        start++;
    while (end > start && is_space(bytes[end - 1]))
        end--;
    size_t i = start;
    while (i < end && is_ident(bytes[i], i == start))
        i++;
    if (i == start)
        return SR_ERR_NO_MATCH;
    size_t name_end = i;
    while (i < end && is_space(bytes[i]))
        i++;
    /* Without '(' this is no call; JSON literals (true, null) take this path. */
    if (i >= end || bytes[i] != '(')
        return SR_ERR_NO_MATCH;
    if (bytes[end - 1] == ';')
        end--;
    while (end > i + 1 && is_space(bytes[end - 1]))
        end--;
    if (end <= i + 1 || bytes[end - 1] != ')')
        return SR_ERR_BAD_JSONP;
    callback->ptr = bytes + start;
    callback->len = name_end - start;
    json->ptr = bytes + i + 1;
    json->len = end - 1 - (i + 1);
    return SR_OK;
}

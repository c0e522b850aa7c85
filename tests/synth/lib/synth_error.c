/* Error recording and endpoint parsing for the synthesizer's shared types. */
#include "synth_types.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

synth_status synth_error_set(synth_error *err, synth_status status, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

static bool parse_port(const char *text, uint16_t *port)
{
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 10);
    if (end == text || *end != '\0' || v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

bool synth_endpoint_parse(const char *text, synth_endpoint *out)
{
    /* "[v6]:port" or "v4:port"; 64 covers the longest IPv6 text form. */
    char host[64];
    const char *colon;
    memset(out, 0, sizeof *out);
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host)
            return false;
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        out->family = 6;
        return inet_pton(AF_INET6, host, out->addr) == 1 && parse_port(close + 2, &out->port);
    }
    colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof host)
        return false;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    out->family = 4;
    return inet_pton(AF_INET, host, out->addr) == 1 && parse_port(colon + 1, &out->port);
}

/* Protocol version parsing and resolution (Core/Infrastructure/ProtocolResolver.cs, sec. 1). */
#include "protocol/sr_version.h"

static const sr_version MIN_SUPPORTED = {1, 2, -1, -1};
static const sr_version DELAYED_START = {1, 4, -1, -1};

/* Reads one component at *pos; false if it is empty, not decimal, or above INT32_MAX. */
static bool read_component(const char *b, size_t len, size_t *pos, int32_t *out)
{
    int64_t v = 0;
    size_t start = *pos;
    while (*pos < len && b[*pos] >= '0' && b[*pos] <= '9') {
        v = v * 10 + (b[*pos] - '0');
        if (v > INT32_MAX)
            return false;
        (*pos)++;
    }
    *out = (int32_t)v;
    return *pos > start;
}

bool sr_version_parse(const char *bytes, size_t len, sr_version *out)
{
    int32_t parts[4] = {-1, -1, -1, -1};
    size_t pos = 0, count = 0;
    while (count < 4) {
        if (!read_component(bytes, len, &pos, &parts[count]))
            return false;
        count++;
        if (pos == len)
            break;
        if (bytes[pos] != '.')
            return false;
        pos++;
    }
    if (pos != len || count < 2)
        return false;
    out->major = parts[0];
    out->minor = parts[1];
    out->build = parts[2];
    out->revision = parts[3];
    return true;
}

int sr_version_compare(sr_version a, sr_version b)
{
    const int32_t x[4] = {a.major, a.minor, a.build, a.revision};
    const int32_t y[4] = {b.major, b.minor, b.build, b.revision};
    for (int i = 0; i < 4; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

sr_version sr_version_resolve(const char *client_protocol, size_t len, bool present,
                              sr_version server_max)
{
    sr_version v;
    if (!present || !sr_version_parse(client_protocol, len, &v))
        return MIN_SUPPORTED;
    if (sr_version_compare(v, server_max) > 0)
        return server_max;
    if (sr_version_compare(v, MIN_SUPPORTED) < 0)
        return MIN_SUPPORTED;
    return v;
}

bool sr_version_delayed_start(sr_version resolved)
{
    return sr_version_compare(resolved, DELAYED_START) >= 0;
}

sr_version sr_version_server_max(sr_server_release release)
{
    sr_version v = {1, 2, -1, -1};
    switch (release) {
    case SR_SERVER_1_0_ALPHA: v.minor = 0; break;
    case SR_SERVER_1_0_RC: v.minor = 1; break;
    case SR_SERVER_1_0_TO_1_2: break;
    case SR_SERVER_2_0: v.minor = 3; break;
    case SR_SERVER_2_1_0:
    case SR_SERVER_2_1_2: v.minor = 4; break;
    case SR_SERVER_2_2_TO_2_3: v.minor = 5; break;
    case SR_SERVER_2_4: v.major = 2; v.minor = 0; break;
    }
    return v;
}

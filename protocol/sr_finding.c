/* Names, severities and message wording of lifecycle findings. */
#include "protocol/sr_finding.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    sr_severity severity;
} finding_info;

static const finding_info FINDINGS[SR_FINDING_TYPE_COUNT] = {
    [SR_FINDING_KEEPALIVE_LATE] = {"keepalive_late", SR_SEVERITY_WARNING},
    [SR_FINDING_KEEPALIVE_MISSED] = {"keepalive_missed", SR_SEVERITY_ERROR},
    [SR_FINDING_RECONNECT_LATE] = {"reconnect_late", SR_SEVERITY_ERROR},
    [SR_FINDING_DISCONNECT_TIMEOUT] = {"disconnect_timeout", SR_SEVERITY_ERROR},
    [SR_FINDING_TRANSPORT_FALLBACK] = {"transport_fallback", SR_SEVERITY_WARNING},
    [SR_FINDING_ABORT_MISSING] = {"abort_missing", SR_SEVERITY_WARNING},
    [SR_FINDING_DISCONNECT_COMMAND] = {"disconnect_command", SR_SEVERITY_WARNING},
    [SR_FINDING_INVOCATION_UNANSWERED] = {"invocation_unanswered", SR_SEVERITY_ERROR},
    [SR_FINDING_SERVER_CHANGED] = {"server_changed", SR_SEVERITY_WARNING},
    [SR_FINDING_REQUEST_REJECTED] = {"request_rejected", SR_SEVERITY_ERROR},
    [SR_FINDING_CLIENT_TIMER_STARVATION] = {"client_timer_starvation", SR_SEVERITY_WARNING},
    [SR_FINDING_NEGOTIATE_NOT_FOLLOWED] = {"negotiate_not_followed", SR_SEVERITY_WARNING},
    [SR_FINDING_POLL_OVERDUE] = {"poll_overdue", SR_SEVERITY_WARNING},
    [SR_FINDING_SETTINGS_ASSUMED] = {"settings_assumed", SR_SEVERITY_NOTE},
    [SR_FINDING_CAPTURE_GAP] = {"capture_gap", SR_SEVERITY_NOTE},
};

static int in_range(sr_finding_type type)
{
    return (int)type >= 0 && (int)type < SR_FINDING_TYPE_COUNT;
}

const char *sr_finding_name(sr_finding_type type)
{
    return in_range(type) ? FINDINGS[type].name : "unknown";
}

int sr_finding_from_name(const char *name)
{
    for (int i = 0; name != NULL && i < SR_FINDING_TYPE_COUNT; i++) {
        if (strcmp(FINDINGS[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

sr_severity sr_finding_default_severity(sr_finding_type type)
{
    return in_range(type) ? FINDINGS[type].severity : SR_SEVERITY_NOTE;
}

const char *sr_severity_name(sr_severity severity)
{
    switch (severity) {
    case SR_SEVERITY_NOTE:
        return "note";
    case SR_SEVERITY_WARNING:
        return "warning";
    case SR_SEVERITY_ERROR:
        return "error";
    }
    return "unknown";
}

static const char *text(const char *s)
{
    return s != NULL ? s : "?";
}

/* Each case names the sr_finding_values fields it reads. Negotiated settings print with %g so
 * that 20.0 reads "20 s"; measured and derived durations print with one decimal. */
/* " at 35.0 s", for a window " at 30.0-40.0 s", or "" when no threshold was given. */
static const char *window(char *out, size_t cap, const sr_finding_values *v)
{
    if (v->threshold2 > v->threshold && v->threshold > 0) {
        snprintf(out, cap, " at %.1f-%.1f s", v->threshold, v->threshold2);
    } else if (v->threshold > 0) {
        snprintf(out, cap, " at %.1f s", v->threshold);
    } else {
        out[0] = '\0';
    }
    return out;
}

/* " (the transport ended ...)" for a keepalive gap that outlived its transport, else "". */
static const char *after_end(char *out, size_t cap, const sr_finding_values *v)
{
    if (v->transport_ended) {
        snprintf(out, cap,
                 " (the transport ended %.1f s after the last data; the client watches "
                 "keepalives until it starts reconnecting)",
                 v->ended_after);
    } else {
        out[0] = '\0';
    }
    return out;
}

int sr_finding_format(char *buf, size_t cap, sr_finding_type type, const sr_finding_values *v)
{
    static const sr_finding_values none = {0};
    char text_buf[192];
    if (v == NULL) {
        v = &none;
    }
    switch (type) {
    case SR_FINDING_KEEPALIVE_LATE: /* observed, threshold, setting, transport_ended... */
        return snprintf(buf, cap,
                        "no data from server for %.1f s, over 2/3 of KeepAliveTimeout %g s "
                        "(%.1f s): the client raises connectionSlow%s",
                        v->observed, v->setting, v->threshold,
                        after_end(text_buf, sizeof text_buf, v));
    case SR_FINDING_KEEPALIVE_MISSED: /* observed, setting, transport_ended, ended_after */
        return snprintf(buf, cap,
                        "no data from server for %.1f s, KeepAliveTimeout %g s: the client "
                        "starts reconnecting%s",
                        v->observed, v->setting, after_end(text_buf, sizeof text_buf, v));
    case SR_FINDING_RECONNECT_LATE: /* observed, threshold, threshold2, setting, what */
        if (v->what != NULL) {
            return snprintf(buf, cap,
                            "reconnect %.1f s after the transport was lost, %s: the server had "
                            "already ended the connection (DisconnectTimeout %g s)",
                            v->observed, v->what, v->setting);
        }
        /* Without a window (threshold2 0) the expiry is certain: "had already". */
        return snprintf(buf, cap,
                        "reconnect %.1f s after the transport was lost, past the server's "
                        "expiry%s (DisconnectTimeout %g s): the server %s ended the connection",
                        v->observed, window(text_buf, sizeof text_buf, v), v->setting,
                        v->observed > v->threshold2 ? "had already" : "may already have");
    case SR_FINDING_DISCONNECT_TIMEOUT: /* observed, threshold, threshold2, setting */
        return snprintf(buf, cap,
                        "transport lost and no reconnect, poll or /abort for %.1f s, "
                        "DisconnectTimeout %g s: the server ended the connection by timeout%s%s",
                        v->observed, v->setting, window(text_buf, sizeof text_buf, v),
                        v->threshold > 0 ? " after the loss" : "");
    case SR_FINDING_TRANSPORT_FALLBACK: /* what (old transport), what2 (new transport) */
        return snprintf(buf, cap, "transport fell back from %s to %s under the same token",
                        text(v->what), text(v->what2));
    case SR_FINDING_ABORT_MISSING: /* what (transport), setting (DisconnectTimeout) */
        return snprintf(buf, cap,
                        "the client closed its %s transport and sent no /abort: the server keeps "
                        "the connection until DisconnectTimeout %g s expires",
                        text(v->what), v->setting);
    case SR_FINDING_DISCONNECT_COMMAND: /* nothing */
        return snprintf(buf, cap,
                        "the server sent the disconnect command (\"D\":1): a 1.x client stops "
                        "without /abort");
    case SR_FINDING_INVOCATION_UNANSWERED: /* count, what (transport) */
        return snprintf(buf, cap,
                        "%llu hub invocation(s) had no result when the %s transport dropped",
                        (unsigned long long)v->count, text(v->what));
    case SR_FINDING_SERVER_CHANGED: /* what (old prefix), what2 (new prefix) */
        return snprintf(buf, cap,
                        "cursor prefix changed from %s to %s: the server restarted or another "
                        "node answered; messages in between may be lost",
                        text(v->what), text(v->what2));
    case SR_FINDING_REQUEST_REJECTED: /* what (request kind), status, what2 (text or NULL) */
        return snprintf(buf, cap, "/%s answered %d%s%s", text(v->what), v->status,
                        v->what2 != NULL ? ": " : "", v->what2 != NULL ? v->what2 : "");
    case SR_FINDING_CLIENT_TIMER_STARVATION: /* observed, setting, what (what the client did) */
        return snprintf(buf, cap,
                        "the client %s %.1f s after the last data from server, inside "
                        "KeepAliveTimeout %g s: keepalives were arriving, the client's timers "
                        "were starved",
                        text(v->what), v->observed, v->setting);
    case SR_FINDING_NEGOTIATE_NOT_FOLLOWED: /* observed, threshold, what (what came instead) */
        if (v->what != NULL) {
            return snprintf(buf, cap,
                            "negotiate not followed by /connect, %s %.1f s later: no usable "
                            "transport or a protocol version mismatch",
                            v->what, v->observed);
        }
        return snprintf(buf, cap,
                        "negotiate not followed by /connect for %.1f s (expected within %.1f s): "
                        "protocol version mismatch or client error",
                        v->observed, v->threshold);
    case SR_FINDING_POLL_OVERDUE: /* observed, threshold, setting */
        return snprintf(buf, cap,
                        "long poll held %.1f s, over %.1f s (ConnectionTimeout %g s + heartbeat "
                        "slack): server heartbeat late or a proxy holding the response",
                        v->observed, v->threshold, v->setting);
    case SR_FINDING_SETTINGS_ASSUMED: /* setting (KeepAliveTimeout), setting2 (Disconnect...) */
        return snprintf(buf, cap,
                        "negotiate not captured: connection ID unknown, assuming "
                        "KeepAliveTimeout %g s and DisconnectTimeout %g s",
                        v->setting, v->setting2);
    case SR_FINDING_CAPTURE_GAP: /* count (bytes) */
        return snprintf(buf, cap,
                        "%llu bytes lost by the capture: timings around here may be wrong",
                        (unsigned long long)v->count);
    }
    return snprintf(buf, cap, "unknown finding");
}

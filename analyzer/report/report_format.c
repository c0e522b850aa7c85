/* Endpoint, time and name formatting for the reports. */
#include "report/report_format.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

void lf_fmt_endpoint(char *buf, size_t cap, const tcp_endpoint *ep)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    if (ep->family == 4) {
        inet_ntop(AF_INET, ep->addr, addr, sizeof addr);
        snprintf(buf, cap, "%s:%u", addr, (unsigned)ep->port);
    } else if (ep->family == 6) {
        inet_ntop(AF_INET6, ep->addr, addr, sizeof addr);
        snprintf(buf, cap, "[%s]:%u", addr, (unsigned)ep->port);
    } else {
        snprintf(buf, cap, "?");
    }
}

void lf_fmt_utc(char *buf, size_t cap, lf_time_ns t)
{
    lf_time_ns us = t / 1000;
    time_t secs = (time_t)(us / 1000000);
    long frac = (long)(us % 1000000);
    if (frac < 0) {
        frac += 1000000;
        secs -= 1;
    }
    struct tm tm;
    if (gmtime_r(&secs, &tm) == NULL) {
        snprintf(buf, cap, "?");
        return;
    }
    char day[32];
    strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%06ld", day, frac);
}

double lf_epoch_seconds(lf_time_ns t)
{
    /* Rounded to the microsecond; a hostile timestamp near the int64 limits cannot overflow
     * because the rounding is applied to the remainder, not to t. */
    lf_time_ns us = t / 1000, rest = t % 1000;
    if (rest >= 500)
        us++;
    else if (rest <= -500)
        us--;
    return (double)us / 1e6;
}

/* Durations in reports are seconds to days; beyond int64 microseconds they are left as is. */
double lf_round_us(double seconds)
{
    double us = seconds * 1e6;
    if (!(us > -9e18 && us < 9e18)) {
        return seconds;
    }
    return (double)(int64_t)(us >= 0 ? us + 0.5 : us - 0.5) / 1e6;
}

const char *lf_party_name(lf_sr_party party)
{
    switch (party) {
    case LF_SR_PARTY_CLIENT:
        return "client";
    case LF_SR_PARTY_SERVER:
        return "server";
    case LF_SR_PARTY_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *lf_close_how_name(lf_sr_close_how how)
{
    switch (how) {
    case LF_SR_CLOSED_WS_CLOSE:
        return "ws_close";
    case LF_SR_CLOSED_RESPONSE_END:
        return "response_end";
    case LF_SR_CLOSED_TCP_FIN:
        return "tcp_fin";
    case LF_SR_CLOSED_TCP_RST:
        return "tcp_rst";
    case LF_SR_CLOSED_REPLACED:
        return "replaced";
    case LF_SR_CLOSED_CAPTURE_END:
        return "capture_end";
    case LF_SR_CLOSED_EVICTED:
        return "evicted";
    }
    return "unknown";
}

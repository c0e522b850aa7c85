/* Epoch seconds and ISO-8601 moments, by hand: strptime() and timegm() would bring locale
 * and time-zone state along for what is plain arithmetic. */
#include "cli/cli_time.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000LL
/* Moments beyond this many seconds from the epoch (year 2286) are typing mistakes, and it
 * keeps the nanosecond count far from overflowing. */
#define LF_CLI_MAX_EPOCH_S 1e10

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* Reads exactly `width` digits. */
static bool digits(const char **p, int width, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < width; i++) {
        if (!isdigit((unsigned char)(*p)[i])) {
            return false;
        }
        v = v * 10 + (unsigned)((*p)[i] - '0');
    }
    *p += width;
    *out = v;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c) {
        return false;
    }
    (*p)++;
    return true;
}

static bool days_in_month_ok(unsigned y, unsigned m, unsigned d)
{
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap);
}

/* ".123456789": up to nine digits of a second, as nanoseconds. */
static bool fraction(const char **p, long long *ns)
{
    *ns = 0;
    if (**p != '.') {
        return true;
    }
    (*p)++;
    long long scale = NS_PER_S / 10;
    int n = 0;
    for (; isdigit((unsigned char)**p); (*p)++, n++) {
        if (n < 9) {
            *ns += (**p - '0') * scale;
            scale /= 10;
        }
    }
    return n > 0;
}

/* "Z", "+hh:mm", "-hhmm" or nothing (UTC): the offset east of UTC in seconds. */
static bool zone(const char **p, long long *offset)
{
    *offset = 0;
    if (**p == '\0') {
        return true;
    }
    if (expect(p, 'Z') || expect(p, 'z')) {
        return **p == '\0';
    }
    int sign = **p == '+' ? 1 : **p == '-' ? -1 : 0;
    unsigned hh, mm;
    if (sign == 0) {
        return false;
    }
    (*p)++;
    if (!digits(p, 2, &hh)) {
        return false;
    }
    expect(p, ':');
    if (!digits(p, 2, &mm) || hh > 23 || mm > 59) {
        return false;
    }
    *offset = sign * (long long)(hh * 3600 + mm * 60);
    return **p == '\0';
}

static int parse_iso(const char *text, lf_time_ns *out)
{
    const char *p = text;
    unsigned y, mo, d, h, mi, s;
    long long ns, offset;
    if (!digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) || !expect(&p, '-') ||
        !digits(&p, 2, &d) || !(expect(&p, 'T') || expect(&p, 't') || expect(&p, ' ')) ||
        !digits(&p, 2, &h) || !expect(&p, ':') || !digits(&p, 2, &mi) || !expect(&p, ':') ||
        !digits(&p, 2, &s) || !fraction(&p, &ns) || !zone(&p, &offset)) {
        return -1;
    }
    if (!days_in_month_ok(y, mo, d) || h > 23 || mi > 59 || s > 60) {
        return -1;
    }
    long long secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
    *out = secs * NS_PER_S + ns;
    return 0;
}

static int parse_epoch(const char *text, lf_time_ns *out)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !(v >= 0) || v > LF_CLI_MAX_EPOCH_S) {
        return -1;
    }
    /* Whole seconds and the fraction apart, so 1795626832.25 stays exact to the nanosecond. */
    double whole = (double)(long long)v;
    *out = (long long)whole * NS_PER_S + (long long)((v - whole) * (double)NS_PER_S + 0.5);
    return 0;
}

int lf_cli_parse_time(const char *text, lf_time_ns *out)
{
    if (text == NULL || *text == '\0') {
        return -1;
    }
    if (strlen(text) >= 10 && text[4] == '-') {
        return parse_iso(text, out);
    }
    return parse_epoch(text, out);
}

/* A streaming JSON writer: separators and indentation from a small stack of flags, bytes
 * gathered in the writer's buffer so that a report is a few large writes. */
#include "report/json_write.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "report/report_format.h"

void lf_json_init(lf_json_out *j, FILE *out, bool pretty, int depth)
{
    j->out = out;
    j->pretty = pretty;
    j->depth = depth;
    j->level = 0;
    j->used = 0;
    j->failed = false;
    memset(j->has_items, 0, sizeof j->has_items);
}

static void flush(lf_json_out *j)
{
    if (j->used > 0 && fwrite(j->buf, 1, j->used, j->out) != j->used) {
        j->failed = true;
    }
    j->used = 0;
}

/* A piece larger than the whole buffer goes straight out after what the buffer holds. */
static void put(lf_json_out *j, const char *s, size_t n)
{
    if (n > sizeof j->buf - j->used) {
        flush(j);
        if (n > sizeof j->buf) {
            if (fwrite(s, 1, n, j->out) != n) {
                j->failed = true;
            }
            return;
        }
    }
    memcpy(j->buf + j->used, s, n);
    j->used += n;
}

static void put_char(lf_json_out *j, char c)
{
    if (j->used == sizeof j->buf) {
        flush(j);
    }
    j->buf[j->used++] = c;
}

static void put_str(lf_json_out *j, const char *s)
{
    put(j, s, strlen(s));
}

static void newline(lf_json_out *j, int depth)
{
    static const char line[] = "\n                                                ";
    size_t n = (size_t)depth * 2;
    size_t first = n < sizeof line - 2 ? n : sizeof line - 2;
    put(j, line, first + 1);
    for (n -= first; n > 0;) {
        size_t chunk = n < sizeof line - 2 ? n : sizeof line - 2;
        put(j, line + 1, chunk);
        n -= chunk;
    }
}

/* Bytes a JSON string cannot hold as they are: controls, '"' and '\\'. */
static const bool NEEDS_ESCAPE[256] = {
    [0x00] = true, [0x01] = true, [0x02] = true, [0x03] = true, [0x04] = true, [0x05] = true,
    [0x06] = true, [0x07] = true, [0x08] = true, [0x09] = true, [0x0a] = true, [0x0b] = true,
    [0x0c] = true, [0x0d] = true, [0x0e] = true, [0x0f] = true, [0x10] = true, [0x11] = true,
    [0x12] = true, [0x13] = true, [0x14] = true, [0x15] = true, [0x16] = true, [0x17] = true,
    [0x18] = true, [0x19] = true, [0x1a] = true, [0x1b] = true, [0x1c] = true, [0x1d] = true,
    [0x1e] = true, [0x1f] = true, ['"'] = true,  ['\\'] = true};

static void put_escape(lf_json_out *j, unsigned char ch)
{
    switch (ch) {
    case '"':
        put(j, "\\\"", 2);
        break;
    case '\\':
        put(j, "\\\\", 2);
        break;
    case '\n':
        put(j, "\\n", 2);
        break;
    case '\r':
        put(j, "\\r", 2);
        break;
    case '\t':
        put(j, "\\t", 2);
        break;
    default: {
        static const char hex[] = "0123456789abcdef";
        char esc[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
        put(j, esc, sizeof esc);
    }
    }
}

/* Escapes in runs: the bytes between two characters needing an escape go out in one piece. */
static void write_string(lf_json_out *j, const char *s)
{
    put_char(j, '"');
    const char *run = s;
    const char *p = s;
    for (; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (!NEEDS_ESCAPE[ch]) {
            continue;
        }
        put(j, run, (size_t)(p - run));
        run = p + 1;
        put_escape(j, ch);
    }
    put(j, run, (size_t)(p - run));
    put_char(j, '"');
}

/* Separator, indentation and key before a value. */
static void member(lf_json_out *j, const char *key)
{
    if (j->level > 0) {
        bool *has = &j->has_items[j->level < LF_JSON_MAX_LEVELS ? j->level : LF_JSON_MAX_LEVELS - 1];
        if (*has) {
            put_char(j, ',');
        }
        *has = true;
        if (j->pretty) {
            newline(j, j->depth);
        }
    }
    if (key != NULL) {
        /* Keys are the reports' own names, never needing an escape. */
        size_t n = strlen(key);
        put_char(j, '"');
        put(j, key, n);
        put(j, "\": ", j->pretty ? 3 : 2);
    }
}

static void open_container(lf_json_out *j, const char *key, char bracket)
{
    member(j, key);
    put_char(j, bracket);
    j->level++;
    j->depth++;
    if (j->level < LF_JSON_MAX_LEVELS) {
        j->has_items[j->level] = false;
    }
}

static void close_container(lf_json_out *j, char bracket)
{
    bool had = j->level < LF_JSON_MAX_LEVELS ? j->has_items[j->level] : true;
    j->level--;
    j->depth--;
    if (had && j->pretty) {
        newline(j, j->depth);
    }
    put_char(j, bracket);
}

void lf_json_begin_object(lf_json_out *j, const char *key)
{
    open_container(j, key, '{');
}

void lf_json_end_object(lf_json_out *j)
{
    close_container(j, '}');
}

void lf_json_begin_array(lf_json_out *j, const char *key)
{
    open_container(j, key, '[');
}

void lf_json_end_array(lf_json_out *j)
{
    close_container(j, ']');
}

void lf_json_string(lf_json_out *j, const char *key, const char *value)
{
    member(j, key);
    if (value != NULL) {
        write_string(j, value);
    } else {
        put(j, "null", 4);
    }
}

void lf_json_int(lf_json_out *j, const char *key, int64_t value)
{
    member(j, key);
    char buf[24];
    char *p = buf + sizeof buf;
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        *--p = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag > 0);
    if (value < 0) {
        *--p = '-';
    }
    put(j, p, (size_t)(buf + sizeof buf - p));
}

void lf_json_bool(lf_json_out *j, const char *key, bool value)
{
    member(j, key);
    put_str(j, value ? "true" : "false");
}

void lf_json_null(lf_json_out *j, const char *key)
{
    member(j, key);
    put(j, "null", 4);
}

/* Whole seconds, then the microseconds without trailing zeros (none at all when zero). */
static void write_micros(lf_json_out *j, int64_t us)
{
    uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    char buf[40];
    char *end = buf + sizeof buf;
    char *p = end;
    uint64_t frac = mag % 1000000, whole = mag / 1000000;
    if (frac != 0) {
        int digits = 6;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        for (int i = 0; i < digits; i++) {
            *--p = (char)('0' + frac % 10);
            frac /= 10;
        }
        *--p = '.';
    }
    do {
        *--p = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole > 0);
    if (us < 0) {
        *--p = '-';
    }
    put(j, p, (size_t)(end - p));
}

void lf_json_time(lf_json_out *j, const char *key, lf_time_ns t)
{
    member(j, key);
    /* Rounded on the remainder so that timestamps near the int64 limits cannot overflow. */
    int64_t us = t / 1000, rest = t % 1000;
    if (rest >= 500) {
        us++;
    } else if (rest <= -500) {
        us--;
    }
    write_micros(j, us);
}

/* Below this many seconds a double holds every microsecond exactly enough that the nearest
 * integer count of microseconds prints the same digits as "%.6f". */
#define EXACT_MICROS_LIMIT 1e9

void lf_json_seconds(lf_json_out *j, const char *key, double seconds)
{
    member(j, key);
    double v = lf_round_us(seconds);
    if (!isfinite(v)) {
        put(j, "null", 4);
        return;
    }
    if (fabs(v) < EXACT_MICROS_LIMIT) {
        /* -0 and values rounding to zero print as 0, as write_micros does. */
        write_micros(j, llround(v * 1e6));
        return;
    }
    char buf[352]; /* %.6f of the largest double */
    snprintf(buf, sizeof buf, "%.6f", v);
    char *dot = strchr(buf, '.');
    if (dot != NULL) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0') {
            *end-- = '\0';
        }
        if (end == dot) {
            *end = '\0';
        }
    }
    put_str(j, strcmp(buf, "-0") == 0 ? "0" : buf);
}

int lf_json_flush(lf_json_out *j)
{
    flush(j);
    return j->failed || ferror(j->out) ? -1 : 0;
}

/* A streaming JSON writer: separators and indentation from a small stack of flags. */
#include "report/json_write.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "report/report_format.h"

void lf_json_init(lf_json_out *j, FILE *out, bool pretty, int depth)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->pretty = pretty;
    j->depth = depth;
}

static void newline(lf_json_out *j, int depth)
{
    static const char spaces[] = "                                                ";
    fputc('\n', j->out);
    size_t n = (size_t)depth * 2;
    while (n > 0) {
        size_t chunk = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        fwrite(spaces, 1, chunk, j->out);
        n -= chunk;
    }
}

/* Escapes in runs: the bytes between two characters needing an escape go out in one write. */
static void write_string(FILE *out, const char *s)
{
    fputc('"', out);
    const char *run = s;
    const char *p = s;
    for (; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch >= 0x20 && ch != '"' && ch != '\\') {
            continue;
        }
        fwrite(run, 1, (size_t)(p - run), out);
        run = p + 1;
        switch (ch) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            fprintf(out, "\\u%04x", ch);
        }
    }
    fwrite(run, 1, (size_t)(p - run), out);
    fputc('"', out);
}

/* Separator, indentation and key before a value. */
static void member(lf_json_out *j, const char *key)
{
    if (j->level > 0) {
        bool *has = &j->has_items[j->level < LF_JSON_MAX_LEVELS ? j->level : LF_JSON_MAX_LEVELS - 1];
        if (*has) {
            fputc(',', j->out);
        }
        *has = true;
        if (j->pretty) {
            newline(j, j->depth);
        }
    }
    if (key != NULL) {
        write_string(j->out, key);
        fputs(j->pretty ? ": " : ":", j->out);
    }
}

static void open_container(lf_json_out *j, const char *key, char bracket)
{
    member(j, key);
    fputc(bracket, j->out);
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
    fputc(bracket, j->out);
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
        write_string(j->out, value);
    } else {
        fputs("null", j->out);
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
    fwrite(p, 1, (size_t)(buf + sizeof buf - p), j->out);
}

void lf_json_bool(lf_json_out *j, const char *key, bool value)
{
    member(j, key);
    fputs(value ? "true" : "false", j->out);
}

void lf_json_null(lf_json_out *j, const char *key)
{
    member(j, key);
    fputs("null", j->out);
}

/* Whole seconds, then the microseconds without trailing zeros (none at all when zero). */
static void write_micros(FILE *out, int64_t us)
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
    fwrite(p, 1, (size_t)(end - p), out);
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
    write_micros(j->out, us);
}

void lf_json_seconds(lf_json_out *j, const char *key, double seconds)
{
    member(j, key);
    double v = lf_round_us(seconds);
    if (!isfinite(v)) {
        fputs("null", j->out);
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
    fputs(strcmp(buf, "-0") == 0 ? "0" : buf, j->out);
}

int lf_json_status(const lf_json_out *j)
{
    return ferror(j->out) ? -1 : 0;
}

/* sr_text: owned byte strings and borrowed byte spans shared by every protocol module.
 *
 * sr_span borrows bytes from a buffer the caller owns; it is valid while that buffer is.
 * sr_string owns its bytes (g_malloc'd, always followed by a NUL that is not counted in len, so
 * it can be printed when it holds no embedded NUL); free it with sr_string_clear().
 */
#ifndef LIFELINE_PROTOCOL_SR_TEXT_H
#define LIFELINE_PROTOCOL_SR_TEXT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *ptr; /* NULL when absent */
    size_t len;
} sr_span;

typedef struct {
    char *data; /* NULL when absent; otherwise len bytes plus a terminating NUL */
    size_t len;
} sr_string;

/* Copies len bytes into *out (replacing nothing: *out must be cleared or zeroed). */
void sr_string_set(sr_string *out, const char *bytes, size_t len);

/* Frees the bytes and resets to absent. Safe on an absent or zeroed string. */
void sr_string_clear(sr_string *s);

/* True when s is present and equals the len bytes at bytes exactly. */
bool sr_string_equals(const sr_string *s, const char *bytes, size_t len);

/* ASCII case-insensitive comparison of two byte ranges of equal length. */
bool sr_ascii_caseeq(const char *a, const char *b, size_t len);

/* Value of one hexadecimal digit (either case), or -1 for any other byte. */
int sr_hex_digit_value(unsigned char c);

#endif

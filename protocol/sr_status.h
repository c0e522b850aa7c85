/* sr_status: the error vocabulary of the protocol model.
 *
 * Every parser returns an sr_status and, when the caller passes one, fills an sr_error that says
 * which field and which byte offset were at fault. Messages are static strings: nothing to free.
 */
#ifndef LIFELINE_PROTOCOL_SR_STATUS_H
#define LIFELINE_PROTOCOL_SR_STATUS_H

#include <stddef.h>

typedef enum {
    SR_OK = 0,
    SR_ERR_EMPTY,                /* no bytes where a value was required */
    SR_ERR_EMBEDDED_NUL,         /* a NUL byte inside JSON text */
    SR_ERR_INVALID_UTF8,         /* JSON text that is not UTF-8 */
    SR_ERR_JSON_SYNTAX,          /* not well-formed JSON */
    SR_ERR_JSON_TOO_DEEP,        /* nesting beyond SR_JSON_MAX_DEPTH */
    SR_ERR_NOT_OBJECT,           /* the top-level JSON value is not an object */
    SR_ERR_FIELD_TYPE,           /* a known field has the wrong JSON type */
    SR_ERR_FIELD_RANGE,          /* a known numeric field is negative, not finite or too large */
    SR_ERR_MISSING_FIELD,        /* a field the message cannot do without is absent */
    SR_ERR_BAD_PERCENT_ENCODING, /* '%' not followed by two hex digits */
    SR_ERR_BAD_NUMBER,           /* a decimal text parameter that does not parse */
    SR_ERR_BAD_CURSOR,           /* a message cursor that does not follow the grammar */
    SR_ERR_BAD_JSONP,            /* text that looks like a JSONP call but is not one */
    SR_ERR_NO_MATCH,             /* the bytes are not the construct asked about */
    SR_ERR_NEED_MORE             /* the bytes are a proper prefix of the construct */
} sr_status;

/* Sentinel for sr_error.offset when the failing position is not known. */
#define SR_NO_OFFSET ((size_t)-1)

typedef struct {
    sr_status status;
    const char *field; /* static name of the field or parameter at fault, or NULL */
    size_t offset;     /* byte offset into the input, or SR_NO_OFFSET */
} sr_error;

/* Short static English description of a status; never NULL, even for out-of-range values. */
const char *sr_status_message(sr_status status);

/* Records an error in *err when err is not NULL; returns status so callers can `return` it. */
sr_status sr_error_set(sr_error *err, sr_status status, const char *field, size_t offset);

#endif

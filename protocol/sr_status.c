/* Static messages for sr_status values. */
#include "protocol/sr_status.h"

const char *sr_status_message(sr_status status)
{
    switch (status) {
    case SR_OK: return "ok";
    case SR_ERR_EMPTY: return "empty input";
    case SR_ERR_EMBEDDED_NUL: return "embedded NUL byte in JSON text";
    case SR_ERR_INVALID_UTF8: return "JSON text is not valid UTF-8";
    case SR_ERR_JSON_SYNTAX: return "malformed JSON";
    case SR_ERR_JSON_TOO_DEEP: return "JSON nested too deeply";
    case SR_ERR_NOT_OBJECT: return "JSON value is not an object";
    case SR_ERR_FIELD_TYPE: return "field has the wrong type";
    case SR_ERR_FIELD_RANGE: return "numeric field out of range";
    case SR_ERR_MISSING_FIELD: return "required field missing";
    case SR_ERR_BAD_PERCENT_ENCODING: return "invalid percent-encoding";
    case SR_ERR_BAD_NUMBER: return "invalid decimal number";
    case SR_ERR_BAD_CURSOR: return "malformed message cursor";
    case SR_ERR_BAD_JSONP: return "malformed JSONP wrapper";
    case SR_ERR_NO_MATCH: return "bytes do not match the expected construct";
    case SR_ERR_NEED_MORE: return "incomplete input, more bytes needed";
    }
    return "unknown status";
}

sr_status sr_error_set(sr_error *err, sr_status status, const char *field, size_t offset)
{
    if (err != NULL) {
        err->status = status;
        err->field = field;
        err->offset = offset;
    }
    return status;
}

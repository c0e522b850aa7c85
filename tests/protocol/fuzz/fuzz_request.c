/* Fuzzes request classification: the input is "METHOD target\nform body". */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocol/sr_request.h"
#include "protocol/sr_version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *space = memchr(text, ' ', size);
    size_t method_len = space != NULL ? (size_t)(space - text) : 0;
    size_t target_start = space != NULL ? method_len + 1 : 0;
    const char *newline = memchr(text + target_start, '\n', size - target_start);
    size_t target_len = newline != NULL ? (size_t)(newline - text) - target_start : size - target_start;
    const char *form = newline != NULL ? newline + 1 : NULL;
    size_t form_len = newline != NULL ? size - (size_t)(newline + 1 - text) : 0;
    sr_request req;
    sr_request_parse(text, method_len, text + target_start, target_len, form, form_len, &req, NULL);
    const sr_param *cp = &req.params[SR_PARAM_CLIENT_PROTOCOL];
    sr_version_resolve(cp->value.data, cp->value.len, cp->value.data != NULL,
                       sr_version_server_max(SR_SERVER_2_4));
    sr_request_message_id(&req);
    sr_request_clear(&req);
    return 0;
}

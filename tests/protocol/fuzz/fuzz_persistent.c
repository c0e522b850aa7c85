/* Fuzzes persistent responses (and through them cursors, JSONP and the JSON gate). */
#include <stddef.h>
#include <stdint.h>

#include "protocol/sr_hub.h"
#include "protocol/sr_persistent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_persistent_response resp;
    if (sr_persistent_parse((const char *)data, size, &resp, NULL) == SR_OK) {
        for (size_t i = 0; i < resp.message_count; i++)
            sr_hub_classify(sr_persistent_message(&resp, i));
    }
    sr_persistent_clear(&resp);
    sr_cursor cursor;
    sr_cursor_parse((const char *)data, size, &cursor, NULL);
    sr_cursor_clear(&cursor);
    return 0;
}

/* Fuzzes the byte-level transport matchers, walking the input as a stream would. */
#include <stddef.h>
#include <stdint.h>

#include "protocol/sr_framing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *bytes = (const char *)data;
    size_t consumed = 0;
    sr_span frame_id, json;
    sr_sse_data_kind kind;
    bool keepalive;
    size_t pos = 0;
    if (sr_ff_match_prelude(bytes, size, &consumed, &frame_id) == SR_OK)
        pos = consumed;
    while (pos < size && sr_ff_match_script(bytes + pos, size - pos, &consumed, &json, &keepalive) == SR_OK)
        pos += consumed;
    for (pos = 0; pos < size && sr_sse_match_fixed_event(bytes + pos, size - pos, &kind, &consumed) == SR_OK;)
        pos += consumed;
    sr_ws_is_keepalive(bytes, size);
    sr_sse_classify_data(bytes, size);
    sr_lp_keepalive_spaces(bytes, size);
    return 0;
}

/* Fuzzes negotiate parsing, server release bounds and timing derivation. */
#include <stddef.h>
#include <stdint.h>

#include "protocol/sr_timing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_negotiate neg;
    if (sr_negotiate_parse((const char *)data, size, &neg, NULL) == SR_OK) {
        sr_server_release lo, hi;
        sr_negotiate_server_range(&neg, &lo, &hi);
        sr_timing_settings settings;
        sr_timing timing;
        sr_timing_from_negotiate(&neg, &settings);
        sr_timing_derive(&settings, SR_TRANSPORT_LONG_POLLING, &timing);
    }
    sr_negotiate_clear(&neg);
    return 0;
}

/* Fuzzes top-level payload classification and every hub payload reader. */
#include <stddef.h>
#include <stdint.h>

#include "protocol/sr_hub.h"
#include "protocol/sr_payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    JsonNode *root;
    if (sr_payload_parse((const char *)data, size, &root, NULL, NULL) != SR_OK)
        return 0;
    sr_payload_classify_node(root);
    sr_hub_invocation inv;
    sr_hub_invocation_from_node(root, &inv, NULL);
    sr_hub_invocation_clear(&inv);
    sr_hub_result res;
    sr_hub_result_from_node(root, &res, NULL);
    sr_hub_result_clear(&res);
    sr_hub_progress prog;
    sr_hub_progress_from_node(root, &prog, NULL);
    sr_hub_progress_clear(&prog);
    json_node_unref(root);
    return 0;
}

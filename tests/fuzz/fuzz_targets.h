/* fuzz_targets.h - the harness entry points, shared by the libFuzzer executables and the
 * deterministic mutation replay (fuzz_replay.c).
 *
 * Each takes one input and runs it through real analyzer stages, sending every event to sinks
 * that read every byte they are given (the --dump-events printer writing to /dev/null), so a
 * pointer or length that is off shows up under AddressSanitizer. Nothing survives a call: all
 * state is created and freed inside it. Each returns 0 (the libFuzzer convention).
 */
#ifndef LIFELINE_FUZZ_TARGETS_H
#define LIFELINE_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/* Stream format (fuzz_input.h) -> wire consumer (HTTP/1.1, bodies, WS/SSE/forever frame). */
int fuzz_http_wire(const uint8_t *data, size_t size);
/* Config byte picks a reader (WebSocket with or without deflate, SSE, forever frame); records
 * feed it directly, a gap is a capture loss, a fin ends a forever-frame body. */
int fuzz_transport_readers(const uint8_t *data, size_t size);
/* Stream format -> wire consumer -> SignalR classifier -> lifecycle engine -> reports. */
int fuzz_signalr_classifier(const uint8_t *data, size_t size);
/* A whole capture file -> capture -> TCP reassembly -> wire -> classifier -> lifecycle. */
int fuzz_whole_pcap(const uint8_t *data, size_t size);

typedef int (*fuzz_target_fn)(const uint8_t *data, size_t size);

/* The entry point called `name` (http_wire, readers, classifier, pcap), or NULL. */
fuzz_target_fn fuzz_target_by_name(const char *name);

#endif

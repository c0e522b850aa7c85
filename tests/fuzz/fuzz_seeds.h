/* fuzz_seeds.h - seed inputs for the harnesses: built from capture files and from a few
 * hand-written byte sequences.
 *
 * Stream harnesses get the TCP streams of a capture in the fuzz_input.h format (extracted with
 * the analyzer's own capture and TCP reassembly stages): one seed with every stream of the
 * capture interleaved as captured, and one seed per stream. The readers harness gets WebSocket
 * tunnel bytes found after a 101 answer plus hand-written SSE, forever-frame and WebSocket
 * examples. The pcap harness gets the capture file itself.
 *
 * Seeds are appended to a GPtrArray of GBytes owned by the caller (g_ptr_array_new_with_free_func
 * (g_bytes_unref)). Errors (an unreadable capture) are returned as false with a message.
 */
#ifndef LIFELINE_FUZZ_SEEDS_H
#define LIFELINE_FUZZ_SEEDS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Seeds larger than this are cut: big inputs slow every mutation down for little coverage. */
#define FUZZ_SEED_MAX_BYTES (64 * 1024)

/* Seeds for `target` (a fuzz_target_by_name() name) from one capture file. */
bool fuzz_seeds_from_capture(const char *target, const char *path, GPtrArray *seeds,
                             char *err, size_t err_cap);

/* Hand-written seeds for `target` (may add none). */
void fuzz_seeds_builtin(const char *target, GPtrArray *seeds);

#endif

/* Timestamp-ordered holding area between packet producers and the capture writer.
 * Producers push finished frames (copied in); packet_queue_release() writes, in timestamp
 * order (ties in push order), every frame at or before a watermark, and frees them. Frames
 * older than the last watermark are refused, so the file is always in order.
 * The queue owns its frames; it does not own the writer. */
#ifndef LIFELINE_SYNTH_PACKET_QUEUE_H
#define LIFELINE_SYNTH_PACKET_QUEUE_H

#include "capture_writer.h"

typedef struct packet_queue packet_queue;

packet_queue *packet_queue_new(capture_writer *writer);
void packet_queue_free(packet_queue *q);

synth_status packet_queue_push(packet_queue *q, synth_time ts, const uint8_t *frame, uint32_t len,
                               synth_error *err);

/* Writes and drops every frame with ts <= watermark. */
synth_status packet_queue_release(packet_queue *q, synth_time watermark, synth_error *err);

/* Writes everything still held. */
synth_status packet_queue_drain(packet_queue *q, synth_error *err);

size_t packet_queue_pending(const packet_queue *q);

#endif

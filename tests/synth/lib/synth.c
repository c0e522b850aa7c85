/* The synthesizer handle: output file + ordered queue + random source + error slot. */
#include "synth.h"

#include "capture_writer.h"
#include "packet_queue.h"

#include <stdlib.h>

struct synth {
    capture_writer *writer;
    packet_queue *queue;
    synth_link link;
    synth_time capture_from;
    uint64_t rng;
    synth_error error;
};

synth_t *synth_new(const char *path, const synth_options *o, synth_error *err)
{
    synth_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
        return NULL;
    }
    uint32_t snaplen = o->snaplen ? o->snaplen : SYNTH_DEFAULT_SNAPLEN;
    s->writer = capture_writer_open(path, o->format, o->link, snaplen, err);
    if (s->writer == NULL) {
        free(s);
        return NULL;
    }
    s->queue = packet_queue_new(s->writer);
    if (s->queue == NULL) {
        capture_writer_close(s->writer, NULL);
        free(s);
        synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
        return NULL;
    }
    s->link = o->link;
    s->capture_from = o->capture_from;
    s->rng = o->seed ? o->seed : 1; /* xorshift must not start at 0 */
    return s;
}

synth_t *synth_new_file(const char *path, synth_format format, synth_error *err)
{
    synth_options o = {.format = format, .link = SYNTH_LINK_ETHERNET, .seed = 1};
    return synth_new(path, &o, err);
}

synth_status synth_emit(synth_t *s, synth_time ts, const uint8_t *frame, uint32_t len)
{
    if (ts < s->capture_from)
        return SYNTH_OK;
    return packet_queue_push(s->queue, ts, frame, len, &s->error);
}

synth_status synth_flush_until(synth_t *s, synth_time t)
{
    return packet_queue_release(s->queue, t, &s->error);
}

synth_link synth_link_type(const synth_t *s)
{
    return s->link;
}

/* xorshift64*: deterministic per seed, so a scenario always produces the same file. */
uint64_t synth_random(synth_t *s)
{
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return s->rng * 0x2545F4914F6CDD1Dull;
}

synth_error *synth_error_of(synth_t *s)
{
    return &s->error;
}

uint64_t synth_packets_written(const synth_t *s)
{
    return capture_writer_packets(s->writer);
}

uint64_t synth_bytes_written(const synth_t *s)
{
    return capture_writer_bytes(s->writer);
}

size_t synth_packets_held(const synth_t *s)
{
    return packet_queue_pending(s->queue);
}

synth_status synth_close(synth_t *s, synth_error *err)
{
    synth_status st = packet_queue_drain(s->queue, err);
    packet_queue_free(s->queue);
    synth_status cst = capture_writer_close(s->writer, st == SYNTH_OK ? err : NULL);
    free(s);
    return st != SYNTH_OK ? st : cst;
}

/* wire_tag.h - the identity every wire event of one reader carries (stream, direction, request).
 *
 * Readers keep a wire_tag by value and stamp it on each event they emit; the sink is borrowed
 * from the stream owner. Nothing to free.
 */
#ifndef LIFELINE_WIRE_TAG_H
#define LIFELINE_WIRE_TAG_H

#include "pipeline/wire_event.h"

typedef struct wire_tag {
    const lf_wire_sink *sink;
    uint64_t stream;
    tcp_dir dir;
    uint32_t request_index;
} wire_tag;

static inline lf_wire_event wire_tag_event(const wire_tag *t, lf_wire_kind kind,
                                           const lf_frame_ref *at)
{
    lf_wire_event ev = {
        .kind = kind, .stream = t->stream, .dir = t->dir, .request_index = t->request_index};
    if (at)
        ev.at = *at;
    return ev;
}

static inline void wire_tag_emit(const wire_tag *t, const lf_wire_event *ev)
{
    t->sink->emit(t->sink->ctx, ev);
}

#endif

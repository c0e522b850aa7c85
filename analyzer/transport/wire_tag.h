/* wire_tag.h - the identity every wire event of one reader carries (stream, direction, request).
 *
 * Readers keep a wire_tag by value and stamp it on each event they emit; the sink is borrowed
 * from the stream owner. Nothing to free.
 */
#ifndef LIFELINE_WIRE_TAG_H
#define LIFELINE_WIRE_TAG_H

#include <string.h>

#include "pipeline/wire_event.h"

typedef struct wire_tag {
    const lf_wire_sink *sink;
    uint64_t stream;
    tcp_dir dir;
    uint32_t request_index;
} wire_tag;

/* Fills *ev in place (events are large: returning one by value costs a copy per event). */
static inline void wire_tag_event(lf_wire_event *ev, const wire_tag *t, lf_wire_kind kind,
                                  const lf_frame_ref *at)
{
    memset(ev, 0, sizeof(*ev));
    ev->kind = kind;
    ev->stream = t->stream;
    ev->dir = t->dir;
    ev->request_index = t->request_index;
    if (at)
        ev->at = *at;
}

static inline void wire_tag_emit(const wire_tag *t, const lf_wire_event *ev)
{
    t->sink->emit(t->sink->ctx, ev);
}

#endif

/* Merges many packet generators into one timestamp-ordered capture without building it in
 * memory: a min-heap of generators keyed by the time of their next event. Before a generator
 * steps, every frame up to its next time is written (no generator may emit earlier than its own
 * next time), so the queue only ever holds the frames of events in flight.
 * The scheduler owns the generators added to it and destroys each one when it is done. */
#ifndef LIFELINE_SYNTH_SCHEDULER_H
#define LIFELINE_SYNTH_SCHEDULER_H

#include "synth.h"

typedef struct synth_generator synth_generator;

struct synth_generator {
    synth_time next; /* time of the next event; the step must not emit before it */
    bool done;       /* set by step when the generator has nothing left to emit */
    synth_status (*step)(synth_generator *g, synth_t *s);
    void (*destroy)(synth_generator *g);
};

typedef struct synth_scheduler synth_scheduler;

synth_scheduler *synth_scheduler_new(void);
/* Takes ownership of g, even on failure. */
synth_status synth_scheduler_add(synth_scheduler *sch, synth_generator *g, synth_error *err);
/* Steps generators in time order until all are done or one fails. */
synth_status synth_scheduler_run(synth_scheduler *sch, synth_t *s);
void synth_scheduler_free(synth_scheduler *sch);

#endif

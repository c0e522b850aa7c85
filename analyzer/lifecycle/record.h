/* record.h - filling one connection record (connection.h) within its memory bounds.
 *
 * The engine appends timeline entries and findings through these functions; they enforce the
 * LF_MAX_* caps (counting what they drop) and copy every string they are given. The record owns
 * all it holds; lf_record_clear() frees it.
 */
#ifndef LIFELINE_LIFECYCLE_RECORD_H
#define LIFELINE_LIFECYCLE_RECORD_H

#include <stddef.h>

#include "lifecycle/connection.h"

/* Appends a lifecycle-relevant entry at ev's frame, stream and transport; the open runs of
 * routine traffic end there. Returns it, or NULL when the timeline is full (the drop is
 * counted). The pointer is valid until the next append or finding. */
lf_timeline_event *lf_record_add_event(lf_connection *c, lf_tl_type type,
                                       const lf_signalr_event *ev);

/* Routine traffic: sends, messages, keepalives, hub invocations and results, and the cycle of a
 * healthy long poll (the poll, its acceptance, its answer's end). lf_record_extend_run() folds
 * ev into the entry it extends: a keepalive into the keepalive run just before it on the same
 * stream; past the first LF_DETAILED_EVENTS entries, any routine event into the open run of
 * its type (on any stream: sends come over pooled connections). It returns that run (count,
 * last and max_gap updated), or NULL when ev needs an entry of its own:
 * lf_record_add_routine() appends it as lf_record_add_event() does, and opens its type's run
 * without ending the others. */
lf_timeline_event *lf_record_extend_run(lf_connection *c, lf_tl_type type,
                                        const lf_signalr_event *ev);
lf_timeline_event *lf_record_add_routine(lf_connection *c, lf_tl_type type,
                                         const lf_signalr_event *ev);

/* Gives `at`, an event of `type` summarised inside a run, an entry of its own (in time order,
 * without detail; the run's count no longer includes it) and returns it; NULL when no run of
 * that type hides it. Other entry pointers are invalidated. */
lf_timeline_event *lf_record_show_frame(lf_connection *c, lf_tl_type type, const lf_frame_ref *at);

/* Replaces the detail of e (an entry of c) with a copy of len bytes, capped and made printable
 * as by lf_record_text(), kept in c's text store; bytes NULL removes it. Other entries' detail
 * pointers may move (the store may be rebuilt). */
void lf_record_set_detail(lf_connection *c, lf_timeline_event *e, const char *bytes, size_t len);

/* Appends a finding with its type's default severity and a message formatted by
 * sr_finding_format(); `end` may be NULL. Returns it (valid until the next append), or NULL
 * when the record is full (the drop is counted). The open runs end there, and an evidence
 * frame summarised inside the one run spanning it gets an entry of its own (without detail),
 * so the timeline shows the frames a finding cites. When runs of several types span the frame,
 * the caller that knows the frame's type says so first with lf_record_show_frame(). */
lf_finding *lf_record_add_finding(lf_connection *c, sr_finding_type type, lf_time_ns time,
                                  const lf_time_ns *end, const sr_finding_values *values,
                                  const lf_frame_ref *evidence, size_t evidence_count);

/* Remembers a stream id for the Wireshark filter (once each). */
void lf_record_note_stream(lf_connection *c, uint64_t stream);

/* Removes findings[index] (a conclusion later evidence overturned). */
void lf_record_remove_finding(lf_connection *c, size_t index);

/* Appends a transport to the "transports used" list when it differs from the last one. */
void lf_record_note_transport(lf_connection *c, sr_transport transport);

/* Copy of len bytes as a NUL-terminated string with non-printable bytes replaced by '?', or
 * NULL when ptr is NULL. Caller frees with g_free(). */
char *lf_record_text(const char *ptr, size_t len);

/* Sorts findings by time (the engine detects some late, e.g. at the end of a gap). */
void lf_record_sort_findings(lf_connection *c);

/* Frees everything the record owns and zeroes it. */
void lf_record_clear(lf_connection *c);

#endif

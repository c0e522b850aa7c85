/* legs.h - telling the network paths of one connection apart (connection.h lf_leg).
 *
 * A capture taken on a reverse proxy sees each request twice: client -> proxy, then proxy ->
 * server, on different TCP streams with the same token, a few milliseconds apart. Counting both
 * would double every finding. A leg is (client address, server address and port); the first
 * leg seen is analysed; a later leg whose first event repeats, within LF_LEG_MIRROR_WINDOW_NS,
 * what an analysed leg just carried is a mirror and only counted. A later leg with no such
 * twin (the client changed address) is analysed too. State lives in the record: nothing to free.
 */
#ifndef LIFELINE_LIFECYCLE_LEGS_H
#define LIFELINE_LIFECYCLE_LEGS_H

#include <stdbool.h>

#include "lifecycle/connection.h"

/* A proxy forwards within milliseconds; a second in either direction still leaves the
 * client's own requests (sent seconds apart at the least) distinguishable. */
#define LF_LEG_MIRROR_WINDOW_NS 1000000000LL

/* Records ev on its leg; returns true when the engine should analyse it. */
bool lf_legs_accept(lf_connection *c, const lf_signalr_event *ev);

#endif

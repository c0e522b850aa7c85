/* sr_version: SignalR protocol versions ("1.5", "2.1") and the server's resolution of a
 * request's clientProtocol (wire reference sec. 1, 11.1). Plain values: nothing to free.
 */
#ifndef LIFELINE_PROTOCOL_SR_VERSION_H
#define LIFELINE_PROTOCOL_SR_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/sr_negotiate.h"

/* .NET System.Version: build and revision are -1 when absent, and an absent component sorts
 * before any present one ("1.4" < "1.4.0"). */
typedef struct {
    int32_t major, minor, build, revision;
} sr_version;

/* Parses "major.minor[.build[.revision]]", decimal digits only, each at most INT32_MAX.
 * Returns false (and leaves *out alone) otherwise. */
bool sr_version_parse(const char *bytes, size_t len, sr_version *out);

/* <0, 0, >0 like strcmp, in .NET Version order. */
int sr_version_compare(sr_version a, sr_version b);

/* The version the server runs a request with (ProtocolResolver.cs): clientProtocol absent or
 * unparsable -> 1.2; otherwise clamped into [1.2, server_max]. */
sr_version sr_version_resolve(const char *client_protocol, size_t len, bool present,
                              sr_version server_max);

/* True when OnConnected runs on /start rather than /connect: resolved version >= 1.4. */
bool sr_version_delayed_start(sr_version resolved);

/* Highest protocol a server release speaks (sec. 1): 1.0 / 1.1 for the pre-releases, 1.2 for
 * 1.0.0-1.2.2, 1.3 for 2.0.x, 1.4 for 2.1.x, 1.5 for 2.2-2.3, 2.0 for 2.4.x. */
sr_version sr_version_server_max(sr_server_release release);

#endif

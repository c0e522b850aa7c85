/* Leg bookkeeping and mirror detection. */
#include "lifecycle/legs.h"

#include <string.h>

/* Constant lengths let the compiler compare in registers instead of calling memcmp (every
 * event is checked against its leg). */
static bool same_address(const tcp_endpoint *a, const tcp_endpoint *b)
{
    if (a->family != b->family) {
        return false;
    }
    return a->family == 6 ? memcmp(a->addr, b->addr, 16) == 0 : memcmp(a->addr, b->addr, 4) == 0;
}

static bool same_leg(const lf_leg *leg, const lf_signalr_event *ev)
{
    return same_address(&leg->client, &ev->client) && same_address(&leg->server, &ev->server) &&
           leg->server.port == ev->server.port;
}

static bool within_window(lf_time_ns earlier, lf_time_ns later)
{
    lf_time_ns d = later - earlier;
    return d >= -LF_LEG_MIRROR_WINDOW_NS && d <= LF_LEG_MIRROR_WINDOW_NS;
}

/* Does an analysed leg carry the twin of ev? Requests must match by kind; anything else only
 * needs the other leg to be active at the same moment (responses reach the two legs in the
 * opposite order from requests). */
static bool has_twin(const lf_connection *c, const lf_signalr_event *ev)
{
    for (size_t i = 0; i < c->leg_count; i++) {
        const lf_leg *leg = &c->legs[i];
        if (leg->mirror) {
            continue;
        }
        if (ev->type == LF_SR_REQUEST) {
            if (leg->last_request_kind == ev->request_kind &&
                within_window(leg->last_request_time, ev->at.time)) {
                return true;
            }
        } else if (within_window(leg->last, ev->at.time)) {
            return true;
        }
    }
    return false;
}

static void touch(lf_leg *leg, const lf_signalr_event *ev)
{
    leg->events++;
    leg->last = ev->at.time;
    if (ev->type == LF_SR_REQUEST) {
        leg->last_request_kind = ev->request_kind;
        leg->last_request_time = ev->at.time;
    }
}

/* A path not seen before: a new leg, a mirror when an analysed leg carries ev's twin. Kept out
 * of line so that the common case, a known leg, saves no registers. */
__attribute__((noinline)) static bool add_leg(lf_connection *c, const lf_signalr_event *ev)
{
    bool mirror = c->leg_count > 0 && has_twin(c, ev);
    if (c->leg_count == LF_MAX_LEGS) {
        return !mirror;
    }
    lf_leg *leg = &c->legs[c->leg_count++];
    memset(leg, 0, sizeof *leg);
    leg->client = ev->client;
    leg->server = ev->server;
    leg->mirror = mirror;
    leg->first = ev->at.time;
    touch(leg, ev);
    return !mirror;
}

bool lf_legs_accept(lf_connection *c, const lf_signalr_event *ev)
{
    for (size_t i = 0; i < c->leg_count; i++) {
        if (same_leg(&c->legs[i], ev)) {
            touch(&c->legs[i], ev);
            return !c->legs[i].mirror;
        }
    }
    return add_leg(c, ev);
}

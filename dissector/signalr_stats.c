/* Statistics tree over the signalr tap (see signalr_stats.h). */
#include "signalr_stats.h"

#include <epan/stats_tree.h>

#include "signalr_message.h"

static const char NODE_REQUESTS[] = "Requests by kind";
static const char NODE_TRANSPORTS[] = "Receive requests by transport";
static const char NODE_GAPS[] = "Keepalive gaps (s)";
static const char NODE_FINDINGS[] = "Lifecycle findings";

static void stats_init(stats_tree *st)
{
    stats_tree_create_node(st, NODE_REQUESTS, 0, STAT_DT_INT, TRUE);
    stats_tree_create_node(st, NODE_TRANSPORTS, 0, STAT_DT_INT, TRUE);
    stats_tree_create_range_node(st, NODE_GAPS, 0, "0-4", "5-9", "10-13", "14-19", "20-29",
                                 "30-", NULL);
    stats_tree_create_node(st, NODE_FINDINGS, 0, STAT_DT_INT, TRUE);
}

static gboolean is_receive(sr_request_kind kind)
{
    return kind == SR_REQUEST_CONNECT || kind == SR_REQUEST_RECONNECT || kind == SR_REQUEST_POLL;
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt,
                                      const void *data, tap_flags_t flags)
{
    (void)pinfo;
    (void)edt;
    (void)flags;
    const signalr_tap_record *rec = data;
    if (rec->is_request) {
        tick_stat_node(st, NODE_REQUESTS, 0, TRUE);
        tick_stat_node(st, sr_request_kind_name(rec->request),
                       stats_tree_parent_id_by_name(st, NODE_REQUESTS), FALSE);
        if (is_receive(rec->request)) {
            tick_stat_node(st, NODE_TRANSPORTS, 0, TRUE);
            tick_stat_node(st, sr_transport_name(rec->transport),
                           stats_tree_parent_id_by_name(st, NODE_TRANSPORTS), FALSE);
        }
    }
    if (rec->keepalive && rec->has_gap) {
        stats_tree_tick_range(st, NODE_GAPS, 0, (int)rec->gap_s);
    }
    for (int i = 0; rec->findings != NULL && i < rec->findings->count; i++) {
        tick_stat_node(st, NODE_FINDINGS, 0, TRUE);
        tick_stat_node(st, sr_finding_name(rec->findings->type[i]),
                       stats_tree_parent_id_by_name(st, NODE_FINDINGS), FALSE);
    }
    return TAP_PACKET_REDRAW;
}

void signalr_stats_register(void)
{
    stats_tree_register_plugin("signalr", "signalr", "SignalR (classic)", 0, stats_packet,
                               stats_init, NULL);
}

/* signalr_stats: the "signalr" statistics tree (tshark -z signalr,tree; Statistics menu in
 * Wireshark): requests by kind, receive transports, keepalive gaps and lifecycle findings,
 * fed by the "signalr" tap. Node ids live in the stats_tree itself; nothing to free.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_STATS_H
#define LIFELINE_DISSECTOR_SIGNALR_STATS_H

/* From the plugin's tap registration. */
void signalr_stats_register(void);

#endif

#!/usr/bin/env python3
"""Compare lifeline's JSON report on a bundled capture with that capture's ground truth.

The truth (captures/<name>.truth.json) was recorded by the capture lab while the official
SignalR JavaScript client ran: the connections the server issued, the transports the client
used, the client's lifecycle events (connectionSlow, reconnecting, ...) and the server's
(OnConnected, OnReconnected, OnDisconnected with its reason). A correct analysis of the capture
alone must agree with it:

- every connection of the truth is reported, with its ConnectionId, token and transports;
- its end state follows from the server's last event;
- each client connectionSlow is matched by a keepalive_late finding, each reconnecting after a
  silent outage by keepalive_missed, each server OnDisconnected by timeout by disconnect_timeout
  and each reconnect the server answered after expiring the connection by reconnect_late, all
  within the client's check interval (the server's heartbeat slack for server events);
- a clean capture has none of those four findings.

usage: truth_check.py LIFELINE CAPTURE.pcap...
"""
import json
import os
import subprocess
import sys

FIXED = ("keepalive_late", "keepalive_missed", "reconnect_late", "disconnect_timeout")
JITTER = 0.25  # browser timer and loopback scheduling slack, seconds
RECONNECT_DELAY = 2.0  # JS client: reconnecting fires this long after the loss is detected


def report_for(lifeline, capture):
    run = subprocess.run([lifeline, "--format", "json", "--fail-on", "never", capture],
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise SystemExit(f"{capture}: lifeline exited {run.returncode}: {run.stderr.strip()}")
    return json.loads(run.stdout)


class Checker:
    def __init__(self, capture):
        self.capture = os.path.basename(capture)
        self.failures = 0
        self.checks = 0

    def expect(self, ok, message):
        self.checks += 1
        if not ok:
            self.failures += 1
            print(f"FAIL {self.capture}: {message}")


def events(conn, kind, name):
    return [e for e in conn[kind] if e["event"] == name]


def findings(conn, ftype):
    return [f for f in conn["findings"] if f["type"] == ftype]


def matched(found, t, before, after):
    """Some finding lies between `after` seconds before t and `before` seconds after it."""
    return any(t - after <= f["time"] <= t + before for f in found)


# Reasons the lab server gives when it ended a receive transport itself (a 2.0-style server
# closes the socket right after the "D":1 disconnect command).
SERVER_ENDED_TRANSPORT = ("disconnect command",)


def after_transport_end(truth, tconn, t):
    """The client enters reconnecting one reconnect delay after it learns that its transport
    ended. It logs `error` when the transport fails, but not when the stream ended cleanly (an
    EventSource whose server went away, a WebSocket the server closed after "D":1), so the
    server's side of the truth counts too: a server instance killed, or the server ending this
    connection's transport itself. A reconnecting with none of these before it followed a
    silent outage."""
    def near(when):
        return when is not None and t - RECONNECT_DELAY - 1.0 <= when <= t

    return (any(near(e["t"]) for e in events(tconn, "client_events", "error"))
            or any(near(s.get("killed")) for s in truth["servers"])
            or any(near(e["t"]) for e in tconn["server_transport_events"]
                   if e["event"] == "transport_lost"
                   and e.get("reason") in SERVER_ENDED_TRANSPORT))


def entered_reconnecting(tconn, within):
    """State changes from connected to reconnecting that start an outage: the forever-frame
    client re-enters reconnecting on later beats of the same outage (`within` seconds)."""
    starts, last = [], None
    for e in events(tconn, "client_events", "stateChanged"):
        if e["data"]["oldState"] == "connected" and e["data"]["newState"] == "reconnecting":
            if last is None or e["t"] - last > within:
                starts.append(e)
            last = e["t"]
    return starts


def ever_connected(tconn):
    return any(e["data"]["newState"] == "connected"
               for e in events(tconn, "client_events", "stateChanged"))


def expected_end(tconn):
    ends = events(tconn, "server_events", "OnDisconnected")
    if not ever_connected(tconn):
        return "failed"
    if not ends:
        return "capture_ended"
    last = ends[-1]
    if last.get("stopCalled"):
        return "stopped"
    return "timed_out"


def check_connection(ck, truth, tconn, rconn):
    kat = truth["settings_advertised"]["KeepAliveTimeout"]
    beat = kat / 9.0  # (timeout - 2/3 timeout) / 3: the client's check interval
    heartbeat = truth["server_model"]["heartbeat_interval_s"]
    cid = tconn["connection_id"]
    ck.expect(rconn["token"] == tconn["token"], f"{cid}: token differs")
    ck.expect(rconn["transports"] == tconn["transports"],
              f"{cid}: transports {rconn['transports']} != truth {tconn['transports']}")
    ck.expect(rconn["end"]["type"] == expected_end(tconn),
              f"{cid}: end {rconn['end']['type']} != expected {expected_end(tconn)}")
    for slow in events(tconn, "client_events", "connectionSlow"):
        ck.expect(matched(findings(rconn, "keepalive_late"), slow["t"], JITTER, beat + JITTER),
                  f"{cid}: connectionSlow at {slow['t']:.3f} has no keepalive_late within "
                  f"{beat:.2f} s before it")
    for rec in entered_reconnecting(tconn, kat):
        if after_transport_end(truth, tconn, rec["t"]) or tconn["transports"][-1] == "longPolling":
            continue  # a failed transport or a poll error, not a keepalive timeout
        ck.expect(matched(findings(rconn, "keepalive_missed"), rec["t"], JITTER,
                          beat + RECONNECT_DELAY + JITTER),
                  f"{cid}: reconnecting at {rec['t']:.3f} has no keepalive_missed within "
                  f"{beat + RECONNECT_DELAY:.2f} s before it")
    for end in events(tconn, "server_events", "OnDisconnected"):
        if end.get("reason") != "disconnect timeout":
            continue
        # The finding says when DisconnectTimeout ran out; the server notices on its next
        # heartbeat after its 5 s transport threshold.
        ck.expect(matched(findings(rconn, "disconnect_timeout"), end["t"], JITTER,
                          5.0 + 2 * heartbeat + JITTER),
                  f"{cid}: server OnDisconnected by timeout at {end['t']:.3f} has no "
                  f"disconnect_timeout finding")
    late = [e for e in tconn["server_events"] if e.get("late")]
    for rec in late:
        ck.expect(matched(findings(rconn, "reconnect_late"), rec["t"], 1.0, 1.0),
                  f"{cid}: late reconnect at {rec['t']:.3f} has no reconnect_late finding")


def check_capture(lifeline, capture):
    truth_path = capture[:-len(".pcap")] + ".truth.json"
    ck = Checker(capture)
    if not os.path.exists(truth_path):
        print(f"skip {ck.capture}: no ground truth")
        return ck
    with open(truth_path, encoding="utf-8") as f:
        truth = json.load(f)
    report = report_for(lifeline, capture)
    by_id = {c["connection_id"]: c for c in report["connections"]}
    for tconn in truth["connections"]:
        rconn = by_id.get(tconn["connection_id"])
        ck.expect(rconn is not None, f"connection {tconn['connection_id']} not reported")
        if rconn is not None:
            check_connection(ck, truth, tconn, rconn)
    if "clean" in truth["scenario"]:
        for conn in report["connections"]:
            bad = [f["type"] for f in conn["findings"] if f["type"] in FIXED]
            ck.expect(not bad, f"clean capture reports {bad}")
    if ck.failures == 0:
        print(f"ok   {ck.capture}: {ck.checks} checks against the ground truth")
    return ck


def main():
    lifeline, captures = sys.argv[1], sys.argv[2:]
    failures = sum(check_capture(lifeline, c).failures for c in captures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

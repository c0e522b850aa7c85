#!/usr/bin/env python3
"""Checks that every bundled capture holds the traffic its ground truth says.

For each captures/<name>.truth.json, Debian's tshark decodes captures/<name>.pcap
(HTTP forced on the lab's non-standard ports) and this script checks, per
SignalR connection of the truth:
  * a negotiate response carries its ConnectionId and ConnectionToken;
  * its /connect requests use the truth's transports, in order;
  * its /start, /send, /poll and /reconnect requests are at least as many as
    the server saw (the browser's leg may hold more: requests lost on the way);
  * /abort is present exactly when the truth says the browser sent one;
  * WebSocket runs carry WebSocket text frames;
with both legs captured, the proxy->server leg holds exactly the requests the
server saw; and the capture's time span covers the truth's events.
Usage: check_captures.py CAPTURES_DIR
"""

import json
import os
import subprocess
import sys
import urllib.parse

TSHARK_TIMEOUT_S = 120


def tshark_fields(pcap, ports, display_filter, fields):
    cmd = ["tshark", "-n", "-r", pcap]
    for port in ports:
        cmd += ["-d", "tcp.port==%d,http" % port]
    cmd += ["-Y", display_filter, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         timeout=TSHARK_TIMEOUT_S, check=True).stdout.decode("utf-8", "replace")
    rows = []
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(fields) - len(cols))
        rows.append(dict(zip(fields, cols)))
    return rows


def leg_requests(pcap, truth, port):
    """HTTP requests sent to `port` (proxy: the browser's leg; server: the proxy's), in capture order."""
    rows = tshark_fields(pcap, truth["ports"]["captured"], "http.request",
                         ["frame.time_epoch", "tcp.stream", "tcp.dstport", "http.request.method", "http.request.uri"])
    requests = []
    for r in rows:
        if r["tcp.dstport"] != str(port):
            continue
        uri = urllib.parse.urlsplit(r["http.request.uri"])
        query = urllib.parse.parse_qs(uri.query)
        path = uri.path.rstrip("/")
        requests.append({
            "t": float(r["frame.time_epoch"]),
            "stream": r["tcp.stream"],
            "method": r["http.request.method"],
            "endpoint": path[path.rfind("/") + 1:],
            "transport": query.get("transport", [None])[0],
            "token": query.get("connectionToken", [None])[0],
        })
    return requests


def negotiate_bodies(pcap, truth):
    rows = tshark_fields(pcap, truth["ports"]["captured"],
                         'http.response and http.file_data contains "ConnectionToken"', ["http.file_data"])
    bodies = []
    for r in rows:
        try:
            bodies.append(json.loads(r["http.file_data"].replace("\\n", "\n")))
        except ValueError:
            continue
    return bodies


def websocket_text_frames(pcap, truth):
    """Server->client WebSocket text payloads on the browser's leg, by TCP stream."""
    rows = tshark_fields(pcap, truth["ports"]["captured"], "websocket.opcode == 1",
                         ["tcp.stream", "tcp.srcport", "websocket.payload.text"])
    frames = {}
    for r in rows:
        if r["tcp.srcport"] == str(truth["ports"]["proxy"]):
            frames.setdefault(r["tcp.stream"], []).append(r["websocket.payload.text"])
    return frames


def count(requests, endpoint):
    return sum(1 for r in requests if r["endpoint"] == endpoint)


def check_connection(conn, requests, bodies, ws_frames, problems):
    cid = conn["connection_id"]
    if not any(b.get("ConnectionId") == cid and b.get("ConnectionToken") == conn["token"] for b in bodies):
        problems.append("%s: no negotiate response with its ConnectionId and token" % cid)
    mine = [r for r in requests if r["token"] == conn["token"]]
    transports = [r["transport"] for r in mine if r["endpoint"] == "connect"]
    if transports != conn["transports"]:
        problems.append("%s: /connect transports %s, truth %s" % (cid, transports, conn["transports"]))
    seen_by_server = [r for r in conn["requests"] if r["endpoint"] != "negotiate"]
    for endpoint in ("start", "reconnect", "send", "poll"):
        want = count(seen_by_server, endpoint)
        got = count(mine, endpoint)
        if got < want:
            problems.append("%s: %d /%s requests in the capture, the server saw %d" % (cid, got, endpoint, want))
    aborts = count(mine, "abort")
    if conn["abort_sent"] != (aborts > 0):
        problems.append("%s: %d /abort requests, truth abort_sent=%s" % (cid, aborts, conn["abort_sent"]))
    if conn["transport_established"] == "webSockets":
        streams = [r["stream"] for r in mine if r["endpoint"] == "connect" and r["transport"] == "webSockets"]
        texts = [t for st in streams for t in ws_frames.get(st, [])]
        if not texts:
            problems.append("%s: no server WebSocket text frame on its /connect socket" % cid)
        elif not any('"S":1' in t for t in texts):
            problems.append("%s: no init message (\"S\":1) on its /connect socket" % cid)


def check_server_leg(truth, requests, problems):
    """Both legs captured: the proxy->server leg holds exactly what the server saw."""
    for conn in truth["connections"]:
        seen = [(r["endpoint"], r["transport"]) for r in requests if r["token"] == conn["token"]]
        want = [(r["endpoint"], r["transport"]) for r in conn["requests"] if r["endpoint"] != "negotiate"]
        if seen != want:
            problems.append("%s: server leg requests %s, server saw %s" % (conn["connection_id"], seen, want))


def check_capture(captures_dir, truth_file):
    with open(os.path.join(captures_dir, truth_file), encoding="utf-8") as f:
        truth = json.load(f)
    pcap = os.path.join(captures_dir, truth["capture"])
    problems = []
    if not os.path.isfile(pcap):
        return ["missing %s" % truth["capture"]]
    requests = leg_requests(pcap, truth, truth["ports"]["proxy"])
    bodies = negotiate_bodies(pcap, truth)
    ws_frames = websocket_text_frames(pcap, truth)
    if not truth["connections"]:
        problems.append("truth lists no SignalR connection")
    for conn in truth["connections"]:
        check_connection(conn, requests, bodies, ws_frames, problems)
    if truth["ports"]["server"] in truth["ports"]["captured"]:
        check_server_leg(truth, leg_requests(pcap, truth, truth["ports"]["server"]), problems)
    if requests and (requests[0]["t"] < truth["capture_started"] - 1 or requests[-1]["t"] > truth["capture_ended"] + 1):
        problems.append("requests fall outside the truth's capture window")
    return problems


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: check_captures.py CAPTURES_DIR\n")
        return 2
    captures_dir = sys.argv[1]
    truths = sorted(f for f in os.listdir(captures_dir) if f.endswith(".truth.json"))
    passed = failed = 0
    for truth_file in truths:
        problems = check_capture(captures_dir, truth_file)
        name = truth_file[:-len(".truth.json")]
        if problems:
            failed += 1
            print("FAIL %s" % name)
            for p in problems:
                print("     %s" % p)
        else:
            passed += 1
            print("ok   %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    if not truths:
        print("no capture with ground truth found in %s" % captures_dir)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

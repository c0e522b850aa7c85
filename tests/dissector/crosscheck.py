#!/usr/bin/env python3
"""Cross-checks of the signalr plugin against the lifeline analyzer and the ground truth.

    crosscheck.py keepalives <build-dir> <lifeline> <captures-dir>
    crosscheck.py expert     <build-dir> <lifeline> <captures-dir>

keepalives: for every capture and every SignalR connection (keyed by its token), the number of
keepalives the plugin marks equals the analyzer's. A keepalive is one WebSocket, SSE or
forever-frame `{}` message (`signalr.keepalive`), or one keepalive space of a long-polling
answer (`signalr.keepalive_count` of the answer). Two comparison rules:
  * the analyzer counts long-polling keepalive spaces as they arrive, one per frame that carries
    them (the lab server writes one space per frame); the plugin decodes a poll's answer when
    HTTP has all of it, so spaces of a poll that never completes in the capture (held back by a
    fault, or aborted by the client's stop()) are not marked. tshark tells them apart: the
    frame of such a keepalive (the analyzer's timeline names it) is neither reassembled into a
    later HTTP answer (`tcp.reassembled_in`) nor an HTTP answer itself; those are reported, not
    compared;
  * in a capture holding two legs of the same traffic (browser-proxy and proxy-server) the
    analyzer follows one leg and treats the other as a mirror (its JSON "legs" say which); only
    plugin frames whose server address and port belong to a followed leg are counted.

expert: for every capture and connection, the lifecycle expert items of the plugin correspond
to the ground truth (expected_from_truth() says how each type is read from it), none of the
fixed faults shows on a *-clean capture, and every finding type the plugin raises comes as
often as in the analyzer's report of the same connection (`--fail-on never`).

Exit status: 0 pass, 1 fail, 77 skipped (no capture).
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))

# Finding types whose count the ground truth decides (and the analyzer must agree); every
# other finding type is compared with the analyzer alone, connection by connection.
COMPARED = ["keepalive_late", "keepalive_missed", "reconnect_late", "disconnect_timeout",
            "transport_fallback", "server_changed"]
# Fixed faults that must never show on a capture of a clean session.
NEVER_ON_CLEAN = ["keepalive_late", "keepalive_missed", "reconnect_late", "disconnect_timeout"]


def readable_copy(capture, workdir):
    """tshark runs as nobody when we are root: give it a copy it can read."""
    dst = os.path.join(workdir, os.path.basename(capture))
    shutil.copyfile(capture, dst)
    os.chmod(dst, 0o644)
    return dst


def run_tshark(build, capture, *args):
    cmd = [os.path.join(HERE, "run-tshark"), build, "-r", capture] + list(args)
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0 or res.stderr:
        raise RuntimeError("tshark %s failed (%d): %s"
                           % (" ".join(args), res.returncode, res.stderr.decode(errors="replace")))
    return res.stdout


def signalr_messages(build, capture):
    """Every SignalR tree of the capture as (frame fields, message fields): one entry per
    `signalr` protocol item, with the fields inside it (a frame may carry several)."""
    pdml = run_tshark(build, capture, "-Y", "signalr", "-T", "pdml")
    out = []
    for packet in ET.fromstring(pdml).iter("packet"):
        frame = {}
        for proto in packet.findall("proto"):
            if proto.get("name") in ("frame", "ip", "ipv6", "tcp"):
                for f in proto.iter("field"):
                    frame.setdefault(f.get("name"), f.get("show"))
        for proto in packet.findall("proto"):
            if proto.get("name") != "signalr":
                continue
            fields = {}
            for f in proto.iter("field"):
                fields.setdefault(f.get("name"), []).append(f.get("show"))
            out.append((frame, fields))
    return out


def analyzer_report(lifeline, capture):
    res = subprocess.run([lifeline, "--format", "json", "--fail-on", "never", capture],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        raise RuntimeError("lifeline failed on %s: %s" % (capture, res.stderr.decode()))
    return json.loads(res.stdout)["connections"]


def followed_servers(conn):
    """(server address, port) of the legs the analyzer followed (mirror legs excluded)."""
    servers = set()
    for leg in conn.get("legs", []):
        if not leg["mirror"]:
            addr, _, port = leg["server"].rpartition(":")
            servers.add((addr.strip("[]"), port))
    return servers


def frame_server(frame):
    """(address, port) of the sender: keepalives only travel from the server."""
    addr = frame.get("ip.src") or frame.get("ipv6.src")
    return (addr, frame.get("tcp.srcport"))


def count_plugin_keepalives(messages, token, servers):
    n = 0
    for frame, fields in messages:
        if fields.get("signalr.token", [None])[0] != token:
            continue
        if servers and frame_server(frame) not in servers:
            continue
        if fields.get("signalr.keepalive", ["False"])[0] in ("True", "1"):
            n += 1
        elif int(fields.get("signalr.keepalive_count", ["0"])[0]) > 0:
            n += int(fields["signalr.keepalive_count"][0])
    return n


def plugin_findings(messages, token):
    found = {}
    for _, fields in messages:
        if fields.get("signalr.token", [None])[0] != token:
            continue
        for name in fields.get("signalr.finding", []):
            found[name] = found.get(name, 0) + 1
    return found


def analyzer_findings(conn):
    found = {}
    for f in conn.get("findings", []):
        found[f["type"]] = found.get(f["type"], 0) + 1
    return found


# ---- ground truth -> expected findings ---------------------------------------------------------

def silent_reconnects(events, kat):
    """Reconnecting entered because the keepalive watch timed out (a silent outage): the
    client checks every beat, KAT/9, so connectionSlow fires in [2/3, 2/3 + 1/9) KAT of silence
    and the timeout in [1, 1 + 1/9) KAT: at least 2/9 KAT apart. A reconnecting sooner after
    connectionSlow was started by the end of the transport (its reconnect delay ran out)."""
    n = 0
    slow_at = None
    for e in events:
        kind = e["event"]
        if kind in ("start:done", "reconnected"):
            slow_at = None
        elif kind == "connectionSlow":
            slow_at = e["t"]
        elif kind == "reconnecting":
            if slow_at is not None and e["t"] - slow_at >= kat * 2.0 / 9.0:
                n += 1
            slow_at = None
    return n


def late_reconnects(conn):
    """The server expired the connection (OnDisconnected by timeout) and a /reconnect came
    after that: reported once per connection."""
    expired = [e["t"] for e in conn.get("server_events", [])
               if e["event"] == "OnDisconnected" and e.get("reason") == "disconnect timeout"]
    if not expired:
        return 0
    later = [r for r in conn.get("browser_requests", [])
             if r.get("endpoint") in ("reconnect", "poll") and r.get("t", 0) > expired[0]]
    return 1 if later else 0


def expected_from_truth(conn, settings):
    events = conn.get("client_events", [])
    kat = settings.get("KeepAliveTimeout") or 0
    return {
        "keepalive_late": sum(1 for e in events if e["event"] == "connectionSlow"),
        "keepalive_missed": silent_reconnects(events, kat) if kat else 0,
        "disconnect_timeout": sum(1 for e in conn.get("server_events", [])
                                  if e["event"] == "OnDisconnected"
                                  and e.get("reason") == "disconnect timeout"),
        "reconnect_late": late_reconnects(conn),
        "transport_fallback": 1 if len(set(conn.get("transports", []))) > 1 else 0,
        "server_changed": sum(1 for e in conn.get("server_transport_events", [])
                              if e["event"] == "cursor_unknown"),
    }


# ---- checks ------------------------------------------------------------------------------------

def http_answer_frames(build, capture):
    """Frames whose bytes belong to an HTTP answer that completed in the capture (two passes:
    TCP names the frame that reassembles a segment only once it has seen that frame)."""
    out = run_tshark(build, capture, "-2", "-Y", "http.response or tcp.reassembled_in",
                     "-T", "fields", "-e", "frame.number")
    return {int(line) for line in out.decode().split()}


def analyzer_keepalives(conn, answered):
    """(comparable, unfinished): keepalives the plugin must mark, and long-polling keepalive
    spaces of answers that never completed in the capture. A timeline entry is a run of
    keepalives on one stream, all within one poll: its first frame tells which poll."""
    comparable = unfinished = 0
    for e in conn.get("events", []):
        if e["type"] != "keepalive":
            continue
        n = e.get("count", 1)
        if e.get("transport") == "longPolling" and e.get("frame") not in answered:
            unfinished += n
        else:
            comparable += n
    if comparable + unfinished != conn["keepalives"]["count"]:
        raise RuntimeError("the analyzer's timeline does not add up to its keepalive count")
    return comparable, unfinished


def check_keepalives(build, lifeline, capture, workdir):
    copy = readable_copy(capture, workdir)
    messages = signalr_messages(build, copy)
    answered = http_answer_frames(build, copy)
    problems = []
    for conn in analyzer_report(lifeline, capture):
        want, unfinished = analyzer_keepalives(conn, answered)
        got = count_plugin_keepalives(messages, conn["token"], followed_servers(conn))
        name = conn.get("connection_id") or conn["token"][:12]
        print("%s %s: analyzer %d (+%d on unfinished polls), plugin %d"
              % (os.path.basename(capture), name, want, unfinished, got))
        if want != got:
            problems.append("%s %s: analyzer counts %d keepalives, plugin %d"
                            % (os.path.basename(capture), name, want, got))
    return problems


def check_expert(build, lifeline, capture, workdir):
    truth_file = capture[:-len(".pcap")] + ".truth.json"
    if not os.path.exists(truth_file):
        return []
    with open(truth_file, encoding="utf-8") as fh:
        truth = json.load(fh)
    messages = signalr_messages(build, readable_copy(capture, workdir))
    analyzed = {c["token"]: c for c in analyzer_report(lifeline, capture)}
    clean = os.path.basename(capture).endswith("-clean.pcap")
    base = os.path.basename(capture)
    problems = []
    for conn in truth["connections"]:
        token = conn["token"]
        plugin = plugin_findings(messages, token)
        analyzer = analyzer_findings(analyzed.get(token, {}))
        expected = expected_from_truth(conn, truth.get("settings_advertised", {}))
        name = "%s %s" % (base, conn["connection_id"])
        for kind in COMPARED:
            row = "%s %-20s truth %d plugin %d analyzer %d" % (
                name, kind, expected[kind], plugin.get(kind, 0), analyzer.get(kind, 0))
            print(row)
            if plugin.get(kind, 0) != expected[kind]:
                problems.append("plugin differs from the truth: " + row)
            if plugin.get(kind, 0) != analyzer.get(kind, 0):
                problems.append("plugin differs from the analyzer: " + row)
        for kind in sorted(set(plugin) | set(analyzer)):
            if kind in COMPARED:
                continue
            row = "%s %-23s plugin %d analyzer %d" % (name, kind, plugin.get(kind, 0),
                                                      analyzer.get(kind, 0))
            print(row)
            if plugin.get(kind, 0) != analyzer.get(kind, 0):
                problems.append("plugin differs from the analyzer: " + row)
        if clean:
            for kind in NEVER_ON_CLEAN:
                if plugin.get(kind, 0):
                    problems.append("%s: %s on a clean capture" % (name, kind))
    return problems


def main(argv):
    if len(argv) != 5 or argv[1] not in ("keepalives", "expert"):
        print(__doc__, file=sys.stderr)
        return 2
    check, build, lifeline, captures = argv[1:]
    files = sorted(glob.glob(os.path.join(captures, "*.pcap")))
    if not files:
        return 77
    workdir = tempfile.mkdtemp()
    os.chmod(workdir, 0o755)
    problems = []
    try:
        for capture in files:
            fn = check_keepalives if check == "keepalives" else check_expert
            problems += fn(build, lifeline, capture, workdir)
    finally:
        shutil.rmtree(workdir)
    for p in problems:
        print("FAIL: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

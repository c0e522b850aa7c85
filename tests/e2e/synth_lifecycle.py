#!/usr/bin/env python3
"""Lifecycle findings of the lifeline binary on captures written by lifeline-synth.

usage: synth_lifecycle.py CASE LIFELINE LIFELINE_SYNTH SCENARIO.json WORKDIR

Each case generates its scenario, runs `lifeline --format json --fail-on never` on it, and
rebuilds the expected keepalive findings independently from `lifeline --dump-events`: the
server data seen on each connection's receive streams, the KeepAliveTimeout its negotiate
response advertised, and the rules of the README (keepalive_late past 2/3 of
KeepAliveTimeout, keepalive_missed past KeepAliveTimeout, both timed from the last data;
disconnect_timeout inside the server's expiry window after a lost transport, reconnect_late at
a reconnect past that window).
"""
import json
import os
import re
import subprocess
import sys

LIFECYCLE_TYPES = ("keepalive_late", "keepalive_missed", "disconnect_timeout", "reconnect_late")
KEEPALIVE_TYPES = ("keepalive_late", "keepalive_missed")
# Events that carry data from the server on a receive stream (a keepalive, a message, the
# init message of a connect or reconnect, a hub result on a WebSocket).
SERVER_DATA = ("sr-keepalive", "sr-message", "sr-init", "sr-result")
DUMP_LINE = re.compile(r"^(\d+)\.(\d{6}) \S+ s(\d+) (c>s|s>c) (\S+)(.*)$")
TOKEN = re.compile(r" token=(\S+)")
KIND = re.compile(r" kind=(\S+)")

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def us(seconds):
    """Report times are epoch seconds with six decimals: compare them as integer microseconds."""
    return round(seconds * 1_000_000)


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("%s failed (%d): %s" % (cmd[0], done.returncode, done.stderr.strip()))
    return done.stdout


class Timeline:
    """Per token: server data times and reconnect request times, in microseconds, from the dump."""

    def __init__(self, dump_text):
        self.receive_streams = {}
        self.data = {}
        self.reconnects = {}
        lines = [DUMP_LINE.match(line) for line in dump_text.splitlines()]
        lines = [m for m in lines if m]
        for m in lines:
            token = TOKEN.search(m.group(6))
            if m.group(5) == "sr-opened" and token:
                self.receive_streams[m.group(3)] = token.group(1)
        for m in lines:
            t = int(m.group(1)) * 1_000_000 + int(m.group(2))
            token = TOKEN.search(m.group(6))
            kind = KIND.search(m.group(6))
            stream_token = self.receive_streams.get(m.group(3))
            if m.group(4) == "s>c" and m.group(5) in SERVER_DATA and stream_token:
                self.data.setdefault(stream_token, []).append(t)
            if m.group(5) == "sr-request" and kind and kind.group(1) == "reconnect" and token:
                self.reconnects.setdefault(token.group(1), []).append(t)

    def silences(self, token):
        """(last data, end of the silence, ended by a reconnect): the end is the next data, or the reconnect
        request that replaced the silent transport."""
        times = sorted(self.data.get(token, []))
        out = []
        for prev, nxt in zip(times, times[1:]):
            between = [r for r in self.reconnects.get(token, []) if prev < r <= nxt]
            out.append((prev, min(between) if between else nxt, bool(between)))
        return out


def expected_keepalive_findings(timeline, token, kat_us):
    late_us = (kat_us // 1000) * 2 // 3 * 1000
    out = []
    for last, end, _ in timeline.silences(token):
        if end - last > late_us:
            out.append(("keepalive_late", last + late_us, end))
        if end - last > kat_us:
            out.append(("keepalive_missed", last + kat_us, end))
    return out


def reported(conn, types):
    return [(f["type"], us(f["time"]), us(f["end_time"]) if f.get("end_time") is not None else None)
            for f in conn["findings"] if f["type"] in types]


def client_port(conn):
    return int(conn["client"].rsplit(":", 1)[1])


def scripted_ports(scenario):
    """Client port of every connection the scenario writes, with its description."""
    ports = {}
    for c in scenario["connections"]:
        base = int(c["client"].rsplit(":", 1)[1])
        for i in range(c.get("repeat", 1)):
            ports[base + 16 * i] = c
    return ports


def analyse(lifeline, synth, scenario_path, workdir, name):
    capture = os.path.join(workdir, name + ".pcap")
    run([synth, "run", scenario_path, "-o", capture])
    report = json.loads(run([lifeline, "--format", "json", "--fail-on", "never", capture]))
    timeline = Timeline(run([lifeline, "--dump-events", capture]))
    return report, timeline


def check_settings(conn, spec, where):
    s = conn["settings"]
    check(s["source"] == "negotiate", "%s: settings source %s" % (where, s["source"]))
    check(s["keepalive_timeout"] == 2 * spec.get("keepalive", 10),
          "%s: KeepAliveTimeout %s, scenario keepalive period %s"
          % (where, s["keepalive_timeout"], spec.get("keepalive", 10)))
    check(s["disconnect_timeout"] == spec.get("disconnect_timeout", 30),
          "%s: DisconnectTimeout %s" % (where, s["disconnect_timeout"]))


def check_keepalive_rule(conn, timeline, where):
    kat_us = us(conn["settings"]["keepalive_timeout"])
    want = expected_keepalive_findings(timeline, conn["token"], kat_us)
    got = reported(conn, KEEPALIVE_TYPES)
    check(got == want, "%s: keepalive findings %s, by the rule on the dump %s" % (where, got, want))


def case_default_timings_hours(lifeline, synth, scenario, scenario_path, workdir):
    report, timeline = analyse(lifeline, synth, scenario_path, workdir, "default_timings_hours")
    specs = scripted_ports(scenario)
    conns = report["connections"]
    check(sorted(client_port(c) for c in conns) == sorted(specs),
          "connections %s, scenario %s" % (sorted(client_port(c) for c in conns), sorted(specs)))
    last_capture_time = report["inputs"][0]["last_time"]
    for conn in conns:
        spec = specs.get(client_port(conn))
        if spec is None:
            continue
        where = conn["client"]
        check_settings(conn, spec, where)
        check(reported(conn, LIFECYCLE_TYPES) == [],
              "%s: lifecycle findings %s on a healthy connection" % (where, reported(conn, LIFECYCLE_TYPES)))
        check_keepalive_rule(conn, timeline, where)
        silences = [end - last for last, end, _ in timeline.silences(conn["token"])]
        check(silences and max(silences) <= us(spec["keepalive"]),
              "%s: a server silence of %s us, longer than the keepalive period" % (where, max(silences or [0])))
        # Keepalives tick once per period for as long as the connection runs in the capture.
        alive = min(spec["start"] + spec["duration"], last_capture_time - scenario["start"]) - spec["start"]
        expect = alive / spec["keepalive"]
        check(abs(conn["keepalives"]["count"] - expect) <= 2,
              "%s: %d keepalives, about %.0f expected" % (where, conn["keepalives"]["count"], expect))
        end = {"abort": "stopped", "none": "capture_ended"}[spec["end"]]
        check(conn["end"]["type"] == end, "%s: end %s, scripted %s" % (where, conn["end"]["type"], end))
        if spec["end"] == "abort":
            check(abs(conn["end"]["time"] - (scenario["start"] + spec["start"] + spec["duration"])) < 0.01,
                  "%s: stopped at %s" % (where, conn["end"]["time"]))
        check(conn["transports"] == [spec["transport"]], "%s: transports %s" % (where, conn["transports"]))


# Server silence each connection of keepalive_boundaries.json was written to produce, in
# seconds: keepalive ticks every 10 s, an outage swallows one or two of them and a single
# server message lands at the chosen distance from the last tick before the outage.
BOUNDARY_SILENCES = {
    42000: 12.5, 42016: 14.5, 42032: 13.332, 42048: 13.334, 42064: 13.333, 42080: 19.0,
    42096: 19.999, 42112: 20.001, 42128: 21.0, 42144: 12.5, 42160: 14.5,
}


def case_keepalive_boundaries(lifeline, synth, scenario, scenario_path, workdir):
    report, timeline = analyse(lifeline, synth, scenario_path, workdir, "keepalive_boundaries")
    specs = scripted_ports(scenario)
    conns = {client_port(c): c for c in report["connections"]}
    check(sorted(conns) == sorted(BOUNDARY_SILENCES) == sorted(specs),
          "connections %s, expected %s" % (sorted(conns), sorted(BOUNDARY_SILENCES)))
    seen = {t: 0 for t in KEEPALIVE_TYPES}
    for port, silence in BOUNDARY_SILENCES.items():
        conn = conns.get(port)
        if conn is None:
            continue
        where = "%s (silence %.3f s)" % (conn["client"], silence)
        check_settings(conn, specs[port], where)
        measured = max(end - last for last, end, _ in timeline.silences(conn["token"]))
        check(measured == us(silence), "%s: the capture holds a longest silence of %d us" % (where, measured))
        check_keepalive_rule(conn, timeline, where)
        kat = conn["settings"]["keepalive_timeout"]
        want = [t for t, limit in (("keepalive_late", kat * 2 / 3), ("keepalive_missed", kat))
                if silence > limit + 0.0005]
        got = [t for t, _, _ in reported(conn, KEEPALIVE_TYPES)]
        check(got == want, "%s: findings %s, expected %s" % (where, got, want))
        for t in got:
            seen[t] += 1
        others = reported(conn, ("disconnect_timeout", "reconnect_late"))
        check(others == [], "%s: unexpected %s" % (where, others))
        check(conn["end"]["type"] == "stopped", "%s: end %s" % (where, conn["end"]["type"]))
    check(all(seen.values()), "each keepalive finding type is exercised: %s" % seen)


def expiry_window_us(conn):
    """When the server ends a connection whose transport died: DisconnectTimeout after it noticed,
    plus the 5 s disconnect threshold and up to half a keepalive period of heartbeat phase
    (wire notes 9.1 and 12.5)."""
    dt_us = us(conn["settings"]["disconnect_timeout"])
    return dt_us, dt_us + 5_000_000 + us(conn["settings"]["keepalive_timeout"]) // 4


def check_expiry_findings(conn, timeline, spec, scenario, where):
    """A reconnect past the expiry window: disconnect_timeout within it, reconnect_late at the
    reconnect. A client that resets its transports and says nothing more: disconnect_timeout
    within the window after the reset, and the connection ends timed out."""
    earliest, latest = expiry_window_us(conn)
    want = []
    for last, end, reconnected in timeline.silences(conn["token"]):
        if reconnected and end - last > latest:
            want += [("disconnect_timeout", last), ("reconnect_late", end)]
        check(not reconnected or end - last > latest or end - last < earliest,
              "%s: the scenario reconnects inside the expiry window" % where)
    if spec["end"] == "reset":
        want.append(("disconnect_timeout", us(scenario["start"] + spec["start"] + spec["duration"])))
    got = [(f["type"], us(f["time"])) for f in conn["findings"]
           if f["type"] in ("disconnect_timeout", "reconnect_late")]
    check([t for t, _ in got] == [t for t, _ in want], "%s: %s, expected %s" % (where, got, want))
    for (kind, t), (_, since) in zip(got, want):
        if kind == "disconnect_timeout":
            check(since + earliest <= t <= since + latest,
                  "%s: disconnect_timeout at %d, outside the expiry window after %d" % (where, t, since))
        else:
            check(t == since, "%s: reconnect_late at %d, reconnect request at %d" % (where, t, since))


def case_many_connections(lifeline, synth, scenario, scenario_path, workdir):
    report, timeline = analyse(lifeline, synth, scenario_path, workdir, "many_connections")
    specs = scripted_ports(scenario)
    conns = report["connections"]
    check(sorted(client_port(c) for c in conns) == sorted(specs),
          "%d connections reported, %d in the scenario" % (len(conns), len(specs)))
    scripted = 0
    for conn in conns:
        spec = specs.get(client_port(conn))
        if spec is None:
            continue
        where = conn["client"]
        end = {"abort": "stopped", "reset": "timed_out"}[spec["end"]]
        check(conn["end"]["type"] == end, "%s: end %s, expected %s" % (where, conn["end"]["type"], end))
        if not spec.get("outages") and spec["end"] == "abort":
            check(conn["findings"] == [], "%s: findings %s on a connection without outage"
                  % (where, [f["type"] for f in conn["findings"]]))
            continue
        scripted += 1
        check_settings(conn, spec, where)
        check_keepalive_rule(conn, timeline, where)
        if spec.get("outages"):
            check(reported(conn, KEEPALIVE_TYPES) != [], "%s: its outage left no keepalive finding" % where)
        check_expiry_findings(conn, timeline, spec, scenario, where)
    check(scripted == sum(1 for c in scenario["connections"] if c.get("outages") or c["end"] == "reset"),
          "%d connections with scripted faults reported" % scripted)


CASES = {
    "default_timings_hours": case_default_timings_hours,
    "keepalive_boundaries": case_keepalive_boundaries,
    "many_connections": case_many_connections,
}


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in CASES:
        sys.exit(__doc__)
    case, lifeline, synth, scenario_path, workdir = sys.argv[1:]
    os.makedirs(workdir, exist_ok=True)
    with open(scenario_path) as f:
        scenario = json.load(f)
    CASES[case](lifeline, synth, scenario, scenario_path, workdir)
    for what in failures:
        print("FAIL", what)
    print("%s: %s" % (case, "FAILED (%d)" % len(failures) if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

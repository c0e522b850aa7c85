#!/usr/bin/env python3
"""Cross-check lifeline's reassembly against Debian's tshark on a capture.

For every capture given, the HTTP requests (frame number, request-target) and the WebSocket
text messages (frame number, payload) that `lifeline --dump-events` reports must be exactly the
ones `tshark` reports. Server ports are taken from lifeline's stream-open lines and handed to
tshark with `-d tcp.port==PORT,http`, so captures on non-standard ports decode too.

usage: tshark_crosscheck.py LIFELINE CAPTURE...
"""
import json
import re
import subprocess
import sys

LINE = re.compile(r"^(\d+\.\d+) (\d+):(\d+) s(\d+) (c>s|s>c) (\S+)(.*)$")


def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "x":
                out.append(int(text[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "r": b"\r", "t": b"\t", "\\": b"\\"}[nxt]
            i += 2
            continue
        out += ch.encode()
        i += 1
    return bytes(out)


def lifeline_view(lifeline, capture):
    dump = subprocess.run([lifeline, "--dump-events", capture], capture_output=True,
                          text=True, check=False)
    if dump.returncode not in (0, 1):
        sys.exit(f"{capture}: lifeline exited {dump.returncode}: {dump.stderr.strip()}")
    requests, texts, ports = set(), set(), set()
    for line in dump.stdout.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        frame, kind, rest = int(m.group(3)), m.group(6), m.group(7)
        if kind == "stream-open":
            ports.add(rest.rsplit(":", 1)[1].split()[0])
        elif kind == "http-request":
            target = rest.split(" ", 3)[3] if rest.startswith(" req=") else rest.split(" ", 2)[2]
            requests.add((frame, target))
        elif kind == "ws-message" and " opcode=1 " in rest:
            payload = rest.split(" payload=", 1)[1]
            texts.add((frame, unescape(payload)))
    return requests, texts, ports


def tshark_view(capture, ports):
    cmd = ["tshark", "-r", capture, "-T", "json", "-e", "frame.number",
           "-e", "http.request.uri", "-e", "websocket.payload.text",
           "-Y", "http.request or websocket.payload.text"]
    for port in sorted(ports):
        cmd[1:1] = ["-d", f"tcp.port=={port},http"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    requests, texts = set(), set()
    for pkt in json.loads(out or "[]"):
        layers = pkt["_source"]["layers"]
        frame = int(layers["frame.number"][0])
        for uri in layers.get("http.request.uri", []):
            requests.add((frame, uri))
        for text in layers.get("websocket.payload.text", []):
            texts.add((frame, text.encode()))
    return requests, texts


def compare(capture, what, ours, theirs):
    if ours == theirs:
        print(f"ok   {capture}: {len(ours)} {what} match tshark")
        return True
    for frame, value in sorted(theirs - ours)[:5]:
        print(f"FAIL {capture}: tshark has {what[:-1]} at frame {frame} that lifeline lacks: {value!r:.120}")
    for frame, value in sorted(ours - theirs)[:5]:
        print(f"FAIL {capture}: lifeline has {what[:-1]} at frame {frame} that tshark lacks: {value!r:.120}")
    return False


def main():
    lifeline, captures = sys.argv[1], sys.argv[2:]
    ok = True
    for capture in captures:
        requests, texts, ports = lifeline_view(lifeline, capture)
        t_requests, t_texts = tshark_view(capture, ports)
        ok &= compare(capture, "HTTP requests", requests, t_requests)
        ok &= compare(capture, "WebSocket texts", texts, t_texts)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

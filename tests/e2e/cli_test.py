#!/usr/bin/env python3
"""The `lifeline` command as a user runs it: options, exit status, selection and output forms.

Connection IDs, tokens and times come from the bundled captures' ground truth, so the checks
follow a regeneration of the captures.

usage: cli_test.py LIFELINE CAPTURES_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

FAILURES = []


def check(ok, what):
    print(f"{'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        FAILURES.append(what)


class Lifeline:
    def __init__(self, binary, captures):
        self.binary = binary
        self.captures = captures

    def capture(self, name):
        return os.path.join(self.captures, name + ".pcap")

    def truth(self, name):
        with open(os.path.join(self.captures, name + ".truth.json"), encoding="utf-8") as f:
            return json.load(f)

    def run(self, *args):
        proc = subprocess.run([self.binary, *args], capture_output=True, text=True, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    def json(self, *args):
        rc, out, err = self.run("--format", "json", *args)
        return rc, json.loads(out) if out else None, err


def ids(doc):
    return [c["connection_id"] for c in doc["connections"]]


def iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_help_and_version_exit_zero(lf):
    rc, out, _ = lf.run("--help")
    check(rc == 0 and out.startswith("Usage: lifeline"), "--help prints the usage and exits 0")
    check("--connection ID" in out and "--since TIME" in out, "--help lists the selection options")
    rc, out, _ = lf.run("--version")
    check(rc == 0 and re.match(r"^lifeline \d", out), "--version prints the version and exits 0")


def test_usage_errors_exit_two_with_a_message(lf):
    clean = lf.capture("ws-clean")
    for args, words in ((["--bogus", clean], "unknown option '--bogus'"),
                        (["--format", "xml", clean], "unknown format 'xml'"),
                        (["--fail-on", "sometimes", clean], "unknown severity 'sometimes'"),
                        (["--since", "yesterday", clean], "not a time: 'yesterday'"),
                        (["--since", "2026-11-25T18:00:00Z", "--until", "2026-11-25T17:00:00Z",
                          clean], "--since is later than --until"),
                        (["--dump-events", "--connection", "x", clean],
                         "--dump-events prints every event"),
                        ([], "no capture file given")):
        rc, out, err = lf.run(*args)
        check(rc == 2 and words in err and out == "", f"{' '.join(args) or '(no argument)'}: "
              f"exit 2 and '{words}' on stderr")


def test_missing_file_exits_two_and_the_others_are_reported(lf):
    missing = os.path.join(tempfile.gettempdir(), "lifeline-no-such-capture.pcap")
    rc, doc, err = lf.json(lf.capture("ws-clean"), missing)
    check(rc == 2, "a missing input makes the exit status 2")
    check(missing in err, "the error names the missing file")
    check(ids(doc) == [lf.truth("ws-clean")["connections"][0]["connection_id"]],
          "the readable capture next to it is still reported")


def test_fail_on_decides_the_exit_status(lf):
    clean, slow, reconnect = (lf.capture(n) for n in
                              ("ws-clean", "ws-keepalive-slow", "ws-reconnect"))
    # ws-keepalive-slow: one warning (keepalive_late); ws-reconnect: warnings and errors.
    for capture, fail_on, status in ((clean, None, 0), (clean, "note", 0),
                                     (slow, None, 1), (slow, "warning", 1), (slow, "error", 0),
                                     (slow, "never", 0), (reconnect, "error", 1),
                                     (reconnect, "never", 0)):
        args = ["--fail-on", fail_on] if fail_on else []
        rc, _, _ = lf.run(*args, capture)
        check(rc == status, f"{os.path.basename(capture)} with --fail-on {fail_on or '(default)'}"
              f" exits {status} (got {rc})")


def test_connection_selects_by_id_token_or_unique_prefix(lf):
    clean_truth = lf.truth("ws-clean")["connections"][0]
    reconnect_truth = lf.truth("ws-reconnect")["connections"][0]
    both = [lf.capture("ws-clean"), lf.capture("ws-reconnect")]
    rc, doc, _ = lf.json("--connection", reconnect_truth["connection_id"], *both)
    check(ids(doc) == [reconnect_truth["connection_id"]] and rc == 1,
          "--connection with a ConnectionId reports that connection only (exit 1: its findings)")
    rc, doc, _ = lf.json("--connection", clean_truth["token"][:12], *both)
    check(ids(doc) == [clean_truth["connection_id"]] and rc == 0,
          "--connection with a token prefix reports that connection; the exit status ignores "
          "the findings of the others")
    check(doc["summary"]["connections"] == 1, "the summary counts the reported connections only")
    rc, doc, _ = lf.json("--connection", clean_truth["connection_id"][:8],
                         "--connection", reconnect_truth["token"], *both)
    check(sorted(ids(doc)) == sorted([clean_truth["connection_id"],
                                      reconnect_truth["connection_id"]]),
          "--connection is repeatable")
    # More than sixteen connections: two ConnectionIds begin with the same hex digit.
    every = sorted(os.path.join(lf.captures, n) for n in os.listdir(lf.captures)
                   if n.endswith(".pcap"))
    firsts = {}
    for cid in ids(lf.json("--fail-on", "never", *every)[1]):
        firsts.setdefault(cid[0], []).append(cid)
    shared = next(k for k, v in sorted(firsts.items()) if len(v) > 1)
    rc, doc, err = lf.json("--connection", shared, *every)
    check(rc == 2 and "is ambiguous" in err and shared not in [c[0] for c in ids(doc)],
          f"a prefix ('{shared}') naming several connections exits 2, says it is ambiguous and "
          "reports none of them")
    rc, doc, err = lf.json("--connection", "no-such-connection", *both)
    check(rc == 0 and ids(doc) == [] and "names no connection" in err,
          "a --connection naming nothing reports nothing, with a warning")


def test_since_and_until_keep_connections_overlapping_the_window(lf):
    clean = lf.truth("ws-clean")["connections"][0]
    reconnect = lf.truth("ws-reconnect")["connections"][0]
    both = [lf.capture("ws-clean"), lf.capture("ws-reconnect")]
    # ws-clean was recorded before ws-reconnect: a moment between them separates the two.
    between = (lf.truth("ws-clean")["capture_ended"] + lf.truth("ws-reconnect")
               ["capture_started"]) / 2
    _, doc, _ = lf.json("--until", iso(between), *both)
    check(ids(doc) == [clean["connection_id"]], "--until ISO-8601 keeps the earlier connection")
    _, doc, _ = lf.json("--since", f"{between:.3f}", *both)
    check(ids(doc) == [reconnect["connection_id"]], "--since epoch keeps the later connection")
    middle = (reconnect["negotiated_at"] + lf.truth("ws-reconnect")["capture_ended"]) / 2
    _, doc, _ = lf.json("--since", iso(middle), "--until", iso(middle), *both)
    check(ids(doc) == [reconnect["connection_id"]],
          "a window inside a connection's life keeps it")
    east = datetime.fromtimestamp(between + 5400, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    _, doc, _ = lf.json("--until", east + "+01:30", *both)
    check(ids(doc) == [clean["connection_id"]], "an ISO-8601 time with a +01:30 offset")
    text = datetime.fromtimestamp(between, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    _, doc, _ = lf.json("--until", text, *both)
    check(ids(doc) == [clean["connection_id"]],
          "a time copied from the text report (UTC, no zone) is accepted")


def test_jsonl_writes_one_parsable_connection_per_line(lf):
    captures = [lf.capture(n) for n in ("ws-clean", "ws-reconnect", "multi-client-prefix")]
    rc, out, _ = lf.run("--format", "jsonl", "--fail-on", "never", *captures)
    lines = out.splitlines()
    parsed = [json.loads(line) for line in lines]
    whole = lf.json("--fail-on", "never", *captures)[1]
    check(rc == 0 and len(lines) == len(whole["connections"]) == 5,
          "jsonl has one line per connection")
    check([c["connection_id"] for c in parsed] == ids(whole),
          "jsonl lines are the connections of the JSON document")


def test_output_option_writes_the_file(lf):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "report.json")
        rc, out, _ = lf.run("--format", "json", "-o", path, lf.capture("ws-clean"))
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        check(rc == 0 and out == "" and len(doc["connections"]) == 1,
              "-o writes the report to the file and nothing to stdout")
        rc, _, err = lf.run("-o", os.path.join(tmp, "missing-dir", "r.txt"),
                            lf.capture("ws-clean"))
        check(rc == 2 and "cannot write" in err, "an unwritable -o path exits 2")


def test_text_report_has_the_wireshark_filter_and_colours_on_request(lf):
    truth = lf.truth("ws-reconnect")["connections"][0]
    rc, out, _ = lf.run("--color", "never", lf.capture("ws-reconnect"))
    check(f'  wireshark   signalr.token == "{truth["token"]}"  or  tcp.stream in {{' in out,
          "the text report has the Wireshark filter line")
    check("\033[" not in out, "--color never writes no escape sequence")
    check(all(len(line) <= 100 for line in out.splitlines()
              if not line.startswith("  wireshark ")),
          "text lines fit 100 columns, the filter aside")
    _, out, _ = lf.run("--color", "always", lf.capture("ws-reconnect"))
    check("\033[31m!! error keepalive_missed\033[0m" in out, "--color always colours findings")


def test_threads_change_nothing_in_the_report(lf):
    rc, _, err = lf.run("--threads", "4", lf.capture("ws-clean"))
    check(rc == 2 and "--threads is 1, 2 or 3" in err, "--threads 4 is a usage error")
    names = sorted(f[:-5] for f in os.listdir(lf.captures) if f.endswith(".pcap"))
    missing = os.path.join(tempfile.gettempdir(), "lifeline-no-such-capture.pcap")
    for inputs in [[lf.capture(n)] for n in names] + [[missing] + [lf.capture(n) for n in names]]:
        one = lf.run("--threads", "1", "--format", "json", "--fail-on", "note", *inputs)
        two = lf.run("--threads", "2", "--format", "json", "--fail-on", "note", *inputs)
        three = lf.run("--threads", "3", "--format", "json", "--fail-on", "note", *inputs)
        what = os.path.basename(inputs[0]) if len(inputs) == 1 else "all captures and a missing one"
        check(one == two == three,
              f"{what}: --threads 1, 2 and 3 give the same report, diagnostics and exit")


def main():
    lf = Lifeline(sys.argv[1], sys.argv[2])
    for name, test in list(globals().items()):
        if name.startswith("test_"):
            print(f"-- {name[5:].replace('_', ' ')}")
            test(lf)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()

#!/bin/bash
# Checks synthesized captures with Debian's stock tshark/capinfos, which share no code with the
# synthesizer. Usage: tshark_checks.sh CHECK LIFELINE_SYNTH SCENARIO_DIR WORK_DIR
# Expected numbers are derived from the scenario files by hand (comments say how).
set -u
check=$1 synth=$2 scenarios=$3 work=$4
mkdir -p "$work"
failures=0

ts() { tshark -r "$1" -d tcp.port==8080,http "${@:2}" 2>/dev/null; }

expect() { # expect DESCRIPTION EXPECTED ACTUAL
    if [ "$2" == "$3" ]; then
        echo "ok: $1 ($3)"
    else
        echo "FAIL: $1: expected [$2], got [$3]"
        failures=$((failures + 1))
    fi
}

generate() { # generate SCENARIO OUT
    "$synth" run "$scenarios/$1" -o "$work/$2" >/dev/null || { echo "FAIL: generating $1"; exit 1; }
}

count() { ts "$@" | wc -l | tr -d ' '; }

four_transports() {
    local f=$work/four.pcapng
    generate four_transports.json four.pcapng
    expect "no TCP analysis warnings" 0 "$(count "$f" -Y tcp.analysis.flags)"
    expect "TCP and IP checksums all good" 0 "$(count "$f" -o tcp.check_checksum:TRUE \
        -o ip.check_checksum:TRUE -Y 'tcp.checksum.status != 1 or ip.checksum.status != 1')"
    # One negotiate, connect, start and abort per connection.
    for action in negotiate connect start abort; do
        expect "$action requests" 4 "$(count "$f" -Y "http.request.uri contains \"/signalr/$action?\"")"
    done
    expect "connect methods in port order (LP posts)" "GET GET GET POST" \
        "$(ts "$f" -Y 'http.request.uri contains "/signalr/connect?"' -T fields -e http.request.method | tr '\n' ' ' | sed 's/ $//')"
    # hub_every 20 s over 65 s: invocations at 20, 40, 60 s for SSE, FF and LP (WS uses frames).
    expect "send requests" 9 "$(count "$f" -Y 'http.request.uri contains "/signalr/send?"')"
    expect "WebSocket hub invocations, ids 0..2" "0 1 2" \
        "$(ts "$f" -Y 'tcp.srcport==41001 and websocket.payload.text contains "\"M\":\"Send\""' \
            -T fields -e websocket.payload.text | sed 's/.*"I":\([0-9]*\)}/\1/' | tr '\n' ' ' | sed 's/ $//')"
    # Heartbeat grid 3.5 + 10k s; WS open from 0.03 s to 65 s: ticks 3.5 ... 63.5.
    expect "WebSocket keepalive frames {} (deflated on the wire)" 7 \
        "$(count "$f" -Y 'websocket.payload.text == "{}" and websocket.rsv == 0x4')"
    expect "WebSocket init message" '{"C":"d-F0D180A5-B,0|C,0|D,1","S":1,"M":[]}' \
        "$(ts "$f" -Y 'websocket.payload.text contains "\"S\":1"' -T fields -e websocket.payload.text)"
    expect "client close without status, server close 1000" "1000" \
        "$(ts "$f" -Y 'websocket.opcode == 8' -T fields -e websocket.payload.close.status_code | tr -d '\n')"
    local sse
    sse=$(ts "$f" -Y 'http.response and tcp.dstport==42001' -T fields -e http.file_data)
    expect "SSE stream opens with initialized" 'data: initialized\n\ndata: {"C":' "${sse:0:32}"
    # SSE open 1.03 .. 66 s: ticks 3.5 ... 63.5.
    expect "SSE keepalive events" 7 "$(grep -o 'data: {}\\n\\n' <<<"$sse" | wc -l | tr -d ' ')"
    local ff
    ff=$(ts "$f" -Y 'http.response and tcp.dstport==43001' -T fields -e http.file_data)
    expect "forever frame prelude names frame 1" 1 "$(grep -c "getConnection('1')" <<<"$ff")"
    expect "forever frame keepalives" 7 "$(grep -o '<script>r(c, {});</script>\\n\\n' <<<"$ff" | wc -l | tr -d ' ')"
    # LP: connect, first poll at start+250 ms, polls end on messages at 33 and 63 s and on the
    # 25 s ConnectionTimeout (at 28.28 and 58.x): 1 + 4 re-polls = 5 polls.
    expect "long-poll /poll requests" 5 "$(count "$f" -Y 'http.request.uri contains "/signalr/poll?"')"
    expect "long-poll bodies carry the cursor" 5 "$(count "$f" -Y 'http.request.uri contains "/signalr/poll?" and urlencoded-form.key == "messageId"')"
    # Leading spaces per response on the LP receive connection (connect, then polls 1-5):
    # keepalive ticks 3.5/13.5/23.5 fall in poll 1 (3.28-28.28), 33.5/43.5/53.5 in poll 3
    # (33.03-58.03), 63.5 in poll 5 (63.03-68, ended by the abort); polls 2 and 4 last 5 s.
    expect "long-poll keepalive spaces before each JSON body" "0 3 0 3 0 1" \
        "$(ts "$f" -Y 'http.response and tcp.dstport==44001' -T fields -e http.file_data |
            sed 's/^\( *\).*/\1/' | awk '{ printf "%s%d", (NR > 1 ? " " : ""), length($0) }')"
}

anomalies() {
    local f=$work/anomalies.pcap
    generate anomalies.json anomalies.pcap
    expect "dropped segment seen as lost (WS, server side)" 1 \
        "$(count "$f" -Y 'tcp.dstport==41001 and tcp.analysis.lost_segment')"
    expect "dropped segment ACKed unseen" 1 "$(count "$f" -Y 'tcp.srcport==41001 and tcp.analysis.ack_lost_segment')"
    expect "reordered segment seen out of order (SSE)" 1 \
        "$(count "$f" -Y 'tcp.dstport==42001 and tcp.analysis.out_of_order')"
    expect "duplicate seen as retransmission (client WS)" 1 \
        "$(count "$f" -Y 'tcp.srcport==43001 and tcp.analysis.retransmission')"
    expect "changed retransmission seen as retransmission (LP)" 1 \
        "$(count "$f" -Y 'tcp.dstport==44001 and tcp.analysis.retransmission')"
    expect "nanosecond pcap magic" "nanoseconds (9)" \
        "$(capinfos "$f" | sed -n 's/^File timestamp precision: *//p')"
}

edges() {
    local f=$work/edges.pcapng
    generate edges.json edges.pcapng
    expect "raw IP link" "Raw IP" "$(capinfos -E "$f" | sed -n 's/^File encapsulation: *//p')"
    # rtt 246 ns: the SYN-ACK is 123 ns after the SYN; both survive pcapng if_tsresol=9.
    expect "nanosecond timestamps" "1718000000.000000000 1718000000.000000123 1718000000.000000246" \
        "$(ts "$f" -c 3 -T fields -e frame.time_epoch | tr '\n' ' ' | sed 's/ $//')"
    expect "IPv6 endpoints" "2001:db8::2 2001:db8::1" \
        "$(ts "$f" -c 2 -T fields -e ipv6.src | tr '\n' ' ' | sed 's/ $//')"
    # isn_client 4294967000 (control connection): its sequence passes 2^32 during negotiate.
    expect "client sequence wraps to small numbers" 1 \
        "$(ts "$f" -Y 'tcp.srcport==50000 and tcp.seq_raw < 100000' -T fields -e frame.number | head -1 | wc -l)"
    expect "snaplen 96 cuts long frames" 0 "$(count "$f" -Y 'frame.cap_len > 96')"
    expect "some frames were longer than the snaplen" 1 \
        "$(ts "$f" -Y 'frame.len > 96' -T fields -e frame.number | head -1 | wc -l)"
    expect "ending by reset: two RSTs from the client" 2 "$(count "$f" -Y 'tcp.flags.reset == 1 and ipv6.src == 2001:db8::2')"
}

hours_with_outages() {
    local f=$work/hours.pcapng
    generate hours_with_outages.json hours.pcapng
    expect "no TCP analysis warnings" 0 "$(count "$f" -Y tcp.analysis.flags)"
    # Grid 10 s from 10 to 7190 s = 719 ticks; silent in [1800.5,1860.5) (6) and [5000.5,5015.5) (1).
    expect "WebSocket keepalives over two hours" 712 "$(count "$f" -Y 'websocket.payload.text == "{}"')"
    # SSE: 719 ticks, silent in [3600.5,3630.5) (3).
    expect "SSE keepalive segments over two hours" 716 "$(count "$f" -Y 'tcp.srcport==8080 and tcp.payload contains "data: {}"')"
    expect "one reconnect per transport, with messageId" 2 \
        "$(count "$f" -Y 'http.request.uri contains "/signalr/reconnect?" and http.request.uri contains "messageId="')"
    expect "old receive connections reset by the client" "45001 46001" \
        "$(ts "$f" -Y 'tcp.flags.reset == 1' -T fields -e tcp.srcport | sort | tr '\n' ' ' | sed 's/ $//')"
    expect "reconnected SSE stream starts with initialized" 2 "$(count "$f" -Y 'tcp.payload contains "data: initialized"')"
    expect "capture spans two hours" 7200 "$(capinfos -u "$f" | sed -n 's/^Capture duration: *\([0-9]*\).*/\1/p')"
}

late_capture() {
    local f=$work/late.pcapng
    generate late_capture.json late.pcapng
    # Nothing happens at 20.25 s itself: the first frame is the keepalive tick at 20.5 s.
    expect "first frame is the first keepalive after capture_from" "1718000020.500000000" \
        "$(ts "$f" -c 1 -T fields -e frame.time_epoch)"
    expect "no handshakes, negotiate or connect seen" 0 \
        "$(count "$f" -Y 'tcp.flags.syn == 1 or http.request.uri contains "negotiate" or http.request.uri contains "connect?"')"
    # Heartbeat grid 0.5 + 10k s; seen from 20.25 to 60 s: 20.5, 30.5, 40.5, 50.5 per connection.
    expect "keepalives on the established WebSocket (decoded by hand: 81 02 7b 7d)" 4 \
        "$(count "$f" -Y 'tcp.srcport==8080 and tcp.dstport==47001 and tcp.payload == 81:02:7b:7d')"
    expect "keepalives on the established SSE stream" 4 \
        "$(count "$f" -Y 'tcp.dstport==48001 and tcp.payload contains "data: {}"')"
    # hub_every 15 from 0.03 s: 30.03 and 45.03 after the capture start (15.03 is before it).
    expect "hub invocations as masked client frames" 2 \
        "$(count "$f" -Y 'tcp.srcport==47001 and tcp.len > 6')"
    expect "stop still visible: abort on the control connection" 2 \
        "$(count "$f" -Y 'http.request.uri contains "/signalr/abort?"')"
}

bench_small() {
    local f=$work/bench.pcap
    "$synth" bench --connections 40 --duration 600 -o "$f" >/dev/null || { echo "FAIL: bench"; exit 1; }
    expect "strict time order" "True" "$(capinfos -o "$f" | sed -n 's/^Strict time order: *//p')"
    expect "no TCP analysis warnings" 0 "$(count "$f" -Y tcp.analysis.flags)"
    expect "one negotiate per connection" 40 "$(count "$f" -Y 'http.request.uri contains "/negotiate?"')"
    local packets
    packets=$(capinfos -c -M "$f" | sed -n 's/^Number of packets: *//p')
    # 40 connections x ~59 keepalives x (segment + ACK) alone exceed 4500 packets.
    expect "packet volume of keepalives and hub traffic" 1 "$((packets > 4500))"
}

"$check"
exit $((failures > 0))

#!/usr/bin/env node
// Writes signalr-lab.pcap: a small, deterministic capture of SignalR classic traffic
// (Ethernet/IPv4/TCP on 127.0.0.1, server port 8080) covering every request kind, every
// transport and the lifecycle faults the dissector flags. Timestamps are chosen, not
// measured, so keepalive gaps and timeouts are exact and the golden files stay stable.
//
// It also writes signalr-hostile.pcap: malformed and oversized SignalR traffic that must be
// flagged, never crash the dissector.
//
// Usage: node make-capture.js <output-directory>
'use strict';
const fs = require('fs');

const SERVER_PORT = 8080;
const T0 = 1767225600; // 2026-01-01T00:00:00Z

// ---------------------------------------------------------------- pcap writer
const records = [];

function checksum(buf) {
    let sum = 0;
    for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
    if (buf.length % 2) sum += buf[buf.length - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (~sum) & 0xffff;
}

function tcpPacket(t, sport, dport, seq, ack, flags, payload) {
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(sport, 0);
    tcp.writeUInt16BE(dport, 2);
    tcp.writeUInt32BE(seq >>> 0, 4);
    tcp.writeUInt32BE(ack >>> 0, 8);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp.writeUInt16BE(65535, 14);
    const pseudo = Buffer.alloc(12);
    pseudo.writeUInt32BE(0x7f000001, 0);
    pseudo.writeUInt32BE(0x7f000001, 4);
    pseudo[9] = 6;
    pseudo.writeUInt16BE(20 + payload.length, 10);
    tcp.writeUInt16BE(checksum(Buffer.concat([pseudo, tcp, payload])), 16);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 20 + payload.length, 2);
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 6;
    ip.writeUInt32BE(0x7f000001, 12);
    ip.writeUInt32BE(0x7f000001, 16);
    ip.writeUInt16BE(checksum(ip), 10);
    records.push({ t, data: Buffer.concat([eth, ip, tcp, payload]) });
}

function writePcap(path) {
    records.sort((a, b) => a.t - b.t);
    const taken = records.splice(0, records.length);
    const parts = [];
    const gh = Buffer.alloc(24);
    gh.writeUInt32LE(0xa1b2c3d4, 0);
    gh.writeUInt16LE(2, 4);
    gh.writeUInt16LE(4, 6);
    gh.writeUInt32LE(262144, 16);
    gh.writeUInt32LE(1, 20);
    parts.push(gh);
    for (const r of taken) {
        const h = Buffer.alloc(16);
        const us = Math.round(r.t * 1e6);
        h.writeUInt32LE(T0 + Math.floor(us / 1e6), 0);
        h.writeUInt32LE(us % 1e6, 4);
        h.writeUInt32LE(r.data.length, 8);
        h.writeUInt32LE(r.data.length, 12);
        parts.push(h, r.data);
    }
    fs.writeFileSync(path, Buffer.concat(parts));
}

// ---------------------------------------------------------------- TCP streams
const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;

class Stream {
    constructor(clientPort, t) {
        this.cp = clientPort;
        this.cseq = 1000;
        this.sseq = 5000;
        tcpPacket(t, this.cp, SERVER_PORT, this.cseq, 0, SYN, Buffer.alloc(0));
        tcpPacket(t + 0.0001, SERVER_PORT, this.cp, this.sseq, this.cseq + 1, SYN | ACK, Buffer.alloc(0));
        this.cseq++;
        this.sseq++;
        tcpPacket(t + 0.0002, this.cp, SERVER_PORT, this.cseq, this.sseq, ACK, Buffer.alloc(0));
    }
    // Sends bytes from one side, split at the given byte offsets (one segment per piece).
    send(fromClient, t, data, cuts = []) {
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
        const edges = [0, ...cuts, buf.length];
        for (let i = 0; i + 1 < edges.length; i++) {
            const piece = buf.subarray(edges[i], edges[i + 1]);
            const ts = t + i * 0.001;
            if (fromClient) {
                tcpPacket(ts, this.cp, SERVER_PORT, this.cseq, this.sseq, ACK | PSH, piece);
                this.cseq += piece.length;
            } else {
                tcpPacket(ts, SERVER_PORT, this.cp, this.sseq, this.cseq, ACK | PSH, piece);
                this.sseq += piece.length;
            }
        }
    }
    c(t, data, cuts) { this.send(true, t, data, cuts); }
    s(t, data, cuts) { this.send(false, t, data, cuts); }
    close(t) {
        tcpPacket(t, this.cp, SERVER_PORT, this.cseq, this.sseq, FIN | ACK, Buffer.alloc(0));
        tcpPacket(t + 0.0001, SERVER_PORT, this.cp, this.sseq, this.cseq + 1, FIN | ACK, Buffer.alloc(0));
        this.cseq++;
        this.sseq++;
        tcpPacket(t + 0.0002, this.cp, SERVER_PORT, this.cseq, this.sseq, ACK, Buffer.alloc(0));
    }
}

// ---------------------------------------------------------------- HTTP helpers
const CONN_DATA = '%5B%7B%22name%22%3A%22chathub%22%7D%5D';

function request(method, path, body, extra = '') {
    const len = body === undefined ? '' : `Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${SERVER_PORT}\r\n${extra}${len}\r\n${body || ''}`;
}

function response(status, type, body) {
    return `HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\nX-Content-Type-Options: nosniff\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function chunkedHead(type) {
    return `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: ${type}\r\n` +
        `X-Content-Type-Options: nosniff\r\n\r\n`;
}

function chunk(s) {
    return `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
}

function url(kind, transport, token, extra = '') {
    const tr = transport ? `transport=${transport}&` : '';
    return `/signalr/${kind}?${tr}clientProtocol=2.1&connectionToken=${encodeURIComponent(token)}` +
        `&connectionData=${CONN_DATA}${extra}`;
}

function negotiateBody(token, id, kat, dt) {
    return JSON.stringify({
        Url: '/signalr', ConnectionToken: token, ConnectionId: id,
        KeepAliveTimeout: kat, DisconnectTimeout: dt, ConnectionTimeout: 110,
        TryWebSockets: true, ProtocolVersion: '2.0', TransportConnectTimeout: 5,
        LongPollDelay: 0,
    });
}

function negotiate(st, t, token, id) {
    st.c(t, request('GET', `/signalr/negotiate?clientProtocol=2.1&connectionData=${CONN_DATA}&_=1767225600000`,
        undefined, 'X-Requested-With: XMLHttpRequest\r\n'));
    st.s(t + 0.005, response('200 OK', 'application/json; charset=UTF-8', negotiateBody(token, id, 20.0, 30.0)));
}

// WebSocket frames: server frames unmasked, client frames masked (RFC 6455).
function wsFrame(payload, opcode = 1, masked = false) {
    const p = Buffer.from(payload, 'utf8');
    const head = [0x80 | opcode];
    const m = masked ? 0x80 : 0;
    if (p.length < 126) head.push(m | p.length);
    else head.push(m | 126, p.length >> 8, p.length & 0xff);
    if (!masked) return Buffer.concat([Buffer.from(head), p]);
    const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
    const out = Buffer.from(p);
    for (let i = 0; i < out.length; i++) out[i] ^= key[i % 4];
    return Buffer.concat([Buffer.from(head), key, out]);
}

function wsUpgrade(st, t, path) {
    st.c(t, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${SERVER_PORT}\r\nUpgrade: websocket\r\n` +
        'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    st.s(t + 0.002, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
}

// ---------------------------------------------------------------- scenarios
let nextPort = 50001;
const newStream = (t) => new Stream(nextPort++, t);

// A: WebSockets, clean life: negotiate, connect, start, hub traffic, keepalives with one late
// and one missed gap, client close, abort.
function scenarioWebSockets() {
    const tok = 'tokA+WS/1==';
    const id = 'aaaaaaaa-0000-4000-8000-000000000001';
    const ajax = newStream(0.0);
    negotiate(ajax, 0.01, tok, id);
    const ws = newStream(0.05);
    wsUpgrade(ws, 0.06, url('connect', 'webSockets', tok, '&tid=3'));
    ws.s(0.07, wsFrame('{"C":"d-6A1F30C2-B,0|C,0|D,1","S":1,"M":[]}'));
    ajax.c(0.08, request('GET', url('start', 'webSockets', tok, '&_=1767225600001')));
    ajax.s(0.09, response('200 OK', 'application/json; charset=UTF-8', '{ "Response": "started" }'));
    ws.c(0.2, wsFrame('{"H":"chathub","M":"Send","A":["ann","hi"],"I":0}', 1, true));
    ws.s(0.21, wsFrame('{"I":"0"}'));
    ws.s(0.22, wsFrame('{"C":"d-6A1F30C2-B,1|C,0|D,1","M":[{"H":"ChatHub","M":"addMessage","A":["ann","hi"]}]}'));
    ws.s(10.0, wsFrame('{}'));
    ws.s(20.0, wsFrame('{}'));
    ws.s(35.0, wsFrame('{}'));   // 15 s gap: over 2/3 of KeepAliveTimeout (late)
    ws.c(35.5, wsFrame('{"H":"chathub","M":"Slow","A":[],"I":1}', 1, true));
    ws.s(35.6, wsFrame('{"C":"d-6A1F30C2-B,2|C,0|D,1","M":[{"I":"P|1","P":{"I":"1","D":50}}]}'));
    ws.s(35.7, wsFrame('{"R":42,"I":"1"}'));
    ws.s(57.0, wsFrame('{}'));   // 21.3 s gap: over KeepAliveTimeout (missed)
    ws.c(58.0, wsFrame('', 8, true));
    ws.s(58.01, Buffer.from([0x88, 0x02, 0x03, 0xe8]));
    ws.close(58.02);
    ajax.c(58.05, request('POST', url('abort', 'webSockets', tok), ''));
    ajax.s(58.06, response('200 OK', 'text/plain', ''));
    ajax.close(58.1);
}

// B: WebSockets refused, fallback to Server-Sent Events under the same token; the SSE response
// is still open when the capture ends, with awkward chunk and segment boundaries.
function scenarioServerSentEvents() {
    const tok = 'tokB+SSE/2==';
    const id = 'bbbbbbbb-0000-4000-8000-000000000002';
    const ajax = newStream(500.0);
    negotiate(ajax, 500.01, tok, id);
    const ws = newStream(500.05);
    ws.c(500.06, request('GET', url('connect', 'webSockets', tok, '&tid=1')));
    ws.s(500.07, response('400 Bad Request', 'text/plain', 'Not a valid web socket request.'));
    ws.close(500.08);
    const sse = newStream(500.1);
    sse.c(500.11, request('GET', url('connect', 'serverSentEvents', tok, '&tid=4'), undefined,
        'Accept: text/event-stream\r\n'));
    sse.s(500.12, chunkedHead('text/event-stream'));
    sse.s(500.13, chunk('data: initialized\n\n'));
    sse.s(500.14, chunk('data: {"C":"d-6A1F30C2-B,0|C,0|D,1","S":1,"M":[]}\r\n\r\n'));
    ajax.c(500.2, request('GET', url('start', 'serverSentEvents', tok, '&_=1767226100001')));
    ajax.s(500.21, response('200 OK', 'application/json; charset=UTF-8', '{ "Response": "started" }'));
    const form = 'data=' + encodeURIComponent('{"H":"chathub","M":"Send","A":["bob","hi there"],"I":0}').replace(/%20/g, '+');
    ajax.c(500.3, request('POST', url('send', 'serverSentEvents', tok), form));
    ajax.s(500.31, response('200 OK', 'application/json; charset=UTF-8', '{"R":42,"I":"0"}'));
    sse.s(510.0, chunk('data: {}\n\n'), [4]);   // a chunk split over two segments
    const msg = 'data: {"C":"d-6A1F30C2-B,1|C,0|D,1","G":"grpB==","M":[{"H":"ChatHub","M":"addMessage","A":["bob","hi there"]}]}\r\n\r\n';
    sse.s(510.5, chunk(msg.slice(0, 30)) + chunk(msg.slice(30)), [20]);   // an event split over two chunks
    sse.s(520.0, chunk('data: {}\n\ndata: {"C":"d-6A1F30C2-B,2|C,0|D,1","M":[]}\r\n\r\n'));   // two events in one chunk
    ajax.c(520.5, request('POST', url('send', 'serverSentEvents', tok), 'data=' +
        encodeURIComponent('{"H":"chathub","M":"Fail","A":[],"I":1}')));
    ajax.s(520.51, response('200 OK', 'application/json; charset=UTF-8',
        '{"I":"1","E":"There was an error invoking Hub method \'chathub.Fail\'."}'));
    sse.s(530.0, chunk('data: {}\n\n'));
}

// C: forever frame that the server ends; the client reconnects only after the disconnect
// timeout and never aborts.
function scenarioForeverFrame() {
    const tok = 'tokC+FF/3==';
    const id = 'cccccccc-0000-4000-8000-000000000003';
    const ajax = newStream(200.0);
    negotiate(ajax, 200.01, tok, id);
    const ff = newStream(200.05);
    ff.c(200.06, request('GET', url('connect', 'foreverFrame', tok, '&tid=2&frameId=1')));
    ff.s(200.07, chunkedHead('text/html; charset=UTF-8'));
    ff.s(200.08, chunk('<!DOCTYPE html><html><head><title>SignalR Forever Frame Transport Stream</title>\r\n' +
        '<script>\r\n    var $ = window.parent.jQuery,\r\n        ff = $ ? $.signalR.transports.foreverFrame : null,\r\n' +
        "        c =  ff ? ff.getConnection('1') : null,\r\n        r = ff ? ff.receive : function() {};\r\n" +
        "    ff ? ff.started(c) : '';</script></head><body>\r\n"));
    ff.s(200.09, chunk('<script>r(c, {"C":"d-6A1F30C2-B,0|C,0|D,1","S":1,"M":[]});</script>\r\n'));
    ajax.c(200.2, request('GET', url('start', 'foreverFrame', tok, '&_=1767225800001')));
    ajax.s(200.21, response('200 OK', 'application/json; charset=UTF-8', '{ "Response": "started" }'));
    ff.s(210.0, chunk('<script>r(c, {});</script>\n\n'));
    ff.s(211.0, chunk('<script>r(c, {"C":"d-6A1F30C2-B,1|C,0|D,1","M":[{"H":"ChatHub","M":"addMessage","A":["\\u003cb\\u003e"]}]});</script>\r\n'));
    ff.s(215.0, '0\r\n\r\n');
    ff.close(215.01);
    const again = newStream(260.0);   // 45 s after the transport ended: past DisconnectTimeout + 5 s
    again.c(260.01, request('GET', url('reconnect', 'foreverFrame', tok,
        '&messageId=' + encodeURIComponent('d-6A1F30C2-B,1|C,0|D,1') + '&tid=5&frameId=1')));
    again.s(260.02, chunkedHead('text/html; charset=UTF-8'));
    again.s(260.03, chunk('<script>r(c, {});</script>\n\n'));
    again.s(265.0, '0\r\n\r\n');
    again.close(265.01);
}

// D: long polling with keepalive spaces, groups token, LongPollDelay, host shutdown, send,
// ping and the hubs proxy, ended by an abort.
function scenarioLongPolling() {
    const tok = 'tokD+LP/4==';
    const id = 'dddddddd-0000-4000-8000-000000000004';
    const ajax = newStream(300.0);
    ajax.c(300.005, request('GET', '/signalr/hubs'));
    ajax.s(300.006, response('200 OK', 'application/javascript; charset=UTF-8', '/* hubs proxy */\n'));
    negotiate(ajax, 300.01, tok, id);
    const lp = newStream(300.05);
    lp.c(300.06, request('POST', url('connect', 'longPolling', tok), ''));
    lp.s(300.07, response('200 OK', 'application/json; charset=UTF-8', '{"C":"d-6A1F30C2-B,0|C,0|D,1","S":1,"M":[]}'));
    ajax.c(300.1, request('GET', url('start', 'longPolling', tok, '&_=1767225900001')));
    ajax.s(300.11, response('200 OK', 'application/json; charset=UTF-8', '{ "Response": "started" }'));
    lp.c(300.36, request('POST', url('poll', 'longPolling', tok), 'messageId=' +
        encodeURIComponent('d-6A1F30C2-B,0|C,0|D,1')));
    lp.s(300.37, chunkedHead('application/json; charset=UTF-8'));
    lp.s(310.0, chunk(' '));
    lp.s(320.0, chunk(' '));
    lp.s(321.0, chunk('{"C":"d-6A1F30C2-B,1|C,0|D,2","G":"grpD==","L":500,"M":[{"H":"ChatHub","M":"addMessage","A":["dee"]}]}') + '0\r\n\r\n');
    lp.c(321.6, request('POST', url('poll', 'longPolling', tok), 'messageId=' +
        encodeURIComponent('d-6A1F30C2-B,1|C,0|D,2') + '&groupsToken=' + encodeURIComponent('grpD==')));
    lp.s(321.7, response('200 OK', 'application/json; charset=UTF-8', '{"C":"d-6A1F30C2-B,1|C,0|D,2","T":1,"M":[]}'));
    ajax.c(322.0, request('POST', url('send', 'longPolling', tok), 'data=' +
        encodeURIComponent('{"H":"chathub","M":"Send","A":["dee"],"I":0}')));
    ajax.s(322.01, response('200 OK', 'application/json; charset=UTF-8', '{"I":"0"}'));
    ajax.c(322.5, request('GET', '/signalr/ping?_=1767225900002'));
    ajax.s(322.51, response('200 OK', 'application/json; charset=UTF-8', '{ "Response": "pong" }'));
    ajax.c(323.0, request('POST', url('abort', 'longPolling', tok), ''));
    ajax.s(323.01, response('200 OK', 'text/plain', ''));
    lp.close(323.1);
    ajax.close(323.2);
}

// E: the capture starts mid-connection (no negotiate for this token); an old server answers a
// WebSocket reconnect with the disconnect command.
function scenarioNoNegotiate() {
    const tok = 'tokE+OLD/5==';
    const ws = newStream(400.0);
    wsUpgrade(ws, 400.01, url('reconnect', 'webSockets', tok,
        '&messageId=' + encodeURIComponent('d-1A2B-B,4|C,0') + '&tid=9'));
    ws.s(400.02, wsFrame('{"C":"d-1A2B-B,4|C,0","D":1,"M":[]}'));
    ws.close(400.03);
}

// F: hostile bytes on every path: a negotiate that is not JSON, WebSocket messages that are
// not JSON or nest too deep, an SSE stream with a broken chunk size, a forever frame whose
// script never closes.
function scenarioHostile() {
    const tok = 'tokF+BAD/6==';
    const ajax = newStream(0.0);
    ajax.c(0.01, request('GET', `/signalr/negotiate?clientProtocol=2.1&connectionData=${CONN_DATA}`));
    ajax.s(0.02, response('200 OK', 'application/json; charset=UTF-8', '{"ConnectionToken":'));
    const ws = newStream(0.05);
    wsUpgrade(ws, 0.06, url('connect', 'webSockets', tok, '&tid=1'));
    ws.s(0.07, wsFrame('{not json'));
    ws.s(0.08, wsFrame('{"C":"d-1-B,0","M":[' + '['.repeat(300) + ']'.repeat(300) + ']}'));
    ws.s(0.09, wsFrame('{"C":"no-cursor|grammar","S":"x","M":{}}'));
    ws.c(0.10, wsFrame('{"H":1,"M":[],"I":{}}', 1, true));
    const sse = newStream(0.2);
    sse.c(0.21, request('GET', url('connect', 'serverSentEvents', tok, '&tid=2')));
    sse.s(0.22, chunkedHead('text/event-stream'));
    sse.s(0.23, chunk('data: initialized\n\n'));
    sse.s(0.24, 'zz\r\ndata: {}\n\n\r\n');
    const ff = newStream(0.3);
    ff.c(0.31, request('GET', url('reconnect', 'foreverFrame', tok, '&frameId=notanumber')));
    ff.s(0.32, chunkedHead('text/html; charset=UTF-8'));
    ff.s(0.33, chunk('<script>r(c, {"C":"d-1-B,1","M":[]}\n'));
    ff.s(0.34, chunk('<script>r(c, {});</script>\n'));
    const send = newStream(0.4);
    send.c(0.41, request('POST', url('send', 'serverSentEvents', tok), 'data=%ZZ'));
    send.s(0.42, response('200 OK', 'application/json; charset=UTF-8', '{"I":'));
}

// G: a negotiate never followed by /connect (a client that refused every transport); a ping
// 10 s later is the first frame past TransportConnectTimeout.
function scenarioNegotiateOnly() {
    const ajax = newStream(600.0);
    negotiate(ajax, 600.01, 'tokG+NEG/7==', 'eeeeeeee-0000-4000-8000-000000000007');
    ajax.c(610.0, request('GET', '/signalr/ping?_=1767226200000'));
    ajax.s(610.01, response('200 OK', 'application/json; charset=UTF-8', '{ "Response": "pong" }'));
}

const outDir = process.argv[2] || '.';
scenarioWebSockets();
scenarioServerSentEvents();
scenarioForeverFrame();
scenarioLongPolling();
scenarioNoNegotiate();
scenarioNegotiateOnly();
writePcap(`${outDir}/signalr-lab.pcap`);
nextPort = 51001;
scenarioHostile();
writePcap(`${outDir}/signalr-hostile.pcap`);

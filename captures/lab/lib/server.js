'use strict';
// Reference ASP.NET SignalR classic (2.x) server for the capture lab: one hub
// (`ChatHub`), the four transports, the process-wide heartbeat, and the
// lifecycle events (OnConnected / OnReconnected / OnDisconnected) reported
// through `record`. Tokens are random bytes mapped to connection IDs in a
// store that may outlive the server (a restarted server still "unprotects"
// tokens, as one with the same machine key would).

const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { WebSocketServer } = require('ws');
const { Bus } = require('./cursor');
const { nowSeconds } = require('./clock');
const T = require('./transports');

// Hub method arguments and form bodies are tiny in the lab; cap what we buffer.
const MAX_BODY_BYTES = 64 * 1024;
// WS/SSE/FF get this extra grace before the disconnect timeout (TransportDisconnectBase).
const STREAM_DISCONNECT_THRESHOLD_S = 5;
const HUB_NAME = 'ChatHub';

const DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  prefix: '/signalr',
  keepAlive: 10, // seconds; null disables keepalives (KeepAliveTimeout: null)
  disconnectTimeout: 30,
  connectionTimeout: 110,
  transportConnectTimeout: 5,
  longPollDelay: 0,
  tryWebSockets: true,
  refuseWebSocketUpgrade: false,
  // 2.0.x behaviour on top of an advertised 2.0 protocol (see README).
  oldServer: false,
  protocolVersion: '2.0',
  sseNewline: '\r\n',
  longPollSpacePerTick: true,
  name: 'server',
};

function json(res, status, body, extra = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', ...T.SIGNALR_HEADERS, ...extra });
  res.end(body);
}

function text(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'text/plain', ...T.SIGNALR_HEADERS });
  res.end(body);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function formatSeconds(v) {
  // Json.NET writes doubles with a trailing ".0".
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

class ClassicServer {
  constructor(options, tokenStore, record) {
    this.o = { ...DEFAULTS, ...options };
    this.tokens = tokenStore; // token -> connectionId, shared across restarts
    this.record = record;
    this.bus = new Bus();
    this.connections = new Map(); // connectionId -> state on this server
    this.tick = 0;
    this.sockets = new Set();
    this.http = http.createServer((req, res) => this.onRequest(req, res));
    this.http.keepAliveTimeout = 120000; // IIS idle timeout for pooled connections
    this.http.requestTimeout = 0;
    this.http.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  get heartbeatSeconds() {
    return this.o.keepAlive ? this.o.keepAlive / 2 : this.o.disconnectTimeout / 6;
  }

  negotiateValues() {
    const o = this.o;
    return {
      Url: o.prefix,
      KeepAliveTimeout: o.keepAlive ? o.keepAlive * 2 : null,
      DisconnectTimeout: o.disconnectTimeout,
      ConnectionTimeout: o.connectionTimeout,
      TryWebSockets: o.tryWebSockets,
      ProtocolVersion: o.protocolVersion,
      TransportConnectTimeout: o.transportConnectTimeout,
      LongPollDelay: o.longPollDelay,
    };
  }

  start() {
    return new Promise((resolve) => {
      this.http.listen(this.o.port, this.o.host, () => {
        this.port = this.http.address().port;
        this.timer = setInterval(() => this.beat(), this.heartbeatSeconds * 1000);
        this.emit('server_started', { cursor_prefix: this.bus.prefix });
        resolve(this);
      });
    });
  }

  // Abrupt end of the process: no goodbye on any transport, no events.
  kill() {
    if (this.killed) return Promise.resolve();
    this.killed = true;
    clearInterval(this.timer);
    for (const s of this.sockets) s.destroy();
    for (const c of this.wss.clients) c.terminate();
    this.emit('server_killed', {});
    return new Promise((resolve) => this.http.close(() => resolve()));
  }

  // Host shutdown: every live transport is ended first, long polls answered
  // with "T":1, then the process goes away.
  async shutdown() {
    this.emit('server_shutdown', {});
    for (const conn of this.connections.values()) {
      const tr = conn.transport;
      if (!tr || !tr.alive) continue;
      if (tr.kind === 'longPolling') tr.send(this.response(conn, [], { T: 1 }));
      else tr.end('host shutdown');
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    return this.kill();
  }

  // Lab fault: the heartbeat keeps running but sends no keepalive until
  // `seconds` have passed, then one at once on every live transport.
  holdKeepAlives(seconds) {
    this.emit('keepalives_held', { seconds });
    this.keepAlivesHeld = true;
    setTimeout(() => {
      this.keepAlivesHeld = false;
      this.emit('keepalives_resumed', {});
      for (const conn of this.connections.values()) {
        if (conn.transport && conn.transport.alive) conn.transport.keepAlive();
      }
    }, seconds * 1000);
  }

  emit(type, fields) {
    this.record({ t: nowSeconds(), source: this.o.name, type, ...fields });
  }

  lifecycle(conn, event, extra) {
    this.emit(event, { connection_id: conn.id, ...extra });
  }

  // ---- dispatch ---------------------------------------------------------

  parse(req) {
    const url = new URL(req.url, 'http://lab');
    const p = url.pathname.replace(/\/+$/, '');
    const prefix = this.o.prefix.toLowerCase();
    const lower = p.toLowerCase();
    if (!lower.startsWith(prefix + '/')) return null;
    return { url, q: url.searchParams, suffix: lower.slice(lower.lastIndexOf('/') + 1) };
  }

  resolveConnection(q) {
    const token = q.get('connectionToken');
    if (!token) return { error: 'Protocol error: Missing connection token.' };
    const id = this.tokens.get(token);
    if (!id) return { error: 'The ConnectionId is in the incorrect format.' };
    return { conn: this.connectionFor(id, token) };
  }

  connectionFor(id, token) {
    let conn = this.connections.get(id);
    if (!conn) {
      const topics = [`hc-${HUB_NAME}`, `hc-${HUB_NAME}.${id}`, `c-${id}`];
      conn = { id, token, topics, transport: null, tracked: false, connectedOnce: false,
        lastMarked: 0, initial: 0, pos: null, disconnectSeq: 0 };
      this.connections.set(id, conn);
    }
    return conn;
  }

  async onRequest(req, res) {
    const t = nowSeconds();
    const parsed = this.parse(req);
    this.emit('http_request', { method: req.method, path: req.url, remote_port: req.socket.remotePort, t });
    if (!parsed) return this.serveOther(req, res);
    const { q, suffix } = parsed;
    if (suffix === 'negotiate') return this.negotiate(req, res);
    if (suffix === 'ping') return json(res, 200, '{ "Response": "pong" }');
    const transport = (q.get('transport') || '').toLowerCase();
    if (!['websockets', 'serversentevents', 'foreverframe', 'longpolling'].includes(transport)) {
      return text(res, 400, 'Protocol error: Unknown transport.');
    }
    const { conn, error } = this.resolveConnection(q);
    if (error) return text(res, 400, error);
    const body = req.method === 'POST' ? await readBody(req) : '';
    const form = new URLSearchParams(body);
    if (suffix === 'start') return this.startRequest(conn, res);
    if (suffix === 'send') return this.sendRequest(conn, res, form.get('data') || q.get('data'));
    if (suffix === 'abort') return this.abortRequest(conn, res);
    if (transport === 'websockets') return text(res, 400, 'Not a valid websocket request.');
    const messageId = form.get('messageId') || q.get('messageId');
    const kind = this.receiveKind(transport, suffix);
    return this.receive(conn, kind, messageId, () => this.streamTransport(transport, conn, res, q));
  }

  receiveKind(transport, suffix) {
    if (suffix === 'connect') return 'connect';
    if (transport === 'longpolling') return suffix === 'reconnect' ? 'reconnect' : 'poll';
    return 'reconnect';
  }

  streamTransport(transport, conn, res, q) {
    const onDead = (reason) => this.transportDied(conn, reason);
    if (transport === 'serversentevents') return new T.ServerSentEventsTransport(res, onDead, this.o.sseNewline);
    if (transport === 'foreverframe') {
      const frameId = Number(q.get('frameId'));
      return new T.ForeverFrameTransport(res, onDead, Number.isInteger(frameId) ? frameId : 0);
    }
    return new T.LongPollingTransport(res, onDead);
  }

  onUpgrade(req, socket, head) {
    const parsed = this.parse(req);
    this.emit('http_request', { method: req.method, path: req.url, remote_port: req.socket.remotePort, upgrade: true, t: nowSeconds() });
    const refuse = (status, msg) => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${msg.length}\r\nConnection: close\r\n\r\n${msg}`);
    };
    if (!parsed) return refuse('404 Not Found', 'Not Found');
    const { conn, error } = this.resolveConnection(parsed.q);
    if (error) return refuse('400 Bad Request', error);
    if (this.o.refuseWebSocketUpgrade || !this.o.tryWebSockets) {
      this.emit('websocket_refused', { connection_id: conn.id });
      return refuse('400 Bad Request', 'Not a valid websocket request.');
    }
    const kind = this.receiveKind('websockets', parsed.suffix);
    const messageId = parsed.q.get('messageId');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.receive(conn, kind, messageId, () => new T.WebSocketTransport(ws,
        (reason) => this.transportDied(conn, reason),
        (msg) => this.invoke(conn, msg, (result) => conn.transport && conn.transport.ws === ws && ws.send(result))));
    });
  }

  serveOther(req, res) {
    const url = new URL(req.url, 'http://lab');
    const file = this.o.staticFiles && this.o.staticFiles[url.pathname];
    if (file) {
      const type = file.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/javascript; charset=utf-8';
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      return res.end(fs.readFileSync(file));
    }
    if (url.pathname.startsWith('/api/')) {
      return json(res, 200, JSON.stringify({ path: url.pathname, time: new Date().toISOString() }));
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    return res.end('Not Found');
  }

  // ---- SignalR requests -------------------------------------------------

  negotiate(req, res) {
    const id = crypto.randomUUID();
    // 64 random bytes: opaque, carries `+ / =`, and says nothing about the ID.
    const token = crypto.randomBytes(64).toString('base64');
    this.tokens.set(token, id);
    const v = this.negotiateValues();
    const body = `{"Url":${JSON.stringify(v.Url)},"ConnectionToken":${JSON.stringify(token)},`
      + `"ConnectionId":"${id}","KeepAliveTimeout":${v.KeepAliveTimeout === null ? 'null' : formatSeconds(v.KeepAliveTimeout)},`
      + `"DisconnectTimeout":${formatSeconds(v.DisconnectTimeout)},"ConnectionTimeout":${formatSeconds(v.ConnectionTimeout)},`
      + `"TryWebSockets":${v.TryWebSockets},"ProtocolVersion":"${v.ProtocolVersion}",`
      + `"TransportConnectTimeout":${formatSeconds(v.TransportConnectTimeout)},"LongPollDelay":${formatSeconds(v.LongPollDelay)}}`;
    this.emit('negotiate', { connection_id: id, token, remote_port: req.socket.remotePort });
    json(res, 200, body);
  }

  startRequest(conn, res) {
    if (!this.o.oldServer) this.lifecycle(conn, 'OnConnected', { via: 'start' });
    json(res, 200, '{ "Response": "started" }');
  }

  sendRequest(conn, res, data) {
    if (!data) return text(res, 400, 'Protocol error: missing data.');
    return this.invoke(conn, data, (result) => json(res, 200, result));
  }

  abortRequest(conn, res) {
    text(res, 200, '');
    this.emit('abort_received', { connection_id: conn.id, transport_alive: !!(conn.transport && conn.transport.alive) });
    // The abort command goes to the connection's topic. A connection the
    // heartbeat still tracks is ended at once, even when its receive request
    // already closed (the JS client closes its socket before POSTing /abort);
    // an expired or never-connected one has nobody left to end.
    this.bus.publish(conn.topics[2]);
    if (!conn.tracked) return;
    this.untrack(conn);
    this.endTransport(conn, 'aborted');
    this.lifecycle(conn, 'OnDisconnected', { stopCalled: true, reason: 'abort request' });
  }

  receive(conn, kind, messageId, makeTransport) {
    const previous = conn.transport;
    const wasTracked = conn.tracked;
    if (previous && previous.alive) this.endTransport(conn, `replaced by ${kind}`);
    const transport = makeTransport();
    conn.transport = transport;
    conn.tracked = true;
    conn.initial = Date.now();
    conn.lastMarked = Date.now();
    this.emit('transport_opened', { connection_id: conn.id, transport: transport.kind, request: kind });
    if (kind === 'connect') return this.connectRequest(conn, transport);
    const pos = this.bus.parse(conn.topics, messageId);
    if (!pos) this.emit('cursor_unknown', { connection_id: conn.id, message_id: messageId || null });
    conn.pos = pos || this.bus.positionsNow(conn.topics);
    if (kind === 'reconnect') {
      this.lifecycle(conn, 'OnReconnected', { transport: transport.kind, after_server_disconnect: !wasTracked && conn.connectedOnce });
    }
    if (this.o.oldServer && conn.disconnectSeq && pos && pos[conn.topics[2]] < conn.disconnectSeq) {
      return this.sendDisconnectCommand(conn, transport);
    }
    return this.deliver(conn);
  }

  connectRequest(conn, transport) {
    if (this.o.oldServer && !conn.connectedOnce) this.lifecycle(conn, 'OnConnected', { via: 'connect' });
    conn.connectedOnce = true;
    conn.pos = this.bus.positionsNow(conn.topics);
    // The Initializing command is a message on the connection's own topic.
    conn.pos[conn.topics[2]] = this.bus.publish(conn.topics[2]);
    transport.send(this.response(conn, [], { S: 1 }));
  }

  sendDisconnectCommand(conn, transport) {
    conn.pos[conn.topics[2]] = conn.disconnectSeq;
    conn.disconnectSeq = 0;
    transport.send(this.response(conn, [], { D: 1 }));
    this.emit('disconnect_command_sent', { connection_id: conn.id, transport: transport.kind });
    if (transport.alive) {
      this.untrack(conn);
      this.endTransport(conn, 'disconnect command');
    }
  }

  response(conn, messages, flags = {}) {
    let out = `{"C":"${this.bus.format(conn.topics, conn.pos)}"`;
    for (const k of ['S', 'D', 'T']) if (flags[k]) out += `,"${k}":1`;
    if (conn.transport && conn.transport.kind === 'longPolling' && this.o.longPollDelay) {
      out += `,"L":${this.o.longPollDelay * 1000}`;
    }
    return `${out},"M":[${messages.join(',')}]}`;
  }

  deliver(conn) {
    const tr = conn.transport;
    if (!tr || !tr.alive || !conn.pos) return;
    const hubTopic = conn.topics[0];
    const pending = this.bus.pending(hubTopic, conn.pos[hubTopic]);
    if (pending.length === 0) return;
    conn.pos[hubTopic] = pending[pending.length - 1].seq;
    tr.send(this.response(conn, pending.map((e) => e.payload)));
    conn.lastMarked = Date.now();
  }

  broadcast(payload) {
    this.bus.publish(`hc-${HUB_NAME}`, payload);
    for (const conn of this.connections.values()) this.deliver(conn);
  }

  invoke(conn, raw, reply) {
    let call;
    try {
      call = JSON.parse(raw);
    } catch (e) {
      return reply('{"E":"Invalid invocation."}');
    }
    const id = JSON.stringify(String(call.I));
    const method = String(call.M || '').toLowerCase();
    const args = Array.isArray(call.A) ? call.A : [];
    this.emit('hub_invocation', { connection_id: conn.id, method: call.M, invocation_id: String(call.I) });
    if (method === 'send') {
      this.broadcast(JSON.stringify({ H: HUB_NAME, M: 'addMessage', A: [String(args[0]), String(args[1])] }));
      return reply(`{"I":${id}}`);
    }
    if (method === 'add') return reply(`{"R":${Number(args[0]) + Number(args[1])},"I":${id}}`);
    return reply(`{"I":${id},"E":"'${String(call.M).replace(/[^A-Za-z0-9_]/g, '')}' method could not be resolved."}`);
  }

  // ---- transport lifetime and heartbeat ----------------------------------

  endTransport(conn, reason) {
    const tr = conn.transport;
    if (!tr || !tr.alive) return;
    if (tr.kind === 'longPolling') tr.send(this.response(conn, []));
    else tr.end(reason);
  }

  untrack(conn) {
    conn.tracked = false;
  }

  transportDied(conn, reason) {
    this.emit('transport_lost', { connection_id: conn.id, reason });
    if (conn.tracked) conn.lastMarked = Date.now();
  }

  beat() {
    this.tick += 1;
    const now = Date.now();
    for (const conn of this.connections.values()) {
      if (!conn.tracked) continue;
      const tr = conn.transport;
      if (tr && tr.alive) this.beatAlive(conn, tr, now);
      else this.beatDead(conn, tr, now);
    }
  }

  beatAlive(conn, tr, now) {
    const requiresTimeout = tr.kind === 'longPolling' || !this.o.keepAlive;
    if (requiresTimeout && now - conn.initial >= this.o.connectionTimeout * 1000) {
      this.emit('transport_timeout', { connection_id: conn.id, transport: tr.kind });
      this.endTransport(conn, 'connection timeout');
      return;
    }
    if (this.o.keepAlive && !this.keepAlivesHeld) {
      const everyTick = tr.kind === 'longPolling' && this.o.longPollSpacePerTick;
      if (everyTick || this.tick % 2 === 0) tr.keepAlive();
    }
    conn.lastMarked = now;
  }

  beatDead(conn, tr, now) {
    const grace = tr && tr.kind === 'longPolling' ? this.o.longPollDelay : STREAM_DISCONNECT_THRESHOLD_S;
    if (now - conn.lastMarked < (grace + this.o.disconnectTimeout) * 1000) return;
    this.untrack(conn);
    if (this.o.oldServer) conn.disconnectSeq = this.bus.publish(conn.topics[2]);
    this.lifecycle(conn, 'OnDisconnected', { stopCalled: false, reason: 'disconnect timeout' });
  }
}

function labStaticFiles(labDir) {
  const nm = path.join(labDir, 'node_modules');
  return {
    '/': path.join(labDir, 'page', 'index.html'),
    '/app/client.js': path.join(labDir, 'page', 'client.js'),
    '/scripts/jquery.js': path.join(nm, 'jquery', 'dist', 'jquery.min.js'),
    '/scripts/jquery.signalR.js': path.join(nm, 'signalr', 'jquery.signalR.min.js'),
  };
}

module.exports = { ClassicServer, labStaticFiles };

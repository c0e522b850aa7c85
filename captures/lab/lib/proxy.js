'use strict';
// Fault-injecting TCP proxy between the browser and the server. Faults are
// switched on and off in time by the scenario: black-holing either direction
// (sockets stay open; bytes are held back or dropped), resetting connections,
// refusing new ones, or adding latency. Every accepted connection and every
// fault change is reported through `record`.

const net = require('net');
const { nowSeconds } = require('./clock');

// One direction of one proxied connection.
class Pipe {
  constructor(src, dst, proxy, link, dir) {
    this.link = link;
    this.src = src;
    this.dst = dst;
    this.proxy = proxy;
    this.dir = dir; // 'c2s' or 's2c'
    this.held = []; // chunks held back while black-holed in 'buffer' mode
    this.endHeld = false;
    this.chain = Promise.resolve();
    src.on('data', (chunk) => this.onData(chunk));
    src.on('end', () => this.onEnd());
  }

  fault() {
    return this.link.blackhole[this.dir];
  }

  onData(chunk) {
    const f = this.fault();
    if (f === 'drop') return;
    if (f === 'buffer') { this.held.push(chunk); return; }
    if (this.proxy.onForward) this.proxy.onForward(this.dir, chunk.length);
    this.forward(chunk);
  }

  forward(chunk) {
    if (this.dst.destroyed) {
      // Like a middlebox that lost the flow's state: answer with a reset.
      if (!this.src.destroyed) this.src.resetAndDestroy();
      return;
    }
    const delay = this.proxy.delayMs;
    if (!delay) { this.dst.write(chunk); return; }
    // Keep order under latency: each chunk waits for the previous one.
    const due = Date.now() + delay;
    this.chain = this.chain.then(() => new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()))))
      .then(() => { if (!this.dst.destroyed) this.dst.write(chunk); });
  }

  onEnd() {
    if (this.fault()) { this.endHeld = true; return; }
    this.chain.then(() => { if (!this.dst.destroyed) this.dst.end(); });
  }

  release() {
    for (const chunk of this.held) this.forward(chunk);
    this.held = [];
    if (this.endHeld) { this.endHeld = false; this.onEnd(); }
  }
}

class FaultProxy {
  constructor({ listenPort = 0, targetPort, name = 'proxy', record }) {
    this.listenPort = listenPort;
    this.targetPort = targetPort;
    this.name = name;
    this.record = record;
    this.blackhole = { c2s: null, s2c: null };
    this.refusing = false;
    this.delayMs = 0;
    this.links = new Set();
    this.onForward = null;
    this.server = net.createServer((client) => this.accept(client));
  }

  emit(type, fields) {
    this.record({ t: nowSeconds(), source: this.name, type, ...fields });
  }

  start() {
    return new Promise((resolve) => this.server.listen(this.listenPort, '127.0.0.1', () => {
      this.port = this.server.address().port;
      resolve(this);
    }));
  }

  close() {
    for (const l of this.links) { l.client.destroy(); l.upstream.destroy(); }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  accept(client) {
    const clientPort = client.remotePort;
    if (this.refusing) {
      this.emit('connection_refused', { client_port: clientPort });
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
    const link = { client, upstream, clientPort, upstreamPort: null, blackhole: { ...this.blackhole } };
    this.links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    upstream.on('connect', () => {
      link.upstreamPort = upstream.localPort;
      this.emit('connection_opened', { client_port: clientPort, upstream_port: link.upstreamPort });
    });
    link.c2s = new Pipe(client, upstream, this, link, 'c2s');
    link.s2c = new Pipe(upstream, client, this, link, 's2c');
    const teardown = (side) => (err) => {
      this.links.delete(link);
      // A reset on one side becomes a reset on the other, unless black-holed.
      const other = side === 'client' ? upstream : client;
      if (err && err.code === 'ECONNRESET' && !link.blackhole.c2s && !link.blackhole.s2c) other.resetAndDestroy();
    };
    client.on('error', teardown('client'));
    upstream.on('error', (err) => {
      teardown('upstream')(err);
      if (err.code === 'ECONNREFUSED') client.resetAndDestroy();
    });
    client.on('close', () => this.links.delete(link));
  }

  // mode: 'buffer' holds bytes back until restore(); 'drop' discards them.
  // scope 'all' also applies to connections accepted later; 'existing' only
  // to the connections open now.
  setBlackhole({ c2s = null, s2c = null, scope = 'all' }) {
    if (scope === 'all') this.blackhole = { c2s, s2c };
    for (const l of this.links) l.blackhole = { c2s, s2c };
    this.emit('fault_blackhole', { c2s, s2c, scope, connections: this.links.size });
  }

  restore() {
    this.blackhole = { c2s: null, s2c: null };
    this.refusing = false;
    this.delayMs = 0;
    this.emit('fault_cleared', {});
    for (const l of this.links) {
      l.blackhole = { c2s: null, s2c: null };
      l.c2s.release();
      l.s2c.release();
    }
  }

  refuseNew(on) {
    this.refusing = on;
    this.emit('fault_refuse_new', { on });
  }

  setDelay(ms) {
    this.delayMs = ms;
    this.emit('fault_delay', { ms });
  }

  // RST both sides of every open connection.
  resetAll() {
    this.emit('fault_reset_all', { connections: this.links.size });
    for (const l of this.links) { l.client.resetAndDestroy(); l.upstream.resetAndDestroy(); }
    this.links.clear();
  }

  // RST the server side only; the browser's sockets stay open and silent.
  resetServerSide() {
    this.emit('fault_reset_server_side', { connections: this.links.size });
    for (const l of this.links) l.upstream.resetAndDestroy();
  }
}

module.exports = { FaultProxy };

'use strict';
// Message-bus positions and their wire form, the `C` cursor of a persistent
// response: `d-<PREFIX>-<key>,<hex>|<key>,<hex>|...`. Topic names are
// minified to short keys in order of first use, as the in-memory bus does.

const crypto = require('crypto');

const MINIFY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:';

function minify(index) {
  let out = '';
  let n = index;
  do {
    out = MINIFY_ALPHABET[n % MINIFY_ALPHABET.length] + out;
    n = Math.floor(n / MINIFY_ALPHABET.length) - 1;
  } while (n >= 0);
  return out;
}

class Bus {
  constructor() {
    // Random per server instance, upper-case hex without zero padding.
    this.prefix = crypto.randomBytes(4).readUInt32BE(0).toString(16).toUpperCase();
    this.topics = new Map(); // topic name -> { key, seq, log: [{seq, payload}] }
    // Key 'A' stays unused so the first hub topic is 'B', as on a real server.
    this.nextKey = 1;
  }

  topic(name) {
    let t = this.topics.get(name);
    if (!t) {
      t = { key: minify(this.nextKey++), seq: 0, log: [] };
      this.topics.set(name, t);
    }
    return t;
  }

  publish(name, payload) {
    const t = this.topic(name);
    t.seq += 1;
    if (payload !== undefined) t.log.push({ seq: t.seq, payload });
    return t.seq;
  }

  // Current positions of the given topics: a fresh subscription starts "now".
  positionsNow(names) {
    const pos = {};
    for (const n of names) pos[n] = this.topic(n).seq;
    return pos;
  }

  format(names, pos) {
    const entries = names.map((n) => `${this.topic(n).key},${(pos[n] || 0).toString(16).toUpperCase()}`);
    return `d-${this.prefix}-${entries.join('|')}`;
  }

  // Positions from a client's messageId; null when it came from another bus
  // (different prefix), in which case the subscription restarts at "now".
  parse(names, messageId) {
    if (!messageId) return null;
    const m = /^d-([0-9A-F]{1,8})-(.*)$/.exec(messageId);
    if (!m || m[1] !== this.prefix) return null;
    const byKey = new Map();
    for (const entry of m[2].split('|')) {
      const comma = entry.lastIndexOf(',');
      if (comma < 0) return null;
      byKey.set(entry.slice(0, comma), parseInt(entry.slice(comma + 1), 16));
    }
    const pos = {};
    for (const n of names) {
      const v = byKey.get(this.topic(n).key);
      pos[n] = Number.isFinite(v) ? v : this.topic(n).seq;
    }
    return pos;
  }

  pending(name, since) {
    return this.topic(name).log.filter((e) => e.seq > since);
  }
}

module.exports = { Bus };
